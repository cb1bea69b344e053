"""The explorer's profile views (AppTest): risk scores, quality and CAHPS, participants and beneficiary
mix against peers; their link values, CSV tables, bad links, years without the data, data as text."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.build import build_database

PAGE = "explorer.py"
SECTION = "Who it serves and how it scores, PY2024"


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _one(db: Path, sql: str, params: list[object]) -> object:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchone()[0]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def test_profile_view_opens_on_risk_scores_and_each_view_goes_in_the_link(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024")
    _no_errors(at)
    assert SECTION not in [s.value for s in at.subheader]  # the page's results view: the section not drawn
    at.segmented_control(key="exp_view").set_value("profile").run()
    _no_errors(at)
    assert SECTION in [s.value for s in at.subheader]
    assert dict(at.query_params) == {"aco": "A1001", "year": "2024", "view": "profile"}  # defaults left out
    assert at.segmented_control(key="exp_profile_profile").value == "risk"
    at.segmented_control(key="exp_profile_profile").set_value("participants").run()
    _no_errors(at)
    assert at.query_params["profile"] == "participants"
    assert "view=profile&profile=participants" in at.text[-1].value  # the share box carries it
    table = _table(at, "Participant type")
    pcp = _one(cms_db, "SELECT primary_care_physicians FROM aco_profile WHERE aco_id = 'A1001' "
                       "AND performance_year = 2024", [])
    assert pcp == 1102  # N_PCP of A1001 in CMS's PY2024 file
    assert table.set_index("Participant type").loc["Primary care physicians", "This ACO"] == "1,102"


def test_risk_scores_against_peers_for_the_linked_period(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="profile", profile="risk", risk_period="BY1")
    _no_errors(at)
    assert at.segmented_control(key="exp_profile_risk_period").value == "BY1"
    table = _table(at, "CMS-HCC risk score").set_index("Enrollment type")
    score = _one(cms_db, "SELECT cms_hcc_risk_score FROM aco_enrollment WHERE aco_id = 'A1001' AND "
                         "performance_year = 2024 AND period = 'BY1' AND enrollment_type = ?",
                 ["aged_non_dual"])
    assert table.loc["Aged, non-dual", "CMS-HCC risk score"] == f"{score:.3f}"
    assert table["Peers"].gt(5).all()
    assert dict(at.query_params) == {"aco": "A1001", "year": "2024", "view": "profile", "risk_period": "BY1"}
    at.segmented_control(key="exp_profile_risk_period").set_value("PY").run()
    assert "risk_period" not in at.query_params  # the default stays out of the link
    py = _table(at, "CMS-HCC risk score").set_index("Enrollment type")
    assert py.loc["Aged, non-dual", "Demographic risk score"] == "1.017"  # Demog_RiskScore_AGND_PY
    assert len(at.get("plotly_chart")) == 1  # the risk scores' (the results view's charts not drawn)


def test_quality_and_cahps_against_peers(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="profile", profile="quality",
                   measure="CAHPS_3")
    _no_errors(at)
    table = _table(at, "Better than (share of peers)").set_index("Id")
    assert table.loc["CAHPS_1", "This ACO"] == "89.68"  # CAHPS_1 of A1001 in the PY2024 file
    assert table.loc["Measure_479", "This ACO"] == "16.5%"  # published as 0.1647
    assert table.loc["Measure_479", "Lower is better"] == "yes"
    assert at.selectbox(key="exp_profile_measure").value == "CAHPS_3"
    assert at.query_params["measure"] == "CAHPS_3"
    # PY2018: the old measure set, under the ids the measures kept (ACO13 -> QualityID_318).
    at = open_page(PAGE, cms_db, aco="A1001", year="2018", view="profile", profile="quality")
    _no_errors(at)
    old = _table(at, "Better than (share of peers)").set_index("Id")
    assert old.loc["QualityID_318", "This ACO"] == "92.9%" and "ACO8" in old.index


def test_beneficiary_mix_shares(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="profile", profile="beneficiaries")
    _no_errors(at)
    table = _table(at, "Category").set_index(["Group", "Category"])
    assert table.loc[("Sex", "Female"), "This ACO"] == f"{65797 / (65797 + 50378):.1%}"
    assert table.loc[("Published shares", "Dually eligible"), "This ACO"] == "5.6%"  # Perc_Dual 5.59
    assert ("Enrollment type (person-years)", "Aged, non-dual") in table.index


def test_a_year_without_the_data_says_so(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2019", view="profile", profile="quality")
    _no_errors(at)
    assert any("publishes no quality measures" in i.value for i in at.info)


def test_bad_link_values_warn_and_fall_back(open_page, cms_db: Path) -> None:
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="profile", profile="<b>x</b>",
                   risk_period="BY9")
    _no_errors(at)
    text = " ".join(w.value for w in at.warning)
    assert "profile" in text and "not one of risk, quality, participants, beneficiaries" in text
    assert "profile" not in at.query_params
    assert at.segmented_control(key="exp_profile_profile").value == "risk"
    at = open_page(PAGE, cms_db, aco="A1001", year="2024", view="profile", profile="risk", risk_period="BY9",
                   measure="zz")
    _no_errors(at)
    assert any("risk\\_period" in w.value or "risk_period" in w.value for w in at.warning)
    assert at.segmented_control(key="exp_profile_risk_period").value == "PY"
    assert "risk_period" not in at.query_params and "measure" not in at.query_params


def test_demo_data_has_no_profile_and_says_so(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, view="profile", profile="participants")
    _no_errors(at)
    assert any("publishes no participant counts" in i.value for i in at.info)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny CMS-like file whose ACO id and name are markup, with participant counts."""
    folder = tmp_path_factory.mktemp("hostile_profile")
    header = ("ACO_ID,ACO_Name,Current_Start_Date,Current_Track,Risk_Model,N_AB,BnchmkMinExp,EarnSaveLoss,"
              "QualScore,ABtotBnchmk,ABtotExp,FinalShareRate,N_PCP")
    rows = ['"<b>Z1</b>$x$","**Bold** [a](https://evil.example)",1/1/2022,EN,Two-Sided,20000,10000000,'
            "3675000,50,200000000,190000000,37.5,10",
            "Z0002,Plain Two,1/1/2024,A,One-Sided,21000,-800000,0,90,80000000,80800000,0,20",
            "Z0003,Plain Three,7/1/2019,EN,Two-Sided,22000,-4000000,-1100000,80,100000000,104000000,40,30"]
    (folder / "cms").mkdir()
    (folder / "cms" / "mssp_puf_py2024.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out = folder / "aco.duckdb"
    build_database(folder / "cms", out, quiet=True)
    return out


def test_data_strings_are_text_in_the_views(open_page, hostile_db: Path) -> None:
    at = open_page(PAGE, hostile_db, aco="<b>Z1</b>$x$", year="2024", view="profile", profile="participants")
    _no_errors(at)
    traces = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"]
    assert [t["name"] for t in traces] == ["Peers' median", "&lt;b&gt;Z1&lt;/b&gt;&#36;x&#36;"]
    table = _table(at, "Participant type")
    assert table.set_index("Participant type").loc["Primary care physicians", "This ACO"] == "10"
