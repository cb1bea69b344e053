"""Page speed: median AppTest script run per page after a warm run, and server start to first render.

Targets (issue 3): what-if studio under 150 ms for a full script run after moving a slider; server start
to the first page rendered in the browser under 3 s. Issue 8: first paint at most twice Streamlit's own
empty app (one metric, the same config, started and timed the same way in the same run), so the ratio
does not depend on how busy the machine is. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from data.build import build_database  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, _free_port, stop_server  # noqa: E402

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
# First-paint rounds, each timing the empty app, `/` and a what-if link in turn (FIRST_PAINT_ROUNDS: fewer).
ROUNDS = int(os.environ.get("FIRST_PAINT_ROUNDS", "5"))


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
    slider = next(s for s in at.slider if s.label.startswith("Quality score"))  # key "q", bound to the URL
    slider.set_value(60.0 + i)


def start_server(db: Path, port: int, script: Path) -> subprocess.Popen:
    """`streamlit run script` from the repository (its .streamlit/config.toml), as tests/e2e starts app.py."""
    env = dict(os.environ, ACO_LENS_DB=str(db), ACO_LENS_CMS_DIR="")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"streamlit run {script.name} did not answer within 60 s")


EMPTY_APP = "import streamlit as st\n\nst.metric(\"Empty app\", 1)\n"


# The page's own clock: the first frame drawn with a metric in the document (a MutationObserver, then the
# frame after it: requestAnimationFrame runs just before a frame is painted, a task queued there just after).
PAINT_CLOCK = """
new MutationObserver((_, watch) => {
  if (!document.querySelector("[data-testid='stMetric']")) return;
  watch.disconnect();
  requestAnimationFrame(() => setTimeout(() => { window.__firstMetricPainted = Date.now(); }));
}).observe(document, {childList: true, subtree: true});
"""


def first_render_seconds(db: Path, path: str, script: Path | None = None) -> tuple[float, float] | None:
    """Seconds from launching `streamlit run` (app.py, or `script`) to the first metric in chromium: as
    Playwright sees it (it polls the page, so it also waits for the page's thread to be free) and as the
    page painted it (the page's own clock, `PAINT_CLOCK`)."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        browser.new_page().close()  # the browser's own start is not the app's
        port = _free_port()
        wall, start = time.time(), time.perf_counter()
        proc = start_server(db, port, script or ROOT / "app.py")
        try:
            page = browser.new_page()
            page.add_init_script(PAINT_CLOCK)
            page.goto(f"http://127.0.0.1:{port}/{path}")
            page.locator("[data-testid='stMetric']").first.wait_for(timeout=180_000)
            seen = time.perf_counter() - start
            page.wait_for_function("window.__firstMetricPainted !== undefined", timeout=60_000)
            return seen, page.evaluate("window.__firstMetricPainted") / 1000 - wall
        finally:
            stop_server(proc)
            browser.close()


def first_paint(db: Path, rounds: int) -> None:
    """Server start to first render: the empty app, `/` and a what-if link, interleaved `rounds` times."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty_app.py"
        empty.write_text(EMPTY_APP)
        cases = (("Streamlit's empty app", "", empty), ("first page (/)", "", None),
                 ("a shared what-if link", "what_if?aco=A1026&year=2024", None))
        seconds: dict[str, list[tuple[float, float]]] = {what: [] for what, _, _ in cases}
        script_of = {what: script for what, _, script in cases}
        for _ in range(rounds):
            for what, path, script in cases:
                value = first_render_seconds(db, path, script)
                if value is None:
                    print("  server start to first render: chromium not installed")
                    return
                seconds[what].append(value)
    for i, how in enumerate(("seen by Playwright", "painted (the page's clock)")):
        empty_s = statistics.median(v[i] for v in seconds["Streamlit's empty app"])
        print(f"  server start to the first metric {how}:")
        for what, values in seconds.items():
            median = statistics.median(v[i] for v in values)
            ratio = f", {median / empty_s:.2f}x the empty app (target <= 2)" if not script_of[what] else ""
            print(f"    {what}: {median:.2f} s "
                  f"(median of {len(values)}: {', '.join(f'{v[i]:.2f}' for v in values)}){ratio}")


def main() -> None:
    if "--first-paint" in sys.argv:  # only the browser timings
        real = (CMS / "mssp_puf_py2024.csv").exists()
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "aco.duckdb"
            build_database(CMS if real else None, db, demo=not real, quiet=True)
            first_paint(db, ROUNDS)
        return
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
        first_paint(db, ROUNDS)

if __name__ == "__main__":
    main()
