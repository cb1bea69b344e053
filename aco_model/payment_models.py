"""Payment models beside the MSSP tracks: up-front payments recouped from shared savings, and Pioneer.

(a) Advance Payment ACO Model (CMMI, 2012-2015), ACO Investment Model (AIM, CMMI, 2015-2016 starters)
and Advance Investment Payments (AIP, 42 CFR 425.630, PY2024+): an ACO is paid ahead of its results
(`payment_schedule`) and CMS takes the money back from its earned shared savings, year by year
(`recoupment_timeline`):

    recouped_t    = min(outstanding_t, max(earned_t, 0))
    outstanding_t+1 = outstanding_t + new payments - recouped_t

An ACO that never earns savings repays nothing; one that terminates early repays the balance
[recall; 425.630(g) for AIP, 3P]. `EarnSaveLoss` in the public files is reported before recoupment.
Worked example (PY2014, A16226, methodology 7.1): balance 1,443,580, earned 1,057,032.31 ->
recouped 1,057,032.31, 386,547.69 still owed.

(b) Pioneer ACO Model (CMMI, 2012-2016): `settle_pioneer` settles a Pioneer year with its own rates,
corridor and caps (numbers in `payment_model_rules.PIONEER_RULES`, mostly unconfirmed), with the
optional population-based payment from year 3; `compare_with_mssp` puts it beside the MSSP track the
same ACO would face (`reconciliation.settle`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from aco_model.payment_model_rules import (
    AIP_MAX_QUARTERLY_RATE,
    PIONEER_FIRST_YEAR,
    PIONEER_MSR_ANCHORS,
    PIONEER_PBP_DEFAULT_SHARE,
    PIONEER_PBP_FROM_YEAR,
    PIONEER_RULES,
    PIONEER_SEQUESTRATION,
    SETTLEMENT_MONTH_AFTER_PY,
    UPFRONT_PROGRAMS,
    BalanceBasis,
    PioneerYearRules,
    UpfrontPaymentRules,
)
from aco_model.reconciliation import AcoYear, settle
from aco_model.rules import FIRST_YEAR, LAST_YEAR, track_rules

# --- (a) up-front payments and their recoupment ---------------------------------------------------


def upfront_rules(program: str | UpfrontPaymentRules) -> UpfrontPaymentRules:
    """Rules of "ADVANCE_PAYMENT", "AIM", "AIM_EXISTING" or "AIP" (or the rules object itself)."""
    if isinstance(program, UpfrontPaymentRules):
        return program
    try:
        return UPFRONT_PROGRAMS[program]
    except KeyError:
        raise ValueError(
            f"unknown program {program!r}; expected one of {', '.join(UPFRONT_PROGRAMS)}"
        ) from None


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def periodic_payment_count(program: str | UpfrontPaymentRules, start: date) -> int:
    """Number of monthly/quarterly payments: fixed (AIM 24, AIP 8) or through `last_payment_month`.

    >>> periodic_payment_count("ADVANCE_PAYMENT", date(2012, 4, 1))
    27
    >>> periodic_payment_count("AIM", date(2016, 1, 1))
    24
    """
    r = upfront_rules(program)
    if r.payments is not None:
        return r.payments
    assert r.last_payment_month is not None
    months = (r.last_payment_month.year - start.year) * 12 + r.last_payment_month.month - start.month
    return max(months // r.months_between_payments + 1, 0)


def payment_schedule(
    program: str | UpfrontPaymentRules, start: date, beneficiaries: int, *, rate: float | None = None
) -> pd.DataFrame:
    """Every payment an ACO receives under an up-front payment program.

    Parameters
    ----------
    program : {"ADVANCE_PAYMENT", "AIM", "AIM_EXISTING", "AIP"} or UpfrontPaymentRules
    start : date
        First day of the agreement (first payment month).
    beneficiaries : int
        Historically / prospectively assigned beneficiaries (capped by the program).
    rate : float, optional
        Periodic amount per beneficiary (AIP: by risk-factors score, at most $45 a quarter);
        default the program's.

    Returns
    -------
    DataFrame
        One row per payment: date, program, payment (kind), beneficiaries, rate, amount, cumulative_paid.

    Notes
    -----
    ``total = fixed + min(N, cap) x (upfront + rate x payments)``.

    Examples
    --------
    A05657 (July 2012, H = 11,768 beneficiaries): 250,000 + 11,768 x (36 + 8 x 24) = 2,933,104, its
    published PY2014 `Adv_Pay_Amt`:

    >>> s = payment_schedule("ADVANCE_PAYMENT", date(2012, 7, 1), 11_768)
    >>> len(s), float(s["amount"].sum())
    (26, 2933104.0)
    """
    r = upfront_rules(program)
    if beneficiaries < 0:
        raise ValueError("beneficiaries must be zero or more")
    per = r.periodic_per_beneficiary if rate is None else float(rate)
    if r.program == "AIP" and per > AIP_MAX_QUARTERLY_RATE:
        raise ValueError(f"AIP pays at most ${AIP_MAX_QUARTERLY_RATE:g} per beneficiary per quarter")
    n = beneficiaries if r.beneficiary_cap is None else min(beneficiaries, r.beneficiary_cap)
    start = date(start.year, start.month, 1)
    rows: list[tuple[date, str, int, float, float]] = []
    if r.fixed_payment:
        rows.append((start, "fixed", 0, r.fixed_payment, r.fixed_payment))
    if r.upfront_per_beneficiary:
        rows.append(
            (start, "up-front per beneficiary", n, r.upfront_per_beneficiary, n * r.upfront_per_beneficiary)
        )
    kind = "monthly" if r.months_between_payments == 1 else "quarterly"
    for k in range(periodic_payment_count(r, start)):
        rows.append((_add_months(start, k * r.months_between_payments), kind, n, per, n * per))
    out = pd.DataFrame(rows, columns=["date", "payment", "beneficiaries", "rate", "amount"])
    out.insert(1, "program", r.program)
    out["date"] = pd.to_datetime(out["date"])
    out["cumulative_paid"] = out["amount"].cumsum()
    return out


def recoup(balance: np.ndarray | float, earned: np.ndarray | float) -> np.ndarray | float:
    """What one settlement takes back: ``min(balance, max(earned, 0))``, vectorized.

    >>> recoup(1_443_580, 1_057_032.308), recoup(2_933_104, 6_062_187), recoup(2_050_000, -11_641_360)
    (1057032.308, 2933104.0, 0.0)
    """
    out = np.minimum(
        np.maximum(np.asarray(balance, dtype=float), 0.0), np.maximum(np.asarray(earned, dtype=float), 0.0)
    )
    return float(out) if out.ndim == 0 else out


# How many performance years one timeline settles, and which: a bound on input, not a CMS rule. Twenty
# years is four five-year agreement periods (425.200(b)), longer than any up-front program has run;
# a calendar year must also be one pandas can date (a typed list of 8,000 amounts reached year 10001).
MAX_SETTLEMENT_YEARS = 20
SETTLEMENT_YEARS = (2000, 2100)


def check_earned_years(earned_by_year: Mapping[int, float]) -> None:
    """Raise ValueError when a timeline is asked to settle too many years, or years out of the calendar.

    >>> check_earned_years({2024 + i: 0.0 for i in range(21)})
    Traceback (most recent call last):
    ...
    ValueError: more than 20 performance years
    """
    if len(earned_by_year) > MAX_SETTLEMENT_YEARS:
        raise ValueError(f"more than {MAX_SETTLEMENT_YEARS} performance years")
    lo, hi = SETTLEMENT_YEARS
    outside = [int(y) for y in earned_by_year if not lo <= int(y) <= hi]
    if outside:
        raise ValueError(f"performance year {outside[0]} outside {lo}-{hi}")


def settlement_date(performance_year: int) -> pd.Timestamp:
    """When a performance year is settled and recouped (`SETTLEMENT_MONTH_AFTER_PY`, recall)."""
    month, day = SETTLEMENT_MONTH_AFTER_PY
    return pd.Timestamp(performance_year + 1, month, day)


TIMELINE_COLUMNS = (
    "date",
    "period",
    "event",
    "performance_year",
    "paid",
    "cumulative_paid",
    "earned_savings",
    "recoupable_balance",
    "recouped",
    "cumulative_recouped",
    "outstanding",
)


def recoupment_timeline(
    schedule: pd.DataFrame,
    earned_by_year: Mapping[int, float],
    *,
    terminated_on: date | None = None,
    balance_basis: BalanceBasis | None = None,
) -> pd.DataFrame:
    """Payments and recoupments in date order, for a chart of money paid and still owed.

    Parameters
    ----------
    schedule : DataFrame
        From `payment_schedule` (columns date, program, payment, amount).
    earned_by_year : mapping of performance year -> earned shared savings ($, before recoupment;
        losses or zero recoup nothing).
    terminated_on : date, optional
        Early termination: later payments and settlements are dropped and the whole outstanding
        balance is repaid on that date [recall; 425.630(g) for AIP].
    balance_basis : optional
        Override of the program's rule for which payments a settlement can recoup.

    Returns
    -------
    DataFrame
        Columns `TIMELINE_COLUMNS`. `recoupable_balance` is what a settlement could take back,
        `outstanding` what the ACO still owes after the row (cumulative paid - cumulative recouped).
        ValueError for more years than `MAX_SETTLEMENT_YEARS` or years outside `SETTLEMENT_YEARS`.

    Examples
    --------
    A16226 (PY2014): 1,443,580 paid by June 2014, nothing earned in PY2013, 1,057,032 in PY2014:

    >>> s = payment_schedule("ADVANCE_PAYMENT", date(2012, 7, 1), 5_235)
    >>> t = recoupment_timeline(s, {2013: 0.0, 2014: 1_057_032.0})
    >>> float(t["recouped"].iloc[-1]), float(t["outstanding"].iloc[-1])
    (1057032.0, 386548.0)
    """
    check_earned_years(earned_by_year)
    program = str(schedule["program"].iloc[0]) if len(schedule) else ""
    basis = balance_basis or (upfront_rules(program).balance_basis if program else "paid_before_settlement")
    pay = schedule[["date", "payment", "amount"]].copy()
    pay["date"] = pd.to_datetime(pay["date"])
    end = pd.Timestamp(terminated_on) if terminated_on is not None else None
    if end is not None:
        pay = pay[pay["date"] <= end]
    events: list[dict[str, object]] = [
        {
            "date": r.date,
            "period": r.date.strftime("%Y-%m"),
            "event": f"payment: {r.payment}",
            "performance_year": pd.NA,
            "paid": float(r.amount),
            "earned_savings": np.nan,
            "order": 0,
        }
        for r in pay.itertuples()
    ]
    for year, earned in sorted(earned_by_year.items()):
        when = settlement_date(int(year))
        if end is not None and when > end:
            continue
        events.append(
            {
                "date": when,
                "period": f"PY{year} settlement",
                "event": "recoupment",
                "performance_year": int(year),
                "paid": 0.0,
                "earned_savings": float(earned),
                "order": 1,
            }
        )
    if end is not None:
        events.append(
            {
                "date": end,
                "period": end.strftime("%Y-%m"),
                "event": "repayment on termination",
                "performance_year": pd.NA,
                "paid": 0.0,
                "earned_savings": np.nan,
                "order": 2,
            }
        )
    events.sort(key=lambda e: (e["date"], e["order"]))

    paid_total = recouped_total = 0.0
    rows = []
    for e in events:
        paid_total += float(e["paid"])  # type: ignore[arg-type]
        recoupable, taken = np.nan, 0.0
        if e["event"] == "recoupment":
            year = int(e["performance_year"])  # type: ignore[arg-type]
            cutoff = (
                pay["date"] < e["date"]
                if basis == "paid_before_settlement"
                else (pay["date"] <= pd.Timestamp(year, 12, 31))
            )
            recoupable = max(float(pay.loc[cutoff, "amount"].sum()) - recouped_total, 0.0)
            taken = float(recoup(recoupable, float(e["earned_savings"])))  # type: ignore[arg-type]
        elif e["event"] == "repayment on termination":
            recoupable = paid_total - recouped_total
            taken = recoupable
        recouped_total += taken
        rows.append(
            {
                **e,
                "cumulative_paid": paid_total,
                "recoupable_balance": recoupable,
                "recouped": taken,
                "cumulative_recouped": recouped_total,
                "outstanding": paid_total - recouped_total,
            }
        )
    out = pd.DataFrame(rows, columns=[*TIMELINE_COLUMNS, "order"]).drop(columns="order")
    out["performance_year"] = out["performance_year"].astype("Int64")
    return out


def advance_payment_fit(
    amount: np.ndarray | pd.Series,
    start: pd.Series | np.ndarray,
    program: str | UpfrontPaymentRules = "ADVANCE_PAYMENT",
) -> pd.DataFrame:
    """Solve ``amount = fixed + H x (upfront + rate x m)`` for the beneficiary count H, row by row.

    `m` is the program's number of periodic payments for each start date (Advance Payment: through
    June 2014). `fits` when H is a whole number (to 1e-6), non-negative and within the beneficiary
    cap: the published balance is then exactly the full schedule of some beneficiary count.

    >>> advance_payment_fit(np.array([2_933_104.0, 1_877_416.0]), pd.Series(["2012-07-01", "2012-04-01"]))
       months  beneficiaries  fits
    0      24        11768.0  True
    1      27         6458.0  True
    """
    r = upfront_rules(program)
    starts = pd.to_datetime(pd.Series(start).reset_index(drop=True), errors="coerce", format="mixed")
    months = np.array([periodic_payment_count(r, d.date()) if pd.notna(d) else 0 for d in starts])
    amt = np.asarray(amount, dtype=float)
    per_head = r.upfront_per_beneficiary + r.periodic_per_beneficiary * months
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(per_head > 0, (amt - r.fixed_payment) / per_head, np.nan)
    cap = np.inf if r.beneficiary_cap is None else r.beneficiary_cap
    fits = (amt > 0) & (np.abs(h - np.round(h)) < 1e-6) & (h >= 0) & (h <= cap)
    return pd.DataFrame({"months": months, "beneficiaries": h, "fits": fits})


# --- (b) Pioneer ACO Model ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PopulationBasedPayment:
    """Pioneer population-based payment (PBP), year 3 on: a monthly payment of
    ``share x projected_ffs_revenue / 12`` replacing the same share of the participants' FFS claims
    payments (``share x actual_ffs_revenue``; actual defaults to projected) [recall]."""

    projected_ffs_revenue: float
    share: float = PIONEER_PBP_DEFAULT_SHARE
    actual_ffs_revenue: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError("PBP share is a fraction between 0 and 1")
        if self.projected_ffs_revenue < 0:
            raise ValueError("projected FFS revenue must be zero or more")

    def schedule(self, calendar_year: int) -> pd.DataFrame:
        """Monthly cash flows: month, pbp_payment, ffs_reduction, net_cash_change (= PBP - reduction)."""
        actual = self.projected_ffs_revenue if self.actual_ffs_revenue is None else self.actual_ffs_revenue
        months = pd.date_range(f"{calendar_year}-01-01", periods=12, freq="MS")
        pbp = np.full(12, self.share * self.projected_ffs_revenue / 12)
        cut = np.full(12, self.share * actual / 12)
        return pd.DataFrame(
            {"month": months, "pbp_payment": pbp, "ffs_reduction": cut, "net_cash_change": pbp - cut}
        )


@dataclass(frozen=True)
class PioneerSettlement:
    """One Pioneer performance year settled, every intermediate number (money in $, rates as fractions).

    `earned` is shared savings (+) or shared losses (-); `pbp_*` are cash-flow amounts that do not
    change it (PBP is an advance of FFS revenue, reconciliation unchanged).
    """

    model_year: int
    calendar_year: int
    arrangement: str
    aligned_beneficiaries: int
    benchmark: float
    expenditure: float
    gross_savings: float
    savings_rate: float
    minimum_savings_rate: float
    minimum_loss_rate: float
    outcome: str
    quality_score: float
    max_sharing_rate: float
    final_sharing_rate: float
    shared_loss_rate: float
    shared_savings_before_cap: float
    sequestration: float
    savings_cap: float
    shared_savings: float
    shared_loss_before_cap: float
    loss_cap: float
    shared_loss: float
    earned: float
    pbp_paid: float
    ffs_reduction: float
    source: str
    pbp_schedule: pd.DataFrame | None = None


def pioneer_msr(
    aligned_beneficiaries: float, anchors: tuple[tuple[int, float], ...] = PIONEER_MSR_ANCHORS
) -> float:
    """Pioneer MSR (= MLR) by aligned beneficiaries: linear between `anchors`, flat outside [recall].

    >>> round(pioneer_msr(30_000), 6), pioneer_msr(5_000), pioneer_msr(250_000)
    (0.024, 0.027, 0.01)
    """
    xs = np.array([a for a, _ in anchors], dtype=float)
    ys = np.array([r for _, r in anchors], dtype=float)
    return float(np.interp(float(aligned_beneficiaries), xs, ys))


def settle_pioneer(
    model_year: int,
    benchmark: float,
    expenditure: float,
    aligned_beneficiaries: int,
    quality_score: float | None = None,
    *,
    arrangement: str = "core",
    population_based_payment: PopulationBasedPayment | None = None,
    rules: Mapping[tuple[str, int], PioneerYearRules] = PIONEER_RULES,
) -> PioneerSettlement:
    """Settle one Pioneer ACO Model performance year (CMMI model agreement; parameters mostly [recall]).

    Parameters
    ----------
    model_year : int
        1 (2012) to 5 (2016).
    benchmark, expenditure : float
        Total benchmark B and aligned-beneficiary expenditure X, $.
    aligned_beneficiaries : int
        Sets the MSR/MLR (`pioneer_msr`).
    quality_score : float, optional
        q in [0, 1]; required from the first scored year (year 2), ignored under pay for reporting.
    arrangement : {"core", "alternative"}
    population_based_payment : PopulationBasedPayment, optional
        From year 3 only.
    rules : mapping
        `payment_model_rules.PIONEER_RULES` or a modified copy.

    Returns
    -------
    PioneerSettlement

    Notes
    -----
    ``G = B - X``, ``s = G / B``; savings when ``s >= MSR``:
    ``P = min(seq x r_max x q x G, savings_cap x B)``; losses when ``-s >= MLR``:
    ``L = min(loss_rate x |G|, loss_cap x B)``; ``earned = P - L``.

    Examples
    --------
    Year 2, core, B = $500M, X = $480M, 30,000 aligned, q = 0.9: MSR = 2.7% - 15/85 x 1.7% = 2.4%;
    s = 4% -> 0.70 x 0.9 x $20M = $12.6M x 0.98 = $12,348,000 (cap 15% x B = $75M).

    >>> round(settle_pioneer(2, 500e6, 480e6, 30_000, 0.9).earned)
    12348000
    """
    r = rules.get((arrangement, int(model_year)))
    if r is None:
        raise ValueError(
            f"no Pioneer rules for arrangement {arrangement!r} year {model_year}; known: {sorted(rules)}"
        )
    if r.quality == "reporting":
        q = 1.0
    elif quality_score is None:
        raise ValueError(f"Pioneer year {model_year} is scored on quality: give a quality_score")
    else:
        q = float(quality_score)
        if not 0.0 <= q <= 1.0:
            raise ValueError("quality_score is a fraction between 0 and 1")
    if population_based_payment is not None and model_year < PIONEER_PBP_FROM_YEAR:
        raise ValueError(f"population-based payments start in Pioneer year {PIONEER_PBP_FROM_YEAR}")
    b, x = float(benchmark), float(expenditure)
    g = b - x
    s = g / b if b else 0.0
    msr = pioneer_msr(aligned_beneficiaries)
    seq = PIONEER_SEQUESTRATION.get(int(model_year), 1.0)
    r_s = r.max_sharing_rate * q
    savings = g > 0 and s >= msr
    losses = g < 0 and -s >= msr
    before_cap = r_s * g if savings else 0.0
    cap_s, cap_l = r.savings_cap * b, r.loss_cap * b
    shared_savings = min(before_cap * seq, cap_s)
    loss_before = r.shared_loss_rate * -g if losses else 0.0
    shared_loss = min(loss_before, cap_l)
    calendar_year = PIONEER_FIRST_YEAR + int(model_year) - 1
    pbp = population_based_payment
    schedule = pbp.schedule(calendar_year) if pbp is not None else None
    return PioneerSettlement(
        model_year=int(model_year),
        calendar_year=calendar_year,
        arrangement=arrangement,
        aligned_beneficiaries=int(aligned_beneficiaries),
        benchmark=b,
        expenditure=x,
        gross_savings=g,
        savings_rate=s,
        minimum_savings_rate=msr,
        minimum_loss_rate=msr,
        outcome="shared savings" if savings else "shared losses" if losses else "inside corridor",
        quality_score=q,
        max_sharing_rate=r.max_sharing_rate,
        final_sharing_rate=r_s,
        shared_loss_rate=r.shared_loss_rate,
        shared_savings_before_cap=before_cap,
        sequestration=before_cap * (1 - seq),
        savings_cap=cap_s,
        shared_savings=shared_savings,
        shared_loss_before_cap=loss_before,
        loss_cap=cap_l,
        shared_loss=shared_loss,
        earned=shared_savings - shared_loss,
        pbp_paid=float(schedule["pbp_payment"].sum()) if schedule is not None else 0.0,
        ffs_reduction=float(schedule["ffs_reduction"].sum()) if schedule is not None else 0.0,
        source=r.source,
        pbp_schedule=schedule,
    )


COMPARISON_COLUMNS = (
    "program",
    "performance_year",
    "minimum_savings_rate",
    "minimum_loss_rate",
    "max_sharing_rate",
    "final_sharing_rate",
    "loss_rate",
    "savings_cap",
    "loss_cap",
    "outcome",
    "shared_savings",
    "shared_loss",
    "earned",
    "source",
)


def compare_with_mssp(
    model_year: int,
    benchmark: float,
    expenditure: float,
    aligned_beneficiaries: int,
    quality_score: float | None = None,
    *,
    arrangement: str = "core",
    mssp_track: str = "TRACK_2",
    mssp_year: int | None = None,
    msr_election: float | None = None,
    agreement_start_year: int | None = None,
) -> pd.DataFrame:
    """The same ACO-year under Pioneer and under an MSSP track, side by side (one row each).

    The MSSP row is `reconciliation.settle` of ``AcoYear(mssp_year, mssp_track, B, X, N, q)``;
    `mssp_year` defaults to the Pioneer calendar year, at least 2013 (the MSSP's first settled year,
    which covered the 2012 starters' long first year, 425.608). Under Pioneer pay for reporting the
    MSSP row is also pay for reporting (425.502(a)(1)). Columns `COMPARISON_COLUMNS`; money in $.

    >>> t = compare_with_mssp(2, 500e6, 480e6, 30_000, 0.9)
    >>> t[["program", "earned"]].round().values.tolist()
    [['Pioneer (core, year 2)', 12348000.0], ['Track 2', 10584000.0]]
    """
    p = settle_pioneer(
        model_year, benchmark, expenditure, aligned_beneficiaries, quality_score, arrangement=arrangement
    )
    year = mssp_year if mssp_year is not None else min(max(p.calendar_year, FIRST_YEAR), LAST_YEAR)
    reporting = (
        PIONEER_RULES.get((arrangement, int(model_year))) is not None
        and PIONEER_RULES[(arrangement, int(model_year))].quality == "reporting"
    )
    m = settle(
        AcoYear(
            year,
            mssp_track,
            float(benchmark),
            float(expenditure),
            int(aligned_beneficiaries),
            quality_score=None if reporting else quality_score,
            pay_for_reporting=reporting,
            msr_election=msr_election,
            agreement_start_year=agreement_start_year,
        )
    )
    rows = [
        {
            "program": f"Pioneer ({arrangement}, year {model_year})",
            "performance_year": p.calendar_year,
            "minimum_savings_rate": p.minimum_savings_rate,
            "minimum_loss_rate": p.minimum_loss_rate,
            "max_sharing_rate": p.max_sharing_rate,
            "final_sharing_rate": p.final_sharing_rate,
            "loss_rate": p.shared_loss_rate,
            "savings_cap": p.savings_cap,
            "loss_cap": p.loss_cap,
            "outcome": p.outcome,
            "shared_savings": p.shared_savings,
            "shared_loss": p.shared_loss,
            "earned": p.earned,
            "source": f"Pioneer model agreement {p.source}",
        },
        {
            "program": track_rules(mssp_track).label,
            "performance_year": year,
            "minimum_savings_rate": m.minimum_savings_rate,
            "minimum_loss_rate": np.nan if m.minimum_loss_rate is None else m.minimum_loss_rate,
            "max_sharing_rate": track_rules(mssp_track).max_sharing_rate,
            "final_sharing_rate": m.final_sharing_rate,
            "loss_rate": np.nan if m.final_loss_rate is None else m.final_loss_rate,
            "savings_cap": m.payment_limit,
            "loss_cap": np.nan if m.loss_limit is None else m.loss_limit,
            "outcome": m.outcome,
            "shared_savings": m.shared_savings,
            "shared_loss": m.shared_loss - m.euc_reduction,
            "earned": m.earned,
            "source": m.track_citation,
        },
    ]
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
