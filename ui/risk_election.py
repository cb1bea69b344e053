"""Risk-election page glue (no Streamlit): the base ACO-year for next year, the simulation run, which
elections the ACO may make, and the forecast's proof on history (`aco_model.backtest`) as a chart.

The page simulates the year after the chosen ACO-year: the savings rate moves by a change drawn from
the history (`aco_model.uncertainty.calibrate`: mean reversion, a year-wide shock, the ACO's own residual),
the benchmark, headcount, quality and agreement stay, and every draw is settled under the rules of that
next year (capped at the last year with rules).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aco_model import backtest as proof_on_history
from aco_model.reconciliation import AcoYear
from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS
from aco_model.uncertainty import (
    MAY,
    UNCERTAIN,
    Calibration,
    Election,
    SimulationResult,
    agreement_last_year,
    best_election,
    election_options,
    elections_for,
    simulate,
    summarize,
)
from ui import fast_figure as ff

DRAW_CHOICES: tuple[int, ...] = (1_000, 2_000, 5_000, 10_000, 20_000)
DEFAULT_DRAWS = 5_000
DEFAULT_SEED = 2024
MAX_SEED = 2**31 - 1
DEFAULT_MAX_PROB_OWING = 0.10  # "no more than 10% chance ..."
DEFAULT_OWING_THRESHOLD = 1_000_000.0  # "... of owing over $1M"


@dataclass(frozen=True)
class Template:
    """A blank ACO-year to start from when no real one is chosen (a mid-size ENHANCED ACO)."""

    performance_year: int = 2024
    track: str = "ENHANCED"
    benchmark: float = 200e6
    savings_rate: float = 0.02
    assigned_beneficiaries: int = 20_000
    quality_score: float = 0.85

    def aco_year(self) -> AcoYear:
        return AcoYear(
            performance_year=self.performance_year,
            track=self.track,
            benchmark=float(self.benchmark),
            expenditure=float(self.benchmark) * (1.0 - self.savings_rate),
            assigned_beneficiaries=int(self.assigned_beneficiaries),
            quality_score=float(self.quality_score),
        )


def next_year(performance_year: int) -> int:
    """The year settled: the one after the base, within the years the rule tables cover."""
    return min(max(int(performance_year) + 1, FIRST_YEAR), LAST_YEAR)


def next_year_base(base: AcoYear) -> AcoYear:
    """`base` moved to next year's rules: same benchmark, headcount, quality and agreement.

    What belonged to the base year alone is dropped: its share of losses forgiven for extreme and
    uncontrollable circumstances (next year's default applies), the Track 2 year count and the 2019
    six-month proration.
    """
    return replace(
        base,
        performance_year=next_year(base.performance_year),
        euc_share=None,
        track_2_year=None,
        proration=1.0,
    )


def _elections(target_year: int, offered_only: bool) -> list[Election]:
    elections = elections_for(target_year, offered_only=offered_only)
    return elections or elections_for(target_year, offered_only=False)  # none offered: every track


def run(
    base: AcoYear,
    calibration: Calibration,
    draws: int,
    seed: int,
    owing_threshold: float,
    *,
    offered_only: bool = True,
    new_agreement: bool = False,
) -> tuple[SimulationResult, pd.DataFrame]:
    """Simulate next year under every track x MSR/MLR election and summarize (the page's numbers)."""
    target = next_year_base(base)
    elections = _elections(target.performance_year, offered_only)
    result = simulate(target, calibration, draws, seed, elections, base_year=base.performance_year,
                      new_agreement=new_agreement)
    return result, summarize(result, owing_threshold=owing_threshold)


def at_this_years_rate(base: AcoYear, *, offered_only: bool = True) -> pd.DataFrame:
    """Next year's settlement at this year's savings rate, per election (all a one-year database allows)."""
    result = simulate(next_year_base(base), Calibration.normal(0.0, 0.0), 1, 0,
                      _elections(next_year(base.performance_year), offered_only))
    return summarize(result)[["election", "track", "msr_election", "payment_at_current_rate"]]


def current_election(base: AcoYear) -> Election | None:
    """This year's track and MSR/MLR election (None when the track is not one the simulation knows)."""
    try:
        return Election(base.track, base.msr_election)
    except (KeyError, ValueError):
        return None


def starts_new_agreement(base_year: int, current_start_date: object) -> bool:
    """Whether the year after `base_year` starts a new agreement (`uncertainty.agreement_last_year`)."""
    start = pd.to_datetime(current_start_date, errors="coerce")
    if pd.isna(start):
        return False
    return base_year + 1 > agreement_last_year(start.year, start.month)


def options(base: AcoYear, summary: pd.DataFrame, new_agreement: bool, *, known: bool = True) -> pd.DataFrame:
    """`uncertainty.election_options` for the summary's elections (`known`: this year's election is real)."""
    target = next_year(base.performance_year)
    elections = [Election(t, None if pd.isna(m) else float(m))
                 for t, m in zip(summary["track"], summary["msr_election"], strict=True)]
    current = current_election(base) if known else None
    return election_options(current, target, elections, new_agreement=new_agreement)


def recommend(summary: pd.DataFrame, max_prob_owing: float, owing_threshold: float,
              allowed: pd.DataFrame | None = None,
              statuses: tuple[str, ...] = (MAY, UNCERTAIN)) -> pd.Series | None:
    """The best expected payment within the risk appetite (`uncertainty.best_election`), among the
    elections whose status in `allowed` (from `options`) is one of `statuses`; every one without `allowed`."""
    if allowed is not None:
        summary = summary[allowed["may_elect"].isin(statuses).to_numpy()]
    return best_election(summary, max_prob_owing, owing_threshold)


def recommendation(summary: pd.DataFrame, max_prob_owing: float, owing_threshold: float,
                   allowed: pd.DataFrame) -> tuple[pd.Series | None, pd.Series | None]:
    """The page's answer: the best election the ACO may make, and a better one whose availability is
    uncertain (None when there is none). With nothing it surely may make, the uncertain one is the answer."""
    sure = recommend(summary, max_prob_owing, owing_threshold, allowed, (MAY,))
    maybe = recommend(summary, max_prob_owing, owing_threshold, allowed, (MAY, UNCERTAIN))
    if sure is None:
        return maybe, None
    if maybe is not None and maybe["election"] != sure["election"]:
        return sure, maybe
    return sure, None


@dataclass(frozen=True)
class Proof:
    """The backtest's figures the page shows (`aco_model.backtest`), small enough to cache."""

    table: pd.DataFrame
    reliability_paid: pd.DataFrame
    reliability_owes: pd.DataFrame
    forecasts: int
    first_year: int
    last_year: int
    synthetic: bool
    skipped: dict[int, str]

    def overall(self, column: str) -> float:
        return float(self.table.loc[self.table["year"] == "overall", column].iloc[0])

    def coverage_range(self) -> tuple[tuple[str, float], tuple[str, float]]:
        """The target years with the lowest and the highest 80% interval coverage."""
        years = self.table[self.table["year"] != "overall"]
        low, high = years.loc[years["model 80%"].idxmin()], years.loc[years["model 80%"].idxmax()]
        return (str(low["year"]), float(low["model 80%"])), (str(high["year"]), float(high["model 80%"]))


def prove(rows: pd.DataFrame) -> Proof | None:
    """The backtest on the database's real ACO-years (its synthetic ones if it has no real one)."""
    synthetic = rows["synthetic"].fillna(False).astype(bool) if "synthetic" in rows else pd.Series(False)
    real = rows[~synthetic.to_numpy()] if len(synthetic) == len(rows) else rows
    use, is_synthetic = (real, False) if len(real) else (rows, True)
    result = proof_on_history.backtest(use)
    if result.forecasts.empty:
        return None
    years = result.forecasts["target_year"]
    return Proof(
        table=result.table(), reliability_paid=result.reliability("paid"),
        reliability_owes=result.reliability("owes"), forecasts=len(result.forecasts) // 2,
        first_year=int(years.min()), last_year=int(years.max()), synthetic=is_synthetic,
        skipped=result.skipped,
    )


def calibration_gap(reliability: pd.DataFrame, model: str = "mean_reversion") -> float:
    """How far forecast chances were from what happened: the ACO-year-weighted mean |forecast - observed|
    over the reliability chart's bins (0.05 = 5 points)."""
    points = reliability[reliability["model"] == model]
    if points.empty:
        return float("nan")
    gap = (points["forecast"] - points["observed"]).abs()
    return float((gap * points["count"]).sum() / points["count"].sum())


def trust_sentence(proof: Proof) -> str:
    """One sentence: how far to trust the forecast, with the backtest's figures."""
    (low_year, low), (high_year, high) = proof.coverage_range()
    data = "synthetic demo ACO-years" if proof.synthetic else "real ACO-years"
    brier, baseline = proof.overall("model Brier paid"), proof.overall("random walk Brier paid")
    gap = calibration_gap(proof.reliability_paid) * 100
    return (
        f"Forecasting {proof.forecasts:,} {data} (PY{proof.first_year}-{proof.last_year}), each from the "
        f"years before it only, next year's savings rate fell inside the forecast's 80% range "
        f"{proof.overall('model 80%'):.0%} of the time (from {low:.0%} in PY{low_year} to {high:.0%} in "
        f"PY{high_year}: one year's shock moves every ACO at once) and the chance of being paid was off by "
        f"{gap:.1f} points on average (Brier score {brier:.3f}, former random walk {baseline:.3f}): "
        f"trust the odds to within a few points, not a single year's outcome."
    )


MODEL_NAMES = {"mean_reversion": "This forecast", "random_walk": "Former random walk"}
MIN_BIN_COUNT = 20  # reliability bins with fewer ACO-years are left out of the chart (too noisy to read)
MODEL_COLORS = {"mean_reversion": "#1f5fa8", "random_walk": "#b0b0b0"}


def reliability_figure(proof: Proof) -> go.Figure:
    """Forecast probability (binned) against how often it happened: P(paid) and P(owes) side by side."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08)
    panels = {1: "Forecast chance of being paid shared savings",
              2: "Forecast chance of owing shared losses (two-sided ACOs)"}
    for col, frame in ((1, proof.reliability_paid), (2, proof.reliability_owes)):
        frame = frame[frame["count"] >= MIN_BIN_COUNT]
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#666"},
                                 name="Perfectly calibrated", showlegend=col == 1, hoverinfo="skip"),
                      row=1, col=col)
        for model in ("random_walk", "mean_reversion"):
            points = frame[frame["model"] == model]
            fig.add_trace(go.Scatter(
                x=points["forecast"], y=points["observed"], mode="lines+markers", name=MODEL_NAMES[model],
                showlegend=col == 1,
                line={"color": MODEL_COLORS[model], "width": 2.5 if model == "mean_reversion" else 1.5},
                marker={"size": 6 + 14 * (points["count"] / max(1, frame["count"].max())) ** 0.5},
                customdata=points[["count", "bin_low", "bin_high"]].to_numpy(),
                hovertemplate=("forecast %{customdata[1]:.0%}-%{customdata[2]:.0%}: mean %{x:.1%}, "
                               "happened %{y:.1%} of %{customdata[0]:,} ACO-years<extra></extra>"),
            ), row=1, col=col)
        fig.update_xaxes(title_text=panels[col], tickformat=".0%", range=[0, 1], row=1, col=col)
        fig.update_yaxes(title_text="How often it happened", tickformat=".0%", range=[0, 1], row=1, col=col)
    fig.update_layout(
        title=f"Forecast against what happened, PY{proof.first_year}-{proof.last_year} (backtest)",
        height=450, legend={"orientation": "h", "y": -0.22, "x": 0},
    )
    return fig


def election_boxes(boxes: pd.DataFrame, visible: np.ndarray, best: str | None, closed: set[str],
                   target: int, draws: int) -> go.Figure:
    """Next year's payment by election as horizontal boxes (quantiles from `box_stats`): the recommendation
    green, elections closed to the ACO grey, a dotted line at zero. Written as plotly's JSON (ui.fast_figure):
    the page redraws it whenever the simulation changes."""
    traces = []
    for b in boxes[visible].itertuples():
        color = "#b8b8b8" if b.election in closed else "#2e7d32" if b.election == best else "#1f77b4"
        traces.append({"boxmean": True, "lowerfence": [b.p05], "marker": {"color": color},
                       "mean": [b.mean], "median": [b.median], "name": b.election, "orientation": "h",
                       "q1": [b.p25], "q3": [b.p75], "showlegend": False, "upperfence": [b.p95],
                       "y": [b.election], "type": "box"})
    return ff.figure(traces, {
        "shapes": [ff.vline(0, "grey", "dot")],
        "title": {"text": f"Next year's payment by election, PY{target} ({draws:,} draws)"},
        "xaxis": {"title": {"text": "Shared savings (+) / losses (-)"}, "tickprefix": "$"},
        "height": max(320, 26 * int(visible.sum()) + 120), "yaxis": {"autorange": "reversed"},
    })


def track_choices() -> list[str]:
    return list(TRACKS)


def box_stats(result: SimulationResult, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per election: the quantiles a box chart needs (5th, 25th, 50th, 75th, 95th), mean, extremes.

    With the result's `summary` (`run`), what it holds already (5th, 50th, 95th percentile, mean, extremes:
    the same numbers) is taken from it and only the quartiles are computed."""
    e = result.earned
    if summary is None:
        p05, p25, p50, p75, p95 = np.percentile(e, [5, 25, 50, 75, 95], axis=1)
        mean, worst, best = e.mean(axis=1), e.min(axis=1), e.max(axis=1)
    else:
        p25, p75 = np.percentile(e, [25, 75], axis=1)
        p05, p50, p95, mean, worst, best = (summary[c].to_numpy() for c in (
            "p05_payment", "median_payment", "p95_payment", "expected_payment", "worst_case", "best_case"))
    return pd.DataFrame({
        "election": [x.label for x in result.elections],
        "p05": p05, "p25": p25, "median": p50, "p75": p75, "p95": p95,
        "mean": mean, "worst": worst, "best": best,
    })
