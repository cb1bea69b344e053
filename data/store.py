"""Writing and checking the DuckDB file: atomic replacement, typed tables straight from the contract.

The file is built under a temporary name in the destination folder and moved over the old one with
os.replace (atomic on one file system), so a reader never sees a half-written database and a failed
build leaves the previous file as it was. The temporary name carries the writer's process id, so the
next build (holding data/build_lock.py's lock) removes what a killed build left behind.

A database is checked against the SHA-256 digest its build wrote beside it (`aco.duckdb.sha256`: any
changed byte, even in a block no query reads), then by reading every table whole (`database_problem`):
DuckDB checks each block's checksum as it reads it, so a truncated or damaged file fails here rather
than on a page. A file without a digest (made by hand or by an older build) gets the second check only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from data.profile_tables import PROFILE_TABLES
from data.schema import ACO_YEAR_COLUMNS, LINEAGE_TABLES, SOURCE_COLUMNS, SPENDING_TABLES

Columns = tuple[tuple[str, str, str], ...]
# Tables written beside aco_year and source from a mapping of frames (empty when not given).
EXTRA_TABLES: tuple[tuple[str, Columns], ...] = (*LINEAGE_TABLES, *SPENDING_TABLES, *PROFILE_TABLES)
TABLES: tuple[tuple[str, Columns], ...] = (("aco_year", ACO_YEAR_COLUMNS), ("source", SOURCE_COLUMNS),
                                          *EXTRA_TABLES)
_TMP_PID = re.compile(r"\.tmp-(\d+)-")


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


def _comments(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, Columns]]) -> None:
    """Every column's meaning, as one script (in the caller's transaction: one by one, each commits)."""
    comments = ";\n".join(f"COMMENT ON COLUMN {table}.\"{name}\" IS '{meaning.replace(chr(39), chr(39) * 2)}'"
                           for table, columns in tables for name, _, meaning in columns)
    con.execute(comments)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def write_database(out: Path, aco_year: pd.DataFrame, source: pd.DataFrame,
                   lineage: Mapping[str, pd.DataFrame] | None = None,
                   spending: Mapping[str, pd.DataFrame] | None = None,
                   profile: Mapping[str, pd.DataFrame] | None = None) -> None:
    """Write the tables into a temporary file beside `out`, then atomically replace `out`.

    `lineage`: the lineage evidence tables by name (schema.LINEAGE_TABLES); `spending`: the spending,
    utilization and benchmark-part tables (schema.SPENDING_TABLES); `profile`: the ACO profile tables
    (profile_tables.PROFILE_TABLES); empty ones when not given.
    """
    given = {**(lineage or {}), **(spending or {}), **(profile or {})}
    with DatabaseWriter(out) as writer:
        writer.insert({"aco_year": aco_year, "source": source,
                       **{table: given[table] for table, _ in EXTRA_TABLES if table in given}})


class DatabaseWriter:
    """`write_database` in steps, so that a caller can write some tables while it still computes others.

    Entering opens the temporary file and creates every table (with its comments) in one transaction;
    `insert` fills tables by name; leaving without an error fills the tables never given with no rows,
    commits, and moves the file over `out`. An error on the way removes the temporary file, and `out`
    stays as it was.
    """

    def __init__(self, out: Path):
        self.out = out
        self.tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}")
        self.con: duckdb.DuckDBPyConnection | None = None
        self.todo = dict(TABLES)  # table -> columns, until inserted

    def __enter__(self) -> DatabaseWriter:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.tmp), config={"threads": 1})
            self.con.execute("BEGIN TRANSACTION")  # tables, comments and rows in one transaction: one commit
            for table, columns in TABLES:
                self.con.execute(_ddl(table, columns))
            _comments(self.con, list(TABLES))
        except BaseException:
            self._abandon()
            raise
        return self

    def insert(self, frames: Mapping[str, pd.DataFrame]) -> None:
        """Rows of the tables named (each table once)."""
        assert self.con is not None
        for table, frame in frames.items():
            _insert(self.con, table, self.todo.pop(table), frame)

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self._abandon()
            return
        try:
            self.insert({t: pd.DataFrame(columns=[n for n, _, _ in c]) for t, c in self.todo.items()})
            assert self.con is not None
            self.con.execute("COMMIT")
            self.con.execute("CHECKPOINT")
            self.con.close()
            digest = file_digest(self.tmp)
            with contextlib.suppress(FileNotFoundError):
                digest_path(self.out).unlink()  # never a stale digest beside the new file
            os.replace(self.tmp, self.out)
            digest_path(self.out).write_text(digest + "\n", encoding="ascii")
        except BaseException:
            self._abandon()
            raise

    def _abandon(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.close()
        _remove(self.tmp)


def digest_path(out: Path) -> Path:
    """Where the build writes the SHA-256 of the database it wrote (aco.duckdb -> aco.duckdb.sha256)."""
    return out.with_name(out.name + ".sha256")


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB pieces."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            sha.update(piece)
    return sha.hexdigest()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_leftovers(out: Path) -> list[str]:
    """Delete `out`'s temporary files whose writer is gone (call it holding the build lock).

    A name without a process id (written before ids were added) is removed too: under the lock no
    other build of `out` is writing. Returns the names removed.
    """
    removed = []
    for leftover in sorted(out.parent.glob(f"{out.name}.tmp-*")):
        found = _TMP_PID.search(leftover.name[len(out.name):])
        if found and _alive(int(found.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed.append(leftover.name)
    return removed


def _read_whole(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of `table`, after reading every value of it (so every block's checksum is checked)."""
    rows, _ = con.execute(f"SELECT count(*), bit_xor(hash({table})) FROM {table}").fetchone()
    return int(rows)


def database_problem(path: Path) -> str | None:
    """None when `path` is a readable database with both tables, the contract's columns and rows.

    The file is checked against the SHA-256 digest its build wrote beside it (any changed byte,
    including blocks no query reads), then every table is read whole: a truncated file passes the
    catalogue check and fails only when a page reads the missing blocks.
    """
    if not path.exists():
        return "missing"
    expected = digest_path(path)
    if expected.exists():  # the app never writes the file, so any change to it is damage
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if expected.read_text(encoding="ascii").strip() != file_digest(path):
                return "damaged (the file differs from the SHA-256 digest its build wrote)"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except Exception as exc:  # duckdb raises several error types for damaged files
        return f"unreadable ({type(exc).__name__}: {_first_line(exc, path)})"
    try:
        for table, columns in TABLES:
            found = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()]
            if found != [c for c, _, _ in columns]:
                return f"table {table} missing or not in the current schema"
        counts = {table: _read_whole(con, table) for table, _ in TABLES}
        if counts["aco_year"] == 0:
            return "table aco_year is empty"
    except Exception as exc:
        return f"damaged ({type(exc).__name__}: {_first_line(exc, path)})"
    finally:
        con.close()
    return None


def _first_line(exc: Exception, path: Path) -> str:
    """The error's first line without the server's folder (the app may show it to a viewer)."""
    text = (str(exc).splitlines() or [""])[0].replace(str(path), path.name).replace(str(path.parent), "")
    return text[:160]


def previous_contents(path: Path) -> tuple[bool, list[int]] | None:
    """(holds only CMS rows, years) of a readable existing database, else None."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            cms_only, = con.execute("SELECT NOT bool_or(coalesce(synthetic, false)) FROM aco_year").fetchone()
            years = con.execute("SELECT DISTINCT performance_year FROM aco_year ORDER BY 1").fetchall()
    except Exception:  # noqa: BLE001 - an unreadable old file is simply not worth keeping
        return None
    return bool(cms_only), [int(y) for y, in years]
