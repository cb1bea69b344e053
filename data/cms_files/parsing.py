"""Vectorized readers for the cell values CMS publishes: money, counts, rates, flags and dates.

Every reader takes a Series of raw strings and returns a `Parsed` triple: the values, a mask of the
cells that held something but could not be read, and (numbers) a mask of the cells that read as an
infinite number ("1e999", "inf"), kept out of the values. Keeping them apart lets the caller decide
what a bad cell means: a clear error or a refused row in a required column, NULL plus a counted
warning elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# CMS's "not applicable / suppressed / missing" marks, compared after strip() and upper().
NULL_TOKENS: frozenset[str] = frozenset(
    {"", "-", "--", "*", "**", "N/A", "NA", "/", ".", "NULL", "NONE", "NAN", "#N/A", "N.A."}
)
_TRUE = frozenset({"1", "1.0", "Y", "YES", "TRUE", "T"})
_FALSE = frozenset({"0", "0.0", "N", "NO", "FALSE", "F"})
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%Y/%m/%d")
# Scale factors tried, in order, to bring a rate column to fractions (1 = already fractions).
RATE_SCALES: tuple[float, ...] = (1.0, 0.01, 100.0)


@dataclass(frozen=True)
class Parsed:
    """Values read from one column, the cells present but unreadable, and those read as infinite."""

    values: pd.Series
    bad: pd.Series
    non_finite: pd.Series | None = None  # numbers only; such cells are NaN in `values`

    @property
    def non_finite_count(self) -> int:
        return 0 if self.non_finite is None else int(self.non_finite.sum())

    @property
    def bad_count(self) -> int:
        return int(self.bad.sum())


def clean(raw: pd.Series) -> pd.Series:
    """Strip blanks and turn CMS's suppression tokens into NA (as a pandas string Series)."""
    text = raw.astype("string").str.strip()
    return text.mask(text.str.upper().isin(NULL_TOKENS))


def _cells(raw: pd.Series) -> list[str | None]:
    """The column's cells stripped, None where blank, missing or one of CMS's suppression tokens."""
    cells: list[str | None] = []
    for cell in raw.tolist():
        text = None if cell is None or cell is pd.NA or cell != cell else str(cell).strip()
        cells.append(None if text is None or text.upper() in NULL_TOKENS else text)
    return cells


def _numeric(raw: pd.Series, decoration: str) -> Parsed:
    """Numbers once `decoration` and all whitespace are removed; "(123)" is -123 (accounting style).

    A plain loop over the cells: CMS's columns have a few hundred rows, where pandas' string
    methods cost more in per-call overhead than the parsing itself (the build reads ~500 columns).
    """
    cells = _cells(raw)
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    infinite = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        text = "".join(cell.split())
        for mark in decoration:
            text = text.replace(mark, "")
        if text.startswith("(") and text.endswith(")"):
            text = "-" + text[1:-1]
        try:
            if "_" in text:  # float() takes "1_000"; CMS never writes it
                raise ValueError(text)
            number = float(text)
        except ValueError:
            bad[i] = True
            continue
        if math.isinf(number):
            infinite[i] = True
        elif number != number:  # "-nan" and the like: present but not a number
            bad[i] = True
        else:
            values[i] = number
    index = raw.index
    return Parsed(pd.Series(values, index=index), pd.Series(bad, index=index),
                  pd.Series(infinite, index=index))


def parse_number(raw: pd.Series) -> Parsed:
    """Money and counts: "$613084880.40", "77,947", "$-9187354.55", "1.5E+07" -> float."""
    return _numeric(raw, "$,")


def parse_rate(raw: pd.Series) -> Parsed:
    """A rate in whatever unit the file uses, "%" dropped; see `rate_scale` for the unit."""
    return _numeric(raw, "%,")


MAX_COUNT = 2.0**53


def parse_int(raw: pd.Series) -> Parsed:
    """Whole counts (beneficiaries, agreement period); "60845.0" is fine, 1.5 is not a count, and neither is
    1E100 (past 2**53 a float no longer holds every whole number, and past 2**63 no int64 holds it)."""
    number = parse_number(raw)
    fractional = number.values.notna() & ((number.values - number.values.round()).abs() > 1e-6)
    huge = number.values.notna() & (number.values.abs() > MAX_COUNT)
    not_count = fractional | huge
    values = number.values.where(~not_count).round().astype("Int64")
    return Parsed(values, number.bad | not_count, number.non_finite)


def parse_bool(raw: pd.Series) -> Parsed:
    """0/1, Y/N, Yes/No, True/False (any case) -> nullable boolean."""
    cells = [None if c is None else c.upper() for c in _cells(raw)]
    true = np.array([c in _TRUE for c in cells], dtype=bool)
    known = true | np.array([c in _FALSE for c in cells], dtype=bool)
    values = pd.Series(pd.arrays.BooleanArray(true, ~known), index=raw.index)
    present = np.array([c is not None for c in cells], dtype=bool)
    return Parsed(values, pd.Series(present & ~known, index=raw.index))


def parse_date(raw: pd.Series) -> Parsed:
    """"07/01/2012 12:00:00 AM", "7/1/12 00:00", "7/1/2012", "2012-07-01" -> datetime64 (date part)."""
    text = clean(raw).str.split(r"[\sT]", n=1, regex=True).str[0]
    values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = values.isna() & text.notna()
        if not todo.any():
            break
        values[todo] = pd.to_datetime(text[todo].astype(object), format=fmt, errors="coerce")
    return Parsed(values, text.notna() & values.isna())


def parse_text(raw: pd.Series) -> Parsed:
    """Free text, stripped; only the suppression tokens become NULL."""
    text = clean(raw)
    return Parsed(text, pd.Series(False, index=raw.index))


def rate_scale(values: pd.Series, low: float, high: float) -> float | None:
    """The factor that brings a rate column to fractions, judged from its typical magnitude.

    In fractions the median non-zero |value| lies in (low, high]; in percent units it is 100 times
    that, and in "hundredths of a fraction" (seen in a standardized file) 100 times smaller. The
    median, not the maximum, decides: a 152-beneficiary ACO's 25% MSR is real, not a unit. Returns
    None when no candidate fits, so the caller can say so instead of guessing silently.
    """
    magnitude = values.abs()
    typical = magnitude[magnitude > 0].median()
    if pd.isna(typical):
        return 1.0
    for scale in RATE_SCALES:
        if low < typical * scale <= high * (1 + 1e-9):
            return scale
    return None


def ratio_scale(values: pd.Series, reference: pd.Series) -> tuple[float, int]:
    """Scale of a published rate checked against the same rate computed from dollars.

    Used for the savings rate: Sav_rate must equal BnchmkMinExp / ABtotBnchmk. Returns the best
    factor and how many rows still disagree by more than 1e-3 after scaling (should be 0).
    """
    both = values.notna() & reference.notna()
    if not both.any():
        return 1.0, 0
    v = values[both].to_numpy(dtype=float)
    r = reference[both].to_numpy(dtype=float)
    errors = [float(np.median(np.abs(v * s - r))) for s in RATE_SCALES]
    scale = RATE_SCALES[int(np.argmin(errors))]
    mismatched = int((np.abs(v * scale - r) > 1e-3).sum())
    return scale, mismatched


def parse_number_block(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`parse_number` for many columns at once: (values, bad cells, infinite cells), frames like `raw`.

    The same results as `parse_number` column by column, for a fraction of the cost over the ~60
    columns of a year's descriptive figures: plain numbers go through float() in one pass, and only
    the cells it does not read as a finite number ("$76,897.40", "12,845", "(5)", CMS's suppression
    marks, "inf", "1_000", junk) through the cell loop of `parse_number`.
    """
    block = raw.to_numpy(dtype=object)
    values = np.full(block.shape, np.nan)
    for j in range(block.shape[1]):
        column = block[:, j]
        try:  # numpy calls float() per cell in C: a column of plain numbers in one step
            if "_" in "".join(column):  # float() takes "1_000": left to the cell loop (a None: TypeError)
                raise ValueError
            values[:, j] = column.astype(float)
        except (TypeError, ValueError):
            values[:, j] = [_plain_float(cell) for cell in column]
    cells = block.ravel(order="F").tolist()
    values = values.ravel(order="F")
    bad = np.zeros(len(cells), dtype=bool)
    infinite = np.zeros(len(cells), dtype=bool)
    odd = np.flatnonzero(~np.isfinite(values))
    if len(odd):
        slow = _numeric(pd.Series([cells[i] for i in odd], dtype=object), "$,")
        values[odd] = slow.values.to_numpy()
        bad[odd] = slow.bad.to_numpy()
        infinite[odd] = slow.non_finite.to_numpy() if slow.non_finite is not None else False

    def shaped(array: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(array.reshape(raw.shape, order="F"), index=raw.index, columns=raw.columns)

    return shaped(values), shaped(bad), shaped(infinite)


def _plain_float(cell: object) -> float:
    """float() of a cell, "$" and "," dropped; NaN for anything else (the cell loop decides what it is)."""
    try:
        number = float(cell)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        try:  # "$613084880.40", "12,845": the marks parse_number drops
            number = float(cell.replace(",", "").replace("$", ""))  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            return math.nan
    return math.nan if isinstance(cell, str) and "_" in cell else number
