"""The explorer's tables read once per database and picked in memory (ui.explorer_data,
data/explorer_queries.py, profile_queries.year_rows/of_group) give the rows and values of the per-ACO
queries they replace (AcoDatabase.lineage_spending, peer_spending, lineage_links, lineage_ambiguous,
profile_queries.with_peers), on CMS's real files and on the demo set."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data import profile_queries
from data.queries import AcoDatabase, size_band
from ui import explorer_data

LINEAGES = ("L-A1066", "L-A2762")  # 12 years (ids A01714, A1066); 2024 only


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    by = [c for c in by if c in frame.columns]
    return frame.sort_values(by, kind="stable").reset_index(drop=True)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: a text column of a few rows with nothing in it comes back from DuckDB as Nones, from
    the whole table as missing text; both are missing."""
    return frame.astype(object).where(frame.notna(), None)


def _same(mine: pd.DataFrame, queried: pd.DataFrame, by: list[str]) -> None:
    assert list(mine.columns) == list(queried.columns)
    pd.testing.assert_frame_equal(_plain(_sorted(mine, by)), _plain(_sorted(queried, by)), check_dtype=False)


@pytest.fixture(params=["cms_db", "demo_db"])
def database(request: pytest.FixtureRequest) -> tuple[tuple[str, float], AcoDatabase]:
    path: Path = request.getfixturevalue(request.param)
    return (str(path), path.stat().st_mtime), AcoDatabase(path)


def _lineages(found: AcoDatabase) -> list[str]:
    index = found.lineage_index()["lineage_id"].tolist()
    return [lineage for lineage in LINEAGES if lineage in index] or index[:2]


def test_spending_of_a_lineage_and_of_its_peers(database) -> None:
    key, found = database
    for lineage in _lineages(found):
        queried = found.lineage_spending(lineage)
        mine = explorer_data.lineage_spending(key, lineage)
        pd.testing.assert_frame_equal(_plain(mine), _plain(queried))  # the same order: year, six-month period
        for _, row in queried.iloc[::4].iterrows():
            _, low, high = size_band(row["assigned_beneficiaries"])
            year, track = int(row["performance_year"]), str(row["track"])
            _same(explorer_data.peer_spending(key, year, track, low, high),
                  found.peer_spending(year, track, low, high), ["aco_id", "six_month_period"])


def test_lineage_evidence(database) -> None:
    key, found = database
    for lineage in _lineages(found):
        links, apart = explorer_data.lineage_evidence(key, lineage)
        _same(links, found.lineage_links(lineage), ["from_year", "to_year", "from_aco_id", "to_aco_id"])
        _same(apart, found.lineage_ambiguous(lineage), ["from_year", "to_year", "from_aco_id", "to_aco_id"])


def test_profile_rows_of_a_peer_group(database) -> None:
    key, found = database
    for lineage in _lineages(found):
        for _, row in found.lineage_rows(lineage).iloc[::4].iterrows():
            _, low, high = size_band(row["assigned_beneficiaries"])
            group = int(row["performance_year"]), str(row["track"]), low, high, str(row["aco_id"])
            for table in profile_queries.TABLES:
                mine = explorer_data.profile_rows(key, table, *group)
                queried = profile_queries.with_peers(found, table, *group)
                _same(mine, queried, ["aco_id", "six_month_period", "period", "enrollment_type",
                                      "measure_id"])


def test_a_peer_group_keeps_the_aco_outside_its_band_and_drops_missing_values() -> None:
    every = pd.DataFrame({"performance_year": [2024, 2024, 2024, 2024, 2023],
                          "aco_id": ["A1", "A2", "A3", "A4", "A1"],
                          "track": ["BASIC", "BASIC", None, "BASIC", "BASIC"],
                          "assigned_beneficiaries": [8_000, 60_000, 9_000, None, 8_000]})
    assert profile_queries.of_group(every, 2024, "BASIC", 0, 9_999, "A2")["aco_id"].tolist() == ["A1", "A2"]
    assert profile_queries.of_group(every, 2024, "BASIC", 0, 9_999, "A9")["aco_id"].tolist() == ["A1"]
