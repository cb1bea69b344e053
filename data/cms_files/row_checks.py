"""Rows the build refuses: values no ACO-year can have, and an ACO-year given twice in one file.

Every page divides by the benchmark and the beneficiary count and formats dollars, so an infinite,
zero or negative benchmark, a negative expenditure, a non-positive beneficiary count or a second row
for the same ACO-year would crash a page or double-count an ACO. Such a row is dropped: named in the
build's warnings (file, line, ACO and why) and counted in the `source` table (`rows_refused`,
`refused`), so the data page can say so. A file with more than MAX_REFUSED_ROWS refused rows fails
whole (the database is then left as it was): that many impossible rows means the file itself is wrong.
CMS's own files (2013-2024) have none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

MAX_REFUSED_ROWS = 5
MAX_DOLLARS = 1e12  # a trillion dollars: more than all of Medicare spends in a year
MAX_BENEFICIARIES = 10_000_000  # Medicare has about 67 million beneficiaries; the largest ACO < 300,000
SHOWN = 10  # refusals listed one by one in the build's warnings and the source table


@dataclass(frozen=True)
class Refusal:
    """One dropped row: its position among the file's data rows (0-based), its ACO, and why."""

    index: int
    aco: str
    reason: str


def who(frame: pd.DataFrame, index: object) -> str:
    """'ACO A1001', or the ACO's name where the file publishes no id."""
    aco_id = frame.at[index, "aco_id"] if "aco_id" in frame else None
    if aco_id is not None and not pd.isna(aco_id) and str(aco_id).strip():
        return f"ACO {aco_id}"
    name = frame.at[index, "aco_name"] if "aco_name" in frame else None
    return f"ACO {str(name)[:60]!r}" if name is not None and not pd.isna(name) else "ACO unnamed"


# (field, label, smallest allowed, allowed to be equal to it, largest allowed)
_BOUNDS: tuple[tuple[str, str, float, bool, float], ...] = (
    ("benchmark", "benchmark", 0.0, False, MAX_DOLLARS),
    ("expenditure", "expenditure", 0.0, True, MAX_DOLLARS),
    ("assigned_beneficiaries", "assigned beneficiaries", 0.0, False, MAX_BENEFICIARIES),
)


def impossible_values(frame: pd.DataFrame, columns: dict[str, str], skip: pd.Series) -> list[Refusal]:
    """Rows (not in `skip`) whose benchmark, expenditure or beneficiary count no ACO-year can have."""
    found: dict[int, Refusal] = {}
    for name, label, low, low_ok, high in _BOUNDS:
        values = frame[name].astype("float64")
        too_low = (values < low) if low_ok else (values <= low)
        wrong = ((too_low | (values > high)) & ~skip).fillna(False).to_numpy(bool)
        column = columns.get(name, name)
        for index in frame.index[wrong]:
            if index in found:
                continue
            value = values[index]
            why = (f"is {'negative' if low_ok else 'not positive'}" if value <= low
                   else f"is above {high:,.0f}, more than any ACO could have")
            found[index] = Refusal(int(index), who(frame, index), f"{label} ({column}) {value:,.0f} {why}")
    return sorted(found.values(), key=lambda r: r.index)


def duplicate_aco_years(frame: pd.DataFrame, line_of: Callable[[int], int]) -> list[Refusal]:
    """Every row after the first of the same ACO-year (same id and, for PY2019, six-month period)."""
    keys = frame["aco_id"].astype("string").fillna("") + "|" + frame["six_month_period"].fillna("")
    repeated = keys.duplicated(keep="first").to_numpy(bool)
    if not repeated.any():
        return []
    first = {k: i for i, k in zip(reversed(frame.index), reversed(keys.tolist()), strict=True)}
    return [Refusal(int(i), who(frame, i), f"the same ACO-year as line {line_of(first[keys[i]])}")
            for i in frame.index[repeated]]


def listed(refusals: list[Refusal], line_of: Callable[[int], int], shown: int = SHOWN) -> list[str]:
    """'line 3 (ACO Z0002): benchmark ... is not positive', at most `shown`, then 'and N more'."""
    lines = [f"line {line_of(r.index)} ({r.aco}): {r.reason}" for r in refusals[:shown]]
    if len(refusals) > shown:
        lines.append(f"and {len(refusals) - shown:,} more")
    return lines
