"""The project's strongest claim, in two tiers: recomputing every CMS ACO-year gives CMS's published earned
savings or losses, overall (some inputs read from CMS's outcome columns) and from public inputs alone.
Measured on ../shared/data/cms when it is present."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from aco_model.euc_quality import EUC_MEAN_QUALITY, at_mean_score, solve_mean_score
from aco_model.fidelity import (
    EXACT,
    GUARDRAIL,
    MATCHED,
    QUALITY_FAILURE,
    REVENUE_LIMIT,
    UNEXPLAINED,
    WITHIN_ROUNDING,
    compare,
    headline,
    is_unexplained,
    not_independent,
    published_half_unit,
    summarize,
)
from aco_model.inputs import FAILED_STANDARD, public_track
from aco_model.rules import TRACKS
from aco_model.vectorized import settle_frame

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def cms_db(cms_dir, tmp_path_factory):
    from data.build import build_database

    out = tmp_path_factory.mktemp("fidelity") / "aco.duckdb"
    build_database(cms_dir, out, quiet=True)
    return out


@pytest.fixture(scope="module")
def aco_year(cms_db):
    from aco_model.fidelity import read_aco_year

    return read_aco_year(cms_db)


@pytest.fixture(scope="module")
def compared(aco_year):
    return compare(aco_year)


def _row(compared: pd.DataFrame, year: int, aco: str) -> pd.Series:
    hit = compared[(compared["performance_year"] == year) & (compared["aco_id"] == aco)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_every_year_is_compared(compared):
    counts = compared.groupby("performance_year").size()
    assert list(counts.index) == list(range(2013, 2025))
    assert counts.sum() == 5_271


def test_both_tiers_meet_their_targets(compared):
    h = headline(compared)
    assert h["matched"] / h["comparable"] >= 0.998
    assert h["independent_matched"] / h["comparable"] >= 0.97
    assert (h["matched"], h["independent_matched"], h["comparable"]) == (5261, 5258, 5271)
    assert set(compared.loc[compared["matched"], "reason"]) <= set(MATCHED)
    assert set(compared.loc[compared["independent_matched"], "independent_reason"]) <= set(MATCHED)
    assert (np.abs(compared.loc[compared["reason"] == EXACT, "difference"]) <= 1).all()


def test_rows_matched_only_with_an_outcome_column_name_it(compared):
    needed = not_independent(compared)
    assert sorted(zip(needed["performance_year"], needed["aco_id"], strict=True)) == [
        (2014, "A23913"), (2014, "A80939"), (2015, "A92615")]
    assert needed["outcome_inputs"].str.startswith("FinalShareRate").all()
    assert (needed["independent_reason"] == QUALITY_FAILURE).all()
    # every row matched from public inputs alone is matched overall too
    assert not (compared["independent_matched"] & ~compared["matched"]).any()


def test_every_mismatch_has_a_missing_input_or_counts_as_unexplained(compared):
    misses = compared[~compared["matched"]]
    assert set(misses["reason"]) == {REVENUE_LIMIT, GUARDRAIL}
    unexplained = misses[is_unexplained(misses["reason"])]
    assert sorted(unexplained["aco_id"]) == ["A5309", "A5321"]
    assert (unexplained["performance_year"] == 2024).all()
    assert headline(compared)["unexplained"] == 2
    revenue = misses[misses["reason"] == REVENUE_LIMIT]
    assert len(revenue) == 8
    assert revenue["track"].map(lambda t: TRACKS[t].loss_limit_revenue_share is not None).all()
    # CMS's loss before relief is below the model's, which knows only the benchmark-based limit
    assert (revenue["independent_model"] < revenue["cms_before_relief"]).all()


def test_summary_has_both_tiers_per_year(compared):
    table = summarize(compared)
    assert table["comparable"].sum() == len(compared)
    assert table["matched"].sum() == compared["matched"].sum()
    assert table["independent_matched"].sum() == compared["independent_matched"].sum()
    assert (table["independent_matched"] <= table["matched"]).all()
    assert table["unexplained"].sum() == 2


def test_track_2_loss_rows_reproduce(compared):
    losses = compared[(compared["track"] == "TRACK_2") & (compared["kind"] == "loss")]
    assert sorted(losses["performance_year"]) == [2013, 2017, 2017, 2018, 2021]
    assert losses["matched"].all() and losses["independent_matched"].all()
    a2029 = _row(compared, 2021, "A2029")
    assert a2029["cms_before_relief"] == -1_110_310  # DisAdj: the loss, forgiven in full
    assert a2029["independent_model"] == pytest.approx(-0.466 * 2_382_640, abs=1.0)


def test_forgiven_losses_are_compared_before_relief(compared):
    forgiven = compared[compared["performance_year"].between(2020, 2022) & (compared["kind"] == "loss")]
    assert len(forgiven) == 31
    assert (forgiven["cms_earned"] == 0).all() and (forgiven["cms_before_relief"] < 0).all()
    assert (forgiven["model_earned"] < 0).all()  # compared on the loss, not on the zero
    misses = forgiven[~forgiven["matched"]]
    assert set(misses["reason"]) == {REVENUE_LIMIT} and len(misses) == 4


def test_six_month_euc_relief_is_half_the_published_adjustment(compared):
    for aco in ("A1498", "A2021"):  # PY2019 January-June: DisAdj is the twelve-month amount
        row = _row(compared, 2019, aco)
        assert row["matched"] and row["independent_matched"]


def test_quality_bracket_uses_the_published_precision(compared):
    assert compared["bracket"].max() < 6_000
    assert (compared["reason"] == WITHIN_ROUNDING).sum() > 500
    assert published_half_unit(np.arange(2015, 2025)).tolist() == [5e-5] * 10


def test_py2015_track_from_the_published_msr_agrees_with_the_build(aco_year):
    py2015 = aco_year[aco_year["performance_year"] == 2015]
    assert py2015["track_inferred"].all() and not aco_year.loc[aco_year["performance_year"] != 2015,
                                                               "track_inferred"].any()
    track, unresolved = public_track(py2015)
    assert not unresolved.any()
    assert (track == py2015["track"]).all()
    assert (track == "TRACK_2").sum() == 3


@pytest.mark.parametrize("year", sorted(EUC_MEAN_QUALITY))
def test_solved_euc_mean_scores(aco_year, compared, year):
    score = EUC_MEAN_QUALITY[year]
    low, high, savers = solve_mean_score(aco_year, year)
    assert (low, high, savers) == (pytest.approx(score.low, abs=1e-10), pytest.approx(score.high, abs=1e-10),
                                   score.savers)
    assert low <= score.unrounded <= high
    uses = compared.loc[at_mean_score(aco_year.loc[compared.index])]
    uses = uses[uses["performance_year"] == year]
    assert (uses["reason"] == EXACT).all()
    assert (uses["kind"] == "savings").sum() >= score.savers


def test_quality_failures_are_outcome_inputs(compared):
    failed = compared[compared["outcome_inputs"].str.contains(FAILED_STANDARD, regex=False)]
    assert len(failed) == 6 and (failed["performance_year"] == 2015).all()


def test_command_line_prints_both_tiers_last(cms_db):
    command = [sys.executable, "-m", "aco_model.fidelity", "--db", str(cms_db), "--not-independent"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    *_, before, last = done.stdout.strip().splitlines()
    m = re.fullmatch(r"independent: (\d+)/(\d+) matched to \$1 from public inputs alone", before)
    assert m and int(m.group(1)) / int(m.group(2)) >= 0.97
    m = re.fullmatch(r"fidelity: (\d+)/(\d+) matched to \$1", last)
    assert m and int(m.group(1)) / int(m.group(2)) >= 0.998
    assert "A92615" in done.stdout and "FinalShareRate (quality standard failed)" in done.stdout
    assert "PY2019 0.9217 -> 0.92168141 (92 savers)" in done.stdout


# --- without CMS files: the comparison logic itself -------------------------------------------

def _synthetic_published(n: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    b = rng.uniform(5e7, 5e8, n)
    frame = pd.DataFrame({
        "performance_year": rng.choice([2018, 2022, 2024], n), "aco_id": [f"S{i}" for i in range(n)],
        "track": rng.choice(["TRACK_1", "BASIC_A", "ENHANCED"], n), "benchmark": b,
        "expenditure": b * (1 - rng.normal(0.02, 0.04, n)),
        "assigned_beneficiaries": rng.integers(5_000, 90_000, n),
        "quality_score": np.round(rng.uniform(0.7, 1.0, n), 4), "synthetic": False,
    })
    frame["cms_benchmark_minus_expenditure"] = frame["benchmark"] - frame["expenditure"]
    frame["cms_earned_savings_losses"] = settle_frame(frame.assign(euc_share=0.0))["earned"].round()
    return frame


def test_rows_settled_by_the_model_match_exactly_in_both_tiers():
    result = compare(_synthetic_published())
    assert (result["reason"] == EXACT).all() and (result["independent_reason"] == EXACT).all()
    assert (result["outcome_inputs"] == "").all()


def test_a_wrong_published_number_is_unexplained():
    frame = _synthetic_published()
    i = frame.index[frame["cms_earned_savings_losses"] > 0][0]
    frame.loc[i, "cms_earned_savings_losses"] += 50_000
    result = compare(frame)
    assert result.loc[i, "reason"] == UNEXPLAINED and not result.loc[i, "matched"]
    assert result.loc[i, "independent_reason"] == UNEXPLAINED


def test_a_score_rounded_after_settlement_is_bracketed():
    frame = _synthetic_published()
    savers = frame.index[(frame["cms_earned_savings_losses"] > 1e6) & (frame["track"] == "TRACK_1")]
    frame.loc[savers, "quality_score"] += 0.00004  # CMS settled on a score that rounds to the published one
    frame["cms_earned_savings_losses"] = settle_frame(frame)["earned"].round()
    frame.loc[savers, "quality_score"] = frame.loc[savers, "quality_score"].round(4)
    result = compare(frame)
    assert set(result.loc[savers, "reason"]) <= {EXACT, WITHIN_ROUNDING}
    assert (result.loc[savers, "reason"] == WITHIN_ROUNDING).any()


def test_a_forgiven_loss_is_compared_on_the_loss_not_the_zero():
    frame = _synthetic_published()
    losers = frame.index[(frame["cms_earned_savings_losses"] < -1e5) & (frame["track"] == "ENHANCED")]
    assert len(losers) >= 2
    frame.loc[losers, "cms_euc_loss_adjustment"] = frame.loc[losers, "cms_earned_savings_losses"]
    frame.loc[losers, "cms_earned_savings_losses"] = 0.0  # all forgiven, as in PY2020-2022
    wrong = losers[0]
    frame.loc[wrong, "cms_euc_loss_adjustment"] -= 10_000  # a relieved amount the model does not reproduce
    result = compare(frame)
    assert (result.loc[losers, "kind"] == "loss").all()
    assert result.loc[losers[1:], "matched"].all() and result.loc[losers[1:], "independent_matched"].all()
    assert not result.loc[wrong, "matched"] and not result.loc[wrong, "independent_matched"]


def test_a_failed_quality_standard_read_from_the_sharing_rate_is_not_independent():
    frame = _synthetic_published().assign(performance_year=2015, track="TRACK_1")
    frame["cms_earned_savings_losses"] = settle_frame(frame)["earned"].round()
    failed = frame.index[frame["cms_earned_savings_losses"] > 0][0]
    frame["cms_final_sharing_rate"] = 0.5 * frame["quality_score"]
    frame.loc[failed, ["cms_final_sharing_rate", "cms_earned_savings_losses"]] = 0.0
    result = compare(frame)
    row = result.loc[failed]
    assert row["matched"] and not row["independent_matched"]
    assert row["outcome_inputs"] == FAILED_STANDARD and row["independent_reason"] == QUALITY_FAILURE
    assert list(not_independent(result).index) == [failed]
