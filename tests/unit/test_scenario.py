"""What-if scenarios: settlement, payment curve and every-track comparison (aco_model.scenario)."""

from dataclasses import replace

import numpy as np
import pytest

from aco_model import AcoYear, settle
from aco_model.rules import TRACKS
from aco_model.scenario import Scenario, every_track, payment_curve, scenario_from

A1026 = Scenario(2024, "BASIC_E", 600_514_210, 577_772_388, 41_640, 0.7529, quality_standard="met",
                 msr_election=0.015)


def test_scenario_settles_like_cms():
    assert round(A1026.settle().earned) == 11_143_493


def test_benchmark_change_applies_to_the_base():
    lower = replace(A1026, benchmark_change=-0.02)
    assert lower.benchmark == pytest.approx(600_514_210 * 0.98)
    assert lower.settle().earned < A1026.settle().earned


def test_scenario_from_an_aco_year_round_trips():
    aco_year = AcoYear(2024, "ENHANCED", 245_683_884, 248_260_149, 20_000, quality_score=0.7178,
                       met_quality_standard=True, msr_election=0.01, euc_share=0.0045)
    assert scenario_from(aco_year).settle().earned == pytest.approx(settle(aco_year).earned)


@pytest.mark.parametrize(("standard", "rate"), [("met", 0.5), ("alternative", 0.5 * 0.7529),
                                                ("not met", 0.0), ("auto", 0.0)])
def test_quality_standard_choices(standard, rate):
    assert replace(A1026, quality_standard=standard).settle().final_sharing_rate == pytest.approx(rate)


def test_payment_curve_passes_through_the_scenario_and_respects_the_corridor():
    curve = payment_curve(A1026)
    at = curve.iloc[(curve["savings_rate"] - A1026.savings_rate).abs().argmin()]
    assert abs(at["savings_rate"] - A1026.savings_rate) < 0.0005
    inside = curve[(curve["savings_rate"] > -0.015 + 1e-9) & (curve["savings_rate"] < 0.015 - 1e-9)]
    assert (inside["earned"] == 0).all()
    assert curve["earned"].max() <= 0.10 * A1026.benchmark + 1e-6
    assert np.all(np.diff(curve["earned"].to_numpy()) >= -1e-6)  # more savings never pays less


def test_every_track_matches_settling_each_track():
    table = every_track(A1026)
    assert list(table["track"]) == list(TRACKS)
    for _, row in table.iterrows():
        assert row["earned"] == pytest.approx(A1026.with_track(row["track"]).settle().earned)
    one_sided = table[~table["two_sided"]]
    assert one_sided["owes_below"].isna().all()
    two_sided = table[table["two_sided"]]
    assert list(two_sided["owes_below"]) == pytest.approx(list(-two_sided["minimum_loss_rate"]))
    assert list(table["pays_from"]) == pytest.approx(list(table["minimum_savings_rate"]))
    assert bool(table.loc[table["track"] == "TRACK_1", "offered"].item()) is False


def test_implied_participant_revenue_only_where_the_revenue_limit_bound():
    from aco_model.inputs import implied_participant_revenue

    loss = AcoYear(2023, "BASIC_E", 119_995_393, 128_286_290, 10_043, quality_score=0.8268,
                   met_quality_standard=True, msr_election=0.03, euc_share=823_342 / 1_972_407)
    revenue = implied_participant_revenue(loss, -1_149_065, -823_342)
    assert revenue == pytest.approx((1_149_065 + 823_342) / 0.08)
    assert settle(replace(loss, participant_revenue=revenue)).earned == pytest.approx(-1_149_065, abs=1)
    assert implied_participant_revenue(loss, 5_000_000, None) is None  # savings: no loss limit
    assert implied_participant_revenue(replace(loss, track="ENHANCED"), -1_149_065, -823_342) is None
