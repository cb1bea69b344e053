"""Finding CMS results files in a folder and reading one into a frame of strings, strictly.

pandas silently pads short rows and drops extra fields in some layouts, so rows are split with the
csv module and every row's field count is checked against the header: a file with a wrong count is
malformed and stops the build (naming the line), rather than loading shifted values.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.cms_columns import ColumnIndex, year_from_columns, year_from_name

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


def _decode(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 (with or without byte-order mark), else Windows-1252 with a warning."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]


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


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows; blank lines skipped; a row with the wrong field count is an error."""
    reader = csv.reader(io.StringIO(text, newline=""))
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
    except StopIteration:
        raise SourceError("empty file") from None
    except csv.Error as exc:
        raise SourceError(f"line {reader.line_num}: {exc}") from exc
    if not rows:
        raise SourceError("no data rows")
    return header, rows


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
            with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                header = next(csv.reader(fh), [])
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
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
    text, warnings = _decode(data)
    header, rows = _rows(text)
    columns, renamed = _unique(header)
    frame = pd.DataFrame(rows, columns=columns, dtype="string")
    year = _year(path, columns, frame)
    if year > CHECKED_UP_TO:
        warnings.append(f"PY{year} is newer than the years this build was checked against")
    return RawFile(path, frame, year, file_format(path, columns), hashlib.sha256(data).hexdigest(),
                   warnings + renamed)
