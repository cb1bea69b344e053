"""What-if scenarios: settlement, payment curve and every-track comparison (aco_model.scenario)."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from aco_model import AcoYear, settle
from aco_model.rules import TRACKS
from aco_model.scenario import (
    ELECTION_OPTIONS,
    QUALITY_STANDARDS,
    TEMPLATE,
    Scenario,
    every_track,
    payment_curve,
    scenario_from,
)

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
                   met_quality_standard=True, msr_election=None, euc_share=823_342 / 1_972_407)
    revenue = implied_participant_revenue(loss, -1_149_065, -823_342)
    assert revenue == pytest.approx((1_149_065 + 823_342) / 0.08)
    assert settle(replace(loss, participant_revenue=revenue)).earned == pytest.approx(-1_149_065, abs=1)
    assert implied_participant_revenue(loss, 5_000_000, None) is None  # savings: no loss limit
    assert implied_participant_revenue(replace(loss, track="ENHANCED"), -1_149_065, -823_342) is None


# --- the scenario in a link ---------------------------------------------------------------------------
A1026_LINKED = replace(A1026, aco_id="A1026", benchmark_change=-0.01, participant_revenue=2.5e9)


def test_link_round_trips_and_settles_the_same():
    params = A1026_LINKED.to_query_params()
    assert params == {"src": "aco", "aco": "A1026", "year": "2024", "track": "BASIC Level E", "msr": "1.5",
                      "qs": "met", "q": "75.29", "bench": "600514210", "bench_pct": "-1", "exp": "577772388",
                      "n": "41640", "rev": "2500000000"}
    again, warnings = Scenario.from_query_params(params)
    assert warnings == []
    assert again == A1026_LINKED
    assert again.settle() == A1026_LINKED.settle()


@example(track="TRACK_1", year=2013, msr="variable", standard="auto", q=0.010444978917872839,
         bench=880028641.0, change=10.0, exp=0.0, n=100)  # issue 11: the link rounded the quality score
@example(track="ENHANCED", year=2024, msr="2", standard="met", q=100 * (0.1 + 0.2), bench=1e11,
         change=-9.99999999999999, exp=123456789.123456789, n=2_000_000)
@given(
    track=st.sampled_from(list(TRACKS)),
    year=st.integers(2013, 2026),
    msr=st.sampled_from(ELECTION_OPTIONS),
    standard=st.sampled_from(QUALITY_STANDARDS),
    q=st.floats(0, 100),
    bench=st.floats(1e6, 1e11),
    change=st.floats(-10, 10),
    exp=st.floats(0, 1e11),
    n=st.integers(100, 2_000_000),
)
def test_any_valid_scenario_reopens_to_the_same_settlement(track, year, msr, standard, q, bench, change, exp,
                                                           n):
    scenario = replace(TEMPLATE, track=track, performance_year=year, quality_standard=standard,
                       msr_election=None if msr == "variable" else float(msr) / 100, quality_score=q / 100,
                       base_benchmark=bench, benchmark_change=change / 100, expenditure=exp,
                       assigned_beneficiaries=n)
    again, warnings = Scenario.from_query_params(scenario.to_query_params())
    assert warnings == []
    assert again == scenario  # every input exactly, so the very same settlement, to the cent and beyond
    assert again.settle() == scenario.settle()


@pytest.mark.parametrize("fraction", [0.7529, 0.00010444978917872839, 0.1 + 0.2, 1 / 3, 0.92171234567, 1.0,
                                      0.0])
def test_percentages_in_a_link_read_back_as_the_same_fraction(fraction):
    from aco_model.scenario import percent_fraction, percent_text

    assert percent_fraction(percent_text(fraction)) == fraction
    assert percent_fraction(percent_text(-fraction)) == -fraction


def test_missing_values_come_from_the_base():
    scenario, warnings = Scenario.from_query_params({"q": "60"}, base=A1026_LINKED)
    assert warnings == []
    assert scenario == replace(A1026_LINKED, quality_score=0.60)


@pytest.mark.parametrize(("text", "code"), [
    ("ENHANCED", "ENHANCED"), ("enhanced", "ENHANCED"), ("BASIC Level E", "BASIC_E"), ("basic_c", "BASIC_C"),
    ("Level A", "BASIC_A"), ("E", "BASIC_E"), ("Track 1+", "TRACK_1_PLUS"), ("T2", "TRACK_2"),
])
def test_tracks_by_code_label_or_short_name(text, code):
    scenario, warnings = Scenario.from_query_params({"track": text})
    assert (scenario.track, warnings) == (code, [])


def test_hand_written_money_and_percentages():
    scenario, warnings = Scenario.from_query_params(
        {"bench": "$600.5M", "exp": "577,772,388", "msr": "1.5%", "q": "75%", "qs": "NOT_MET",
         "n": ["10", "41640"]})
    assert warnings == []
    assert scenario.base_benchmark == 600_500_000
    assert scenario.expenditure == 577_772_388
    assert scenario.msr_election == 0.015 and scenario.quality_score == 0.75
    assert scenario.quality_standard == "not met" and scenario.assigned_beneficiaries == 41_640


def test_garbage_falls_back_with_one_message_each():
    garbage = {"src": "moon", "aco": "<script>", "year": "1999", "track": "GOLD", "msr": "7", "qs": "maybe",
               "q": "500", "bench": "-3", "bench_pct": "NaN", "exp": "inf", "n": "12.5", "rev": "lots"}
    scenario, warnings = Scenario.from_query_params(garbage, base=A1026_LINKED)
    assert len(warnings) == len(garbage)
    for key, value in garbage.items():
        assert any(f"“{key}={value}”" in w for w in warnings), key
    assert scenario == A1026_LINKED
    assert "using 75.29" in " ".join(warnings) and "using $600,514,210" in " ".join(warnings)


def test_template_link_has_no_aco():
    scenario, warnings = Scenario.from_query_params({"src": "template", "aco": "A1026"}, base=A1026_LINKED)
    assert scenario.aco_id is None and warnings == []
    assert "aco" not in scenario.to_query_params()
