"""Minimum savings rate table (425.604(b)) and the MSR/MLR elections."""

import numpy as np
import pytest

from aco_model.msr import corridor_rates, parse_election, variable_msr


@pytest.mark.parametrize(
    ("beneficiaries", "published_percent", "places"),
    [
        (34_601, 2.353985133, 9),  # PY2014 A67373, exact to 9 digits
        (640, 11.22, 2),  # PY2023 A3367
        (1_401, 7.96, 2),
        (1_708, 7.39, 2),
        (2_647, 5.65, 2),
        (2_964, 5.06, 2),
        (5_095, 3.87, 2),  # PY2024 A2366
        (9_906, 3.01, 2),  # PY2024 A5328
    ],
)
def test_variable_msr_reproduces_published_values(beneficiaries, published_percent, places):
    percent = round(variable_msr(beneficiaries) * 100, places)
    assert percent == pytest.approx(published_percent, abs=10**-places)


def test_band_ends_use_the_last_value_of_the_band_not_the_next_start():
    assert variable_msr(5_000) == pytest.approx(0.039)
    assert variable_msr(5_999) == pytest.approx(0.036)
    assert variable_msr(49_999) == pytest.approx(0.022)
    assert variable_msr(60_000) == pytest.approx(0.02)
    assert variable_msr(250_000) == pytest.approx(0.02)


def test_variable_msr_never_rises_with_size():
    n = np.arange(500, 70_000)
    assert np.all(np.diff(variable_msr(n)) <= 1e-15)


def test_one_sided_tracks_use_the_table_whatever_was_elected():
    rates = corridor_rates(2024, "BASIC_A", 34_601, 0.0)
    assert rates.minimum_savings_rate == pytest.approx(0.0235398513)
    assert rates.minimum_loss_rate is None


def test_two_sided_election_and_the_under_5000_rule():
    assert corridor_rates(2024, "ENHANCED", 116_175, 0.02).minimum_savings_rate == 0.02
    small = corridor_rates(2024, "ENHANCED", 4_000, 0.0)
    assert small.minimum_savings_rate == pytest.approx(variable_msr(4_000))
    assert "5,000" in small.rule
    # before PY2019 the election held even for small ACOs
    assert corridor_rates(2018, "TRACK_3", 4_000, 0.0).minimum_savings_rate == 0.0


def test_track_2_first_agreements_have_a_fixed_two_percent():
    assert corridor_rates(2014, "TRACK_2", 20_000).minimum_loss_rate == 0.02
    first = corridor_rates(2018, "TRACK_2", 20_000, 0.0, agreement_start_year=2014)
    later = corridor_rates(2018, "TRACK_2", 20_000, 0.0, agreement_start_year=2017)
    assert (first.minimum_savings_rate, later.minimum_savings_rate) == (0.02, 0.0)


@pytest.mark.parametrize(("text", "value"), [("variable", None), ("1.5%", 0.015), (0.02, 0.02), ("0", 0.0)])
def test_parse_election(text, value):
    assert parse_election(text) == value


@pytest.mark.parametrize("bad", ["3%", "0.7", "abc"])
def test_parse_election_rejects_options_cms_does_not_offer(bad):
    with pytest.raises(ValueError):
        parse_election(bad)


def test_the_headcount_lookup_is_the_formula_bit_for_bit():
    from aco_model.msr import _variable_msr_formula

    n = np.concatenate([np.arange(0, 70_001, dtype=float), [34_601.7, 999.999, 1e9]])
    assert np.array_equal(variable_msr(n), _variable_msr_formula(np.floor(n)))
    assert np.isnan(variable_msr(np.array([np.nan, 5_000.0]))[0])  # a NaN headcount is not looked up


@pytest.mark.parametrize("bad", ["nan", "NaN%", "inf", "abc", "", "1.5%%"])
def test_parse_election_names_text_that_is_not_a_number(bad):
    if bad == "":
        assert parse_election(bad) is None  # empty = variable, as before
        return
    with pytest.raises(ValueError, match=r"MSR/MLR election .* is not one of 0%, 0.5%, 1%, 1.5%, 2%"):
        parse_election(bad)


def test_a_float_nan_election_is_the_variable_option():
    assert parse_election(float("nan")) is None
