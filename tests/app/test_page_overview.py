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


def _where(years: list[int] | None = None, tracks: list[str] | None = None, states: list[str] | None = None,
           two_sided: bool | None = None, revenue: str | None = None) -> tuple[list[str], list[object]]:
    """The selection as SQL written here (not the app's query module): any of `states` in aco_state."""
    where: list[str] = []
    params: list[object] = []
    if years:
        where.append("list_contains(?, performance_year)")
        params.append(years)
    if tracks:
        where.append("list_contains(?, track)")
        params.append(tracks)
    if states:
        where.append("(" + " OR ".join("(',' || aco_state || ',') LIKE ?" for _ in states) + ")")
        params += [f"%,{s},%" for s in states]
    if two_sided is not None:
        where.append("two_sided = ?")
        params.append(two_sided)
    if revenue:
        where.append("revenue_category = ?")
        params.append(revenue)
    return where, params


def _totals(db: Path, years: list[int] | None = None, tracks: list[str] | None = None,
            **filters: object) -> pd.Series:
    """The selection's sums straight from aco_year (not through the app's query module)."""
    where, params = _where(years, tracks, **filters)
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
    assert len(at.get("plotly_chart")) == 5  # payments, net, spread, state map, quality against savings rate
    assert at.get("download_button")  # the table's CSV


def test_filters_drive_the_numbers_and_the_link(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db)
    at.select_slider(key="ov_years").set_range(2020, 2022).run()
    at.button_group(key="ov_tracks").unselect("TRACK_1").unselect("TRACK_1_PLUS").run()
    _no_errors(at)
    tracks = [t for t in at.button_group(key="ov_tracks").value]
    assert "TRACK_1" not in tracks and tracks
    _check_headline(at, _totals(demo_db, [2020, 2021, 2022], tracks))
    assert at.query_params["years"] == "2020-2022"
    assert at.query_params["tracks"] == ",".join(t for t in TRACKS if t in tracks)
    table = at.dataframe[0].value
    assert table["Year"].tolist() == ["2020", "2021", "2022"]
    paid_2021 = _totals(demo_db, [2021], tracks)["paid"]
    assert table.loc[table["Year"] == "2021", "Shared savings paid"].item() == fmt.money(paid_2021)
    assert f"?years=2020-2022&tracks={at.query_params['tracks']}" == at.text[0].value

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
    assert at.button_group(key="ov_tracks").value == ["ENHANCED"]
    _check_headline(at, _totals(demo_db, [2023], ["ENHANCED"]))
    assert dict(at.query_params) == {"years": "2023", "tracks": "ENHANCED"}


def test_no_track_chosen_says_so(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, tracks="ENHANCED")
    at.button_group(key="ov_tracks").unselect("ENHANCED").run()
    _no_errors(at)
    assert any("at least one track" in i.value for i in at.info)
    assert not at.metric


def test_shared_link_reopens_the_same_view(open_page, demo_db: Path) -> None:
    first = open_page(PAGE, demo_db)
    first.select_slider(key="ov_years").set_range(2019, 2021).run()
    first.button_group(key="ov_tracks").set_value(["BASIC_E", "ENHANCED"]).run()
    first.segmented_control(key="ov_view").set_value("track").run()
    link = dict(first.query_params)
    assert link == {"years": "2019-2021", "tracks": "BASIC_E,ENHANCED", "view": "track"}

    again = open_page(PAGE, demo_db, **link)
    _no_errors(again)
    assert not again.warning
    assert _metrics(again) == _metrics(first)
    pd.testing.assert_frame_equal(again.dataframe[0].value, first.dataframe[0].value)
    assert dict(again.query_params) == link
    assert again.text[0].value == first.text[0].value == "?years=2019-2021&tracks=BASIC_E,ENHANCED&view=track"


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
        {"states": "ZZ,**evil**"},
        {"risk": "both"},
        {"revenue": "medium"},
        {"map": "pie"},
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
    assert not any("Synthetic" in i.value for i in at.info)  # real data: no synthetic banner
    # PY2024 publishes no state: said instead of an empty map.
    assert [shown(i.value) for i in at.info] == [
        "CMS published no state for PY2024: the results files name an ACO's states for PY2014-2021 only. "
        "Choose one of those years to see the map."]
    assert len(at.get("plotly_chart")) == 4
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


# --- filters: state, risk model, revenue category ---------------------------------------------------
def _caption_with(at: AppTest, text: str) -> str:
    found = [shown(c.value) for c in at.caption if text in shown(c.value)]
    assert len(found) == 1, [shown(c.value) for c in at.caption]
    return found[0]


def test_filters_narrow_every_number_and_round_trip(open_page, demo_db: Path) -> None:
    link = {"years": "2018-2021", "states": "NJ,NY", "risk": "two", "revenue": "high"}
    at = open_page(PAGE, demo_db, **link)
    _no_errors(at)
    assert not at.warning
    years = [2018, 2019, 2020, 2021]
    chosen = {"states": ["NJ", "NY"], "two_sided": True, "revenue": "HIGH"}
    expected = _totals(demo_db, years, **chosen)
    assert 0 < expected["acos"] < _totals(demo_db, [2018, 2019, 2020, 2021])["acos"]
    _check_headline(at, expected)
    assert at.multiselect(key="ov_states").value == ["NJ", "NY"]
    assert at.selectbox(key="ov_risk").value == "two" and at.selectbox(key="ov_revenue").value == "high"
    assert _caption_with(at, "Filtered to") == "Filtered to two-sided, high-revenue ACOs in NJ or NY."
    assert dict(at.query_params) == link
    assert at.text[0].value == "?years=2018-2021&states=NJ,NY&risk=two&revenue=high"
    # The table, the CSV of the rows and the scatter follow the filters too.
    table = at.dataframe[0].value
    assert table["ACOs"].tolist() == [fmt.count(_totals(demo_db, [y], **chosen)["acos"]) for y in years]
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"CSV: {int(expected['acos']):,} ACO-years" in labels
    where, params = _where([2021], **chosen)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        scored = con.execute("SELECT count(*) FROM aco_year WHERE quality_score IS NOT NULL AND "
                             + " AND ".join(where), params).fetchone()[0]
    assert sum(len(_values(t["x"])) for t in _scatter(at)["data"]) == scored
    again = open_page(PAGE, demo_db, **dict(at.query_params))
    assert _metrics(again) == _metrics(at) and not again.warning


def test_filter_controls_write_the_link(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2019")
    at.multiselect(key="ov_states").set_value(["TX", "CA"]).run()
    at.selectbox(key="ov_risk").select("one").run()
    at.selectbox(key="ov_revenue").select("low").run()
    _no_errors(at)
    assert dict(at.query_params) == {"years": "2019", "states": "CA,TX", "risk": "one", "revenue": "low"}
    _check_headline(at, _totals(demo_db, [2019], states=["CA", "TX"], two_sided=False, revenue="LOW"))
    at.multiselect(key="ov_states").set_value([]).run()
    at.selectbox(key="ov_risk").select("any").run()
    at.selectbox(key="ov_revenue").select("any").run()
    assert dict(at.query_params) == {"years": "2019"}
    assert not any("Filtered to" in c.value for c in at.caption)


def test_filter_on_years_that_publish_none_says_so(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2016-2023", states="NY", revenue="low")
    _no_errors(at)
    line = _caption_with(at, "Filtered to")
    assert line == ("Filtered to low-revenue ACOs in NY. No state published for PY2022-2023, no revenue "
                    "category for PY2016-2017: their ACOs are left out.")
    _check_headline(at, _totals(demo_db, list(range(2016, 2024)), states=["NY"], revenue="LOW"))
    assert _metrics(at)["ACO-years"] == fmt.count(_totals(demo_db, [2018, 2019, 2020, 2021], states=["NY"],
                                                          revenue="LOW")["acos"])
    # Only stateless years chosen: the page says so rather than showing nothing.
    none = open_page(PAGE, demo_db, years="2022-2024", states="NY")
    _no_errors(none)
    assert any("No ACO-years in PY2022-2024" in shown(i.value) for i in none.info)


# --- the map -----------------------------------------------------------------------------------------
def _state_counts(db: Path, years: list[int], **filters: object) -> pd.DataFrame:
    """Per state: ACO-years, beneficiaries and earned savings/losses; an ACO in two states in both."""
    where, params = _where(years, **filters)
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT s AS state, count(*) AS acos, sum(assigned_beneficiaries) AS beneficiaries, "
            "sum(cms_earned_savings_losses) AS earned FROM (SELECT *, "
            "unnest(string_split(aco_state, ',')) AS s FROM aco_year WHERE aco_state IS NOT NULL AND "
            + " AND ".join(where) + ") GROUP BY 1 ORDER BY 1", params).df()


def _grid(data: object) -> np.ndarray:
    """A heatmap's z: plotly sends a 2-D numpy array as base64 with its shape."""
    if isinstance(data, dict):
        values = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        return values.reshape([int(n) for n in str(data["shape"]).split(",")])
    return np.array(data, dtype=float)


def _map(at: AppTest) -> dict:
    found = [c for c in at.get("plotly_chart") if c.key == "ov_state_map"]
    assert len(found) == 1
    return json.loads(found[0].proto.spec)


def _map_values(at: AppTest) -> dict[str, float]:
    from ui.state_map import TILES

    z = _grid(_map(at)["data"][1]["z"])
    return {code: float(z[r, c]) for code, (r, c) in TILES.items() if not np.isnan(z[r, c])}


def test_map_counts_each_state_of_an_aco(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2020")
    _no_errors(at)
    expected = _state_counts(demo_db, [2020])
    assert _map_values(at) == dict(zip(expected["state"], expected["acos"].astype(float), strict=True))
    # Multi-state ACOs count in each of their states, and the page says so.
    assert expected["acos"].sum() > _totals(demo_db, [2020])["acos"]
    assert "counts, whole, in each" in _caption_with(at, "several states")
    assert "ACOs, PY2020" in _map(at)["layout"]["title"]["text"]
    states = at.dataframe[1].value
    assert states["State"].tolist() == expected["state"].tolist()
    assert states["Beneficiaries"].tolist() == [fmt.count(v) for v in expected["beneficiaries"]]

    at.segmented_control(key="ov_map").set_value("per_beneficiary").run()
    _no_errors(at)
    assert at.query_params["map"] == "per_beneficiary"
    per = expected["earned"] / expected["beneficiaries"]
    got = _map_values(at)
    assert got == pytest.approx(dict(zip(expected["state"], per, strict=True)))
    again = open_page(PAGE, demo_db, **dict(at.query_params))
    assert again.segmented_control(key="ov_map").value == "per_beneficiary" and not again.warning


def test_map_with_a_state_filter_shows_only_those_states(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2018-2021", states="NJ,NY", map="earned")
    _no_errors(at)
    expected = _state_counts(demo_db, [2018, 2019, 2020, 2021], states=["NJ", "NY"])
    expected = expected[expected["state"].isin(["NJ", "NY"])]
    assert _map_values(at) == pytest.approx(dict(zip(expected["state"], expected["earned"], strict=True)))


def test_years_without_state_say_so_instead_of_a_map(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2013-2015")
    _no_errors(at)
    assert [c for c in at.get("plotly_chart") if c.key == "ov_state_map"]
    assert "PY2013 publishes no state: not on the map." in _caption_with(at, "several states")
    assert _map(at)["layout"]["title"]["text"] == "ACO-years, PY2014-2015"  # the years that publish one
    at = open_page(PAGE, demo_db, years="2022-2024")
    _no_errors(at)
    assert not [c for c in at.get("plotly_chart") if c.key == "ov_state_map"]
    assert any("CMS published no state for PY2022-2024" in shown(i.value) for i in at.info)


def test_map_of_cms_py2021(open_page, cms_db: Path) -> None:
    """CMS's PY2021: 475 ACOs; A3580 alone is in 24 states."""
    at = open_page(PAGE, cms_db, years="2021")
    _no_errors(at)
    expected = _state_counts(cms_db, [2021])
    got = _map_values(at)
    assert got == dict(zip(expected["state"], expected["acos"].astype(float), strict=True))
    assert got["FL"] >= 26 and sum(got.values()) > 475


def test_state_text_not_a_state_is_never_markup(open_page, demo_db: Path, tmp_path: Path) -> None:
    """A database made some other way than the build may hold any text in aco_state."""
    import shutil

    from tests.app.markup_oracle import problems

    out = tmp_path / "aco.duckdb"
    shutil.copy(demo_db, out)
    evil = "**evil** [Sign in](https://evil.example) <b>evil</b> $evil$"
    with duckdb.connect(str(out)) as con:
        con.execute("UPDATE aco_year SET aco_state = ? || ',NY' WHERE performance_year = 2020 AND "
                    "aco_id IN (SELECT aco_id FROM aco_year WHERE performance_year = 2020 LIMIT 5)", [evil])
    at = open_page(PAGE, out, years="2020", states="NY", map="earned")
    _no_errors(at)
    assert not problems(at)
    assert not at.warning
    assert evil not in at.multiselect(key="ov_states").options
    assert set(_map_values(at)) == {"NY"}  # the state filter keeps NY only; the text draws no square
    link = open_page(PAGE, out, years="2020", states=evil)
    _no_errors(link)
    assert not problems(link) and "not a state of the data's ACOs" in shown(link.warning[0].value)
