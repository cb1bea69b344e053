"""Time from a first start with no CMS folder to data the app can show; prints figures, asserts nothing.

Three cases on loopback only (no request leaves the machine): a local imitation of CMS's data API
serving the CMS folder's files (when present; else invented rows), a closed port (connection
refused) and a port that accepts and never answers. Target (issue 9): the demo data within 10 s when
the download is not possible.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import csv  # noqa: E402

from data import download, first_start  # noqa: E402
from data.build import ensure_database  # noqa: E402

CMS = ROOT.parent / "shared" / "data" / "cms"


def _rows_by_id() -> dict[str, list[dict[str, str]]]:
    by_year = {int(p.stem[-4:]): p for p in CMS.glob("mssp_*_py*.csv")}
    rows = {}
    for year, dataset_id in download.CATALOGUE.items():
        if year in by_year:
            with by_year[year].open(encoding="utf-8-sig", newline="") as fh:
                rows[dataset_id] = list(csv.DictReader(fh))
    if not rows:
        from tests.data.conftest import TINY_HEADER, TINY_ROWS
        rows[download.CATALOGUE[2024]] = [dict(zip(TINY_HEADER, r, strict=True)) for r in TINY_ROWS]
    return rows


def _serve(rows: dict[str, list[dict[str, str]]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            url = urllib.parse.urlparse(self.path)
            parts = url.path.strip("/").split("/")
            query = urllib.parse.parse_qs(url.query)
            found = len(parts) == 5 and parts[3] in rows and parts[4] == "data"
            if found:
                size, offset = int(query["size"][0]), int(query["offset"][0])
                body = json.dumps(rows[parts[3]][offset:offset + size]).encode()
            else:
                body = b"not found"
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _first_start(base_url: str, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        outcome = first_start.fetch(Path(tmp) / "cms_download", base_url=base_url)
        fetched = time.perf_counter() - started
        report = ensure_database(Path(tmp) / "aco.duckdb", outcome.cms_dir)
        total = time.perf_counter() - started
    kind = "synthetic demo" if report is None or report.synthetic else f"CMS, {report.rows:,} ACO-years"
    print(f"first start, {label}: {fetched:.2f} s to fetch or give up, {total:.2f} s to a database "
          f"({kind}); {outcome.message}")


def main() -> None:
    server = _serve(_rows_by_id())
    try:
        _first_start(f"http://127.0.0.1:{server.server_address[1]}", "local data API")
    finally:
        server.shutdown()
        server.server_close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    _first_start(f"http://127.0.0.1:{closed}", "closed port")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        _first_start(f"http://127.0.0.1:{silent.getsockname()[1]}", "server that never answers")
    finally:
        silent.close()


if __name__ == "__main__":
    main()
