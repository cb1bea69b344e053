"""What the settlement engine refuses, checked on whole columns at once.

Each rule is one line of text naming the field, what it must be, and the value that broke it;
`vectorized.settle_frame` adds the rows (by index), `reconciliation.settle` shows the one value.
NaN means "not given" only where the engine has a default (quality score, EUC share, MSR election,
agreement start year, participant revenue); a NaN benchmark, expenditure or headcount is refused.

Checking is cheap: a column is first reduced to its minimum and maximum (NaN-aware where NaN is
allowed), which proves most columns valid in one pass; the row mask naming the culprits is computed
only when that proof fails.

>>> import numpy as np
>>> problem = find_problems({"benchmark": np.array([1e8, np.nan, -5.0])}, np.array([2024] * 3))[0]
>>> problem.field, problem.positions.tolist()
('benchmark', [1, 2])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aco_model.rules import MSR_ELECTIONS

# 425.200(a): the first MSSP agreements started in April and July 2012.
FIRST_AGREEMENT_YEAR = 2012
# MSR/MLR elections are the multiples of 0.5% from 0 to 2% (425.605(b), 425.610(b)); a value counts as
# an option when it is within 1e-9 of one (as `msr.parse_election`).
_ELECTION_STEP = MSR_ELECTIONS[1] - MSR_ELECTIONS[0]
_ELECTION_TOLERANCE = 1e-9 / _ELECTION_STEP
ROWS_NAMED = 5


@dataclass(frozen=True, slots=True)
class Bound:
    """The values one input may take: [low, high], ends open or closed; NaN allowed if `optional`."""

    field: str
    rule: str
    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    optional: bool = False
    election: bool = False  # also one of the MSR/MLR options
    up_to_year: bool = False  # high is the row's performance year

    def ok(self, values: np.ndarray, performance_year: np.ndarray | float) -> np.ndarray:
        """Row mask: True where the value is allowed."""
        high = performance_year if self.up_to_year else self.high
        above = values > self.low if self.low_open else values >= self.low
        below = values < high if self.high_open else values <= high
        inside = above & below
        if self.election:
            steps = values * (1 / _ELECTION_STEP)
            with np.errstate(invalid="ignore"):  # inf - inf: NaN, refused below
                inside &= np.abs(steps - np.rint(steps)) < _ELECTION_TOLERANCE
        if self.optional:
            inside |= np.isnan(values)
        return inside

    def proven_ok(self, values: np.ndarray, performance_year: np.ndarray,
                  work: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
        """True when every row is allowed, from reductions alone (False: check row by row).

        Plain float comparisons of two reductions: the engine calls this for every column of every
        block, so its own overhead counts as much as the passes over the data. `work`: two float arrays
        at least as long as `values` for the election's arithmetic (default: new ones)."""
        if not len(values):
            return True
        if self.optional:  # NaN is allowed: ignored by fmin/fmax unless every value is NaN
            low, high = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))
            if low != low:
                return True
        else:  # a NaN propagates and fails the comparisons below
            low, high = float(np.minimum.reduce(values)), float(np.maximum.reduce(values))
        top = float(np.minimum.reduce(performance_year)) if self.up_to_year else self.high
        if not ((low > self.low if self.low_open else low >= self.low)
                and (high < top if self.high_open else high <= top)):
            return False
        if self.election:
            steps, whole = (np.empty(len(values)), None) if work is None else (w[:len(values)] for w in work)
            np.multiply(values, 1 / _ELECTION_STEP, out=steps)
            with np.errstate(invalid="ignore"):
                steps -= np.rint(steps, out=whole)
            return bool(np.fmax.reduce(steps) < _ELECTION_TOLERANCE
                        and np.fmin.reduce(steps) > -_ELECTION_TOLERANCE)
        return True


_INF = float("inf")
BOUNDS: tuple[Bound, ...] = (
    Bound("benchmark", "must be a finite dollar amount above 0", 0.0, _INF, low_open=True, high_open=True),
    Bound("expenditure", "must be a finite dollar amount of 0 or more", 0.0, _INF, high_open=True),
    Bound("assigned_beneficiaries", "must be a headcount of at least 1", 1.0, _INF, high_open=True),
    Bound("quality_score", "must be a fraction from 0 to 1 (0.7529 for 75.29%)", 0.0, 1.0, optional=True),
    Bound("euc_share", "must be a fraction from 0 to 1", 0.0, 1.0, optional=True),
    Bound("msr_election", "must be 0, 0.005, 0.01, 0.015 or 0.02 (NaN: variable)",
          MSR_ELECTIONS[0], MSR_ELECTIONS[-1], optional=True, election=True),
    Bound("agreement_start_year", f"must be from {FIRST_AGREEMENT_YEAR} to the performance year",
          FIRST_AGREEMENT_YEAR, _INF, optional=True, up_to_year=True),
    Bound("participant_revenue", "must be a finite dollar amount of 0 or more", 0.0, _INF,
          high_open=True, optional=True),
    Bound("proration", "must be above 0 and at most 1", 0.0, 1.0, low_open=True),
)
BOUND_BY_FIELD = {b.field: b for b in BOUNDS}


def show(value: object) -> str:
    """A value as a person would type it: 5000000, 1.01, nan, 'abc'."""
    if isinstance(value, float | np.floating):
        value = float(value)
        return f"{value:.0f}" if value.is_integer() else f"{value:.10g}"
    if isinstance(value, int | np.integer):
        return str(int(value))
    return repr(value)


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused input: the field, its rule, the rows (positions and index labels) and their values."""

    field: str
    rule: str
    positions: np.ndarray
    labels: tuple[object, ...]
    values: tuple[object, ...]

    def text(self, *, rows: bool = True) -> str:
        if not rows:
            return f"{self.field} {self.rule}, got {show(self.values[0])}"
        pairs = zip(self.labels, self.values, strict=True)
        named = ", ".join(f"row {label} ({show(v)})" for label, v in pairs)
        more = len(self.positions) - len(self.labels)
        return f"{self.field} {self.rule}: {named}" + (f" and {more} more" if more > 0 else "")


class InputError(ValueError):
    """Inputs the engine refuses; the message is one line naming each field, rule and value (and rows)."""

    def __init__(self, problems: Sequence[Problem], *, rows: bool = True) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.text(rows=rows) for p in self.problems))

    def for_one_row(self) -> InputError:
        """The same problems worded for a single ACO-year (no row numbers)."""
        return InputError(self.problems, rows=False)


def find_problems(
    columns: Mapping[str, np.ndarray],
    performance_year: np.ndarray,
    labels: Sequence[object] | None = None,
    original: Callable[[str, np.ndarray], Sequence[object]] | None = None,
) -> list[Problem]:
    """Every rule of `BOUNDS` broken in `columns` (absent fields are not checked).

    `labels` are the row labels (default: positions); `original(field, positions)` gives the values
    as the caller wrote them (e.g. text before numeric conversion), default the numbers checked.
    """
    out = []
    for bound in BOUNDS:
        values = columns.get(bound.field)
        if values is None or bound.proven_ok(values, performance_year):
            continue
        bad = np.flatnonzero(~bound.ok(values, performance_year))
        if not len(bad):
            continue
        shown = bad[:ROWS_NAMED]
        row_labels = tuple(shown.tolist() if labels is None else (labels[i] for i in shown))
        found = original(bound.field, shown) if original else values[shown]
        out.append(Problem(bound.field, bound.rule, bad, row_labels, tuple(found)))
    return out


def all_proven_ok(columns: Mapping[str, np.ndarray], performance_year: np.ndarray,
                  work: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
    """True when reductions alone prove every present column valid (the engine's fast path); `work` as
    in `Bound.proven_ok`."""
    return all(values is None or BOUND_BY_FIELD[name].proven_ok(values, performance_year, work)
               for name, values in columns.items() if name in BOUND_BY_FIELD)


def all_ok(columns: Mapping[str, np.ndarray], performance_year: np.ndarray) -> bool:
    """True when every row of every present column is allowed (checked row by row)."""
    with np.errstate(invalid="ignore"):
        return all(values is None or BOUND_BY_FIELD[name].ok(values, performance_year).all()
                   for name, values in columns.items() if name in BOUND_BY_FIELD)


def settleable(frame: pd.DataFrame) -> np.ndarray:
    """Row mask of a `settle_frame` input: True where every input present is one the engine accepts.

    For callers holding published rows (a program's year) that must settle what can be settled and say
    what was left out, rather than refuse the whole year for one damaged row.

    >>> settleable(pd.DataFrame({"performance_year": [2024, 2024], "benchmark": [1e8, float("inf")],
    ...                          "expenditure": [9e7, 9e7], "assigned_beneficiaries": [9000, 9000]})).tolist()
    [True, False]
    """
    year = pd.to_numeric(frame["performance_year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.ones(len(frame), dtype=bool)
    for bound in BOUNDS:
        if bound.field in frame:
            values = pd.to_numeric(frame[bound.field], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                ok &= bound.ok(values, year)
    return ok
