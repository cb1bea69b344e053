"""Reading the ACO profile tables (data/profile_tables.py) for one ACO-year and its peers.

Peers as on the explorer (queries.AcoDatabase.peers): ACO-years of the same year and track whose
assigned beneficiaries fall in the same size band (queries.size_band). Every value reaches SQL as a
bound parameter; the table name comes from a fixed list. No Streamlit here.
"""

from __future__ import annotations

import pandas as pd

from data.profile_tables import PROFILE_TABLES
from data.queries import AcoDatabase

TABLES: tuple[str, ...] = tuple(t for t, _ in PROFILE_TABLES)


def with_peers(db: AcoDatabase, table: str, year: int, track: str, low: int, high: int,
               aco_id: str) -> pd.DataFrame:
    """`table`'s rows of the ACO-year's peers and of the ACO itself (also when its size is outside the band).

    Each row carries its ACO-year's `track` and `assigned_beneficiaries`; an empty frame when the database
    was built before the table existed.
    """
    if table not in TABLES:
        raise ValueError(f"not a profile table: {table}")
    if not db._has_table(table):
        return pd.DataFrame(columns=[c for t, cols in PROFILE_TABLES if t == table for c, _, _ in cols])
    return db.query(
        f"SELECT t.*, a.track, a.assigned_beneficiaries FROM {table} t JOIN aco_year a "
        "ON a.performance_year = t.performance_year AND a.aco_id = t.aco_id "
        "AND a.six_month_period IS NOT DISTINCT FROM t.six_month_period "
        "WHERE a.performance_year = ? AND ((a.track = ? AND a.assigned_beneficiaries BETWEEN ? AND ?) "
        "OR a.aco_id = ?)",
        [int(year), track, int(low), int(high), aco_id],
    )
