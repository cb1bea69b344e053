"""What-if studio (AppTest): numbers against aco_model, shared links reopen exactly, bad links warn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from aco_model.scenario import TEMPLATE, scenario_from_row
from ui.formatting import money, parse_dollars
from ui.text import shown

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "what_if.py")


def _open(db: Path, monkeypatch, **params: str) -> AppTest:
    monkeypatch.setenv("ACO_LENS_DB", str(db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _shared_link(at: AppTest) -> dict[str, str]:
    """The parameters of the link in "Share this scenario"."""
    return dict(parse_qsl(urlsplit(at.text[-1].value).query))


def _row(db: Path, aco: str, year: int):
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.execute("SELECT * FROM aco_year WHERE aco_id = ? AND performance_year = ?",
                            [aco, year]).df()
    return frame.iloc[0]


def test_a1026_reproduces_cms_and_shows_the_difference(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    assert not at.exception
    shown = _metrics(at)
    assert shown["Payment to the ACO"][0] == money(11_143_493) == "$11.1M"
    assert shown["CMS settled"] == ("$11.1M", "same as this scenario")
    assert shown["Savings rate"] == ("3.79%", "MSR 1.50%")
    assert not at.warning


def test_demo_default_matches_the_model(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch)
    assert not at.exception
    aco = at.selectbox(key="wi_aco").value
    year = next(s.value for s in at.selectbox if s.key.startswith("wi_year_"))
    expected = scenario_from_row(_row(demo_db, aco, year).to_dict()).settle()
    label = "Payment to the ACO" if expected.earned >= 0 else "Bill to the ACO"
    assert _metrics(at)[label][0] == money(expected.earned)
    assert any("Synthetic demo data" in i.value for i in at.info)


def test_controls_change_the_settlement_and_the_link_reopens_it(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    at.slider(key="q").set_value(70.0).run()
    at.selectbox(key="track").set_value("ENHANCED").run()
    at.slider(key="bench_pct").set_value(1.5).run()
    at.number_input(key="n").set_value(30_000).run()
    assert not at.exception
    base = scenario_from_row(_row(cms_db, "A1026", 2024).to_dict())
    expected = replace(base, quality_score=0.70, track="ENHANCED", benchmark_change=0.015,
                       assigned_beneficiaries=30_000).settle()
    shown = _metrics(at)
    assert shown["Payment to the ACO"][0] == money(expected.earned)
    assert shown["Final sharing rate"][0] == f"{expected.final_sharing_rate:.2%}"
    assert shown["Savings rate"][1] == f"MSR {expected.minimum_savings_rate:.2%}"

    link = _shared_link(at)
    assert link["aco"] == "A1026" and link["track"] == "ENHANCED" and link["q"] == "70"
    assert link["bench_pct"] == "1.5" and link["n"] == "30000"
    again = _open(cms_db, monkeypatch, **link)  # a fresh session: a new browser opening the link
    assert not again.exception and not again.warning
    assert _metrics(again) == shown
    assert again.slider(key="q").value == 70.0 and again.selectbox(key="track").value == "ENHANCED"
    assert _shared_link(again) == link


def test_choosing_another_aco_starts_from_its_own_numbers(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024", q="60", track="ENHANCED")
    assert at.slider(key="q").value == 60.0
    at.selectbox(key="wi_aco").set_value("A1001").run()
    assert not at.exception
    row = _row(cms_db, "A1001", 2024)
    base = scenario_from_row(row.to_dict())
    assert at.slider(key="q").value == pytest.approx(base.quality_score * 100)
    assert at.selectbox(key="track").value == base.track
    assert _metrics(at)["CMS settled"][1] == "same as this scenario"
    assert at.query_params["aco"] == "A1001"


def test_template_from_the_link(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch, src="template", year="2023", track="ENHANCED", q="90", exp="140000000")
    assert not at.exception and not at.warning
    assert at.selectbox(key="track").value == "ENHANCED"
    assert at.text_input(key="exp").value == "$140,000,000"
    expected = replace(TEMPLATE, performance_year=2023, track="ENHANCED", quality_score=0.9,
                       expenditure=140_000_000).settle()
    label = "Payment to the ACO" if expected.earned >= 0 else "Bill to the ACO"
    assert _metrics(at)[label][0] == money(expected.earned)
    assert "aco" not in _shared_link(at) and _shared_link(at)["src"] == "template"


def test_garbage_link_warns_and_falls_back(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024", q="500", track="GOLD", msr="7",
               bench="-3", n="many", qs="maybe", exp="inf", bench_pct="<script>", rev="%%", junk="1")
    assert not at.exception
    assert len(at.warning) == 1  # one short warning listing each value
    text = shown(at.warning[0].value)  # the text a viewer reads (link values are escaped markdown)
    for name in ("q=500", "track=GOLD", "msr=7", "bench=-3", "n=many", "qs=maybe", "exp=inf",
                 "bench_pct=<script>", "“junk”"):
        assert name in text
    assert _metrics(at)["Payment to the ACO"][0] == "$11.1M"  # the ACO-year as CMS settled it
    assert _metrics(at)["CMS settled"][1] == "same as this scenario"
    assert at.slider(key="q").value == pytest.approx(75.29)
    assert "junk" not in at.query_params


def test_unknown_aco_and_year_warn(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch, aco="NOPE", year="1999")
    assert not at.exception
    assert "aco=NOPE" in " ".join(w.value for w in at.warning)


def test_revenue_limited_loss_starts_from_the_implied_revenue(cms_db, open_page):
    """PY2023 A1241 (BASIC E): CMS's loss is below the 4%-of-benchmark limit, so the revenue limit bound."""
    at = open_page("what_if.py", cms_db, aco="A1241", year="2023")
    assert not at.exception
    assert parse_dollars(at.text_input(key="rev").value) == pytest.approx(1_149_065 / 0.08 + 823_342 / 0.08)
    assert _metrics(at)["CMS settled"][1] == "same as this scenario"


def test_a_link_reopens_its_exact_scenario_on_the_page(demo_db, monkeypatch):
    """Issue 11: the share link carries every input exactly, so the page settles the very same numbers."""
    from aco_model.scenario import Scenario

    sent = replace(TEMPLATE, track="TRACK_1", performance_year=2013, quality_score=0.00010444978917872839,
                   base_benchmark=880_028_641.0, benchmark_change=0.1, expenditure=0.0,
                   assigned_beneficiaries=100, msr_election=None)
    at = _open(demo_db, monkeypatch, **sent.to_query_params())
    assert not at.exception
    # No link warning; the one warning is the engine's: an MSR below 500 beneficiaries is not in the rules.
    assert [w.value for w in at.warning if "Link parameter" in w.value] == []
    assert all("below 500 assigned beneficiaries" in w.value for w in at.warning)
    shared = _shared_link(at)
    assert shared == sent.to_query_params()
    reopened, warnings = Scenario.from_query_params(shared)
    assert warnings == [] and reopened == sent


def _captions(at: AppTest) -> str:
    """The captions' text as a viewer reads it (data text is escaped with ui.text.plain)."""
    return " ".join(shown(c.value) for c in at.caption)


def test_a1026_opens_on_auto_and_quality_below_the_standard_drops_the_payment(cms_db, monkeypatch):
    """PY2024 A1026 met the standard through the reporting incentive at 75.29, below the 77.05 threshold."""
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    assert at.selectbox(key="qs").value == "auto"
    assert "77.05" in at.slider(key="q").label and "77.05" in at.slider(key="q").help
    text = _captions(at)
    assert "CMS published for A1026 PY2024: quality score 75.29, standard met." in text
    assert "reporting incentive at 75.29, below the 77.05 threshold" in text
    assert _metrics(at)["CMS settled"][1] == "same as this scenario"
    at.slider(key="q").set_value(65.29).run()
    assert not at.exception
    assert _metrics(at)["Payment to the ACO"][0] == "$0"
    assert "payment does not change" not in _captions(at)
    at.selectbox(key="qs").set_value("met").run()  # the incentive kept by hand
    assert _metrics(at)["Payment to the ACO"][0] == "$11.1M"
    assert 'Below the 77.05 standard the payment does not change. The quality standard is set to "met"' in (
        _captions(at))


def test_a1001_euc_floor_keeps_the_standard_and_says_why(cms_db, monkeypatch):
    """PY2024 A1001 was EUC-affected: CMS scores it at no less than the 77.05 threshold (425.512(c))."""
    at = _open(cms_db, monkeypatch, aco="A1001", year="2024")
    assert at.selectbox(key="qs").value == "auto"
    paid = _metrics(at)["Payment to the ACO"][0]
    at.slider(key="q").set_value(67.05).run()
    assert not at.exception
    assert _metrics(at)["Payment to the ACO"][0] == paid == "$107.9M"
    text = _captions(at)
    assert "extreme and uncontrollable circumstance" in text
    assert "so a lower score still meets the standard and the payment does not change" in text
    assert "route to the standard (EUC floor) does not depend on the score" not in text  # drawn when opened
    at.session_state["wi_view"] = "Quality"  # the Quality view opened
    at.run()
    assert "route to the standard (EUC floor) does not depend on the score" in _captions(at)


def test_quality_view_and_waterfall_name_what_medicare_keeps(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    tabs = [t.label for t in at.tabs]
    assert tabs == ["Settlement step by step", "Payment curve", "Quality", "Every track"]
    steps = at.dataframe[0].value
    assert "Medicare keeps 50%" in list(steps["step"])  # BASIC Level E shares 50%
    assert not any(str(step).startswith("Sharing at") for step in steps["step"])


def test_executive_summary_buttons(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Executive summary (PDF)" in labels and "Slides (PPTX)" in labels


def test_a_difference_within_the_quality_rounding_says_so(cms_db, monkeypatch):
    """Issue 9: A1001 PY2019 shows -$713 against CMS: the published quality score's rounding, not an error."""
    at = _open(cms_db, monkeypatch, aco="A1001", year="2019")
    assert not at.exception
    value, delta = _metrics(at)["CMS settled"]
    assert delta.endswith("here: quality score rounding") and "-$713" in delta
    help_text = next(m.help for m in at.metric if m.label == "CMS settled")
    assert "rounded to 4 decimals" in help_text


def test_money_boxes_read_as_money_and_take_what_people_type(cms_db, monkeypatch):
    """Issue 9: the benchmark box showed 600514210; now $600,514,210; it takes "$650M" or "650,000,000"."""
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    assert at.text_input(key="bench").value == "$600,514,210"
    assert at.text_input(key="exp").value == "$577,772,388"
    assert at.text_input(key="bench").label == "Base benchmark ($600.5M)"
    at.text_input(key="bench").input("$650M").run()
    assert not at.exception and not at.warning
    assert at.text_input(key="bench").value == "$650,000,000"  # tidied after the edit
    assert at.text_input(key="bench").label == "Base benchmark ($650.0M)"
    assert at.query_params["bench"] == "650000000" and _shared_link(at)["bench"] == "650000000"
    base = scenario_from_row(_row(cms_db, "A1026", 2024).to_dict())
    expected = replace(base, base_benchmark=650_000_000.0).settle()
    assert _metrics(at)["Payment to the ACO"][0] == money(expected.earned)
    at.text_input(key="exp").input("600,000,000").run()
    assert _shared_link(at)["exp"] == "600000000"
    reopened = _open(cms_db, monkeypatch, **_shared_link(at))
    assert _metrics(reopened) == _metrics(at) and not reopened.warning
    assert reopened.text_input(key="bench").value == "$650,000,000"


def test_money_box_with_bad_text_says_so_in_one_line_and_keeps_the_amount(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    paid = _metrics(at)["Payment to the ACO"][0]
    at.text_input(key="bench").input("lots [click](http://x.example)").run()
    assert not at.exception
    assert len(at.warning) == 1
    text = shown(at.warning[0].value)
    assert text.startswith("Base benchmark: “lots [click](http://x.example)” is not an amount in dollars")
    assert "keeping $600,514,210" in text and "\n" not in at.warning[0].value
    assert _metrics(at)["Payment to the ACO"][0] == paid and at.query_params["bench"] == "600514210"
    at.text_input(key="exp").input("-5").run()
    assert ("Expenditure: “-5” is not an amount in dollars (e.g. 1,650,927,172 or $1.65B); keeping "
            "$577,772,388.") in [shown(w.value) for w in at.warning]
    at.text_input(key="bench").input("$5").run()
    assert "Base benchmark: $5 is outside $1,000,000 to $100,000,000,000; keeping $600,514,210." in [
        shown(w.value) for w in at.warning]


def test_a_link_with_cents_keeps_them_while_the_box_shows_whole_cents(demo_db, monkeypatch):
    """The box shows $880,028,641.13; the link's 880028641.1251 stays exact until the box is edited."""
    at = _open(demo_db, monkeypatch, src="template", year="2024", bench="880028641.1251")
    assert at.text_input(key="bench").value == "$880,028,641.13"
    assert _shared_link(at)["bench"] == "880028641.1251"
    at.slider(key="q").set_value(90.0).run()
    assert _shared_link(at)["bench"] == "880028641.1251"


def test_the_beneficiaries_box_reads_its_count_with_separators(cms_db, monkeypatch):
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    assert at.number_input(key="n").label == "Assigned beneficiaries (41,640)"
    at.number_input(key="n").set_value(12345.0).run()
    assert not at.exception
    assert at.number_input(key="n").label == "Assigned beneficiaries (12,345)"


def test_only_the_open_view_is_drawn_and_opening_another_draws_it(cms_db, monkeypatch):
    """The four views are tabs whose content is drawn when open (st.tabs on_change="rerun"): a control moved
    computes the open view only; opening another draws its chart and table from the same scenario."""
    at = _open(cms_db, monkeypatch, aco="A1026", year="2024")
    assert [t.label for t in at.tabs][::3] == ["Settlement step by step", "Every track"]
    assert len(at.get("plotly_chart")) == 1 and len(at.dataframe) == 1  # the waterfall and its steps
    at.session_state["wi_view"] = "Every track"
    at.run()
    assert not at.exception
    tracks = at.dataframe[0].value
    assert "Track" in tracks.columns and len(tracks) > 5  # every track's row
    assert len(at.get("plotly_chart")) == 1  # the tracks chart, the waterfall not drawn
    assert _metrics(at)["Payment to the ACO"][0] == "$11.1M"  # the same scenario


def test_no_control_is_given_both_a_default_and_a_session_state_value(cms_db, monkeypatch):
    """Streamlit warns (once a process, in the server log) of a widget created with a default value that also
    had its value set through session state: the page seeds its bound controls on opening and on a new
    starting point, and draws them without a default on those runs."""
    import logging

    from streamlit.elements.lib import policies

    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = logging.getLogger(policies.__name__)
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    logger.addHandler(handler)
    try:
        at = _open(cms_db, monkeypatch, aco="A1026", year="2024", track="ENHANCED", q="80", msr="1",
                   n="30000")
        assert at.selectbox(key="track").value == "ENHANCED" and at.slider(key="q").value == 80.0
        assert at.selectbox(key="msr").value == "1" and at.number_input(key="n").value == 30000.0
        at.slider(key="bench_pct").set_value(-2.0).run()  # a control moved: the link's values kept
        assert at.selectbox(key="track").value == "ENHANCED" and at.slider(key="q").value == 80.0
        at.selectbox(key="wi_aco").set_value("A1001").run()  # a new start: its own numbers
        assert not at.exception
        assert at.slider(key="bench_pct").value == 0.0 and at.number_input(key="n").value != 30000.0
        at.slider(key="q").set_value(70.0).run()
        assert at.slider(key="q").value == 70.0
    finally:
        logger.removeHandler(handler)
    assert not [m for m in seen if "default value" in m]
