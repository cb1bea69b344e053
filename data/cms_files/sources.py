"""Finding CMS results files in a folder and reading one into a frame of strings, strictly.

pandas silently pads short rows and drops extra fields in some layouts, so rows are split with the
csv module and every row's field count is checked against the header: a file with a wrong count is
malformed and stops the build (naming the line), rather than loading shifted values.

Before that, the bytes are looked at (data/cms_files/content.py): a file over the size limit, a spreadsheet,
an archive, a PDF, an HTML page or binary data is refused with a message saying what it is; UTF-16
(a spreadsheet's "Unicode text", tab-separated) is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.cms_files import content
from data.cms_files.cms_columns import ColumnIndex, year_from_columns, year_from_name

FIRST_YEAR, CHECKED_UP_TO = 2013, 2024
_MSSP_NAME = re.compile(r"mssp|shared.?savings|financial.?and.?quality", re.IGNORECASE)
_KEY_COLUMNS = (("ACO_ID", "ACO_Num", "ACO Identifier"), ("ABtotBnchmk", "Total benchmark expenditures ($)"),
                ("N_AB",), ("EarnSaveLoss",), ("BnchmkMinExp",))


class SourceError(ValueError):
    """An unreadable or malformed file; the message is one line (the caller adds the file name)."""


@dataclass
class RawFile:
    """One file as read: its cells as strings, and what was learnt on the way."""

    path: Path
    frame: pd.DataFrame
    year: int
    file_format: str
    sha256: str
    warnings: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # file line of each data row (blank lines skipped)


def _unique(header: list[str]) -> tuple[list[str], list[str]]:
    seen: dict[str, int] = {}
    names, warnings = [], []
    for name in (h.strip() for h in header):
        if name in seen:
            seen[name] += 1
            warnings.append(f"duplicate column {name!r} renamed {name}.{seen[name]}")
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names, warnings


def _rows(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and their line numbers; blank lines skipped; a wrong field count is an error."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=content.delimiter(text))
    lines: list[int] = []
    try:
        header = next(reader)
        rows = []
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise SourceError(
                    f"line {reader.line_num}: {len(row)} fields where the header has {len(header)}"
                )
            rows.append(row)
            lines.append(reader.line_num)
    except StopIteration:
        raise SourceError("empty file") from None
    except csv.Error as exc:
        raise SourceError(f"line {reader.line_num}: {exc}") from exc
    if not rows:
        raise SourceError("no data rows")
    return header, rows, lines


def looks_like_mssp(path: Path, header: list[str]) -> bool:
    """An MSSP results file by its name, or by carrying most of the key columns."""
    if _MSSP_NAME.search(path.name):
        return True
    index = ColumnIndex(header)
    return sum(index.find(*names, mark=False) is not None for names in _KEY_COLUMNS) >= 3


def discover(folder: Path) -> list[Path]:
    """The CSV files of `folder` that look like MSSP results files, sorted by name."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"):
        try:
            with path.open("rb") as fh:
                head = content.decode_head(fh.read(content.HEAD_BYTES))
            header = next(csv.reader(io.StringIO(head, newline=""), delimiter=content.delimiter(head)), [])
        except OSError:
            header = []
        if looks_like_mssp(path, header):
            found.append(path)
    return found


def _year(path: Path, columns: list[str], frame: pd.DataFrame) -> int:
    index = ColumnIndex(columns)
    year_column = index.find("performance_year", "year", mark=False)
    values = list(frame[year_column].unique()) if year_column else []
    from_name, from_content = year_from_name(path.name), year_from_columns(columns, values)
    if from_name and year_column and from_content and from_name != from_content:
        raise SourceError(f"file name says {from_name} but its {year_column!r} column says {from_content}")
    year = from_name or from_content
    if year is None:
        raise SourceError("performance year not found in the file name or its columns")
    if year < FIRST_YEAR:
        raise SourceError(f"performance year {year} is before the program's first ({FIRST_YEAR})")
    return year


def file_format(path: Path, columns: list[str]) -> str:
    """'standardized' for the lower-cased files of the samstearns/mssp package, else 'cms'."""
    if path.name.lower().startswith("mssp_std_"):
        return "standardized"
    if path.name.lower().startswith("mssp_puf_"):
        return "cms"
    return "standardized" if all(c == c.lower() for c in columns) else "cms"


def read_raw(path: Path) -> RawFile:
    """Read one file strictly (see module doc); SourceError says what is wrong with it."""
    try:
        size = path.stat().st_size
        if size > content.max_file_bytes():
            raise SourceError(content.too_large(size))
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        text, warnings = content.decode(data)
    except content.NotText as exc:
        raise SourceError(str(exc)) from None
    header, rows, lines = _rows(text)
    columns, renamed = _unique(header)
    frame = pd.DataFrame(rows, columns=columns, dtype=object)  # cells as str; typed per column when read
    year = _year(path, columns, frame)
    if year > CHECKED_UP_TO:
        warnings.append(f"PY{year} is newer than the years this build was checked against")
    return RawFile(path, frame, year, file_format(path, columns), hashlib.sha256(data).hexdigest(),
                   warnings + renamed, lines)
