"""The risk election's faster paths give the numbers of the slower ones they replaced, bit for bit:
`best_election` by np.lexsort against the sorted frame it used, `box_stats` taking the summary's
percentiles against computing them all, and ui.widgets.formatted's list path against Series.map."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aco_model.reconciliation import AcoYear
from aco_model.uncertainty import Calibration, best_election
from ui import risk_election as risk
from ui import widgets as ui
from ui.formatting import count, money, pct


def _sorted_best(summary: pd.DataFrame, max_prob: float) -> pd.Series | None:
    """best_election as it was: the qualifying rows sorted by pandas."""
    ok = summary[summary["prob_owing_over_threshold"] <= max_prob + 1e-12]
    if ok.empty:
        return None
    order = ok.assign(_pos=np.arange(len(ok))).sort_values(
        ["expected_payment", "prob_owing_over_threshold", "_pos"], ascending=[False, True, True],
        kind="stable")
    return order.drop(columns="_pos").iloc[0]


values = st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 1e6, np.nan])
chances = st.sampled_from([0.0, 0.05, 0.1, 0.1 + 1e-13, 0.2, 1.0])


@settings(max_examples=200)
@given(st.lists(st.tuples(values, chances), min_size=1, max_size=12), st.sampled_from([0.0, 0.1, 0.5, 1.0]))
@example([(1.0, 0.0), (1.0, 0.0)], 0.1)  # a tie: the earlier row
@example([(np.nan, 0.0), (-5.0, 0.0)], 0.1)  # a missing expected payment goes last
@example([(3.0, 0.2), (1.0, 0.05), (1.0, 0.0)], 0.1)  # a tie of payments: the lower chance
def test_best_election_is_the_sorted_frames_first_row(rows, max_prob):
    summary = pd.DataFrame({
        "election": [f"E{i}" for i in range(len(rows))],
        "expected_payment": [r[0] for r in rows],
        "owing_threshold": 1e6,
        "prob_owing_over_threshold": [r[1] for r in rows],
    }, index=pd.RangeIndex(len(rows)) * 3)
    got, want = best_election(summary, max_prob, 1e6), _sorted_best(summary, max_prob)
    assert (got is None) == (want is None)
    if got is not None:
        pd.testing.assert_series_equal(got, want, check_exact=True)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([2019, 2021, 2023, 2024]), st.floats(0.8, 1.1),
       st.sampled_from([1, 2, 37, 1_000, 5_001]), st.integers(0, 2**31 - 1))
def test_box_stats_from_the_summary_are_the_same(year, spent, draws, seed):
    base = AcoYear(year, "BASIC_E" if year > 2019 else "ENHANCED", 100e6, 100e6 * spent, 20_000,
                   quality_score=0.8)
    calibration = Calibration.from_changes(np.random.default_rng(3).normal(0.0, 0.04, 400))
    result, summary = risk.run(base, calibration, draws, seed, 1e6)
    pd.testing.assert_frame_equal(risk.box_stats(result, summary), risk.box_stats(result), check_exact=True)


def test_formatted_text_is_series_maps():
    rng = np.random.default_rng(0)
    numbers = np.concatenate([rng.normal(0, 1e7, 50), rng.normal(0, 1, 50),
                              [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e15, -1e-9, 0.5, 0.005, 0.0049999]])
    frame = pd.DataFrame({"f": numbers, "i": np.arange(len(numbers)) * 37 - 500,
                          "i32": np.arange(len(numbers), dtype=np.int32),
                          "b": np.arange(len(numbers)) % 2 == 0,
                          "n": pd.array([1, None] * (len(numbers) // 2), dtype="Int64"),
                          "s": ["x"] * len(numbers)})
    for money_cols, pct_cols, count_cols in [(["f", "i", "n"], ["i32"], ["b"]), ([], ["f", "i", "n"], []),
                                             (["i32"], [], ["f", "i", "n"])]:
        want = frame.copy()
        for cols, shown in ((money_cols, money), (pct_cols, pct), (count_cols, count)):
            for c in cols:
                want[c] = want[c].map(shown)
        got = ui.formatted(frame, money_cols, pct_cols, count_cols)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
