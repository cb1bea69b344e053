"""Program what-if: the rules as they were settled once (settle_as_was) serve every rule change.

apply_rule_change(rows, change, as_was=settle_as_was(rows)) must be the comparison apply_rule_change makes
from the rows alone, frame for frame: the page keeps one AsWas per year and settles only the change.
Also each rule change's "as changed" settlement is the one settle_frame gives for the changed rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aco_model.program import RuleChange, apply_rule_change, settle_as_was
from aco_model.vectorized import settle_frame

NAN = float("nan")
ROWS = pd.DataFrame([
    {"aco_id": "A", "aco_name": "Alpha", "performance_year": 2024, "track": "BASIC_E", "benchmark": 100e6,
     "expenditure": 95e6, "assigned_beneficiaries": 20_000, "quality_score": 0.9, "met_quality_standard": 1.0,
     "msr_election": 0.02},
    {"aco_id": "B", "aco_name": "Beta", "performance_year": 2024, "track": "ENHANCED", "benchmark": 80e6,
     "expenditure": 84e6, "assigned_beneficiaries": 9_000, "quality_score": 0.7, "met_quality_standard": 0.0,
     "msr_election": 0.01},
    {"aco_id": "C", "aco_name": "Gamma", "performance_year": 2024, "track": "BASIC_A", "benchmark": 50e6,
     "expenditure": 47e6, "assigned_beneficiaries": 6_000, "quality_score": 0.85,
     "met_quality_standard": 1.0, "msr_election": NAN},
    {"aco_id": "D", "aco_name": "Delta", "performance_year": 2024, "track": "ENHANCED", "benchmark": 0.0,
     "expenditure": 47e6, "assigned_beneficiaries": 6_000, "quality_score": 0.85,
     "met_quality_standard": 1.0, "msr_election": NAN},  # cannot be settled: left out, named in notes
]).set_index("aco_id", drop=False)
CHANGES = [
    RuleChange(),
    RuleChange(max_sharing_rates={"BASIC_E": 0.6}, payment_limits={"ENHANCED": 0.1}),
    RuleChange(flat_msr=0.005, loss_rates={"ENHANCED": 0.5}),
    RuleChange(msr_scale=0.5, loss_limits={"BASIC_E": 0.01}),
    RuleChange(quality_standard=0.8, sequestration_factor=1.0),
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.describe())
def test_one_as_was_serves_every_change(change: RuleChange) -> None:
    as_was = settle_as_was(ROWS, from_database=False)
    kept = apply_rule_change(ROWS, change, from_database=False, as_was=as_was)
    fresh = apply_rule_change(ROWS, change, from_database=False)
    for name in ("totals", "by_track", "per_aco"):
        pd.testing.assert_frame_equal(getattr(kept, name), getattr(fresh, name), check_exact=True)
    assert kept.notes == fresh.notes and kept.notes[0].startswith("1 ACO-year(s) left out")
    assert kept.performance_years == (2024,)


def test_as_changed_is_settle_frame_under_the_changed_rules() -> None:
    change = RuleChange(max_sharing_rates={"ENHANCED": 0.9}, flat_msr=0.0, sequestration_factor=1.0)
    c = apply_rule_change(ROWS, change, from_database=False)
    usable = ROWS[ROWS["benchmark"] > 0].drop(columns=["aco_id", "aco_name"])
    flat = usable.assign(minimum_savings_rate=0.0, minimum_loss_rate=NAN)
    expected = settle_frame(flat, tracks=change.tracks(), years=change.years())
    np.testing.assert_array_equal(c.per_aco["earned_after"].to_numpy(), expected["earned"].to_numpy())
    assert (c.per_aco["change"] != 0).any()  # the rules did change someone's result
