"""Build data/aco.duckdb from CMS's yearly MSSP results files (or synthetic demo data).

    python -m data.build --cms-dir DIR [--out data/aco.duckdb] [--download] [--demo]

Every file in DIR that looks like an MSSP "Performance Year Financial and Quality Results" file is
read (CMS's own format of any year 2013-2024, or the standardized lower-case one), mapped to the
normalized `aco_year` table (data/schema.py) and listed in the `source` table. Nothing is written
unless every file loads: a malformed file stops the build with a one-line error and the existing
database stays as it was. A row with impossible values or a repeated ACO-year is dropped, named in
the warnings and counted in `source` (data/cms_files/row_checks.py; more than a few and the file
fails). With no CMS file at hand (or --demo) a clearly labelled synthetic database is written
instead, so the app always has something to show, but never over a database of CMS data unless --demo
says so.

One build at a time per database path (data/build_lock.py); temporary files of a build that was
killed are removed by the next one.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data import download as cms_download
from data import lineage, profile_tables
from data.build_lock import DEFAULT_WAIT_SECONDS, LockBusy, build_lock
from data.cms_files import aco_ids, row_checks, six_month, spending
from data.cms_files.cms_columns import ColumnIndex
from data.cms_files.cms_formats import FileResult, FormatError, normalize
from data.cms_files.sources import RawFile, SourceError, discover, read_raw
from data.demo import demo_tables
from data.schema import ACO_YEAR_COLUMNS
from data.store import DatabaseWriter, database_problem, previous_contents, remove_leftovers

DEFAULT_OUT = Path(__file__).resolve().parent / "aco.duckdb"
CMS_DIR_ENV = "ACO_LENS_CMS_DIR"
FORMAT_PREFERENCE = {"cms": 0, "standardized": 1}
MAX_WORKERS = 4  # processes reading the yearly files at once (12 files of a few hundred rows each)
WORKERS_ENV = "ACO_LENS_BUILD_WORKERS"  # fewer (1: none, all in the build's own process), e.g. on a busy host


class BuildError(RuntimeError):
    """The build cannot go on; the message is one line naming the file (and row/column)."""


@dataclass
class BuildReport:
    """What a build wrote: the app shows `synthetic` and `warnings`, the CLI prints the rest."""

    path: Path
    years: list[int]
    rows: int
    synthetic: bool
    warnings: list[str] = field(default_factory=list)
    rows_per_year: dict[int, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # per file: optional fields it does not have
    seconds: float = 0.0
    lineage: list[str] = field(default_factory=list)  # linkage figures and ambiguous cases (data/lineage.py)


@dataclass
class LoadedFiles:
    """The tables made from the CMS files, and what to tell the user about them."""

    aco_year: pd.DataFrame
    source: pd.DataFrame
    warnings: list[str]
    notes: list[str]
    absent: list[str]
    profile: dict[str, pd.DataFrame] = field(default_factory=dict)  # data/profile_tables.py, keyed


@dataclass
class _Loaded:
    raw: RawFile  # its frame of cells dropped once normalized (`_read_and_load`)
    result: FileResult
    origin: str
    state: pd.Series | None = None  # the file's ACO_State text, kept when it publishes no ids (_derive_ids)

    @property
    def label(self) -> str:
        return f"PY{self.raw.year} {self.raw.path.name}"

    def line_of(self, index: int) -> int:
        """The file line of data row `index` (0-based), for messages."""
        lines = self.raw.lines
        return lines[index] if 0 <= index < len(lines) else index + 2

    def refused_lines(self) -> list[str]:
        return row_checks.listed(self.result.refused, self.line_of)


def _load(raw: RawFile, origin: str) -> _Loaded:
    try:
        result = normalize(raw.frame, raw.year, raw.path.name)
    except FormatError as exc:
        raise BuildError(f"{raw.path.name}: {exc}") from exc
    state = None
    if result.ids_missing:
        state_column = ColumnIndex(list(raw.frame.columns)).find("ACO_State")
        state = raw.frame[state_column] if state_column else None
    raw.frame = raw.frame.iloc[:0, :0]  # not needed further: a worker process need not send it back
    return _Loaded(raw, result, origin, state)


def _read_and_load(path: Path, origin: str) -> _Loaded:
    """One file read and normalized (in a worker process when there are several)."""
    try:
        raw = read_raw(path)
    except SourceError as exc:
        raise BuildError(f"{path.name}: {exc}") from exc
    return _load(raw, origin)


def _workers(files: int) -> int:
    """Processes to read the files with: one per processor (at most MAX_WORKERS), or 1 (in this process).

    Forking is safe only in a process with one thread (a lock held by another thread at the fork stays
    held in the child forever): the app's start-up build runs beside Streamlit's threads, so it reads the
    files here, one after another; the command line and the benchmarks use the processors. Linux only
    (macOS's system libraries are not safe to fork; Windows has no fork). ACO_LENS_BUILD_WORKERS caps them.
    """
    if files < 2 or threading.active_count() > 1 or not sys.platform.startswith("linux"):
        return 1
    asked = os.environ.get(WORKERS_ENV, "").strip()
    most = int(asked) if asked.isdigit() and int(asked) > 0 else MAX_WORKERS
    return max(1, min(len(os.sched_getaffinity(0)), most, files))


@contextlib.contextmanager
def _processes(files: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for a build of `files` files (see `_workers`), or None to work in this one."""
    workers = _workers(files)
    if workers == 1:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _load_all(paths: list[Path], origins: dict[str, str], pool: ProcessPoolExecutor | None,
              meanwhile: Callable[[], None] | None = None) -> list[_Loaded]:
    """Every file read and normalized, in `paths`' order; the first file (in that order) that fails
    raises its BuildError, as reading them one by one would. `meanwhile` runs while the pool's processes
    read (without a pool: after the files); a file's error still comes before its error."""
    jobs = [(path, origins.get(path.name, str(path.parent.resolve()))) for path in paths]
    if pool is None:
        loaded = [_read_and_load(path, origin) for path, origin in jobs]
        if meanwhile is not None:
            meanwhile()
        return loaded
    # The largest files first, so that no process is left with a big one at the end.
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i][0]))
    futures = {i: pool.submit(_read_and_load, *jobs[i]) for i in order}
    failed = None
    if meanwhile is not None:
        try:
            meanwhile()
        except Exception as exc:  # noqa: BLE001 - raised below, after the files' own errors
            failed = exc
    loaded = [futures[i].result() for i in range(len(jobs))]
    if failed is not None:
        raise failed
    return loaded


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _derive_ids(loaded: list[_Loaded]) -> None:
    """Ids for files that publish none, matched by name within the same id series (aco_ids)."""
    for item in (i for i in loaded if i.result.ids_missing):
        peers = [i.result.frame for i in loaded
                 if not i.result.ids_missing and aco_ids.same_series(i.raw.year, item.raw.year)]
        frame = item.result.frame
        codes = frame["aco_state"] if "aco_state" in frame else None
        ids, matched = aco_ids.derive(frame["aco_name"], item.state, aco_ids.crosswalk(peers), codes,
                                      aco_ids.id_states(peers))
        frame["aco_id"] = ids.to_numpy()
        item.result.warnings.append(
            f"ACO id blank on every row: {matched} matched by name to ids of other years, "
            f"{len(ids) - matched} surrogate '{aco_ids.SURROGATE_PREFIX}' ids"
        )


def _link_six_months(loaded: list[_Loaded]) -> None:
    """PY2019 January-June rows checked (or, by dates alone, completed) with the PY2020 file."""
    following = [i.result.frame for i in loaded if i.raw.year == six_month.SIX_MONTH_YEAR + 1]
    py2020 = pd.concat(following) if following else None
    for item in loaded:
        method, frame = item.result.six_month_method, item.result.frame
        if item.raw.year != six_month.SIX_MONTH_YEAR or method == "flag":
            continue
        expected = six_month.expected_first_half(frame, py2020) & frame["six_month_period"].ne("JUL_DEC")
        found = frame["six_month_period"].eq("JAN_JUN").fillna(False)
        if method == "dates":
            frame.loc[expected & ~found, "six_month_period"] = "JAN_JUN"
            found = frame["six_month_period"].eq("JAN_JUN").fillna(False)
        by = {"totals": "six-month totals", "dates": "agreement dates"}[method]
        item.result.notes.append(f"{int(found.sum())} January-June ACO(s), from {by}")
        differ = int((found != expected).sum())
        if py2020 is None:
            done = "not identified" if method == "dates" else "not cross-checked"
            item.result.warnings.append(f"PY2020 not loaded: January-June early renewals {done}")
        elif differ:
            item.result.warnings.append(
                f"{differ} ACO(s) where six-month totals and agreement dates disagree on January-June"
            )


def _drop_duplicates(loaded: list[_Loaded]) -> list[_Loaded]:
    """Several files of one year: keep CMS's format over the standardized one when they overlap."""
    keep: list[_Loaded] = []
    seen: dict[int, dict[tuple[str, str], str]] = {}
    order = sorted(loaded, key=lambda i: (i.raw.year, FORMAT_PREFERENCE.get(i.raw.file_format, 9),
                                          i.raw.path.name))
    for item in order:
        frame = item.result.frame
        periods = frame["six_month_period"].fillna("").astype(str)
        keys = list(zip(frame["aco_id"].astype(str), periods, strict=True))
        year_keys = seen.setdefault(item.raw.year, {})
        clash = [k for k in keys if k in year_keys]
        if clash:
            other = year_keys[clash[0]]
            item.result.warnings.append(f"skipped: {len(clash)} ACO-year(s) already loaded from {other}")
            keep.append(item)  # kept for its report, flagged below
            item.result.frame = frame.iloc[0:0]
            continue
        repeated = row_checks.duplicate_aco_years(frame, item.line_of)
        if repeated:
            item.result.frame = frame.drop(index=[r.index for r in repeated])
            item.result.refused = sorted(item.result.refused + repeated, key=lambda r: r.index)
            _too_many_refused(item)
        year_keys.update(dict.fromkeys(keys, item.raw.path.name))
        keep.append(item)
    return keep


def _too_many_refused(item: _Loaded) -> None:
    refused = item.result.refused
    if len(refused) > row_checks.MAX_REFUSED_ROWS:
        first = refused[0]
        raise BuildError(
            f"{item.raw.path.name}: {len(refused):,} rows refused (more than {row_checks.MAX_REFUSED_ROWS}: "
            f"the file is not loaded); first: line {item.line_of(first.index)} ({first.aco}): {first.reason}"
        )


def _source_rows(loaded: list[_Loaded], loaded_at: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "performance_year": [i.raw.year for i in loaded],
            "file_name": [i.raw.path.name for i in loaded],
            "file_format": [i.raw.file_format for i in loaded],
            "sha256": [i.raw.sha256 for i in loaded],
            "row_count": [len(i.result.frame) for i in loaded],
            "loaded_at": [loaded_at] * len(loaded),
            "origin": [i.origin for i in loaded],
            "unknown_columns": [", ".join(i.result.unknown) or None for i in loaded],
            "missing_columns": [", ".join(i.result.missing) or None for i in loaded],
            "rows_refused": [len(i.result.refused) for i in loaded],
            "refused": ["; ".join(i.refused_lines()) or None for i in loaded],
        }
    )


def load_cms_files(paths: list[Path], origins: dict[str, str] | None = None,
                   pool: ProcessPoolExecutor | None = None,
                   meanwhile: Callable[[], None] | None = None) -> LoadedFiles:
    """Read and map the files (nothing is written), in `pool`'s processes when given (`meanwhile`
    runs here while they read); raises BuildError for a file that cannot load."""
    loaded = _load_all(paths, origins or {}, pool, meanwhile)
    _derive_ids(loaded)
    _link_six_months(loaded)
    loaded = _drop_duplicates(loaded)
    warnings, notes, absent = [], [], []
    for item in loaded:
        result = item.result
        warnings += [f"{item.label}: {w}" for w in item.raw.warnings + result.warnings]
        warnings += [f"{item.label}: row dropped, {line}" for line in item.refused_lines()]
        if result.unknown:
            warnings.append(f"{item.label}: unknown column(s) not loaded: {', '.join(result.unknown)}")
        if result.missing:
            absent.append(f"{item.label}: optional field(s) absent: {', '.join(result.missing)}")
        notes += [f"{item.label}: {n}" for n in result.notes]
    frames = [i.result.frame for i in loaded if len(i.result.frame)]
    aco_year = pd.concat(frames, ignore_index=True).sort_values(["performance_year", "aco_id"], kind="stable")
    source = _source_rows(loaded, datetime.now(UTC).replace(tzinfo=None))
    profile = profile_tables.combined(profile_tables.keyed(i.result.frame, i.result.profile) for i in loaded)
    return LoadedFiles(aco_year.reset_index(drop=True), source, warnings, notes, absent, profile)


def _report(out: Path, loaded: LoadedFiles, synthetic: bool, started: float) -> BuildReport:
    counts = loaded.aco_year["performance_year"].value_counts().sort_index()
    per_year = {int(y): int(n) for y, n in counts.items()}
    return BuildReport(out, sorted(per_year), len(loaded.aco_year), synthetic, loaded.warnings, per_year,
                       list(loaded.source["file_name"]) if not synthetic else [], loaded.notes, loaded.absent,
                       time.perf_counter() - started)


def _download(cms_dir: Path | None, base_url: str | None, warnings: list[str]) -> dict[str, str]:
    if cms_dir is None:
        raise BuildError("--download needs --cms-dir: the folder the yearly files are saved into")
    results = cms_download.download_all(cms_dir, base_url=base_url)
    warnings += [f"download PY{r.year}: {r.error}" for r in results if r.error]
    return {r.path.name: r.url for r in results if r.path is not None}


def _previous(previous: tuple[bool, list[int]] | None, out: Path, demo: bool, synthetic: bool,
              years: list[int], where: str) -> list[str]:
    """Refuse to put demo data over CMS data unasked (`previous`: store.previous_contents of `out`);
    warn about years the old database had."""
    if previous is None or not previous[0]:
        return []
    old_years = previous[1]
    if synthetic and not demo:
        span = f"PY{old_years[0]}-{old_years[-1]}" if old_years else "no years"
        raise BuildError(f"no CMS results file {where}: {out.name}, which holds CMS data ({span}), kept "
                         "as it was (pass --demo to replace it with synthetic demo data)")
    lost = sorted(set(old_years) - set(years))
    if synthetic or not lost:
        return []
    return [f"PY{', PY'.join(map(str, lost))} in the previous {out.name} but not in this build"]


@dataclass
class _Opened:
    """What the build prepares while its workers read the files: the old database's contents
    (store.previous_contents) and the new one's writer, or the error opening it."""

    previous: tuple[bool, list[int]] | None = None
    writer: DatabaseWriter | None = None
    failed: Exception | None = None


def _build_locked(cms_dir: Path | None, out: Path, download: bool, demo: bool, base_url: str | None,
                  started: float) -> BuildReport:
    """The build itself; the caller holds the build lock of `out`."""
    warnings: list[str] = []
    removed = remove_leftovers(out)
    if removed:
        warnings.append(f"removed {len(removed)} temporary file(s) left by a build that did not finish: "
                        f"{', '.join(removed)}")
    origins = {} if demo or not download else _download(cms_dir, base_url, warnings)
    paths = [] if demo or cms_dir is None else discover(Path(cms_dir))
    where = f"in {cms_dir}" if cms_dir is not None else "(no CMS folder given)"
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(_processes(len(paths)))
        early = _Opened()

        def prepare() -> None:
            """The old database looked at and the new one opened (while the workers read the files)."""
            early.previous = previous_contents(out)
            try:
                early.writer = stack.enter_context(DatabaseWriter(out))
            except Exception as exc:  # noqa: BLE001 - raised where the database is first written
                early.failed = exc

        if paths:
            loaded = load_cms_files(paths, origins, pool, meanwhile=prepare)
            loaded.warnings[:0] = warnings
        else:
            if not demo:
                warnings.append(f"no CMS results file {where}: wrote synthetic demo data")
            aco_year, source = demo_tables()
            loaded = LoadedFiles(aco_year, source, warnings, [], [])
            prepare()
        years = sorted(int(y) for y in loaded.aco_year["performance_year"].unique())
        loaded.warnings += _previous(early.previous, out, demo, not paths, years, where)
        if early.failed is not None or early.writer is None:
            raise early.failed or RuntimeError("database not opened")
        linked = _write(early.writer, loaded, pool)
    report = _report(out, loaded, synthetic=not paths, started=started)
    report.lineage = linked.report(loaded.aco_year)
    return report


def _write(writer: DatabaseWriter, loaded: LoadedFiles, pool: ProcessPoolExecutor | None) -> lineage.Lineage:
    """The tables inserted (committed when the caller leaves `writer`), the lineages linked meanwhile in a
    worker process when there is one."""
    rows = loaded.aco_year
    linking = pool.submit(lineage.link, rows[lineage.input_columns(rows)]) if pool else None
    writer.insert({"source": loaded.source, **spending.tables(rows), **loaded.profile})
    linked = linking.result() if linking else lineage.link(rows)
    rows["lineage_id"] = linked.lineage_id
    writer.insert({"aco_year": rows[[c for c, _, _ in ACO_YEAR_COLUMNS]], **linked.tables()})
    return linked


@contextlib.contextmanager
def _locked(out: Path, wait_seconds: float) -> Iterator[bool]:
    """The build lock of `out`, its failures as one-line BuildErrors (no server path in them)."""
    try:
        with build_lock(out, wait_seconds) as waited:
            yield waited
    except LockBusy as exc:
        raise BuildError(str(exc)) from None
    except OSError as exc:
        if exc.filename is None or Path(str(exc.filename)).name not in (out.name, out.parent.name,
                                                                        out.name + ".lock"):
            raise
        raise BuildError(f"cannot write {out.name} in its folder: {exc.strerror or exc}") from None


def build_database(
    cms_dir: Path | None,
    out: Path,
    *,
    download: bool = False,
    demo: bool = False,
    base_url: str | None = None,
    quiet: bool = False,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> BuildReport:
    """Build `out` from the CMS files in `cms_dir` (downloading them first if asked), else demo data.

    Raises BuildError (the database untouched) when a CMS file cannot be loaded, when another build
    of `out` holds its lock longer than `wait_seconds`, or when demo data would replace CMS data
    without `demo`. Warnings go to stderr (unless `quiet`) and into the report; the app shows them
    with the data-source banner.
    """
    started = time.perf_counter()
    out = Path(out)
    with _locked(out, wait_seconds) as waited:
        report = _build_locked(cms_dir, out, download, demo, base_url, started)
    if waited:
        report.warnings.insert(0, f"waited for another build of {out.name} to finish first")
    if not quiet:
        _tell(report)
    return report


def _tell(report: BuildReport) -> None:
    """Warnings and absent optional fields, by name, on stderr."""
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    for line in report.absent:
        print(f"note: {line}", file=sys.stderr)


def ensure_database(out: Path, cms_dir: Path | None,
                    wait_seconds: float = DEFAULT_WAIT_SECONDS) -> BuildReport | None:
    """Build `out` only when it is missing, unreadable or damaged (then rebuilt with a warning).

    Called by the app at start: every table is read whole (store.database_problem), so a truncated
    file is caught here. When another process is building `out`, this waits for it and uses its
    result. Returns None when the existing file is fine.
    """
    out = Path(out)
    problem = database_problem(out)
    if problem is None:
        return None
    with _locked(out, wait_seconds) as waited:
        if waited and database_problem(out) is None:
            return None  # the other process built it meanwhile
        report = _build_locked(cms_dir, out, False, False, None, time.perf_counter())
    if problem != "missing":
        report.warnings.insert(0, f"database {out.name} was {problem}: rebuilt")
    _tell(report)
    return report


def _summary(report: BuildReport) -> str:
    kind = "synthetic demo data" if report.synthetic else f"{len(report.files)} CMS file(s)"
    lines = [f"wrote {report.path}: {report.rows:,} ACO-years from {kind} in {report.seconds:.2f} s"]
    lines += [f"  PY{year}: {n:>5,} ACO-years" for year, n in report.rows_per_year.items()]
    lines += report.lineage
    if report.warnings:
        lines.append(f"{len(report.warnings)} warning(s), see above")
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m data.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cms-dir", type=Path, default=os.environ.get(CMS_DIR_ENV) or None,
                        help=f"folder of CMS results files (default ${CMS_DIR_ENV})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="DuckDB file to write")
    parser.add_argument("--download", action="store_true", help="fetch the yearly files from CMS first")
    parser.add_argument("--base-url", default=None,
                        help=f"CMS data API base URL (default ${cms_download.BASE_URL_ENV} or "
                             f"{cms_download.DEFAULT_BASE_URL})")
    parser.add_argument("--demo", action="store_true",
                        help="write synthetic demo data (also over a database of CMS data)")
    parser.add_argument("--wait", type=float, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                        help="how long to wait for another build of the same file (default %(default)g)")
    parser.add_argument("--verbose", action="store_true", help="also print per-file notes (units, layout)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        report = build_database(args.cms_dir, args.out, download=args.download, demo=args.demo,
                                base_url=args.base_url, wait_seconds=args.wait)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.verbose:
        for note in report.notes:
            print(f"note: {note}")
    print(_summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
