"""The server's start: what the first viewer's page would wait for, done before any viewer arrives.

`streamlit run app.py` serves app.py as an st.App (app.py's `app`), whose lifespan starts `warm_up` in a
thread as the server starts. While the first viewer's browser fetches and starts Streamlit's frontend
(a second or more), the thread checks, opens and reads the database (ui.database.warm_up: every page's
first step, with pandas and duckdb imported for it), then imports what the pages import (the model,
charts: together about a second of CPU). The first page run then finds them done instead of doing them
before its first number is on screen.

The first page run comes first: once the database is ready, the warm-up imports nothing while a page runs
(one Python thread runs at a time; a page that needs a module imports it itself, and the warm-up
resumes between page runs).

It shows nothing and raises nothing: a page that needs something the warm-up did not finish (or could
not do) does it itself, as it would without the warm-up, and says what went wrong the usual way.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PACKAGES = ("ui", "aco_model", "data")  # the app's own floors (the pages import only these and libraries)
_LOG = logging.getLogger("aco_lens")
_THREAD = "aco-lens-warm-up"
_SCRIPT_THREAD = "ScriptRunner.scriptThread"  # streamlit/runtime/scriptrunner/script_runner.py
_MAX_STEP_ASIDE_S = 20.0  # the most the imports wait, in all, for page runs to end


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


def _step_aside(deadline: float) -> None:
    """Wait while a page runs (until `deadline` at most: a server never idle still gets warm)."""
    while page_running() and time.monotonic() < deadline:
        time.sleep(0.02)


def _use_warning_checked() -> None:
    """Streamlit's one-time "not run with `streamlit run`" check, done now rather than in the first page.

    Its first element in a process calls inspect.stack(), which looks up every frame's module among all
    of sys.modules: about 0.1 s of CPU in the first page run once pandas, plotly and duckdb are loaded,
    a millisecond here. It prints nothing under `streamlit run`. A private function: if a Streamlit
    release drops it, nothing is lost but that time.
    """
    from streamlit import delta_generator

    with contextlib.suppress(Exception):
        delta_generator._maybe_print_use_warning()  # noqa: SLF001


def warm_up() -> None:
    """Check, open and read the database, then import what the pages import (never raises)."""
    started = time.perf_counter()
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    _use_warning_checked()
    try:
        from ui import database

        database.warm_up()  # what every page does first
        deadline = time.monotonic() + _MAX_STEP_ASIDE_S
        for name in page_imports():
            _step_aside(deadline)
            with contextlib.suppress(ImportError):  # `from ui.x import name`: name is not a module
                importlib.import_module(name)
    except Exception:  # noqa: BLE001 - the first page does whatever this could not, and says why
        _LOG.exception("warm-up at server start failed; the first page run does the work itself")
        return
    _LOG.info("warm-up at server start: %.2f s", time.perf_counter() - started)


@contextlib.asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """st.App's lifespan: the warm-up in a thread, so that the server answers at once."""
    threading.Thread(target=warm_up, name=_THREAD, daemon=True).start()
    yield
