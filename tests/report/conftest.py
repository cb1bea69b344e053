"""Databases for the executive-summary tests: CMS's files (skipped without them) and the demo set with a
hostile ACO name (a made-up row whose name and id carry markup)."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.build import build_database
from data.demo import demo_tables
from data.schema import ACO_YEAR_NAMES
from data.store import write_database

HOSTILE_NAME = '<b>Evil</b> & <a href="https://evil.example">Co</a> **bold** $x$ <font size="40">'
HOSTILE_ID = "Z-EVIL1"


@pytest.fixture(scope="session")
def report_cms_db(cms_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report_cms") / "aco.duckdb"
    build_database(cms_dir, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def report_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic demo data, one of its PY2024 ACO-years renamed to `HOSTILE_NAME` as `HOSTILE_ID`."""
    aco_year, source = demo_tables()
    row = aco_year.index[aco_year["performance_year"] == 2024][0]
    aco_year.loc[row, ["aco_id", "aco_name"]] = [HOSTILE_ID, HOSTILE_NAME]
    out = tmp_path_factory.mktemp("report_demo") / "aco.duckdb"
    write_database(out, aco_year[list(ACO_YEAR_NAMES)], source)
    return out
