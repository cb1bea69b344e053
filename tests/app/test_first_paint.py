"""ui.first_paint: on a browser's first page run, the first chart follows the numbers by a moment."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from ui import first_paint, widgets

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch):
    """A session of its own (its state and its request's headers), and the sleeps it would make."""
    fake = SimpleNamespace(session_state={}, context=SimpleNamespace(headers={"User-Agent": "Mozilla/5.0"}),
                           slept=[])
    monkeypatch.setattr(first_paint, "st", fake)
    clock = SimpleNamespace(monotonic=time.monotonic, sleep=fake.slept.append)  # first_paint's only
    monkeypatch.setattr(first_paint, "time", clock)
    return fake


def test_the_first_chart_of_a_browsers_first_run_waits_for_the_rest_of_the_hold(session) -> None:
    first_paint.run_started()
    waited = first_paint.wait_for_numbers()
    assert 0 < waited <= first_paint.HOLD_S and session.slept == [waited]
    assert first_paint.wait_for_numbers() == 0  # the run's other charts do not
    first_paint.run_finished()
    first_paint.run_started()  # the session's next run
    assert first_paint.wait_for_numbers() == 0 and len(session.slept) == 1


def test_a_run_already_slower_than_the_hold_does_not_wait(session, monkeypatch) -> None:
    first_paint.run_started()
    later = time.monotonic() + first_paint.HOLD_S + 0.1
    monkeypatch.setattr(first_paint.time, "monotonic", lambda: later)  # the fixture's own namespace
    assert first_paint.wait_for_numbers() == 0 and session.slept == []


def test_a_first_page_without_a_chart_leaves_later_runs_alone(session) -> None:
    first_paint.run_started()
    first_paint.run_finished()  # e.g. the glossary: no chart
    first_paint.run_started()
    assert first_paint.wait_for_numbers() == 0 and session.slept == []


def test_a_first_run_cut_short_by_a_rerun_keeps_its_start(session) -> None:
    """inside_app() reruns a server's first session at once: the run that draws the page still holds, from
    the first run's start (the time already gone counts)."""
    first_paint.run_started()
    started = session.session_state[first_paint._STARTED]  # noqa: SLF001
    first_paint.run_started()  # the rerun (run_finished was never reached)
    assert session.session_state[first_paint._STARTED] == started  # noqa: SLF001
    assert first_paint.wait_for_numbers() > 0


def test_without_a_browser_nothing_waits(session) -> None:
    session.context.headers = {}  # AppTest's sessions
    first_paint.run_started()
    assert first_paint.wait_for_numbers() == 0 and session.slept == []


def test_apptest_sessions_have_no_request_headers() -> None:
    """What `run_started` relies on to leave the test suite's page runs alone."""
    at = AppTest.from_string("import streamlit as st\nst.write(str(len(st.context.headers)))").run()
    assert at.markdown[0].value == "0"


def test_every_chart_asks_before_it_is_drawn(monkeypatch) -> None:
    order: list[str] = []
    monkeypatch.setattr(widgets.first_paint, "wait_for_numbers", lambda: order.append("wait"))
    monkeypatch.setattr(widgets.st, "plotly_chart", lambda *a, **k: order.append("chart"))
    widgets.chart(go.Figure(go.Bar(x=[1], y=[2])), key="k")
    assert order == ["wait", "chart"]


def test_app_py_holds_a_browsers_first_run_once_before_its_first_chart(demo_db, monkeypatch) -> None:
    """app.py's run on a browser's session (headers made up here: AppTest has none): its overview's first
    chart waits (the numbers above it are already sent), the session's next run does not."""
    from streamlit.runtime.context import ContextProxy

    monkeypatch.setattr(ContextProxy, "headers", property(lambda self: {"User-Agent": "Mozilla/5.0"}))
    waits: list[float] = []
    monkeypatch.setattr(first_paint, "time", SimpleNamespace(monotonic=time.monotonic, sleep=waits.append))
    monkeypatch.setenv("ACO_LENS_DB", str(demo_db))
    monkeypatch.setenv("ACO_LENS_CMS_DIR", "")
    monkeypatch.setenv("ACO_LENS_DOWNLOAD", "0")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception and at.metric and at.get("plotly_chart")
    assert len(waits) == 1 and 0 < waits[0] <= first_paint.HOLD_S
    at.run()
    assert len(waits) == 1
