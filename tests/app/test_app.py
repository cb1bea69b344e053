"""app.py (AppTest): the database is built at start when missing, a failed build is an error on the page
(never a traceback), and the navigation opens the pages.

ui.nav is not imported here: its st.Page objects must be made inside a Streamlit run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run_app(monkeypatch: pytest.MonkeyPatch, db: Path, **params: str) -> AppTest:
    monkeypatch.setenv("ACO_LENS_DB", str(db))
    monkeypatch.setenv("ACO_LENS_CMS_DIR", "")
    monkeypatch.setenv("ACO_LENS_DOWNLOAD", "0")  # no CMS folder: never reach for CMS's site in a test
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_missing_database_is_built_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "fresh" / "aco.duckdb"
    db.parent.mkdir()
    at = _run_app(monkeypatch, db)
    assert not at.exception, [e.message for e in at.exception]
    assert db.exists()
    assert at.title[0].value == "Program overview"  # the default page
    assert any("Synthetic demo data" in i.value for i in at.info)  # no CMS folder: said plainly


def test_failed_build_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the database's folder should be")
    at = _run_app(monkeypatch, blocker / "aco.duckdb")
    assert not at.exception
    assert at.error and "could not be built" in at.error[0].value
    assert not at.title  # no page half-drawn under the error
    # The menu is there with its titles (st.navigation ran before the database stopped the page), not
    # Streamlit's list of the pages/ folder's file names.
    titles = [info.get("page_name") for info in at._registered_pages.values()]
    assert "What-if studio" in titles and "Program overview" in titles and "what_if" not in titles


def test_navigation_lists_every_page_and_opens_a_shared_link(demo_db: Path, monkeypatch) -> None:
    at = _run_app(monkeypatch, demo_db)
    assert not at.exception
    at.switch_page("pages/what_if.py").run()
    assert not at.exception
    assert at.title[0].value == "What-if studio"
