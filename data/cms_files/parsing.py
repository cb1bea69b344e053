"""Vectorized readers for the cell values CMS publishes: money, counts, rates, flags and dates.

Every reader takes a Series of raw strings and returns a `Parsed` triple: the values, a mask of the
cells that held something but could not be read, and (numbers) a mask of the cells that read as an
infinite number ("1e999", "inf"), kept out of the values. Keeping them apart lets the caller decide
what a bad cell means: a clear error or a refused row in a required column, NULL plus a counted
warning elsewhere.

A column holds a few hundred cells and a build reads some 600 columns, so the readers work on a
column's distinct cells (flags, dates, text) or on a block of columns at once (numbers) rather than
cell by cell: the strict cell loop (`_numeric`) sees only the cells the fast path could not read.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

# CMS's "not applicable / suppressed / missing" marks, compared after strip() and upper().
NULL_TOKENS: frozenset[str] = frozenset(
    {"", "-", "--", "*", "**", "N/A", "NA", "/", ".", "NULL", "NONE", "NAN", "#N/A", "N.A."}
)
_TRUE = frozenset({"1", "1.0", "Y", "YES", "TRUE", "T"})
_FALSE = frozenset({"0", "0.0", "N", "NO", "FALSE", "F"})
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%Y/%m/%d")
_DATE_PART = re.compile(r"[\sT]")  # "07/01/2012 12:00:00 AM", "2012-07-01T00:00": the date before it
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


def _clean_cell(cell: str) -> str | None:
    text = cell.strip()
    return None if text.upper() in NULL_TOKENS else text


def _coded(raw: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """(codes, cells): each cell is `cells[code]`, cleaned as `_cells` cleans it; code -1 (a missing
    cell) is the last entry, None. A column of strings is cleaned once per distinct cell."""
    array = raw.to_numpy(dtype=object)
    if infer_dtype(array, skipna=True) not in ("string", "empty"):  # other objects: cell by cell
        return np.arange(len(array)), [*_cells(raw), None]
    codes, distinct = pd.factorize(array)  # None, NaN and pd.NA -> -1
    return codes, [*map(_clean_cell, distinct.tolist()), None]


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


# The marks dropped from a money or count cell, from a rate cell, and from a descriptive figure
# (profile_columns: counts, "9.5%" shares and measure rates alike).
MONEY, PERCENT, FIGURE = "$,", "%,", "$,%"


def _column(raw: pd.Series, decoration: str) -> Parsed:
    values, bad, infinite = _read_block(raw.to_numpy(dtype=object).reshape(-1, 1), decoration)
    index = raw.index
    return Parsed(pd.Series(values[:, 0], index=index), pd.Series(bad[:, 0], index=index),
                  pd.Series(infinite[:, 0], index=index))


def parse_number(raw: pd.Series) -> Parsed:
    """Money and counts: "$613084880.40", "77,947", "$-9187354.55", "1.5E+07" -> float."""
    return _column(raw, MONEY)


def parse_rate(raw: pd.Series) -> Parsed:
    """A rate in whatever unit the file uses, "%" dropped; see `rate_scale` for the unit."""
    return _column(raw, PERCENT)


MAX_COUNT = 2.0**53


def parse_int(raw: pd.Series) -> Parsed:
    """Whole counts (beneficiaries, agreement period); "60845.0" is fine, 1.5 is not a count, and neither is
    1E100 (past 2**53 a float no longer holds every whole number, and past 2**63 no int64 holds it)."""
    return whole(parse_number(raw))


def whole(number: Parsed) -> Parsed:
    """`parse_int` of numbers already read (see there)."""
    fractional = number.values.notna() & ((number.values - number.values.round()).abs() > 1e-6)
    huge = number.values.notna() & (number.values.abs() > MAX_COUNT)
    not_count = fractional | huge
    values = number.values.where(~not_count).round().astype("Int64")
    return Parsed(values, number.bad | not_count, number.non_finite)


def parse_bool(raw: pd.Series) -> Parsed:
    """0/1, Y/N, Yes/No, True/False (any case) -> nullable boolean."""
    codes, cells = _coded(raw)
    upper = [None if c is None else c.upper() for c in cells]
    true = np.array([c in _TRUE for c in upper], dtype=bool)
    known = true | np.array([c in _FALSE for c in upper], dtype=bool)
    present = np.array([c is not None for c in upper], dtype=bool)
    true, known, present = true[codes], known[codes], present[codes]
    values = pd.Series(pd.arrays.BooleanArray(true, ~known), index=raw.index)
    return Parsed(values, pd.Series(present & ~known, index=raw.index))


def true_cells(raw: pd.Series) -> np.ndarray:
    """Where `parse_bool` reads True (a bool array; False also where it reads False, NA or nothing)."""
    codes, cells = pd.factorize(raw.to_numpy(dtype=object))  # missing cells -> -1: the last, False
    true = [str(cell).strip().upper() in _TRUE for cell in cells.tolist()]
    return np.array([*true, False], dtype=bool)[codes]


def parse_date(raw: pd.Series) -> Parsed:
    """"07/01/2012 12:00:00 AM", "7/1/12 00:00", "7/1/2012", "2012-07-01" -> datetime64 (date part)."""
    codes, cells = _coded(raw)  # a file has a few dozen distinct dates: each is read once
    text = pd.Series([None if c is None else _DATE_PART.split(c, maxsplit=1)[0] for c in cells], dtype=object)
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = values.isna() & text.notna()
        if not todo.any():
            break
        values[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    bad = text.notna().to_numpy() & values.isna().to_numpy()
    return Parsed(pd.Series(values.to_numpy()[codes], index=raw.index),
                  pd.Series(bad[codes], index=raw.index))


def parse_text(raw: pd.Series) -> Parsed:
    """Free text, stripped; only the suppression tokens become NULL."""
    codes, cells = _coded(raw)
    text = pd.Series(np.array(cells, dtype=object)[codes], index=raw.index, dtype="string")
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


def parse_number_block(raw: pd.DataFrame, decoration: str = MONEY,
                       no_value: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`parse_number` for many columns at once: (values, bad cells, infinite cells), frames like `raw`.

    The same results as `parse_number` column by column (`parse_rate` with decoration=PERCENT), for a
    fraction of the cost; `no_value` names further cells that mean "no value" (as the suppression
    marks do). See `_read_block`.
    """
    values, bad, infinite = _read_block(raw.to_numpy(dtype=object), decoration, no_value)

    def shaped(array: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(array, index=raw.index, columns=raw.columns)

    return shaped(values), shaped(bad), shaped(infinite)


def null_warnings(raw: pd.DataFrame, bad: pd.DataFrame, infinite: pd.DataFrame) -> list[str]:
    """The warnings for `parse_number_block`'s unreadable, then infinite cells (set to NULL), one per
    column, with the count and the first cell by its data row (1-based: the frame's index + 1)."""
    warnings = []
    for what, mask in (("unreadable value(s)", bad), ("non-finite value(s)", infinite)):
        flags = mask.to_numpy()
        for j in np.flatnonzero(flags.any(axis=0)):
            first = int(np.argmax(flags[:, j]))
            warnings.append(f"column {raw.columns[j]!r}: {int(flags[:, j].sum())} {what} set to NULL "
                            f"(e.g. row {int(raw.index[first]) + 1}: {raw.iat[first, j]!r})")
    return warnings


_SEPARATOR = "\x1f"  # between the cells of a line of the block's text (never in CMS's cells)
# Read as NaN by the C reader, so that a blank or marked cell leaves its column readable. A cell that
# is one of these exactly is no value; any other NaN goes through the strict loop (which tells a mark
# from "$" alone, say).
_NA_TEXTS = frozenset({"", *NULL_TOKENS, *map(str.lower, NULL_TOKENS), *map(str.title, NULL_TOKENS)})


def _read_block(block: np.ndarray, decoration: str,
                no_value: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, bad, infinite) arrays of a 2-D array of cells.

    The block goes through pandas' C reader as one text, the decoration and blanks dropped (its
    converter rounds correctly, as float() does); a column it cannot read as numbers, and every cell
    it reads as NaN or infinite ("inf", "$" alone) that is not exactly a blank or a mark, then go
    through the strict cell loop of `_numeric`, which decides what they are.
    """
    marks = _NA_TEXTS | set(no_value)
    values = np.full(block.shape, np.nan)
    strict = np.ones(block.shape, dtype=bool)
    if block.size:
        for j, column in _fast_columns(block, decoration, marks):
            values[:, j] = column
            strict[:, j] = ~np.isfinite(column)
        if strict.any():  # a blank cell or an exact mark is NaN, nothing more: no need to look again
            cells = pd.Series(block[strict], dtype=object)
            strict[strict] = ~(cells.isna() | cells.isin(marks)).to_numpy()
    bad = np.zeros(block.shape, dtype=bool)
    infinite = np.zeros(block.shape, dtype=bool)
    where = np.nonzero(strict)
    if len(where[0]):
        slow = _numeric(pd.Series(block[where], dtype=object), decoration)
        values[where] = slow.values.to_numpy()
        bad[where] = slow.bad.to_numpy()
        infinite[where] = slow.non_finite.to_numpy()  # type: ignore[union-attr]
    return values, bad, infinite


def _block_text(block: np.ndarray, decoration: str, one_column: bool) -> str:
    """The cells as text for the C reader: a line per row (cells apart by _SEPARATOR), or with
    `one_column` a line per cell, column after column."""
    if one_column:
        lines = [block.ravel(order="F").tolist()]
        join = "\n".join
    else:
        lines = block.tolist()
        join = _SEPARATOR.join
    try:
        text = "\n".join(join(line) for line in lines)
    except TypeError:  # a missing cell (None, NaN, pd.NA) is blank; another object, its text
        text = "\n".join(join(map(_text, line)) for line in lines)
    return text.translate(str.maketrans("", "", decoration + " \t"))


def _read_text(text: str, lines: int, width: int, marks: frozenset[str]) -> pd.DataFrame | None:
    """The C reader's frame of `text` (None unless it has `lines` lines: a cell with a line break in
    it makes more; the caller has made sure that no cell holds a separator)."""
    text += "\n" + _SEPARATOR.join(["0"] * width)  # a last line of zeros keeps trailing blank cells lines
    try:
        frame = pd.read_csv(io.StringIO(text), sep=_SEPARATOR, header=None, names=range(width),
                            na_values=sorted(marks), keep_default_na=False, skip_blank_lines=False,
                            quoting=3, engine="c")
    except (ValueError, pd.errors.ParserError):
        return None
    return frame.iloc[:-1] if len(frame) == lines + 1 else None


def _text(cell: object) -> str:
    if isinstance(cell, str):
        return cell
    return "" if cell is None or cell is pd.NA or cell != cell else str(cell)


def _fast_columns(block: np.ndarray, decoration: str, marks: frozenset[str]) -> list[tuple[int, np.ndarray]]:
    """The columns of `block` pandas' C reader reads as numbers, by position (see `_read_block`).

    First every cell as one column (one conversion for the block); when a cell is not a number, the
    block as a table, so that only its column is left to the strict loop.
    """
    rows, width = block.shape
    text = _block_text(block, decoration, one_column=True)
    if _SEPARATOR in text or "\r" in text:  # not in CMS's cells: the strict loop reads every cell
        return []
    one = _read_text(text, block.size, 1, marks)
    if one is not None and one[0].dtype.kind in "fiu":
        numeric = list(range(width))
        values = one[0].to_numpy(dtype=float).reshape(block.shape, order="F")
    else:
        frame = _read_text(_block_text(block, decoration, one_column=False), rows, width, marks)
        if frame is None:
            return []
        kinds = [dtype.kind for dtype in frame.dtypes]
        numeric = [j for j, kind in enumerate(kinds) if kind in "fiu"]
        values = frame.iloc[:, numeric].to_numpy(dtype=float)
    read = []
    for k, j in enumerate(numeric):
        column = values[:, k]
        # The reader may drop the sign of a zero ("-0" as an integer): any zero but "0" is looked at again.
        column = np.where((column == 0) & (block[:, j] != "0"), np.nan, column)
        read.append((j, column))
    return read
