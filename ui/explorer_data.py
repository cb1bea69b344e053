"""The explorer's spending, lineage evidence and profile rows, read once per database and picked in memory.

Each ACO (and each peer group) a viewer opens used to cost its own DuckDB queries, 15-60 ms of CPU each
(data/explorer_queries.py says why); here each table is read whole once per database (a few thousand
rows; the profile tables a year at a time) and an ACO's or a peer group's rows are picked with masks: the
same rows and columns as ui.database's per-ACO readers. Kept by plain arguments (ui.page_cache.memo),
shared by every session: never change a frame returned here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data import explorer_queries, profile_queries
from ui import database as db
from ui import page_cache


def _positions(labels: pd.Series) -> dict[object, np.ndarray]:
    """Each label's row positions, in row order."""
    return {k: v.to_numpy() for k, v in pd.Series(np.arange(len(labels))).groupby(labels.to_numpy())}


@page_cache.memo(2)
def _spending(key: db.Key) -> tuple[pd.DataFrame, dict[object, np.ndarray]]:
    """(every ACO-year's spending row, lineage_id dropped; each lineage's rows)."""
    every = explorer_queries.every_spending(db.database(key))
    if every.empty:
        return every, {}
    return every.drop(columns="lineage_id"), _positions(every["lineage_id"])


@page_cache.memo(128)
def lineage_spending(key: db.Key, lineage: str) -> pd.DataFrame:
    """AcoDatabase.lineage_spending's rows: the lineage's ACO-years with their spending figures."""
    every, lineages = _spending(key)
    if every.empty:
        return every
    return every.take(lineages.get(lineage, np.zeros(0, dtype=int))).reset_index(drop=True)


@page_cache.memo(128)
def peer_spending(key: db.Key, year: int, track: str, low: int, high: int) -> pd.DataFrame:
    """AcoDatabase.peer_spending's rows: the spending of the year's ACO-years of the track and size band."""
    every = _spending(key)[0]
    return every if every.empty else peer_group(every, year, track, low, high)


def peer_group(every: pd.DataFrame, year: int, track: str, low: int, high: int) -> pd.DataFrame:
    """The rows of `every` (ACO-years) of the year and track with `low` to `high` assigned beneficiaries
    (a missing value in any of those columns: not a peer)."""
    size = every["assigned_beneficiaries"]
    keep = (every["performance_year"].eq(int(year)).fillna(False).to_numpy(dtype=bool)
            & every["track"].eq(track).fillna(False).to_numpy(dtype=bool)
            & size.ge(int(low)).fillna(False).to_numpy(dtype=bool)
            & size.le(int(high)).fillna(False).to_numpy(dtype=bool))
    return every[keep].reset_index(drop=True)


@page_cache.memo(2)
def _evidence(key: db.Key) -> tuple[pd.DataFrame, dict[object, np.ndarray], pd.DataFrame,
                                    dict[object, np.ndarray]]:
    found = db.database(key)
    links, apart = explorer_queries.every_link(found), explorer_queries.every_ambiguous(found)
    return links, _positions(links["lineage_id"]), apart, _positions(apart["lineage_id"])


@page_cache.memo(128)
def lineage_evidence(key: db.Key, lineage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(links across id or name changes, cases left apart) of the lineage: AcoDatabase.lineage_links' and
    lineage_ambiguous' rows."""
    links, link_rows, apart, apart_rows = _evidence(key)
    none = np.zeros(0, dtype=int)
    return (links.take(link_rows.get(lineage, none)).drop(columns="lineage_id").reset_index(drop=True),
            apart.take(apart_rows.get(lineage, none)).drop(columns="lineage_id").reset_index(drop=True))


@page_cache.memo(32)
def _profile_year(key: db.Key, table: str, year: int) -> pd.DataFrame:
    """A profile table's rows of every ACO-year of `year` (profile_queries.year_rows)."""
    return profile_queries.year_rows(db.database(key), table, year)


def profile_rows(key: db.Key, table: str, year: int, track: str, low: int, high: int,
                 aco_id: str) -> pd.DataFrame:
    """profile_queries.with_peers: `table`'s rows of the ACO-year's peers and of the ACO itself."""
    return profile_queries.of_group(_profile_year(key, table, int(year)), year, track, low, high, aco_id)
