"""Program overview page (AppTest): headline numbers and table against direct duckdb sums, filters in the
URL, shared links, bad links, CMS's real files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aco_model.rules import TRACKS
from ui import formatting as fmt
from ui.text import shown

PAGE = "overview.py"


def _totals(db: Path, years: list[int] | None = None, tracks: list[str] | None = None) -> pd.Series:
    """The selection's sums straight from aco_year (not through the app's query module)."""
    where, params = [], []
    if years:
        where.append("list_contains(?, performance_year)")
        params.append(years)
    if tracks:
        where.append("list_contains(?, track)")
        params.append(tracks)
    sql = (
        "SELECT count(*) AS acos, sum(benchmark) AS benchmark, "
        "sum(coalesce(cms_benchmark_minus_expenditure, benchmark - expenditure)) AS gross, "
        "sum(CASE WHEN cms_earned_savings_losses > 0 THEN cms_earned_savings_losses ELSE 0 END) AS paid, "
        "sum(CASE WHEN cms_earned_savings_losses < 0 THEN -cms_earned_savings_losses ELSE 0 END) AS owed, "
        "count(DISTINCT performance_year) AS years FROM aco_year"
        + (" WHERE " + " AND ".join(where) if where else "")
    )
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).df().iloc[0]


def _year_range(db: Path) -> list[int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [int(y) for y in con.execute("SELECT DISTINCT performance_year FROM aco_year ORDER BY 1")
                .df()["performance_year"]]


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _check_headline(at: AppTest, expected: pd.Series) -> None:
    m = _metrics(at)
    count_label = "ACOs" if expected["years"] == 1 else "ACO-years"
    assert m[count_label] == fmt.count(expected["acos"])
    assert m["Gross savings"] == fmt.money(expected["gross"])
    assert m["Shared savings paid"] == fmt.money(expected["paid"])
    assert m["Losses owed"] == fmt.money(expected["owed"])
    assert m["Net to Medicare"] == fmt.money(expected["gross"] - expected["paid"] + expected["owed"])


def test_default_view_is_every_year_and_track(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db)
    _no_errors(at)
    assert any("Synthetic demo data" in i.value for i in at.info)
    assert not at.warning
    _check_headline(at, _totals(demo_db))
    years = _year_range(demo_db)
    table = at.dataframe[0].value
    assert table["Year"].tolist() == [str(y) for y in years]
    assert dict(at.query_params) == {}  # the default view needs no parameters
    assert len(at.get("plotly_chart")) == 4  # payments, net, spread, quality against savings rate
    assert at.get("download_button")  # the table's CSV


def test_filters_drive_the_numbers_and_the_link(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db)
    at.select_slider(key="ov_years").set_range(2020, 2022).run()
    at.multiselect(key="ov_tracks").unselect("TRACK_1").unselect("TRACK_1_PLUS").run()
    _no_errors(at)
    tracks = [t for t in at.multiselect(key="ov_tracks").value]
    assert "TRACK_1" not in tracks and tracks
    _check_headline(at, _totals(demo_db, [2020, 2021, 2022], tracks))
    assert at.query_params["years"] == "2020-2022"
    assert at.query_params["tracks"] == ",".join(t for t in TRACKS if t in tracks)
    table = at.dataframe[0].value
    assert table["Year"].tolist() == ["2020", "2021", "2022"]
    paid_2021 = _totals(demo_db, [2021], tracks)["paid"]
    assert table.loc[table["Year"] == "2021", "Shared savings paid"].item() == fmt.money(paid_2021)
    assert f"?years=2020-2022&tracks={at.query_params['tracks']}" == at.code[0].value

    # Rows by year and track: one row per (year, track) present, each track's own sum.
    at.segmented_control(key="ov_view").set_value("track").run()
    _no_errors(at)
    assert at.query_params["view"] == "track"
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["Year", "Track"]
    enhanced_2022 = table[(table["Year"] == "2022") & (table["Track"] == TRACKS["ENHANCED"].label)]
    expected = _totals(demo_db, [2022], ["ENHANCED"])
    assert enhanced_2022["Shared savings paid"].item() == fmt.money(expected["paid"])


def test_one_year_one_track(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2023", tracks="enhanced")
    _no_errors(at)
    assert not at.warning
    assert at.select_slider(key="ov_years").value == (2023, 2023)
    assert at.multiselect(key="ov_tracks").value == ["ENHANCED"]
    _check_headline(at, _totals(demo_db, [2023], ["ENHANCED"]))
    assert dict(at.query_params) == {"years": "2023", "tracks": "ENHANCED"}


def test_no_track_chosen_says_so(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, tracks="ENHANCED")
    at.multiselect(key="ov_tracks").unselect("ENHANCED").run()
    _no_errors(at)
    assert any("at least one track" in i.value for i in at.info)
    assert not at.metric


def test_shared_link_reopens_the_same_view(open_page, demo_db: Path) -> None:
    first = open_page(PAGE, demo_db)
    first.select_slider(key="ov_years").set_range(2019, 2021).run()
    first.multiselect(key="ov_tracks").set_value(["BASIC_E", "ENHANCED"]).run()
    first.segmented_control(key="ov_view").set_value("track").run()
    link = dict(first.query_params)
    assert link == {"years": "2019-2021", "tracks": "BASIC_E,ENHANCED", "view": "track"}

    again = open_page(PAGE, demo_db, **link)
    _no_errors(again)
    assert not again.warning
    assert _metrics(again) == _metrics(first)
    pd.testing.assert_frame_equal(again.dataframe[0].value, first.dataframe[0].value)
    assert dict(again.query_params) == link
    assert again.code[0].value == first.code[0].value == "?years=2019-2021&tracks=BASIC_E,ENHANCED&view=track"


@pytest.mark.parametrize(
    "params",
    [
        {"years": "soon"},
        {"years": "1990-1995"},
        {"years": "2013,2020"},
        {"tracks": "TRACK_9,nonsense"},
        {"view": "pie"},
        {"qyear": "next"},
        {"qyear": "2031"},
        {"years": "<script>alert(1)</script>" * 3, "tracks": ",,,", "view": ""},
    ],
)
def test_garbage_link_warns_and_falls_back(open_page, demo_db: Path, params: dict[str, str]) -> None:
    at = open_page(PAGE, demo_db, **params)
    _no_errors(at)
    assert at.warning and "Link parameter" in at.warning[0].value
    assert at.metric  # the page still shows its numbers
    if "years" in params and params["years"] != "2013,2020":
        _check_headline(at, _totals(demo_db))
    # The link written back is a valid one: reopening it gives no warning.
    assert not open_page(PAGE, demo_db, **dict(at.query_params)).warning


def test_real_cms_py2024(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, years="2024")
    _no_errors(at)
    assert not at.info  # real data: no synthetic banner
    expected = _totals(cms_db, [2024])
    _check_headline(at, expected)
    assert _metrics(at)["ACOs"] == "476"
    assert _metrics(at)["Shared savings paid"] == fmt.money(expected["paid"]) == "$4.12B"


# --- quality against savings rate ----------------------------------------------------------------------
def _scatter_rows(db: Path, year: int, tracks: list[str] | None = None) -> pd.DataFrame:
    """The ACO-years of `year` with a quality score and a savings rate, straight from aco_year."""
    sql = ("SELECT aco_id, track, quality_score, coalesce(cms_savings_rate, (benchmark - expenditure) / "
           "benchmark) AS rate FROM aco_year WHERE performance_year = ? AND quality_score IS NOT NULL "
           "AND coalesce(cms_savings_rate, (benchmark - expenditure) / benchmark) IS NOT NULL"
           + (" AND list_contains(?, track)" if tracks else ""))
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, [year] + ([tracks] if tracks else [])).df()


def _values(data: object) -> list[float]:
    """A trace's numbers: plotly sends numpy arrays as base64 typed arrays ({"dtype", "bdata"})."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def _scatter(at: AppTest):
    charts = [c for c in at.get("plotly_chart") if "Quality score against savings rate" in c.proto.spec]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def test_quality_scatter_one_dot_per_aco_by_track(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2020-2022", tracks="BASIC_E,ENHANCED")
    _no_errors(at)
    spec = _scatter(at)
    assert "PY2022" in spec["layout"]["title"]["text"]  # the range's last year by default
    expected = _scatter_rows(demo_db, 2022, ["BASIC_E", "ENHANCED"])
    traces = {t["name"]: t for t in spec["data"]}
    assert set(traces) == {TRACKS["BASIC_E"].label, TRACKS["ENHANCED"].label}
    assert sum(len(_values(t["x"])) for t in traces.values()) == len(expected)
    enhanced = expected[expected["track"] == "ENHANCED"].sort_values("aco_id")
    dots_y = _values(traces[TRACKS["ENHANCED"].label]["y"])
    assert sorted(dots_y) == sorted(enhanced["quality_score"].tolist())
    table = at.dataframe[-1].value
    assert len(table) == len(expected) and set(table["ACO id"]) == set(expected["aco_id"])
    assert any(b.proto.label == "Download CSV" for b in at.get("download_button"))

    # The year of the dots is in the link, and a shared link reopens it.
    at.selectbox(key="ov_qyear_2020_2022").select(2021).run()
    _no_errors(at)
    assert dict(at.query_params) == {"years": "2020-2022", "tracks": "BASIC_E,ENHANCED", "qyear": "2021"}
    assert "PY2021" in _scatter(at)["layout"]["title"]["text"]
    again = open_page(PAGE, demo_db, **dict(at.query_params))
    _no_errors(again)
    assert not again.warning
    assert again.selectbox(key="ov_qyear_2020_2022").value == 2021
    outside = open_page(PAGE, demo_db, years="2020-2022", qyear="2014")
    assert "“qyear=2014” ignored (not in PY2020-2022)" in shown(outside.warning[0].value)
    assert "qyear" not in outside.query_params
    dots = sum(len(_values(t["x"])) for t in _scatter(again)["data"])
    assert dots == len(_scatter_rows(demo_db, 2021, ["BASIC_E", "ENHANCED"]))


def test_quality_scatter_leaves_out_unscored_acos_cms(open_page, cms_db: Path) -> None:
    """PY2014: 119 first-year ACOs were pay-for-reporting ("P4R"), without a quality score."""
    at = open_page(PAGE, cms_db, years="2014")
    _no_errors(at)
    dots = sum(len(_values(t["x"])) for t in _scatter(at)["data"])
    assert dots == len(_scatter_rows(cms_db, 2014)) < 333
    assert any(f"{333 - dots:,} without a published quality score" in c.value for c in at.caption)


def test_quality_scatter_hover_shows_names_as_text(open_page, demo_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rows = con.sql("SELECT * FROM aco_year").df()
        source = con.sql("SELECT * FROM source").df()
    aco = rows.loc[rows["performance_year"] == 2024, "aco_id"].iloc[0]
    rows.loc[rows["aco_id"] == aco, "aco_name"] = "<b>Bold</b> <a href='x'>link</a>"
    out = tmp_path / "aco.duckdb"
    from data.store import write_database
    write_database(out, rows, source)
    at = open_page(PAGE, out, years="2024")
    _no_errors(at)
    names = [n for t in _scatter(at)["data"] for _, n in t["customdata"]]
    assert "&lt;b&gt;Bold&lt;/b&gt; &lt;a href=&#x27;x&#x27;&gt;link&lt;/a&gt;" in names
    assert not any("<b>" in n for n in names)
