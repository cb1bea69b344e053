"""The app's handle on data/aco.duckdb: built if missing, opened once per process, read with caching.

`database()` makes sure the file exists (`data.build.ensure_database`: real CMS files from
ACO_LENS_CMS_DIR; with no folder configured, CMS's files downloaded on first start with progress
shown (data/first_start.py); else the synthetic demo set) and returns one read-only `AcoDatabase`
per file version. The cached readers below are keyed on (path, modification time), so a rebuilt file is read
afresh (`_kept`: one copy for every session, each caller handed its own frame over it). `banner()` says
plainly which data the page shows.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from data.queries import AcoDatabase
from ui import page_cache
from ui.text import plain, without_paths

DB_ENV = "ACO_LENS_DB"
CMS_DIR_ENV = "ACO_LENS_CMS_DIR"
DEFAULT_DB = Path(__file__).resolve().parents[1] / "data" / "aco.duckdb"

Key = tuple[str, float]
_LOG = logging.getLogger(__name__)
_Reader = TypeVar("_Reader", bound=Callable[..., Any])


def _own(value: Any) -> Any:
    """The caller's own handle on a kept value: a frame over the same columns (pandas' copy-on-write copies
    a column only when the caller changes it, so the kept frame never changes), a copy of anything else."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    return copy.deepcopy(value)


def _kept(max_entries: int) -> Callable[[_Reader], _Reader]:
    """Keep a reader's results by its plain arguments (a database key, years, an id), for every session.

    Was st.cache_data, which hashes the arguments through Streamlit's hasher and unpickles a fresh copy of
    the result on every hit: 13 ms a call for all of aco_year, 18 ms for the lineage index, on the one core
    every viewer's page runs share. A kept result is read once per database version and handed to each
    caller as its own frame (`_own`), which costs microseconds.
    """
    def decorate(reader: _Reader) -> _Reader:
        kept = page_cache.Memo(reader, max_entries)

        @functools.wraps(reader)
        def read(*args: Any) -> Any:
            return _own(kept(*args))

        read.clear = kept.clear  # type: ignore[attr-defined]
        return read  # type: ignore[return-value]

    return decorate


def db_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def cms_dir() -> Path | None:
    text = os.environ.get(CMS_DIR_ENV, "").strip()
    return Path(text) if text else None


@st.cache_resource(show_spinner="Preparing the ACO database (first start only)...")
def _prepare(path: str, cms: str | None) -> str | None:
    """Build the file when missing or unreadable; the error text (never a traceback) if that fails.

    A sound file (the usual case at start) is checked without importing the build (its CMS formats,
    download and demo modules): that import alone delayed the first page of a fresh server.
    """
    from data.store import database_problem

    with contextlib.suppress(OSError):  # a file it cannot even look at goes to the build, which says why
        if database_problem(Path(path)) is None:
            return None
    from data.build import BuildError, ensure_database

    try:
        ensure_database(Path(path), Path(cms) if cms else None)
    except (BuildError, OSError) as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the page says so instead of a traceback
        _LOG.exception("building %s failed", path)
        return f"{type(exc).__name__}: {exc}"
    return None


@st.cache_resource
def _first_start_state(path: str) -> dict[str, object]:
    """Once per process and database: whether the first-start download was tried, the folder it gave."""
    return {"lock": threading.Lock(), "tried": False, "folder": None}


def _first_start_folder(path: Path) -> Path | None:
    """No CMS folder configured: CMS's files fetched into the database's folder on first start.

    Only when the database is missing (a copy that has one, even the demo set, is left alone) and
    ACO_LENS_DOWNLOAD is not off. The first session shows the progress; others wait for it.
    """
    from data import first_start

    if cms_dir() is not None or not first_start.downloads_enabled():
        return None
    state = _first_start_state(str(path))
    with state["lock"]:  # type: ignore[attr-defined]
        if not state["tried"]:
            state["tried"] = True
            folder = first_start.download_dir(path)
            if path.exists():
                state["folder"] = folder if folder.is_dir() else None
            else:
                state["folder"] = _download_with_progress(folder)
    return state["folder"]  # type: ignore[return-value]


def _download_with_progress(folder: Path) -> Path | None:
    from data import first_start

    with st.status("First start: fetching CMS's public results files…", expanded=True) as status:
        bar = st.progress(0.0, text="Contacting CMS's data site…")

        def progress(done: int, total: int, year: int) -> None:
            bar.progress(done / total, text=f"PY{year}: {done} of {total} performance years")

        outcome = first_start.fetch(folder, progress=progress)
        _LOG.warning("first start: %s", outcome.message)
        status.update(label=outcome.headline, state="complete" if outcome.cms_dir else "error",
                      expanded=False)
    return outcome.cms_dir


@st.cache_resource(show_spinner=False)
def _prepare_downloaded(path: str, folder: str) -> str | None:
    """`_prepare` from the first start's downloaded files; the demo data if the build cannot read them."""
    problem = _prepare(path, folder)
    if problem:
        _LOG.warning("first start: CMS's downloaded files not built (%s): demo data instead", problem)
        return _prepare(path, None)
    return None


def _problem(path: Path) -> str | None:
    """`_prepare` (or `_prepare_downloaded`) for `path`: None when the file is sound, else why not."""
    configured = cms_dir()
    downloaded = None if configured else _first_start_folder(path)
    if downloaded is not None:
        return _prepare_downloaded(str(path), str(downloaded))
    return _prepare(str(path), str(configured) if configured else None)


def db_key() -> Key:
    """(path, modification time): the cache key of everything read from the file.

    The first call in a process builds the file when it is missing or damaged (app.py calls it before
    any page); a failure shows a clear error and stops the page.
    """
    path = db_path()
    problem = _problem(path)
    if problem:  # shown without the server's folders (ui.text.without_paths), as text
        st.error(f"The ACO database could not be built: {plain(without_paths(problem))}")
        st.stop()
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        st.error(f"No database file ({plain(path.name)}). Build it with `python -m data.build` (or "
                 "`make data`).")
        st.stop()


def warm_up() -> Key | None:
    """At server start, before any viewer (ui.server_start): the file checked and opened, and what every
    page reads first read once, so that the first viewer's page does not wait for it.

    Only an existing file: a missing one is built (or downloaded) by the first viewer's page, which shows
    the progress. Shows nothing, raises nothing: a damaged file's problem is kept (cached) for that page
    to say, and anything unexpected goes to the server log.
    """
    path = db_path()
    if not path.exists():
        return None
    if _problem(path):
        return None
    key = str(path), path.stat().st_mtime
    summary(key)
    years(key)
    tracks(key)
    published(key)
    aco_index(key)
    return key


@st.cache_resource(max_entries=2)
def _open(key: Key) -> AcoDatabase:
    return AcoDatabase(key[0])


def database(key: Key | None = None) -> AcoDatabase:
    return _open(key or db_key())


@_kept(4)
def summary(key: Key) -> dict[str, object]:
    return database(key).summary()


@_kept(4)
def aco_index(key: Key) -> pd.DataFrame:
    return database(key).aco_index()


@_kept(4)
def years(key: Key) -> list[int]:
    return database(key).years()


@_kept(64)
def aco_rows(key: Key, aco_id: str) -> pd.DataFrame:
    return database(key).aco_rows(aco_id)


@_kept(16)
def year_rows(key: Key, year: int) -> pd.DataFrame:
    return database(key).year_rows(year)


@_kept(4)
def all_rows(key: Key) -> pd.DataFrame:
    return database(key).all_rows()


@_kept(4)
def history(key: Key) -> pd.DataFrame:
    return database(key).history()


def banner(key: Key) -> dict[str, object]:
    """Say which data the page shows; stops the page when the database is empty."""
    info = summary(key)
    if info["rows"] == 0:
        st.error("The database has no ACO-years. Rebuild it with `python -m data.build`.")
        st.stop()
    years_text = f"PY{info['first_year']}-{info['last_year']}"
    if info["synthetic"]:
        st.info(
            f"**Synthetic demo data** ({years_text}): made-up ACOs generated by ACO Lens, not CMS results. "
            f"Point ACO_LENS_CMS_DIR at CMS's files to see the real program.",
            icon=":material/science:",
        )
    elif info["any_synthetic"]:
        st.warning(f"Mixed data ({years_text}): some rows are synthetic demo rows.")
    else:
        st.caption(f"Data: CMS MSSP Performance Year Financial and Quality Results, {years_text} "
                   f"({len(info['files'])} files).")
    return info


# --- overview, explorer and data pages -------------------------------------------------------------
@_kept(4)
def tracks(key: Key) -> list[str]:
    return database(key).tracks()


@_kept(4)
def sources(key: Key) -> pd.DataFrame:
    return database(key).sources()


@_kept(32)
def rows(key: Key, years: tuple[int, ...], tracks: tuple[str, ...], states: tuple[str, ...] = (),
         two_sided: bool | None = None, revenue: str | None = None) -> pd.DataFrame:
    return database(key).rows(years, tracks, states=states, two_sided=two_sided, revenue=revenue)


@_kept(32)
def program_totals(key: Key, years: tuple[int, ...], tracks: tuple[str, ...], states: tuple[str, ...] = (),
                   two_sided: bool | None = None, revenue: str | None = None) -> pd.DataFrame:
    return database(key).program_totals(years, tracks, states=states, two_sided=two_sided, revenue=revenue)


@_kept(4)
def published(key: Key) -> dict[str, list]:
    """The years that publish a state and a revenue category, and the states the data's ACOs are in."""
    return database(key).published()


@_kept(64)
def peers(key: Key, year: int, track: str, low: int, high: int) -> pd.DataFrame:
    return database(key).peers(year, track, low, high)


@_kept(128)
def search(key: Key, text: str) -> pd.DataFrame:
    return database(key).search(text)


@_kept(4)
def upfront_index(key: Key) -> pd.DataFrame:
    """ACO ids that took Advance Payment, AIM or AIP money in any year, with their program flags."""
    return database(key).upfront_index()


# --- lineages: one organization across its ids (data/lineage.py) ----------------------------------
@_kept(4)
def lineage_index(key: Key) -> pd.DataFrame:
    return database(key).lineage_index()


@st.cache_resource(show_spinner=False, max_entries=4)  # shared by every viewer, never changed
def lineage_labels(key: Key) -> dict[str, str]:
    """Each lineage's label in the explorer's ACO list: its latest id and name, then its other ids.

    Made once per database: formatting some 1,100 options one `.loc` lookup at a time took about a
    third of an explorer run.
    """
    index = lineage_index(key)
    labels = {}
    for lineage, aco_id, name, ids in zip(index["lineage_id"], index["aco_id"], index["aco_name"],
                                          index["ids"], strict=True):
        others = [i for i in str(ids).split(", ") if i != aco_id]
        also = f" (also {', '.join(others)})" if others else ""
        labels[lineage] = f"{aco_id} - {name or 'unnamed'}{also}"
    return labels


@_kept(128)
def lineage_search(key: Key, text: str) -> pd.DataFrame:
    return database(key).lineage_search(text)


@_kept(256)
def lineage_of(key: Key, aco_id: str, year: int | None) -> str | None:
    return database(key).lineage_of(aco_id, year)


@_kept(64)
def lineage_rows(key: Key, lineage_id: str) -> pd.DataFrame:
    return database(key).lineage_rows(lineage_id)


# A lineage's evidence and spending, a peer group's spending: ui.explorer_data (read whole, picked in memory).
# --- benchmark parts (the explorer's benchmark view) ----------------------------------------------------
@_kept(4)
def benchmark_parts_published(key: Key) -> pd.DataFrame:
    return database(key).benchmark_parts_published()
