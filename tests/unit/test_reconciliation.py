"""Worked examples of the methodology (section 8), each a CMS-published ACO-year."""

import math

import numpy as np
import pandas as pd
import pytest

from aco_model import AcoYear, settle, settle_frame
from aco_model.rules import MSR_ELECTIONS, TRACKS, RuleError
from aco_model.vectorized import OUTCOMES


def test_track_1_py2014_a67373():
    r = settle(AcoYear(2014, "TRACK_1", 450_902_466, 418_729_017, 34_601, quality_score=0.916964286))
    assert r.minimum_savings_rate == pytest.approx(0.02353985133, abs=1e-11)
    assert r.savings_rate == pytest.approx(0.07135346, abs=1e-8)
    assert r.final_sharing_rate == pytest.approx(0.458482143)
    assert r.shared_savings_before_limit == pytest.approx(14_750_951.85, abs=0.01)
    assert r.payment_limit == pytest.approx(45_090_246.60, abs=0.01)
    assert round(r.earned) == 14_455_933


def test_track_2_py2014_a85439_fixed_msr():
    b = 108_470_000.0  # any benchmark giving G = 13,767,494 above 2%
    r = settle(AcoYear(2014, "TRACK_2", b, b - 13_767_494, 20_000, quality_score=0.930022321))
    assert r.minimum_savings_rate == 0.02
    assert r.final_sharing_rate == pytest.approx(0.558013393)
    assert round(r.earned) == 7_528_797


def test_track_3_loss_floor_and_euc_py2018_a3365():
    # G = -3,340,681 is -2.57% of the benchmark; r_s 0.7416 -> 1 - r_s = 0.2584 -> floor 0.40.
    b = 3_340_681 / 0.0257
    r = settle(AcoYear(2018, "TRACK_3", b, b + 3_340_681, 20_000, quality_score=0.9888, msr_election=0.02,
                       euc_share=136_037 / 1_336_272.4))
    assert r.final_loss_rate == pytest.approx(0.40)
    assert r.shared_loss_before_limit == pytest.approx(1_336_272.4)
    assert abs(r.earned - -1_200_236) <= 1  # CMS rounds the EUC adjustment separately


def test_track_3_failed_quality_owes_75_percent():
    b = 100_000_000.0
    r = settle(AcoYear(2018, "TRACK_3", b, b + 2_828_054, 20_000, quality_score=0.0, msr_election=0.02,
                       met_quality_standard=False, euc_share=2_797 / 2_121_040.5))
    assert r.final_sharing_rate == 0 and r.final_loss_rate == 0.75
    assert round(r.earned) == -2_118_244


def test_basic_e_savings_py2024_a1026():
    r = settle(AcoYear(2024, "BASIC_E", 600_514_210, 577_772_388, 41_640, quality_score=0.7529,
                       met_quality_standard=True, msr_election=0.015))
    assert r.final_sharing_rate == 0.5
    assert round(r.earned) == 11_143_493


def test_basic_e_loss_py2024_a2308_and_revenue_limit():
    r = settle(AcoYear(2024, "BASIC_E", 163_350_765, 168_705_941, 20_000, quality_score=0.8,
                       msr_election=0.01, euc_share=1_893 / 1_606_552.8))
    assert r.final_loss_rate == 0.30
    assert r.loss_limit == pytest.approx(0.04 * 163_350_765)
    assert round(r.earned) == -1_604_660


@pytest.mark.parametrize(("revenue", "owed"), [(20_000_000, 1_600_000), (60_000_000, 1_800_000)])
def test_synthetic_level_e_loss_limit(revenue, owed):
    r = settle(AcoYear(2024, "BASIC_E", 100_000_000, 106_000_000, 20_000, quality_score=0.9,
                       msr_election=0.02, participant_revenue=revenue, euc_share=0.0))
    assert r.shared_loss_before_limit == pytest.approx(1_800_000)
    assert r.loss_limit == pytest.approx(min(0.08 * revenue, 4_000_000))
    assert r.earned == pytest.approx(-owed)
    assert r.loss_limit_binding == (revenue == 20_000_000)


def test_alternative_quality_standard_py2024_a2366():
    g = 10_807_317
    b = g / 0.1237
    r = settle(AcoYear(2024, "BASIC_E", b, b - g, 5_095, quality_score=0.7663, met_quality_standard=False,
                       met_alternative_quality_standard=True, msr_election=None))
    assert r.minimum_savings_rate == pytest.approx(0.0387, abs=5e-5)
    assert r.final_sharing_rate == pytest.approx(0.38315)
    assert round(r.earned) == 4_058_007


def test_enhanced_savings_py2024_a1001():
    r = settle(AcoYear(2024, "ENHANCED", 1_650_927_172, 1_504_130_805, 116_175, quality_score=0.7705,
                       met_quality_standard=True, msr_election=0.02))
    assert r.final_sharing_rate == 0.75
    assert r.final_loss_rate == pytest.approx(0.4221, abs=5e-5)
    assert round(r.earned) == 107_895_330


def test_enhanced_loss_py2024_a5407():
    r = settle(AcoYear(2024, "ENHANCED", 245_683_884, 248_260_149, 20_000, quality_score=0.7178,
                       met_quality_standard=True, msr_election=0.01, euc_share=5_398 / 1_189_332))
    assert r.final_loss_rate == pytest.approx(0.46165)
    assert r.loss_limit == pytest.approx(0.15 * 245_683_884)
    assert abs(r.earned - -1_183_935) <= 1


def test_low_revenue_half_rate_py2024_a5328():
    g = 32_084
    b = g / 0.0003
    r = settle(AcoYear(2024, "BASIC_A", b, b - g, 9_906, quality_score=0.8, met_quality_standard=True,
                       low_revenue=True, agreement_start_year=2024))
    assert r.outcome == "reduced sharing"
    assert r.final_sharing_rate == pytest.approx(0.20)
    assert round(r.earned) == 6_288


def test_payment_limit_applies_after_sequestration():
    b = 100_000_000.0
    r = settle(AcoYear(2018, "TRACK_1", b, b * 0.70, 20_000, quality_score=1.0))
    assert r.earned == pytest.approx(0.10 * b)
    assert sum(s.amount for s in r.steps()) == pytest.approx(r.earned)


def test_inside_corridor_pays_nothing_and_the_waterfall_adds_up():
    b = 100_000_000.0
    r = settle(AcoYear(2024, "BASIC_A", b, b * 0.99, 20_000, quality_score=0.9, met_quality_standard=True))
    assert r.outcome == "inside corridor" and r.earned == 0
    assert sum(s.amount for s in r.steps()) == pytest.approx(0.0)


def test_covid_years_forgive_losses():
    b = 100_000_000.0
    r = settle(AcoYear(2021, "ENHANCED", b, b * 1.05, 20_000, quality_score=0.9, msr_election=0.02))
    assert r.shared_loss == pytest.approx(0.05 * b * r.final_loss_rate)
    assert r.earned == pytest.approx(0.0)


def test_six_month_proration():
    b = 100_000_000.0
    full = settle(AcoYear(2019, "BASIC_A", b, b * 0.95, 20_000, quality_score=0.9))
    half = settle(AcoYear(2019, "BASIC_A", b, b * 0.95, 20_000, quality_score=0.9, proration=0.5))
    assert half.earned == pytest.approx(full.earned / 2)
    assert sum(s.amount for s in half.steps()) == pytest.approx(half.earned)


def test_vectorized_matches_scalar_row_by_row():
    rows = [
        AcoYear(2014, "TRACK_1", 450_902_466, 418_729_017, 34_601, quality_score=0.916964286),
        AcoYear(2024, "ENHANCED", 245_683_884, 248_260_149, 20_000, quality_score=0.7178,
                met_quality_standard=True, msr_election=0.01, euc_share=0.0045),
        AcoYear(2016, "TRACK_2", 80_000_000, 84_000_000, 12_000, quality_score=0.8, msr_election=0.01,
                agreement_start_year=2016),
    ]
    frame = pd.concat([r.to_frame() for r in rows], ignore_index=True)
    out = settle_frame(frame)
    for i, row in enumerate(rows):
        assert out.loc[i, "earned"] == pytest.approx(settle(row).earned)


def test_track_2_loss_limit_rises_with_year_in_track():
    b = 100_000_000.0
    limits = [settle(AcoYear(2016, "TRACK_2", b, b * 1.2, 20_000, quality_score=0.8, msr_election=0.02,
                             track_2_year=y)).loss_limit for y in (1, 2, 3, 4)]
    assert limits == pytest.approx([5e6, 7.5e6, 1e7, 1e7])


def test_unknown_track_or_year_is_a_rule_error():
    with pytest.raises(RuleError):
        settle(AcoYear(2024, "TRACK_9", 1, 1, 1, quality_score=1))
    with pytest.raises(RuleError):
        settle(AcoYear(2040, "BASIC_A", 1, 1, 1, quality_score=1))


def test_settlement_dict_is_json_ready():
    d = settle(AcoYear(2024, "BASIC_A", 1e8, 0.9e8, 20_000, quality_score=0.9)).to_dict()
    assert d["loss_limit"] is None and not math.isnan(d["earned"])


def _random_aco_years(rows: int, seed: int) -> pd.DataFrame:
    """Valid inputs of every kind: tracks, years, sizes (some under 500), flags, elections, EUC, revenue."""
    rng = np.random.default_rng(seed)
    year = rng.integers(2013, 2027, rows)
    benchmark = rng.lognormal(np.log(1e8), 1.0, rows)

    def sometimes(values, share_missing=0.4):
        return np.where(rng.random(rows) < share_missing, np.nan, values)

    frame = pd.DataFrame({
        "performance_year": year,
        "track": rng.choice(list(TRACKS), rows),
        "benchmark": benchmark,
        "expenditure": benchmark * (1 - rng.normal(0.01, 0.06, rows)),
        "assigned_beneficiaries": np.where(rng.random(rows) < 0.3, rng.integers(1, 6_000, rows),
                                           rng.integers(5_000, 90_000, rows)),
        "quality_score": sometimes(rng.uniform(0, 1, rows), 0.1),
        "pay_for_reporting": rng.random(rows) < 0.1,
        "met_quality_standard": rng.choice([np.nan, 0.0, 1.0], rows),
        "met_alternative_quality_standard": rng.random(rows) < 0.2,
        "msr_election": rng.choice([np.nan, *MSR_ELECTIONS], rows),
        "participant_revenue": sometimes(benchmark * rng.uniform(0.1, 2, rows)),
        "euc_share": sometimes(rng.uniform(0, 1, rows), 0.5),
        "low_revenue": rng.random(rows) < 0.3,
        "agreement_start_year": sometimes(np.maximum(2012, year - rng.integers(0, 4, rows))),
        "track_2_year": rng.choice([np.nan, 1, 2, 3, 4], rows),
        "proration": rng.choice([1.0, 0.5], rows),
    }, index=rng.permutation(rows) * 10)
    # Some low-revenue BASIC ACOs of 2024+ agreements with savings below their MSR (425.605(h)).
    low = rng.random(rows) < 0.08
    frame.loc[low, ["performance_year", "agreement_start_year", "low_revenue"]] = [2025, 2024.0, True]
    frame.loc[low, "track"] = "BASIC_A"
    frame.loc[low, "assigned_beneficiaries"] = 6_000
    frame.loc[low, "expenditure"] = frame.loc[low, "benchmark"] * 0.99
    return frame


def _aco_year(row: pd.Series) -> AcoYear:
    def opt(name):
        return None if pd.isna(row[name]) else float(row[name])

    def whole(name):
        return None if pd.isna(row[name]) else int(row[name])

    met = opt("met_quality_standard")
    return AcoYear(
        int(row["performance_year"]), str(row["track"]), float(row["benchmark"]), float(row["expenditure"]),
        int(row["assigned_beneficiaries"]), quality_score=opt("quality_score"),
        pay_for_reporting=bool(row["pay_for_reporting"]),
        met_quality_standard=None if met is None else bool(met),
        met_alternative_quality_standard=bool(row["met_alternative_quality_standard"]),
        msr_election=opt("msr_election"), participant_revenue=opt("participant_revenue"),
        euc_share=opt("euc_share"), low_revenue=bool(row["low_revenue"]),
        agreement_start_year=whole("agreement_start_year"), track_2_year=whole("track_2_year"),
        proration=float(row["proration"]),
    )


def test_fast_engine_matches_settle_row_by_row_on_random_aco_years(monkeypatch):
    """Blocks of 97 rows (the last one partial) give exactly what one-row settlements give."""
    import aco_model.vectorized as vectorized

    frame = _random_aco_years(2_000, seed=11)
    monkeypatch.setattr(vectorized, "BLOCK_ROWS", 97)
    out = settle_frame(frame)
    assert list(out.index) == list(frame.index)
    numbers = ["gross_savings", "savings_rate", "minimum_savings_rate", "final_sharing_rate",
               "shared_savings_before_limit", "sequestration", "payment_limit", "shared_savings",
               "shared_loss_before_limit", "shared_loss", "euc_reduction", "proration_adjustment", "earned"]
    outcomes = {"inside corridor": 0, "shared savings": 0, "shared losses": 0, "reduced sharing": 0}
    for label, row in frame.iterrows():
        one = settle(_aco_year(row))
        got = out.loc[label]
        for name in numbers:
            assert got[name] == getattr(one, name), (label, name)
        for name in ("minimum_loss_rate", "final_loss_rate", "loss_limit"):
            expected = getattr(one, name)
            assert (np.isnan(got[name]) or np.isinf(got[name])) if expected is None else got[name] == expected
        assert OUTCOMES[got["outcome"]] == one.outcome
        assert bool(got["loss_limit_binding"]) == one.loss_limit_binding
        assert bool(got["msr_below_500_assumed"]) == bool(one.warnings)
        outcomes[one.outcome] += 1
    assert min(outcomes.values()) > 0  # every outcome was exercised
