"""The risk forecast proven on history: each year forecast from the years before it, then compared.

For every target year T (2016-2024) the savings-rate model (`uncertainty.calibrate`) is fitted on the
ACO-years before T only, and every ACO present in T - 1 and T (followed by its lineage across the
2017/2018 id change, `uncertainty.year_pairs`) is forecast from its T - 1 savings rate and headcount, as
the risk-election page does. The forecast is then scored against what CMS published for T:
- the savings rate: coverage of the central 50% (25th-75th percentile) and 80% (10th-90th) intervals;
- the outcome: each draw is settled (`vectorized.settle_frame`) with T's published inputs (track,
  MSR/MLR, quality, headcount, benchmark; `inputs.inputs_frame`) and the drawn savings rate, giving
  P(paid) = P(shared savings > 0) for every ACO and P(owes) = P(shared losses > 0, before any
  extreme-and-uncontrollable-circumstances relief) for the two-sided ones. Observed: CMS's
  `EarnSaveLoss` > 0; owes: `EarnSaveLoss` < 0 or a loss forgiven in full (`DisAdj` with no payment,
  PY2020-2022). Brier score = mean of (P - observed)^2 (0 is perfect; always saying 50% scores 0.25).
Only the savings rate is forecast: T's other inputs are taken as published, so the backtest measures the
savings-rate model (both models get the same inputs and the same random numbers).

Baseline: the former random walk (`calibrate(..., model="random_walk")`), fitted on the same years.

    python -m aco_model.backtest --db data/aco.duckdb
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aco_model.inputs import inputs_frame
from aco_model.uncertainty import (
    Calibration,
    Method,
    Model,
    calibrate_pairs,
    draw_savings_rates,
    program_means,
    year_pairs,
)
from aco_model.validation import settleable
from aco_model.vectorized import settle_frame

TARGET_YEARS: tuple[int, ...] = tuple(range(2016, 2025))
MODELS: tuple[Model, ...] = ("mean_reversion", "random_walk")
MODEL_LABELS: dict[str, str] = {"mean_reversion": "model", "random_walk": "random walk"}
DEFAULT_DRAWS = 1_000
DEFAULT_SEED = 2024
# Central intervals scored: (label, lower quantile, upper quantile).
INTERVALS: tuple[tuple[str, float, float], ...] = (("50%", 0.25, 0.75), ("80%", 0.10, 0.90))
FORECAST_COLUMNS = (
    "model", "target_year", "aco_id", "two_sided", "savings_rate", "observed_savings_rate", "q10", "q25",
    "q75", "q90", "prob_paid", "paid", "prob_owes", "owes",
)


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """One row per model x target year x ACO in `forecasts` (columns `FORECAST_COLUMNS`).

    `prob_owes` / `owes` are NaN for one-sided ACOs; `paid` / `owes` are NaN where CMS published no
    result. `skipped` names the target years with nothing to forecast and why.
    """

    forecasts: pd.DataFrame
    draws: int
    seed: int
    skipped: dict[int, str]

    def table(self) -> pd.DataFrame:
        """Per target year, then "overall": ACOs forecast, 50%/80% coverage and Brier scores, per model."""
        f = self.forecasts
        groups = [(str(y), g) for y, g in f.groupby("target_year")] + [("overall", f)]
        rows = []
        for label, g in groups:
            row: dict[str, object] = {"year": label}
            for model in MODELS:
                m = g[g["model"] == model]
                name = MODEL_LABELS[model]
                row["acos"] = len(m)
                row["two_sided"] = int(m["two_sided"].sum())
                for interval, _, _ in INTERVALS:
                    row[f"{name} {interval}"] = _coverage(m, interval)
                row[f"{name} Brier paid"] = brier(m["prob_paid"], m["paid"])
                row[f"{name} Brier owes"] = brier(m["prob_owes"], m["owes"])
            rows.append(row)
        return pd.DataFrame(rows)

    def overall(self, model: Model, what: str) -> float:
        """One overall figure: "50%", "80%" (coverage), "Brier paid" or "Brier owes"."""
        table = self.table()
        return float(table.loc[table["year"] == "overall", f"{MODEL_LABELS[model]} {what}"].iloc[0])

    def reliability(self, event: str = "paid", bins: int = 10) -> pd.DataFrame:
        """Forecast probability bins against observed frequency (a reliability chart's points).

        One row per model x bin of the forecast P(event) (equal widths over 0-1): the bin, the mean
        forecast, the observed frequency and the number of ACO-years in it (empty bins left out).
        """
        prob, observed = f"prob_{event}", event
        f = self.forecasts.dropna(subset=[prob, observed])
        edges = np.linspace(0.0, 1.0, bins + 1)
        which = np.clip(np.digitize(f[prob], edges[1:-1]), 0, bins - 1)
        grouped = f.assign(bin=which).groupby(["model", "bin"])
        out = grouped.agg(forecast=(prob, "mean"), observed=(observed, "mean"), count=(observed, "size"))
        out = out.reset_index()
        out["bin_low"], out["bin_high"] = edges[out["bin"]], edges[out["bin"] + 1]
        return out[["model", "bin_low", "bin_high", "forecast", "observed", "count"]]

    def summary_line(self) -> str:
        return (
            f"backtest: 80% interval coverage {self.overall('mean_reversion', '80%'):.1%} (target 80%), "
            f"Brier P(paid) {self.overall('mean_reversion', 'Brier paid'):.4f} vs random walk "
            f"{self.overall('random_walk', 'Brier paid'):.4f}"
        )


def brier(prob: pd.Series, observed: pd.Series) -> float:
    """Mean squared difference between a forecast probability and what happened (1 or 0), NaNs left out.

    >>> brier(pd.Series([0.9, 0.2, 0.5]), pd.Series([1.0, 0.0, np.nan]))
    0.025
    """
    both = pd.DataFrame({"p": prob, "o": observed}).dropna()
    return float(((both["p"] - both["o"]) ** 2).mean()) if len(both) else float("nan")


def _coverage(forecasts: pd.DataFrame, interval: str) -> float:
    low, high = {"50%": ("q25", "q75"), "80%": ("q10", "q90")}[interval]
    y = forecasts["observed_savings_rate"]
    return float(((y >= forecasts[low]) & (y <= forecasts[high])).mean()) if len(forecasts) else float("nan")


def _observed(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """CMS's outcome of each target ACO-year: paid (1/0) and owes before EUC relief (1/0); NaN if unknown."""
    earned = pd.to_numeric(rows["cms_earned_savings_losses"], errors="coerce").to_numpy(dtype=float)
    relief = pd.to_numeric(rows.get("cms_euc_loss_adjustment"), errors="coerce")
    forgiven = np.nan_to_num(np.abs(np.asarray(relief, dtype=float))) > 0
    paid = np.where(np.isnan(earned), np.nan, (earned > 0).astype(float))
    owes = np.where(np.isnan(earned), np.nan, ((earned < 0) | (forgiven & (earned <= 0))).astype(float))
    return paid, owes


def _target_rows(aco_year: pd.DataFrame, target: int) -> pd.DataFrame:
    rows = aco_year[aco_year["performance_year"] == target]
    rows = rows[rows[["track", "benchmark", "expenditure", "assigned_beneficiaries"]].notna().all(axis=1)]
    rows = rows[rows["benchmark"] > 0]
    return rows.drop_duplicates("aco_id", keep=False)  # an ACO with two rows in a year: no single outcome


# Savings rates at which each ACO-year is settled to learn where its outcome changes (`outcomes`).
_PROBE_SAVINGS, _PROBE_LOSS = 0.5, -0.5


@dataclass(frozen=True, eq=False)
class Corridor:
    """Where each ACO-year's outcome changes (`corridor`): its MSR and MLR, whether it can be paid above
    the MSR, paid below it (low-revenue half rate) and owe."""

    msr: np.ndarray
    mlr: np.ndarray
    can_be_paid: np.ndarray
    paid_below_msr: np.ndarray
    can_owe: np.ndarray

    def outcomes(self, savings_rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Paid / owes for drawn savings rates (ACO-years, draws): boolean arrays of the same shape."""
        s = np.asarray(savings_rates, dtype=float)
        msr, mlr = self.msr[:, None], self.mlr[:, None]
        above = (s >= msr) & self.can_be_paid[:, None]
        paid = (s > 0) & (above | ((s < msr) & self.paid_below_msr[:, None]))
        owes = (s < 0) & (-s >= mlr) & self.can_owe[:, None]
        return paid, owes


def corridor(inputs: pd.DataFrame) -> Corridor:
    """Each ACO-year's corridor, from three probe settlements (`inputs`: one `settle_frame` row each).

    The settlement's outcome changes only at the corridor (425.604-425.610): paid when ``s > 0`` and
    ``s >= MSR`` and the final sharing rate is above 0, or, below the MSR, when the low-revenue half rate
    applies (425.605(h)); owes (before relief for extreme and uncontrollable circumstances) when
    ``s < 0`` and ``-s >= MLR`` on a two-sided track with a loss rate and limit above 0. So each row is
    settled at +50%, half its MSR and -50% instead of once per draw: the same answer as settling every
    draw (tests/model/test_backtest.py checks it), a thousand times fewer settlements.
    """
    n = len(inputs)
    b = inputs["benchmark"].to_numpy(dtype=float)
    probes = pd.concat([inputs.assign(expenditure=b * (1 - _PROBE_SAVINGS)),
                        inputs.assign(expenditure=b * (1 - _PROBE_LOSS))], ignore_index=True)
    first = settle_frame(probes)
    msr = first["minimum_savings_rate"].to_numpy()[:n]
    below = settle_frame(inputs.assign(expenditure=b * (1 - msr / 2)))
    return Corridor(
        msr=msr, mlr=first["minimum_loss_rate"].to_numpy()[n:],
        can_be_paid=first["earned"].to_numpy()[:n] > 0,
        paid_below_msr=(msr > 0) & (below["earned"].to_numpy() > 0),
        can_owe=first["shared_loss"].to_numpy()[n:] > 0,
    )


def outcomes(inputs: pd.DataFrame, savings_rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each draw is paid shared savings / owes shared losses (`corridor(inputs).outcomes`)."""
    return corridor(inputs).outcomes(savings_rates)


def row_quantiles(values: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Quantiles of each row (numpy's default linear interpolation) from one sort: (quantiles, rows).

    >>> row_quantiles(np.array([[3.0, 1.0, 2.0, 4.0]]), (0.0, 0.5, 0.9)).ravel().tolist()
    [1.0, 2.5, 3.7]
    """
    ordered = np.sort(values, axis=1)
    last = ordered.shape[1] - 1
    out = []
    for q in quantiles:
        position = q * last
        low = int(np.floor(position))
        high = min(low + 1, last)
        weight = position - low
        out.append(ordered[:, low] * (1.0 - weight) + ordered[:, high] * weight)
    return np.array(out)


def forecast_year(aco_year: pd.DataFrame, pairs: pd.DataFrame, target: int,
                  calibrations: list[Calibration], draws: int, seed: int) -> list[pd.DataFrame]:
    """Forecast every ACO of `target` present the year before (`pairs`: `year_pairs` of `aco_year`),
    under each calibration: one frame per calibration, one row per ACO, `FORECAST_COLUMNS`."""
    pairs = pairs[pairs["performance_year"] == target - 1]
    rows = _target_rows(aco_year, target)
    pairs = pairs[pairs["next_aco_id"].isin(rows["aco_id"].astype("string"))].reset_index(drop=True)
    if pairs.empty:
        return [pd.DataFrame(columns=list(FORECAST_COLUMNS)) for _ in calibrations]
    rows = rows.set_index(rows["aco_id"].astype("string")).loc[pairs["next_aco_id"]]
    bounds = corridor(inputs_frame(rows.reset_index(drop=True)))
    two_sided = rows["two_sided"].fillna(False).astype(bool).to_numpy()
    paid_seen, owes_seen = _observed(rows)
    frames = []
    for calibration in calibrations:
        rates = draw_savings_rates(calibration, pairs["savings_rate"], pairs["assigned_beneficiaries"], draws,
                                   seed + target, base_year=target - 1, new_agreement=pairs["new_agreement"])
        paid, owes = bounds.outcomes(rates)
        q = row_quantiles(rates, (0.10, 0.25, 0.75, 0.90))
        frames.append(pd.DataFrame({
            "model": calibration.model, "target_year": target, "aco_id": pairs["next_aco_id"].to_numpy(),
            "two_sided": two_sided, "savings_rate": pairs["savings_rate"].to_numpy(),
            "observed_savings_rate": pairs["next_savings_rate"].to_numpy(),
            "q10": q[0], "q25": q[1], "q75": q[2], "q90": q[3],
            "prob_paid": paid.mean(axis=1), "paid": paid_seen,
            "prob_owes": np.where(two_sided, owes.mean(axis=1), np.nan),
            "owes": np.where(two_sided, owes_seen, np.nan),
        }, columns=list(FORECAST_COLUMNS)))
    return frames


def backtest(aco_year: pd.DataFrame, *, targets: tuple[int, ...] = TARGET_YEARS, draws: int = DEFAULT_DRAWS,
             seed: int = DEFAULT_SEED, method: Method = "bootstrap") -> BacktestResult:
    """Fit on the years before each target, forecast the target, for the model and the random walk (pure).

    `aco_year` holds rows of the `aco_year` table (data/schema.py). The pairs of consecutive years are
    made once: those before a target (both years earlier than it) are exactly the pairs of the history
    before it. Both models draw with the same seed (the year shock and residual streams of
    `uncertainty.draw_savings_rates`, seed + target year).
    """
    aco_year = aco_year[settleable(inputs_frame(aco_year))]  # a damaged published row cannot be scored
    pairs = year_pairs(aco_year)
    means = program_means(aco_year)
    frames, skipped = [], {}
    for target in targets:
        before = pairs[pairs["performance_year"] <= target - 2]
        if before.empty:
            skipped[target] = "no consecutive years of the same ACO before it to fit on"
            continue
        known = {y: m for y, m in means.items() if y < target}
        fitted = [calibrate_pairs(before, known, method=method, model=model) for model in MODELS]
        year = forecast_year(aco_year, pairs, target, fitted, draws, seed)
        if year[0].empty:
            skipped[target] = f"no ACO present in both {target - 1} and {target}"
            continue
        frames.extend(year)
    if not frames:
        forecasts = pd.DataFrame(columns=list(FORECAST_COLUMNS))
    else:
        forecasts = pd.concat(frames, ignore_index=True)
    return BacktestResult(forecasts=forecasts, draws=draws, seed=seed, skipped=skipped)


def report(result: BacktestResult) -> str:
    """The table the command prints: per year and overall, the model beside the random walk."""
    table = result.table()
    shown = table.copy()
    for col in shown.columns:
        if col.endswith("%"):
            shown[col] = shown[col].map(lambda v: f"{v:.1%}")
        elif "Brier" in col:
            shown[col] = shown[col].map(lambda v: "-" if np.isnan(v) else f"{v:.4f}")
    lines = [
        f"Savings-rate forecast fitted on earlier years only; {result.draws:,} draws per ACO, seed "
        f"{result.seed}. Coverage: share of ACOs whose savings rate fell inside the central 50% / 80% "
        "interval. Brier: P(paid savings) over all ACOs, P(owes) over two-sided ACOs (lower is better).",
        shown.to_string(index=False),
    ]
    lines += [f"PY{y}: not forecast ({why})" for y, why in sorted(result.skipped.items())]
    lines.append(result.summary_line())
    return "\n".join(lines)


def read_aco_year(db: Path) -> pd.DataFrame:
    import duckdb  # adapter: only the command line touches the database

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM aco_year").df()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aco_model.backtest", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("data/aco.duckdb"))
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="draws per ACO (default 1,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"error: database {args.db} not found; build it with python -m data.build", file=sys.stderr)
        return 2
    if not 1 <= args.draws <= 100_000:
        print(f"error: --draws {args.draws} must be between 1 and 100,000", file=sys.stderr)
        return 2
    rows = read_aco_year(args.db)
    rows = rows[~rows["synthetic"].fillna(False).astype(bool)]
    if rows.empty:
        print("error: no real CMS ACO-years in the database (synthetic demo data only)", file=sys.stderr)
        return 2
    result = backtest(rows, draws=args.draws, seed=args.seed)
    if result.forecasts.empty:
        print("error: nothing to backtest: the database holds no two consecutive years of the same ACO",
              file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
