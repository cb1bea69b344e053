"""Queries of the risk-election, program what-if and payment-model pages (read-only, bound parameters).

Each function opens the DuckDB file read-only for the duration of one query and is cached with
st.cache_data keyed on the file's path and modification time, so a rebuilt database is read afresh.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

DB_ENV = "ACO_LENS_DB"
DEFAULT_DB = Path(__file__).resolve().parents[1] / "data" / "aco.duckdb"

HISTORY_SQL = (
    "SELECT performance_year, aco_id, assigned_beneficiaries, benchmark, expenditure FROM aco_year"
)
UPFRONT_FLAGS = "(advance_payment OR aco_investment_model OR advance_investment_payment)"


def db_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def db_key() -> tuple[str, float]:
    """(path, modification time): the cache key of everything read from the file."""
    path = db_path()
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        return str(path), 0.0


def _query(key: tuple[str, float], sql: str, params: list[object] | None = None) -> pd.DataFrame:
    con = duckdb.connect(key[0], read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=4)
def source_summary(key: tuple[str, float]) -> dict[str, object]:
    """Whether the rows are synthetic, which years, which files."""
    row = _query(key, "SELECT count(*) AS n, bool_and(coalesce(synthetic, false)) AS all_synthetic, "
                      "bool_or(coalesce(synthetic, false)) AS any_synthetic, min(performance_year) AS first, "
                      "max(performance_year) AS last FROM aco_year").iloc[0]
    files = _query(key, "SELECT DISTINCT file_name FROM source ORDER BY 1")["file_name"].tolist()
    return {
        "rows": int(row["n"]),
        "synthetic": bool(row["all_synthetic"]) if row["n"] else False,
        "any_synthetic": bool(row["any_synthetic"]) if row["n"] else False,
        "first_year": None if pd.isna(row["first"]) else int(row["first"]),
        "last_year": None if pd.isna(row["last"]) else int(row["last"]),
        "files": files,
    }


@st.cache_data(show_spinner=False, max_entries=4)
def history(key: tuple[str, float]) -> pd.DataFrame:
    """The columns `uncertainty.calibrate` needs, every ACO-year."""
    return _query(key, HISTORY_SQL)


@st.cache_data(show_spinner=False, max_entries=4)
def years(key: tuple[str, float]) -> list[int]:
    return [int(y) for y in _query(key, "SELECT DISTINCT performance_year FROM aco_year ORDER BY 1")
            ["performance_year"]]


@st.cache_data(show_spinner=False, max_entries=4)
def aco_index(key: tuple[str, float]) -> pd.DataFrame:
    """One row per ACO id: its latest name, first and last year; the latest first."""
    return _query(
        key,
        "SELECT aco_id, arg_max(aco_name, performance_year) AS aco_name, "
        "min(performance_year) AS first_year, max(performance_year) AS last_year "
        "FROM aco_year WHERE aco_id IS NOT NULL GROUP BY aco_id ORDER BY last_year DESC, aco_id",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def aco_rows(key: tuple[str, float], aco_id: str) -> pd.DataFrame:
    """Every row of one ACO id (all its years), in year order."""
    return _query(key, "SELECT * FROM aco_year WHERE aco_id = ? ORDER BY performance_year, six_month_period",
                  [aco_id])


@st.cache_data(show_spinner=False, max_entries=16)
def year_rows(key: tuple[str, float], year: int) -> pd.DataFrame:
    """Every ACO of one performance year."""
    return _query(key, "SELECT * FROM aco_year WHERE performance_year = ? ORDER BY aco_id", [int(year)])


@st.cache_data(show_spinner=False, max_entries=4)
def upfront_index(key: tuple[str, float]) -> pd.DataFrame:
    """ACO ids that took Advance Payment, AIM or AIP money in any year, with their program flags."""
    return _query(
        key,
        "SELECT aco_id, arg_max(aco_name, performance_year) AS aco_name, "
        "bool_or(coalesce(advance_payment, false)) AS advance_payment, "
        "bool_or(coalesce(aco_investment_model, false)) AS aim, "
        "bool_or(coalesce(advance_investment_payment, false)) AS aip, "
        "min(performance_year) AS first_year, max(performance_year) AS last_year "
        f"FROM aco_year WHERE aco_id IN (SELECT aco_id FROM aco_year WHERE {UPFRONT_FLAGS}) "
        "GROUP BY aco_id ORDER BY aip DESC, aim DESC, aco_id",
    )
