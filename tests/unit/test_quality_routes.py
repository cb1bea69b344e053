"""The quality standard under "auto": the threshold or the route CMS published (aco_model.quality_routes)."""

import doctest
from dataclasses import replace

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aco_model import quality_routes
from aco_model.quality_routes import auto_standard, published_route, route_sentence
from aco_model.scenario import Scenario, quality_curve, scenario_from_row

ROUTES = (None, "EUC floor", "first year", "reporting incentive", "alternative standard")
# PY2024 A1026 as the database holds it (BASIC Level E, met through the reporting incentive at 75.29).
A1026_ROW = {
    "performance_year": 2024, "aco_id": "A1026", "track": "BASIC_E", "benchmark": 600_514_210.0,
    "expenditure": 577_772_388.0, "cms_benchmark_minus_expenditure": 22_741_822.0,
    "assigned_beneficiaries": 41_640, "quality_score": 0.7529, "met_quality_standard": True,
    "met_alternative_quality_standard": None, "met_quality_incentive": True, "met_quality_first_year": False,
    "euc_affected_quality": False, "cms_minimum_savings_rate": 0.015, "cms_final_sharing_rate": 0.5,
    "cms_earned_savings_losses": 11_143_493.0, "cms_euc_loss_adjustment": None,
}


def test_doctests():
    assert doctest.testmod(quality_routes).failed == 0


def test_a1026_opens_on_auto_reproduces_cms_and_drops_below_its_score():
    s = scenario_from_row(A1026_ROW)
    assert s.quality_standard == "auto"
    assert (s.quality_route, s.quality_route_score) == ("reporting incentive", 0.7529)
    assert round(s.settle().earned) == 11_143_493
    assert replace(s, quality_score=0.7600).settle().earned == s.settle().earned  # higher keeps it
    assert replace(s, quality_score=0.6616).settle().earned == 0  # lower: the 77.05 threshold decides
    sentence = route_sentence("A1026", 2024, s.quality_route, s.quality_route_score)
    assert "reporting incentive at 75.29, below the 77.05 threshold" in sentence


def test_routes_read_from_the_flags():
    assert published_route(A1026_ROW) == "reporting incentive"
    assert published_route(A1026_ROW | {"euc_affected_quality": True}) == "EUC floor"
    assert published_route(A1026_ROW | {"met_quality_first_year": True}) == "first year"
    alternative = A1026_ROW | {"met_quality_standard": False, "met_alternative_quality_standard": True,
                               "met_quality_incentive": False}
    assert published_route(alternative) == "alternative standard"
    assert published_route(A1026_ROW | {"performance_year": 2019}) is None  # no threshold before PY2021


def test_euc_floor_holds_at_any_score_and_the_threshold_marks_the_step():
    assert auto_standard(2024, 0.10, "EUC floor", 0.7705) == (True, False)
    assert auto_standard(2023, 0.6576, None, None) == (True, False)  # PY2023 threshold 65.76
    assert auto_standard(2023, 0.6575, None, None) == (False, False)


@settings(max_examples=60, deadline=None)
@given(year=st.sampled_from([2021, 2022, 2023, 2024]), route=st.sampled_from(ROUTES),
       track=st.sampled_from(["BASIC_E", "ENHANCED", "BASIC_A"]), published=st.floats(0.3, 0.95),
       savings=st.floats(-0.08, 0.08))
@example(year=2024, route="reporting incentive", track="BASIC_E", published=0.7529, savings=0.0379)
def test_auto_never_pays_less_for_a_higher_score(year, route, track, published, savings):
    s = Scenario(year, track, 300e6, 300e6 * (1 - savings), 30_000, published, msr_election=0.01,
                 quality_route=route, quality_route_score=published if route else None)
    earned = quality_curve(s)["earned"].to_numpy()
    assert np.all(np.diff(earned) >= -1e-6)
