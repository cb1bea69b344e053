"""Settlement (financial reconciliation) of one ACO-year, with every intermediate number and its rule.

Worked example (PY2014, Track 1, ACO A67373; 42 CFR 425.604):
    N = 34,601 -> MSR = 2.5% - 14,601 / 29,999 x 0.3% = 2.353985%
    B = 450,902,466, X = 418,729,017 -> G = 32,173,449, s = 7.135346% >= MSR: savings qualify
    q = 0.916964286 -> r_s = 0.5 x q = 0.458482143
    r_s x G = 14,750,951.85 (< payment limit 0.10 x B = 45,090,246.60)
    x 0.98 sequestration = 14,455,932.81; CMS published 14,455,933.

>>> r = settle(AcoYear(2014, "TRACK_1", 450_902_466, 418_729_017, 34_601, quality_score=0.916964286))
>>> round(r.earned)
14455933
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from aco_model.msr import MSR_BELOW_500_WARNING, MSR_RULES
from aco_model.quality import LOSS_RULES, SHARING_RULES
from aco_model.rules import track_rules, year_rules
from aco_model.validation import InputError
from aco_model.vectorized import (
    OPTIONAL_DEFAULTS,
    OUTCOMES,
    REQUIRED,
    RESULT_COLUMNS,
    TRACK_ORDER,
    settle_arrays,
)


@dataclass(frozen=True, slots=True)
class AcoYear:
    """Inputs of one ACO-year's settlement. Money in dollars, rates and scores as fractions.

    `msr_election`: None = variable (table) MSR/MLR, else 0, 0.005, 0.01, 0.015 or 0.02.
    `participant_revenue`: the ACO participants' Parts A+B FFS revenue (revenue-based loss limits of
    BASIC C-E and Track 1+); None = unknown, only the benchmark-based limit applies.
    `euc_share`: share of shared losses forgiven for extreme and uncontrollable circumstances
    (None = the year's default). `proration`: 0.5 for the 2019 six-month years (425.609).
    """

    performance_year: int
    track: str
    benchmark: float
    expenditure: float
    assigned_beneficiaries: int
    quality_score: float | None = None
    pay_for_reporting: bool = False
    met_quality_standard: bool | None = None
    met_alternative_quality_standard: bool = False
    msr_election: float | None = None
    participant_revenue: float | None = None
    euc_share: float | None = None
    low_revenue: bool = False
    agreement_start_year: int | None = None
    track_2_year: int | None = None
    proration: float = 1.0

    def to_frame(self) -> pd.DataFrame:
        row = {k: (np.nan if v is None else v) for k, v in asdict(self).items()}
        return pd.DataFrame([row])


@dataclass(frozen=True, slots=True)
class Step:
    """One bar of the settlement waterfall: a labelled change in dollars and the rule behind it."""

    label: str
    amount: float
    rule: str


@dataclass(frozen=True, slots=True)
class Settlement:
    """Every intermediate number of one ACO-year's settlement, and which rule produced it."""

    inputs: AcoYear
    gross_savings: float
    savings_rate: float
    minimum_savings_rate: float
    minimum_loss_rate: float | None
    outcome: str
    final_sharing_rate: float
    final_loss_rate: float | None
    shared_savings_before_limit: float
    sequestration: float
    payment_limit: float
    shared_savings: float
    shared_loss_before_limit: float
    loss_limit: float | None
    loss_limit_binding: bool
    shared_loss: float
    euc_reduction: float
    proration_adjustment: float
    earned: float
    msr_rule: str
    sharing_rule: str
    loss_rule: str
    track_citation: str
    # Plain-text caveats on this result (e.g. an MSR not known from public rules); empty when none.
    warnings: tuple[str, ...] = ()

    @property
    def owes(self) -> bool:
        return self.earned < 0

    def to_dict(self) -> dict[str, object]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "inputs"}
        out["inputs"] = asdict(self.inputs)
        out["warnings"] = list(self.warnings)
        if out["loss_limit"] is not None and np.isinf(out["loss_limit"]):
            out["loss_limit"] = None
        return out

    def steps(self) -> list[Step]:
        """The waterfall from gross savings to the final payment (+) or bill (-)."""
        out = [Step("Gross savings (benchmark - expenditure)", self.gross_savings, "425.604(a)")]
        if self.outcome == "inside corridor":
            out.append(Step("Inside the MSR/MLR corridor", -self.gross_savings, self.msr_rule))
        elif self.earned >= 0 and self.shared_savings_before_limit > 0:
            out.append(Step(f"Sharing at {self.final_sharing_rate:.2%}",
                            self.shared_savings_before_limit - self.gross_savings, self.sharing_rule))
            out.append(Step("Sequestration", -self.sequestration, "Budget Control Act 2011"))
            capped = self.shared_savings - (self.shared_savings_before_limit - self.sequestration)
            if capped < 0:
                out.append(Step("Performance payment limit", capped, self.track_citation))
        elif self.shared_loss_before_limit > 0:
            rate = self.final_loss_rate or 0.0
            out.append(Step(f"Shared loss rate {rate:.2%}",
                            -self.shared_loss_before_limit - self.gross_savings, self.loss_rule))
            if self.loss_limit_binding:
                out.append(Step("Loss limit", self.shared_loss_before_limit - self.shared_loss,
                                self.track_citation))
            if self.euc_reduction:
                out.append(Step("Extreme and uncontrollable circumstances", self.euc_reduction,
                                "425.605(f)/425.606(i)/425.610(i)"))
        else:
            out.append(Step("No sharing (quality)", -self.gross_savings, self.sharing_rule))
        if self.proration_adjustment:
            out.append(Step("Six-month proration", self.proration_adjustment, "425.609"))
        return out


def settle(aco_year: AcoYear) -> Settlement:
    """Settle one ACO-year the way CMS does (42 CFR 425.604-425.610); see the module example.

    Refuses inputs the engine cannot settle (see `vectorized.settle_frame`) with a ValueError whose
    one-line message names the field and value, e.g. "benchmark must be a finite dollar amount above
    0, got nan". Below 500 beneficiaries the MSR is an assumption, said in `warnings`:

    >>> settle(AcoYear(2017, "TRACK_1", 1_475_739, 1_413_358, 152, quality_score=0.3949)).warnings[0][:50]
    'The minimum savings rate below 500 assigned benefi'
    """
    rules = track_rules(aco_year.track)
    year_rules(aco_year.performance_year)
    values = asdict(aco_year)  # one-element arrays, no DataFrame: a what-if answer in well under 1 ms
    data = {name: None if values.get(name) is None else np.array([values[name]], dtype=float)
            for name in (*REQUIRED[2:], *OPTIONAL_DEFAULTS)}
    try:
        result = settle_arrays(np.array([TRACK_ORDER.index(aco_year.track)]),
                               np.array([aco_year.performance_year], dtype=np.int64), data,
                               list(RESULT_COLUMNS), original=lambda name, rows: [values[name]])
    except InputError as exc:
        raise exc.for_one_row() from None
    row = {name: array[0] for name, array in result.items()}
    two_sided = rules.two_sided
    limit = float(row["loss_limit"])
    return Settlement(
        inputs=aco_year,
        gross_savings=float(row["gross_savings"]),
        savings_rate=float(row["savings_rate"]),
        minimum_savings_rate=float(row["minimum_savings_rate"]),
        minimum_loss_rate=float(row["minimum_loss_rate"]) if two_sided else None,
        outcome=OUTCOMES[int(row["outcome"])],
        final_sharing_rate=float(row["final_sharing_rate"]),
        final_loss_rate=float(row["final_loss_rate"]) if two_sided else None,
        shared_savings_before_limit=float(row["shared_savings_before_limit"]),
        sequestration=float(row["sequestration"]),
        payment_limit=float(row["payment_limit"]),
        shared_savings=float(row["shared_savings"]),
        shared_loss_before_limit=float(row["shared_loss_before_limit"]),
        loss_limit=None if np.isinf(limit) else limit,
        loss_limit_binding=bool(row["loss_limit_binding"]),
        shared_loss=float(row["shared_loss"]),
        euc_reduction=float(row["euc_reduction"]),
        proration_adjustment=float(row["proration_adjustment"]),
        earned=float(row["earned"]),
        msr_rule=MSR_RULES[int(row["msr_rule"])],
        sharing_rule=SHARING_RULES[int(row["sharing_rule"])],
        loss_rule=LOSS_RULES[int(row["loss_rule"])],
        track_citation=rules.citation,
        warnings=(MSR_BELOW_500_WARNING,) if row["msr_below_500_assumed"] else (),
    )
