"""What the payment-models page explains (no Streamlit): each up-front program's structure in words, its
template and what does not fit it, the three "owed" figures reconciled, and Pioneer's five years.

Every number comes from `aco_model.payment_model_rules` (with its source tags) or from the settlement
functions of `aco_model.payment_models`; nothing here is a rule of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aco_model.payment_model_rules import (
    PIONEER_MIN_ALIGNED,
    PIONEER_MIN_ALIGNED_RURAL,
    PIONEER_PBP_FROM_YEAR,
    UPFRONT_PROGRAMS,
)
from aco_model.payment_models import PopulationBasedPayment, periodic_payment_count, settle_pioneer

# MSSP ACOs need 5,000 assigned beneficiaries (425.110(a)): AIP and AIM were paid to MSSP ACOs.
MSSP_MINIMUM_BENEFICIARIES = 5_000


@dataclass(frozen=True)
class Template:
    """A program's template: a start it really used, a size and earned savings to begin from."""

    start: date
    starts: tuple[date, ...]  # the agreement starts the program actually paid (empty: any)
    beneficiaries: int
    earned: str


TEMPLATES: dict[str, Template] = {
    # Advance Payment ACO Model: April 2012, July 2012 and January 2013 starters [CMS-FS; PUF 2014 fits].
    "ADVANCE_PAYMENT": Template(date(2012, 4, 1), (date(2012, 4, 1), date(2012, 7, 1), date(2013, 1, 1)),
                                8_000, "0, 1.5M, 2.5M"),
    # AIM: new ACOs of 2015 and 2016 [CMS-FS]; the 2012-2014 starters got per-beneficiary payments only.
    "AIM": Template(date(2016, 1, 1), (date(2015, 1, 1), date(2016, 1, 1)), 9_000, "0, 1M, 2M, 2M"),
    "AIM_EXISTING": Template(date(2016, 1, 1), (), 9_000, "0, 1M, 2M, 2M"),
    # AIP: agreements starting January 2024 on (425.630) [3P/CMS-FS].
    "AIP": Template(date(2024, 1, 1), (), 10_000, "0, 1.5M, 2.5M, 3M"),
}


def structure(program: str) -> str:
    """The program's payments and their recoupment in one plain sentence, from its rules.

    >>> import textwrap
    >>> print(textwrap.fill(structure("ADVANCE_PAYMENT")[:159], 100))
    Advance Payment ACO Model: $250,000 fixed up front, $36 per historically assigned beneficiary up
    front, then $8 per beneficiary every month, through June 2014.
    """
    r = UPFRONT_PROGRAMS[program]
    parts = []
    if r.fixed_payment:
        parts.append(f"${r.fixed_payment:,.0f} fixed up front")
    if r.upfront_per_beneficiary:
        who = "historically assigned beneficiary" if program == "ADVANCE_PAYMENT" else "beneficiary"
        parts.append(f"${r.upfront_per_beneficiary:,.0f} per {who} up front")
    every = "month" if r.months_between_payments == 1 else f"{r.months_between_payments} months"
    if r.last_payment_month is not None:
        until = f"through {r.last_payment_month:%B %Y}"
    else:
        until = f"{r.payments} times"
    period = "a quarter" if r.months_between_payments == 3 else f"every {every}"
    rate = ("up to " if program == "AIP" else "") + f"${r.periodic_per_beneficiary:,.0f}"
    parts.append(f"then {rate} per beneficiary {period}, {until}")
    cap = f" Beneficiaries count up to {r.beneficiary_cap:,}." if r.beneficiary_cap else ""
    return (f"{r.label}: {', '.join(parts)}.{cap} Everything paid is recouped from the ACO's later shared "
            f"savings (never from losses); an ACO that never earns savings does not repay. ({r.citation})")


def template_problems(program: str, start: date, beneficiaries: int) -> list[str]:
    """Why a template's start or size does not fit the program as it ran (plain text; empty when it fits)."""
    r, t = UPFRONT_PROGRAMS[program], TEMPLATES[program]
    out = []
    if t.starts and start not in t.starts:
        shown = ", ".join(f"{d:%B %Y}" for d in t.starts)
        out.append(f"The {r.label} paid ACOs whose agreements started in {shown}; a {start:%B %Y} start is "
                   "shown as if the rules had applied.")
    if program == "AIP" and start < date(2024, 1, 1):
        out.append("Advance investment payments began with agreements starting in January 2024 (425.630).")
    if program == "ADVANCE_PAYMENT" and periodic_payment_count(r, start) == 0:
        out.append(f"Monthly payments ran through {r.last_payment_month:%B %Y}: an agreement starting "
                   f"{start:%B %Y} would get the up-front payments only.")
    if r.beneficiary_cap and beneficiaries > r.beneficiary_cap:
        out.append(f"Payments count at most {r.beneficiary_cap:,} beneficiaries: the {beneficiaries:,} "
                   f"entered are paid as {r.beneficiary_cap:,}.")
    if program in ("AIP", "AIM") and beneficiaries < MSSP_MINIMUM_BENEFICIARIES:
        out.append(f"An MSSP ACO needs at least {MSSP_MINIMUM_BENEFICIARIES:,} assigned beneficiaries "
                   "(425.110).")
    return out


def owed(timeline: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """The ACO's debt as each figure on the page counts it, with what each includes.

    Three numbers answer "how much is still owed" differently: what CMS publishes after a settlement
    (only the payments that settlement could recoup), what is owed on the settlement date (payments
    made since count too) and what is owed after the last payment of the schedule.
    """
    rows = []
    settled = timeline[timeline["event"] == "recoupment"]
    if not settled.empty:
        last = settled.iloc[-1]
        year = int(last["performance_year"])
        match = comparison[comparison["performance_year"] == year]
        cms = match["published_balance_left"].iloc[0] if "published_balance_left" in match else float("nan")
        rows.append({
            "figure": f"Left of the balance PY{year}'s settlement could recoup",
            "when": f"after the PY{year} settlement ({last['date']:%b %Y})",
            "model": float(last["recoupable_balance"] - last["recouped"]),
            "cms": float(cms) if pd.notna(cms) else None,
            "includes": "only payments that settlement could recoup: what CMS publishes (AIPOwe; Adv_Pay_Amt "
                        "less Adv_Pay_Recoup)",
        })
        rows.append({
            "figure": "Everything paid to date, less everything recouped",
            "when": f"on the PY{year} settlement date ({last['date']:%b %Y})",
            "model": float(last["outstanding"]), "cms": None,
            "includes": "also the payments made after that performance year ended (recouped from later "
                        "savings)",
        })
    end = timeline.iloc[-1]
    rows.append({
        "figure": "Still owed at the end of the timeline",
        "when": f"{end['date']:%b %Y}",
        "model": float(end["outstanding"]), "cms": None,
        "includes": "every payment of the schedule, less every recoupment so far (the headline figure)",
    })
    return pd.DataFrame(rows)


def pioneer_minimum(aligned: int, rural: bool) -> str | None:
    """Why an aligned-beneficiary count is below the Pioneer minimum, or None."""
    minimum = PIONEER_MIN_ALIGNED_RURAL if rural else PIONEER_MIN_ALIGNED
    if aligned >= minimum:
        return None
    where = "rural ACOs" if rural else "ACOs (5,000 in rural areas)"
    return (f"Pioneer ACOs needed at least {minimum:,} aligned beneficiaries for {where} [press reports of "
            f"CMS's announcement; unconfirmed]: {aligned:,} is below it, so the numbers are hypothetical.")


def pioneer_years(benchmark: float, expenditure: float, aligned: int, quality: float | None, *,
                  arrangement: str, pbp_share: float, projected_ffs: float) -> pd.DataFrame:
    """Pioneer's five years for one ACO held at the same benchmark and savings rate: the shift to PBP.

    Years 1-2: participants are paid fee-for-service claims, and the year settles shared savings or
    losses. From year 3 an ACO with savings could take population-based payments (PBP): `pbp_share` of
    its expected fee-for-service revenue paid monthly, its claims paid reduced by the same share, and the
    two trued up at year end (zero when actual claims equal the expected ones); the settlement itself is
    unchanged. Columns: model_year, calendar_year, ffs_claims_paid, pbp_paid, shared (+ savings /
    - losses), pbp_share.
    """
    rows = []
    for year in range(1, 6):
        pbp = (PopulationBasedPayment(projected_ffs, pbp_share)
               if year >= PIONEER_PBP_FROM_YEAR and pbp_share > 0 else None)
        s = settle_pioneer(year, benchmark, expenditure, aligned, quality, arrangement=arrangement,
                           population_based_payment=pbp)
        rows.append({"model_year": year, "calendar_year": s.calendar_year,
                     "ffs_claims_paid": projected_ffs - s.ffs_reduction, "pbp_paid": s.pbp_paid,
                     "shared": s.earned, "pbp_share": s.pbp_paid / projected_ffs if projected_ffs else 0.0})
    return pd.DataFrame(rows)


def pbp_months(schedule: pd.DataFrame) -> pd.DataFrame:
    """The monthly PBP schedule with names and dates people read."""
    return pd.DataFrame({
        "Month": pd.to_datetime(schedule["month"]).dt.strftime("%b %Y"),
        "Population-based payment": schedule["pbp_payment"],
        "Fee-for-service claims withheld": -schedule["ffs_reduction"],
        "Change in cash that month": schedule["net_cash_change"],
    })
