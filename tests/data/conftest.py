"""Fixtures for the data-build tests: small invented CMS-like files (no CMS data copied) and a
session-wide build of the real CMS folder when it is present."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data.build import BuildReport, build_database

# A PY2024-style file with invented ACOs: CMS's column names, CMS's value formats.
TINY_HEADER = [
    "ACO_ID", "ACO_Name", "Agree_Type", "Agreement_Period_Num", "Current_Start_Date", "Current_Track",
    "Risk_Model", "N_AB", "Sav_rate", "MinSavPerc", "BnchmkMinExp", "GenSaveLoss", "DisAdj",
    "EarnSaveLoss", "QualScore", "ABtotBnchmk", "ABtotExp", "FinalShareRate", "FinalLossRate",
    "Rev_Exp_Cat",
]
TINY_ROWS = [
    ["Z0001", "Invented Care One", "Renewal", "2", "1/1/2022", "EN", "Two-Sided", "20000", "5", "2",
     "10000000", "10000000", "0", "3675000", "50", "200000000", "190000000", "37.5", "62.5", "High Revenue"],
    ["Z0002", "Invented Care Two", "Initial", "1", "1/1/2024", "A", "One-Sided", "8000", "-1", "3.1",
     "-800000", "0", "-", "0", "90", "80000000", "80800000", "0", "-", "Low Revenue"],
    ["Z0003", "Invented Care Three", "Re-entering", "1", "7/1/2019", "E", "Two-Sided", "12,000", "-4",
     "1", "-4,000,000", "-4,000,000", "-100", "-1,100,000", "80", "100000000", "104000000", "40",
     "30", "Low Revenue"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def tiny_file(tmp_path: Path) -> Callable[..., Path]:
    """Writes the invented PY2024 file into tmp_path/cms (optionally altered) and returns its path."""

    def make(header: list[str] | None = None, rows: list[list[str]] | None = None,
             name: str = "mssp_puf_py2024.csv") -> Path:
        return write_csv(tmp_path / "cms" / name, header or list(TINY_HEADER),
                         rows if rows is not None else [list(r) for r in TINY_ROWS])

    return make


@pytest.fixture(scope="session")
def cms_build(cms_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildReport, float]:
    """One full build of the CMS folder for the whole session, and how long it took."""
    out = tmp_path_factory.mktemp("cms_build") / "aco.duckdb"
    started = time.perf_counter()
    report = build_database(cms_dir, out, quiet=True)
    return report, time.perf_counter() - started


@pytest.fixture(scope="session")
def aco_year(cms_build: tuple[BuildReport, float]) -> pd.DataFrame:
    report, _ = cms_build
    with duckdb.connect(str(report.path), read_only=True) as con:
        return con.sql("SELECT * FROM aco_year").df()


@pytest.fixture(scope="session")
def source(cms_build: tuple[BuildReport, float]) -> pd.DataFrame:
    report, _ = cms_build
    with duckdb.connect(str(report.path), read_only=True) as con:
        return con.sql("SELECT * FROM source").df()


@pytest.fixture
def tiny_table() -> tuple[list[str], list[list[str]]]:
    """Fresh copies of the invented file's header and rows, to alter in a test."""
    return list(TINY_HEADER), [list(r) for r in TINY_ROWS]


@pytest.fixture(scope="session")
def lookup() -> Callable[[pd.DataFrame, int, str], pd.Series]:
    """Finds the one row of an ACO-year (fails the test when absent or repeated)."""

    def find(frame: pd.DataFrame, year: int, aco_id: str) -> pd.Series:
        found = frame[(frame["performance_year"] == year) & (frame["aco_id"] == aco_id)]
        assert len(found) == 1, f"PY{year} {aco_id}: {len(found)} rows"
        return found.iloc[0]

    return find
