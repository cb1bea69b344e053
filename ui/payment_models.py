"""Payment-models page glue (no Streamlit): a real ACO's up-front payments rebuilt from its published
rows, CMS's published recoupment beside the model's, and Pioneer's payment curve beside the MSSP's.

The public files give, per ACO-year, the up-front payment balance CMS could recoup (`Adv_Pay_Amt`,
`AIPBalance`), what it recouped (`Adv_Pay_Recoup`, `AIPRecoup`) and the earned shared savings before
recoupment (`EarnSaveLoss`), but not the payment schedule itself: the schedule is rebuilt from the
program's rules (`aco_model.payment_models.payment_schedule`) with the beneficiary count (Advance
Payment, AIM) or the quarterly rate (AIP) that reproduces the largest published balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from aco_model.payment_model_rules import (
    AIP_MAX_QUARTERLY_RATE,
    PIONEER_MSR_ANCHORS,
    PIONEER_PBP_DEFAULT_SHARE,
    PIONEER_RULES,
    PIONEER_SEQUESTRATION,
    SETTLEMENT_MONTH_AFTER_PY,
    UPFRONT_PROGRAMS,
)
from aco_model.payment_models import (
    MAX_SETTLEMENT_YEARS,
    advance_payment_fit,
    payment_schedule,
    recoupment_timeline,
    settle_pioneer,
)
from aco_model.reconciliation import AcoYear
from aco_model.rules import FIRST_YEAR, LAST_YEAR, track_rules
from aco_model.vectorized import settle_frame

PROGRAMS: tuple[str, ...] = tuple(UPFRONT_PROGRAMS)
# AIM paid ACOs that had started in 2012-2014 from January 2016 (the model's first payment month for
# them) [recall, unconfirmed]: the rebuilt schedule starts then.
AIM_EXISTING_FIRST_PAYMENT = date(2016, 1, 1)


@dataclass(frozen=True)
class UpfrontCase:
    """Everything needed to chart one ACO's up-front payments and their recoupment."""

    program: str
    start: date
    beneficiaries: int
    rate: float | None
    earned_by_year: dict[int, float]
    terminated_on: date | None = None
    published: pd.DataFrame | None = None  # per year: CMS's balance, recouped, still owed
    notes: tuple[str, ...] = field(default=())

    def schedule(self) -> pd.DataFrame:
        return payment_schedule(self.program, self.start, self.beneficiaries, rate=self.rate)

    def timeline(self) -> pd.DataFrame:
        return recoupment_timeline(self.schedule(), self.earned_by_year, terminated_on=self.terminated_on)


def program_of(rows: pd.DataFrame) -> str | None:
    """Which up-front program an ACO's rows show (AIP, AIM, AIM for 2012-2014 starters, Advance Payment)."""
    def flagged(col: str) -> bool:
        return col in rows and bool(rows[col].fillna(False).astype(bool).any())

    if flagged("advance_investment_payment"):
        return "AIP"
    if flagged("aco_investment_model"):
        start = pd.to_datetime(rows.get("initial_start_date"), errors="coerce").min()
        return "AIM_EXISTING" if pd.notna(start) and start.year <= 2014 else "AIM"
    if flagged("advance_payment"):
        return "ADVANCE_PAYMENT"
    return None


def _start(rows: pd.DataFrame, program: str) -> date:
    dates = pd.concat(
        [pd.to_datetime(rows.get(c), errors="coerce") for c in ("initial_start_date", "current_start_date")
         if c in rows]
    ).dropna()
    first_year = int(rows["performance_year"].min())
    if program == "AIP":
        flagged = rows[rows["advance_investment_payment"].fillna(False).astype(bool)]
        starts = pd.to_datetime(flagged.get("current_start_date"), errors="coerce").dropna()
        return starts.min().date() if len(starts) else date(int(flagged["performance_year"].min()), 1, 1)
    if program == "AIM_EXISTING":
        return AIM_EXISTING_FIRST_PAYMENT
    return dates.min().date() if len(dates) else date(first_year, 1, 1)


def published_recoupment(rows: pd.DataFrame, program: str) -> pd.DataFrame:
    """CMS's published numbers per performance year: the balance a settlement could recoup, what it
    recouped, what was left of that balance, and the earned savings before recoupment."""
    r = rows.sort_values("performance_year")
    if program == "AIP":
        balance, recouped = r.get("aip_balance"), r.get("aip_recouped")
        owed = r.get("aip_owed")
    else:
        balance, recouped = r.get("advance_payment_amount"), r.get("advance_payment_recouped")
        owed = None
    out = pd.DataFrame({
        "performance_year": r["performance_year"].astype(int).to_numpy(),
        "published_balance": pd.to_numeric(balance, errors="coerce").to_numpy(dtype=float),
        "published_recouped": pd.to_numeric(recouped, errors="coerce").to_numpy(dtype=float),
        "earned_savings": pd.to_numeric(r.get("cms_earned_savings_losses"), errors="coerce").to_numpy(float),
    })
    if owed is not None:
        out["published_balance_left"] = pd.to_numeric(owed, errors="coerce").to_numpy(dtype=float)
    else:
        out["published_balance_left"] = out["published_balance"] - out["published_recouped"]
    return out


def case_from_rows(rows: pd.DataFrame) -> UpfrontCase:
    """Rebuild one ACO's up-front payments from its `aco_year` rows (one aco_id, any years)."""
    program = program_of(rows)
    if program is None:
        raise ValueError("these rows show no Advance Payment, AIM or AIP participation")
    rules = UPFRONT_PROGRAMS[program]
    rows = rows.sort_values("performance_year")
    start = _start(rows, program)
    published = published_recoupment(rows, program)
    notes: list[str] = []
    n_first = int(pd.to_numeric(rows["assigned_beneficiaries"], errors="coerce").dropna().iloc[0])
    largest = float(np.nan_to_num(published["published_balance"].max(), nan=0.0))
    rate: float | None = None
    beneficiaries = n_first
    if program == "AIP":
        n = min(n_first, rules.beneficiary_cap or n_first)
        quarters_in_first_year = 4
        if largest > rules.fixed_payment and n > 0:
            rate = min((largest - rules.fixed_payment) / (quarters_in_first_year * n), AIP_MAX_QUARTERLY_RATE)
            notes.append(
                f"Quarterly rate ${rate:,.2f} per beneficiary: the one that reproduces the published "
                f"first-year balance ${largest:,.0f} with {n:,} beneficiaries (the risk-factors tiers "
                "of 425.630(d) are unconfirmed)."
            )
        else:
            rate = AIP_MAX_QUARTERLY_RATE
            notes.append("No published AIP balance to fit: the top rate ($45 a quarter) is assumed.")
    elif largest > 0:
        fit = advance_payment_fit(np.array([largest]), pd.Series([start]), program).iloc[0]
        if bool(fit["fits"]):
            beneficiaries = int(round(float(fit["beneficiaries"])))
            notes.append(
                f"{beneficiaries:,} beneficiaries: the count whose full schedule equals the largest "
                f"published balance (${largest:,.0f})."
            )
        else:
            notes.append(
                f"The largest published balance (${largest:,.0f}) is not a full schedule of whole "
                f"beneficiaries; the first year's {n_first:,} assigned beneficiaries are used."
            )
    earned = {
        int(y): float(e)
        for y, e in zip(published["performance_year"], published["earned_savings"], strict=True)
        if pd.notna(e) and date(int(y), 12, 31) >= start
    }
    return UpfrontCase(
        program=program, start=start, beneficiaries=beneficiaries, rate=rate, earned_by_year=earned,
        published=published, notes=tuple(notes),
    )


def comparison(case: UpfrontCase, timeline: pd.DataFrame) -> pd.DataFrame:
    """Per performance year: the model's recoupment beside CMS's published one (when there is one).

    `*_balance` is what the settlement could recoup, `*_balance_left` that balance less the recoupment
    (CMS's `AIPOwe`; Adv_Pay_Amt - Adv_Pay_Recoup), `model_outstanding` everything paid to date less
    everything recouped (it includes payments the settlement could not yet recoup, e.g. AIP's
    second-year quarters)."""
    settled = timeline[timeline["event"] == "recoupment"].copy()
    model = pd.DataFrame({
        "performance_year": settled["performance_year"].astype(int).to_numpy(),
        "earned_savings": settled["earned_savings"].to_numpy(dtype=float),
        "model_balance": settled["recoupable_balance"].to_numpy(dtype=float),
        "model_recouped": settled["recouped"].to_numpy(dtype=float),
        "model_balance_left": (settled["recoupable_balance"] - settled["recouped"]).to_numpy(dtype=float),
        "model_outstanding": settled["outstanding"].to_numpy(dtype=float),
    })
    if case.published is None:
        return model
    pub = case.published.drop(columns="earned_savings")
    out = model.merge(pub, on="performance_year", how="outer").sort_values("performance_year")
    out["recouped_difference"] = out["model_recouped"] - out["published_recouped"]
    return out.reset_index(drop=True)


def parse_money_list(text: str) -> list[float]:
    """"0, 1.2M, 800k, -2M" -> dollars, one a performance year.

    Raises ValueError, its message a short reason, on anything else or on more amounts than a timeline
    takes (`MAX_SETTLEMENT_YEARS`).
    """
    out = []
    for part in str(text).replace(";", ",").split(","):
        token = part.strip().replace("$", "").replace(" ", "").lower()
        if not token:
            continue
        scale = 1.0
        if token[-1] in "kmb":
            scale = {"k": 1e3, "m": 1e6, "b": 1e9}[token[-1]]
            token = token[:-1]
        try:
            value = float(token.replace("_", "")) * scale
        except ValueError:
            value = np.nan
        if not np.isfinite(value):
            raise ValueError("not a list of dollar amounts")
        out.append(value)
        if len(out) > MAX_SETTLEMENT_YEARS:
            raise ValueError(f"more than {MAX_SETTLEMENT_YEARS} performance years")
    return out


def settlement_dates_note() -> str:
    month, day = SETTLEMENT_MONTH_AFTER_PY
    return (
        f"Recoupment is dated {date(2000, month, day):%B} {day} of the year after each performance year "
        "(when CMS settled) [recall: unconfirmed date]; EarnSaveLoss is before recoupment."
    )


# --- Pioneer ------------------------------------------------------------------------------------


PIONEER_YEARS: dict[int, int] = {y: 2011 + y for y in range(1, 6)}  # model year -> calendar year


def mssp_year_for(model_year: int) -> int:
    """The MSSP year compared with a Pioneer model year (calendar year, at least the MSSP's first)."""
    return min(max(PIONEER_YEARS[int(model_year)], FIRST_YEAR), LAST_YEAR)


def unconfirmed_parameters(arrangement: str, model_year: int) -> list[str]:
    """The Pioneer parameters behind a settlement that no confirmed source backs (tagged [recall])."""
    rules = PIONEER_RULES[(arrangement, int(model_year))]
    out = []
    if "[recall]" in rules.source:
        out.append(
            f"{arrangement.title()} arrangement, year {model_year}: sharing rate "
            f"{rules.max_sharing_rate:.0%}, loss rate {rules.shared_loss_rate:.0%}, "
            f"caps {rules.savings_cap:.0%} / {rules.loss_cap:.0%} "
            f"of the benchmark ({rules.source})."
        )
    else:
        out.append(
            f"{arrangement.title()} arrangement, year {model_year}: loss rate taken flat at "
            f"{rules.shared_loss_rate:.0%} (not quality-adjusted) [recall]; rates and caps {rules.source}."
        )
    (lo_n, hi_rate), (hi_n, lo_rate) = PIONEER_MSR_ANCHORS[0], PIONEER_MSR_ANCHORS[-1]
    out.append(
        f"MSR = MLR from {hi_rate:.1%} at {lo_n:,} aligned beneficiaries down to {lo_rate:.1%} at "
        f"{hi_n:,}, linear in between: only the 1.0%-2.7% range is recalled, the anchors are ours."
    )
    out.append(
        f"Sequestration x {PIONEER_SEQUESTRATION.get(int(model_year), 1.0):g} on shared savings [recall]."
    )
    if rules.quality == "reporting":
        out.append(f"Year {model_year} taken as pay for reporting (full sharing rate) [recall].")
    out.append(
        f"Population-based payment: share chosen by the ACO, {PIONEER_PBP_DEFAULT_SHARE:.0%} usually "
        "quoted [recall]; it advances FFS revenue and leaves the reconciliation unchanged."
    )
    return out


def payment_curves(
    model_year: int,
    benchmark: float,
    aligned_beneficiaries: int,
    quality_score: float | None,
    *,
    arrangement: str,
    mssp_track: str,
    msr_election: float | None,
    low: float = -0.15,
    high: float = 0.15,
    points: int = 121,
) -> pd.DataFrame:
    """Earned shared savings (+) or losses (-) against the savings rate, Pioneer and the MSSP track."""
    rates = np.round(np.linspace(low, high, points), 6)
    pioneer = [
        settle_pioneer(model_year, benchmark, benchmark * (1 - s), aligned_beneficiaries, quality_score,
                       arrangement=arrangement).earned
        for s in rates
    ]
    year = mssp_year_for(model_year)
    reporting = PIONEER_RULES[(arrangement, int(model_year))].quality == "reporting"
    base = AcoYear(year, mssp_track, float(benchmark), float(benchmark), int(aligned_beneficiaries),
                   quality_score=None if reporting else quality_score, pay_for_reporting=reporting,
                   msr_election=msr_election)
    one = base.to_frame()  # one row per rate (pd.concat of 121 one-row frames took ~20 ms)
    frame = one.iloc[np.zeros(len(rates), dtype=np.intp)].reset_index(drop=True)
    frame["expenditure"] = benchmark * (1 - rates)
    mssp = settle_frame(frame, columns=["earned"])["earned"].to_numpy()
    label = f"Pioneer ({arrangement}, year {model_year})"
    return pd.DataFrame({
        "savings_rate": np.concatenate([rates, rates]),
        "program": [label] * len(rates) + [track_rules(mssp_track).label] * len(rates),
        "earned": np.concatenate([np.asarray(pioneer, dtype=float), mssp]),
    })
