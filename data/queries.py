"""The one query module: everything the pages read from data/aco.duckdb goes through here.

The file is opened read-only once per process (`AcoDatabase`); each thread (Streamlit runs every
session's script in its own thread) gets its own cursor, and every value reaches SQL as a bound
parameter. Results are DataFrames. No Streamlit here: the ui layer caches these calls.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

# Size bands for peer comparisons and the risk calibration (assigned beneficiaries).
SIZE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 10,000", 0, 9_999),
    ("10,000-19,999", 10_000, 19_999),
    ("20,000-49,999", 20_000, 49_999),
    ("50,000 and over", 50_000, 10**9),
)
UPFRONT_FLAGS = "(advance_payment OR aco_investment_model OR advance_investment_payment)"


def size_band(assigned_beneficiaries: float) -> tuple[str, int, int]:
    """The band an ACO of this size falls in."""
    n = int(assigned_beneficiaries or 0)
    return next((b for b in SIZE_BANDS if b[1] <= n <= b[2]), SIZE_BANDS[-1])


def lineage_sql(table: str = "") -> str:
    """SQL for an aco_year row's lineage (data/lineage.py), `table` the query's name for aco_year: rows
    written before lineages existed have none, and each id is then its own lineage.

    >>> lineage_sql("a")
    "coalesce(a.lineage_id, 'L-' || a.aco_id)"
    """
    of = f"{table}." if table else ""
    return f"coalesce({of}lineage_id, 'L-' || {of}aco_id)"


_LINEAGE_OF_A = lineage_sql("a")


class AcoDatabase:
    """Read-only access to one built database file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._connection = duckdb.connect(str(self.path), read_only=True)
        self._local = threading.local()

    def close(self) -> None:
        self._connection.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._connection.cursor()
        return cursor

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self._cursor().execute(sql, list(params)).df()

    # --- what the data is -------------------------------------------------------------------
    def summary(self) -> dict[str, object]:
        """Row count, year range and whether the rows are synthetic demo data."""
        row = self.query(
            "SELECT count(*) AS n, bool_and(coalesce(synthetic, false)) AS all_synthetic, "
            "bool_or(coalesce(synthetic, false)) AS any_synthetic, "
            "min(performance_year) AS first, max(performance_year) AS last FROM aco_year"
        ).iloc[0]
        n = int(row["n"])
        return {
            "rows": n,
            "synthetic": bool(row["all_synthetic"]) if n else False,
            "any_synthetic": bool(row["any_synthetic"]) if n else False,
            "first_year": None if pd.isna(row["first"]) else int(row["first"]),
            "last_year": None if pd.isna(row["last"]) else int(row["last"]),
            "files": self.query("SELECT DISTINCT file_name FROM source ORDER BY 1")["file_name"].tolist(),
        }

    def sources(self) -> pd.DataFrame:
        return self.query("SELECT * FROM source ORDER BY performance_year, file_name")

    def years(self) -> list[int]:
        frame = self.query("SELECT DISTINCT performance_year FROM aco_year ORDER BY 1")
        return [int(y) for y in frame["performance_year"]]

    def tracks(self) -> list[str]:
        frame = self.query("SELECT DISTINCT track FROM aco_year WHERE track IS NOT NULL ORDER BY 1")
        return frame["track"].tolist()

    # --- rows -------------------------------------------------------------------------------
    def all_rows(self) -> pd.DataFrame:
        return self.query("SELECT * FROM aco_year ORDER BY performance_year, aco_id")

    def year_rows(self, year: int) -> pd.DataFrame:
        return self.query("SELECT * FROM aco_year WHERE performance_year = ? ORDER BY aco_id", [int(year)])

    def aco_rows(self, aco_id: str) -> pd.DataFrame:
        return self.query(
            "SELECT * FROM aco_year WHERE aco_id = ? ORDER BY performance_year, six_month_period", [aco_id]
        )

    def aco_year(self, aco_id: str, year: int) -> pd.DataFrame:
        return self.query(
            "SELECT * FROM aco_year WHERE aco_id = ? AND performance_year = ?", [aco_id, int(year)]
        )

    def rows(self, years: Sequence[int], tracks: Sequence[str], *, states: Sequence[str] = (),
             two_sided: bool | None = None, revenue: str | None = None) -> pd.DataFrame:
        """Every ACO-year in the chosen years and tracks (and filters, see `_narrowed`)."""
        where, params = self._narrowed(years, tracks, states, two_sided, revenue)
        return self.query(f"SELECT * FROM aco_year WHERE {where} ORDER BY performance_year, aco_id", params)

    @staticmethod
    def _narrowed(years: Sequence[int], tracks: Sequence[str], states: Sequence[str],
                  two_sided: bool | None, revenue: str | None) -> tuple[str, list[object]]:
        """The WHERE clause (and its parameters) of a choice of years, tracks and the overview's filters.

        `states`: ACO-years whose `aco_state` lists any of these codes (years without a state never
        match); `two_sided`: the risk model; `revenue`: 'HIGH' or 'LOW' (years without one never match).
        """
        where = ["list_contains(?, performance_year)", "list_contains(?, track)"]
        params: list[object] = [[int(y) for y in years], list(tracks)]
        if states:
            where.append("list_has_any(string_split(aco_state, ','), ?)")
            params.append(list(states))
        if two_sided is not None:
            where.append("two_sided = ?")
            params.append(bool(two_sided))
        if revenue is not None:
            where.append("revenue_category = ?")
            params.append(revenue)
        return " AND ".join(where), params

    def published(self) -> dict[str, list]:
        """The years whose files publish an ACO's state and its revenue category; the states named."""
        years = self.query(
            "SELECT performance_year, bool_or(aco_state IS NOT NULL) AS state, "
            "bool_or(revenue_category IS NOT NULL) AS revenue FROM aco_year GROUP BY 1 ORDER BY 1"
        )
        states = self.query(
            "SELECT DISTINCT unnest(string_split(aco_state, ',')) AS state FROM aco_year "
            "WHERE aco_state IS NOT NULL ORDER BY 1"
        )
        return {"state_years": [int(y) for y in years.loc[years["state"], "performance_year"]],
                "revenue_years": [int(y) for y in years.loc[years["revenue"], "performance_year"]],
                "states": states["state"].tolist()}

    def peers(self, year: int, track: str, low: int, high: int) -> pd.DataFrame:
        """ACO-years of the same year and track whose size falls in [low, high]."""
        return self.query(
            "SELECT * FROM aco_year WHERE performance_year = ? AND track = ? "
            "AND assigned_beneficiaries BETWEEN ? AND ?",
            [int(year), track, int(low), int(high)],
        )

    def history(self) -> pd.DataFrame:
        """The columns the risk calibration needs, every ACO-year."""
        return self.query(
            "SELECT performance_year, aco_id, assigned_beneficiaries, benchmark, expenditure FROM aco_year"
        )

    # --- finding ACOs -----------------------------------------------------------------------
    def aco_index(self) -> pd.DataFrame:
        """One row per ACO id: its latest name, first and last year; the latest first."""
        return self.query(
            "SELECT aco_id, arg_max(aco_name, performance_year) AS aco_name, "
            "min(performance_year) AS first_year, max(performance_year) AS last_year "
            "FROM aco_year WHERE aco_id IS NOT NULL GROUP BY aco_id ORDER BY last_year DESC, aco_id"
        )

    def search(self, text: str, limit: int = 50) -> pd.DataFrame:
        """ACOs whose id or name contains `text` (case-insensitive)."""
        pattern = f"%{text.strip().lower()}%"
        return self.query(
            "SELECT aco_id, arg_max(aco_name, performance_year) AS aco_name, "
            "min(performance_year) AS first_year, max(performance_year) AS last_year "
            "FROM aco_year WHERE lower(aco_id) LIKE ? OR lower(aco_name) LIKE ? "
            "GROUP BY aco_id ORDER BY last_year DESC, aco_id LIMIT ?",
            [pattern, pattern, int(limit)],
        )

    def upfront_index(self) -> pd.DataFrame:
        """ACO ids that took Advance Payment, AIM or AIP money in any year, with their program flags."""
        return self.query(
            "SELECT aco_id, arg_max(aco_name, performance_year) AS aco_name, "
            "bool_or(coalesce(advance_payment, false)) AS advance_payment, "
            "bool_or(coalesce(aco_investment_model, false)) AS aim, "
            "bool_or(coalesce(advance_investment_payment, false)) AS aip, "
            "min(performance_year) AS first_year, max(performance_year) AS last_year "
            f"FROM aco_year WHERE aco_id IN (SELECT aco_id FROM aco_year WHERE {UPFRONT_FLAGS}) "
            "GROUP BY aco_id ORDER BY aip DESC, aim DESC, aco_id"
        )

    # --- program totals ---------------------------------------------------------------------
    def program_totals(self, years: Sequence[int], tracks: Sequence[str], *, states: Sequence[str] = (),
                       two_sided: bool | None = None, revenue: str | None = None) -> pd.DataFrame:
        """Per year and track: ACOs, beneficiaries, benchmark, spending, savings, payments, losses."""
        where, params = self._narrowed(years, tracks, states, two_sided, revenue)
        return self.query(
            "SELECT performance_year, track, count(*) AS acos, "
            "sum(assigned_beneficiaries) AS assigned_beneficiaries, sum(benchmark) AS benchmark, "
            "sum(expenditure) AS expenditure, "
            "sum(coalesce(cms_benchmark_minus_expenditure, benchmark - expenditure)) AS gross_savings, "
            "sum(greatest(cms_earned_savings_losses, 0)) AS shared_savings_paid, "
            "sum(greatest(-cms_earned_savings_losses, 0)) AS losses_owed, "
            "count(*) FILTER (WHERE cms_earned_savings_losses > 0) AS acos_paid, "
            "count(*) FILTER (WHERE cms_earned_savings_losses < 0) AS acos_owing "
            f"FROM aco_year WHERE {where} GROUP BY ALL ORDER BY performance_year, track",
            params,
        )

    # --- lineages (data/lineage.py): one organization across its ids --------------------------------
    _LINEAGE = lineage_sql()

    def lineage_index(self) -> pd.DataFrame:
        """One row per lineage: its latest id and name, years, and every id and name it went by."""
        return self.query(
            f"SELECT {self._LINEAGE} AS lineage_id, arg_max(aco_id, performance_year) AS aco_id, "
            "arg_max(aco_name, performance_year) AS aco_name, min(performance_year) AS first_year, "
            "max(performance_year) AS last_year, count(DISTINCT performance_year) AS years, "
            "string_agg(DISTINCT aco_id, ', ' ORDER BY aco_id) AS ids, "
            "list(DISTINCT aco_name) AS names "
            "FROM aco_year WHERE aco_id IS NOT NULL GROUP BY 1 ORDER BY last_year DESC, aco_id"
        )

    def lineage_search(self, text: str, limit: int = 50) -> pd.DataFrame:
        """Lineages with an id or a name, in any year, containing `text` (case-insensitive)."""
        pattern = f"%{text.strip().lower()}%"
        return self.query(
            f"SELECT {self._LINEAGE} AS lineage_id, max(performance_year) AS last_year, "
            "arg_max(aco_id, performance_year) AS aco_id FROM aco_year "
            f"WHERE {self._LINEAGE} IN (SELECT {self._LINEAGE} FROM aco_year "
            "WHERE lower(aco_id) LIKE ? OR lower(aco_name) LIKE ?) "
            "GROUP BY 1 ORDER BY last_year DESC, aco_id LIMIT ?",
            [pattern, pattern, int(limit)],
        )

    def lineage_of(self, aco_id: str, year: int | None = None) -> str | None:
        """The lineage of the ACO-year (`aco_id`, `year`); without a year (or no such row), the lineage
        holding most of the id's rows, the latest first. None for an id the data does not have."""
        found = self.query(
            f"SELECT {self._LINEAGE} AS lineage_id FROM aco_year WHERE aco_id = ? GROUP BY 1 "
            "ORDER BY bool_or(performance_year = ?) DESC, count(*) DESC, max(performance_year) DESC LIMIT 1",
            [aco_id, -1 if year is None else int(year)],
        )
        return None if found.empty else str(found["lineage_id"].iloc[0])

    def lineage_rows(self, lineage_id: str) -> pd.DataFrame:
        return self.query(
            f"SELECT * FROM aco_year WHERE {self._LINEAGE} = ? ORDER BY performance_year, six_month_period",
            [lineage_id],
        )

    def lineage_links(self, lineage_id: str) -> pd.DataFrame:
        """How the lineage's ACO-years were linked across id or name changes (not the same-id years)."""
        if not self.has_table("lineage_link"):
            return pd.DataFrame(columns=["from_year", "from_aco_id", "to_year", "to_aco_id", "method",
                                         "score", "evidence"])
        return self.query(
            "SELECT l.* FROM lineage_link l JOIN aco_year a ON a.performance_year = l.from_year "
            f"AND a.aco_id = l.from_aco_id WHERE {_LINEAGE_OF_A} = ? "
            "AND l.method <> 'same id' ORDER BY l.from_year, l.to_year",
            [lineage_id],
        )

    def lineage_ambiguous(self, lineage_id: str) -> pd.DataFrame:
        """Cases where this lineage might go on (or begin) under another id but was left apart."""
        if not self.has_table("lineage_ambiguous"):
            return pd.DataFrame(columns=["from_year", "from_aco_id", "from_name", "to_year", "to_aco_id",
                                         "to_name", "reason"])
        return self.query(
            "SELECT DISTINCT m.* FROM lineage_ambiguous m JOIN aco_year a ON "
            "(a.performance_year = m.from_year AND a.aco_id = m.from_aco_id) OR "
            "(a.performance_year = m.to_year AND a.aco_id = m.to_aco_id) "
            f"WHERE {_LINEAGE_OF_A} = ? ORDER BY m.from_year, m.to_year",
            [lineage_id],
        )

    def has_table(self, name: str) -> bool:
        """Whether the database holds table `name` (one written before it existed does not)."""
        found = self.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?", [name])
        return bool(found["n"].iloc[0])

    # --- spending, utilization and benchmark parts (schema.SPENDING_TABLES) --------------------------
    # SPENDING_SELECT + SPENDING_JOIN: the columns of these queries, public for data/explorer_queries.py's
    # whole-table reads of the same columns. Joined to aco_year on its key; a database written before these
    # tables existed gives no rows.
    # (six_month_period is NULL but for PY2019's January-June rows: NULL must match NULL.)
    SPENDING_JOIN = "FROM aco_year a " + "".join(
        f"LEFT JOIN {table} {alias} ON {alias}.performance_year = a.performance_year AND {alias}.aco_id = "
        f"a.aco_id AND {alias}.six_month_period IS NOT DISTINCT FROM a.six_month_period "
        for table, alias in (("aco_spending", "s"), ("aco_utilization", "u"), ("aco_benchmark_parts", "b"))
    )
    SPENDING_SELECT = (
        "SELECT a.performance_year, a.aco_id, a.six_month_period, a.aco_name, a.track, "
        "a.assigned_beneficiaries, a.person_years, a.expenditure_per_capita, a.expenditure, a.benchmark, "
        "a.historical_benchmark_per_capita, a.updated_benchmark_per_capita, a.regional_adjustment, "
        "a.prior_savings_adjustment, s.* EXCLUDE (performance_year, aco_id, six_month_period), "
        "u.* EXCLUDE (performance_year, aco_id, six_month_period), "
        "b.* EXCLUDE (performance_year, aco_id, six_month_period) "
    )

    def has_spending(self) -> bool:
        """Whether the spending, utilization and benchmark-part tables are there (schema.SPENDING_TABLES)."""
        return all(self.has_table(t) for t in ("aco_spending", "aco_utilization", "aco_benchmark_parts"))

    def lineage_spending(self, lineage_id: str) -> pd.DataFrame:
        """The lineage's ACO-years with their spending, utilization and benchmark figures."""
        if not self.has_spending():
            return pd.DataFrame()
        return self.query(
            f"{self.SPENDING_SELECT}{self.SPENDING_JOIN}WHERE {_LINEAGE_OF_A} = ? "
            "ORDER BY a.performance_year, a.six_month_period", [lineage_id],
        )

    def peer_spending(self, year: int, track: str, low: int, high: int) -> pd.DataFrame:
        """Spending figures of the ACO-years of `peers` (same year and track, size in [low, high])."""
        if not self.has_spending():
            return pd.DataFrame()
        return self.query(
            f"{self.SPENDING_SELECT}{self.SPENDING_JOIN}WHERE a.performance_year = ? AND a.track = ? "
            "AND a.assigned_beneficiaries BETWEEN ? AND ?", [int(year), track, int(low), int(high)],
        )

    def benchmark_parts_published(self) -> pd.DataFrame:
        """Per year: how many ACO-years have each benchmark part (what CMS published that year)."""
        if not self.has_spending():
            return pd.DataFrame()
        return self.query(
            "SELECT a.performance_year, count(*) AS acos, "
            "count(a.historical_benchmark_per_capita) AS historical, "
            "count(a.updated_benchmark_per_capita) AS updated, count(a.regional_adjustment) AS regional, "
            "count(a.prior_savings_adjustment) AS prior_savings, "
            "count(b.regional_trend_update) AS trend_flag, "
            "count(b.positive_regional_adjustment) AS regional_flag, "
            "count(b.final_adjustment_category) AS final_category "
            f"{self.SPENDING_JOIN}"
            "GROUP BY 1 ORDER BY 1"
        )
