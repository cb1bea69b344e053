"""Rule tables of the Medicare Shared Savings Program, per track and per performance year, as data.

Every number here is looked up by `track_rules(track)` or `year_rules(performance_year)`; no other
module carries a rule literal. Sources are cited per entry (42 CFR part 425 unless noted) with the
confidence tags of the project's methodology notes: [CFR15] read in the 2015 CFR, [PUF] reproduced
from CMS's public-use files, [3P] third-party quotation of the current eCFR, [recall] unconfirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

LossRateRule = Literal["none", "track_2", "track_3", "enhanced_quality", "fixed"]
MsrBasis = Literal["variable", "fixed", "elected"]
QualityEra = Literal["legacy", "qps", "qps_alternative"]

FIRST_YEAR = 2013
LAST_YEAR = 2026


@dataclass(frozen=True, slots=True)
class TrackRules:
    """Financial parameters of one track or BASIC/ENHANCED level.

    `loss_limit_benchmark_share` and `loss_limit_revenue_share` bound shared losses at
    min(revenue_share x participant revenue, benchmark_share x benchmark) when both are set;
    Track 2's benchmark share rises with the ACO's year in the track (`track_2_loss_limits`).
    """

    track: str
    label: str
    max_sharing_rate: float
    payment_limit: float
    two_sided: bool
    msr_basis: MsrBasis
    loss_rate_rule: LossRateRule
    fixed_loss_rate: float | None
    loss_rate_floor: float | None
    loss_rate_ceiling: float | None
    loss_limit_benchmark_share: float | None
    loss_limit_revenue_share: float | None
    offered_from: int
    offered_to: int
    citation: str
    # Track 2 only: loss limit share of the benchmark by the ACO's year in the track (1st, 2nd, 3rd+).
    loss_limit_by_year_in_track: tuple[float, ...] | None = None


TRACKS: dict[str, TrackRules] = {
    r.track: r
    for r in (
        # 425.604(b),(d),(e) [CFR15, PUF]: one-sided, 50% x quality, capped at 10% of benchmark.
        TrackRules("TRACK_1", "Track 1", 0.50, 0.10, False, "variable", "none",
                   None, None, None, None, None, 2013, 2021, "42 CFR 425.604"),
        # CMMI Track 1+ model agreement (not in the CFR) [PUF 2018: 0.30 on all loss rows];
        # loss limit 8% of revenue capped at 4% of benchmark, or 4% of benchmark [press reports].
        TrackRules("TRACK_1_PLUS", "Track 1+", 0.50, 0.10, True, "elected", "fixed",
                   0.30, None, None, 0.04, 0.08, 2018, 2021, "Track 1+ Model agreement (CMMI)"),
        # 425.606(b)-(g) [CFR15]: 60% x quality, 15% cap; loss rate 1 - r_s capped at 60%
        # (>= 40% follows from r_s <= 0.6); loss limit 5% / 7.5% / 10% by year in the track
        # (425.606(g)(1)-(3)).
        TrackRules("TRACK_2", "Track 2", 0.60, 0.15, True, "elected", "track_2",
                   None, None, 0.60, 0.10, None, 2013, 2019, "42 CFR 425.606",
                   loss_limit_by_year_in_track=(0.05, 0.075, 0.10)),
        # 425.610(b)-(g) [CFR15, PUF 2018]: 75% x quality, 20% cap; loss 1 - r_s in [40%, 75%],
        # limited to 15% of benchmark.
        TrackRules("TRACK_3", "Track 3", 0.75, 0.20, True, "elected", "track_3",
                   None, 0.40, 0.75, 0.15, None, 2016, 2019, "42 CFR 425.610"),
        # 425.605(d)(1)(i)-(ii) [3P, PUF]: BASIC one-sided levels, 40%, 10% cap.
        TrackRules("BASIC_A", "BASIC Level A", 0.40, 0.10, False, "variable", "none",
                   None, None, None, None, None, 2019, LAST_YEAR, "42 CFR 425.605(d)(1)(i)"),
        TrackRules("BASIC_B", "BASIC Level B", 0.40, 0.10, False, "variable", "none",
                   None, None, None, None, None, 2019, LAST_YEAR, "42 CFR 425.605(d)(1)(ii)"),
        # 425.605(d)(1)(iii)-(v) [3P, PUF rate]: 50%, 10% cap, 30% loss rate whatever quality,
        # loss limit min(x% of participant revenue, y% of benchmark).
        TrackRules("BASIC_C", "BASIC Level C", 0.50, 0.10, True, "elected", "fixed",
                   0.30, None, None, 0.01, 0.02, 2019, LAST_YEAR, "42 CFR 425.605(d)(1)(iii)"),
        TrackRules("BASIC_D", "BASIC Level D", 0.50, 0.10, True, "elected", "fixed",
                   0.30, None, None, 0.02, 0.04, 2019, LAST_YEAR, "42 CFR 425.605(d)(1)(iv)"),
        # Level E follows the QPP Advanced APM nominal-amount standard (414.1415(c)(3)): 8% / 4%.
        TrackRules("BASIC_E", "BASIC Level E", 0.50, 0.10, True, "elected", "fixed",
                   0.30, None, None, 0.04, 0.08, 2019, LAST_YEAR, "42 CFR 425.605(d)(1)(v)"),
        # 425.610 as amended for 7/2019+ [3P, PUF 2023-24]: 75%, 20% cap, 15% loss limit;
        # from PY2021 the loss rate is 1 - 0.75 x quality score, in [40%, 75%] (425.610(f)(4)).
        TrackRules("ENHANCED", "ENHANCED", 0.75, 0.20, True, "elected", "enhanced_quality",
                   None, 0.40, 0.75, 0.15, None, 2019, LAST_YEAR, "42 CFR 425.610"),
    )
}

# 425.606(b)(1)(i) [CFR15; PUF 2014]: Track 2 agreements starting 2012-2015 had a fixed 2% MSR/MLR.
TRACK_2_FIXED_MSR = 0.02
TRACK_2_FIXED_MSR_LAST_START = 2015

# 425.605(b), 425.606(b)(1)(ii), 425.610(b)(1) [CFR15, 3P]: the MSR/MLR choices of a two-sided ACO.
MSR_ELECTIONS: tuple[float, ...] = (0.0, 0.005, 0.01, 0.015, 0.02)

# 425.110(b), 425.605(b), 425.610(b) [recall; PUF 2023-24: all 22 two-sided ACOs under 5,000 show the
# variable value]: a two-sided ACO below this headcount gets the variable MSR/MLR whatever it elected.
VARIABLE_MSR_BELOW = 5000
VARIABLE_MSR_BELOW_FROM_YEAR = 2019

# 425.605(h) [3P, PUF 2024]: low-revenue BASIC ACOs with positive savings below the MSR share at this
# fraction of their rate, agreements starting 2024+.
REDUCED_SHARING_FACTOR = 0.5
REDUCED_SHARING_MIN_BENEFICIARIES = 5000

# 425.609 [3P, PUF]: the 2019 six-month performance years settle six of twelve months. CMS's
# January-June rows publish six-month totals, but their DisAdj is the twelve-month EUC amount: the relief
# applied is this share of it [PUF 2019: A1498 and A2021 owe L2 - |DisAdj| / 2 to $1, while the three
# full-year EUC loss rows owe L2 - |DisAdj|].
SIX_MONTH_PRORATION = 0.5


@dataclass(frozen=True, slots=True)
class YearRules:
    """Parameters that vary by performance year rather than by track.

    `sequestration_factor` multiplies shared savings (never losses); it applies by payment date
    (Budget Control Act 2011, suspended 5/2020-3/2022). `quality_era` selects the quality rule
    (425.502 scoring / 425.512 quality performance standard / plus the alternative standard).
    `quality_standard` is the score meeting the QPS (MIPS quality percentile) where known.
    `euc_loss_share` is the default share of losses forgiven for extreme and uncontrollable
    circumstances when an ACO's own share is not known (1.0 under the COVID-19 PHE, 425.611).
    """

    performance_year: int
    sequestration_factor: float
    quality_era: QualityEra
    quality_standard: float | None
    euc_loss_share: float
    citation: str


def _year(py: int, seq: float, era: QualityEra, qps: float | None, euc: float, cite: str) -> YearRules:
    return YearRules(py, seq, era, qps, euc, cite)


YEARS: dict[int, YearRules] = {
    r.performance_year: r
    for r in (
        # 2% sequestration verified on every saver [PUF 2013-2018].
        _year(2013, 0.98, "legacy", None, 0.0, "425.502; BCA 2011 sequestration [PUF]"),
        _year(2014, 0.98, "legacy", None, 0.0, "425.502 [PUF]"),
        _year(2015, 0.98, "legacy", None, 0.0, "425.502 [PUF]"),
        _year(2016, 0.98, "legacy", None, 0.0, "425.502 [PUF]"),
        _year(2017, 0.98, "legacy", None, 0.0, "425.502, 425.502(f) EUC [PUF]"),
        _year(2018, 0.98, "legacy", None, 0.0, "425.502 [PUF]"),
        # PY2019 and PY2020 were paid while sequestration was suspended: EarnSaveLoss = G x r_s [PUF].
        _year(2019, 1.00, "legacy", None, 0.0, "425.502, 425.609 [PUF: median factor 1.00]"),
        # PY2020: universal COVID-19 EUC; losses fully forgiven (425.611) [PUF: no loss rows].
        _year(2020, 1.00, "legacy", None, 1.0, "425.502, 425.611 [PUF: factor 1.00, no losses]"),
        _year(2021, 0.98, "qps", 0.6173, 1.0, "425.512 [PUF: factor 0.98, no losses]"),
        _year(2022, 0.98, "qps", 0.7063, 1.0, "425.512 [PUF: factor 0.98, no losses]"),
        # PHE ended 5/11/2023: 5 of 12 months affected; the per-ACO share is in DisAdj [PUF].
        _year(2023, 0.98, "qps_alternative", 0.6576, 5 / 12, "425.512(a)(4)-(5) [PUF]"),
        _year(2024, 0.98, "qps_alternative", 0.7705, 0.0, "425.512(a)(5) 40th percentile [PUF]"),
        # PY2025 threshold unconfirmed: PY2024's value carried forward [recall].
        _year(2025, 0.98, "qps_alternative", 0.7705, 0.0, "425.512 [recall: threshold unconfirmed]"),
        _year(2026, 0.98, "qps_alternative", 0.7385, 0.0, "425.512 [3P CMS memo: 73.85]"),
    )
}


class RuleError(ValueError):
    """A track or year outside the rule tables."""


def track_rules(track: str) -> TrackRules:
    """Rules of a track code from `TRACKS` (e.g. "BASIC_E", "ENHANCED")."""
    try:
        return TRACKS[track]
    except KeyError:
        raise RuleError(f"unknown track {track!r}; expected one of {', '.join(TRACKS)}") from None


def year_rules(performance_year: int) -> YearRules:
    """Rules of a performance year, 2013 to 2026."""
    try:
        return YEARS[int(performance_year)]
    except KeyError:
        raise RuleError(f"no rules for performance year {performance_year}; "
                        f"covered: {FIRST_YEAR}-{LAST_YEAR}") from None


def is_offered(track: str, performance_year: int) -> bool:
    """Whether CMS offered the track in that year (the what-if allows any pairing regardless)."""
    r = track_rules(track)
    return r.offered_from <= performance_year <= r.offered_to


def with_overrides(rules: TrackRules, **changes: float | None) -> TrackRules:
    """A copy of `rules` with some numbers changed (program-wide what-if)."""
    return replace(rules, **changes)
