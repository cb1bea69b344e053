"""The settlement engine's lookup tables: every rule evaluated once per discrete state, not once per row.

A settlement's rule codes (`msr.MSR_RULES`, `quality.SHARING_RULES`, `quality.LOSS_RULES`) depend on the
track, the performance year and a few yes/no facts about the ACO-year, never on its dollars or its exact
score. So the engine (`vectorized`) packs those into one integer per row,

    cell = track index x years + (performance year - FIRST_YEAR)
    key  = (cell x 3 + start state) x 64 + flags

(start state: agreement start unknown / in Track 2's fixed-MSR years / later; flags: bit 0 met the
standard (resolved), 1 variable MSR elected, 2 under `VARIABLE_MSR_BELOW` beneficiaries, 3 standard
published, 4 pay for reporting, 5 met the alternative standard: the flags that vary most in the low
bits, so that a cell's keys in use share a cache line), and reads each code, and the
coefficients of its formula, from tables built here by the reference rule functions themselves
(`msr.corridor_rates_array`, `quality.sharing_rule_code`, `quality.loss_rule_code`) over every state. The
formulas are the rules' own data (`quality.SHARING_FACTOR`, `quality.LOSS_RATE_FORM`):

    r_s = q x rs_quality[key] + rs_constant[key]                 (= r_max x factor)
    r_l = min(max(1 - (q x rl_quality[key] + rl_constant[key]), rl_low[key]), rl_high[key])

which give exactly (bit for bit) what the reference functions give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from aco_model.msr import corridor_rates_array
from aco_model.quality import (
    ERA_CODES,
    LOSS_BOUNDS,
    LOSS_HIGH,
    LOSS_LOW,
    LOSS_RULE_CODES,
    LOSS_USES_QUALITY,
    SHARING_CONSTANT,
    SHARING_USES_QUALITY,
    loss_rule_code,
    sharing_rule_code,
)
from aco_model.rules import (
    FIRST_YEAR,
    LAST_YEAR,
    MSR_ELECTIONS,
    TRACK_2_FIXED_MSR_LAST_START,
    TRACKS,
    VARIABLE_MSR_BELOW,
    YEARS,
    TrackRules,
    YearRules,
)

TRACK_ORDER = list(TRACKS)
YEAR_ORDER = list(range(FIRST_YEAR, LAST_YEAR + 1))
N_YEARS = len(YEAR_ORDER)
START_STATES = 3  # agreement start unknown, <= TRACK_2_FIXED_MSR_LAST_START, later
FLAG_BITS = 6
MET, VARIABLE_MSR, SMALL, MET_GIVEN, PAY_FOR_REPORTING, ALTERNATIVE = range(FLAG_BITS)
KEYS_PER_CELL = START_STATES << FLAG_BITS
ELECTED_MSR_RULE = 4  # msr.MSR_RULES: the ACO's own symmetric election


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _three(schedule: tuple[float, ...] | None) -> list[float]:
    """A by-year schedule as exactly three entries (1st, 2nd, 3rd+ year), NaN where absent."""
    values = list(schedule or ())[:3]
    return values + [values[-1] if values else np.nan] * (3 - len(values))


@dataclass(frozen=True, slots=True, eq=False)
class Tables:
    """Rule values by track, by cell (track x year) and by key (cell x start state x flags)."""

    # by track
    two_sided: np.ndarray
    is_basic: np.ndarray
    limit_revenue: np.ndarray
    limit_share: np.ndarray  # index track x 3 + year in track - 1; +inf where no limit applies
    limit_by_year: np.ndarray  # tracks whose loss limit changes with the year in the track (Track 2)
    # by cell
    standard: np.ndarray  # the quality standard, 0 where none (as `quality.quality_standard_met`)
    sequestration: np.ndarray
    payment_limit: np.ndarray
    limit_share_first_year: np.ndarray
    euc: np.ndarray
    nan_if_one_sided: np.ndarray
    # by key
    msr_rule: np.ndarray
    sharing_rule: np.ndarray
    loss_rule: np.ndarray
    rs_quality: np.ndarray
    rs_constant: np.ndarray
    rl_quality: np.ndarray
    rl_constant: np.ndarray
    rl_low: np.ndarray
    rl_high: np.ndarray
    # Every loss rate is a number in [-1, 1] (the rules as published), so a rate times the gross savings
    # is finite and times 0 is 0.
    finite_loss_rates: bool
    track_2_fixed_msr: bool  # some cell can take Track 2's fixed MSR (msr rule 1)


def tables(tracks: Mapping[str, TrackRules] | None = None,
           years: Mapping[int, YearRules] | None = None) -> Tables:
    """The tables for these rules (default: as CMS applied them); built once per distinct rule set."""
    return _build(tuple((t, (tracks or TRACKS)[t]) for t in TRACK_ORDER),
                  tuple((y, (years or YEARS)[y]) for y in YEAR_ORDER))


@lru_cache(maxsize=8)  # ~1.6 MB a rule set (program-wide what-if scenarios)
def _build(tracks: tuple[tuple[str, TrackRules], ...], years: tuple[tuple[int, YearRules], ...]) -> Tables:
    t_rows = [r for _, r in tracks]
    y_rows = [r for _, r in years]
    two_sided = np.array([r.two_sided for r in t_rows])
    max_rate = np.array([r.max_sharing_rate for r in t_rows])
    limit_benchmark = np.array([_nan(r.loss_limit_benchmark_share) for r in t_rows])
    by_year = np.array([_three(r.loss_limit_by_year_in_track) for r in t_rows], dtype=float)
    share = np.where(np.isnan(by_year), limit_benchmark[:, None], by_year)
    limit_share = np.where(np.isnan(share), np.inf, share)
    bounds = np.stack([
        np.zeros(len(t_rows)), np.full(len(t_rows), -np.inf),
        np.array([_nan(r.fixed_loss_rate) for r in t_rows]),
        np.array([_nan(r.loss_rate_floor) for r in t_rows]),
        np.array([_nan(r.loss_rate_ceiling) for r in t_rows]),
    ])

    # Every cell, then every key, as flat arrays.
    track = np.repeat(np.arange(len(t_rows)), N_YEARS)
    year = np.tile(np.arange(N_YEARS), len(t_rows))
    py = np.array(YEAR_ORDER)[year]
    standard = np.array([_nan(r.quality_standard) for r in y_rows])
    k_cell = np.repeat(np.arange(len(track)), KEYS_PER_CELL)
    k_state = np.tile(np.repeat(np.arange(START_STATES), 1 << FLAG_BITS), len(track))
    flags = np.tile(np.arange(1 << FLAG_BITS), len(track) * START_STATES)
    bit = [(flags >> b & 1).astype(bool) for b in range(FLAG_BITS)]
    k_track, k_py = track[k_cell], py[k_cell]

    start = np.array([np.nan, TRACK_2_FIXED_MSR_LAST_START, TRACK_2_FIXED_MSR_LAST_START + 1])[k_state]
    _, _, msr_rule = corridor_rates_array(
        k_py, two_sided[k_track], np.array([r.track == "TRACK_2" for r in t_rows])[k_track],
        np.where(bit[SMALL], VARIABLE_MSR_BELOW - 1, VARIABLE_MSR_BELOW),
        np.where(bit[VARIABLE_MSR], np.nan, MSR_ELECTIONS[-1]), start,
    )
    era = np.array([ERA_CODES[r.quality_era] for r in y_rows])[year][k_cell]
    sharing = sharing_rule_code(era, bit[PAY_FOR_REPORTING], bit[MET], bit[ALTERNATIVE], bit[MET_GIVEN])
    loss_rule = np.array([LOSS_RULE_CODES[r.loss_rate_rule] for r in t_rows])[k_track]
    loss = loss_rule_code(loss_rule, k_py, bit[MET] | bit[ALTERNATIVE])

    k_max = max_rate[k_track]
    rs_quality = np.where(SHARING_USES_QUALITY.take(sharing), k_max, 0.0)
    rs_constant = np.where(SHARING_USES_QUALITY.take(sharing), -0.0, k_max * SHARING_CONSTANT.take(sharing))
    by_quality = LOSS_USES_QUALITY.take(loss)
    rl_low = bounds[LOSS_LOW.take(loss), k_track]
    rl_high = bounds[LOSS_HIGH.take(loss), k_track]
    assert LOSS_BOUNDS == ("zero", "none", "fixed", "floor", "ceiling")
    built = Tables(
        two_sided=two_sided,
        is_basic=np.array([r.track.startswith("BASIC") for r in t_rows]),
        limit_revenue=np.array([_nan(r.loss_limit_revenue_share) for r in t_rows]),
        limit_share=limit_share.ravel(),
        limit_by_year=np.flatnonzero((limit_share != limit_share[:, :1]).any(axis=1)),
        standard=np.nan_to_num(standard, nan=0.0)[year],
        sequestration=np.array([r.sequestration_factor for r in y_rows])[year],
        payment_limit=np.array([r.payment_limit for r in t_rows])[track],
        limit_share_first_year=limit_share[:, 0][track],
        euc=np.array([r.euc_loss_share for r in y_rows])[year],
        nan_if_one_sided=np.where(two_sided, 0.0, np.nan)[track],
        msr_rule=msr_rule.astype(np.int8),
        sharing_rule=sharing,
        loss_rule=loss,
        rs_quality=rs_quality,
        rs_constant=rs_constant,
        rl_quality=np.where(by_quality, k_max, rs_quality),
        rl_constant=np.where(by_quality, -0.0, rs_constant),
        rl_low=rl_low,
        rl_high=rl_high,
        finite_loss_rates=bool(not np.isnan(rl_low).any() and (np.abs(rl_high) <= 1).all()
                               and ((max_rate >= 0) & (max_rate <= 1)).all()),
        track_2_fixed_msr=bool((msr_rule == 1).any()),
    )
    for name in Tables.__slots__:
        value = getattr(built, name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False  # shared by every call with these rules
    return built
