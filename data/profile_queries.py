"""Reading the ACO profile tables (data/profile_tables.py) for one ACO-year and its peers.

Peers as on the explorer (queries.AcoDatabase.peers): ACO-years of the same year and track whose
assigned beneficiaries fall in the same size band (queries.size_band). Every value reaches SQL as a
bound parameter; the table name comes from a fixed list. No Streamlit here.
"""

from __future__ import annotations

import pandas as pd

from data.profile_tables import PROFILE_TABLES, QUALITY_MEASURE_COLUMNS, QUALITY_WITH_MEASURE
from data.queries import AcoDatabase

TABLES: tuple[str, ...] = ("aco_profile", "aco_enrollment", "aco_quality")  # the ones keyed by ACO-year


def with_peers(db: AcoDatabase, table: str, year: int, track: str, low: int, high: int,
               aco_id: str) -> pd.DataFrame:
    """`table`'s rows of the ACO-year's peers and of the ACO itself (also when its size is outside the band).

    Each row carries its ACO-year's `track` and `assigned_beneficiaries`; an empty frame when the database
    was built before the table existed.
    """
    if table not in TABLES:
        raise ValueError(f"not a profile table: {table}")
    if not db.has_table(table):
        return pd.DataFrame(columns=_columns(table))
    rows = table
    if table == "aco_quality" and db.has_table("quality_measure"):  # the measure's description joined back
        rows = f"({QUALITY_WITH_MEASURE})"
    return db.query(
        f"SELECT t.*, a.track, a.assigned_beneficiaries FROM {rows} t JOIN aco_year a "
        "ON a.performance_year = t.performance_year AND a.aco_id = t.aco_id "
        "AND a.six_month_period IS NOT DISTINCT FROM t.six_month_period "
        "WHERE a.performance_year = ? AND ((a.track = ? AND a.assigned_beneficiaries BETWEEN ? AND ?) "
        "OR a.aco_id = ?)",
        [int(year), track, int(low), int(high), aco_id],
    )


def year_rows(db: AcoDatabase, table: str, year: int) -> pd.DataFrame:
    """`table`'s rows of every ACO-year of `year`, as `with_peers` gives them (its columns, `track` and
    `assigned_beneficiaries`), for picking that year's peer groups in memory (`of_group`): one query per
    year instead of one per peer group (15-25 ms of CPU each)."""
    if table not in TABLES:
        raise ValueError(f"not a profile table: {table}")
    if not db.has_table(table):
        return pd.DataFrame(columns=[*_columns(table), "track", "assigned_beneficiaries"])
    described = table == "aco_quality" and db.has_table("quality_measure")
    rows = f"({QUALITY_WITH_MEASURE})" if described else table
    every = db.query(
        f"SELECT t.*, a.track, a.assigned_beneficiaries FROM {rows} t JOIN aco_year a "
        "ON a.performance_year = t.performance_year AND a.aco_id = t.aco_id "
        "AND a.six_month_period IS NOT DISTINCT FROM t.six_month_period WHERE a.performance_year = ?",
        [int(year)],
    )
    # A count with a NULL comes back nullable (Int32); a peer group's query gives float64 with NaN when its
    # rows hold a NULL: float64 for all, as the charts expect.
    nullable = [c for c, t in every.dtypes.items() if isinstance(t, pd.Int32Dtype | pd.Int64Dtype)]
    return every.astype(dict.fromkeys(nullable, "float64")) if nullable else every


def of_group(every: pd.DataFrame, year: int, track: str, low: int, high: int, aco_id: str) -> pd.DataFrame:
    """`with_peers`'s rows picked from `year_rows`'s frame (its WHERE clause, SQL's NULLs never matching).

    >>> every = pd.DataFrame({"performance_year": [2024, 2024, 2024, 2023],
    ...                       "aco_id": ["A1", "A2", "A3", "A1"], "track": ["BASIC", "BASIC", None, "BASIC"],
    ...                       "assigned_beneficiaries": [8_000, 60_000, 9_000, 8_000]})
    >>> of_group(every, 2024, "BASIC", 0, 9_999, "A3")["aco_id"].tolist()
    ['A1', 'A3']
    """
    in_year = every["performance_year"].eq(int(year)).fillna(False).to_numpy(dtype=bool)
    size = every["assigned_beneficiaries"]
    peers = (every["track"].eq(track).fillna(False).to_numpy(dtype=bool)
             & size.ge(int(low)).fillna(False).to_numpy(dtype=bool)
             & size.le(int(high)).fillna(False).to_numpy(dtype=bool))
    own = every["aco_id"].eq(aco_id).fillna(False).to_numpy(dtype=bool)
    return every[in_year & (peers | own)].reset_index(drop=True)


def _columns(table: str) -> list[str]:
    """The columns `with_peers` returns for `table` (aco_quality: with its measure's description)."""
    columns = [c for t, cols in PROFILE_TABLES if t == table for c, _, _ in cols]
    if table == "aco_quality":
        described = [c for c, _, _ in QUALITY_MEASURE_COLUMNS if c != "measure_id"]
        columns = columns[:4] + described[:2] + columns[4:5] + described[2:] + columns[5:]
    return columns
