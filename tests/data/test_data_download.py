"""The downloader against a local imitation of CMS's data API (127.0.0.1 only, random port).

The server answers `/data-api/v1/dataset/{id}/data?size=&offset=` with JSON pages built from the
CMS files in ../shared/data/cms, and `/data-api/v1/dataset/{id}/data.csv` with the file itself.
"""

from __future__ import annotations

import csv
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from data import download
from data.build import build_database, main


@dataclass
class FakeApi:
    """What the fake API serves and what it was asked."""

    files: dict[str, Path]
    broken_json: set[str] = field(default_factory=set)
    broken_all: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def rows(self, dataset_id: str) -> list[dict[str, str]]:
        with self.files[dataset_id].open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            api.requests.append(self.path)
            url = urllib.parse.urlparse(self.path)
            parts = url.path.strip("/").split("/")
            if len(parts) != 5 or parts[:3] != ["data-api", "v1", "dataset"] or parts[3] not in api.files:
                return self._send(404, b"not found", "text/plain")
            dataset_id, what = parts[3], parts[4]
            if dataset_id in api.broken_all:
                return self._send(500, b"server error", "text/plain")
            if what == "data.csv":
                return self._send(200, api.files[dataset_id].read_bytes(), "text/csv")
            if what != "data" or dataset_id in api.broken_json:
                return self._send(404, b"not found", "text/plain")
            query = urllib.parse.parse_qs(url.query)
            size, offset = int(query["size"][0]), int(query["offset"][0])
            page = api.rows(dataset_id)[offset:offset + size]
            return self._send(200, json.dumps(page).encode(), "application/json")

    return Handler


@pytest.fixture
def fake_api(cms_dir: Path) -> Iterator[FakeApi]:
    by_year = {int(p.stem[-4:]): p for p in cms_dir.glob("mssp_*_py*.csv")}
    api = FakeApi({dataset_id: by_year[year] for year, dataset_id in download.CATALOGUE.items()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def test_json_pages_saved_as_yearly_files(fake_api, tmp_path):
    results = download.download_all(tmp_path, base_url=fake_api.url, years=[2014, 2024], page_size=100)
    assert [(r.year, r.rows, r.error) for r in results] == [(2014, 333, None), (2024, 476, None)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mssp_puf_py2014.csv", "mssp_puf_py2024.csv"]
    pages = [r for r in fake_api.requests if download.CATALOGUE[2024] in r]
    assert len(pages) == 5 and pages[-1].endswith("offset=400")  # 476 rows in pages of 100
    with (tmp_path / "mssp_puf_py2024.csv").open(newline="") as fh:
        first = next(csv.DictReader(fh))
    assert first["ACO_ID"] == "A1001" and first["Sav_rate"] == "8.89"


def test_csv_download_when_json_fails(fake_api, tmp_path):
    fake_api.broken_json.add(download.CATALOGUE[2013])
    [result] = download.download_all(tmp_path, base_url=fake_api.url, years=[2013])
    assert result.error is None and result.url.endswith("/data.csv")
    original = fake_api.files[download.CATALOGUE[2013]]
    assert (tmp_path / "mssp_puf_py2013.csv").read_bytes() == original.read_bytes()


def test_failed_year_is_reported_and_others_go_on(fake_api, tmp_path):
    fake_api.broken_all.add(download.CATALOGUE[2016])
    fetched = download.download_all(tmp_path, base_url=fake_api.url, years=[2015, 2016, 2017])
    results = {r.year: r for r in fetched}
    assert results[2016].error is not None and "HTTP 500" in results[2016].error
    assert results[2015].error is None and results[2017].error is None
    assert not (tmp_path / "mssp_puf_py2016.csv").exists()


def test_unreachable_server(tmp_path):
    [result] = download.download_all(tmp_path, base_url="http://127.0.0.1:9", years=[2024])
    assert result.error and "cannot reach" in result.error and result.path is None


def test_build_with_download(fake_api, tmp_path, monkeypatch, capsys):
    """--download fetches every catalogued year, reports the ones it cannot get, builds the rest."""
    fake_api.broken_all.add(download.CATALOGUE[2018])
    monkeypatch.setenv(download.BASE_URL_ENV, fake_api.url)
    cms = tmp_path / "cms"
    out = tmp_path / "aco.duckdb"
    assert main(["--cms-dir", str(cms), "--out", str(out), "--download"]) == 0
    err = capsys.readouterr().err
    assert "download PY2018: HTTP 500" in err and "download PY2022: no dataset id" in err
    with duckdb.connect(str(out), read_only=True) as con:
        years = dict(con.execute("SELECT performance_year, count(*) FROM aco_year GROUP BY 1").fetchall())
        earned = con.execute("SELECT cms_earned_savings_losses FROM aco_year "
                             "WHERE performance_year = 2024 AND aco_id = 'A1026'").fetchone()[0]
        origin = con.execute("SELECT origin FROM source WHERE performance_year = 2024").fetchone()[0]
    assert 2018 not in years and 2022 not in years
    assert years[2013] == 220 and years[2024] == 476 and len(years) == 10
    assert earned == 11_143_493
    assert origin.startswith(fake_api.url) and download.CATALOGUE[2024] in origin


def test_build_database_download_argument(fake_api, tmp_path):
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", download=True, base_url=fake_api.url,
                            quiet=True)
    assert report.rows_per_year[2019] == 475 and report.rows_per_year[2015] == 392
    assert not report.synthetic and len(report.files) == 11  # every catalogued year, PY2022 has no id


def test_base_url_resolution(monkeypatch):
    monkeypatch.delenv(download.BASE_URL_ENV, raising=False)
    assert download.resolve_base_url() == "https://data.cms.gov"
    monkeypatch.setenv(download.BASE_URL_ENV, "http://127.0.0.1:8000/")
    assert download.resolve_base_url() == "http://127.0.0.1:8000"
    assert download.resolve_base_url("http://127.0.0.1:1") == "http://127.0.0.1:1"


def test_json_rows_to_csv_keeps_column_order_and_blanks():
    text = download.rows_to_csv([{"B": "1", "A": None}, {"B": "2", "A": "x", "C": "new"}])
    assert text.splitlines() == ["B,A,C", "1,,", "2,x,new"]


def test_unwritable_destination_is_reported(fake_api, tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    [result] = download.download_all(blocker, base_url=fake_api.url, years=[2024])
    assert result.path is None and result.error.startswith("cannot write")
