"""The program what-if's by-track totals slice only the columns they sum: the same frame as slicing all.

`_by_track_whole_frames` is aco_model.program._by_track as it was (each track's rows of the whole input
and result frames); the totals must be the very same numbers, on the demo database's every year.
"""

from __future__ import annotations

import pandas as pd
import pytest

from aco_model import program
from aco_model.program import RuleChange
from aco_model.rules import TRACKS


def _by_track_whole_frames(inputs: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for track in [t for t in TRACKS if (inputs["track"] == t).any()]:
        mask = (inputs["track"] == track).to_numpy()
        b = program._with_net(program._totals(inputs[mask], before[mask]))
        a = program._with_net(program._totals(inputs[mask], after[mask]))
        row: dict[str, object] = {"track": track, "track_label": TRACKS[track].label, "acos": int(b["acos"])}
        for metric in program.TOTAL_COLUMNS[1:]:
            cast = int if metric.startswith("acos") else float
            row[f"{metric}_before"] = cast(b[metric])
            row[f"{metric}_after"] = cast(a[metric])
            row[f"{metric}_change"] = cast(a[metric] - b[metric])
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory) -> pd.DataFrame:
    from data.build import build_database
    from data.queries import AcoDatabase

    path = tmp_path_factory.mktemp("demo") / "aco.duckdb"
    build_database(None, path, demo=True, quiet=True)
    database = AcoDatabase(path)
    try:
        return database.all_rows()
    finally:
        database.close()


@pytest.mark.parametrize("change", [RuleChange(), RuleChange(max_sharing_rates={"BASIC_E": 0.6}),
                                    RuleChange(flat_msr=0.01, sequestration_factor=1.0)])
def test_by_track_is_the_whole_frame_slicing(demo_rows, change, monkeypatch):
    for year in sorted(demo_rows["performance_year"].unique()):
        rows = demo_rows[demo_rows["performance_year"] == year]
        now = program.apply_rule_change(rows, change).by_track
        monkeypatch.setattr(program, "_by_track", _by_track_whole_frames)
        before = program.apply_rule_change(rows, change).by_track
        monkeypatch.undo()
        pd.testing.assert_frame_equal(now, before, check_exact=True)
