"""ACO explorer page (AppTest): search, the ACO's years and CMS's earned amounts, peers of its track and
size band, the what-if link, shared links, bad links, CMS's real files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.queries import size_band
from ui import formatting as fmt

PAGE = "explorer.py"


def _rows(db: Path, sql: str = "SELECT * FROM aco_year", params: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).df()


def _aco_year(db: Path, aco: str, year: int) -> pd.Series:
    return _rows(db, "SELECT * FROM aco_year WHERE aco_id = ? AND performance_year = ?", [aco, year]).iloc[0]


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _what_if_link(at: AppTest) -> str:
    links = at.get("page_link")
    assert len(links) == 1
    assert links[0].proto.page == "what_if"
    return links[0].proto.query_string


def _check_aco_year(at: AppTest, db: Path, aco: str, year: int) -> None:
    """The metrics and the what-if link show this ACO-year as the database has it."""
    row = _aco_year(db, aco, year)
    m = _metrics(at)
    assert m[f"Earned PY{year} (CMS)"] == fmt.money(row["cms_earned_savings_losses"])
    assert m["Assigned beneficiaries"] == fmt.count(row["assigned_beneficiaries"])
    reported = pd.isna(row["quality_score"]) and bool(row["pay_for_reporting"])
    assert m["Quality score"] == ("Reported" if reported else fmt.pct(row["quality_score"]))
    assert m["Savings rate"] == fmt.pct(row["cms_savings_rate"])
    assert dict(at.query_params) == {"aco": aco, "year": str(year)}
    assert _what_if_link(at) == f"aco={aco}&year={year}"
    assert at.text[0].value == f"explorer?aco={aco}&year={year}"
    # Peers: same year and track, same size band, the ACO itself left out.
    _, low, high = size_band(row["assigned_beneficiaries"])
    peers = _rows(db, "SELECT * FROM aco_year WHERE performance_year = ? AND track = ? AND aco_id <> ? "
                      "AND assigned_beneficiaries BETWEEN ? AND ?", [year, row["track"], aco, low, high])
    if len(peers):
        assert m["Peers' median earned"] == fmt.money(peers["cms_earned_savings_losses"].median())
        below = (peers["cms_savings_rate"] < row["cms_savings_rate"]).mean()
        assert m["Saved more than"] == fmt.pct(below, 0)
    else:
        assert any("to compare with" in i.value for i in at.info)


def test_default_is_the_latest_acos_latest_year(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db)
    _no_errors(at)
    assert not at.warning
    latest = _rows(demo_db, "SELECT aco_id, max(performance_year) AS y FROM aco_year GROUP BY 1 "
                            "ORDER BY y DESC, aco_id LIMIT 1").iloc[0]
    aco, year = latest["aco_id"], int(latest["y"])
    _check_aco_year(at, demo_db, aco, year)
    table = at.dataframe[0].value
    rows = _rows(demo_db, "SELECT * FROM aco_year WHERE aco_id = ? ORDER BY performance_year", [aco])
    assert table["Year"].tolist() == [str(y) for y in rows["performance_year"]]
    assert table["Earned (CMS)"].tolist() == [fmt.money(v) for v in rows["cms_earned_savings_losses"]]
    assert len(at.get("plotly_chart")) == 4  # corridor, earned, quality, peers


def test_search_pick_an_aco_and_a_year(open_page, demo_db: Path) -> None:
    rows = _rows(demo_db)
    # A multi-year ACO, found by a piece of its name.
    counts = rows.groupby("aco_id")["performance_year"].nunique().sort_values(ascending=False)
    aco = str(counts.index[3])
    name = rows.loc[rows["aco_id"] == aco, "aco_name"].iloc[-1]
    text = name.upper()  # case does not matter
    at = open_page(PAGE, demo_db)
    at.text_input(key="exp_q").input(text).run()
    _no_errors(at)
    box = at.selectbox(key=f"exp_aco_{text.lower()}")
    found = rows["aco_name"].str.lower().str.contains(text.lower(), regex=False)
    expected = rows.loc[found, "aco_id"].unique()
    assert set(box.options) == {f"{a} - {n}" for a, n in _names(rows, expected).items()}
    box.select(f"L-{aco}").run()
    years = sorted(int(y) for y in rows.loc[rows["aco_id"] == aco, "performance_year"].unique())
    _check_aco_year(at, demo_db, aco, years[-1])
    at.selectbox(key=f"exp_year_L-{aco}").select(years[0]).run()
    _no_errors(at)
    _check_aco_year(at, demo_db, aco, years[0])


def _names(rows: pd.DataFrame, ids) -> dict[str, str]:
    latest = rows.sort_values("performance_year").groupby("aco_id")["aco_name"].last()
    return {a: latest[a] for a in ids}


def test_search_by_id_and_no_match(open_page, demo_db: Path) -> None:
    aco = str(_rows(demo_db, "SELECT min(aco_id) AS a FROM aco_year")["a"].iloc[0])
    at = open_page(PAGE, demo_db)
    at.text_input(key="exp_q").input(aco.lower()).run()
    _no_errors(at)
    assert at.selectbox(key=f"exp_aco_{aco.lower()}").value == f"L-{aco}"
    shown = at.query_params["aco"]
    assert shown == aco
    at.text_input(key="exp_q").input("no such aco anywhere").run()
    _no_errors(at)
    assert any("No ACO matches" in c.value for c in at.caption)
    assert at.query_params["aco"] == aco  # the ACO shown stays


def test_shared_link_reopens_the_same_aco_year(open_page, demo_db: Path) -> None:
    rows = _rows(demo_db, "SELECT aco_id, performance_year FROM aco_year WHERE track = 'ENHANCED' "
                          "ORDER BY performance_year, aco_id LIMIT 1").iloc[0]
    aco, year = str(rows["aco_id"]), int(rows["performance_year"])
    at = open_page(PAGE, demo_db, aco=aco, year=str(year))
    _no_errors(at)
    assert not at.warning
    _check_aco_year(at, demo_db, aco, year)
    again = open_page(PAGE, demo_db, **dict(at.query_params))
    assert _metrics(again) == _metrics(at)
    pd.testing.assert_frame_equal(again.dataframe[0].value, at.dataframe[0].value)


@pytest.mark.parametrize(
    "params, says",
    [
        ({"aco": "NOPE-123"}, "no such ACO"),
        ({"aco": "'; DROP TABLE aco_year; --"}, "no such ACO"),
        ({"year": "last year"}, "not a whole number"),
        ({"year": "1999"}, "outside"),
        ({"year": "2013.5"}, "not a whole number"),
    ],
)
def test_garbage_link_warns_and_falls_back(open_page, demo_db: Path, params: dict[str, str],
                                           says: str) -> None:
    at = open_page(PAGE, demo_db, **params)
    _no_errors(at)
    assert at.warning and says in at.warning[0].value
    aco, year = at.query_params["aco"], int(at.query_params["year"])
    _check_aco_year(at, demo_db, aco, year)
    assert not open_page(PAGE, demo_db, **dict(at.query_params)).warning


def test_link_year_the_aco_does_not_have(open_page, demo_db: Path) -> None:
    rows = _rows(demo_db)
    spans = rows.groupby("aco_id")["performance_year"].agg(["min", "max"])
    aco = str(spans[spans["min"] > 2013].index[0])
    at = open_page(PAGE, demo_db, aco=aco, year="2013")
    _no_errors(at)
    assert f"{aco} has no results for 2013" in at.warning[0].value
    _check_aco_year(at, demo_db, aco, int(spans.loc[aco, "max"]))


def test_real_aco_on_cms_files(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024")
    _no_errors(at)
    assert not at.warning
    _check_aco_year(at, cms_db, "A1001", 2024)
    assert _metrics(at)["Earned PY2024 (CMS)"] == "$107.9M"
    at.selectbox(key="exp_year_L-A1001").select(2019).run()
    _check_aco_year(at, cms_db, "A1001", 2019)
    assert _metrics(at)["Track"] == "Track 1"


# --- lineages: one organization across CMS's id changes ------------------------------------------------
ANTELOPE = {2014: "A01307", 2015: "X-03AD3AFC", 2016: "X-03AD3AFC", 2017: "X-03AD3AFC", 2018: "A2210",
            2019: "A2210"}


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.mark.parametrize("aco", sorted(set(ANTELOPE.values())))
def test_any_id_of_a_lineage_opens_all_its_years(open_page, cms_db: Path, aco: str) -> None:
    """Antelope Valley ACO: A01307 (PY2014), X-03AD3AFC (PY2015-17), A2210 (PY2018-19) are one ACO."""
    at = open_page(PAGE, cms_db, aco=aco)
    _no_errors(at)
    assert not at.warning
    table = at.dataframe[0].value
    assert table["Year"].tolist() == [str(y) for y in ANTELOPE]
    assert table["ACO id"].tolist() == list(ANTELOPE.values())
    assert at.subheader[0].value == "Antelope Valley ACO"
    captions = _captions(at)
    assert "A01307 · X-03AD3AFC · A2210 · in the MSSP PY2014–2019 (6 years)" in captions
    assert "Known as A01307 (PY2014); X-03AD3AFC (PY2015–2017); A2210 (PY2018–2019)" in captions
    # The link's id opens on that id's latest year; the URL names the id CMS used in the year shown.
    year = max(y for y, i in ANTELOPE.items() if i == aco)
    _check_aco_year(at, cms_db, aco, year)
    assert len(at.get("plotly_chart")) == 4
    # Each year of the lineage, chosen on the page, shows that year's own id (and its what-if link).
    at.selectbox(key="exp_year_L-A2210").select(2014).run()
    _check_aco_year(at, cms_db, "A01307", 2014)


def test_lineage_shows_how_its_years_were_linked(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A2210", year="2018")
    _no_errors(at)
    links = at.dataframe[1].value
    assert links[["From id", "To id"]].values.tolist() == [
        ["A01307", "X-03AD3AFC"], ["X-03AD3AFC", "X-03AD3AFC"], ["X-03AD3AFC", "X-03AD3AFC"],
        ["X-03AD3AFC", "A2210"]]
    assert "same first MSSP start 2014-01-01" in links["Evidence"].iloc[-1]
    assert any(e.label.startswith("How these years were put together (4 links") for e in at.expander)


@pytest.mark.parametrize("text", ["antelope valley aco, inc", "a01307", "x-03ad3afc"])
def test_search_finds_a_lineage_by_an_old_name_or_id(open_page, cms_db: Path, text: str) -> None:
    at = open_page(PAGE, cms_db)
    at.text_input(key="exp_q").input(text).run()
    _no_errors(at)
    box = at.selectbox(key=f"exp_aco_{text}")
    assert box.value == "L-A2210"
    assert box.options == ["A2210 - Antelope Valley ACO (also A01307, X-03AD3AFC)"]
    assert at.query_params["aco"] == "A2210" and at.query_params["year"] == "2019"
    assert at.dataframe[0].value["Year"].tolist() == [str(y) for y in ANTELOPE]


def test_an_ambiguous_case_is_shown_apart(open_page, cms_db: Path) -> None:
    """Aurora ACO (A07663, PY2013-15) and the "Initial" Aurora ACO of PY2017 are not joined by guess."""
    at = open_page(PAGE, cms_db, aco="A07663", year="2015")
    _no_errors(at)
    assert at.dataframe[0].value["Year"].tolist() == ["2013", "2014", "2015"]
    apart = at.dataframe[-1].value
    assert apart[["Id", "Later PY"]].values.tolist() == [["A07663", 2017]]
    assert "nothing but the name" in apart["Why not linked"].iloc[0]


def test_names_are_shown_as_text_not_markdown(open_page, tmp_path: Path, demo_db: Path) -> None:
    rows = _rows(demo_db)
    aco = str(rows["aco_id"].iloc[0])
    rows.loc[rows["aco_id"] == aco, "aco_name"] = "**Bold** [click](https://evil.example) :red[x] $y$"
    source = _rows(demo_db, "SELECT * FROM source")
    out = tmp_path / "aco.duckdb"
    from data.store import write_database
    write_database(out, rows, source)
    at = open_page(PAGE, out, aco=aco)
    _no_errors(at)
    heading = at.subheader[0].value
    assert heading.startswith("\\*\\*Bold\\*\\* \\[click\\]\\(https:")
    assert "](" not in heading.replace("\\]\\(", "") and ":red[" not in heading and "$y$" not in heading


# --- money switch, spending view, benchmark bridge (issue 10) --------------------------------------------
def _covered(db: Path, aco: str, year: int) -> float:
    """Person-years CMS's totals cover: benchmark / per-capita benchmark (ui.explorer_charts.person_years)."""
    row = _aco_year(db, aco, year)
    return float(row["benchmark"] / row["updated_benchmark_per_capita"])


def _table(at: AppTest, first_column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if first_column in d.value.columns]
    assert found, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.mark.parametrize(("basis", "divide"), [("beneficiary", 1), ("pmpm", 12)])
def test_money_switch_divides_by_person_years(open_page, cms_db: Path, basis: str, divide: int) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", money=basis)
    _no_errors(at)
    assert dict(at.query_params) == {"aco": "A1001", "year": "2024", "money": basis}
    row, years = _aco_year(cms_db, "A1001", 2024), _covered(cms_db, "A1001", 2024)
    per = row["cms_earned_savings_losses"] / years / divide
    assert _metrics(at)["Earned PY2024 (CMS)"] == f"${per:,.0f}"
    table = _table(at, "Benchmark")
    shown = table.loc[table["Year"] == "2024", "Benchmark"].iloc[0]
    assert shown == f"${row['updated_benchmark_per_capita'] / divide:,.0f}"  # CMS's own per capita
    assert at.text[0].value == f"explorer?aco=A1001&year=2024&money={basis}"


def test_spending_view_against_peers(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="spending", money="beneficiary")
    _no_errors(at)
    assert dict(at.query_params) == {"aco": "A1001", "year": "2024", "view": "spending",
                                     "money": "beneficiary"}
    assert len(at.get("plotly_chart")) == 3  # by setting, by enrollment type, every year
    spend = _rows(cms_db, "SELECT s.*, a.track, a.assigned_beneficiaries FROM aco_spending s JOIN aco_year a "
                          "USING (performance_year, aco_id) WHERE performance_year = 2024")
    this = spend[spend["aco_id"] == "A1001"].iloc[0]
    _, low, high = size_band(this["assigned_beneficiaries"])
    peers = spend[(spend["track"] == this["track"]) & spend["assigned_beneficiaries"].between(low, high)
                  & (spend["aco_id"] != "A1001")]
    table = _table(at, "Item").set_index("Item")
    snf = table.loc["Skilled nursing"]
    assert snf["ACO"] == f"${this['expenditure_per_capita_snf']:,.0f}"
    assert snf["Peers' median"] == f"${peers['expenditure_per_capita_snf'].median():,.0f}"
    assert snf["Peers"] == str(len(peers))
    difference = this["expenditure_per_capita_snf"] / peers["expenditure_per_capita_snf"].median() - 1
    assert snf["ACO vs median"] == fmt.pct(difference, 0, signed=True)
    assert "Inpatient: acute" in table.index and "Hospital outpatient" in table.index
    types = _table(at, "Enrollment type").set_index("Enrollment type")
    assert types.loc["ESRD", "Performance year"] == f"${this['expenditure_per_capita_esrd_py']:,.0f}"
    by1 = this["expenditure_per_capita_aged_non_dual_by1"]
    assert types.loc["Aged, non-dual", "Base year 1"] == f"${by1:,.0f}"
    use = _table(at, "Unit").set_index("Item")
    admissions = _rows(cms_db, "SELECT admissions_per_1000 FROM aco_utilization WHERE aco_id = 'A1001' "
                               "AND performance_year = 2024").iloc[0, 0]
    assert use.loc["Hospital admissions", "ACO"] == f"{admissions:,.0f}"


def test_spending_view_totals_multiply_by_person_years(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="spending")
    _no_errors(at)
    snf = _rows(cms_db, "SELECT expenditure_per_capita_snf FROM aco_spending WHERE aco_id = 'A1001' "
                        "AND performance_year = 2024").iloc[0, 0]
    table = _table(at, "Item").set_index("Item")
    assert table.loc["Skilled nursing", "ACO"] == fmt.money(snf * _covered(cms_db, "A1001", 2024))


def test_benchmark_bridge_adds_up(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="benchmark", money="beneficiary")
    _no_errors(at)
    row = _aco_year(cms_db, "A1001", 2024)
    bridge = _table(at, "Step").set_index("Step")["Amount"]
    assert bridge["Historical benchmark"] == f"${row['historical_benchmark_per_capita']:,.0f}"
    assert bridge["Regional adjustment"] == f"${row['regional_adjustment']:,.0f}"  # FinalAdjCat: regional
    rest = (row["updated_benchmark_per_capita"] - row["historical_benchmark_per_capita"]
            - row["regional_adjustment"])
    assert bridge["Trend, risk and other updates"] == f"${rest:,.0f}"
    assert bridge["Updated benchmark"] == f"${row['updated_benchmark_per_capita']:,.0f}"
    parts = _table(at, "Part").set_index("Part")["Years published"]
    assert parts["Which adjustment applied"] == "PY2024"
    assert parts["Regional adjustment, $ per capita"] == "PY2022–2024"
    assert parts["Prior savings adjustment, $ per capita"] == "PY2018, PY2024"
    assert len(at.get("plotly_chart")) == 1


def test_benchmark_bridge_of_a_year_with_flags_and_prior_savings(open_page, cms_db: Path) -> None:
    aco = _rows(cms_db, "SELECT aco_id FROM aco_year WHERE performance_year = 2018 "
                        "AND prior_savings_adjustment > 0 ORDER BY aco_id LIMIT 1").iloc[0, 0]
    at = open_page(PAGE, cms_db, aco=aco, year="2018", view="benchmark", money="pmpm")
    _no_errors(at)
    row = _aco_year(cms_db, aco, 2018)
    bridge = _table(at, "Step").set_index("Step")["Amount"]
    assert list(bridge.index) == ["Historical benchmark", "Prior savings adjustment",
                                  "Trend, risk and other updates", "Updated benchmark"]
    assert bridge["Prior savings adjustment"] == f"${row['prior_savings_adjustment'] / 12:,.0f}"
    said = "This year CMS published only flags: the benchmark was updated by the regional trend"
    assert said in _captions(at)


@pytest.mark.parametrize("view", ["spending", "benchmark"])
def test_new_views_on_demo_data(open_page, demo_db: Path, view: str) -> None:
    at = open_page(PAGE, demo_db, view=view)
    _no_errors(at)
    assert at.query_params["view"] == view
    if view == "spending":
        assert any("publishes no spending" in i.value for i in at.info)


@pytest.mark.parametrize(("params", "says"), [({"view": "<b>x</b>"}, "view"), ({"money": "euros"}, "money")])
def test_bad_view_or_money_warns_and_falls_back(open_page, demo_db: Path, params, says: str) -> None:
    at = open_page(PAGE, demo_db, **params)
    _no_errors(at)
    assert at.warning and says in at.warning[0].value and "<b>" not in at.warning[0].value.replace("\\<", "")
    assert "view" not in at.query_params and "money" not in at.query_params


def test_the_what_if_link_after_the_server_warm_up_imported_the_menu(open_page, cms_db: Path) -> None:
    """The server's warm-up thread imports ui.nav outside any script run (ui.server_start): a Page made
    then is an empty shell, so the link's Page must be made in the page's own run (a real server failed
    here)."""
    import importlib

    import ui.nav

    importlib.reload(ui.nav)  # as the warm-up thread imports it: no script run
    at = open_page(PAGE, cms_db, aco="A2210", year="2019")
    _no_errors(at)
    _what_if_link(at)


def test_controls_below_the_aco_write_the_whole_link_and_keep_the_aco(open_page, demo_db: Path) -> None:
    """View and money live in the page's fragment (ui.explorer_page): changing them keeps the ACO and year
    chosen above in the link, and a value back at its default leaves the link."""
    at = open_page(PAGE, demo_db)
    aco, year = at.query_params["aco"], at.query_params["year"]
    at.segmented_control(key="exp_money").set_value("pmpm").run()
    at.segmented_control(key="exp_view").set_value("spending").run()
    _no_errors(at)
    assert dict(at.query_params) == {"aco": aco, "year": year, "view": "spending", "money": "pmpm"}
    assert at.selectbox(key=f"exp_year_{at.selectbox[0].value}").value == int(year)
    at.segmented_control(key="exp_view").set_value("results").run()
    at.segmented_control(key="exp_money").set_value("total").run()
    assert dict(at.query_params) == {"aco": aco, "year": year}
    assert _metrics(at)["Track"]  # the ACO-year's header is drawn again
