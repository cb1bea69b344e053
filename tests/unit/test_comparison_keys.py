"""What the what-if's comparisons read: the keys pages/what_if.py keeps them by (ui.page_cache.memo).

The page keeps every_track by the scenario without its track, payment_curve without its expenditure,
quality_curve without its quality score, and none by the ACO's id: each must give the very same frame
whatever those fields hold. Also the payment grid (aco_model.scenario._grid) built by repeating one row
gives the frames the dict-by-dict grid gave.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS
from aco_model.scenario import (
    CURVE_RATES,
    QUALITY_STANDARDS,
    TEMPLATE,
    Scenario,
    every_track,
    payment_curve,
    quality_curve,
)

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


def _grid_by_dicts(scenario: Scenario, tracks: list[str], rates: np.ndarray) -> pd.DataFrame:
    """The grid as it was built before: one dict per track and savings rate."""
    base = scenario.aco_year().to_frame().iloc[0].to_dict()
    frame = pd.DataFrame([dict(base, track=t) for t in tracks for _ in rates])
    frame["savings_rate_input"] = np.tile(rates, len(tracks))
    frame["expenditure"] = frame["benchmark"] * (1.0 - frame["savings_rate_input"])
    return frame


@settings(max_examples=25)
@given(scenarios)
@example(A1026)
@example(replace(TEMPLATE, performance_year=2019, quality_standard="auto"))
def test_the_repeated_row_grid_is_the_dict_grid(scenario):
    from aco_model import scenario as module

    tracks = list(TRACKS)
    built = module._grid(scenario, tracks, CURVE_RATES)
    before = _grid_by_dicts(scenario, tracks, CURVE_RATES)
    _same(built, before[built.columns])


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
