"""First start with no CMS folder: CMS's files fetched (a local imitation of CMS's data API on 127.0.0.1
serving small invented files), or the demo data within 10 s when that is not possible (a closed port,
a server that never answers), or no download at all when switched off. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import download, first_start
from data.build import ensure_database
from tests.data.conftest import TINY_HEADER, TINY_ROWS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CATALOGUE = {2023: "invented-2023", 2024: "invented-2024"}


@dataclass
class LocalApi:
    """Invented PY2023 and PY2024 rows as CMS's data API would page them; what it was asked."""

    url: str = ""
    requests: list[str] = field(default_factory=list)
    json_broken: bool = False  # JSON pages answer 404, so the CSV download is tried
    csv_body: bytes = b"not found"  # what the CSV download answers (with 200)
    drop_column: str | None = None  # a column left out of every row

    def rows(self) -> list[dict[str, str]]:
        rows = [dict(zip(TINY_HEADER, row, strict=True)) for row in TINY_ROWS]
        return [{k: v for k, v in r.items() if k != self.drop_column} for r in rows]


def _handler(api: LocalApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            api.requests.append(self.path)
            url = urllib.parse.urlparse(self.path)
            parts = url.path.strip("/").split("/")
            known = len(parts) == 5 and parts[3] in CATALOGUE.values()
            if known and parts[4] == "data.csv":
                body, status = api.csv_body, 200
            elif not known or parts[4] != "data" or api.json_broken:
                body, status = b"not found", 404
            else:
                query = urllib.parse.parse_qs(url.query)
                size, offset = int(query["size"][0]), int(query["offset"][0])
                body, status = json.dumps(api.rows()[offset:offset + size]).encode(), 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def local_api(monkeypatch) -> Iterator[LocalApi]:
    api = LocalApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(download, "CATALOGUE", CATALOGUE)
    monkeypatch.setenv(download.BASE_URL_ENV, api.url)
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port(monkeypatch) -> str:
    """A loopback address where nothing listens: the connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setattr(download, "CATALOGUE", CATALOGUE)
    monkeypatch.setenv(download.BASE_URL_ENV, url)
    return url


@pytest.fixture
def silent_server(monkeypatch) -> Iterator[str]:
    """A loopback port that accepts connections and never answers (a network that swallows requests)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    monkeypatch.setattr(download, "CATALOGUE", CATALOGUE)
    monkeypatch.setenv(download.BASE_URL_ENV, url)
    try:
        yield url
    finally:
        listener.close()


def test_files_fetched_with_progress_then_built(tmp_path, local_api):
    steps = []
    outcome = first_start.fetch(tmp_path / "cms_download", progress=lambda *a: steps.append(a))
    assert outcome.cms_dir == tmp_path / "cms_download"
    assert outcome.message.startswith(f"downloaded 2 yearly file(s) from {local_api.url} in ")
    assert outcome.message.endswith("; not available: PY2022")  # the catalogue's known gap
    assert steps == [(1, 3, 2022), (2, 3, 2023), (3, 3, 2024)]
    assert outcome.headline == "Downloaded 2 of CMS's yearly results files"
    report = ensure_database(tmp_path / "aco.duckdb", outcome.cms_dir)
    assert report is not None and not report.synthetic and report.years == [2023, 2024] and report.rows == 6
    again = first_start.fetch(tmp_path / "cms_download")  # a later start finds them: nothing fetched
    assert again.cms_dir == outcome.cms_dir and "earlier start" in again.message


def test_web_page_in_place_of_a_csv_is_not_saved(tmp_path, local_api):
    local_api.json_broken = True
    local_api.csv_body = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
    [result] = download.download_all(tmp_path, base_url=local_api.url, catalogue=CATALOGUE, years=[2024])
    assert result.path is None and "an HTML or XML page, not CSV text" in result.error
    assert not list(tmp_path.iterdir())


def test_refused_connection_falls_back_at_once(tmp_path, closed_port):
    outcome = first_start.fetch(tmp_path / "cms_download")
    assert outcome.cms_dir is None and outcome.seconds < 2
    assert outcome.message.startswith(f"CMS's files could not be downloaded (cannot reach {closed_port}")
    assert outcome.message.endswith("showing synthetic demo data")
    assert outcome.headline == "CMS's data site could not be reached: showing synthetic demo data"
    assert not (tmp_path / "cms_download").exists()


def test_server_that_never_answers_falls_back_within_the_probe_time(tmp_path, silent_server):
    outcome = first_start.fetch(tmp_path / "cms_download", probe_seconds=1.5)
    assert outcome.cms_dir is None and 1.4 < outcome.seconds < 4
    assert "could not be downloaded" in outcome.message


def test_default_probe_gives_up_after_its_time_then_demo_data(tmp_path, silent_server):
    """The fallback's time is the probe's plus the demo build (benchmarks/first_start.py prints both)."""
    outcome = first_start.fetch(tmp_path / "cms_download")
    assert outcome.cms_dir is None
    assert first_start.PROBE_SECONDS <= outcome.seconds < first_start.PROBE_SECONDS + 3
    report = ensure_database(tmp_path / "aco.duckdb", outcome.cms_dir)
    assert report is not None and report.synthetic


def test_switched_off(monkeypatch):
    for value in ("0", "off", "False", "no"):
        monkeypatch.setenv(first_start.DOWNLOAD_ENV, value)
        assert not first_start.downloads_enabled()
    monkeypatch.setenv(first_start.DOWNLOAD_ENV, "1")
    assert first_start.downloads_enabled()
    monkeypatch.delenv(first_start.DOWNLOAD_ENV)
    assert first_start.downloads_enabled()


# --- the app's first start (AppTest: app.py with no CMS folder and no database) --------------------
def _start_app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("ACO_LENS_DB", str(db))
    monkeypatch.setenv("ACO_LENS_CMS_DIR", "")
    st.cache_resource.clear()  # a new process as far as the first-start state is concerned
    return AppTest.from_file(APP, default_timeout=120).run()


def test_app_first_start_downloads_and_shows_cms_data(tmp_path, local_api, monkeypatch):
    monkeypatch.delenv(first_start.DOWNLOAD_ENV, raising=False)
    db = tmp_path / "app" / "aco.duckdb"
    at = _start_app(monkeypatch, db)
    assert not at.exception, [e.message for e in at.exception]
    assert any("invented-2024" in r for r in local_api.requests)
    assert (db.parent / "cms_download" / "mssp_puf_py2024.csv").exists()
    assert not any("Synthetic demo data" in i.value for i in at.info)
    assert at.status[0].label == "Downloaded 2 of CMS's yearly results files"  # no address shown
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*), bool_or(synthetic) FROM aco_year").fetchone() == (6, False)


def test_app_first_start_without_network_shows_demo_data_within_ten_seconds(tmp_path, closed_port,
                                                                           monkeypatch):
    monkeypatch.delenv(first_start.DOWNLOAD_ENV, raising=False)
    at = _start_app(monkeypatch, tmp_path / "aco.duckdb")
    assert not at.exception, [e.message for e in at.exception]
    assert any("Synthetic demo data" in i.value for i in at.info)
    assert not (tmp_path / "cms_download").exists()


def test_app_first_start_with_files_the_build_cannot_read_shows_demo_data(tmp_path, local_api,
                                                                         monkeypatch):
    monkeypatch.delenv(first_start.DOWNLOAD_ENV, raising=False)
    local_api.drop_column = "N_AB"  # every downloaded file lacks a required column
    at = _start_app(monkeypatch, tmp_path / "aco.duckdb")
    assert not at.exception and not at.error
    assert any("Synthetic demo data" in i.value for i in at.info)


def test_app_first_start_switched_off_asks_nobody(tmp_path, local_api, monkeypatch):
    monkeypatch.setenv(first_start.DOWNLOAD_ENV, "0")
    at = _start_app(monkeypatch, tmp_path / "aco.duckdb")
    assert not at.exception and not local_api.requests
    assert any("Synthetic demo data" in i.value for i in at.info)
