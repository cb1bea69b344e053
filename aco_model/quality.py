"""Quality score -> final sharing rate and final loss rate, for every era of the MSSP.

Eras (`rules.YearRules.quality_era`):
- "legacy" (PY2013-2020, 425.502): r_s = r_max x q, where q = 1 under pay-for-reporting (first
  performance year of a first agreement) and r_s = 0 when the ACO failed the quality standard.
- "qps" (PY2021-2022, 425.512): r_s = r_max when the quality performance standard (QPS) is met, else 0.
- "qps_alternative" (PY2023+, 425.512(a)(4)-(5)): r_s = r_max when the QPS is met; r_max x q when only
  the alternative QPS is met (the sliding scale); else 0.

Loss rates (two-sided tracks): Track 2 to PY2020 min(60%, 1 - r_s) (425.606(f)); Track 3 and ENHANCED
to PY2020 1 - r_s within [40%, 75%] (425.610(f)). From PY2021 (`QUALITY_SCALED_LOSS_RATE_FROM`) the
sharing rate no longer carries the score (it is all or nothing under the QPS), and the loss rate is
1 - r_max x q instead: ENHANCED within [40%, 75%], 75% when neither standard is met (425.610(f)(4));
Track 2 at most 60%. Track 1+ and BASIC C-E a flat 30% (425.605(d)).

Example (PY2014 Track 1, A67373): q = 0.916964286 -> r_s = 0.5 x q = 0.458482143.
Example (PY2024 ENHANCED, A5407): q = 0.7178, QPS met -> r_l = 1 - 0.75 x 0.7178 = 0.46165.
Example (PY2021 Track 2, A2029): q = 0.89, QPS met -> r_s = 0.60 but r_l = 1 - 0.6 x 0.89 = 0.466;
G = -2,382,640 -> loss 1,110,310 = CMS's DisAdj (the loss, forgiven in full for the COVID-19 PHE).

>>> rate, code = final_loss_rate_array(np.array([2]), np.array([2021]), np.array([0.6]), np.array([0.6]),
...     np.array([0.89]), np.array([True]), np.array([np.nan]), np.array([np.nan]), np.array([0.6]))
>>> round(float(rate[0]) * 2_382_640)
1110310
"""

from __future__ import annotations

import numpy as np

# Same results as np.select / np.choose, about five times faster here (aco_model.selection).
from aco_model.selection import choose, select

ERA_CODES = {"legacy": 0, "qps": 1, "qps_alternative": 2}
LOSS_RULE_CODES = {"none": 0, "fixed": 1, "track_2": 2, "track_3": 3, "enhanced_quality": 4}

SHARING_RULES: tuple[str, ...] = (
    "425.502: maximum sharing rate x quality score",
    "425.502(a)(1): pay for reporting, full maximum sharing rate",
    "425.502: quality standard not met, no sharing",
    "425.512: quality performance standard met, full maximum sharing rate",
    "425.512(a)(5): alternative quality standard, maximum rate x quality score",
    "425.512: no quality standard met, no sharing",
)
LOSS_RULES: tuple[str, ...] = (
    "one-sided: no shared losses",
    "425.605(d)/Track 1+: flat loss rate",
    "425.606(f): 1 - final sharing rate, at most 60%",
    "425.610(f): 1 - final sharing rate, within 40%-75%",
    "425.610(f)(4): 1 - 0.75 x quality score, within 40%-75%",
    "425.610(f)(4): no quality standard met, 75%",
    "425.606(f) from PY2021: 1 - 0.6 x quality score, at most 60%",
    "425.606(f) from PY2021: no quality standard met, 60%",
)

# How each rule of `SHARING_RULES` sets r_s = r_max x factor: None = the quality score, else the factor.
SHARING_FACTOR: tuple[float | None, ...] = (None, 1.0, 0.0, 1.0, None, 0.0)
SHARING_USES_QUALITY = np.array([f is None for f in SHARING_FACTOR])
# The quality-score rules add -0.0, which leaves every number (and the sign of a zero) unchanged.
SHARING_CONSTANT = np.array([-0.0 if f is None else f for f in SHARING_FACTOR])

# How each rule of `LOSS_RULES` sets r_l = min(max(1 - r_max x operand, low), high): operand "sharing" is
# the sharing factor (so 1 - r_s), "quality" the quality score; a bound is 0 ("zero"), none, or the
# track's fixed loss rate, floor or ceiling. A rule with low = high is that constant.
LOSS_BOUNDS: tuple[str, ...] = ("zero", "none", "fixed", "floor", "ceiling")
LOSS_RATE_FORM: tuple[tuple[str, str, str], ...] = (
    ("sharing", "zero", "zero"),  # one-sided: 0
    ("sharing", "fixed", "fixed"),  # Track 1+ / BASIC C-E
    ("sharing", "none", "ceiling"),  # Track 2 to PY2020: min(60%, 1 - r_s)
    ("sharing", "floor", "ceiling"),  # Track 3 / ENHANCED to PY2020
    ("quality", "floor", "ceiling"),  # ENHANCED from PY2021
    ("sharing", "ceiling", "ceiling"),  # ENHANCED, no standard met
    ("quality", "none", "ceiling"),  # Track 2 from PY2021
    ("sharing", "ceiling", "ceiling"),  # Track 2 from PY2021, no standard met
)
LOSS_USES_QUALITY = np.array([form[0] == "quality" for form in LOSS_RATE_FORM])
LOSS_LOW = np.array([LOSS_BOUNDS.index(form[1]) for form in LOSS_RATE_FORM])
LOSS_HIGH = np.array([LOSS_BOUNDS.index(form[2]) for form in LOSS_RATE_FORM])

# First performance year whose loss rate is 1 - r_max x q rather than 1 - r_s, per loss rule.
QUALITY_SCALED_LOSS_RATE_FROM: dict[str, int] = {
    # 425.610(f)(4) [3P; PUF 2023-24: e.g. PY2024 A5407 q 0.7178 -> FinalLossRate 46.16%].
    "enhanced_quality": 2021,
    # 425.606(f) as CMS applied it [PUF 2021 A2029: q 0.89, G -2,382,640, DisAdj -1,110,310 =
    # 0.466 x 2,382,640 (1 - r_s would give 0.40, $953,056)]. The 60% ceiling, and 60% when no
    # quality standard is met, mirror ENHANCED's rule [recall: unconfirmed, no PUF row].
    "track_2": 2021,
}

# Half the unit of the last decimal CMS publishes `QualScore` to, by performance year: CMS settles on
# the unrounded score, so the published one brackets it within +/- this much (methodology 1.2).
# PY2013 publishes a 0/1 reporting flag (the score is exact: full or no sharing) [PUF]; PY2014 a
# fraction to 9 decimals (0.916964286) [PUF]; PY2015-2024 4 decimals of the fraction (0.9084, or
# 2 decimals in percent: 90.84) [PUF: every file]; PY2025+ assumed the same [unconfirmed].
QUALITY_SCORE_HALF_UNIT: dict[int, float] = {
    2013: 0.0, 2014: 5e-10, **{year: 5e-5 for year in range(2015, 2027)},
}


def quality_standard_met(
    quality_score: np.ndarray, met_quality_standard: np.ndarray, standard: np.ndarray
) -> np.ndarray:
    """Published Met_QPS where given (not NaN), else quality score >= the year's standard."""
    met = np.asarray(met_quality_standard, dtype=float)
    derived = np.nan_to_num(np.asarray(quality_score, dtype=float), nan=0.0) >= np.nan_to_num(
        standard, nan=0.0
    )
    return np.where(np.isnan(met), derived, met > 0)


def sharing_rule_code(
    era: np.ndarray,
    pay_for_reporting: np.ndarray,
    met_standard: np.ndarray,
    met_alternative: np.ndarray,
    met_standard_given: np.ndarray,
) -> np.ndarray:
    """Which rule of `SHARING_RULES` sets the final sharing rate (int8 code), from the era and the flags.

    `met_standard` is already resolved (see `quality_standard_met`); in the legacy era only an
    explicitly published failure (`met_standard_given` and not met) removes sharing.
    """
    legacy = era == 0
    return select(
        [
            legacy & met_standard_given & ~met_standard,
            legacy & pay_for_reporting,
            legacy,
            met_standard,
            (era == 2) & met_alternative,
        ],
        [2, 1, 0, 3, 4],
        default=5,
    ).astype(np.int8)


def final_sharing_rate_array(
    era: np.ndarray,
    max_sharing_rate: np.ndarray,
    quality_score: np.ndarray,
    pay_for_reporting: np.ndarray,
    met_standard: np.ndarray,
    met_alternative: np.ndarray,
    met_standard_given: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Final sharing rate r_s = r_max x `SHARING_FACTOR` and its rule code (`sharing_rule_code`)."""
    q = np.nan_to_num(np.asarray(quality_score, dtype=float), nan=0.0)
    code = sharing_rule_code(era, pay_for_reporting, met_standard, met_alternative, met_standard_given)
    factor = np.where(SHARING_USES_QUALITY.take(code), q, SHARING_CONSTANT.take(code))
    return max_sharing_rate * factor, code


def loss_rule_code(loss_rule: np.ndarray, performance_year: np.ndarray,
                   met_any_standard: np.ndarray) -> np.ndarray:
    """Which rule of `LOSS_RULES` sets the final loss rate (int8 code), from the track's loss rule
    (`LOSS_RULE_CODES`), the year (`QUALITY_SCALED_LOSS_RATE_FROM`) and whether any standard was met."""
    scaled_from = select(
        [loss_rule == LOSS_RULE_CODES[rule] for rule in QUALITY_SCALED_LOSS_RATE_FROM],
        list(QUALITY_SCALED_LOSS_RATE_FROM.values()), default=np.iinfo(np.int64).max,
    )
    quality_scaled = np.asarray(performance_year) >= scaled_from
    track_2, enhanced = loss_rule == 2, loss_rule == 4
    return select(
        [
            loss_rule == 0,
            loss_rule == 1,
            track_2 & quality_scaled & ~met_any_standard,
            track_2 & quality_scaled,
            track_2,
            enhanced & quality_scaled & ~met_any_standard,
            enhanced & quality_scaled,
        ],
        [0, 1, 7, 6, 2, 5, 4],
        default=3,
    ).astype(np.int8)


def final_loss_rate_array(
    loss_rule: np.ndarray,
    performance_year: np.ndarray,
    final_sharing_rate: np.ndarray,
    max_sharing_rate: np.ndarray,
    quality_score: np.ndarray,
    met_any_standard: np.ndarray,
    fixed_loss_rate: np.ndarray,
    floor: np.ndarray,
    ceiling: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Final loss rate r_l (`LOSS_RATE_FORM`) and its rule code (`loss_rule_code`), vectorized."""
    q = np.nan_to_num(np.asarray(quality_score, dtype=float), nan=0.0)
    code = loss_rule_code(loss_rule, performance_year, met_any_standard)
    operand = np.where(LOSS_USES_QUALITY.take(code), max_sharing_rate * q, final_sharing_rate)
    bounds = [np.zeros_like(q), np.full_like(q, -np.inf), fixed_loss_rate, floor, ceiling]
    low = choose(LOSS_LOW.take(code), bounds)
    high = choose(LOSS_HIGH.take(code), bounds)
    return np.minimum(np.maximum(1.0 - operand, low), high), code
