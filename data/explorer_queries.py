"""Whole tables the ACO explorer filters in memory (ui/explorer_data.py), one query each per database.

Asking DuckDB for each ACO's spending, each peer group's spending or each lineage's links took 15-60 ms
of CPU a query (AcoDatabase.lineage_spending, peer_spending, lineage_links), on the one core every
viewer's page runs share; these tables hold a few thousand rows, so the explorer reads each whole once
and picks an ACO's or a peer group's rows with boolean masks. Same columns and types as the per-ACO
queries of data/queries.py; each frame carries the `lineage_id` its rows belong to. No Streamlit here.
"""

from __future__ import annotations

import pandas as pd

from data.queries import AcoDatabase, lineage_sql

_LINEAGE = lineage_sql("a")  # on aco_year `a`


def every_spending(db: AcoDatabase) -> pd.DataFrame:
    """AcoDatabase.lineage_spending's columns for every ACO-year, ordered as it orders them, with
    `lineage_id`; empty (no columns) when the database has no spending tables, as lineage_spending."""
    if not db.has_spending():
        return pd.DataFrame()
    return db.query(
        f"{AcoDatabase.SPENDING_SELECT}, {_LINEAGE} AS lineage_id {AcoDatabase.SPENDING_JOIN}"
        "ORDER BY a.performance_year, a.six_month_period, a.aco_id"
    )


def every_link(db: AcoDatabase) -> pd.DataFrame:
    """AcoDatabase.lineage_links for every lineage (`lineage_id`: the lineage of the link's from-side)."""
    if not db.has_table("lineage_link"):
        return pd.DataFrame(columns=["from_year", "from_aco_id", "to_year", "to_aco_id", "method", "score",
                                     "evidence", "lineage_id"])
    return db.query(
        f"SELECT l.*, {_LINEAGE} AS lineage_id FROM lineage_link l JOIN aco_year a "
        "ON a.performance_year = l.from_year AND a.aco_id = l.from_aco_id "
        "WHERE l.method <> 'same id' ORDER BY l.from_year, l.to_year"
    )


def every_ambiguous(db: AcoDatabase) -> pd.DataFrame:
    """AcoDatabase.lineage_ambiguous for every lineage: a case once per lineage on either of its sides."""
    columns = ["from_year", "from_aco_id", "from_name", "to_year", "to_aco_id", "to_name", "reason"]
    if not db.has_table("lineage_ambiguous"):
        return pd.DataFrame(columns=[*columns, "lineage_id"])
    return db.query(
        f"SELECT DISTINCT m.*, {_LINEAGE} AS lineage_id FROM lineage_ambiguous m JOIN aco_year a ON "
        "(a.performance_year = m.from_year AND a.aco_id = m.from_aco_id) OR "
        "(a.performance_year = m.to_year AND a.aco_id = m.to_aco_id) ORDER BY m.from_year, m.to_year"
    )
