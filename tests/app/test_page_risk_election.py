"""Risk-election page (AppTest): numbers against aco_model.uncertainty, shared links, bad links, speed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aco_model.inputs import from_aco_year_row
from aco_model.uncertainty import calibrate
from data.demo import demo_tables
from data.schema import ACO_YEAR_COLUMNS
from data.store import write_database
from ui import formatting as fmt
from ui import risk_election as risk

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "risk_election.py")


@pytest.fixture
def app(demo_db: Path, open_page):
    """The page on the demo database, opened with the given link values."""
    return lambda **params: open_page("risk_election.py", demo_db, **params)


def _rows(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM aco_year").df()


def _expected(db: Path, aco: str, year: int, *, draws: int, seed: int, owe_over: float,
              method: str = "bootstrap", renew: bool | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The page's numbers computed without it: the per-election summary and which may be elected."""
    rows = _rows(db)
    row = rows[(rows["aco_id"] == aco) & (rows["performance_year"] == year)].iloc[0]
    base = from_aco_year_row(row.to_dict())
    if renew is None:
        renew = risk.starts_new_agreement(year, row["current_start_date"])
    _, summary = risk.run(base, calibrate(rows, method=method), draws, seed, owe_over, new_agreement=renew)
    return summary, risk.options(base, summary, renew)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at: AppTest) -> pd.DataFrame:
    """The per-election table (the page also shows the backtest's and the calibration's)."""
    return next(d.value for d in at.dataframe if "Election" in d.value.columns)


def _shown(summary: pd.DataFrame, allowed: pd.DataFrame) -> pd.DataFrame:
    """The elections the page shows by default: all but those the ACO may not make."""
    return summary[(allowed["may_elect"] != "may not elect").to_numpy()]


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_default_numbers_match_the_model(app, demo_db: Path) -> None:
    at = app()
    _no_errors(at)
    assert any("Synthetic demo data" in i.value for i in at.info)
    assert not at.warning
    aco, year = at.query_params["aco"], int(at.query_params["year"])
    summary, allowed = _expected(demo_db, aco, year, draws=risk.DEFAULT_DRAWS, seed=risk.DEFAULT_SEED,
                                 owe_over=risk.DEFAULT_OWING_THRESHOLD)
    table, shown = _table(at), _shown(summary, allowed)
    assert table["Election"].tolist() == shown["election"].tolist()
    assert table["Expected"].tolist() == [fmt.money(v) for v in shown["expected_payment"]]
    assert table["5th pct"].tolist() == [fmt.money(v) for v in shown["p05_payment"]]
    assert table["Chance owing"].tolist() == [fmt.pct(v) for v in shown["prob_owing"]]
    assert table["May elect"].tolist() == _shown(allowed, allowed)["may_elect"].tolist()
    best, _ = risk.recommendation(summary, risk.DEFAULT_MAX_PROB_OWING, risk.DEFAULT_OWING_THRESHOLD, allowed)
    assert best is not None
    assert best["election"] in at.success[0].value
    assert _metrics(at)["Expected payment"] == fmt.money(best["expected_payment"])
    assert _metrics(at)["Worst case"] == fmt.money(best["worst_case"])


def test_current_election_beside_the_recommendation_and_what_it_may_elect(app, demo_db: Path) -> None:
    rows = _rows(demo_db)
    level_e = rows[(rows["performance_year"] == 2023) & (rows["track"] == "BASIC_E")].sort_values("aco_id")
    aco = str(level_e["aco_id"].iloc[0])
    at = app(aco=aco, year="2023", draws="1000", renew="0", all_elections="1")
    _no_errors(at)
    table = _table(at).set_index("Election")
    # issue 9 item 9: a BASIC Level E ACO cannot go back to Levels A/B within its agreement
    assert table.loc["BASIC Level A (one-sided)", "May elect"] == "may not elect"
    assert table.loc["BASIC Level B (one-sided)", "May elect"] == "may not elect"
    assert "425.600" in table.loc["BASIC Level A (one-sided)", "Rule"]
    assert "[recall]" in table.loc["BASIC Level A (one-sided)", "Rule"]  # unconfirmed rules say so
    assert (table["May elect"] == "uncertain").any()  # e.g. ENHANCED by early renewal
    best = at.success[0].value
    assert "Level A" not in best and "Level B" not in best
    current = [i.value for i in at.info if "This year's election (PY2023)" in i.value]
    assert current and "BASIC Level E" in current[0]
    assert "Kept: expected payment" in _metrics(at)
    summary, allowed = _expected(demo_db, aco, 2023, draws=1_000, seed=risk.DEFAULT_SEED,
                                 owe_over=risk.DEFAULT_OWING_THRESHOLD, renew=False)
    kept = summary[summary["election"].str.startswith("BASIC Level E")].merge(allowed, on="election")
    kept = kept[kept["may_elect"] == "may elect"]
    assert len(kept) == 1
    assert _metrics(at)["Kept: expected payment"] == fmt.money(kept["expected_payment"].iloc[0])


def test_calibration_chart_and_trust_sentence(app) -> None:
    at = app(draws="1000")
    _no_errors(at)
    assert any(h.value == "How far to trust the forecast" for h in at.subheader)
    sentence = [m.value for m in at.markdown if m.value.startswith("Forecasting")]
    assert sentence and "80% range" in sentence[0] and "Brier" in sentence[0]
    charts = [c for c in at.get("plotly_chart") if "backtest" in c.proto.spec]
    assert len(charts) == 1
    assert "Perfectly calibrated" in charts[0].proto.spec and "Former random walk" in charts[0].proto.spec


def test_one_year_database_says_the_forecast_needs_two_years(tmp_path: Path, open_page) -> None:
    aco_year, source = demo_tables()
    one_year = tmp_path / "one_year.duckdb"
    columns = [c for c, _, _ in ACO_YEAR_COLUMNS]
    write_database(one_year, aco_year.loc[aco_year["performance_year"] == 2024, columns], source)
    at = open_page("risk_election.py", one_year)
    _no_errors(at)
    warning = [w.value for w in at.warning if "two consecutive years" in w.value]
    assert warning, [w.value for w in at.warning]
    table = _table(at)
    assert {"Election", "May elect", "At this year's rate", "Rule"} <= set(table.columns)
    assert not at.metric  # no distribution to summarize
    assert not at.get("plotly_chart")
    # the template too
    at = open_page("risk_election.py", one_year, src="template")
    _no_errors(at)
    assert any("two consecutive years" in w.value for w in at.warning)


def test_controls_drive_the_simulation(app, demo_db: Path) -> None:
    at = app()
    rows = _rows(demo_db)
    two_sided_2022 = rows[(rows["performance_year"] == 2022) & (rows["track"] == "ENHANCED")]
    aco = str(two_sided_2022.sort_values("aco_id")["aco_id"].iloc[0])
    at.selectbox(key="risk_aco").select(aco).run()
    at.selectbox(key="risk_year").select(2022).run()
    at.selectbox(key="risk_draws").select(2_000).run()
    at.number_input(key="risk_seed").set_value(7).run()
    at.number_input(key="risk_max_owe").set_value(25.0).run()
    at.text_input(key="risk_owe_over").input("$500K").run()  # a money box: typed as people write money
    assert at.text_input(key="risk_owe_over").value == "$500,000"
    _no_errors(at)
    summary, allowed = _expected(demo_db, aco, 2022, draws=2_000, seed=7, owe_over=500_000.0)
    table, shown = _table(at), _shown(summary, allowed)
    assert table["Expected"].tolist() == [fmt.money(v) for v in shown["expected_payment"]]
    over = shown["prob_owing_over_threshold"]
    assert table["Chance owing > $500K"].tolist() == [fmt.pct(v) for v in over]
    best, _ = risk.recommendation(summary, 0.25, 500_000.0, allowed)
    if best is None:
        assert "No election meets" in at.warning[0].value
    else:
        assert _metrics(at)["Expected payment"] == fmt.money(best["expected_payment"])
    assert dict(at.query_params) == {
        "src": "aco", "aco": aco, "year": "2022", "draws": "2000", "seed": "7", "method": "bootstrap",
        "max_owe_pct": "25", "owe_over": "500000",
    }
    # A different seed moves the numbers; the same seed brings them back.
    at.number_input(key="risk_seed").set_value(8).run()
    assert _table(at)["Expected"].tolist() != table["Expected"].tolist() or summary["sd_payment"].max() == 0
    at.number_input(key="risk_seed").set_value(7).run()
    assert _table(at)["Expected"].tolist() == table["Expected"].tolist()


def test_choosing_another_aco_keeps_a_year_it_has_without_warning(app, demo_db: Path) -> None:
    rows = _rows(demo_db)
    years = rows.groupby("aco_id")["performance_year"].agg(["min", "max"])
    old = str(years[years["max"] <= 2016].index[0])  # an ACO that left early
    at = app()
    at.selectbox(key="risk_aco").select(old).run()
    assert not at.warning
    assert at.query_params["year"] == str(years.loc[old, "max"])  # its latest year
    at.selectbox(key="risk_year").select(int(years.loc[old, "min"])).run()
    first = int(years.loc[old, "min"])
    newer = str(years[(years["max"] == 2024) & (years["min"] > first)].index[0])
    at.selectbox(key="risk_aco").select(newer).run()  # lacks that year: its latest, silently
    assert not at.warning and at.query_params["year"] == "2024"
    both = str(years[(years["max"] == 2024) & (years["min"] <= first)].index[0])
    at.selectbox(key="risk_year").select(2024).run()
    at.selectbox(key="risk_aco").select(both).run()  # has the year: kept
    assert not at.warning and at.query_params["year"] == "2024"
    _no_errors(at)


def test_shared_link_reopens_the_same_numbers(app, demo_db: Path) -> None:
    first = app()
    first.selectbox(key="risk_draws").select(1_000).run()
    first.number_input(key="risk_seed").set_value(123).run()
    first.selectbox(key="risk_method").select("normal").run()
    link = dict(first.query_params)
    reopened = app(**link)
    _no_errors(reopened)
    assert not reopened.warning
    assert dict(reopened.query_params) == link
    pd.testing.assert_frame_equal(_table(reopened), _table(first))
    assert _metrics(reopened) == _metrics(first)
    summary, allowed = _expected(demo_db, link["aco"], int(link["year"]), draws=1_000, seed=123,
                                 owe_over=float(link["owe_over"]), method="normal")
    shown = _shown(summary, allowed)
    assert _table(reopened)["Median"].tolist() == [fmt.money(v) for v in shown["median_payment"]]


def test_template_from_the_link(app, demo_db: Path) -> None:
    at = app(src="template", t_year="2023", t_track="BASIC_E", t_n="12000", t_bench="150", t_rate="1.5",
             t_q="80", draws="1000", seed="5")
    _no_errors(at)
    assert not at.warning
    base = risk.Template(2023, "BASIC_E", 150e6, 0.015, 12_000, 0.80).aco_year()
    _, summary = risk.run(base, calibrate(_rows(demo_db)), 1_000, 5, risk.DEFAULT_OWING_THRESHOLD,
                          new_agreement=False)
    assert _table(at)["Expected"].tolist() == [fmt.money(v) for v in summary["expected_payment"]]
    assert any("PY2024 rules" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "params",
    [
        {"aco": "NOPE", "year": "1900", "draws": "3", "seed": "-1", "method": "magic"},
        {"max_owe_pct": "250", "owe_over": "lots", "all_tracks": "maybe", "src": "elsewhere"},
        {"src": "template", "t_year": "2099", "t_track": "TRACK_9", "t_n": "0", "t_bench": "nan",
         "t_rate": "inf", "t_q": "1e400"},
        {"seed": "1" * 60, "draws": "", "year": "2020.5"},
    ],
)
def test_garbage_link_warns_and_falls_back(app, params: dict[str, str]) -> None:
    at = app(**params)
    _no_errors(at)
    assert at.warning and "ignored" in at.warning[0].value
    assert at.dataframe and at.metric  # the page still shows its numbers
    assert at.query_params["seed"].isdigit()
    assert at.query_params["draws"] in {str(d) for d in risk.DRAW_CHOICES}


def test_real_aco_calibrated_on_cms_history(cms_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACO_LENS_DB", str(cms_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in {"aco": "A1026", "year": "2024", "draws": "2000", "seed": "99"}.items():
        at.query_params[k] = v
    at.run()
    _no_errors(at)
    assert not at.warning
    assert [i.value for i in at.info if "Synthetic" in i.value] == []  # real data: no demo banner
    summary, allowed = _expected(cms_db, "A1026", 2024, draws=2_000, seed=99,
                                 owe_over=risk.DEFAULT_OWING_THRESHOLD)
    shown = _shown(summary, allowed)
    assert _table(at)["Expected"].tolist() == [fmt.money(v) for v in shown["expected_payment"]]
    # A1026 is in BASIC Level E: Levels A-D are closed to it and never recommended
    assert not shown["election"].str.startswith(("BASIC Level A", "BASIC Level B", "BASIC Level D")).any()
    assert "keep BASIC Level E" in at.success[0].value
    sentence = next(m.value for m in at.markdown if m.value.startswith("Forecasting"))
    assert "3,693 real ACO-years" in sentence and "81%" in sentence and "0.157" in sentence
    assert any("PY2025 rules" in c.value for c in at.caption)
    assert not any("pairs of consecutive years" in md.value for md in at.markdown)  # a closed box: empty
    at.session_state["risk_calibration_open"] = True  # the viewer opens it: the page reruns and fills it
    at.run()
    assert any("pairs of consecutive years" in md.value for md in at.markdown)


def test_basic_aco_year_of_2020_opens(cms_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PY2021 still offered Track 1 and 1+ (to their own agreements): a BASIC ACO-year of 2020 stopped the
    page with a ValueError (aco_model.uncertainty's options knew no way from BASIC to them)."""
    monkeypatch.setenv("ACO_LENS_DB", str(cms_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in {"aco": "A1006", "year": "2020", "draws": "1000", "all_elections": "1"}.items():
        at.query_params[k] = v
    at.run()
    _no_errors(at)
    rules = dict(zip(_table(at)["Election"], _table(at)["Rule"], strict=True))
    assert "before July 2019" in rules["Track 1 (one-sided)"]
