"""Minimum savings rate (MSR) and minimum loss rate (MLR).

The one-sided table of 42 CFR 425.604(b) (extended to 500-4,999 by the 2018 Pathways rule,
83 FR 67816) gives the MSR by assigned-beneficiary headcount, linearly interpolated inside each band:

    MSR = a + (N - lo) / (hi - lo) x (z - a)

where `[lo, hi]` is the band (hi its last value, e.g. 5,999, not the next band's start) and `(a, z)`
the rates at its ends. Example: N = 34,601 -> 0.025 - 14,601 / 29,999 x 0.003 = 0.02353985
(PY2014 ACO A67373's published MinSavPerc, to 9 digits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aco_model.rules import (
    MSR_ELECTIONS,
    TRACK_2_FIXED_MSR,
    TRACK_2_FIXED_MSR_LAST_START,
    VARIABLE_MSR_BELOW,
    VARIABLE_MSR_BELOW_FROM_YEAR,
    track_rules,
)
from aco_model.selection import choose, select

# (low headcount, high headcount, MSR at low, MSR at high) [CFR15 425.604(b); 500-2,999 PUF 2023-24].
VARIABLE_MSR_TABLE: tuple[tuple[int, int, float, float], ...] = (
    (500, 999, 0.122, 0.087),
    (1000, 2999, 0.087, 0.050),
    (3000, 4999, 0.050, 0.039),
    (5000, 5999, 0.039, 0.036),
    (6000, 6999, 0.036, 0.034),
    (7000, 7999, 0.034, 0.032),
    (8000, 8999, 0.032, 0.031),
    (9000, 9999, 0.031, 0.030),
    (10000, 14999, 0.030, 0.027),
    (15000, 19999, 0.027, 0.025),
    (20000, 49999, 0.025, 0.022),
    (50000, 59999, 0.022, 0.020),
)
MSR_AT_60000_AND_OVER = 0.020
# Below 500 the MSR is not known from public rules (methodology 2.1): PY2017 A05696 (N = 152) shows
# 25.42%, which neither the table nor its 1.645 x CV / sqrt(N) origin reproduces. The table's rate at
# 500 is assumed, and every settlement that uses it carries `MSR_BELOW_500_WARNING`.
MSR_BELOW_500 = 0.122
MSR_TABLE_FROM = 500
MSR_BELOW_500_WARNING = (
    "The minimum savings rate below 500 assigned beneficiaries is not known from public rules "
    f"(CMS's PY2017 file shows 25.42% for an ACO of 152); {MSR_BELOW_500:.1%}, the table's rate at "
    "500, is assumed."
)

_LO = np.array([b[0] for b in VARIABLE_MSR_TABLE], dtype=float)
_HI = np.array([b[1] for b in VARIABLE_MSR_TABLE], dtype=float)
_A = np.array([b[2] for b in VARIABLE_MSR_TABLE])
_Z = np.array([b[3] for b in VARIABLE_MSR_TABLE])
_LOOKUP_TOP = 60000

VARIABLE = "variable"


def _variable_msr_formula(n: np.ndarray) -> np.ndarray:
    """The table's interpolation for floored headcounts `n` (any shape, NaN propagates)."""
    band = np.clip(np.searchsorted(_LO, n, side="right") - 1, 0, len(_LO) - 1)
    lo, hi, a, z = _LO[band], _HI[band], _A[band], _Z[band]
    msr = a + (n - lo) / (hi - lo) * (z - a)
    msr = np.where(n >= _LOOKUP_TOP, MSR_AT_60000_AND_OVER, msr)
    return np.where(n < MSR_TABLE_FROM, MSR_BELOW_500, msr)


# The formula evaluated once for every headcount 0..60,000 (the MSR is flat above), so that settling
# a million ACO-years is one table lookup per row, bit for bit the formula's value.
_MSR_BY_HEADCOUNT = _variable_msr_formula(np.arange(_LOOKUP_TOP + 1, dtype=float))
_MSR_BY_HEADCOUNT.flags.writeable = False


def headcount_msr_table() -> tuple[np.ndarray, int]:
    """The table's MSR for every headcount 0..top (read-only) and top, above which it is flat."""
    return _MSR_BY_HEADCOUNT, _LOOKUP_TOP


def table_msr(assigned_beneficiaries: np.ndarray) -> np.ndarray:
    """`variable_msr` for finite headcounts >= 0 (the engine's validated input): a lookup, no search."""
    index = np.minimum(assigned_beneficiaries, _LOOKUP_TOP).astype(np.intp)
    return _MSR_BY_HEADCOUNT.take(index)


def variable_msr(assigned_beneficiaries: np.ndarray | float) -> np.ndarray | float:
    """MSR from the headcount table (425.604(b)), vectorized; returns a fraction.

    Below 500 beneficiaries the value is an assumption (`MSR_BELOW_500`, see `MSR_BELOW_500_WARNING`).

    >>> round(float(variable_msr(34_601)), 10)
    0.0235398513
    """
    n = np.asarray(assigned_beneficiaries, dtype=float)
    if n.ndim and n.size and n.min() >= 0 and n.max() < np.inf:  # NaN fails both
        return table_msr(n)  # truncation = floor for n >= 0
    msr = _variable_msr_formula(np.floor(n))
    return float(msr) if msr.ndim == 0 else msr


def parse_election(election: str | float | None) -> float | None:
    """An MSR/MLR election as a fraction, or None for the variable (table) option.

    Accepts "variable", a fraction (0.015) or a percent string ("1.5%"); a float NaN means variable
    (the engine's frame convention), the text "nan" does not. Only the options of 425.605(b)/425.610(b)
    are valid: 0, 0.5%, 1%, 1.5%, 2%, or variable.

    >>> parse_election("1.5%"), parse_election("variable"), parse_election(0.005)
    (0.015, None, 0.005)
    """
    if election is None:
        return None
    if isinstance(election, str):
        text = election.strip().lower()
        if text in ("", VARIABLE):
            return None
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            value = np.nan
        if not np.isfinite(value):
            raise ValueError(f"MSR/MLR election {election!r} is not one of {ELECTION_CHOICES}")
    else:
        value = float(election)
        if np.isnan(value):
            return None
    for option in MSR_ELECTIONS:
        if abs(value - option) < 1e-9:
            return option
    raise ValueError(f"MSR/MLR election {election!r} is not one of {ELECTION_CHOICES}")


ELECTION_CHOICES = "0%, 0.5%, 1%, 1.5%, 2% (or 0, 0.005, 0.01, 0.015, 0.02) or 'variable'"


# Why an ACO-year got its MSR/MLR: codes returned by `corridor_rates_array`, texts for people.
MSR_RULES: tuple[str, ...] = (
    "425.604(b)/425.605(b): one-sided, MSR from the beneficiary table",
    "425.606(b)(1)(i): Track 2 agreement of 2012-2015, fixed 2% MSR/MLR",
    "425.110(b): two-sided under 5,000 beneficiaries, variable MSR/MLR",
    "425.605(b)/425.610(b): elected variable MSR/MLR (beneficiary table)",
    "425.605(b)/425.610(b): elected symmetric MSR/MLR",
    "MSR/MLR set by the scenario (not CMS's rule)",
)


_CODES = tuple(np.int8(c) for c in range(5))
_NAN_IF_FALSE = np.array([np.nan, 0.0])


def corridor_rates_array(
    performance_year: np.ndarray,
    two_sided: np.ndarray,
    is_track_2: np.ndarray,
    assigned_beneficiaries: np.ndarray,
    election: np.ndarray,
    agreement_start_year: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MSR, MLR (NaN for one-sided) and rule code (index into `MSR_RULES`) per ACO-year.

    One-sided tracks use the table. Two-sided tracks use their election (NaN = variable; the MLR
    equals the MSR); from PY2019 a two-sided ACO under 5,000 beneficiaries gets the variable rate
    whatever it elected (425.110(b)). Track 2 agreements starting 2012-2015 kept a fixed 2%
    (425.606(b)(1)(i)); with no start year, Track 2 before PY2016 is taken as such.
    """
    n = np.asarray(assigned_beneficiaries, dtype=float)
    py = np.asarray(performance_year)
    table = np.asarray(variable_msr(n), dtype=float).reshape(n.shape)
    election = np.asarray(election, dtype=float)
    # The first rule that applies: one-sided, fixed Track 2, small two-sided, variable election, symmetric.
    two_sided = np.asarray(two_sided, dtype=bool)
    fixed_t2 = np.zeros(table.shape, dtype=bool)
    if np.any(is_track_2):
        start = np.asarray(agreement_start_year, dtype=float)
        last = TRACK_2_FIXED_MSR_LAST_START
        fixed_t2 = fixed_t2 | (is_track_2 & np.where(np.isnan(start), py <= last, start <= last))
    small = (py >= VARIABLE_MSR_BELOW_FROM_YEAR) & (n < VARIABLE_MSR_BELOW)
    variable = np.broadcast_to(np.isnan(election), table.shape)
    code = select([~two_sided, fixed_t2, small, variable], _CODES[:4], default=_CODES[4])
    msr = choose(code, [table, TRACK_2_FIXED_MSR, table, table, election])
    mlr = msr + _NAN_IF_FALSE.take(two_sided.astype(np.intp))  # NaN for one-sided
    return msr, mlr, code


@dataclass(frozen=True, slots=True)
class CorridorRates:
    """The MSR and MLR an ACO-year faces, and the rule that set them."""

    minimum_savings_rate: float
    minimum_loss_rate: float | None
    rule: str


def corridor_rates(
    performance_year: int,
    track: str,
    assigned_beneficiaries: int,
    election: float | None = None,
    agreement_start_year: int | None = None,
) -> CorridorRates:
    """MSR/MLR for one ACO-year (425.604(b), 425.605(b), 425.606(b), 425.610(b), 425.110(b)).

    >>> corridor_rates(2024, "BASIC_E", 41_640, 0.015).minimum_savings_rate
    0.015
    >>> round(corridor_rates(2024, "BASIC_E", 4_000, 0.015).minimum_savings_rate, 4)
    0.0445
    """
    rules = track_rules(track)
    msr, mlr, code = corridor_rates_array(
        np.array([performance_year]),
        np.array([rules.two_sided]),
        np.array([track == "TRACK_2"]),
        np.array([assigned_beneficiaries]),
        np.array([np.nan if election is None else election]),
        np.array([np.nan if agreement_start_year is None else agreement_start_year]),
    )
    loss = None if np.isnan(mlr[0]) else float(mlr[0])
    return CorridorRates(float(msr[0]), loss, MSR_RULES[int(code[0])])
