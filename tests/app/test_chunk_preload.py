"""ui.chunk_preload: Streamlit's page has the browser fetch st.metric's code with the frontend's own."""

from __future__ import annotations

import asyncio
import doctest
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ui import chunk_preload

APP = Path(__file__).resolve().parents[2] / "app.py"


def test_doctests() -> None:
    failures, tried = doctest.testmod(chunk_preload)
    assert tried >= 3 and failures == 0


def test_the_installed_streamlit_preloads_the_metrics_code_and_files_that_exist() -> None:
    """Read from this Streamlit's own frontend: fails when a release lays its files out otherwise (the
    header would then be left out, and the first number drawn later)."""
    header = chunk_preload.installed_header().decode()
    files = re.findall(r"<\./static/js/([^>]+)>; rel=preload; as=script; crossorigin", header)
    assert files and files[0].startswith("Metric.")
    js = chunk_preload.STATIC / "static" / "js"
    assert all((js / f).is_file() and f.endswith(".js") for f in files)
    index_html = (chunk_preload.STATIC / "index.html").read_text()
    assert not any(f'href="./static/js/{f}"' in index_html for f in files)  # not what the page fetches anyway
    assert len(header) < 4096  # well inside any proxy's header limit


def test_a_frontend_laid_out_otherwise_gives_no_header_and_a_warning(tmp_path: Path, caplog) -> None:
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "index.html").write_text('<script type="module" crossorigin src="./static/js/index.a.js">')
    (tmp_path / "static" / "js" / "index.a.js").write_text("import('./Metric.js')")
    with caplog.at_level(logging.WARNING, logger="aco_lens"):
        assert chunk_preload.installed_header.__wrapped__(tmp_path) == b""
    assert "no preload" in caplog.text
    assert chunk_preload.installed_header.__wrapped__(tmp_path / "missing") == b""


def _answer(content_type: bytes, *, method: str = "GET", status: int = 200, kind: str = "http"):
    """The response start message an app answering with `content_type` sends through PreloadChunks."""
    sent: list[dict] = []

    async def endpoint(scope, receive, send) -> None:  # noqa: ANN001
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type)]})
        await send({"type": "http.response.body", "body": b"<html></html>"})

    async def send(message) -> None:  # noqa: ANN001
        sent.append(message)

    app = chunk_preload.PreloadChunks(endpoint)
    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever loop pytest runs
        pool.submit(asyncio.run, app({"type": kind, "method": method}, None, send)).result(timeout=30)
    return dict(sent[0]["headers"]), sent[1]["body"]


def test_the_page_gets_the_link_header_and_nothing_else_does() -> None:
    headers, body = _answer(b"text/html; charset=utf-8")
    assert headers[b"link"] == chunk_preload.installed_header() and body == b"<html></html>"
    assert b"link" in _answer(b"text/html", method="HEAD")[0]
    assert b"link" not in _answer(b"application/javascript")[0]
    assert b"link" not in _answer(b"text/html", status=304)[0]
    assert b"link" not in _answer(b"text/html", method="POST")[0]


@pytest.mark.parametrize("kind", ["websocket", "lifespan"])
def test_other_connections_pass_through_untouched(kind: str) -> None:
    seen: list[str] = []

    async def endpoint(scope, receive, send) -> None:  # noqa: ANN001
        seen.append(scope["type"])

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, chunk_preload.PreloadChunks(endpoint)({"type": kind}, None, None)).result(30)
    assert seen == [kind]


def test_app_py_serves_with_the_preload() -> None:
    assert "Middleware(PreloadChunks)" in APP.read_text()
