"""Shared test set-up: the repository root on sys.path, hypothesis profiles, and where CMS's files are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI reports only failures a developer can reproduce: derandomized examples there, fresh ones locally.
# A failure found locally stays in its test as an @example. HYPOTHESIS_PROFILE overrides either.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

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
