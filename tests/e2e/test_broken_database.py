"""`streamlit run app.py` on a database that cannot be built: the clear message under the menu's titles.

app.py is served as an st.App whose lifespan warms the server up (ui.server_start); the warm-up meets the
same failure, shows nothing and leaves the message to the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import _free_port, start_server, stop_server

pytestmark = pytest.mark.browser


def test_a_database_that_cannot_be_built_is_a_clear_message_under_the_menu(tmp_path: Path, page) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the database's folder should be")
    port = _free_port()
    proc, _ = start_server(blocker / "aco.duckdb", port)
    try:
        page.goto(f"http://127.0.0.1:{port}/what_if?aco=A1026")
        error = page.locator("[data-testid='stAlertContentError']").first
        error.wait_for(timeout=60_000)
        assert "could not be built" in error.inner_text()
        assert str(tmp_path) not in error.inner_text()
        menu = page.locator("[data-testid='stSidebarNav']")
        menu.get_by_text("What-if studio").wait_for(timeout=30_000)
        assert menu.get_by_text("Program overview").count() == 1
        assert "what if" not in menu.inner_text()  # not the pages/ folder's file names
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        stop_server(proc)
    log = proc.stderr.read().decode()
    assert "Traceback" not in log and "warm-up at server start failed" not in log
