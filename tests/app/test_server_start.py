"""The server's start (ui.server_start): `streamlit run app.py` serves app.py as an st.App whose lifespan
warms the server up; the warm-up shows nothing, raises nothing, and leaves a broken database's clear
message to the page."""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.web.server.app_discovery import discover_asgi_app

from ui import server_start

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch):
    def point_at(db: Path) -> None:
        monkeypatch.setenv("ACO_LENS_DB", str(db))
        monkeypatch.setenv("ACO_LENS_CMS_DIR", "")
        monkeypatch.setenv("ACO_LENS_DOWNLOAD", "0")
    return point_at


def test_streamlit_run_serves_app_py_with_the_warm_up() -> None:
    """Streamlit's own discovery finds app.py's st.App (else `streamlit run` would serve it without one)."""
    found = discover_asgi_app(Path(APP))
    assert found.is_asgi_app and found.import_string == "app:app"
    source = Path(APP).read_text()
    assert "lifespan=lifespan" in source and 'if __name__ == "__main__":' in source


def test_the_page_imports_are_the_pages_and_all_import() -> None:
    names = server_start.page_imports()
    assert {"ui.database", "ui.widgets", "ui.what_if_charts", "ui.overview_charts", "pandas"} <= set(names)
    assert not [n for n in names if n.startswith("pages")]  # never a page script: it would run the page
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # `from ui.x import name`: only names that are not modules may fail
            parent, _, attr = name.rpartition(".")
            assert hasattr(importlib.import_module(parent), attr), name


def test_warm_up_reads_a_sound_database(demo_db: Path, env, caplog: pytest.LogCaptureFixture) -> None:
    from ui import database

    env(demo_db)
    with caplog.at_level(logging.INFO, logger="aco_lens"):
        server_start.warm_up()
    assert "warm-up at server start:" in caplog.text and "failed" not in caplog.text
    key = (str(demo_db), demo_db.stat().st_mtime)
    assert database.warm_up() == key and database.years(key)


def test_warm_up_leaves_a_missing_database_to_the_first_page(tmp_path: Path, env) -> None:
    """No build (nor download) without a page to show its progress."""
    db = tmp_path / "aco.duckdb"
    env(db)
    server_start.warm_up()
    assert not db.exists() and list(tmp_path.iterdir()) == []


def test_warm_up_never_raises_and_the_page_still_says_why(tmp_path: Path, env, monkeypatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the database's folder should be")
    env(blocker / "aco.duckdb")
    server_start.warm_up()  # the build fails: no exception, nothing shown (there is no page)

    from ui import database

    def broken() -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(database, "warm_up", broken)
    with caplog.at_level(logging.ERROR, logger="aco_lens"):
        server_start.warm_up()
    assert "disk gone" in caplog.text  # in the server log only

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.error and "could not be built" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value


def test_lifespan_starts_the_warm_up_without_waiting_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(server_start, "warm_up", lambda: started.append(True))

    async def serve() -> None:
        async with server_start.lifespan(object()):
            pass

    # A thread of its own: another test in this worker (a browser's) may hold a running loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, serve()).result(timeout=30)
    for _ in range(100):
        if started:
            break
        time.sleep(0.01)
    assert started == [True]


def test_warm_up_reads_the_database_first_then_imports_between_page_runs(monkeypatch) -> None:
    """The database (every page's first step) before the imports; no import while a page runs."""
    from ui import database

    done: list[tuple[str, bool]] = []
    monkeypatch.setattr(database, "warm_up", lambda: done.append(("database", server_start.page_running())))
    monkeypatch.setattr(server_start, "page_imports", lambda: ["json", "csv"])
    imported = SimpleNamespace(import_module=lambda name: done.append((name, server_start.page_running())))
    monkeypatch.setattr(server_start, "importlib", imported)
    page_ends = threading.Event()
    page = threading.Thread(target=page_ends.wait, args=(5,), name="ScriptRunner.scriptThread")
    page.start()
    try:
        assert server_start.page_running()
        warm = threading.Thread(target=server_start.warm_up)
        warm.start()
        for _ in range(500):
            if ("database", True) in done:
                break
            time.sleep(0.01)
        time.sleep(0.2)
        first = [(name, True) for name in server_start._DATABASE_IMPORTS] + [("database", True)]  # noqa: SLF001
        assert done == first  # the database even while a page runs; no page's import yet
        page_ends.set()
        warm.join(10)
    finally:
        page_ends.set()
        page.join()
    assert done == [*first, ("json", False), ("csv", False)]


def test_warm_up_stops_waiting_for_a_server_never_idle(monkeypatch) -> None:
    from ui import database

    monkeypatch.setattr(database, "warm_up", lambda: None)
    monkeypatch.setattr(server_start, "page_imports", lambda: ["json"])
    monkeypatch.setattr(server_start, "_MAX_STEP_ASIDE_S", 0.2)
    busy = threading.Event()
    page = threading.Thread(target=busy.wait, args=(10,), name="ScriptRunner.scriptThread")
    page.start()
    try:
        started = time.monotonic()
        server_start.warm_up()
        assert 0.2 <= time.monotonic() - started < 5
    finally:
        busy.set()
        page.join()


def test_streamlits_first_use_check_is_done_by_the_warm_up(demo_db: Path, env, monkeypatch) -> None:
    """Streamlit's one-time stack inspection is done at start, not in the first page run."""
    from streamlit import delta_generator

    env(demo_db)
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr("streamlit.runtime.exists", lambda: True)  # as under `streamlit run`
    server_start.warm_up()
    assert delta_generator._use_warning_has_been_displayed  # noqa: SLF001


def test_app_py_counts_its_http_requests_for_the_warm_up() -> None:
    source = Path(APP).read_text()
    assert "middleware=[Middleware(CountRequests), Middleware(PreloadChunks)]" in source


def test_count_requests_marks_files_being_served_and_switches_threads_sooner() -> None:
    """An HTTP request in flight (not a websocket): the warm-up waits, and threads switch every 0.5 ms."""
    default = sys.getswitchinterval()
    seen: list[tuple[str, bool, float]] = []

    async def endpoint(scope, receive, send) -> None:  # noqa: ANN001
        seen.append((scope["type"], server_start.serving_files(), sys.getswitchinterval()))

    app = server_start.CountRequests(endpoint)

    async def requests() -> None:
        await app({"type": "websocket"}, None, None)
        await app({"type": "http"}, None, None)

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (see the lifespan test)
        pool.submit(asyncio.run, requests()).result(timeout=30)
    assert seen[0][0] == "websocket" and seen[0][2] == default
    assert seen[1] == ("http", True, server_start._SWITCH_INTERVAL_S)  # noqa: SLF001
    assert sys.getswitchinterval() == default  # back once answered
    # A browser's next request follows within moments: "serving" lasts _QUIET_S after the last answer
    # (checked from the time it was answered, not by a sleep: a loaded machine can take longer to get here).
    assert 0 <= time.monotonic() - server_start._Answering.last_done < 5  # noqa: SLF001
    time.sleep(server_start._QUIET_S + 0.01)  # noqa: SLF001
    assert not server_start.serving_files()


def test_warm_up_waits_while_files_are_served(monkeypatch) -> None:
    from ui import database

    done: list[str] = []
    monkeypatch.setattr(server_start, "_DATABASE_IMPORTS", ("json",))
    monkeypatch.setattr(server_start, "importlib", SimpleNamespace(import_module=done.append))
    monkeypatch.setattr(database, "warm_up", lambda: done.append("database"))
    monkeypatch.setattr(server_start, "page_imports", lambda: [])
    monkeypatch.setattr(server_start._Answering, "in_flight", 1)  # noqa: SLF001
    warm = threading.Thread(target=server_start.warm_up)
    warm.start()
    time.sleep(0.3)
    assert done == []
    assert sys.getswitchinterval() == server_start._SWITCH_INTERVAL_S  # noqa: SLF001
    server_start._Answering.in_flight = 0  # noqa: SLF001 - the request answered
    warm.join(10)
    assert done == ["json", "database"]


def test_the_warm_up_leaves_what_lives_as_long_as_the_server_out_of_garbage_collection() -> None:
    import gc

    from ui import server_start

    try:
        moved = server_start.kept_out_of_collection()
        assert moved > 1000 and gc.get_freeze_count() == moved
        assert gc.get_objects(generation=2) == [] or len(gc.get_objects(generation=2)) < moved
    finally:
        gc.unfreeze()
