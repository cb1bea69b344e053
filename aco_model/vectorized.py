"""Settlement of many ACO-years at once (numpy, no row loop): the engine behind every number shown.

The scalar `reconciliation.settle` calls this with one row, so a single implementation serves the
what-if page, the fidelity check, the program-wide what-if and the Monte Carlo simulation. The rules'
arithmetic is in `kernel` (one block of rows), their codes and coefficients in `lookup` (tables).

Speed (`benchmarks/settle.py`): inputs are read once as numpy arrays (no copies for float columns, track
codes straight from a categorical), the headcount table's MSR looked up for the whole frame in one pass
(`kernel.table_msr`), then the rows validated by reductions block by block (`validation`) and settled
in blocks of `BLOCK_ROWS` rows so that every intermediate stays in the processor's cache, each result
written straight into its column. The float columns are rows of one 2-D array, the small-integer ones
of another, both in one block of fresh memory aligned for huge pages (`_fresh_zeros`), and the DataFrame
is built on them without copying.

Threads: a frame of `THREADED_FROM` rows or more is settled by `default_workers()` threads (the calling
thread and a small `concurrent.futures` pool), each taking the next unsettled block in turn with its own
work arrays (`kernel.borrow`) and writing only that block's rows of the results; numpy releases the GIL
inside each pass over a block, so the blocks run on separate cores. A block's result depends on its rows
alone, so the result is the same bit for bit whatever the number of workers. Smaller frames (the app's
one-row and one-program calls) stay on the calling thread. `workers=` sets the count.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from aco_model.kernel import borrow, settle_block, table_msr
from aco_model.lookup import TRACK_ORDER, tables
from aco_model.rules import FIRST_YEAR, LAST_YEAR, RuleError, TrackRules, YearRules
from aco_model.validation import InputError, all_ok, all_proven_ok, find_problems, show

REQUIRED = ("performance_year", "track", "benchmark", "expenditure", "assigned_beneficiaries")
# Optional inputs and the value that means "not given".
OPTIONAL_DEFAULTS: dict[str, float] = {
    "quality_score": np.nan,
    "pay_for_reporting": 0.0,
    "met_quality_standard": np.nan,
    "met_alternative_quality_standard": 0.0,
    "msr_election": np.nan,  # NaN = variable (table) MSR/MLR
    "participant_revenue": np.nan,  # unknown: revenue-based loss limits cannot bind
    "euc_share": np.nan,  # NaN = the year's default share of losses forgiven
    "low_revenue": 0.0,
    "agreement_start_year": np.nan,
    "track_2_year": np.nan,  # year in Track 2 (1, 2, 3+); NaN = from agreement start, else 1
    "proration": 1.0,  # 0.5 for the 2019 six-month performance years (425.609)
    # A scenario's own MSR/MLR (program-wide what-if: a flat MSR for everyone); NaN = the rules.
    "minimum_savings_rate": np.nan,
    "minimum_loss_rate": np.nan,
}

OUTCOMES: tuple[str, ...] = ("inside corridor", "shared savings", "shared losses", "reduced sharing")

# Result columns and their dtypes, in the order of the returned DataFrame.
RESULT_COLUMNS: dict[str, type] = {
    "gross_savings": np.float64,
    "savings_rate": np.float64,
    "minimum_savings_rate": np.float64,
    "minimum_loss_rate": np.float64,
    "msr_rule": np.int8,
    # True where the MSR came from the table below 500 beneficiaries: not known from public rules.
    "msr_below_500_assumed": np.bool_,
    "outcome": np.int8,
    "final_sharing_rate": np.float64,
    "sharing_rule": np.int8,
    "final_loss_rate": np.float64,
    "loss_rule": np.int8,
    "shared_savings_before_limit": np.float64,
    "sequestration": np.float64,
    "payment_limit": np.float64,
    "shared_savings": np.float64,
    "shared_loss_before_limit": np.float64,
    "loss_limit": np.float64,
    "loss_limit_binding": np.bool_,
    "shared_loss": np.float64,
    "euc_reduction": np.float64,
    "proration_adjustment": np.float64,
    "earned": np.float64,
    "generated_savings_losses": np.float64,
}
# Rows per block: 8 bytes x 32,768 = 256 KB per work array (measured best of 4K-128K here).
BLOCK_ROWS = 32_768
# Rows from which a frame is settled by several threads by default: below it, starting threads costs more
# than it saves (and the app's many small calls, each a session's own thread, stay as they were).
THREADED_FROM = 131_072
# Default threads at most: this engine is bound by memory bandwidth beyond a few cores.
MOST_WORKERS = 4
# Result columns the kernel leaves as they were allocated in some settlements (no proration given).
LEFT_AT_ZERO = ("proration_adjustment",)

_TRACK_INDEX = pd.Index(TRACK_ORDER)


def _rows_named(frame: pd.DataFrame, bad: np.ndarray, column: str) -> str:
    shown = bad[:5]
    named = ", ".join(f"row {frame.index[i]} ({show(frame[column].iloc[i])})" for i in shown)
    return named + (f" and {len(bad) - len(shown)} more" if len(bad) > len(shown) else "")


def _track_codes(frame: pd.DataFrame) -> np.ndarray:
    """Index of each row's track in `TRACKS`; unknown tracks are refused with their rows."""
    values = frame["track"]
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = list(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        if categories != TRACK_ORDER:
            remap = np.array([TRACK_ORDER.index(c) if c in TRACK_ORDER else -1 for c in categories] + [-1])
            codes = remap[codes]
    else:
        codes = _TRACK_INDEX.get_indexer(values)  # -1 where unknown
    if len(codes) and codes.min() < 0:
        bad = np.flatnonzero(codes < 0)
        raise RuleError(f"unknown track: {_rows_named(frame, bad, 'track')}; "
                        f"expected one of {', '.join(TRACK_ORDER)}")
    return codes


def _performance_years(frame: pd.DataFrame) -> np.ndarray:
    """Performance years as int64; a year outside the rule tables is refused with its rows."""
    values = frame["performance_year"]
    if values.dtype.kind in "iu":
        years = values.to_numpy(dtype=np.int64)
        whole = None  # every year is a whole number
    else:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
        years = np.where(whole, numbers, 0).astype(np.int64)
    if len(years) and (years.min() < FIRST_YEAR or years.max() > LAST_YEAR
                       or (whole is not None and not whole.all())):
        whole = np.ones(len(years), dtype=bool) if whole is None else whole
        bad = np.flatnonzero(~whole | (years < FIRST_YEAR) | (years > LAST_YEAR))
        raise RuleError(f"no rules for performance year: {_rows_named(frame, bad, 'performance_year')}; "
                        f"covered: {FIRST_YEAR}-{LAST_YEAR}")
    return years


def _numbers(frame: pd.DataFrame, name: str) -> np.ndarray | None:
    """A column as float64 (a view when it already is; a headcount of int64 stays int64); None when absent."""
    if name not in frame:
        return None
    values = frame[name]
    if name == "assigned_beneficiaries" and values.dtype == np.int64:
        return values.to_numpy()
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiub":
        return values.to_numpy(dtype=np.float64, copy=False)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def settle_frame(
    frame: pd.DataFrame,
    *,
    tracks: Mapping[str, TrackRules] | None = None,
    years: Mapping[int, YearRules] | None = None,
    columns: Sequence[str] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Settle every row of `frame`; returns a DataFrame of results aligned with its index.

    `frame` needs the columns in `REQUIRED` and may carry any of `OPTIONAL_DEFAULTS`. `tracks` /
    `years` replace the rule tables (program-wide what-if); by default the rules as CMS applied them.
    `columns` selects result columns (default all of `RESULT_COLUMNS`, in that order). `workers` is the
    number of threads settling blocks (default: `default_workers()` from `THREADED_FROM` rows, else 1);
    the result is the same bit for bit whatever it is.

    Refuses (`validation.InputError`, a ValueError naming each rule, row index and value) a benchmark
    that is not a finite amount above 0, a negative or non-finite expenditure, fewer than 1
    beneficiary, a quality score or EUC share outside 0-1, an MSR election that is not an option, an
    agreement start year outside 2012..performance year, a proration outside (0, 1]; and
    (`rules.RuleError`) an unknown track or performance year. Callers filter rows they cannot settle.
    """
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        raise KeyError(f"settle_frame needs column(s): {', '.join(missing)}")
    wanted = list(RESULT_COLUMNS) if columns is None else list(columns)
    unknown = [c for c in wanted if c not in RESULT_COLUMNS]
    if unknown:
        raise KeyError(f"settle_frame has no result column(s): {', '.join(unknown)}")
    codes, performance_years, data = input_arrays(frame)
    out = settle_arrays(
        codes, performance_years, data, wanted, tracks=tracks, years=years,
        labels=frame.index, original=lambda name, rows: list(frame[name].iloc[rows]), workers=workers,
    )
    return pd.DataFrame(out, index=frame.index, copy=False)


def input_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray | None]]:
    """`settle_frame`'s reading of a frame: (track codes, performance years, numeric inputs), the arguments
    of `settle_arrays`. For a caller settling the same rows many times with a column or two changed."""
    data = {name: _numbers(frame, name) for name in (*REQUIRED[2:], *OPTIONAL_DEFAULTS)}
    return _track_codes(frame), _performance_years(frame), data


def settle_arrays(
    track_code: np.ndarray,
    performance_year: np.ndarray,
    data: Mapping[str, np.ndarray | None],
    columns: Sequence[str],
    *,
    tracks: Mapping[str, TrackRules] | None = None,
    years: Mapping[int, YearRules] | None = None,
    labels: Sequence[object] | None = None,
    original: Callable[[str, np.ndarray], Sequence[object]] | None = None,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """The engine without pandas: `settle_frame`'s work on arrays (what `reconciliation.settle` uses).

    `track_code` indexes `TRACKS` (any integer dtype), `performance_year` is int64 and known to the rule
    tables; `data` maps the numeric inputs (`REQUIRED[2:]` and `OPTIONAL_DEFAULTS`) to float64 arrays
    (the headcount may be int64) or None (not given). Returns one array per name in `columns`.
    `labels` / `original` word the refusal (rows and values as the caller knows them); `workers` as in
    `settle_frame`.
    """
    lk = tables(tracks, years)
    rows = len(track_code)
    out = result_arrays(columns, rows)
    wanted = frozenset(columns)
    flags = _frame_flags(data)
    spare = {name: dtype for name, dtype in RESULT_COLUMNS.items() if name not in wanted}
    block_rows = BLOCK_ROWS
    starts = range(0, rows, block_rows)
    msr = out["minimum_savings_rate"] if "minimum_savings_rate" in wanted else np.empty(rows)
    table_msr(data["assigned_beneficiaries"], msr)
    refused = threading.Event()  # a block broke a rule: the whole frame is checked below
    stop = threading.Event()  # refused, or a thread failed: the other threads take no further block

    def settle_blocks(next_start: Iterator[int]) -> None:
        """Settle blocks until none is left; each block's results are written by this thread alone."""
        try:
            with borrow(min(rows, block_rows), block_rows) as scratch:
                check_work = scratch.arrays["f1"], scratch.arrays["f2"]  # free until settle_block
                for lo in next_start:
                    if stop.is_set():
                        return
                    block = slice(lo, min(lo + block_rows, rows))
                    given = {name: None if v is None else v[block] for name, v in data.items()}
                    py = performance_year[block]
                    # Checked while the block is in cache: reductions first, rows if they fail.
                    if not all_proven_ok(given, py, check_work) and not all_ok(given, py):
                        refused.set()
                        stop.set()
                        return
                    work = scratch.view(block.stop - lo, spare)
                    results = {name: out[name][block] if name in wanted else work[name]
                               for name in RESULT_COLUMNS}
                    results["minimum_savings_rate"] = msr[block]
                    settle_block(lk, track_code[block], py, given, flags, results, work, wanted)
        except BaseException:
            stop.set()
            raise

    count = _worker_count(workers, rows, len(starts))
    if count == 1:
        settle_blocks(iter(starts))
    else:
        shared = _BlockStarts(starts)
        with ThreadPoolExecutor(count - 1, thread_name_prefix="settle") as pool:
            # Each helper runs in a copy of the caller's context: numpy's error state (np.errstate) too.
            helpers = [pool.submit(contextvars.copy_context().run, settle_blocks, shared)
                       for _ in range(count - 1)]
            try:
                settle_blocks(shared)
            finally:
                for helper in helpers:
                    helper.result()  # waits; re-raises a helper's error
    if refused.is_set():  # the same message whichever block failed first: the rows named are the frame's
        raise InputError(find_problems(data, performance_year, labels, original))
    return out


def default_workers() -> int:
    """Threads for a large frame: the processors this machine has, at most `MOST_WORKERS`."""
    return max(1, min(os.cpu_count() or 1, MOST_WORKERS))


def _worker_count(workers: int | None, rows: int, blocks: int) -> int:
    if workers is None:
        workers = default_workers() if rows >= THREADED_FROM else 1
    elif isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    return max(1, min(int(workers), blocks))


class _BlockStarts:
    """Block starts shared by several threads: each handed out once, in row order, to whichever asks."""

    def __init__(self, starts: range) -> None:
        self._starts = iter(starts)
        self._lock = threading.Lock()

    def __iter__(self) -> _BlockStarts:
        return self

    def __next__(self) -> int:
        with self._lock:
            return next(self._starts)


def result_arrays(columns: Sequence[str], rows: int) -> dict[str, np.ndarray]:
    """Result arrays: float columns as rows of one 2-D array, the others of one int8 array, both in one
    block of fresh memory (`_fresh_zeros`). Every column holds zeros; the kernel writes all but those it
    may leave unwritten (`LEFT_AT_ZERO`)."""
    floats = [name for name in columns if RESULT_COLUMNS[name] is np.float64]
    small = [name for name in columns if RESULT_COLUMNS[name] is not np.float64]
    float_bytes = len(floats) * rows * 8
    memory = _fresh_zeros(float_bytes + len(small) * rows)
    float_block = memory[:float_bytes].view(np.float64).reshape(len(floats), rows)
    small_block = memory[float_bytes:].view(np.int8).reshape(len(small), rows)
    arrays = {name: float_block[i] for i, name in enumerate(floats)}
    arrays |= {name: small_block[i].view(RESULT_COLUMNS[name]) for i, name in enumerate(small)}
    return {name: arrays[name] for name in columns}


_HUGE_PAGE = 2 << 20


def _fresh_zeros(nbytes: int) -> np.ndarray:
    """np.zeros(nbytes, uint8), starting on a 2 MB boundary when large.

    A large np.zeros takes fresh pages from the system, zero already: the columns the kernel leaves at
    0.0 (proration_adjustment without a proration) cost nothing until read. numpy asks for huge pages
    on large arrays, but only 2 MB-aligned stretches get them; each 4 KB page otherwise costs a page
    fault (measured here: 136 MB of results in 4 KB pages ~100 ms of system time, in 2 MB pages ~25 ms).
    """
    if nbytes < 2 * _HUGE_PAGE:
        return np.zeros(nbytes, dtype=np.uint8)
    padded = -(-nbytes // _HUGE_PAGE) * _HUGE_PAGE
    raw = np.zeros(padded + _HUGE_PAGE, dtype=np.uint8)
    start = -raw.ctypes.data % _HUGE_PAGE
    return raw[start:start + nbytes]


def _frame_flags(data: Mapping[str, np.ndarray | None]) -> dict[str, bool]:
    """Which optional rules can apply anywhere in the frame (the others are skipped block by block)."""
    low = data["low_revenue"]
    own = [data["minimum_savings_rate"], data["minimum_loss_rate"]]
    return {
        "reduced": low is not None and bool(np.nansum(low > 0)),
        "scenario_corridor": any(v is not None and not np.isnan(v).all() for v in own),
    }
