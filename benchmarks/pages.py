"""Page speed: median AppTest script run per page after a warm run, and server start to first render.

Targets (issue 3): what-if studio under 150 ms for a full script run after moving a slider; server start
to the first page rendered in the browser under 3 s. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from data.build import build_database  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, _free_port, start_server  # noqa: E402

CMS = ROOT.parent / "shared" / "data" / "cms"
PAGES = {
    "Program overview": "overview.py",
    "ACO explorer": "explorer.py",
    "What-if studio": "what_if.py",
    "Risk election": "risk_election.py",
    "Program what-if": "program_what_if.py",
    "Payment models": "payment_models.py",
    "Data and fidelity": "data_sources.py",
}
RUNS = 7


def median_run_ms(page: str, *, move=None, params: dict[str, str] | None = None) -> float:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()  # warm: caches filled
    times = []
    for i in range(RUNS):
        if move:
            move(at, i)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    return statistics.median(times)


def move_quality(at: AppTest, i: int) -> None:
    slider = next(s for s in at.slider if s.key.startswith("wi_q_"))
    slider.set_value(60.0 + i)


def first_render_seconds(db: Path, path: str) -> float | None:
    """Seconds from launching `streamlit run` to the page's first metric shown in chromium."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        browser.new_page().close()  # the browser's own start is not the app's
        port = _free_port()
        start = time.perf_counter()
        proc, _ = start_server(db, port)
        try:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/{path}")
            page.locator("[data-testid='stMetric']").first.wait_for(timeout=60_000)
            return time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait()
            browser.close()


def main() -> None:
    real = (CMS / "mssp_puf_py2024.csv").exists()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "aco.duckdb"
        build_database(CMS if real else None, db, demo=not real, quiet=True)
        os.environ["ACO_LENS_DB"] = str(db)
        print(f"data: {'CMS files' if real else 'synthetic demo'}; median of {RUNS} runs after a warm run")
        for title, page in PAGES.items():
            if not (ROOT / "pages" / page).exists():
                print(f"  {title:<20} (page missing)")
                continue
            print(f"  {title:<20} {median_run_ms(page):8.1f} ms")
        params = {"aco": "A1026", "year": "2024"} if real else {}
        moved = median_run_ms("what_if.py", move=move_quality, params=params)
        print(f"  what-if after moving the quality slider: {moved:.1f} ms (target < 150 ms)")
        for what, path in (("first page (/)", ""), ("a shared what-if link", "what_if?aco=A1026&year=2024")):
            seconds = first_render_seconds(db, path)
            if seconds is None:
                print("  server start to first render: chromium not installed")
                break
            print(f"  server start to {what} rendered in the browser: {seconds:.2f} s (target < 3 s)")

if __name__ == "__main__":
    main()
