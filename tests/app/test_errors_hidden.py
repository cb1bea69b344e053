"""No traceback, source line or server path reaches a viewer (issue 8).

Streamlit's own setting hides uncaught errors' details (client.showErrorDetails = "none"); app.py turns
a page's error into a short message and logs the whole of it; messages about the database name no
server folder.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.app.markup_oracle import problems

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def _run_app(monkeypatch: pytest.MonkeyPatch, db: Path, page: str | None = None) -> AppTest:
    monkeypatch.setenv("ACO_LENS_DB", str(db))
    monkeypatch.setenv("ACO_LENS_CMS_DIR", "")
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(page).run() if page else at


def test_error_details_are_off_in_the_served_configuration() -> None:
    options = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = options["client"]["showErrorDetails"]
    # "none": a generic message only. (The legacy false still shows tracebacks: it means "stacktrace".)
    assert value == config.ShowErrorDetailsConfigOptions.NONE.value == "none"


def test_a_failing_page_shows_a_short_message_and_logs_the_error(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from ui import database

    def broken(key):
        raise RuntimeError(f"disk error reading {demo_db} at /srv/secret/x.py line 3")

    monkeypatch.setattr(database, "years", broken)
    with caplog.at_level(logging.ERROR, logger="aco_lens"):
        at = _run_app(monkeypatch, demo_db)
    assert not at.exception and not problems(at)
    assert at.error and "unexpected problem" in at.error[0].value
    shown = " ".join(str(e.proto) for e in at._tree if hasattr(e, "proto"))
    assert "/srv/secret" not in shown and str(demo_db) not in shown and "RuntimeError" not in shown
    assert "disk error" in caplog.text and "Traceback" in caplog.text  # the whole error, in the server log


def test_stop_and_rerun_still_pass_through(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """st.stop (data page on demo data ends early) and st.rerun are not errors."""
    at = _run_app(monkeypatch, demo_db, "pages/data_sources.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "Data and fidelity" and at.info  # stopped after saying why


def test_a_failed_build_names_no_server_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the database's folder should be")
    at = _run_app(monkeypatch, blocker / "aco.duckdb")
    assert not at.exception
    assert at.error and "could not be built" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value
