"""The database's aco_year read once per database; the overview's choices, a lineage's years and a peer
group are filtered from it in memory.

Every control of the overview (years, tracks, states, risk, revenue) picks a set of ACO-years, and every
ACO picked on the explorer a lineage and a peer group; asking DuckDB for each new one
(`queries.AcoDatabase.rows`, `lineage_rows`, `peers`) cost 25-60 ms of CPU. Here the table is read once
and each set is a few boolean masks over it: the same rows, in the same order where the query orders
them, with the column types DuckDB gives them. The frames are shared by every session
(cached once per database and choice): never change one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import database as db
from ui import page_cache


@st.cache_resource(show_spinner=False, max_entries=2)
def _every_row(key: db.Key) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray],
                                     dict[str, np.ndarray]]:
    """(aco_year as queries.rows orders it, per state code the rows whose `aco_state` lists it, per nullable
    integer, boolean or text column the rows where it is missing, per lineage its rows as lineage_rows
    orders them)."""
    every = db.database(key).all_rows()
    states = every["aco_state"]
    named = states.notna().to_numpy()
    lists = [s.split(",") for s in states[named].astype(str).tolist()]  # SQL's string_split(aco_state, ',')
    where = np.flatnonzero(named)
    members: dict[str, np.ndarray] = {}
    for row, codes in zip(where, lists, strict=True):
        for code in codes:
            members.setdefault(code, np.zeros(len(every), dtype=bool))[row] = True
    missing = {c: every[c].isna().to_numpy() for c, t in every.dtypes.items()
               if isinstance(t, pd.core.arrays.masked.BaseMaskedDtype | pd.StringDtype)}
    lineages = every["lineage_id"].fillna("L-" + every["aco_id"])  # queries' _LINEAGE
    ordered = every.sort_values(["performance_year", "six_month_period"], kind="stable", na_position="last")
    positions = pd.Series(np.arange(len(every)))[ordered.index.to_numpy()]
    owners = lineages.to_numpy()[positions.to_numpy()]
    by_lineage = {str(k): v.to_numpy() for k, v in positions.groupby(owners)}
    return every, members, missing, by_lineage


def _equal(column: pd.Series, value: object) -> np.ndarray:
    """column = value, where a missing value never matches (SQL's NULL)."""
    return column.eq(value).fillna(False).to_numpy(dtype=bool)


@page_cache.memo(64)  # plain arguments, looked up by Python's hash
def rows(key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], states: tuple[str, ...] = (),
         two_sided: bool | None = None, revenue: str | None = None) -> pd.DataFrame:
    """queries.AcoDatabase.rows of this choice (shared: never change it)."""
    every, members, missing, _ = _every_row(key)
    keep = (every["performance_year"].isin(list(years)).to_numpy()
            & every["track"].isin(list(tracks)).to_numpy(dtype=bool))
    if states:
        none = np.zeros(len(every), dtype=bool)
        keep &= np.logical_or.reduce([members.get(code, none) for code in states])
    if two_sided is not None:
        keep &= _equal(every["two_sided"], bool(two_sided))
    if revenue is not None:
        keep &= _equal(every["revenue_category"], revenue)
    return _as_queried(key, keep)


@page_cache.memo(128)  # plain arguments, looked up by Python's hash
def lineage_rows(key: db.Key, lineage: str) -> pd.DataFrame:
    """queries.AcoDatabase.lineage_rows (shared: never change it)."""
    return _as_queried(key, _every_row(key)[3].get(lineage, np.zeros(0, dtype=int)))


@page_cache.memo(128)  # plain arguments, looked up by Python's hash
def peers(key: db.Key, year: int, track: str, low: int, high: int) -> pd.DataFrame:
    """queries.AcoDatabase.peers: the ACO-years of the year and track in the size band (shared)."""
    every = _every_row(key)[0]
    size = every["assigned_beneficiaries"]
    keep = (_equal(every["performance_year"], int(year)) & _equal(every["track"], track)
            & (size >= int(low)).fillna(False).to_numpy(dtype=bool)
            & (size <= int(high)).fillna(False).to_numpy(dtype=bool))
    return _as_queried(key, keep)


def _as_queried(key: db.Key, keep: np.ndarray) -> pd.DataFrame:
    """The rows `keep` picks (a mask or positions in order), with the column types DuckDB gives them."""
    every, _, missing, _ = _every_row(key)
    chosen = every.iloc[keep] if keep.dtype != bool else every[keep]
    chosen = chosen.reset_index(drop=True)
    # The column types DuckDB gives the same rows: an integer or boolean column is a nullable one (Int32,
    # boolean) only when the rows hold a missing value, else numpy's; a text column without any text is
    # one of Nones.
    for column, absent in missing.items():
        kind = chosen[column].dtype
        if isinstance(kind, pd.StringDtype):
            if absent[keep].all():
                chosen[column] = pd.Series([None] * len(chosen), dtype=object)
        elif not absent[keep].any():
            chosen[column] = chosen[column].astype(kind.numpy_dtype)
    return chosen

