"""The server's start: what the first viewer's page would wait for, done before any viewer arrives.

`streamlit run app.py` serves app.py as an st.App (app.py's `app`), whose lifespan starts `warm_up` in a
thread as the server starts. While the first viewer's browser fetches and starts Streamlit's frontend
(a second or more), the thread imports what the pages import (pandas, duckdb, the model: about a second
of CPU) and checks, opens and reads the database (ui.database.warm_up). The first page run then finds
them done instead of doing them before its first number is on screen.

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


def warm_up() -> None:
    """Import what the pages import, then check, open and read the database (never raises)."""
    started = time.perf_counter()
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    try:
        from ui import database

        for name in page_imports():
            with contextlib.suppress(ImportError):  # `from ui.x import name`: name is not a module
                importlib.import_module(name)
        database.warm_up()
    except Exception:  # noqa: BLE001 - the first page does whatever this could not, and says why
        _LOG.exception("warm-up at server start failed; the first page run does the work itself")
        return
    _LOG.info("warm-up at server start: %.2f s", time.perf_counter() - started)


@contextlib.asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """st.App's lifespan: the warm-up in a thread, so that the server answers at once."""
    threading.Thread(target=warm_up, name=_THREAD, daemon=True).start()
    yield
