"""The app's first start with no CMS folder: CMS's files fetched from its data site, or the demo data soon.

A hosted copy (Streamlit Community Cloud, a container) has no `../shared/data/cms`. When the
database is missing and no CMS folder is configured, the app fetches CMS's yearly files into
`cms_download/` beside the database (data/download.py) and builds from them. Whether the site can be
reached is tried first with one small request that must answer within PROBE_SECONDS; it runs in a
thread, so a name lookup that hangs (no network at all) cannot hold the start either. When it fails,
the app builds the labelled synthetic demo data at once: the viewer waits seconds, not minutes.

ACO_LENS_DOWNLOAD=0 (or off/false/no) switches the download off; ACO_LENS_CMS_BASE_URL points it at a
mirror (data/download.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from data import download
from data.cms_files.sources import discover

DOWNLOAD_ENV = "ACO_LENS_DOWNLOAD"
DOWNLOAD_DIR_NAME = "cms_download"
PROBE_SECONDS = 3.0  # then the demo data are built (1 s; 4 s on a busy machine): fallback within 10 s
FETCH_TIMEOUT_SECONDS = 30.0  # per request, once the probe answered
_OFF = frozenset({"0", "off", "false", "no"})


@dataclass(frozen=True)
class FirstStart:
    """Where the CMS files are (None: fall back to the demo data) and what happened.

    `message` (for the server log) names the site and the reason; `headline` is the plain sentence a
    viewer sees (no address, no error text).
    """

    cms_dir: Path | None
    message: str
    seconds: float
    headline: str = ""


def downloads_enabled() -> bool:
    return os.environ.get(DOWNLOAD_ENV, "").strip().lower() not in _OFF


def download_dir(database: Path) -> Path:
    return Path(database).parent / DOWNLOAD_DIR_NAME


def _probe(root: str, dataset_id: str, seconds: float) -> str | None:
    """None when the data site answered within `seconds`, else why not (one line)."""
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            download.probe(root, dataset_id, timeout=seconds)
            outcome.append(None)
        except download.DownloadError as exc:
            outcome.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the app falls back to the demo data
            outcome.append(f"{type(exc).__name__}: {exc}")

    worker = threading.Thread(target=attempt, name="cms-probe", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        return f"{root} did not answer within {seconds:g} s"
    return outcome[0]


def fetch(
    dest: Path,
    *,
    base_url: str | None = None,
    catalogue: Mapping[int, str] | None = None,
    probe_seconds: float = PROBE_SECONDS,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    progress: download.Progress | None = None,
) -> FirstStart:
    """CMS's files in `dest` (downloaded now, or by an earlier start), or why there are none."""
    started = time.perf_counter()

    def result(folder: Path | None, message: str, count: int = 0) -> FirstStart:
        headline = (f"Downloaded {count} of CMS's yearly results files" if count
                    else "Using CMS's results files downloaded before" if folder
                    else "CMS's data site could not be reached: showing synthetic demo data")
        return FirstStart(folder, message, time.perf_counter() - started, headline)

    if discover(Path(dest)):
        return result(Path(dest), "CMS's files downloaded at an earlier start")
    root = download.resolve_base_url(base_url)
    ids = dict(download.CATALOGUE if catalogue is None else catalogue)
    if not ids:
        return result(None, "no CMS dataset to download: showing synthetic demo data")
    problem = _probe(root, ids[max(ids)], probe_seconds)
    if problem:
        return result(None, f"CMS's files could not be downloaded ({problem}): showing synthetic demo data")
    results = download.download_all(Path(dest), base_url=root, catalogue=ids, timeout=timeout,
                                    progress=progress)
    saved = [r for r in results if r.path is not None]
    failed = [f"PY{r.year}" for r in results if r.error]
    if not saved:
        return result(None, f"CMS's files could not be downloaded ({results[0].error}): "
                            "showing synthetic demo data")
    missing = f"; not available: {', '.join(failed)}" if failed else ""
    return result(Path(dest), f"downloaded {len(saved)} yearly file(s) from {root} in "
                              f"{time.perf_counter() - started:.0f} s{missing}", len(saved))
