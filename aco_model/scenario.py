"""A what-if scenario for one ACO-year, and the comparisons drawn from it.

A scenario starts from a real ACO-year (or a template) and changes what a user controls: the
benchmark (a percent change on a base, in dollars), expenditure, assigned beneficiaries, quality
score and standard, track or level, MSR/MLR election and participant revenue. From it come the
settlement (`settle`), the payment-versus-savings-rate curve of the chosen track
(`payment_curve`) and the same scenario under every track (`every_track`), each with the savings
rates at which it starts paying or owing.

Example: a BASIC Level E ACO with a $600.5M benchmark that spends $577.8M (3.79% savings), elected
a 1.5% MSR, met the quality standard: earns 0.5 x 22.74M x 0.98 = $11.14M (PY2024 ACO A1026).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from aco_model.reconciliation import AcoYear, Settlement, settle
from aco_model.rules import TRACKS, is_offered
from aco_model.vectorized import settle_frame

QualityStandard = Literal["auto", "met", "alternative", "not met"]
QUALITY_STANDARDS: tuple[str, ...] = ("auto", "met", "alternative", "not met")
CURVE_RATES = np.round(np.linspace(-0.20, 0.20, 801), 6)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Inputs a user controls. Money in dollars, rates and scores as fractions.

    `quality_standard`: "auto" = met when the score reaches the year's standard (425.512); "met" /
    "not met" force it (e.g. met through the reporting incentive or the first-year rule);
    "alternative" = only the alternative standard met (PY2023+ sliding scale).
    """

    performance_year: int
    track: str
    base_benchmark: float
    expenditure: float
    assigned_beneficiaries: int
    quality_score: float
    benchmark_change: float = 0.0
    quality_standard: QualityStandard = "auto"
    msr_election: float | None = None
    participant_revenue: float | None = None
    euc_share: float | None = None
    low_revenue: bool = False
    agreement_start_year: int | None = None
    pay_for_reporting: bool = False

    @property
    def benchmark(self) -> float:
        return self.base_benchmark * (1.0 + self.benchmark_change)

    @property
    def savings_rate(self) -> float:
        return (self.benchmark - self.expenditure) / self.benchmark if self.benchmark else 0.0

    def with_track(self, track: str) -> Scenario:
        return replace(self, track=track)

    def aco_year(self) -> AcoYear:
        met = {"auto": None, "met": True, "alternative": False, "not met": False}[self.quality_standard]
        return AcoYear(
            performance_year=self.performance_year,
            track=self.track,
            benchmark=self.benchmark,
            expenditure=self.expenditure,
            assigned_beneficiaries=self.assigned_beneficiaries,
            quality_score=self.quality_score,
            pay_for_reporting=self.pay_for_reporting,
            met_quality_standard=met,
            met_alternative_quality_standard=self.quality_standard == "alternative",
            msr_election=self.msr_election,
            participant_revenue=self.participant_revenue,
            euc_share=self.euc_share,
            low_revenue=self.low_revenue,
            agreement_start_year=self.agreement_start_year,
        )

    def settle(self) -> Settlement:
        return settle(self.aco_year())


def scenario_from(aco_year: AcoYear) -> Scenario:
    """The scenario that reproduces an ACO-year as CMS settled it (no change yet)."""
    standard: QualityStandard = (
        "alternative" if aco_year.met_alternative_quality_standard and not aco_year.met_quality_standard
        else "auto" if aco_year.met_quality_standard is None
        else "met" if aco_year.met_quality_standard else "not met"
    )
    return Scenario(
        performance_year=aco_year.performance_year,
        track=aco_year.track,
        base_benchmark=aco_year.benchmark,
        expenditure=aco_year.expenditure,
        assigned_beneficiaries=aco_year.assigned_beneficiaries,
        quality_score=1.0 if aco_year.quality_score is None else aco_year.quality_score,
        quality_standard=standard,
        msr_election=aco_year.msr_election,
        participant_revenue=aco_year.participant_revenue,
        euc_share=aco_year.euc_share,
        low_revenue=aco_year.low_revenue,
        agreement_start_year=aco_year.agreement_start_year,
        pay_for_reporting=aco_year.pay_for_reporting,
    )


def _grid(scenario: Scenario, tracks: list[str], rates: np.ndarray) -> pd.DataFrame:
    base = scenario.aco_year().to_frame().iloc[0].to_dict()
    frame = pd.DataFrame(
        [dict(base, track=t) for t in tracks for _ in rates]
    )
    frame["savings_rate_input"] = np.tile(rates, len(tracks))
    frame["expenditure"] = frame["benchmark"] * (1.0 - frame["savings_rate_input"])
    return frame


def payment_curve(scenario: Scenario, rates: np.ndarray = CURVE_RATES) -> pd.DataFrame:
    """Earned amount at each savings rate for the scenario's track (one vectorized settlement).

    Columns: savings_rate, earned, outcome (0 corridor, 1 savings, 2 losses, 3 reduced sharing).
    """
    grid = _grid(scenario, [scenario.track], rates)
    out = settle_frame(grid)
    return pd.DataFrame(
        {"savings_rate": grid["savings_rate_input"], "earned": out["earned"], "outcome": out["outcome"]}
    )


def every_track(scenario: Scenario, rates: np.ndarray = CURVE_RATES) -> pd.DataFrame:
    """The scenario under every track: result, rates, and where payments and losses begin.

    `pays_from`: the lowest savings rate on the grid (0.05-point steps) at which the ACO is paid;
    `owes_below`: the highest savings rate at which it owes money (NaN for one-sided tracks).
    """
    tracks = list(TRACKS)
    now = settle_frame(pd.concat([scenario.with_track(t).aco_year().to_frame() for t in tracks],
                                 ignore_index=True))
    grid = _grid(scenario, tracks, rates)
    curve = settle_frame(grid)
    earned = curve["earned"].to_numpy().reshape(len(tracks), len(rates))
    msr = now["minimum_savings_rate"].to_numpy()
    mlr = now["minimum_loss_rate"].to_numpy()
    lowest_paid = np.where(earned > 0, rates[None, :], np.inf).min(axis=1)
    # The grid only says whether and roughly where; the corridor's edge is exact (425.604(b)).
    pays = np.where(np.isinf(lowest_paid), np.inf, np.where(lowest_paid < msr - 1e-9, lowest_paid, msr))
    owes = np.where((earned < 0).any(axis=1), -mlr, -np.inf)
    return pd.DataFrame(
        {
            "track": tracks,
            "label": [TRACKS[t].label for t in tracks],
            "offered": [is_offered(t, scenario.performance_year) for t in tracks],
            "two_sided": [TRACKS[t].two_sided for t in tracks],
            "earned": now["earned"].to_numpy(),
            "final_sharing_rate": now["final_sharing_rate"].to_numpy(),
            "final_loss_rate": now["final_loss_rate"].to_numpy(),
            "minimum_savings_rate": now["minimum_savings_rate"].to_numpy(),
            "minimum_loss_rate": now["minimum_loss_rate"].to_numpy(),
            "pays_from": np.where(np.isinf(pays), np.nan, pays),
            "owes_below": np.where(np.isinf(owes), np.nan, owes),
        }
    )
