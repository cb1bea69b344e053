"""Fetching the yearly MSSP results files from CMS's public data API into a folder.

CMS serves each performance year as a dataset of data.cms.gov. Its data API answers JSON pages
(`.../dataset/{id}/data?size=N&offset=K`, an array of row objects) and the dataset also has a CSV
download; this module tries the JSON pages first and the CSV path if they fail, and saves each year
as `mssp_puf_pyYYYY.csv`. The dataset ids come from one catalogue (below, from the project's
docs/cms-sources.md); a year can be pointed elsewhere by passing `catalogue`. A year that fails is
reported by name and the other years go on. Files are written atomically (temporary file, rename).
"""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from data.cms_files import content

DEFAULT_BASE_URL = "https://data.cms.gov"
BASE_URL_ENV = "ACO_LENS_CMS_BASE_URL"
DATA_PATH = "/data-api/v1/dataset/{id}/data"
CSV_PATH = "/data-api/v1/dataset/{id}/data.csv"
PAGE_SIZE = 1000
TIMEOUT_SECONDS = 60
MAX_PAGES = 1000  # a server that never returns a short page must not loop forever
MAX_RESPONSE_BYTES = 64_000_000  # one page or one CSV; CMS's largest year is a few MB
Progress = Callable[[int, int, int], None]  # (years done, years in all, the year just done)

# Dataset id per performance year (samstearns/mssp R/cms_endpoints.R, via docs/cms-sources.md).
# PY2022 is left out: that source gives it PY2021's id, and one of the two is wrong.
CATALOGUE: dict[int, str] = {
    2013: "bc90f498-76f4-4e75-8225-8aae30336059",
    2014: "0ef9b1e2-e23b-4a01-921c-1ac7290c814b",
    2015: "156c00e2-ab42-4923-b54f-09c031f5f28d",
    2016: "a290fdd3-976a-4fc9-9139-a98193b3af82",
    2017: "3b306450-1836-417b-b779-7d70fd2fc734",
    2018: "80c86127-8839-4f35-b87b-aa37664afd19",
    2019: "9c3a4c69-7d00-4307-9b6f-a080dc90417e",
    2020: "8f073013-9db0-4b12-9a34-5802bdabbdfe",
    2021: "a5d74ce2-ba38-47be-8523-146e4ad41832",
    2023: "7082a8f1-6d51-4723-853d-086bf254f5fb",
    2024: "73b2ce14-351d-40ac-90ba-ec9e1f5ba80c",
}
KNOWN_GAPS: dict[int, str] = {2022: "no trustworthy dataset id (the source repeats PY2021's)"}


class DownloadError(RuntimeError):
    """One year could not be fetched; the message says why in one line."""


@dataclass
class DownloadResult:
    """The outcome for one year: a saved file, or an error message."""

    year: int
    url: str
    path: Path | None = None
    rows: int = 0
    error: str | None = None


def resolve_base_url(explicit: str | None = None) -> str:
    """--base-url, else $ACO_LENS_CMS_BASE_URL, else data.cms.gov (no trailing slash)."""
    return (explicit or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def file_name(year: int) -> str:
    return f"mssp_puf_py{year}.csv"


def _get(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json, text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_RESPONSE_BYTES + 1)
            if len(data) > MAX_RESPONSE_BYTES:
                raise DownloadError(f"more than {MAX_RESPONSE_BYTES // 1_000_000} MB from {url}: not read")
            return data
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"HTTP {exc.code} from {url}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"cannot reach {url}: {reason}") from exc


def fetch_json_rows(root: str, dataset_id: str, page_size: int = PAGE_SIZE, *,
                    timeout: float = TIMEOUT_SECONDS) -> list[dict[str, object]]:
    """All rows of a dataset, page by page, until a page is shorter than `page_size`."""
    rows: list[dict[str, object]] = []
    for page in range(MAX_PAGES):
        query = urllib.parse.urlencode({"size": page_size, "offset": page * page_size})
        url = f"{root}{DATA_PATH.format(id=dataset_id)}?{query}"
        try:
            batch = json.loads(_get(url, timeout))
        except json.JSONDecodeError as exc:
            raise DownloadError(f"not JSON from {url}: {exc.msg}") from exc
        if not isinstance(batch, list) or not all(isinstance(r, dict) for r in batch):
            raise DownloadError(f"unexpected JSON from {url}: not a list of rows")
        rows.extend(batch)
        if len(batch) < page_size:
            return rows
    raise DownloadError(f"more than {MAX_PAGES} pages from dataset {dataset_id}")


def probe(root: str, dataset_id: str, timeout: float) -> None:
    """Raises DownloadError unless the data API answers one row of `dataset_id` within `timeout`."""
    url = f"{root}{DATA_PATH.format(id=dataset_id)}?{urllib.parse.urlencode({'size': 1, 'offset': 0})}"
    try:
        rows = json.loads(_get(url, timeout))
    except DownloadError as exc:  # the site, not the long dataset URL, in the one-line message
        raise DownloadError(str(exc).replace(url, root)) from exc
    except json.JSONDecodeError as exc:
        raise DownloadError(f"not JSON from {root}: {exc.msg}") from exc
    if not isinstance(rows, list) or not rows:
        raise DownloadError(f"no rows from {url}")


def rows_to_csv(rows: list[dict[str, object]]) -> str:
    """CSV text with the columns in the order the API first names them (later new keys appended)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def _save(dest: Path, data: bytes) -> None:
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


def download_year(year: int, dest_dir: Path, *, root: str, dataset_id: str,
                  page_size: int = PAGE_SIZE, timeout: float = TIMEOUT_SECONDS) -> DownloadResult:
    """Fetch one year (JSON pages, else the CSV download) into `dest_dir`; errors in the result."""
    json_url = f"{root}{DATA_PATH.format(id=dataset_id)}"
    try:
        rows = fetch_json_rows(root, dataset_id, page_size, timeout=timeout)
        if not rows:
            raise DownloadError(f"dataset {dataset_id} returned no rows")
        data, url, count = rows_to_csv(rows).encode(), json_url, len(rows)
    except DownloadError as json_error:
        url = f"{root}{CSV_PATH.format(id=dataset_id)}"
        try:
            data = _get(url, timeout)
        except DownloadError as csv_error:
            return DownloadResult(year, json_url, error=f"{json_error}; CSV download: {csv_error}")
        try:  # a web page or an archive answered with 200 is not saved as a .csv for the build to trip on
            content.decode(data)
        except content.NotText as exc:
            return DownloadResult(year, url, error=f"{json_error}; CSV download: {exc}")
        count = max(data.count(b"\n") - 1, 0)
    path = dest_dir / file_name(year)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        _save(path, data)
    except OSError as exc:
        return DownloadResult(year, url, error=f"cannot write {path}: {exc.strerror or exc}")
    return DownloadResult(year, url, path, count)


def download_all(
    dest_dir: Path,
    *,
    base_url: str | None = None,
    years: list[int] | None = None,
    catalogue: Mapping[int, str] | None = None,
    page_size: int = PAGE_SIZE,
    timeout: float = TIMEOUT_SECONDS,
    progress: Progress | None = None,
) -> list[DownloadResult]:
    """Fetch every catalogued year (or `years`) into `dest_dir`; one result per year, failures included.

    `progress(done, total, year)` is called after each year (the app's first start shows it).
    """
    root = resolve_base_url(base_url)
    ids = dict(CATALOGUE if catalogue is None else catalogue)
    wanted = sorted(years or set(ids) | set(KNOWN_GAPS))
    results = []
    for done, year in enumerate(wanted, start=1):
        if year not in ids:
            reason = KNOWN_GAPS.get(year, "not in the catalogue")
            results.append(DownloadResult(year, root, error=f"no dataset id: {reason}"))
        else:
            results.append(download_year(year, Path(dest_dir), root=root, dataset_id=ids[year],
                                         page_size=page_size, timeout=timeout))
        if progress is not None:
            progress(done, len(wanted), year)
    return results
