"""A real `streamlit run app.py` on 127.0.0.1 and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
CMS_DIR = ROOT.parent / "shared" / "data" / "cms"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> tuple[subprocess.Popen, float]:
    """Start the app; returns the process and the seconds until its health check answered."""
    env = dict(os.environ, ACO_LENS_DB=str(db), ACO_LENS_CMS_DIR="", ACO_LENS_DOWNLOAD="0")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = started + 60
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("streamlit did not answer within 60 s")


@pytest.fixture(scope="session")
def app_db(tmp_path_factory) -> tuple[Path, bool]:
    """The database the browser tests use: CMS's files when present, else the demo set."""
    from data.build import build_database
    from tests.conftest import CMS_DIR

    out = tmp_path_factory.mktemp("e2e") / "aco.duckdb"
    real = (CMS_DIR / "mssp_puf_py2024.csv").exists()
    build_database(CMS_DIR if real else None, out, demo=not real, quiet=True)
    return out, real


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started here (also the benchmarks'): terminate, kill after 10 s, and reap it."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def server(app_db):
    port = _free_port()
    proc, _ = start_server(app_db[0], port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
