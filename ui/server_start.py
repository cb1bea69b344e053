"""The server's start: what the first viewer's page would wait for, done before any viewer arrives.

`streamlit run app.py` serves app.py as an st.App (app.py's `app`), whose lifespan starts `warm_up` in a
thread as the server starts. While the first viewer's browser fetches and starts Streamlit's frontend
(a second or more), the thread checks, opens and reads the database (ui.database.warm_up: every page's
first step, with pandas and duckdb imported for it), then imports what the pages import (the model,
charts: together about a second of CPU). The first page run then finds them done instead of doing them
before its first number is on screen.

One Python thread runs at a time, so the warm-up gives way: it takes each step only when the server
answers no HTTP request (`CountRequests`, app.py's middleware: the browser's burst of some 60 files came
in 2 s instead of 0.3 s while the warm-up imported), and, once the database is ready, imports nothing
while a page runs (a page that needs a module imports it itself; the warm-up resumes between runs).

It shows nothing and raises nothing: a page that needs something the warm-up did not finish (or could
not do) does it itself, as it would without the warm-up, and says what went wrong the usual way.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import importlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PACKAGES = ("ui", "aco_model", "data")  # the app's own floors (the pages import only these and libraries)
_LOG = logging.getLogger("aco_lens")
_THREAD = "aco-lens-warm-up"
_SCRIPT_THREAD = "ScriptRunner.scriptThread"  # streamlit/runtime/scriptrunner/script_runner.py
_MAX_STEP_ASIDE_S = 20.0  # the most the warm-up waits, in all, for file requests and page runs to end
_QUIET_S = 0.03  # a browser's next burst of file requests follows within this
_SWITCH_INTERVAL_S = 0.0005
_DATABASE_IMPORTS = ("numpy", "pandas", "duckdb", "ui.database")  # the largest first (about 0.9 s of CPU)


class _NoContextWarning(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for this thread: it runs no page, on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != _THREAD


def page_imports(pages_dir: Path = ROOT / "pages") -> list[str]:
    """The modules the page scripts import at their top, in the order they first appear.

    >>> "ui.database" in page_imports()
    True
    """
    found: dict[str, None] = {}
    for page in sorted(pages_dir.glob("*.py")):
        for node in ast.parse(page.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                found.update((alias.name, None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
                if node.module in _PACKAGES:  # `from ui import widgets`: the submodules
                    found.update((f"{node.module}.{alias.name}", None) for alias in node.names)
    return [name for name in found if name != "__future__"]


def page_running() -> bool:
    """Whether a page (a session's script run) runs now: Streamlit runs each in a thread of this name."""
    return any(thread.name == _SCRIPT_THREAD for thread in threading.enumerate())


class _Answering:
    """The HTTP requests the server is answering now (the frontend's files, the health check)."""

    in_flight = 0
    last_done = 0.0  # time.monotonic() of the last one answered
    warming = False  # the warm-up runs
    switch_interval = sys.getswitchinterval()  # Python's own (5 ms)


def _switching() -> None:
    """Python hands the interpreter between threads every 0.5 ms (instead of 5) while files are served
    or the warm-up runs: a file request waits that long, not 5 ms, each time the thread answering it
    needs the interpreter back from a page run or the warm-up (a file takes several such turns)."""
    busy = _Answering.in_flight > 0 or _Answering.warming
    sys.setswitchinterval(_SWITCH_INTERVAL_S if busy else _Answering.switch_interval)


class CountRequests:
    """ASGI middleware (app.py's st.App): counts the HTTP requests being answered, for the warm-up to wait.

    A browser opening the app fetches some 60 files in a few bursts; with the warm-up importing in the
    same interpreter (one thread runs Python at a time), serving them took 2 s instead of 0.3 s. The
    warm-up therefore waits while files are being served: the browser parses them meanwhile.
    """

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI application
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI's own types
        if scope["type"] != "http":  # the websocket lasts the whole session
            await self.app(scope, receive, send)
            return
        _Answering.in_flight += 1
        _switching()
        try:
            await self.app(scope, receive, send)
        finally:
            _Answering.in_flight -= 1
            _Answering.last_done = time.monotonic()
            _switching()


def serving_files() -> bool:
    """Whether the server answers an HTTP request now or answered one in the last moment (a burst)."""
    return _Answering.in_flight > 0 or time.monotonic() - _Answering.last_done < _QUIET_S


def _step_aside(deadline: float, *, for_pages: bool = True) -> None:
    """Wait while files are served (and, `for_pages`, while a page runs); until `deadline` at most: a
    server never idle still gets warm."""
    while (serving_files() or (for_pages and page_running())) and time.monotonic() < deadline:
        time.sleep(0.01)


def _use_warning_checked() -> None:
    """Streamlit's one-time "not run with `streamlit run`" check, done now rather than in the first page.

    Its first element in a process calls inspect.stack(), which looks up every frame's module among all
    of sys.modules: about 0.1 s of CPU in the first page run once pandas, plotly and duckdb are loaded,
    a millisecond here. It prints nothing under `streamlit run`. A private function: if a Streamlit
    release drops it, nothing is lost but that time.
    """
    from streamlit import delta_generator, runtime

    if runtime.exists():  # a server's (outside one, the check would print its warning)
        with contextlib.suppress(Exception):
            delta_generator._maybe_print_use_warning()  # noqa: SLF001


def warm_up() -> None:
    """Check, open and read the database, then import what the pages import (never raises).

    Step by step, each step after the files being served; the page imports also after any page run.
    Meanwhile Python switches threads every 0.5 ms (`_switching`): a file request or a page waits less
    for a step already started.
    """
    started = time.perf_counter()
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    _use_warning_checked()
    _Answering.warming = True
    _switching()
    deadline = time.monotonic() + _MAX_STEP_ASIDE_S
    try:
        for name in _DATABASE_IMPORTS:  # what every page needs first, in steps between file requests
            _step_aside(deadline, for_pages=False)
            importlib.import_module(name)
        from ui import database

        _step_aside(deadline, for_pages=False)
        database.warm_up()  # what every page does first
        for name in page_imports():
            _step_aside(deadline)
            with contextlib.suppress(ImportError):  # `from ui.x import name`: name is not a module
                importlib.import_module(name)
    except Exception:  # noqa: BLE001 - the first page does whatever this could not, and says why
        _LOG.exception("warm-up at server start failed; the first page run does the work itself")
        return
    finally:
        _Answering.warming = False
        _switching()
    kept_out_of_collection()
    _LOG.info("warm-up at server start: %.2f s", time.perf_counter() - started)


def kept_out_of_collection() -> int:
    """Move every object alive now (modules, the database's kept frames: some 130,000) out of the reach
    of Python's cyclic garbage collector, and return how many were moved.

    They live as long as the server, yet the collector walked them all in each full collection, holding
    the interpreter every page run waits on: benchmarks/load.py at 20 sessions, 40 s, made 7 full
    collections taking 2.5-3.7 s in all and 930 younger ones taking 2.5 s (a loaded machine); frozen at
    warm-up, 3 full and 350 younger ones, 2.2 s and 0.6 s. Garbage made later is collected as before
    (gc.freeze, Python's own advice for long-running servers).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


@contextlib.asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """st.App's lifespan: the warm-up in a thread, so that the server answers at once (app.py adds
    `CountRequests`, which the warm-up waits on)."""
    threading.Thread(target=warm_up, name=_THREAD, daemon=True).start()
    yield
