"""The mean quality score CMS gave ACOs affected by extreme and uncontrollable circumstances, unrounded.

42 CFR 425.502(f) (PY2017-2020): an ACO affected by an extreme and uncontrollable circumstance (the
2017-2018 hurricanes and wildfires, the COVID-19 pandemic for PY2019 and PY2020) receives the higher of
its own quality score and the mean quality score of all ACOs. So many ACOs share one score, which CMS
publishes rounded to 4 decimals (0.9217) but settles unrounded. Each uncapped saver at that score was
paid EarnSaveLoss = f x r_max x q x G (methodology 1.2), rounded to the dollar, with G itself published
rounded to the dollar; so each saver confines q to

    (EarnSaveLoss - 0.5) / (f x r_max x (G + 0.5))  <=  q  <=  (EarnSaveLoss + 0.5) / (f x r_max x (G - 0.5))

and the intersection over all of them is the interval CMS's unrounded mean lies in (`solve_mean_score`).
The constants below are points of those intervals, kept with the evidence they were solved from. They
are derived from outcome columns (EarnSaveLoss), so the independent fidelity tier never uses them.

>>> score = EUC_MEAN_QUALITY[2019]
>>> score.low <= score.unrounded <= score.high and round(score.unrounded, 4) == score.published
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aco_model.rules import track_rules, year_rules


@dataclass(frozen=True, slots=True)
class MeanQualityScore:
    """One year's shared EUC score: as published, as solved, and the evidence for it."""

    performance_year: int
    published: float  # QualScore as CMS published it (4 decimals)
    unrounded: float  # a point of [low, high], used to settle
    low: float  # the interval every saver's payment allows
    high: float
    savers: int  # uncapped savers at the published score the interval was solved from
    citation: str


EUC_MEAN_QUALITY: dict[int, MeanQualityScore] = {
    s.performance_year: s
    for s in (
        # 2017 hurricanes (Harvey, Irma, Maria): 62 ACOs publish 0.9206; no DisAffQual column that year.
        MeanQualityScore(2017, 0.9206, 0.92063426, 0.9206342412, 0.9206342805, 31,
                         "425.502(f) [PUF 2017: 31 savers]"),
        # 2018 hurricanes and wildfires: 32 ACOs publish 0.9268; the 10 savers flagged DisAffQual agree
        # (A1175 and A2074 publish 0.9268 as their own score, not flagged, and do not).
        MeanQualityScore(2018, 0.9268, 0.92677910, 0.9267789789, 0.9267792123, 10,
                         "425.502(f) [PUF 2018: 10 DisAffQual savers]"),
        # COVID-19 (every ACO DisAffQual): 206 ACOs publish 0.9217, January-June and full-year alike.
        MeanQualityScore(2019, 0.9217, 0.92168141, 0.9216814001, 0.9216814200, 92,
                         "425.502(f) [PUF 2019: 92 savers]"),
        # COVID-19: 210 ACOs publish 0.9687; 134 savers, one of them (A1070) at its payment limit.
        MeanQualityScore(2020, 0.9687, 0.96867368, 0.9686736760, 0.9686736859, 133,
                         "425.502(f) [PUF 2020: 133 uncapped savers]"),
    )
}


def _num(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def at_mean_score(aco_year: pd.DataFrame) -> np.ndarray:
    """Rows that publish their year's shared EUC score and are not flagged unaffected (DisAffQual 0)."""
    years = aco_year["performance_year"].to_numpy()
    published = np.array([EUC_MEAN_QUALITY[y].published if y in EUC_MEAN_QUALITY else np.nan for y in years])
    score = _num(aco_year, "quality_score")
    if "euc_affected_quality" in aco_year:
        flag = pd.array(aco_year["euc_affected_quality"], dtype="boolean").fillna(True)
        not_unaffected = flag.to_numpy(dtype=bool)
    else:
        not_unaffected = np.ones(len(aco_year), dtype=bool)
    return (np.abs(score - published) < 1e-9) & not_unaffected


def unrounded_scores(aco_year: pd.DataFrame) -> np.ndarray:
    """The quality score to settle on: the solved mean where `at_mean_score`, else the published one."""
    score = _num(aco_year, "quality_score")
    years = aco_year["performance_year"].to_numpy()
    solved = np.array([EUC_MEAN_QUALITY[y].unrounded if y in EUC_MEAN_QUALITY else np.nan for y in years])
    return np.where(at_mean_score(aco_year), solved, score)


def solve_mean_score(aco_year: pd.DataFrame, performance_year: int) -> tuple[float, float, int]:
    """(low, high, savers): the unrounded scores every uncapped saver at the shared score allows.

    Savers are rows of `performance_year` where `at_mean_score` holds and EarnSaveLoss > 0; a saver
    whose payment reaches its payment limit carries no information on q and is left out. low > high
    would mean the savers disagree (no single score reproduces them all).
    """
    rows = aco_year[(aco_year["performance_year"] == performance_year).to_numpy() & at_mean_score(aco_year)]
    earned = _num(rows, "cms_earned_savings_losses")
    gross = _num(rows, "cms_benchmark_minus_expenditure")
    benchmark = _num(rows, "benchmark")
    rates = [track_rules(t) for t in rows["track"]]
    r_max = np.array([r.max_sharing_rate for r in rates])
    limit = np.array([r.payment_limit for r in rates]) * benchmark
    f = year_rules(performance_year).sequestration_factor
    score = _num(rows, "quality_score")
    uncapped = (earned > 0) & (f * r_max * score * gross < limit - 1.0)
    low = (earned - 0.5) / (f * r_max * (gross + 0.5))
    high = (earned + 0.5) / (f * r_max * (gross - 0.5))
    return float(low[uncapped].max()), float(high[uncapped].min()), int(uncapped.sum())
