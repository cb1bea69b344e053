"""Payment-models page (AppTest): up-front payments and recoupment against aco_model.payment_models and
the published numbers, Pioneer against settle_pioneer / compare_with_mssp, shared links, bad links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aco_model.payment_models import (
    PopulationBasedPayment,
    compare_with_mssp,
    payment_schedule,
    recoupment_timeline,
    settle_pioneer,
)
from data.demo import demo_tables
from data.schema import ACO_YEAR_NAMES
from data.store import write_database
from ui import formatting as fmt
from ui import payment_models as pay
from ui import text

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "payment_models.py")
NAN = float("nan")


def _published_rows(demo: pd.DataFrame) -> pd.DataFrame:
    """Two invented ACOs carrying numbers of the kind CMS publishes (methodology 7.1 and 7.3):
    an Advance Payment ACO of July 2012 (5,235 beneficiaries; 1,057,032 recouped in PY2014) and an
    AIP ACO of 2024 at the top rate (21,431 beneficiaries, nothing earned)."""
    template = demo[demo["performance_year"] == 2014].iloc[0]
    rows = []
    for year, balance, recouped, earned in ((2013, 1_443_580.0, NAN, 0.0),
                                            (2014, 1_443_580.0, 1_057_032.308, 1_057_032.0),
                                            (2015, 386_548.0, 0.0, 0.0)):
        r = template.copy()
        r.update({"performance_year": year, "aco_id": "Z-AP1", "aco_name": "Invented Advance ACO",
                  "track": "TRACK_1", "advance_payment": True, "aco_investment_model": None,
                  "advance_investment_payment": None, "advance_payment_amount": balance,
                  "advance_payment_recouped": recouped, "cms_earned_savings_losses": earned,
                  "initial_start_date": pd.Timestamp("2012-07-01"),
                  "current_start_date": pd.Timestamp("2012-07-01"),
                  "assigned_beneficiaries": 5_839})
        rows.append(r)
    r = demo[demo["performance_year"] == 2024].iloc[0].copy()
    r.update({"aco_id": "Z-AIP1", "aco_name": "Invented AIP ACO", "track": "BASIC_A", "advance_payment": None,
              "aco_investment_model": None, "advance_investment_payment": True, "aip_balance": 2_050_000.0,
              "aip_recouped": 0.0, "aip_owed": 2_050_000.0, "cms_earned_savings_losses": 0.0,
              "current_start_date": pd.Timestamp("2024-01-01"), "assigned_beneficiaries": 21_431})
    rows.append(r)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def published_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database that is not synthetic (as if built from CMS files) with the two ACOs above."""
    aco_year, source = demo_tables()
    aco_year = pd.concat([aco_year, _published_rows(aco_year)], ignore_index=True)
    aco_year["synthetic"] = False
    aco_year["source_file"] = "mssp_puf_test.csv"
    source = source.assign(file_name="mssp_puf_test.csv", file_format="cms")
    out = tmp_path_factory.mktemp("payments") / "aco.duckdb"
    write_database(out, aco_year[list(ACO_YEAR_NAMES)], source)
    return out


def _app(db: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("ACO_LENS_DB", str(db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    """Metric values by label; "Still owed (Oct 2025)" is listed as "Still owed" too."""
    out = {m.label: m.value for m in at.metric}
    out.update(("Still owed", m.value) for m in at.metric if m.label.startswith("Still owed"))
    return out


def _only_the_structure(at: AppTest) -> bool:
    """No info box but the program's structure in words (every up-front view shows it)."""
    structure = [i for i in at.info if "recouped from the ACO's later shared savings" in i.value]
    return len(structure) == len(at.info) == 1


def _upfront_metrics_match(at: AppTest, timeline: pd.DataFrame) -> None:
    last = timeline.iloc[-1]
    m = _metrics(at)
    assert m["Paid to the ACO"] == fmt.money(last["cumulative_paid"])
    assert m["Recouped"] == fmt.money(last["cumulative_recouped"])
    assert m["Still owed"] == fmt.money(last["outstanding"])


def test_advance_payment_aco_beside_cms(published_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(published_db, monkeypatch, aco="Z-AP1")
    _ok(at)
    assert any("Data: CMS MSSP" in c.value for c in at.caption)
    assert _only_the_structure(at) and not at.warning
    assert "$250,000 fixed up front, $36 per historically assigned" in text.shown(at.info[0].value)
    schedule = payment_schedule("ADVANCE_PAYMENT", date(2012, 7, 1), 5_235)
    assert float(schedule["amount"].sum()) == 1_443_580.0
    timeline = recoupment_timeline(schedule, {2013: 0.0, 2014: 1_057_032.0, 2015: 0.0})
    _upfront_metrics_match(at, timeline)
    assert _metrics(at)["Still owed"] == "$387K"
    table = at.dataframe[0].value.set_index("PY")
    assert table.loc[2014, "Recouped (model)"] == fmt.money(1_057_032.0)
    assert table.loc[2014, "Recouped (CMS)"] == fmt.money(1_057_032.308)
    assert table.loc[2015, "Left (CMS)"] == table.loc[2015, "Left (model)"] == fmt.money(386_548.0)
    assert any("5,235 beneficiaries" in c.value for c in at.caption)


def test_aip_aco_from_the_link(published_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(published_db, monkeypatch, model="upfront", src="aco", aco="Z-AIP1", terminate="2025-12")
    _ok(at)
    assert not at.warning
    schedule = payment_schedule("AIP", date(2024, 1, 1), 21_431, rate=45.0)
    timeline = recoupment_timeline(schedule, {2024: 0.0}, terminated_on=date(2025, 12, 1))
    _upfront_metrics_match(at, timeline)
    assert _metrics(at)["Still owed"] == "$0"  # repaid in full on termination
    table = at.dataframe[0].value.set_index("PY")
    assert table.loc[2024, "Balance (CMS)"] == table.loc[2024, "Recoupable (model)"] == "$2.0M"
    link = {"model": "upfront", "src": "aco", "aco": "Z-AIP1", "terminate": "2025-12"}
    assert dict(at.query_params) == link


def test_template_controls(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch)
    _ok(at)
    assert any("Synthetic demo data" in i.value for i in at.info)
    at.button_group(key="pay_src").set_value("template").run()
    at.selectbox(key="pay_program").select("AIM").run()
    assert at.date_input(key="pay_start_AIM").value == date(2016, 1, 1)  # a start AIM really paid
    at.number_input(key="pay_n_AIM").set_value(12_000).run()
    at.text_input(key="pay_earned_AIM").input("0, 1.5M, 3M").run()
    _ok(at)
    schedule = payment_schedule("AIM", date(2016, 1, 1), 12_000)
    timeline = recoupment_timeline(schedule, {2016: 0.0, 2017: 1.5e6, 2018: 3e6})
    _upfront_metrics_match(at, timeline)
    assert _metrics(at)["Paid to the ACO"] == "$2.5M"  # 10,000-beneficiary cap
    link = dict(at.query_params)
    assert link == {"model": "upfront", "src": "template", "program": "AIM", "start": "2016-01", "n": "12000",
                    "earned": "0, 1.5M, 3M"}
    again = _app(demo_db, monkeypatch, **link)
    _ok(again)
    assert [w.value for w in again.warning] == [w.value for w in at.warning]
    assert len(at.warning) == 1 and "at most 10,000 beneficiaries" in text.shown(at.warning[0].value)
    assert _metrics(again) == _metrics(at)
    pd.testing.assert_frame_equal(again.dataframe[0].value, at.dataframe[0].value)


def test_pioneer_beside_the_mssp(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch)
    at.button_group(key="pay_model").set_value("pioneer").run()
    at.selectbox(key="pio_year").select(3).run()
    at.number_input(key="pio_bench").set_value(800.0).run()
    at.number_input(key="pio_rate").set_value(-3.0).run()
    at.number_input(key="pio_n").set_value(40_000).run()
    at.number_input(key="pio_q").set_value(85.0).run()
    at.selectbox(key="pio_track").select("TRACK_3").run()
    at.selectbox(key="pio_msr").select("1").run()
    assert at.checkbox(key="pio_pbp_True").value  # on by default from year 3
    at.number_input(key="pio_ffs").set_value(300.0).run()
    _ok(at)
    b, x = 800e6, 800e6 * 1.03
    p = settle_pioneer(3, b, x, 40_000, 0.85, population_based_payment=PopulationBasedPayment(300e6, 0.5))
    table = compare_with_mssp(3, b, x, 40_000, 0.85, mssp_track="TRACK_3", msr_election=0.01)
    m = _metrics(at)
    assert m["Pioneer (core, year 3)"] == fmt.money(p.earned) == fmt.money(table["earned"].iloc[0])
    assert m["Track 3 (PY2014)"] == fmt.money(table["earned"].iloc[1])
    shown = at.dataframe[0].value
    assert shown["Earned"].tolist() == [fmt.money(v) for v in table["earned"]]
    assert shown["MSR"].tolist() == [fmt.pct(v) for v in table["minimum_savings_rate"]]
    unconfirmed = [w.value for w in at.warning if "Unconfirmed Pioneer parameters" in w.value]
    assert unconfirmed and "[recall]" in text.shown(unconfirmed[0])
    assert any(fmt.money(p.pbp_paid) in md.value for md in at.markdown)
    link = dict(at.query_params)
    assert link == {"model": "pioneer", "py": "3", "arr": "core", "bench": "800", "rate": "-3", "n": "40000",
                    "track": "TRACK_3", "q": "85", "msr": "1", "pbp": "1", "pbp_share": "50", "ffs": "300"}
    again = _app(demo_db, monkeypatch, **link)
    _ok(again)
    assert _metrics(again) == m
    assert [w.value for w in again.warning] == [w.value for w in at.warning]


def test_pioneer_year_one_is_pay_for_reporting(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch, model="pioneer", py="1", arr="alternative", bench="500", rate="4",
              n="30000")
    _ok(at)
    p = settle_pioneer(1, 500e6, 480e6, 30_000, None, arrangement="alternative")
    assert _metrics(at)["Pioneer (alternative, year 1)"] == fmt.money(p.earned)
    assert at.number_input(key="pio_q").disabled
    assert "q" not in at.query_params


@pytest.mark.parametrize(
    "params",
    [
        {"model": "sideways"},
        {"aco": "NOT-AN-ACO", "terminate": "2024-13"},
        {"src": "template", "program": "FREE_MONEY", "start": "1999-01", "n": "-5", "rate": "900",
         "earned": "lots, of, money"},
        {"model": "pioneer", "py": "9", "arr": "risky", "bench": "-1", "rate": "abc", "n": "1e12", "q": "120",
         "track": "TRACK_X", "msr": "3", "pbp": "perhaps", "pbp_share": "150", "ffs": "inf"},
        {"model": "pioneer", "py": "2", "pbp": "1"},
    ],
)
def test_garbage_link_warns_and_falls_back(published_db: Path, monkeypatch: pytest.MonkeyPatch,
                                           params: dict[str, str]) -> None:
    at = _app(published_db, monkeypatch, **params)
    _ok(at)
    link_warnings = [w.value for w in at.warning if "Unconfirmed" not in w.value]
    assert link_warnings and ("ignored" in link_warnings[0])
    assert at.metric and at.dataframe


def test_helpers_parse_money_and_rebuild_cases() -> None:
    assert pay.parse_money_list("0, 1.2M, 800k, -2M, $1,5") == [0.0, 1.2e6, 800e3, -2e6, 1.0, 5.0]
    with pytest.raises(ValueError):
        pay.parse_money_list("one million")
    rows = _published_rows(demo_tables()[0])
    case = pay.case_from_rows(rows[rows["aco_id"] == "Z-AP1"])
    assert (case.program, case.start, case.beneficiaries) == ("ADVANCE_PAYMENT", date(2012, 7, 1), 5_235)
    aip = pay.case_from_rows(rows[rows["aco_id"] == "Z-AIP1"])
    assert (aip.program, aip.rate) == ("AIP", 45.0)
    assert pay.mssp_year_for(1) == 2013 and pay.mssp_year_for(5) == 2016


@pytest.mark.parametrize(
    ("aco", "year", "cms_recouped"),
    [("A16226", 2014, 1_057_032.308), ("A05657", 2014, 2_933_104.0), ("A5334", 2024, 1_630_434.0),
     ("A5330", 2024, 0.0)],
)
def test_real_acos_recoupment_beside_cms(cms_db: Path, monkeypatch: pytest.MonkeyPatch, aco: str, year: int,
                                         cms_recouped: float) -> None:
    """Real Advance Payment and AIP ACOs (CMS's files): the model recoups what CMS published, to $1."""
    at = _app(cms_db, monkeypatch, aco=aco)
    _ok(at)
    assert not at.warning and _only_the_structure(at)
    with duckdb.connect(str(cms_db), read_only=True) as con:
        rows = con.execute("SELECT * FROM aco_year WHERE aco_id = ?", [aco]).df()
    case = pay.case_from_rows(rows)
    comparison = pay.comparison(case, case.timeline()).set_index("performance_year")
    assert comparison.loc[year, "published_recouped"] == pytest.approx(cms_recouped, abs=1e-3)
    assert comparison.loc[year, "model_recouped"] == pytest.approx(cms_recouped, abs=1.0)
    shown = at.dataframe[0].value.set_index("PY")
    assert shown.loc[year, "Recouped (CMS)"] == fmt.money(cms_recouped)
    assert shown.loc[year, "Recouped (model)"] == fmt.money(comparison.loc[year, "model_recouped"])
    _upfront_metrics_match(at, case.timeline())


def test_advance_payment_template_starts_when_the_model_paid(demo_db: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9: the Advance Payment template opens on an April 2012 start, with its monthly payments."""
    at = _app(demo_db, monkeypatch, src="template", program="ADVANCE_PAYMENT")
    _ok(at)
    assert at.date_input(key="pay_start_ADVANCE_PAYMENT").value == date(2012, 4, 1) and not at.warning
    schedule = payment_schedule("ADVANCE_PAYMENT", date(2012, 4, 1), 8_000)
    assert len(schedule) == 2 + 27  # fixed and up-front payments, then 27 months through June 2014
    assert _metrics(at)["Paid to the ACO"] == fmt.money(float(schedule["amount"].sum()))
    late = _app(demo_db, monkeypatch, src="template", program="ADVANCE_PAYMENT", start="2024-01")
    _ok(late)
    texts = " ".join(text.shown(w.value) for w in late.warning)
    assert "April 2012, July 2012, January 2013" in texts and "up-front payments only" in texts


def test_the_owed_figures_are_reconciled(cms_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A5328 (AIP, PY2024): CMS's $559K, the $796K at the settlement and the $875K headline, explained."""
    at = _app(cms_db, monkeypatch, aco="A5328")
    _ok(at)
    owed = next(d.value for d in at.dataframe if "What it counts" in d.value.columns)
    assert owed["Model"].tolist() == ["$559K", "$796K", "$875K"]
    assert owed["CMS published"].iloc[0] == "$559K"
    assert _metrics(at)["Still owed"] == "$875K"


def test_pioneer_years_show_the_move_to_population_based_payments(demo_db: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch, model="pioneer", py="3", n="12000", ffs="300")
    _ok(at)
    assert any("15,000 aligned beneficiaries" in text.shown(w.value) for w in at.warning)
    assert not any("15,000 aligned beneficiaries for ACOs" in text.shown(w.value)
                   for w in _app(demo_db, monkeypatch, model="pioneer", py="3", n="12000", rural="1").warning)
    pbp = next(d.value for d in at.dataframe if "Population-based payment" in d.value.columns)
    assert pbp["Month"].iloc[0] == "Jan 2014" and len(pbp) == 12
    from ui.payment_models_story import pioneer_years

    years = pioneer_years(500e6, 480e6, 12_000, 0.9, arrangement="core", pbp_share=0.5, projected_ffs=300e6)
    assert years["pbp_paid"].tolist() == [0.0, 0.0, 150e6, 150e6, 150e6]
    assert (years["ffs_claims_paid"] + years["pbp_paid"] == 300e6).all()
