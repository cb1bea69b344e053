"""What the what-if's comparisons read: the keys pages/what_if.py keeps them by (ui.page_cache.memo).

The page keeps every_track by the scenario without its track, payment_curve without its expenditure,
quality_curve without its quality score, and none by the ACO's id: each must give the very same frame
whatever those fields hold. And the comparisons, settled from arrays built from the scenario directly,
are the frames that settling a DataFrame of the scenario's rows (settle_frame) gave.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aco_model.quality_routes import auto_standard_array, floored_score
from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS, is_offered, year_rules
from aco_model.scenario import (
    CURVE_RATES,
    QUALITY_SCORES,
    QUALITY_STANDARDS,
    TEMPLATE,
    Scenario,
    every_track,
    payment_curve,
    quality_curve,
)
from aco_model.vectorized import settle_frame

scenarios = st.builds(
    lambda year, track, q, msr, qs, rev, bench, rate, n, reporting, low, start, euc: replace(
        TEMPLATE, performance_year=year, track=track, quality_score=q, msr_election=msr,
        quality_standard=qs, participant_revenue=rev, base_benchmark=bench, expenditure=bench * (1 - rate),
        assigned_beneficiaries=n, pay_for_reporting=reporting, low_revenue=low,
        agreement_start_year=start, euc_share=euc),
    st.integers(FIRST_YEAR, LAST_YEAR), st.sampled_from(list(TRACKS)), st.floats(0, 1),
    st.sampled_from([None, 0.0, 0.01, 0.02]), st.sampled_from(QUALITY_STANDARDS),
    st.sampled_from([None, 5e7]), st.floats(1e7, 1e9), st.floats(-0.1, 0.1),
    st.sampled_from([3_000, 6_000, 20_000, 70_000]), st.booleans(), st.booleans(),
    st.sampled_from([None, 2012]), st.sampled_from([None, 0.0, 0.5]),
)
A1026 = Scenario(2024, "BASIC_E", 600_514_210, 577_772_388, 41_640, 0.7529, quality_standard="met",
                 msr_election=0.015, aco_id="A1026")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@settings(max_examples=25)
@given(scenarios, st.sampled_from(list(TRACKS)), st.floats(0, 1), st.floats(1e6, 1e9))
@example(A1026, "ENHANCED", 0.3, 5e8)
def test_each_comparison_ignores_what_its_key_leaves_out(scenario, track, score, expenditure):
    _same(every_track(scenario), every_track(replace(scenario, track=track, aco_id=None)))
    _same(payment_curve(scenario), payment_curve(replace(scenario, expenditure=expenditure, aco_id="X")))
    _same(quality_curve(scenario), quality_curve(replace(scenario, quality_score=score, aco_id=None)))


def _frame_grid(scenario: Scenario, tracks: list[str], rates: np.ndarray) -> pd.DataFrame:
    """The grid as settle_frame was given it before: one dict per track and savings rate."""
    base = scenario.aco_year().to_frame().iloc[0].to_dict()
    frame = pd.DataFrame([dict(base, track=t) for t in tracks for _ in rates])
    frame["savings_rate_input"] = np.tile(rates, len(tracks))
    frame["expenditure"] = frame["benchmark"] * (1.0 - frame["savings_rate_input"])
    return frame


def _payment_curve_by_frame(scenario: Scenario) -> pd.DataFrame:
    """payment_curve as it was computed before, through a DataFrame and settle_frame."""
    grid = _frame_grid(scenario, [scenario.track], CURVE_RATES)
    out = settle_frame(grid)
    return pd.DataFrame({"savings_rate": grid["savings_rate_input"], "earned": out["earned"],
                         "outcome": out["outcome"]})


def _every_track_by_frame(scenario: Scenario) -> pd.DataFrame:
    """every_track as it was computed before, through DataFrames and settle_frame."""
    tracks, rates = list(TRACKS), CURVE_RATES
    now = settle_frame(_frame_grid(scenario, tracks, rates[:1]).drop(columns="savings_rate_input")
                       .assign(expenditure=scenario.expenditure))
    earned = settle_frame(_frame_grid(scenario, tracks, rates))["earned"].to_numpy().reshape(len(tracks), -1)
    msr, mlr = now["minimum_savings_rate"].to_numpy(), now["minimum_loss_rate"].to_numpy()
    lowest_paid = np.where(earned > 0, rates[None, :], np.inf).min(axis=1)
    pays = np.where(np.isinf(lowest_paid), np.inf, np.where(lowest_paid < msr - 1e-9, lowest_paid, msr))
    owes = np.where((earned < 0).any(axis=1), -mlr, -np.inf)
    return pd.DataFrame({
        "track": tracks, "label": [TRACKS[t].label for t in tracks],
        "offered": [is_offered(t, scenario.performance_year) for t in tracks],
        "two_sided": [TRACKS[t].two_sided for t in tracks],
        **{c: now[c].to_numpy() for c in ("earned", "final_sharing_rate", "final_loss_rate",
                                          "minimum_savings_rate", "minimum_loss_rate")},
        "pays_from": np.where(np.isinf(pays), np.nan, pays),
        "owes_below": np.where(np.isinf(owes), np.nan, owes),
    })


def _quality_curve_by_frame(scenario: Scenario) -> pd.DataFrame:
    """quality_curve as it was computed before, through a DataFrame of the scenario's row repeated."""
    scores = QUALITY_SCORES
    one = scenario.aco_year().to_frame()
    frame = one.loc[one.index.repeat(len(scores))].reset_index(drop=True)
    if scenario.quality_standard == "auto":
        met, alternative = auto_standard_array(scenario.performance_year, scores, scenario.quality_route,
                                               scenario.quality_route_score)
        floored = np.maximum(scores, floored_score(scenario.performance_year, 0.0, scenario.quality_route))
    else:
        forced, alt = scenario.standard_met()
        met = np.full(len(scores), forced) if forced is not None else None
        alternative, floored = np.full(len(scores), alt), scores
    frame["quality_score"] = floored
    frame["met_quality_standard"] = np.nan if met is None else met.astype(float)
    frame["met_alternative_quality_standard"] = alternative.astype(float)
    out = pd.DataFrame({"quality_score": scores, "earned": settle_frame(frame, columns=["earned"])["earned"],
                        "met": np.nan if met is None else met, "alternative": alternative})
    if year_rules(scenario.performance_year).quality_era == "qps_alternative":
        frame["met_quality_standard"], frame["met_alternative_quality_standard"] = 0.0, 1.0
        out["alternative_earned"] = settle_frame(frame, columns=["earned"])["earned"].to_numpy()
    else:
        out["alternative_earned"] = np.nan
    return out


@settings(max_examples=40)
@given(scenarios)
@example(A1026)
@example(replace(TEMPLATE, performance_year=2019, quality_standard="auto"))
@example(replace(A1026, quality_standard="auto", quality_route="reporting incentive",
                 quality_route_score=0.3))
def test_the_comparisons_are_those_settle_frame_gave(scenario):
    """The comparisons settle arrays built from the scenario directly (no DataFrame on the way in): the
    very frames that building a DataFrame of the scenario's rows and settle_frame gave, bit for bit."""
    _same(payment_curve(scenario), _payment_curve_by_frame(scenario))
    _same(every_track(scenario), _every_track_by_frame(scenario))
    _same(quality_curve(scenario), _quality_curve_by_frame(scenario))


@settings(max_examples=25)
@given(scenarios)
@example(A1026)
def test_every_track_settles_each_track_as_its_own_scenario(scenario):
    """every_track's settlement at the scenario's numbers: each track's own scenario, settled one by one."""
    from aco_model import settle

    tracks = list(TRACKS)
    shown = every_track(scenario)
    one_by_one = [settle(scenario.with_track(t).aco_year()) for t in tracks]
    assert shown["earned"].tolist() == [r.earned for r in one_by_one]
    assert shown["minimum_savings_rate"].tolist() == [r.minimum_savings_rate for r in one_by_one]
    frames = pd.concat([scenario.with_track(t).aco_year().to_frame() for t in tracks], ignore_index=True)
    from aco_model.vectorized import settle_frame

    before = settle_frame(frames)
    for column in ("earned", "final_sharing_rate", "final_loss_rate", "minimum_savings_rate",
                   "minimum_loss_rate"):
        np.testing.assert_array_equal(shown[column].to_numpy(), before[column].to_numpy())
