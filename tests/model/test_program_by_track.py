"""The program what-if's by-track totals, summed on numpy arrays: the same frame as slicing whole frames.

`_by_track_whole_frames` is aco_model.program._by_track as it was (each track's rows of the whole input
and result frames of settle_frame); the totals must be the very same numbers, on the demo database's every
year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aco_model import program
from aco_model.program import RuleChange
from aco_model.rules import TRACKS
from aco_model.validation import settleable
from aco_model.vectorized import settle_frame


def _totals(inputs: pd.DataFrame, result: pd.DataFrame) -> dict[str, float]:
    """aco_model.program._totals as it was: read from the frames."""
    earned = result["earned"].to_numpy()
    proration = inputs["proration"].to_numpy(dtype=float) if "proration" in inputs else 1.0
    return {"acos": float(len(earned)), "acos_paid": float((earned > 0).sum()),
            "acos_owing": float((earned < 0).sum()),
            "gross_savings": float((result["gross_savings"].to_numpy() * proration).sum()),
            "shared_savings_paid": float(np.clip(earned, 0, None).sum()),
            "losses_collected": float(np.clip(-earned, 0, None).sum()), "net_savings_to_medicare": 0.0}


def _by_track_whole_frames(inputs: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for track in [t for t in TRACKS if (inputs["track"] == t).any()]:
        mask = (inputs["track"] == track).to_numpy()
        b = program._with_net(_totals(inputs[mask], before[mask]))
        a = program._with_net(_totals(inputs[mask], after[mask]))
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
def test_by_track_is_the_whole_frame_slicing(demo_rows, change):
    for year in sorted(demo_rows["performance_year"].unique()):
        rows = demo_rows[demo_rows["performance_year"] == year]
        now = program.apply_rule_change(rows, change).by_track
        inputs = program._settle_inputs(rows, None)
        inputs = inputs[settleable(inputs)]
        changed = inputs if change.flat_msr is None else inputs.assign(
            minimum_savings_rate=change.flat_msr, minimum_loss_rate=np.nan)
        after = settle_frame(changed, tracks=change.tracks(), years=change.years())
        before = _by_track_whole_frames(inputs, settle_frame(inputs), after)
        pd.testing.assert_frame_equal(now, before, check_exact=True)
