"""The program what-if's tables as shown (ui.widgets.formatted with objects=True): the text formatted gives
by default, cell for cell, with plain Python strings in place of pandas' Arrow strings (faster to make)."""

import numpy as np
import pandas as pd
import pytest

from aco_model.program import RuleChange, apply_rule_change
from ui import widgets
from ui.program_what_if import METRIC_LABELS

ROWS = pd.DataFrame({
    "aco_id": ["A", "B", "C"], "performance_year": 2024, "track": ["BASIC_E", "ENHANCED", "BASIC_A"],
    "benchmark": [100e6, 80e6, 50e6], "expenditure": [95e6, 84e6, 49e6],
    "assigned_beneficiaries": [20_000, 9_000, 6_000], "quality_score": [0.9, 0.7, np.nan],
    "met_quality_standard": [1.0, 0.0, 1.0], "msr_election": [0.02, 0.01, np.nan],
}).set_index("aco_id", drop=False)


@pytest.mark.parametrize("table", ["totals", "by_track", "per_aco"])
def test_shown_is_formatted_text(table: str) -> None:
    frame = getattr(apply_rule_change(ROWS, RuleChange(flat_msr=0.005)), table)
    if table == "totals":
        frame = frame.reset_index(names="scenario")
    money = [c for c in frame.columns if c.split("_")[0] in ("gross", "shared", "losses", "net", "earned",
                                                             "change")]
    rates = [c for c in frame.columns if c.startswith("msr")]
    counts = [c for c in frame.columns if c.startswith("acos")]
    rename = {"acos": "ACOs", **METRIC_LABELS}
    ours = widgets.formatted(frame, money, rates, counts, rename=rename, objects=True)
    theirs = widgets.formatted(frame, money, rates, counts, rename=rename)
    assert list(ours.columns) == list(theirs.columns) and ours.index.equals(theirs.index)
    assert money and ours.astype(object).values.tolist() == theirs.astype(object).values.tolist()
    assert all(ours[c].dtype == object for c in ours.columns if c in {rename.get(m, m) for m in money})
