"""The printable view (`?print=1`, ui.print_view): app.py collapses the sidebar and narrows the page, the
pages draw for paper (static tables, every tab shown, no downloads), and every page links to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run_app(monkeypatch: pytest.MonkeyPatch, db: Path, **params: str) -> AppTest:
    monkeypatch.setenv("ACO_LENS_DB", str(db))
    monkeypatch.setenv("ACO_LENS_CMS_DIR", "")
    monkeypatch.setenv("ACO_LENS_DOWNLOAD", "0")
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _link_buttons(at: AppTest) -> dict[str, str]:
    return {b.proto.label: b.proto.url for b in at.get("link_button")}


def test_every_page_links_to_its_printable_view(demo_db: Path, monkeypatch) -> None:
    at = _run_app(monkeypatch, demo_db, years="2020-2022")
    assert not at.exception
    link = _link_buttons(at)["Printable view"]
    assert "print=1" in link and "years=2020-2022" in link
    assert at.dataframe and not at.table  # on screen: the interactive grid
    assert not at.code and "years=2020-2022" in at.text[-1].value  # the share box: its link as text


def test_print_view_draws_for_paper(demo_db: Path, monkeypatch) -> None:
    at = _run_app(monkeypatch, demo_db, print="1")
    assert not at.exception and not at.warning  # "print" is not one of the page's own parameters
    assert "print" not in at.query_params
    assert at.table and not at.dataframe  # static tables that wrap and print whole
    # The year-by-year table's 12 columns print as two tables of at most 9, each led by the year.
    assert all(len(t.value.columns) <= 9 and t.value.columns[0] == "Year" for t in at.table[:2])
    assert sum(len(t.value.columns) for t in at.table[:2]) == 12 + 1
    assert not [b for b in at.get("download_button") if b.proto.label == "Download CSV"]  # ui.table's
    assert "Interactive page" in _link_buttons(at)
    assert at.text and not at.code  # the share link written out as text (no code block: ui.share)

    at.switch_page("pages/what_if.py").run()
    assert not at.exception and not at.warning
    assert not at.tabs  # every tab's content, one section after another
    headers = [s.value for s in at.subheader]
    for name in ("Settlement step by step", "Payment curve", "Quality", "Every track"):
        assert name in headers
    assert not at.get("download_button") and at.table
    assert at.text_input(key="bench").value.startswith("$")  # a money box prints as money


def test_print_view_is_a_centered_page_without_sidebar(demo_db: Path, monkeypatch) -> None:
    import streamlit

    calls: list[dict] = []
    real = streamlit.set_page_config
    monkeypatch.setattr(streamlit, "set_page_config", lambda **kw: (calls.append(kw), real(**kw))[1])
    _run_app(monkeypatch, demo_db, print="1")
    assert calls[-1]["layout"] == "centered" and calls[-1]["initial_sidebar_state"] == "collapsed"
    _run_app(monkeypatch, demo_db)
    assert calls[-1]["layout"] == "wide" and calls[-1]["initial_sidebar_state"] == "auto"
