"""Vectorized readers for the cell values CMS publishes: money, counts, rates, flags and dates.

Every reader takes a Series of raw strings and returns a `Parsed` triple: the values, a mask of the
cells that held something but could not be read, and (numbers) a mask of the cells that read as an
infinite number ("1e999", "inf"), kept out of the values. Keeping them apart lets the caller decide
what a bad cell means: a clear error or a refused row in a required column, NULL plus a counted
warning elsewhere.
"""

from __future__ import annotations

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


def _numeric(text: pd.Series) -> Parsed:
    """Digits after the caller removed decoration; "(123)" is read as -123 (accounting style)."""
    negative = text.str.startswith("(") & text.str.endswith(")")
    text = text.where(~negative.fillna(False), "-" + text.str.slice(1, -1))
    values = pd.to_numeric(text.astype(object), errors="coerce").astype("float64")
    infinite = pd.Series(np.isinf(values.to_numpy()), index=values.index)
    bad = text.notna() & values.isna()
    if infinite.any():
        values = values.mask(infinite)
    return Parsed(values, bad, infinite)


def parse_number(raw: pd.Series) -> Parsed:
    """Money and counts: "$613084880.40", "77,947", "$-9187354.55", "1.5E+07" -> float."""
    text = clean(raw).str.replace(r"[$,\s]", "", regex=True)
    return _numeric(text)


def parse_rate(raw: pd.Series) -> Parsed:
    """A rate in whatever unit the file uses, "%" dropped; see `rate_scale` for the unit."""
    text = clean(raw).str.replace(r"[%\s,]", "", regex=True)
    return _numeric(text)


def parse_int(raw: pd.Series) -> Parsed:
    """Whole counts (beneficiaries, agreement period); "60845.0" is fine, 1.5 is not a count."""
    number = parse_number(raw)
    fractional = number.values.notna() & ((number.values - number.values.round()).abs() > 1e-6)
    values = number.values.round().astype("Int64").mask(fractional)
    return Parsed(values, number.bad | fractional, number.non_finite)


def parse_bool(raw: pd.Series) -> Parsed:
    """0/1, Y/N, Yes/No, True/False (any case) -> nullable boolean."""
    text = clean(raw).str.upper()
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[text.isin(_TRUE).fillna(False)] = True
    values[text.isin(_FALSE).fillna(False)] = False
    return Parsed(values, text.notna() & values.isna())


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
