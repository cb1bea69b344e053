"""Shared fixtures of the page tests: the demo database and the real-CMS database, each built once per
session in a temporary folder, and `open_page` to run a page in AppTest against one of them.

Test modules that define their own `demo_db` or `cms_db` fixture keep theirs (pytest's nearest wins).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.build import build_database

PAGES = Path(__file__).resolve().parents[2] / "pages"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic demo data set (data.demo), built once for the session."""
    out = tmp_path_factory.mktemp("app_demo") / "aco.duckdb"
    build_database(None, out, demo=True, quiet=True)
    return out


@pytest.fixture(scope="session")
def cms_db(cms_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CMS's published files (tests/conftest.py's cms_dir; the test skips without them), built once."""
    out = tmp_path_factory.mktemp("app_cms") / "aco.duckdb"
    build_database(cms_dir, out, quiet=True)
    return out


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """open_page("overview.py", db, years="2020-2022") -> the page run once on `db` with those link values."""

    def make(page: str, db: Path, **params: str) -> AppTest:
        monkeypatch.setenv("ACO_LENS_DB", str(db))
        monkeypatch.delenv("ACO_LENS_CMS_DIR", raising=False)
        at = AppTest.from_file(str(PAGES / page), default_timeout=60)
        for k, v in params.items():
            at.query_params[k] = v
        return at.run()

    return make
