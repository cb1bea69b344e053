"""Data and fidelity page (AppTest): the source table and row counts against the database, the fidelity
headline of both tiers against aco_model.fidelity and its command line on the same rows (5,261 of 5,271
overall, 5,258 from public inputs alone on CMS's files), demo data, bad links."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aco_model import fidelity
from data.schema import LINEAGE_TABLES, SPENDING_TABLES
from ui import formatting as fmt

PAGE = "data_sources.py"


def _read(db: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table}").df()  # noqa: S608 (a fixed table name)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _check_sources(at: AppTest, db: Path) -> None:
    rows, sources = _read(db, "aco_year"), _read(db, "source")
    m = _metrics(at)
    assert m["ACO-years"] == fmt.count(len(rows))
    assert m["ACOs"] == fmt.count(rows["aco_id"].nunique())
    assert m["Performance years"] == str(rows["performance_year"].nunique())
    table = at.dataframe[0].value
    assert len(table) == len(sources)
    assert table["Year"].tolist() == [str(y) for y in sorted(sources["performance_year"])]
    per_year = rows.groupby("performance_year").size()
    by_year = sources.groupby("performance_year")["row_count"].sum()
    assert table["Rows"].tolist() == [fmt.count(by_year[int(y)]) for y in table["Year"]]
    assert (by_year == per_year).all()  # every loaded row is in aco_year
    assert all(s.endswith("…") and len(s) == 13 for s in table["SHA-256"])


def test_demo_data_says_fidelity_needs_cms_files(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db)
    _no_errors(at)
    assert not at.warning
    _check_sources(at, demo_db)
    assert _metrics(at)["Data"] == "Synthetic"
    assert any("needs CMS's files" in i.value for i in at.info)
    assert not at.success
    assert len(at.dataframe) == 1  # no fidelity table on synthetic data


def test_cms_files_fidelity_headline(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db)
    _no_errors(at)
    assert not at.warning
    _check_sources(at, cms_db)
    assert _metrics(at)["Data"] == "CMS"
    compared = fidelity.compare(_read(cms_db, "aco_year"))
    h = fidelity.headline(compared)
    matched, independent, comparable = h["matched"], h["independent_matched"], h["comparable"]
    assert (matched, independent, comparable) == (5261, 5258, 5271)
    # the command line's last two lines carry the same figures as the page
    lines = fidelity.report(compared).splitlines()
    assert lines[-2] == f"independent: {independent}/{comparable} matched to $1 from public inputs alone"
    assert lines[-1] == f"fidelity: {matched}/{comparable} matched to $1"
    headline = at.success[0].value
    assert f"**{matched:,} of {comparable:,} ACO-years reproduced to $1**" in headline
    assert "5,261 of 5,271" in headline
    assert f"**{independent:,}** ({fmt.pct(independent / comparable)}) from public inputs alone" in headline
    caption = " ".join(c.value for c in at.caption)
    assert f"{h['unexplained']:,} of them without a known reason" in caption
    assert f"MSR/MLR election ({h['msr_election']:,} two-sided" in caption

    summary = fidelity.summarize(compared)
    by_year = at.dataframe[1].value
    assert by_year["Year"].tolist() == [str(y) for y in summary["performance_year"]]
    assert by_year["Reproduced"].tolist() == [fmt.count(n) for n in summary["matched"]]
    assert by_year["Share"].tolist() == [fmt.pct(r) for r in summary["match_rate"]]
    assert by_year["From public inputs"].tolist() == [fmt.count(n) for n in summary["independent_matched"]]
    assert by_year["Share (public)"].tolist() == [fmt.pct(r) for r in summary["independent_rate"]]

    misses = compared[~compared["matched"] | ~compared["independent_matched"]].sort_values(
        ["performance_year", "aco_id"])
    listed = at.dataframe[2].value
    assert listed["ACO"].tolist() == misses["aco_id"].tolist()
    assert listed["CMS (before EUC relief)"].tolist() == [fmt.money(v) for v in misses["cms_before_relief"]]
    assert listed["Model"].tolist() == [fmt.money(v) for v in misses["model_earned"]]
    assert listed["Model (public inputs)"].tolist() == [fmt.money(v) for v in misses["independent_model"]]
    # the rows matched only with an outcome column name it
    needed = listed[listed["Overall"].isin(["exact", "within quality rounding"])]
    assert len(needed) == 3 and needed["Outcome column read"].str.startswith("FinalShareRate").all()
    assert (listed["Overall"] == "unexplained: PY2024 Guardrail flag").sum() == h["unexplained"] == 2
    reasons = at.expander[-1].markdown[-1].value
    for reason in set(misses.loc[~misses["matched"], "reason"]):
        assert f"- {reason}" in reasons


def test_mixed_data_leaves_synthetic_rows_out(open_page, tmp_path: Path, demo_db: Path) -> None:
    """A database whose rows are real but for a few marked synthetic: those are left out of the check."""
    db = tmp_path / "mixed.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"ATTACH '{demo_db}' AS demo (READ_ONLY)")
        con.execute("CREATE TABLE aco_year AS SELECT * FROM demo.aco_year WHERE performance_year = 2022")
        con.execute("CREATE TABLE source AS SELECT * FROM demo.source WHERE performance_year = 2022")
        # the current schema's other tables, else the app rebuilds the file
        for table, _ in (*LINEAGE_TABLES, *SPENDING_TABLES):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM demo.{table}")
        con.execute("UPDATE aco_year SET synthetic = false, cms_earned_savings_losses = 0 "
                    "WHERE aco_id IN (SELECT aco_id FROM aco_year ORDER BY aco_id LIMIT 3)")
    at = open_page(PAGE, db)
    _no_errors(at)
    assert any("Mixed data" in w.value for w in at.warning)
    assert _metrics(at)["Data"] == "Mixed"
    compared = fidelity.compare(_read(db, "aco_year"))
    assert len(compared) == 3
    assert f"of {len(compared):,} ACO-years reproduced" in at.success[0].value
    assert "synthetic rows left out" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("params", [{"aco": "A1001"}, {"years": "garbage", "x": "<b>y</b>"}])
def test_link_parameters_warn_and_are_dropped(open_page, demo_db: Path, params: dict[str, str]) -> None:
    at = open_page(PAGE, demo_db, **params)
    _no_errors(at)
    assert at.warning and "ignored" in at.warning[0].value
    assert dict(at.query_params) == {}
    _check_sources(at, demo_db)
