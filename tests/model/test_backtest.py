"""The risk forecast proven on history: the figures of issue 7 reproduced, the backtest's targets, its CLI."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import aco_model.backtest as bt
from aco_model.inputs import inputs_frame
from aco_model.uncertainty import calibrate, year_pairs
from aco_model.vectorized import settle_frame
from data.build import build_database

LAST_LINE = re.compile(
    r"^backtest: 80% interval coverage (\d+\.\d)% \(target 80%\), Brier P\(paid\) (0\.\d{4}) vs random walk "
    r"(0\.\d{4})$"
)


@pytest.fixture(scope="session")
def cms_db(cms_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CMS's published files built once (skips without them), as tests/app/conftest.py does."""
    out = tmp_path_factory.mktemp("backtest_cms") / "aco.duckdb"
    build_database(cms_dir, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def cms_rows(cms_db: Path) -> pd.DataFrame:
    return bt.read_aco_year(cms_db)


@pytest.fixture(scope="session")
def cli_output(cms_db: Path) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = bt.main(["--db", str(cms_db)])
    return code, out.getvalue()


# --- issue 7's figures, reproduced before the fix -------------------------------------------------


def test_the_random_walk_misses_mean_reversion_and_year_shocks(cms_rows: pd.DataFrame) -> None:
    pairs = year_pairs(cms_rows.drop(columns="lineage_id"))  # the issue counted pairs by id, as then
    # 3,686 before PY2015-17 ids by name needed a shared state: Texas A03682 (PY2014) -> Florida (PY2015) was
    # one false pair.
    assert len(pairs) == 3_685
    slope = np.polyfit(pairs["savings_rate"], pairs["change"], 1)[0]
    assert round(slope, 2) == -0.33
    assert round(np.corrcoef(pairs["savings_rate"], pairs["change"])[0, 1], 3) == -0.395
    fifths = pairs.groupby(pd.qcut(pairs["savings_rate"], 5, labels=False))["change"].mean()
    assert round(fifths.iloc[-1] * 100, 2) == -1.27 and round(fifths.iloc[0] * 100, 2) == 2.53
    assert round(pairs.loc[pairs["performance_year"] == 2019, "change"].mean() * 100, 2) == 1.46


def test_pairs_follow_the_lineage_across_the_2018_id_change(cms_rows: pd.DataFrame) -> None:
    pairs = year_pairs(cms_rows)
    assert len(pairs) == 4_157  # 3,685 by id alone
    by_year = pairs.groupby("performance_year").size()
    assert by_year[2017] == 415 and by_year[2014] == 250  # none by id across 2017->2018; 209 by id in 2014
    assert (pairs["aco_id"] != pairs["next_aco_id"]).sum() == 472
    antelope = pairs[pairs["aco_id"].isin(["A01307", "X-03AD3AFC", "A2210"])]
    chain = antelope[["aco_id", "next_aco_id", "performance_year"]].itertuples(index=False, name=None)
    assert list(chain) == [("A01307", "X-03AD3AFC", 2014), ("X-03AD3AFC", "X-03AD3AFC", 2015),
                           ("X-03AD3AFC", "X-03AD3AFC", 2016), ("X-03AD3AFC", "A2210", 2017),
                           ("A2210", "A2210", 2018)]
    slope = np.polyfit(pairs["savings_rate"], pairs["change"], 1)[0]
    assert round(slope, 2) == -0.33  # the added pairs tell the same story


def test_fitted_parameters_on_cms_history(cms_rows: pd.DataFrame) -> None:
    cal = calibrate(cms_rows)
    assert cal.pairs == 4_157 and cal.renewal_pairs > 500
    assert -0.35 < cal.slope < -0.15  # within an agreement: a quarter of the distance given back
    assert cal.renewal_slope < cal.slope - 0.2  # a rebased benchmark takes back much more
    effects = dict(cal.year_effects)
    assert effects[2019] == max(effects.values()) and effects[2020] == min(effects.values())
    assert 0.002 < cal.year_shock_sd < 0.01
    sds = [b.sd for b in cal.bands]
    assert sds == sorted(sds, reverse=True)  # larger ACOs: steadier residuals


# --- the backtest ----------------------------------------------------------------------------------


def test_backtest_meets_its_targets_and_prints_the_last_line(cli_output: tuple[int, str]) -> None:
    code, text = cli_output
    assert code == 0
    lines = text.strip().splitlines()
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    coverage, brier, baseline = float(match[1]), float(match[2]), float(match[3])
    assert 76.0 <= coverage <= 84.0
    assert brier < baseline
    table = "\n".join(lines)
    for year in bt.TARGET_YEARS:  # PY2018 too: its ACOs followed from PY2017 by lineage across the id change
        assert re.search(rf"^\s*{year}\s+\d+", table, re.M), year
    assert "not forecast" not in table
    assert re.search(r"^\s*2018\s+415\s", table, re.M)
    assert re.search(r"^\s*overall\s+3693\s", table, re.M)


def test_backtest_fits_only_on_earlier_years(monkeypatch: pytest.MonkeyPatch, cms_rows: pd.DataFrame) -> None:
    seen: list[tuple[int, int]] = []
    real = bt.calibrate_pairs

    def spy(pairs: pd.DataFrame, means: dict[int, float], **kw: object):
        # the last year of any pair fitted on (its second year) and the last program mean given
        seen.append((int(pairs["performance_year"].max()) + 1, max(means)))
        return real(pairs, means, **kw)

    monkeypatch.setattr(bt, "calibrate_pairs", spy)
    result = bt.backtest(cms_rows, targets=(2020, 2024), draws=50)
    assert seen == [(2019, 2019)] * 2 + [(2023, 2023)] * 2
    assert set(result.forecasts["target_year"]) == {2020, 2024}
    f = result.forecasts
    two_sided = f["two_sided"].astype(bool)
    assert f.loc[two_sided, "prob_owes"].notna().all() and f.loc[~two_sided, "prob_owes"].isna().all()
    assert ((f["q10"] <= f["q25"]) & (f["q25"] <= f["q75"]) & (f["q75"] <= f["q90"])).all()
    reliability = result.reliability("paid")
    assert reliability.groupby("model")["count"].sum().tolist() == [f["paid"].notna().sum() // 2] * 2
    assert reliability["forecast"].between(reliability["bin_low"], reliability["bin_high"]).all()


def test_outcome_thresholds_match_settling_every_draw(cms_rows: pd.DataFrame) -> None:
    rows = cms_rows[cms_rows["performance_year"].isin([2018, 2019, 2021, 2024])].reset_index(drop=True)
    inputs = inputs_frame(rows)
    rates = np.random.default_rng(4).normal(0.01, 0.05, (len(inputs), 40))
    rates[:, 0] = 0.0  # exactly at zero: neither paid nor owing
    paid, owes = bt.outcomes(inputs, rates)
    every = inputs.loc[inputs.index.repeat(40)].reset_index(drop=True)
    every["expenditure"] = np.repeat(inputs["benchmark"].to_numpy(), 40) * (1 - rates.ravel())
    settled = settle_frame(every)
    assert np.array_equal(paid.ravel(), settled["earned"].to_numpy() > 0)
    assert np.array_equal(owes.ravel(), settled["shared_loss"].to_numpy() > 0)
    assert paid.any() and owes.any() and not paid[:, 0].any() and not owes[:, 0].any()


def test_nothing_to_backtest_on_one_year() -> None:
    one_year = pd.DataFrame({"aco_id": ["A", "B"], "performance_year": 2024, "assigned_beneficiaries": 9_000,
                             "benchmark": 100.0, "expenditure": 98.0, "track": "BASIC_A"})
    result = bt.backtest(one_year)
    assert result.forecasts.empty
    assert set(result.skipped) == set(bt.TARGET_YEARS)


def test_cli_refuses_a_missing_or_synthetic_database(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert bt.main(["--db", str(tmp_path / "none.duckdb")]) == 2
    assert "not found" in capsys.readouterr().err
    demo = tmp_path / "demo.duckdb"
    build_database(None, demo, demo=True, quiet=True)
    assert bt.main(["--db", str(demo)]) == 2
    assert "synthetic" in capsys.readouterr().err
    assert bt.main(["--db", str(demo), "--draws", "0"]) == 2
    with duckdb.connect(str(demo), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM aco_year").fetchone()[0] > 0
