"""ui.database's readers keep one copy of each result for every session (ui.database._kept).

A caller may change the frame it is handed (pandas' copy-on-write copies the columns it changes): the
next caller, in this session or another, still gets the database's values, and the database is read
once per key.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ui import database


def _key(db: Path) -> database.Key:
    return str(db), db.stat().st_mtime


def test_a_caller_changing_its_frame_changes_nobody_elses(demo_db: Path) -> None:
    key = _key(demo_db)
    first = database.all_rows(key)
    before = first.copy(deep=True)
    first.loc[first.index[0], "aco_name"] = "[changed](https://evil.example)"
    first.iloc[0, first.columns.get_loc("performance_year")] = 1900
    first["added"] = 1
    again = database.all_rows(key)
    pd.testing.assert_frame_equal(again, before)
    assert again is not first


def test_a_kept_result_is_read_once_per_key(demo_db: Path, monkeypatch) -> None:
    key = _key(demo_db)
    database.aco_index.clear()
    calls = []
    real = database.AcoDatabase.aco_index

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(database.AcoDatabase, "aco_index", counted)
    frames = [database.aco_index(key) for _ in range(3)]
    assert len(calls) == 1
    assert all(f.equals(frames[0]) for f in frames)
    database.aco_index.clear()


def test_other_kept_values_are_copies(demo_db: Path) -> None:
    key = _key(demo_db)
    years = database.years(key)
    years.append(1900)
    assert 1900 not in database.years(key)
