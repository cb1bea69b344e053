"""The synthetic demo database: deterministic, labelled synthetic, realistic, settled by the engine."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from aco_model.inputs import inputs_frame
from aco_model.rules import is_offered
from aco_model.vectorized import settle_frame
from data.build import build_database
from data.demo import SOURCE_NAME, demo_aco_year
from data.schema import ACO_YEAR_NAMES, TRACKS


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return demo_aco_year()


def test_deterministic(demo):
    pd.testing.assert_frame_equal(demo, demo_aco_year())
    assert not demo.equals(demo_aco_year(seed=7))


def test_database_is_marked_synthetic(tmp_path):
    report = build_database(None, tmp_path / "demo.duckdb", demo=True, quiet=True)
    assert report.synthetic and report.warnings == []
    with duckdb.connect(str(report.path), read_only=True) as con:
        flags = con.execute("SELECT bool_and(synthetic), count(DISTINCT source_file), any_value(source_file) "
                            "FROM aco_year").fetchone()
        sources = con.execute("SELECT DISTINCT file_name, file_format FROM source").fetchall()
        years = con.execute("SELECT count(*) FROM source").fetchone()[0]
    assert flags == (True, 1, SOURCE_NAME)
    assert sources == [(SOURCE_NAME, "synthetic")] and years == 12


def test_same_database_twice(tmp_path):
    frames = []
    for name in ("a.duckdb", "b.duckdb"):
        build_database(None, tmp_path / name, demo=True, quiet=True)
        with duckdb.connect(str(tmp_path / name), read_only=True) as con:
            frames.append(con.sql("SELECT * FROM aco_year ORDER BY performance_year, aco_id").df())
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_schema_columns(demo):
    assert tuple(demo.columns) == ACO_YEAR_NAMES


def test_sizes_and_distributions(demo):
    per_year = demo.groupby("performance_year").size()
    assert list(per_year.index) == list(range(2013, 2025))
    assert per_year.between(450, 550).all()
    assert demo["assigned_beneficiaries"].between(5_000, 120_000).all()
    assert 10_000 < demo["assigned_beneficiaries"].median() < 30_000  # skewed: median well below mean
    assert demo["assigned_beneficiaries"].mean() > demo["assigned_beneficiaries"].median()
    per_capita = demo["benchmark"] / demo["person_years"]
    assert per_capita.quantile(0.02) > 9_500 and per_capita.quantile(0.98) < 17_000
    assert demo.groupby("performance_year")["updated_benchmark_per_capita"].median().is_monotonic_increasing
    rate = demo["cms_savings_rate"]
    assert rate.mean() == pytest.approx(0.015, abs=0.004) and rate.std() == pytest.approx(0.04, abs=0.008)
    assert demo["quality_score"].between(0.6, 1.0).all()
    assert demo["aco_id"].str.startswith("DEMO-").all()
    assert demo.groupby("performance_year")["aco_id"].apply(lambda s: s.is_unique).all()


def test_acos_persist_across_years(demo):
    ids = demo.groupby("performance_year")["aco_id"].apply(set)
    kept = [len(ids[y] & ids[y + 1]) / len(ids[y]) for y in range(2013, 2024)]
    assert 0.8 < np.mean(kept) < 0.95


def test_tracks_by_era(demo):
    assert demo["track"].isin(TRACKS).all()
    assert all(is_offered(t, y) for t, y in zip(demo["track"], demo["performance_year"], strict=True))
    share = demo.groupby("performance_year")["track"].value_counts(normalize=True)
    assert share[(2014, "TRACK_1")] > 0.9
    assert share[(2024, "BASIC_E")] > 0.15 and share[(2024, "ENHANCED")] > 0.15
    assert (2016, "TRACK_3") in share.index and (2018, "TRACK_1_PLUS") in share.index
    two = demo["track"].isin(["TRACK_1_PLUS", "TRACK_2", "TRACK_3", "BASIC_C", "BASIC_D", "BASIC_E",
                              "ENHANCED"])
    assert (demo["two_sided"] == two).all()


def test_outcomes_come_from_the_settlement_engine(demo):
    """Reading the demo rows back the way the app does and settling them gives the same dollars."""
    settled = settle_frame(inputs_frame(demo))
    assert (settled["earned"].round() - demo["cms_earned_savings_losses"]).abs().max() <= 1.0
    assert np.allclose(settled["minimum_savings_rate"], demo["cms_minimum_savings_rate"])
    assert np.allclose(settled["final_sharing_rate"], demo["cms_final_sharing_rate"])
    assert (demo["cms_earned_savings_losses"] > 0).mean() > 0.3
    assert (demo["cms_earned_savings_losses"] < 0).any()
