"""The build of the real CMS folder (../shared/data/cms): counts, units, known values, quirks.

Skipped when the folder is absent (the `cms_dir` fixture of tests/conftest.py says why).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from data.build import build_database
from data.schema import ACO_YEAR_COLUMNS, TRACKS

ROWS_PER_YEAR = {2013: 220, 2014: 333, 2015: 392, 2016: 432, 2017: 472, 2018: 548, 2019: 475, 2020: 513,
                 2021: 475, 2022: 482, 2023: 453, 2024: 476}


def test_rows_per_year(cms_build, aco_year):
    report, _ = cms_build
    assert report.rows_per_year == ROWS_PER_YEAR
    # The per-year counts add up to 5,271 (the docs' "5,269" total is off by two).
    assert report.rows == len(aco_year) == sum(ROWS_PER_YEAR.values()) == 5271
    assert not report.synthetic and not aco_year["synthetic"].any()


def test_columns_and_types_follow_the_schema(cms_build):
    report, _ = cms_build
    with duckdb.connect(str(report.path), read_only=True) as con:
        found = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'aco_year' ORDER BY ordinal_position").fetchall()
    assert found == [(name, kind) for name, kind, _ in ACO_YEAR_COLUMNS]


def test_savings_rate_is_a_fraction_equal_to_gross_over_benchmark_every_year(aco_year):
    ratio = aco_year["cms_benchmark_minus_expenditure"] / aco_year["benchmark"]
    error = (aco_year["cms_savings_rate"] - ratio).abs()
    worst = error.groupby(aco_year["performance_year"]).max()
    assert (worst < 1e-4).all(), worst[worst >= 1e-4]


def test_benchmark_minus_expenditure_reconciles_every_year(aco_year):
    gap = aco_year["benchmark"] - aco_year["expenditure"] - aco_year["cms_benchmark_minus_expenditure"]
    assert gap.abs().max() <= 1.0


def test_rates_are_fractions_every_year(aco_year):
    by_year = aco_year.groupby("performance_year")
    msr = by_year["cms_minimum_savings_rate"].median()
    assert msr.between(0.015, 0.035).all(), msr
    assert by_year["quality_score"].max().le(1.0).all()
    scored = aco_year[aco_year["performance_year"] > 2013]
    assert scored.groupby("performance_year")["quality_score"].median().between(0.6, 1.0).all()
    assert aco_year["cms_final_sharing_rate"].dropna().between(0, 0.75).all()
    assert aco_year["cms_max_sharing_rate"].dropna().isin([0.4, 0.5, 0.6, 0.75]).all()
    assert aco_year["cms_final_loss_rate"].dropna().between(0.3, 0.75).all()


def test_final_sharing_rate_units_agree_with_earned_savings(aco_year):
    """Earned = gross savings x final sharing rate x 0.98 (no sequestration in PY2019-2020)."""
    paid = aco_year[aco_year["cms_earned_savings_losses"] > 0]
    factor = paid["cms_earned_savings_losses"] / (
        paid["cms_benchmark_minus_expenditure"] * paid["cms_final_sharing_rate"])
    median = factor.groupby(paid["performance_year"]).median()
    expected = pd.Series(0.98, index=median.index)
    expected[[2019, 2020]] = 1.0
    assert (median - expected).abs().max() < 0.005, median


def test_py2014_known_values(aco_year, lookup):
    r = lookup(aco_year, 2014, "A67373")
    assert r["benchmark"] == 450_902_466
    assert r["expenditure"] == 418_729_017
    assert r["assigned_beneficiaries"] == 34_601
    assert r["cms_minimum_savings_rate"] == pytest.approx(0.02353985, abs=1e-8)
    assert r["cms_savings_rate"] == pytest.approx(0.07135346, abs=1e-8)
    assert r["quality_score"] == pytest.approx(0.916964286, abs=1e-9)
    assert r["cms_earned_savings_losses"] == 14_455_933
    assert r["track"] == "TRACK_1" and not r["two_sided"]


def test_py2024_known_values(aco_year, lookup):
    r = lookup(aco_year, 2024, "A1026")
    assert r["cms_earned_savings_losses"] == 11_143_493
    assert (r["benchmark"], r["expenditure"]) == (600_514_210, 577_772_388)
    assert r["assigned_beneficiaries"] == 41_640
    assert r["track"] == "BASIC_E" and r["two_sided"]
    assert r["cms_savings_rate"] == pytest.approx(0.0379, abs=1e-9)
    assert r["cms_minimum_savings_rate"] == pytest.approx(0.015)
    assert r["cms_final_sharing_rate"] == pytest.approx(0.5)
    enhanced = lookup(aco_year, 2024, "A1001")
    assert enhanced["track"] == "ENHANCED"
    assert enhanced["cms_final_loss_rate"] == pytest.approx(0.4221)
    assert enhanced["quality_score"] == pytest.approx(0.7705)
    reduced = lookup(aco_year, 2024, "A5328")
    assert reduced["reduced_sharing_below_msr"] and reduced["advance_investment_payment"]
    assert reduced["aip_balance"] == 565_455 and reduced["revenue_category"] == "LOW"


def test_py2013_shift_undone_on_every_row(aco_year, lookup):
    py13 = aco_year[aco_year["performance_year"] == 2013]
    assert len(py13) == 220
    gap = py13["benchmark"] - py13["expenditure"] - py13["cms_benchmark_minus_expenditure"]
    assert gap.abs().max() <= 0.5  # the file rounds dollars to ten cents
    # Earned savings are 50%/60% x gross x 0.98 for every saver (the shifted "Shared Losses" data).
    paid = py13[py13["cms_earned_savings_losses"] > 0]
    assert len(paid) == 52
    expected = paid["cms_benchmark_minus_expenditure"] * paid["cms_final_sharing_rate"] * 0.98
    assert (paid["cms_earned_savings_losses"] - expected).abs().max() < 1.0
    # Counts come from two labels further right; they are whole numbers and person-years below them.
    assert (py13["assigned_beneficiaries"] >= py13["person_years"]).all()
    first = lookup(aco_year, 2013, "A67373")
    assert first["expenditure"] == pytest.approx(573_516_045.50)
    assert first["assigned_beneficiaries"] == 36_268
    assert first["cms_minimum_savings_rate"] == pytest.approx(0.023373146)
    loss = lookup(aco_year, 2013, "A14269")
    assert loss["track"] == "TRACK_2"
    assert loss["cms_earned_savings_losses"] == pytest.approx(-3_986_552.12)
    assert loss["cms_minimum_loss_rate"] == pytest.approx(0.02)


def test_py2013_quality_is_the_reporting_flag(aco_year):
    py13 = aco_year[aco_year["performance_year"] == 2013]
    assert py13["quality_score"].value_counts().to_dict() == {1.0: 209, 0.0: 11}
    assert (py13["pay_for_reporting"] == (py13["quality_score"] == 1.0)).all()
    assert (py13.loc[py13["quality_score"] == 0, "cms_final_sharing_rate"] == 0).all()


def test_py2014_pay_for_reporting(aco_year):
    py14 = aco_year[aco_year["performance_year"] == 2014]
    p4r = py14[py14["pay_for_reporting"].fillna(False).astype(bool)]
    assert len(p4r) == 119 and p4r["quality_score"].isna().all()
    assert py14.loc[~py14.index.isin(p4r.index), "quality_score"].notna().all()


def test_py2015_units_and_tracks_from_the_standardized_file(aco_year):
    py15 = aco_year[aco_year["performance_year"] == 2015]
    assert py15["quality_score"].max() <= 1.0
    palm = py15[py15["aco_name"].str.startswith("Palm Beach Accountable Care")].iloc[0]
    assert palm["quality_score"] == pytest.approx(0.9808)
    assert palm["cms_savings_rate"] == pytest.approx(0.0948, abs=1e-4)
    assert palm["aco_id"] == "A67373"  # matched by name to the PY2013-14 id of the same series
    assert py15["track"].value_counts().to_dict() == {"TRACK_1": 389, "TRACK_2": 3}
    assert py15["aco_id"].is_unique


def test_every_row_has_a_canonical_track(aco_year):
    assert aco_year["track"].isin(TRACKS).all()
    counts = aco_year.groupby(["performance_year", "track"]).size()
    assert counts[(2013, "TRACK_2")] == 5 and counts[(2014, "TRACK_2")] == 3
    assert counts[(2016, "TRACK_3")] == 16 and counts[(2018, "TRACK_1_PLUS")] > 0
    assert counts[(2024, "ENHANCED")] == 205 and counts[(2024, "BASIC_A")] == 54
    legacy = aco_year["track"].str.startswith("TRACK")
    assert not (legacy & (aco_year["performance_year"] >= 2022)).any()


def test_two_sided_follows_risk_model_and_track(aco_year):
    two = aco_year["track"].isin(["TRACK_1_PLUS", "TRACK_2", "TRACK_3", "BASIC_C", "BASIC_D", "BASIC_E",
                                  "ENHANCED"])
    assert (aco_year["two_sided"] == two).all()


def test_py2019_six_month_periods(aco_year, lookup):
    py19 = aco_year[aco_year["performance_year"] == 2019]
    assert py19["six_month_period"].value_counts().to_dict() == {"JAN_JUN": 166}
    extended = py19["current_start_date"] == pd.Timestamp("2016-01-01")
    assert (py19.loc[extended, "six_month_period"] == "JAN_JUN").all() and extended.sum() == 148
    for early in ("A2671", "A3578"):  # renewed into a July 1, 2019 agreement (seen in PY2020)
        assert lookup(aco_year, 2019, early)["six_month_period"] == "JAN_JUN"
    assert pd.isna(lookup(aco_year, 2019, "A3547")["six_month_period"])
    assert aco_year.loc[aco_year["performance_year"] != 2019, "six_month_period"].isna().all()
    # The January-June rows' published totals cover six months: twice per capita x person-years.
    ratio = py19["updated_benchmark_per_capita"] * py19["person_years"] / py19["benchmark"]
    first_half = py19["six_month_period"] == "JAN_JUN"
    assert ratio[first_half].between(1.999, 2.001).all() and ratio[~first_half].between(0.999, 1.001).all()


def test_py2019_alone_still_finds_six_month_periods(cms_dir, tmp_path):
    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "mssp_std_py2019.csv").write_bytes((cms_dir / "mssp_std_py2019.csv").read_bytes())
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert any("PY2020 not loaded" in w for w in report.warnings)
    with duckdb.connect(str(report.path), read_only=True) as con:
        count = con.execute("SELECT count(*) FROM aco_year WHERE six_month_period = 'JAN_JUN'").fetchone()[0]
    assert count == 166


def test_six_month_evidence_agrees(cms_build):
    report, _ = cms_build
    assert not any("disagree" in w for w in report.warnings)
    assert any("166 January-June ACO(s), from six-month totals" in n for n in report.notes)


def test_dates_and_categories(aco_year, lookup):
    assert lookup(aco_year, 2018, "A1001")["initial_start_date"] == pd.Timestamp("2012-07-01")
    assert lookup(aco_year, 2024, "A1001")["current_start_date"] == pd.Timestamp("2019-07-01")
    assert aco_year["revenue_category"].dropna().isin(["HIGH", "LOW"]).all()
    assert aco_year.loc[aco_year["performance_year"] >= 2018, "revenue_category"].notna().all()
    assert set(aco_year["agreement_type"].dropna()) == {"Initial", "Renewal", "Re-entering"}
    assert aco_year.loc[aco_year["performance_year"] < 2016, "agreement_type"].isna().all()


def test_money_formats(aco_year, lookup):
    """"$-9187354.55" (2013) and "89,403" (2021) are numbers."""
    assert lookup(aco_year, 2013, "A64796")["cms_benchmark_minus_expenditure"] == pytest.approx(-9_187_354.55)
    r = lookup(aco_year, 2021, "A1001")
    assert r["assigned_beneficiaries"] == 89_403 and r["cms_benchmark_minus_expenditure"] == 84_231_357
    assert r["cms_savings_rate"] == pytest.approx(0.0717)


def test_source_table(source, cms_dir):
    assert len(source) == 12
    assert source["row_count"].sum() == 5271
    for item in source.itertuples():
        path = Path(cms_dir) / item.file_name
        assert item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert item.file_format == ("standardized" if item.file_name.startswith("mssp_std") else "cms")
        assert item.row_count == ROWS_PER_YEAR[item.performance_year]
    assert source["unknown_columns"].isna().all()
    missing_2013 = source.loc[source["performance_year"] == 2013, "missing_columns"].iloc[0]
    assert "updated_benchmark_per_capita" in missing_2013


def test_no_nan_in_required_columns(aco_year):
    for name in ("aco_id", "benchmark", "expenditure", "assigned_beneficiaries", "cms_earned_savings_losses",
                 "track", "two_sided"):
        assert aco_year[name].notna().all(), name
    assert not np.isinf(aco_year.select_dtypes("number").to_numpy(dtype=float, na_value=0)).any()
    assert aco_year.groupby("performance_year")["aco_id"].apply(lambda s: s.is_unique).all()
