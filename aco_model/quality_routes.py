"""How an ACO met the quality standard, and what "auto" decides at any other score (PY2021+).

From PY2021 the quality performance standard (QPS, 42 CFR 425.512) is met when the quality score
reaches the year's threshold (`rules.YearRules.quality_standard`: 77.05 in PY2024, 65.76 in PY2023),
or by another route that the score alone does not show (methodology 4.1):

- "EUC floor" (425.512(c)): an ACO affected by an extreme and uncontrollable circumstance is scored at
  no less than the threshold, so it meets the standard at any score of its own (`DisAffQual`);
- "first year" (425.512(a)(4)): in the first performance year of a first agreement, complete
  reporting meets the standard whatever the score (`Met_FirstYear`);
- "reporting incentive" (425.512(a)(4)): reporting every eCQM/MIPS CQM and scoring above set
  percentiles on two measures meets it below the threshold (`Met_Incentive`);
- "alternative standard" (425.512(a)(5), PY2023+): scoring above the 10th percentile on one outcome
  measure meets the alternative standard only: sharing at the maximum rate x the score (`Met_AltQPS`).

A scenario opened from a CMS ACO-year keeps its route with the score CMS published. Under "auto" the
two routes that do not depend on the score hold at any score; the two that depend on measure scores
hold at the published score and above (a higher score with the same reporting keeps them; a lower one
may not, so below it the threshold alone decides). The result is a payment that never falls as the
score rises, equal to CMS's at the published score.

>>> auto_standard(2024, 0.7529, "reporting incentive", 0.7529)
(True, False)
>>> auto_standard(2024, 0.6616, "reporting incentive", 0.7529)
(False, False)
>>> auto_standard(2024, 0.6801, "EUC floor", 0.7705)
(True, False)
>>> auto_standard(2018, 0.5, None, None)  # before PY2021 the score scales sharing; no threshold
(None, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from aco_model.rules import year_rules

QualityRoute = Literal["EUC floor", "first year", "reporting incentive", "alternative standard"]
# Routes that hold at any score (the score does not decide them).
SCORE_FREE: tuple[str, ...] = ("EUC floor", "first year")
ROUTE_TEXT: dict[str, str] = {
    "EUC floor": "the extreme and uncontrollable circumstances floor (425.512(c))",
    "first year": "complete reporting in its first performance year (425.512(a)(4))",
    "reporting incentive": "the eCQM reporting incentive (425.512(a)(4))",
    "alternative standard": "the alternative quality standard (425.512(a)(5)): sharing scaled by the score",
}
_TOLERANCE = 5e-7  # a slider's 0.01-point step read back from a fraction


def threshold(performance_year: int) -> float | None:
    """The score that meets the quality performance standard in that year; None before PY2021."""
    rules = year_rules(performance_year)
    return None if rules.quality_era == "legacy" else rules.quality_standard


def _flag(row: Mapping[str, object], name: str) -> bool:
    value = row.get(name)
    return value is not None and not pd.isna(value) and bool(value)


def published_route(row: Mapping[str, object]) -> QualityRoute | None:
    """The route by which CMS found a PY2021+ ACO-year's standard met other than by its score.

    Read from the `aco_year` flags (euc_affected_quality, met_quality_first_year,
    met_quality_incentive, met_alternative_quality_standard); None when none applies or before PY2021.
    """
    if threshold(int(row["performance_year"])) is None:
        return None
    if _flag(row, "euc_affected_quality"):
        return "EUC floor"
    if _flag(row, "met_quality_first_year"):
        return "first year"
    if _flag(row, "met_quality_incentive"):
        return "reporting incentive"
    if _flag(row, "met_alternative_quality_standard") and not _flag(row, "met_quality_standard"):
        return "alternative standard"
    return None


def published_standard(row: Mapping[str, object]) -> str:
    """CMS's published status: "met", "alternative", "not met" or "not published"."""
    met = row.get("met_quality_standard")
    if met is None or pd.isna(met):
        return "not published"
    if bool(met):
        return "met"
    return "alternative" if _flag(row, "met_alternative_quality_standard") else "not met"


def auto_standard_array(performance_year: int, scores: np.ndarray, route: str | None,
                        route_score: float | None) -> tuple[np.ndarray | None, np.ndarray]:
    """(met, alternative met) at each score under "auto"; met is None before PY2021 (no threshold)."""
    scores = np.asarray(scores, dtype=float)
    line = threshold(performance_year)
    if line is None:
        return None, np.zeros(scores.shape, dtype=bool)
    met = scores >= line - _TOLERANCE
    held = np.ones(scores.shape, dtype=bool) if route in SCORE_FREE else (
        scores >= route_score - _TOLERANCE if route is not None and route_score is not None
        else np.zeros(scores.shape, dtype=bool))
    if route == "alternative standard":
        return met, ~met & held & (year_rules(performance_year).quality_era == "qps_alternative")
    return met | held, np.zeros(scores.shape, dtype=bool)


def auto_standard(performance_year: int, score: float, route: str | None,
                  route_score: float | None) -> tuple[bool | None, bool]:
    """(met, alternative met) under "auto" at one score (see the module's examples)."""
    met, alt = auto_standard_array(performance_year, np.array([score]), route, route_score)
    return (None if met is None else bool(met[0])), bool(alt[0])


def floored_score(performance_year: int, score: float, route: str | None) -> float:
    """The score CMS would use: under the EUC floor, at least the year's threshold (425.512(c))."""
    line = threshold(performance_year)
    return max(score, line) if route == "EUC floor" and line is not None else score


def route_sentence(aco: str, performance_year: int, route: str | None, route_score: float | None) -> str:
    """One sentence on how CMS's "met" came and what "auto" does with it below the published score."""
    line = threshold(performance_year)
    if route is None or line is None or route_score is None:
        return ""
    at, bar = f"{route_score * 100:.2f}", f"{line * 100:.2f}"
    if route not in SCORE_FREE and route_score >= line - _TOLERANCE:
        return ""  # the score met the threshold itself; the route changes nothing below it that matters
    if route == "EUC floor":
        return (f"{aco} was affected by an extreme and uncontrollable circumstance in PY{performance_year}: "
                f"CMS scores its quality at no less than the {bar} threshold (425.512(c)), so a lower score "
                "still meets the standard and the payment does not change; choose \"not met\" to see the "
                "year without that relief.")
    if route == "first year":
        return (f"PY{performance_year} was {aco}'s first year in its first agreement: complete reporting "
                "meets the standard whatever the score (425.512(a)(4)), so a lower score does not change "
                "the payment; choose \"not met\" to see it without that route.")
    kind = ("met the standard through the eCQM reporting incentive" if route == "reporting incentive"
            else "met only the alternative standard (sharing scaled by the score)")
    return (f"{aco} {kind} at {at}, below the {bar} threshold: \"auto\" keeps that at {at} and above; "
            "below it the threshold alone decides, since a lower score may lose that route.")
