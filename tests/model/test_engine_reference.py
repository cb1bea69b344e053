"""The fast engine gives bit for bit what the plain whole-array settlement gives (`reference_settlement`),
on random frames with every optional input, edge values (thresholds, NaN, -0.0), small blocks, and
changed rule tables."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from reference_settlement import reference_settle

import aco_model.vectorized as vectorized
from aco_model.rules import MSR_ELECTIONS, TRACKS, YEARS, with_overrides
from aco_model.vectorized import RESULT_COLUMNS, settle_frame

OPTIONAL = ["quality_score", "pay_for_reporting", "met_quality_standard", "met_alternative_quality_standard",
            "msr_election", "participant_revenue", "euc_share", "low_revenue", "agreement_start_year",
            "track_2_year", "proration", "minimum_savings_rate", "minimum_loss_rate"]


def _frame(seed: int, rows: int, present: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(*choices, p_nan=0.0):
        values = np.concatenate([np.atleast_1d(np.asarray(c, dtype=float)) for c in choices])
        out = rng.choice(values, rows)
        out[rng.random(rows) < p_nan] = np.nan
        return out

    py = rng.integers(2013, 2027, rows)
    # Some benchmarks are powers of two, so that a rate of +-0.25 is exact: the corridor's edge itself.
    b = pick(rng.lognormal(np.log(5e7), 1.0, rows), [2.0**26, 1.0])
    rate = pick(rng.normal(0.01, 0.05, rows), [0.0, 0.02, -0.02, 0.5, -0.3, 0.25, -0.25, 0.25, -0.25])
    columns = {
        "performance_year": py,
        "track": pd.Categorical(rng.choice(list(TRACKS), rows), categories=sorted(TRACKS)),
        "benchmark": b,
        "expenditure": np.maximum(b * (1 - rate), 0.0),
        "assigned_beneficiaries": rng.choice([1, 152, 499, 500, 4_999, 5_000, 34_601, 60_000, 60_001, 250_000,
                                              *rng.integers(1, 90_000, 20)], rows),
        "quality_score": pick(rng.random(rows), [0.0, -0.0, 1.0, 0.6173, 0.7705, 0.7385], p_nan=0.2),
        "pay_for_reporting": pick([0.0, 1.0], p_nan=0.1),
        "met_quality_standard": pick([0.0, 1.0], p_nan=0.5),
        "met_alternative_quality_standard": pick([0.0, 1.0]),
        "msr_election": pick(MSR_ELECTIONS, [-0.0], p_nan=0.3),
        "participant_revenue": pick(b * rng.uniform(0.05, 2.0, rows), p_nan=0.5),
        "euc_share": pick(rng.random(rows), [0.0, 1.0], p_nan=0.5),
        "low_revenue": pick([0.0, 1.0]),
        "agreement_start_year": np.minimum(pick(2012, 2015, 2016, 2019, 2024, 2026, p_nan=0.3), py),
        "track_2_year": pick(1, 2, 3, 4, p_nan=0.5),
        "proration": pick(0.5, 1.0),
        "minimum_savings_rate": pick(0.0, 0.01, 0.03, 0.25, p_nan=0.5),
        "minimum_loss_rate": pick(0.0, 0.02, 0.25, p_nan=0.5),
    }
    keep = ["performance_year", "track", "benchmark", "expenditure", "assigned_beneficiaries", *present]
    frame = pd.DataFrame({name: columns[name] for name in keep})
    frame.index = frame.index * 7 + 3
    return frame


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(RESULT_COLUMNS) and got.index.equals(want.index)
    for name in RESULT_COLUMNS:
        a, w = got[name].to_numpy(), want[name].to_numpy()
        assert a.dtype == w.dtype, name
        assert np.array_equal(a, w, equal_nan=a.dtype.kind == "f"), name
        if a.dtype.kind == "f":
            assert np.array_equal(np.signbit(a), np.signbit(w)), name  # 0.0 and -0.0 too


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 400), st.sets(st.sampled_from(OPTIONAL)),
       st.sampled_from([3, 64, 97, 32_768]), st.sampled_from([None, 1, 2, 3]))
@example(seed=1, rows=400, present=set(OPTIONAL), block=97, workers=None)
@example(seed=1, rows=400, present=set(OPTIONAL), block=97, workers=3)
@example(seed=2, rows=1, present=set(), block=32_768, workers=2)
def test_fast_engine_is_the_reference_bit_for_bit(seed, rows, present, block, workers):
    frame = _frame(seed, rows, sorted(present))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectorized, "BLOCK_ROWS", block)
        got = settle_frame(frame, workers=workers)
    _assert_same(got, reference_settle(frame))


def test_a_few_thousand_rows_with_every_input_in_several_blocks(monkeypatch):
    monkeypatch.setattr(vectorized, "BLOCK_ROWS", 1_024)  # pooled work arrays, last block partial
    frame = _frame(7, 5_000, OPTIONAL)
    _assert_same(settle_frame(frame), reference_settle(frame))
    _assert_same(settle_frame(frame), reference_settle(frame))  # the pooled arrays reused


def test_changed_rule_tables_match_the_reference():
    tracks = {name: with_overrides(r, max_sharing_rate=min(1.0, r.max_sharing_rate + 0.1),
                                   loss_rate_floor=None) for name, r in TRACKS.items()}
    years = {y: replace(r, sequestration_factor=0.97, quality_standard=0.5) for y, r in YEARS.items()}
    frame = _frame(11, 3_000, OPTIONAL)
    _assert_same(settle_frame(frame, tracks=tracks, years=years), reference_settle(frame, tracks, years))


def test_headcount_as_int64_or_float_settles_alike():
    frame = _frame(5, 2_000, ["quality_score", "msr_election"])
    as_float = frame.assign(assigned_beneficiaries=frame["assigned_beneficiaries"].astype(float))
    _assert_same(settle_frame(frame), settle_frame(as_float))


def test_only_the_columns_asked_for_equal_the_full_result():
    frame = _frame(3, 1_000, OPTIONAL)
    full = settle_frame(frame)
    part = settle_frame(frame, columns=["earned", "outcome", "loss_limit_binding"])
    assert list(part.columns) == ["earned", "outcome", "loss_limit_binding"]
    for name in part.columns:
        assert np.array_equal(part[name].to_numpy(), full[name].to_numpy())
