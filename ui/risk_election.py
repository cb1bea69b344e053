"""Risk-election page glue (no Streamlit): the base ACO-year for next year and the simulation run.

The page simulates the year after the chosen ACO-year: the savings rate moves by a change drawn from
the history (`aco_model.uncertainty.calibrate`), the benchmark, headcount, quality and agreement stay,
and every draw is settled under the rules of that next year (capped at the last year with rules).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from aco_model.reconciliation import AcoYear
from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS
from aco_model.uncertainty import (
    Calibration,
    SimulationResult,
    best_election,
    elections_for,
    simulate,
    summarize,
)

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


def run(
    base: AcoYear,
    calibration: Calibration,
    draws: int,
    seed: int,
    owing_threshold: float,
    *,
    offered_only: bool = True,
) -> tuple[SimulationResult, pd.DataFrame]:
    """Simulate next year under every track x MSR/MLR election and summarize (the page's numbers)."""
    target = next_year_base(base)
    elections = elections_for(target.performance_year, offered_only=offered_only)
    if not elections:  # no track offered that year: every track
        elections = elections_for(target.performance_year, offered_only=False)
    result = simulate(target, calibration, draws, seed, elections)
    return result, summarize(result, owing_threshold=owing_threshold)


def recommend(summary: pd.DataFrame, max_prob_owing: float, owing_threshold: float) -> pd.Series | None:
    """The best expected payment within the risk appetite (`uncertainty.best_election`)."""
    return best_election(summary, max_prob_owing, owing_threshold)


def track_choices() -> list[str]:
    return list(TRACKS)


def box_stats(result: SimulationResult) -> pd.DataFrame:
    """Per election: the quantiles a box chart needs (5th, 25th, 50th, 75th, 95th), mean, extremes."""
    e = result.earned
    p05, p25, p50, p75, p95 = np.percentile(e, [5, 25, 50, 75, 95], axis=1)
    return pd.DataFrame({
        "election": [x.label for x in result.elections],
        "p05": p05, "p25": p25, "median": p50, "p75": p75, "p95": p95,
        "mean": e.mean(axis=1), "worst": e.min(axis=1), "best": e.max(axis=1),
    })
