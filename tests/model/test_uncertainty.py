"""Risk election under uncertainty: calibration, simulation statistics, best election."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aco_model.uncertainty as unc
from aco_model.reconciliation import AcoYear, settle
from aco_model.rules import TRACKS, track_rules
from aco_model.uncertainty import (
    MIN_BAND_SAMPLE,
    Calibration,
    Election,
    best_election,
    calibrate,
    draw_savings_rates,
    elections_for,
    estimate_mean_reversion,
    simulate,
    summarize,
    year_pairs,
)

BASE = AcoYear(
    2024, "BASIC_E", 300e6, 290e6, 25_000, quality_score=0.8, met_quality_standard=True, msr_election=0.02
)
WIDE = Calibration.from_changes(np.random.default_rng(7).normal(0.0, 0.05, 500))


def _deterministic(base: AcoYear, election: Election) -> float:
    return settle(replace(base, track=election.track, msr_election=election.msr_election)).earned


# --- simulation --------------------------------------------------------------------------------


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    elections = [Election("BASIC_A"), Election("ENHANCED", 0.01)]
    a = simulate(BASE, WIDE, 2_000, 11, elections)
    b = simulate(BASE, WIDE, 2_000, 11, elections)
    c = simulate(BASE, WIDE, 2_000, 12, elections)
    assert np.array_equal(a.earned, b.earned)
    assert np.array_equal(a.savings_rate, b.savings_rate)
    pd.testing.assert_frame_equal(summarize(a), summarize(b))
    assert not np.array_equal(a.earned, c.earned)


@pytest.mark.parametrize("calibration", [Calibration.normal(0.0, 0.0), Calibration.from_changes([0.0, 0.0])])
def test_zero_variance_gives_exactly_the_deterministic_settlement(calibration: Calibration) -> None:
    elections = elections_for(2024)
    result = simulate(BASE, calibration, 50, 3, elections)
    for i, election in enumerate(elections):
        expected = _deterministic(BASE, election)
        assert (result.earned[i] == expected).all(), election.label
        assert result.at_current_rate[i] == expected
    assert (result.expenditure == BASE.expenditure).all()


def test_known_change_settles_at_the_shifted_expenditure() -> None:
    # d = -5 points: s = 3.33% - 5% = -1.67%, a loss beyond the 1% MLR for two-sided tracks.
    elections = [Election("BASIC_E", 0.01), Election("BASIC_A")]
    result = simulate(BASE, Calibration.normal(-0.05, 0.0), 5, 0, elections)
    shifted = replace(BASE, expenditure=BASE.expenditure + 0.05 * BASE.benchmark)
    assert result.earned[0, 0] == pytest.approx(_deterministic(shifted, Election("BASIC_E", 0.01)))
    assert result.earned[0, 0] < 0
    assert result.earned[1, 0] == 0.0


def test_percentiles_ordered_and_extremes_bound_them() -> None:
    s = summarize(simulate(BASE, WIDE, 5_000, 5, elections_for(2024)))
    assert (s["worst_case"] <= s["p05_payment"]).all()
    assert (s["p05_payment"] <= s["median_payment"]).all()
    assert (s["median_payment"] <= s["p95_payment"]).all()
    assert (s["p95_payment"] <= s["best_case"]).all()
    assert s["expected_payment"].between(s["worst_case"], s["best_case"]).all()
    assert ((s["prob_any_payment"] + s["prob_owing"]) <= 1.0).all()


def test_one_sided_tracks_never_owe() -> None:
    one_sided = [Election(t) for t, r in TRACKS.items() if not r.two_sided]
    two_sided = [Election(t, 0.0) for t, r in TRACKS.items() if r.two_sided and t != "TRACK_2"]
    s = summarize(simulate(BASE, WIDE, 5_000, 9, one_sided + two_sided), owing_threshold=0.0)
    assert (s.loc[s["track"].map(lambda t: not track_rules(t).two_sided), "prob_owing"] == 0.0).all()
    assert (s.loc[s["track"].map(lambda t: not track_rules(t).two_sided), "worst_case"] >= 0.0).all()
    assert (s.loc[s["track"].map(lambda t: track_rules(t).two_sided), "prob_owing"] > 0.0).all()


def test_one_settle_frame_call_for_every_election(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = unc.settle_frame

    def counting(frame: pd.DataFrame, **kw: object) -> pd.DataFrame:
        calls.append(len(frame))
        return real(frame, **kw)

    monkeypatch.setattr(unc, "settle_frame", counting)
    simulate(BASE, WIDE, 1_000, 1, elections_for(2024))
    assert calls == [1_001 * 26]  # every election's draws stacked, this year's rate as one more in front


def test_normal_method_draws_from_the_band_mean_and_sd() -> None:
    result = simulate(BASE, Calibration.normal(0.01, 0.02), 200_000, 4, [Election("BASIC_A")])
    assert result.method == "normal"
    assert result.savings_rate_change.mean() == pytest.approx(0.01, abs=2e-4)
    assert result.savings_rate_change.std() == pytest.approx(0.02, rel=0.01)


def test_bootstrap_draws_only_observed_changes() -> None:
    cal = Calibration.from_changes([-0.02, 0.0, 0.03])
    result = simulate(BASE, cal, 1_000, 2, [Election("BASIC_A")])
    assert set(np.round(result.savings_rate_change, 10)) == {-0.02, 0.0, 0.03}


def test_election_labels_and_normalization() -> None:
    assert Election("BASIC_A", 0.02).msr_election is None
    assert Election("BASIC_E", "1.5%").msr_election == 0.015
    assert Election("ENHANCED").label == "ENHANCED, variable MSR/MLR"
    assert len(elections_for(2024)) == 2 + 4 * 6
    with pytest.raises(ValueError):
        Election("BASIC_E", 0.03)
    with pytest.raises(ValueError):
        simulate(BASE, WIDE, 0, 1, [Election("BASIC_A")])


def test_frame_for_charts() -> None:
    result = simulate(BASE, WIDE, 100, 1, [Election("BASIC_A"), Election("BASIC_E", 0.02)])
    frame = result.frame(max_draws=10)
    assert len(frame) == 20
    assert list(frame.columns) == ["election", "draw", "savings_rate", "expenditure", "earned"]


# --- best election -----------------------------------------------------------------------------


def test_best_election_respects_the_limit() -> None:
    result = simulate(BASE, WIDE, 20_000, 8, elections_for(2024))
    summary = summarize(result, owing_threshold=1_000_000)
    safe = best_election(summary, 0.0, 1_000_000)
    assert safe is not None
    assert safe["prob_owing_over_threshold"] == 0.0
    assert not track_rules(safe["track"]).two_sided
    loose = best_election(summary, 1.0, 1_000_000)
    assert loose["expected_payment"] == summary["expected_payment"].max()
    assert loose["expected_payment"] >= safe["expected_payment"]
    with pytest.raises(ValueError, match="owing_threshold"):
        best_election(summary, 0.1, 5_000_000)


def test_best_election_none_when_nothing_qualifies() -> None:
    summary = pd.DataFrame(
        {
            "election": ["x"],
            "expected_payment": [1.0],
            "owing_threshold": [0.0],
            "prob_owing_over_threshold": [0.5],
        }
    )
    assert best_election(summary, 0.1, 0.0) is None


# --- calibration -------------------------------------------------------------------------------


def _history() -> pd.DataFrame:
    rows = [
        # id, year, N, B, X
        ("A", 2016, 8_000, 100.0, 98.0),  # 2% -> 2017 3%: +1 point
        ("A", 2017, 8_000, 100.0, 97.0),  # 2017 -> 2018 crosses the id series: not paired
        ("A", 2018, 8_000, 100.0, 90.0),
        ("A", 2020, 8_000, 100.0, 99.0),  # 2019 missing: 2018-2020 not paired
        ("B", 2021, 60_000, 200.0, 198.0),  # 1% -> 2022 1.5%
        ("B", 2022, 60_000, 200.0, 197.0),
        ("C", 2019, 15_000, 50.0, 49.0),  # two 2019 rows (six-month periods) are summed: 2%
        ("C", 2019, 15_000, 50.0, 49.0),
        ("C", 2020, 15_000, 100.0, 96.0),  # 4%: +2 points
        ("D", 2022, 30_000, 0.0, 10.0),  # no benchmark: dropped
        ("D", 2023, 30_000, 100.0, 95.0),
    ]
    return pd.DataFrame(
        rows, columns=["aco_id", "performance_year", "assigned_beneficiaries", "benchmark", "expenditure"]
    )


def test_year_pairs_only_consecutive_years_within_a_series() -> None:
    pairs = year_pairs(_history())
    got = {(r.aco_id, r.performance_year): round(r.change, 10) for r in pairs.itertuples()}
    assert got == {("A", 2016): 0.01, ("B", 2021): 0.005, ("C", 2019): 0.02}


def test_calibrate_bands_sample_sizes_and_pooling() -> None:
    cal = calibrate(_history(), model="random_walk")
    assert cal.pairs == 3
    sizes = {b.band: b.sample_size for b in cal.bands}
    assert sizes == {"<10k": 1, "10-20k": 1, "20-50k": 0, "50k+": 1}
    assert all(b.pooled for b in cal.bands)  # every band below MIN_BAND_SAMPLE borrows the pool
    assert cal.band_for(12_000).mean == pytest.approx((0.01 + 0.005 + 0.02) / 3)
    text = cal.describe()
    assert "bootstrap" in text and "n = 1" in text and "3 pairs" in text
    normal = calibrate(_history(), method="normal", model="random_walk")
    assert normal.describe().count("normal distribution") == 1


def test_calibrate_uses_own_band_when_large_enough() -> None:
    rng = np.random.default_rng(0)
    ids = [f"X{i}" for i in range(MIN_BAND_SAMPLE + 5)]
    h = pd.DataFrame(
        {
            "aco_id": ids * 2,
            "performance_year": [2021] * len(ids) + [2022] * len(ids),
            "assigned_beneficiaries": 12_000,
            "benchmark": 100.0,
            "expenditure": np.concatenate([np.full(len(ids), 97.0), 97.0 - rng.normal(0, 1, len(ids))]),
        }
    )
    cal = calibrate(h, model="random_walk")
    band = cal.band_for(12_000)
    assert not band.pooled and band.sample_size == len(ids)
    assert band.quantiles[0.05] <= band.quantiles[0.5] <= band.quantiles[0.95]
    table = cal.table()
    assert {"band", "sample_size", "mean", "sd", "p05", "p50", "p95"} <= set(table.columns)


def test_calibrate_year_window_and_errors() -> None:
    assert calibrate(_history(), first_year=2019).pairs == 2
    with pytest.raises(ValueError):
        calibrate(_history(), first_year=2030)
    with pytest.raises(KeyError):
        calibrate(_history().drop(columns="benchmark"))


# --- mean reversion: estimation on synthetic frames with a known answer ------------------------


def _synthetic_history(seed: int = 3, acos: int = 600, noise: float = 0.004) -> tuple[pd.DataFrame, dict]:
    """ACO-years whose changes follow the model with known parameters (benchmark $100 for every row).

    d = a_y + delta x r + beta(r) x (s - m_y) + e, with r = 1 for the ACOs whose 2021 row starts a new
    agreement, e ~ N(0, noise).
    """
    truth = {"slope": -0.30, "renewal_slope": -0.70, "renewal_shift": 0.01,
             "year_effects": {2018: 0.004, 2019: 0.015, 2020: -0.005, 2021: 0.006, 2022: 0.002}}
    rng = np.random.default_rng(seed)
    ids = [f"A{i:04d}" for i in range(acos)]
    renews = rng.random(acos) < 0.3  # these start a new agreement in 2021
    s = rng.normal(0.03, 0.05, acos)
    rows = []
    for year in range(2018, 2024):
        start = np.where(renews & (year >= 2021), "2021-01-01", "2016-01-01")
        rows.append(pd.DataFrame({"aco_id": ids, "performance_year": year, "assigned_beneficiaries": 15_000,
                                  "benchmark": 100.0, "expenditure": 100.0 * (1 - s),
                                  "current_start_date": start}))
        if year == 2023:
            break
        r = renews & (year + 1 == 2021)
        m = s.mean()
        slope = np.where(r, truth["renewal_slope"], truth["slope"])
        shift = truth["year_effects"][year] + truth["renewal_shift"] * r
        s = s + shift + slope * (s - m) + rng.normal(0, noise, acos)
    return pd.concat(rows, ignore_index=True), truth


def test_estimation_recovers_known_slopes_and_year_effects() -> None:
    history, truth = _synthetic_history()
    pairs = year_pairs(history)
    renewing = pairs.groupby("performance_year")["new_agreement"].sum()
    assert renewing[2020] > 100 and renewing.drop(2020).sum() == 0  # only the 2020 -> 2021 pairs
    fit = estimate_mean_reversion(pairs)
    assert fit.slope == pytest.approx(truth["slope"], abs=0.01)
    assert fit.renewal_slope == pytest.approx(truth["renewal_slope"], abs=0.02)
    assert fit.renewal_shift == pytest.approx(truth["renewal_shift"], abs=0.002)
    for year, effect in truth["year_effects"].items():
        assert fit.year_effects[year] == pytest.approx(effect, abs=0.001), year
    assert fit.drift == pytest.approx(np.mean(list(truth["year_effects"].values())), abs=0.001)
    assert fit.year_shock_sd == pytest.approx(np.std(list(truth["year_effects"].values()), ddof=1), abs=0.001)
    assert np.std(fit.residuals) == pytest.approx(0.004, rel=0.1)
    cal = calibrate(history)
    assert cal.model == "mean_reversion" and cal.slope == pytest.approx(fit.slope)
    assert dict(cal.year_effects) == pytest.approx(fit.year_effects)
    assert cal.years == (2018, 2019, 2020, 2021, 2022)


def test_a_year_when_everyone_moved_is_a_year_effect_not_mean_reversion() -> None:
    # A random walk plus one common shock in 2019 (every ACO +3 points): the slope within years is 0.
    rng = np.random.default_rng(5)
    acos, years = 400, range(2018, 2023)
    s = rng.normal(0.02, 0.04, acos)
    rows = []
    for year in years:
        rows.append(pd.DataFrame({"aco_id": range(acos), "performance_year": year,
                                  "assigned_beneficiaries": 8_000, "benchmark": 100.0,
                                  "expenditure": 100.0 * (1 - s)}))
        s = s + (0.03 if year == 2019 else 0.0) + rng.normal(0, 0.01, acos)
    fit = estimate_mean_reversion(year_pairs(pd.concat(rows).astype({"aco_id": str})))
    assert abs(fit.slope) < 0.02
    assert fit.year_effects[2019] == pytest.approx(0.03, abs=0.002)
    assert max(abs(v) for y, v in fit.year_effects.items() if y != 2019) < 0.002
    assert fit.renewal_slope == fit.slope and fit.renewal_shift == 0.0  # no start dates: no renewal split


def test_year_shock_is_shared_by_every_aco_of_a_simulated_year() -> None:
    base = Calibration.normal(0.0, 0.0)
    cal = replace(base, model="mean_reversion", year_shock_sd=0.02, program_means=((2023, 0.03),))
    s = np.array([-0.02, 0.0, 0.05, 0.10])
    rates = draw_savings_rates(cal, s, [5_000, 15_000, 30_000, 70_000], 20_000, seed=9, base_year=2023)
    shocks = rates - s[:, None]  # no residual and slope 0: only the shock is left
    assert np.allclose(shocks, shocks[0])  # one draw per column, the same for every ACO
    assert shocks[0].std() == pytest.approx(0.02, rel=0.03)
    # the shocks of a seed do not depend on how many ACOs are drawn with it
    alone = draw_savings_rates(cal, s[:1], [5_000], 20_000, seed=9, base_year=2023)
    assert np.array_equal(alone[0], rates[0])


def test_mean_reversion_pulls_a_loss_year_back_towards_the_program_mean() -> None:
    history, _ = _synthetic_history(noise=0.01)
    mr, rw = calibrate(history), calibrate(history, model="random_walk")
    low = mr.expected_change(-0.02, base_year=2023)
    high = mr.expected_change(0.10, base_year=2023)
    assert low > 0.01 > -0.005 > high
    assert mr.expected_change(0.10, base_year=2023, new_agreement=True) < high  # rebasing takes back more
    assert rw.expected_change(-0.02) == 0.0 == rw.expected_change(0.10)
    a = draw_savings_rates(mr, [-0.02, 0.10], [15_000, 15_000], 5_000, seed=1, base_year=2023)
    assert a[0].mean() > -0.02 + 0.01 and a[1].mean() < 0.10 - 0.005
    text = mr.describe()
    assert "Mean reversion" in text and "year-wide shock" in text and "new agreement" in text


# --- calibration on CMS's files (skipped without them) ----------------------------------------


def _money(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.replace(r"[$,%\s]", "", regex=True)
    return pd.to_numeric(text.mask(text.isin(["-", "*", "N/A", "/", ""])), errors="coerce")


def _cms_history(cms_dir: Path) -> pd.DataFrame:
    """aco_year-like rows read straight from the PUFs (2015-2017 standardized files carry no id)."""
    frames = []
    for year in range(2013, 2025):
        path = next(cms_dir.glob(f"mssp_*_py{year}.csv"))
        d = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        if year == 2013:  # values shifted one column right of their headers (MANIFEST.md)
            f = pd.DataFrame(
                {
                    "aco_id": d["ACO Identifier"],
                    "benchmark": _money(d["Total benchmark expenditures ($)"]),
                    "expenditure": _money(d["Total savings/losses ($)"]),
                    "assigned_beneficiaries": _money(d["Total assigned beneficiary person years"]),
                }
            )
        else:
            cols = {c.lower(): c for c in d.columns}
            ident = "ACO_Num" if year == 2014 else cols["aco_id"]
            f = pd.DataFrame(
                {
                    "aco_id": d[ident],
                    "benchmark": _money(d[cols["abtotbnchmk"]]),
                    "expenditure": _money(d[cols["abtotexp"]]),
                    "assigned_beneficiaries": _money(d[cols["n_ab"]]),
                }
            )
        f["performance_year"] = year
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def test_calibration_on_cms_history(cms_dir: Path) -> None:
    cal = calibrate(_cms_history(cms_dir), model="random_walk")
    # 2013->2014 and 2018->...->2024 pairs (2015-2017 files have no ACO id): 2,797 pairs.
    assert cal.pairs == 2_797
    assert cal.years == (2013, 2018, 2019, 2020, 2021, 2022, 2023)
    sizes = {b.band: b.sample_size for b in cal.bands}
    assert sizes == {"<10k": 933, "10-20k": 942, "20-50k": 694, "50k+": 228}
    assert not any(b.pooled for b in cal.bands)
    sds = [b.sd for b in cal.bands]
    assert sds == sorted(sds, reverse=True)  # larger ACOs: steadier savings rates
    assert 0.0 < cal.band_for(5_000).mean < 0.01


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    savings_rate=st.floats(-0.15, 0.25),
    beneficiaries=st.integers(1_000, 120_000),
    mean=st.floats(-0.03, 0.03),
    sd=st.floats(0.0, 0.08),
    seed=st.integers(0, 2**32 - 1),
)
def test_summary_invariants(
    savings_rate: float, beneficiaries: int, mean: float, sd: float, seed: int
) -> None:
    base = AcoYear(
        2024,
        "BASIC_A",
        200e6,
        200e6 * (1 - savings_rate),
        beneficiaries,
        quality_score=0.8,
        met_quality_standard=True,
    )
    elections = [Election("BASIC_A"), Election("BASIC_E", 0.0), Election("ENHANCED")]
    s = summarize(simulate(base, Calibration.normal(mean, sd), 500, seed, elections))
    assert (s["worst_case"] <= s["p05_payment"] + 1e-6).all()
    assert (s["p05_payment"] <= s["median_payment"] + 1e-6).all()
    assert (s["median_payment"] <= s["p95_payment"] + 1e-6).all()
    assert s.loc[0, "prob_owing"] == 0.0 and s.loc[0, "worst_case"] >= 0.0
    assert (s["best_case"] <= 0.2 * 200e6 + 1e-6).all()  # no track pays beyond its 10% / 20% limit


def test_doctests() -> None:
    import doctest

    import aco_model.backtest

    for module in (unc, aco_model.backtest):
        failures, tried = doctest.testmod(module)
        assert tried > 0 and failures == 0, module.__name__


# --- which elections an ACO may make next year ------------------------------------------------------


def _status(current: Election | None, election: Election, year: int = 2025, renew: bool = False) -> str:
    return unc.election_options(current, year, [election], new_agreement=renew)["may_elect"].iloc[0]


def test_basic_level_e_cannot_go_back_and_keeps_its_msr() -> None:
    now = Election("BASIC_E", 0.02)
    assert _status(now, Election("BASIC_A")) == unc.MAY_NOT
    assert _status(now, Election("BASIC_B")) == unc.MAY_NOT
    assert _status(now, Election("BASIC_D", 0.02)) == unc.MAY_NOT
    assert _status(now, Election("BASIC_E", 0.02)) == unc.MAY
    assert _status(now, Election("BASIC_E", 0.01)) == unc.MAY_NOT  # the agreement's MSR/MLR holds
    assert _status(now, Election("ENHANCED", 0.02)) == unc.UNCERTAIN  # only by early renewal [recall]
    why = unc.election_options(now, 2025, [Election("BASIC_A")])["why"].iloc[0]
    assert "425.600(a)(4)" in why and "[recall]" in why


def test_glide_path_advances_and_one_sided_levels_may_choose_an_msr() -> None:
    now = Election("BASIC_B")
    assert _status(now, Election("BASIC_C", 0.0)) == unc.MAY  # automatic advance, MSR/MLR elected now
    assert _status(now, Election("BASIC_E")) == unc.MAY  # faster advance
    assert _status(now, Election("BASIC_A")) == unc.MAY_NOT
    assert _status(now, Election("BASIC_B"), 2025) == unc.UNCERTAIN  # may stay one-sided from 2024 [recall]
    assert _status(now, Election("BASIC_B"), 2022) == unc.MAY_NOT
    assert _status(now, Election("BASIC_B"), 2021) == unc.UNCERTAIN  # the COVID-19 freeze
    assert _status(Election("ENHANCED", 0.01), Election("BASIC_E", 0.01)) == unc.MAY_NOT
    assert _status(Election("ENHANCED", 0.01), Election("BASIC_E", 0.01), renew=True) == unc.UNCERTAIN
    assert _status(Election("ENHANCED", 0.01), Election("ENHANCED", 0.02), renew=True) == unc.MAY
    assert _status(None, Election("BASIC_C", 0.0)) == unc.UNCERTAIN
    assert _status(Election("BASIC_E", 0.02), Election("TRACK_1")) == unc.MAY_NOT  # not offered in 2025


def test_agreement_last_year() -> None:
    assert unc.agreement_last_year(2019, 7) == 2024
    assert unc.agreement_last_year(2020) == 2024
    assert unc.agreement_last_year(2024) == 2028
    assert unc.agreement_last_year(2013) == 2015
    assert unc.agreement_last_year(2012, 7) == 2015
