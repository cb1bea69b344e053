"""From rows of the normalized `aco_year` table to the settlement engine's inputs.

The public files publish what CMS settled on, but not every input by name: the MSR/MLR election is
read back from the published MSR (a two-sided ACO whose MSR is 0, 0.5, 1, 1.5 or 2% elected that
value; any other value is the variable table), and the share of losses forgiven for extreme and
uncontrollable circumstances from the EUC adjustment, e = |DisAdj| / (|EarnSaveLoss| + |DisAdj|)
(methodology 5.2: the adjustment is a share of the capped loss).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aco_model.reconciliation import AcoYear
from aco_model.rules import MSR_ELECTIONS, track_rules

_ELECTIONS = np.array(MSR_ELECTIONS)


def _num(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _flag(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Booleans as 1.0 / 0.0, unknown as NaN (the engine then derives or defaults)."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.array(frame[name], dtype="boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def elected_msr(published_msr: np.ndarray, two_sided: np.ndarray) -> np.ndarray:
    """The symmetric election implied by a published MSR; NaN means the variable table."""
    msr = np.asarray(published_msr, dtype=float)
    hit = np.abs(msr[:, None] - _ELECTIONS[None, :]) < 5e-5
    chosen = np.where(hit.any(axis=1), _ELECTIONS[hit.argmax(axis=1)], np.nan)
    return np.where(two_sided, chosen, np.nan)


def euc_share(euc_adjustment: np.ndarray, earned: np.ndarray) -> np.ndarray:
    """Share of the capped loss forgiven: |DisAdj| / (|loss after relief| + |DisAdj|); NaN if unknown."""
    adj = np.abs(np.asarray(euc_adjustment, dtype=float))
    loss = np.abs(np.minimum(np.asarray(earned, dtype=float), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(adj + loss > 0, adj / (adj + loss), np.nan)
    return share


def inputs_frame(aco_year: pd.DataFrame) -> pd.DataFrame:
    """`settle_frame` inputs for rows of `aco_year` (see data/schema.py), index preserved.

    CMS rounds the published benchmark and expenditure to dollars but also publishes their
    difference, computed before rounding: the expenditure is taken as benchmark - BnchmkMinExp
    so that gross savings are CMS's own. A pay-for-reporting ACO whose published final sharing
    rate is 0 did not complete quality reporting (425.502(a)(1)): its score is 0. Likewise a scored
    ACO with a published rate of 0 and no published Met_QPS (PY2013-2015) failed the quality standard.
    """
    two_sided = aco_year["track"].map(lambda t: track_rules(t).two_sided).to_numpy(dtype=bool)
    if "current_start_date" in aco_year:
        start = pd.to_datetime(aco_year["current_start_date"], errors="coerce")
        start_year = start.dt.year.to_numpy(dtype=float, na_value=np.nan)
    else:
        start_year = np.full(len(aco_year), np.nan)
    revenue = aco_year.get("revenue_category", pd.Series(index=aco_year.index, dtype=object))
    benchmark = _num(aco_year, "benchmark")
    published_g = _num(aco_year, "cms_benchmark_minus_expenditure")
    expenditure = np.where(np.isnan(published_g), _num(aco_year, "expenditure"), benchmark - published_g)
    pay_for_reporting = np.nan_to_num(_flag(aco_year, "pay_for_reporting"), nan=0.0)
    no_sharing = _num(aco_year, "cms_final_sharing_rate") == 0
    failed_reporting = (pay_for_reporting > 0) & no_sharing
    quality = np.where(failed_reporting, 0.0, _num(aco_year, "quality_score"))
    met = _flag(aco_year, "met_quality_standard")
    met = np.where(np.isnan(met) & no_sharing & (quality > 0), 0.0, met)
    return pd.DataFrame(
        {
            "performance_year": aco_year["performance_year"].astype("int64"),
            "track": aco_year["track"].astype(str),
            "benchmark": benchmark,
            "expenditure": expenditure,
            "assigned_beneficiaries": _num(aco_year, "assigned_beneficiaries"),
            "quality_score": quality,
            "pay_for_reporting": np.where(failed_reporting, 0.0, pay_for_reporting),
            "met_quality_standard": met,
            "met_alternative_quality_standard": np.nan_to_num(
                _flag(aco_year, "met_alternative_quality_standard"), nan=0.0
            ),
            "msr_election": elected_msr(_num(aco_year, "cms_minimum_savings_rate"), two_sided),
            "participant_revenue": np.nan,
            "euc_share": euc_share(
                _num(aco_year, "cms_euc_loss_adjustment"), _num(aco_year, "cms_earned_savings_losses")
            ),
            "low_revenue": (revenue.astype("string").str.upper() == "LOW").fillna(False).to_numpy(float),
            "agreement_start_year": start_year,
            # The 2019 January-June ACOs' published totals already cover six months (benchmark and
            # expenditure are half the 12-month figures), so their rows settle unprorated; caps
            # scale with the halved benchmark, which equals prorating after the cap (425.609).
            "proration": 1.0,
        },
        index=aco_year.index,
    )


def from_aco_year_row(row: Mapping[str, object]) -> AcoYear:
    """The `AcoYear` of one real ACO-year (the starting point of a what-if scenario).

    Raises ValueError for a row no settlement can start from: a benchmark that is not a positive
    number, spending that is negative or not a number, or no assigned beneficiaries (425.604-425.610
    compute every rate and limit on the benchmark and the assigned population).
    """
    frame = inputs_frame(pd.DataFrame([dict(row)]))
    r = frame.iloc[0]
    for name in ("benchmark", "expenditure", "assigned_beneficiaries"):
        value = float(r[name])
        if not (np.isfinite(value) and (value >= 0 if name == "expenditure" else value > 0)):
            raise ValueError(f"{name.replace('_', ' ')} {value:,.0f} is not usable")

    def opt(name: str) -> float | None:
        value = r[name]
        return None if pd.isna(value) else float(value)

    met = opt("met_quality_standard")
    start = opt("agreement_start_year")
    return AcoYear(
        performance_year=int(r["performance_year"]),
        track=str(r["track"]),
        benchmark=float(r["benchmark"]),
        expenditure=float(r["expenditure"]),
        assigned_beneficiaries=int(r["assigned_beneficiaries"]),
        quality_score=opt("quality_score"),
        pay_for_reporting=bool(r["pay_for_reporting"]),
        met_quality_standard=None if met is None else bool(met),
        met_alternative_quality_standard=bool(r["met_alternative_quality_standard"]),
        msr_election=opt("msr_election"),
        euc_share=opt("euc_share"),
        low_revenue=bool(r["low_revenue"]),
        agreement_start_year=None if start is None else int(start),
        proration=float(r["proration"]),
    )


def implied_participant_revenue(
    aco_year: AcoYear, cms_earned: float, cms_euc_adjustment: float | None
) -> float | None:
    """Participant revenue implied where CMS's loss sits below the benchmark-based loss limit.

    No public file carries participants' Parts A+B revenue, but where the revenue-based limit bound
    (BASIC C-E, Track 1+; 425.605(d)), CMS's capped loss L2 = |EarnSaveLoss| + |DisAdj| equals
    revenue_share x R, so R = L2 / revenue_share (methodology 3, 11.1). None when the limit did not bind.
    """
    from aco_model.reconciliation import settle
    from aco_model.rules import track_rules

    share = track_rules(aco_year.track).loss_limit_revenue_share
    if share is None or cms_earned >= 0:
        return None
    adjustment = 0.0 if cms_euc_adjustment is None or pd.isna(cms_euc_adjustment) else cms_euc_adjustment
    capped = abs(cms_earned) + abs(adjustment)
    unlimited = settle(aco_year).shared_loss
    if capped >= unlimited - 1.0:
        return None
    return capped / share
