"""Shared test set-up: the repository root on sys.path and where CMS's files are, if present."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CMS_DIR = ROOT.parent / "shared" / "data" / "cms"


@pytest.fixture(scope="session")
def cms_dir() -> Path:
    """The folder of CMS's published files beside the repository; tests that need it skip without it."""
    if not (CMS_DIR / "mssp_puf_py2024.csv").exists():
        pytest.skip(f"CMS files not found at {CMS_DIR}")
    return CMS_DIR
