"""Program overview page (AppTest): headline numbers and table against direct duckdb sums, filters in the
URL, shared links, bad links, CMS's real files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aco_model.rules import TRACKS
from ui import formatting as fmt

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
    assert len(at.get("plotly_chart")) == 3
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
