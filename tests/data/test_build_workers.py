"""The build's worker processes (data/build.py `_processes`): the same database, the same messages and
the same first failure as reading the files one after another in the build's own process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data import build
from data.build import BuildError, build_database
from data.store import TABLES

YEARS = (2022, 2023, 2024)
several_processors = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one processor: no workers")


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: con.sql(f"SELECT * FROM {table}").df().drop(columns=["loaded_at"], errors="ignore")
                for table, _ in TABLES}


@pytest.fixture
def three_years(tiny_file, tmp_path: Path) -> Path:
    for year in YEARS:
        tiny_file(name=f"mssp_puf_py{year}.csv")
    return tmp_path / "cms"


@several_processors
def test_workers_only_in_a_process_of_one_thread():
    assert build._workers(3) == min(len(os.sched_getaffinity(0)), 3, build.MAX_WORKERS) > 1
    assert build._workers(1) == 1
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    try:
        assert build._workers(3) == 1  # a fork beside another thread could inherit a lock held forever
    finally:
        done.set()
        other.join()


def test_workers_capped_by_the_environment(monkeypatch):
    monkeypatch.setenv(build.WORKERS_ENV, "1")
    assert build._workers(12) == 1
    monkeypatch.setenv(build.WORKERS_ENV, "many")  # not a count: the default
    assert build._workers(12) == min(len(os.sched_getaffinity(0)), build.MAX_WORKERS)


@several_processors
def test_workers_build_the_same_database_as_one_process(three_years, tmp_path, monkeypatch):
    in_workers = build_database(three_years, tmp_path / "workers.duckdb", quiet=True)
    monkeypatch.setattr(build, "_workers", lambda files: 1)
    alone = build_database(three_years, tmp_path / "alone.duckdb", quiet=True)
    assert in_workers.rows == alone.rows == 3 * len(YEARS)
    for attribute in ("warnings", "notes", "absent", "lineage", "files", "rows_per_year"):
        assert getattr(in_workers, attribute) == getattr(alone, attribute), attribute
    workers, one = _tables(tmp_path / "workers.duckdb"), _tables(tmp_path / "alone.duckdb")
    for table, _ in TABLES:
        pd.testing.assert_frame_equal(workers[table], one[table], obj=table)
    assert workers["aco_year"]["lineage_id"].nunique() == 3  # the same three ACOs every year


@several_processors
def test_the_first_bad_file_in_name_order_is_named(three_years, tmp_path, monkeypatch):
    """Two files fail in the workers; the error names the first by name, as reading in order would."""
    for year in YEARS[1:]:
        path = three_years / f"mssp_puf_py{year}.csv"
        path.write_text(path.read_text().replace("Invented Care Two,", "Invented Care Two,extra,", 1))
    messages = []
    for workers in (None, 1):
        if workers:
            monkeypatch.setattr(build, "_workers", lambda files: 1)
        with pytest.raises(BuildError) as failed:
            build_database(three_years, tmp_path / "aco.duckdb", quiet=True)
        messages.append(str(failed.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("mssp_puf_py2023.csv: line 3:"), messages[0]
    assert not (tmp_path / "aco.duckdb").exists()
