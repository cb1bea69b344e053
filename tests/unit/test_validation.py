"""What the engine refuses (settle, settle_frame), in one line naming the value; the MSR-below-500 caveat."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aco_model import AcoYear, settle, settle_frame
from aco_model.msr import MSR_BELOW_500, MSR_BELOW_500_WARNING
from aco_model.rules import RuleError
from aco_model.validation import InputError

GOOD = AcoYear(2024, "BASIC_E", 100_000_000.0, 97_000_000.0, 20_000, quality_score=0.8,
               met_quality_standard=True, msr_election=0.02)


@pytest.mark.parametrize(
    ("change", "field", "shown"),
    [
        ({"benchmark": float("nan")}, "benchmark", "nan"),
        ({"benchmark": 0.0}, "benchmark", "0"),
        ({"benchmark": -5_000_000.0}, "benchmark", "-5000000"),
        ({"benchmark": float("inf")}, "benchmark", "inf"),
        ({"expenditure": -1.0}, "expenditure", "-1"),
        ({"expenditure": float("nan")}, "expenditure", "nan"),
        ({"expenditure": float("inf")}, "expenditure", "inf"),
        ({"assigned_beneficiaries": 0}, "assigned_beneficiaries", "0"),
        ({"assigned_beneficiaries": -3}, "assigned_beneficiaries", "-3"),
        ({"quality_score": 1.01}, "quality_score", "1.01"),
        ({"quality_score": 75.29}, "quality_score", "75.29"),
        ({"quality_score": -0.1}, "quality_score", "-0.1"),
        ({"quality_score": float("inf")}, "quality_score", "inf"),
        ({"euc_share": 1.5}, "euc_share", "1.5"),
        ({"euc_share": -0.01}, "euc_share", "-0.01"),
        ({"msr_election": 0.03}, "msr_election", "0.03"),
        ({"msr_election": 0.7}, "msr_election", "0.7"),
        ({"msr_election": 0.0051}, "msr_election", "0.0051"),
        ({"msr_election": float("inf")}, "msr_election", "inf"),
        ({"agreement_start_year": 1800}, "agreement_start_year", "1800"),
        ({"agreement_start_year": 2025}, "agreement_start_year", "2025"),
        ({"agreement_start_year": 2011}, "agreement_start_year", "2011"),
        ({"participant_revenue": -1.0}, "participant_revenue", "-1"),
        ({"proration": 0.0}, "proration", "0"),
        ({"proration": 1.5}, "proration", "1.5"),
    ],
)
def test_settle_refuses_the_value_in_one_line_naming_it(change, field, shown):
    with pytest.raises(ValueError) as caught:
        settle(replace(GOOD, **change))
    message = str(caught.value)
    assert isinstance(caught.value, InputError)
    assert message.startswith(f"{field} must ") and message.endswith(f", got {shown}")
    assert "\n" not in message and "row" not in message


@pytest.mark.parametrize(
    "change",
    [
        {"quality_score": 0.0}, {"quality_score": 1.0}, {"quality_score": None}, {"euc_share": 0.0},
        {"euc_share": 1.0}, {"agreement_start_year": 2012}, {"agreement_start_year": 2024},
        {"expenditure": 0.0}, {"assigned_beneficiaries": 1}, {"msr_election": 1.5 / 100},
        {"msr_election": None}, {"participant_revenue": 0.0}, {"proration": 0.5},
    ],
)
def test_edge_values_are_accepted(change):
    assert np.isfinite(settle(replace(GOOD, **change)).earned)


def test_a_nan_benchmark_no_longer_settles_inside_the_corridor():
    frame = replace(GOOD, benchmark=float("nan")).to_frame()
    with pytest.raises(InputError, match=r"benchmark must be a finite dollar amount above 0: row 0 \(nan\)"):
        settle_frame(frame)


def _frame(rows: int, **columns) -> pd.DataFrame:
    frame = pd.concat([GOOD.to_frame()] * rows, ignore_index=True)
    frame.index = [f"aco-{i}" for i in range(rows)]
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_settle_frame_names_every_bad_row_by_index_and_value():
    frame = _frame(4, benchmark=[1e8, np.nan, -3.0, 1e8], quality_score=[0.5, 1.01, 0.7, 75.29])
    with pytest.raises(InputError) as caught:
        settle_frame(frame)
    message = str(caught.value)
    assert message == (
        "benchmark must be a finite dollar amount above 0: row aco-1 (nan), row aco-2 (-3); "
        "quality_score must be a fraction from 0 to 1 (0.7529 for 75.29%): "
        "row aco-1 (1.01), row aco-3 (75.29)"
    )
    assert [p.positions.tolist() for p in caught.value.problems] == [[1, 2], [1, 3]]


def test_settle_frame_counts_the_bad_rows_it_does_not_name():
    frame = _frame(9, assigned_beneficiaries=[0] * 8 + [10])
    with pytest.raises(InputError, match=r"row aco-4 \(0\) and 3 more$"):
        settle_frame(frame)


def test_settle_frame_shows_text_as_given():
    frame = _frame(2, expenditure=["97000000", "lots"])
    with pytest.raises(InputError, match=r"expenditure must be .*: row aco-1 \('lots'\)$"):
        settle_frame(frame)


def test_bad_rows_in_a_later_block_are_found(monkeypatch):
    import aco_model.vectorized as vectorized

    monkeypatch.setattr(vectorized, "BLOCK_ROWS", 3)
    frame = _frame(10, euc_share=[np.nan] * 9 + [2.0])
    with pytest.raises(InputError, match=r"euc_share must be a fraction from 0 to 1: row aco-9 \(2\)"):
        settle_frame(frame)


def test_unknown_track_and_year_name_their_rows():
    with pytest.raises(RuleError, match=r"unknown track: row aco-1 \('GOLD'\)"):
        settle_frame(_frame(2, track=["BASIC_E", "GOLD"]))
    with pytest.raises(RuleError, match=r"performance year: row aco-0 \(2040\)"):
        settle_frame(_frame(2, performance_year=[2040, 2024]))
    with pytest.raises(RuleError, match=r"performance year: row aco-1 \(nan\)"):
        settle_frame(_frame(2, performance_year=[2024.0, np.nan]))


def test_settle_frame_can_return_only_the_columns_asked_for():
    frame = _frame(3)
    only = settle_frame(frame, columns=["earned", "outcome"])
    assert list(only.columns) == ["earned", "outcome"]
    assert only["earned"].tolist() == settle_frame(frame)["earned"].tolist()
    with pytest.raises(KeyError, match="payment"):
        settle_frame(frame, columns=["payment"])


# --- the MSR below 500 assigned beneficiaries -------------------------------------------------------

A05696 = AcoYear(2017, "TRACK_1", 1_475_739, 1_413_358, 152, quality_score=0.3949, met_quality_standard=False)


def test_below_500_the_settlement_says_the_msr_is_assumed():
    result = settle(A05696)
    assert result.minimum_savings_rate == MSR_BELOW_500
    assert result.warnings == (MSR_BELOW_500_WARNING,)
    assert "not known from public rules" in MSR_BELOW_500_WARNING and "12.2%" in MSR_BELOW_500_WARNING
    assert result.to_dict()["warnings"] == [MSR_BELOW_500_WARNING]


def test_from_500_or_with_an_election_that_applies_there_is_no_warning():
    assert settle(replace(A05696, assigned_beneficiaries=500)).warnings == ()
    # Before PY2019 a two-sided ACO's symmetric election held whatever its size: the MSR is known.
    elected = AcoYear(2018, "TRACK_3", 1e6, 0.9e6, 300, quality_score=0.9, msr_election=0.02)
    assert settle(elected).warnings == ()
    # From PY2019 a two-sided ACO under 5,000 gets the table's rate: below 500 it is an assumption again.
    later = replace(elected, performance_year=2019, track="ENHANCED")
    assert settle(later).warnings == (MSR_BELOW_500_WARNING,)


def test_settle_frame_flags_each_row_whose_msr_is_assumed():
    frame = _frame(3, assigned_beneficiaries=[152, 499, 500], msr_election=np.nan)
    assert settle_frame(frame)["msr_below_500_assumed"].tolist() == [True, True, False]
    scenario_msr = frame.assign(minimum_savings_rate=0.01)  # a scenario's own MSR is not the table's
    assert not settle_frame(scenario_msr)["msr_below_500_assumed"].any()


def test_an_empty_frame_settles_to_an_empty_result():
    out = settle_frame(GOOD.to_frame().iloc[:0])
    assert out.empty and "msr_below_500_assumed" in out.columns
