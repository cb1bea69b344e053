"""Program what-if page (AppTest): totals against aco_model.program, the controls, shared links, bad links."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aco_model.program import RuleChange, apply_rule_change
from ui import formatting as fmt

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "program_what_if.py")


@pytest.fixture
def app(demo_db: Path, open_page):
    """The page on the demo database, opened with the given link values."""
    return lambda **params: open_page("program_what_if.py", demo_db, **params)


def _year(db: Path, year: int) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM aco_year WHERE performance_year = ? ORDER BY aco_id", [year]).df()


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _check(at: AppTest, db: Path, year: int, change: RuleChange) -> None:
    """The page's headline numbers and tables are apply_rule_change's for that year and change."""
    assert not at.exception, [e.message for e in at.exception]
    c = apply_rule_change(_year(db, year), change)
    after, delta = c.totals.loc["as changed"], c.totals.loc["change"]
    m = _metrics(at)
    assert m["Net savings to Medicare"] == (
        fmt.money(after["net_savings_to_medicare"]), fmt.money(delta["net_savings_to_medicare"], signed=True)
    )
    assert m["Shared savings paid"][0] == fmt.money(after["shared_savings_paid"])
    assert m["Losses collected"][0] == fmt.money(after["losses_collected"])
    assert m["ACOs paid"][0] == f"{int(after['acos_paid']):,} of {int(after['acos']):,}"
    totals = at.dataframe[0].value
    assert totals["Shared savings paid"].tolist() == [fmt.money(v) for v in c.totals["shared_savings_paid"]]
    by_track = at.dataframe[1].value
    assert by_track["Track"].tolist() == c.by_track["track_label"].tolist()
    assert by_track["Net savings to Medicare (change)"].tolist() == [
        fmt.money(v) for v in c.by_track["net_savings_to_medicare_change"]
    ]
    changed = c.per_aco["change"].abs() >= 0.5
    if changed.any():
        top = at.dataframe[2].value
        assert top["ACO"].tolist() == c.biggest_changes(len(top))["aco_id"].tolist()
    else:  # no grid at all, only the sentence and the year's CSV (test_nothing_changed_lists_no_acos)
        assert len(at.dataframe) == 2
    assert at.subheader[0].value == f"PY{year}: {change.describe()}"


def test_no_change_is_the_rules_as_they_were(app, demo_db: Path) -> None:
    at = app()
    assert any("Synthetic demo data" in i.value for i in at.info)
    year = int(at.query_params["year"])
    _check(at, demo_db, year, RuleChange())
    assert _metrics(at)["Net savings to Medicare"][1] == "$0"
    assert dict(at.query_params) == {"year": str(year)}


def test_controls_change_the_rules(app, demo_db: Path) -> None:
    at = app()
    at.selectbox(key="prog_year").select(2022).run()
    at.selectbox(key="prog_track").select("ENHANCED").run()
    at.number_input(key="prog_share_ENHANCED").set_value(60.0).run()
    at.number_input(key="prog_loss_limit_ENHANCED").set_value(5.0).run()
    _check(at, demo_db, 2022, RuleChange(max_sharing_rates={"ENHANCED": 0.6}, loss_limits={"ENHANCED": 0.05}))
    # Other tracks' changes stay while another track is edited.
    at.selectbox(key="prog_track").select("BASIC_A").run()
    at.number_input(key="prog_limit_BASIC_A").set_value(5.0).run()
    at.radio(key="prog_msr").set_value("flat").run()
    at.number_input(key="prog_msr_flat").set_value(0.5).run()
    at.number_input(key="prog_qps").set_value(80.0).run()
    at.number_input(key="prog_seq").set_value(0.0).run()
    change = RuleChange(
        max_sharing_rates={"ENHANCED": 0.6}, payment_limits={"BASIC_A": 0.05}, loss_limits={"ENHANCED": 0.05},
        flat_msr=0.005, quality_standard=0.8, sequestration_factor=1.0,
    )
    _check(at, demo_db, 2022, change)
    assert dict(at.query_params) == {
        "year": "2022", "share": "ENHANCED:60", "limit": "BASIC_A:5", "loss_limit": "ENHANCED:5",
        "msr": "flat", "msr_value": "0.5", "qps": "80", "seq": "0",
    }
    # Clearing an input returns that rule to what it was.
    at.number_input(key="prog_limit_BASIC_A").set_value(None).run()
    at.radio(key="prog_msr").set_value("scale").run()
    at.number_input(key="prog_msr_scale").set_value(2.0).run()
    change = RuleChange(
        max_sharing_rates={"ENHANCED": 0.6}, loss_limits={"ENHANCED": 0.05}, msr_scale=2.0,
        quality_standard=0.8, sequestration_factor=1.0,
    )
    _check(at, demo_db, 2022, change)


def test_shared_link_reopens_the_same_numbers(app, demo_db: Path) -> None:
    link = {"year": "2016", "share": "TRACK_1:40,TRACK_3:60", "loss_rate": "TRACK_3:50", "msr": "flat",
            "msr_value": "1", "seq": "5", "top": "50"}
    at = app(**link)
    assert not at.warning
    change = RuleChange(max_sharing_rates={"TRACK_1": 0.4, "TRACK_3": 0.6}, loss_rates={"TRACK_3": 0.5},
                        flat_msr=0.01, sequestration_factor=0.95)
    _check(at, demo_db, 2016, change)
    assert dict(at.query_params) == link
    assert len(at.dataframe[2].value) == 50
    again = app(**dict(at.query_params))
    for first, second in zip(at.dataframe, again.dataframe, strict=True):
        pd.testing.assert_frame_equal(first.value, second.value)
    assert _metrics(again) == _metrics(at)


@pytest.mark.parametrize(
    "params",
    [
        {"year": "1999", "share": "ENHANCED:500,NOPE:10", "msr": "sideways"},
        {"year": "soon", "loss_rate": "BASIC_A:30", "msr": "flat", "msr_value": "99", "qps": "-4"},
        {"limit": "garbage", "seq": "100", "top": "7", "loss_limit": "TRACK_2"},
    ],
)
def test_garbage_link_warns_and_falls_back(app, demo_db: Path, params: dict[str, str]) -> None:
    at = app(**params)
    assert not at.exception, [e.message for e in at.exception]
    assert at.warning and "ignored" in at.warning[0].value
    year = int(at.query_params["year"])
    assert year == 2024
    _check(at, demo_db, year, _change_from_link(dict(at.query_params)))


def _change_from_link(link: dict[str, str]) -> RuleChange:
    """What the page's corrected link asks for (only the keys these tests leave in it)."""
    flat = float(link["msr_value"]) / 100 if link.get("msr") == "flat" else None
    return RuleChange(flat_msr=flat)


def test_real_py2024_no_sequestration(cms_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CMS's PY2024: the rules as they were pay what CMS paid; no sequestration pays 1/0.98 of it."""
    monkeypatch.setenv("ACO_LENS_DB", str(cms_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["year"] = "2024"
    at.query_params["seq"] = "0"
    at.run()
    assert not at.warning and not at.info
    _check(at, cms_db, 2024, RuleChange(sequestration_factor=1.0))
    c = apply_rule_change(_year(cms_db, 2024), RuleChange(sequestration_factor=1.0))
    before = c.totals.loc["as was", "shared_savings_paid"]
    assert c.totals.loc["as changed", "shared_savings_paid"] == pytest.approx(before / 0.98)
    cms = _year(cms_db, 2024)["cms_earned_savings_losses"]
    assert before == pytest.approx(cms.clip(lower=0).sum(), rel=1e-4)
    assert any(f"CMS published {fmt.money(cms.clip(lower=0).sum())}" in c.value for c in at.caption)
    # Issue 9: the model and CMS disagree on who was paid by the two Guardrail rows; the page says so.
    why = next(c.value for c in at.caption if "CMS paid 359" in c.value)
    assert "pays 361" in why and "A5309" in why and "A5321" in why and "Guardrail" in why
    assert "share this rule change" in " ".join(e.label.lower() for e in at.expander)


def test_nothing_changed_lists_no_acos(app) -> None:
    at = app()
    assert any("No ACO's result changes" in i.value for i in at.info)
    assert len(at.dataframe) == 2  # totals and by track: no empty grid under the sentence
    assert "csv_prog_per_aco" in [b.key for b in at.get("download_button")]
