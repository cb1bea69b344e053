"""Writing and checking the DuckDB file: atomic replacement, typed tables straight from the contract.

The file is built under a temporary name in the destination folder and moved over the old one with
os.replace (atomic on one file system), so a reader never sees a half-written database and a failed
build leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from data.schema import ACO_YEAR_COLUMNS, LINEAGE_TABLES, SOURCE_COLUMNS

Columns = tuple[tuple[str, str, str], ...]


def _ddl(table: str, columns: Columns) -> str:
    body = ", ".join(f'"{name}" {kind}' for name, kind, _ in columns)
    return f"CREATE TABLE {table} ({body})"


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: Columns, frame: pd.DataFrame) -> None:
    """One set-based INSERT ... SELECT with explicit casts (no row-by-row inserts)."""
    view = f"{table}_frame"
    con.register(view, frame[[c for c, _, _ in columns]])
    select = ", ".join(f'CAST("{name}" AS {kind})' for name, kind, _ in columns)
    con.execute(f"INSERT INTO {table} SELECT {select} FROM {view}")
    con.unregister(view)


def _comments(con: duckdb.DuckDBPyConnection, table: str, columns: Columns) -> None:
    for name, _, meaning in columns:
        con.execute(f"COMMENT ON COLUMN {table}.\"{name}\" IS '{meaning.replace(chr(39), chr(39) * 2)}'")


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def write_database(out: Path, aco_year: pd.DataFrame, source: pd.DataFrame,
                   lineage: Mapping[str, pd.DataFrame] | None = None) -> None:
    """Write the tables into a temporary file beside `out`, then atomically replace `out`.

    `lineage`: the lineage evidence tables by name (schema.LINEAGE_TABLES); empty ones when not given.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.tmp-{uuid.uuid4().hex[:12]}")
    try:
        con = duckdb.connect(str(tmp))
        try:
            extra = [(t, c, (lineage or {}).get(t, pd.DataFrame(columns=[n for n, _, _ in c])))
                     for t, c in LINEAGE_TABLES]
            for table, columns, frame in (("aco_year", ACO_YEAR_COLUMNS, aco_year),
                                          ("source", SOURCE_COLUMNS, source), *extra):
                con.execute(_ddl(table, columns))
                _insert(con, table, columns, frame)
                _comments(con, table, columns)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise


def database_problem(path: Path) -> str | None:
    """None when `path` is a readable database with both tables and the contract's columns."""
    if not path.exists():
        return "missing"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except Exception as exc:  # duckdb raises several error types for damaged files
        return f"unreadable ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})"
    try:
        for table, columns in (("aco_year", ACO_YEAR_COLUMNS), ("source", SOURCE_COLUMNS), *LINEAGE_TABLES):
            found = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()]
            if found != [c for c, _, _ in columns]:
                return f"table {table} missing or not in the current schema"
        if con.execute("SELECT count(*) FROM aco_year").fetchone()[0] == 0:
            return "table aco_year is empty"
    except Exception as exc:
        return f"unreadable ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})"
    finally:
        con.close()
    return None
