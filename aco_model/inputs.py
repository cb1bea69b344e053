"""From rows of the normalized `aco_year` table to the settlement engine's inputs.

The public files publish what CMS settled on, but not every input by name: the MSR/MLR election is
read back from the published MSR (a two-sided ACO whose MSR is 0, 0.5, 1, 1.5 or 2% elected that
value; any other value is the variable table). Where a file publishes no track (PY2015), the published
MSR tells it too: Track 1 has the table's MSR, a Track 2 agreement of 2012-2015 a fixed 2%.

Some inputs are published only through CMS's outcome columns, and `inputs_frame` reads them from there
unless asked for public inputs alone (`public_only`, the fidelity check's independent tier):
- the share of losses forgiven for extreme and uncontrollable circumstances (EUC),
  e = relief / (|EarnSaveLoss| + relief) with relief = |DisAdj| (methodology 5.2: a share of the capped
  loss), half of it for the PY2019 January-June ACOs (`euc_relief`);
- incomplete quality reporting or a failed quality standard before Met_QPS was published (PY2013-2015):
  a final sharing rate of 0;
- the unrounded EUC mean quality score PY2017-2020, solved from the savers' EarnSaveLoss
  (`euc_quality`). `outcome_inputs` names, per row, the outcome columns used.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aco_model.euc_quality import at_mean_score, unrounded_scores
from aco_model.msr import variable_msr
from aco_model.reconciliation import AcoYear
from aco_model.rules import MSR_ELECTIONS, SIX_MONTH_PRORATION, TRACK_2_FIXED_MSR, track_rules

_ELECTIONS = np.array(MSR_ELECTIONS)
# MinSavPerc is published to 2 decimals of a percent: the table's value lies within this of it.
MSR_PUBLISHED_HALF_UNIT = 5e-5 + 1e-9

FAILED_REPORTING = "FinalShareRate (quality reporting incomplete)"
FAILED_STANDARD = "FinalShareRate (quality standard failed)"
EUC_SHARE = "EarnSaveLoss, DisAdj (EUC share of the loss)"
MEAN_SCORE = "EarnSaveLoss (EUC mean quality score solved from the savers)"
TRACK_FROM_RATES = "FinalShareRate, QualScore (track)"


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


def public_track(aco_year: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """Each row's track, and where it still rests on outcome columns.

    A row whose file publishes no track (`track_inferred`, PY2015) takes it from the published MSR:
    the table's value (425.604(b)) is Track 1, a fixed 2% where the table says otherwise is a Track 2
    agreement of 2012-2015 (425.606(b)(1)(i)) [PUF 2015: 389 and 3 rows, the build's inference from
    FinalShareRate / QualScore agrees on all]. A row neither fits keeps the inferred track.
    """
    track = aco_year["track"].astype(str)
    inferred = _flag(aco_year, "track_inferred") > 0
    msr = _num(aco_year, "cms_minimum_savings_rate")
    table = np.abs(msr - variable_msr(_num(aco_year, "assigned_beneficiaries"))) <= MSR_PUBLISHED_HALF_UNIT
    fixed = ~table & (np.abs(msr - TRACK_2_FIXED_MSR) <= MSR_PUBLISHED_HALF_UNIT)
    from_msr = np.select([table, fixed], ["TRACK_1", "TRACK_2"], default="")
    track = track.where(~inferred | (from_msr == ""), pd.Series(from_msr, index=aco_year.index))
    return track, inferred & (from_msr == "")


def euc_relief(aco_year: pd.DataFrame) -> np.ndarray:
    """EUC relief CMS applied to each row's capped loss, >= 0 (0 where no DisAdj is published).

    |DisAdj|, except for the PY2019 January-June ACOs, whose DisAdj is the twelve-month amount while
    every other figure of the row covers six months: half of it was applied (425.609).
    """
    relief = np.abs(np.nan_to_num(_num(aco_year, "cms_euc_loss_adjustment")))
    six_month = aco_year.get("six_month_period", pd.Series(index=aco_year.index, dtype=object))
    first_half = (six_month.astype("string") == "JAN_JUN").fillna(False).to_numpy(dtype=bool)
    return np.where(first_half, relief * SIX_MONTH_PRORATION, relief)


def euc_share(relief: np.ndarray, earned: np.ndarray) -> np.ndarray:
    """Share of the capped loss forgiven: relief / (|loss after relief| + relief); NaN if unknown."""
    adj = np.abs(np.asarray(relief, dtype=float))
    loss = np.abs(np.minimum(np.asarray(earned, dtype=float), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(adj + loss > 0, adj / (adj + loss), np.nan)
    return share


def _failed_quality(aco_year: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(failed reporting, failed standard): read from a final sharing rate of 0 (no Met_QPS column)."""
    pay_for_reporting = np.nan_to_num(_flag(aco_year, "pay_for_reporting"), nan=0.0) > 0
    no_sharing = _num(aco_year, "cms_final_sharing_rate") == 0
    failed_reporting = pay_for_reporting & no_sharing
    failed_standard = (
        np.isnan(_flag(aco_year, "met_quality_standard")) & no_sharing & ~pay_for_reporting
        & (_num(aco_year, "quality_score") > 0)
    )
    return failed_reporting, failed_standard


def outcome_inputs(aco_year: pd.DataFrame) -> pd.Series:
    """Per row, the outcome columns `inputs_frame` reads an input from ("" for none), joined by "; "."""
    failed_reporting, failed_standard = _failed_quality(aco_year)
    loss_relieved = (euc_relief(aco_year) > 0) & (_num(aco_year, "cms_earned_savings_losses") < 0)
    _, track_from_rates = public_track(aco_year)
    parts = [(failed_reporting, FAILED_REPORTING), (failed_standard, FAILED_STANDARD),
             (loss_relieved, EUC_SHARE), (at_mean_score(aco_year), MEAN_SCORE),
             (track_from_rates, TRACK_FROM_RATES)]
    text = pd.Series("", index=aco_year.index, dtype=object)
    for mask, name in parts:
        text[mask] = text[mask].map(lambda t, n=name: f"{t}; {n}" if t else n)
    return text


def inputs_frame(aco_year: pd.DataFrame, *, public_only: bool = False) -> pd.DataFrame:
    """`settle_frame` inputs for rows of `aco_year` (see data/schema.py), index preserved.

    CMS rounds the published benchmark and expenditure to dollars but also publishes their
    difference, computed before rounding: the expenditure is taken as benchmark - BnchmkMinExp
    so that gross savings are CMS's own. A pay-for-reporting ACO whose published final sharing
    rate is 0 did not complete quality reporting (425.502(a)(1)): its score is 0. Likewise a scored
    ACO with a published rate of 0 and no published Met_QPS (PY2013-2015) failed the quality standard.
    With `public_only`, no input is read from an outcome column (see the module note): the EUC share
    is left unknown (NaN, the year's default), quality failures unseen, scores as published.
    """
    track, _ = public_track(aco_year)
    two_sided = track.map(lambda t: track_rules(t).two_sided).to_numpy(dtype=bool)
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
    met = _flag(aco_year, "met_quality_standard")
    if public_only:
        quality = _num(aco_year, "quality_score")
        share = np.full(len(aco_year), np.nan)
    else:
        failed_reporting, failed_standard = _failed_quality(aco_year)
        quality = np.where(failed_reporting, 0.0, unrounded_scores(aco_year))
        pay_for_reporting = np.where(failed_reporting, 0.0, pay_for_reporting)
        met = np.where(failed_standard, 0.0, met)
        share = euc_share(euc_relief(aco_year), _num(aco_year, "cms_earned_savings_losses"))
    return pd.DataFrame(
        {
            "performance_year": aco_year["performance_year"].astype("int64"),
            "track": track,
            "benchmark": benchmark,
            "expenditure": expenditure,
            "assigned_beneficiaries": _num(aco_year, "assigned_beneficiaries"),
            "quality_score": quality,
            "pay_for_reporting": pay_for_reporting,
            "met_quality_standard": met,
            "met_alternative_quality_standard": np.nan_to_num(
                _flag(aco_year, "met_alternative_quality_standard"), nan=0.0
            ),
            "msr_election": elected_msr(_num(aco_year, "cms_minimum_savings_rate"), two_sided),
            "participant_revenue": np.nan,
            "euc_share": share,
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
    adjustment = 0.0 if cms_euc_adjustment is None or pd.isna(cms_euc_adjustment) else cms_euc_adjustment
    capped = abs(min(cms_earned, 0.0)) + abs(adjustment)  # PY2020-22: EarnSaveLoss 0, all forgiven
    if share is None or cms_earned > 0 or capped == 0:
        return None
    unlimited = settle(aco_year).shared_loss
    if capped >= unlimited - 1.0:
        return None
    return capped / share
