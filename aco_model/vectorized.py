"""Settlement of many ACO-years at once (numpy, no row loop): the engine behind every number shown.

The scalar `reconciliation.settle` calls this with one row, so a single implementation serves the
what-if page, the fidelity check, the program-wide what-if and the Monte Carlo simulation.

Pipeline per ACO-year (42 CFR 425.604/605/606/610; see `reconciliation` for the worked example):
    G = B - X, s = G / B
    savings when s > 0 and s >= MSR:  P = min(seq x r_s x G, payment_limit x B) x proration
    losses when s < 0 and -s >= MLR:  L = min(r_l x |G|, loss_limit) x (1 - e) x proration
    earned = P or -L (0 inside the corridor)

Speed: inputs are read once as numpy arrays (no copies for float columns), validated by reductions
(`validation`), then settled in blocks of `BLOCK_ROWS` rows so that every intermediate array stays in
the processor's cache; results are written into one array per output column and the DataFrame is
built on those arrays without copying.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from aco_model.msr import MSR_TABLE_FROM, corridor_rates_array
from aco_model.quality import (
    ERA_CODES,
    LOSS_RULE_CODES,
    final_loss_rate_array,
    final_sharing_rate_array,
    quality_standard_met,
)
from aco_model.rules import (
    FIRST_YEAR,
    LAST_YEAR,
    REDUCED_SHARING_FACTOR,
    REDUCED_SHARING_MIN_BENEFICIARIES,
    TRACKS,
    YEARS,
    RuleError,
    TrackRules,
    YearRules,
)
from aco_model.validation import InputError, all_proven_ok, find_problems, show

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
# msr_rule codes (msr.MSR_RULES) whose MSR is read from the headcount table.
_TABLE_MSR_CODES = (0, 2, 3)
# Rows per block: 8 bytes x 32,768 = 256 KB per intermediate array (measured best of 4K-128K here).
BLOCK_ROWS = 32_768

TRACK_ORDER = list(TRACKS)
_TRACK_INDEX = pd.Index(TRACK_ORDER)
_YEAR_ORDER = list(range(FIRST_YEAR, LAST_YEAR + 1))


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _three(schedule: tuple[float, ...] | None) -> list[float]:
    """A by-year schedule as exactly three entries (1st, 2nd, 3rd+ year), NaN where absent."""
    values = list(schedule or ())[:3]
    return values + [values[-1] if values else np.nan] * (3 - len(values))


def _track_table(tracks: Mapping[str, TrackRules]) -> dict[str, np.ndarray]:
    rows = [tracks[t] for t in TRACK_ORDER]
    limit_benchmark = np.array([_nan(r.loss_limit_benchmark_share) for r in rows])
    by_year = np.array([_three(r.loss_limit_by_year_in_track) for r in rows], dtype=float)
    # Benchmark share of the loss limit by (track, year in track 1/2/3+); +inf where none applies.
    share = np.where(np.isnan(by_year), limit_benchmark[:, None], by_year)
    return {
        "max_sharing_rate": np.array([r.max_sharing_rate for r in rows]),
        "payment_limit": np.array([r.payment_limit for r in rows]),
        "two_sided": np.array([r.two_sided for r in rows]),
        "loss_rule": np.array([LOSS_RULE_CODES[r.loss_rate_rule] for r in rows]),
        "fixed_loss_rate": np.array([_nan(r.fixed_loss_rate) for r in rows]),
        "floor": np.array([_nan(r.loss_rate_floor) for r in rows]),
        "ceiling": np.array([_nan(r.loss_rate_ceiling) for r in rows]),
        "limit_revenue": np.array([_nan(r.loss_limit_revenue_share) for r in rows]),
        "is_track_2": np.array([r.track == "TRACK_2" for r in rows]),
        "limit_share": np.where(np.isnan(share), np.inf, share).ravel(),  # index: track x 3 + year - 1
        "is_basic": np.array([r.track.startswith("BASIC") for r in rows]),
        "nan_if_one_sided": np.array([0.0 if r.two_sided else np.nan for r in rows]),
    }


def _year_table(years: Mapping[int, YearRules]) -> dict[str, np.ndarray]:
    rows = [years[y] for y in _YEAR_ORDER]
    return {
        "sequestration": np.array([r.sequestration_factor for r in rows]),
        "era": np.array([ERA_CODES[r.quality_era] for r in rows]),
        "standard": np.array([_nan(r.quality_standard) for r in rows]),
        "euc": np.array([r.euc_loss_share for r in rows]),
    }


_DEFAULT_TRACKS = _track_table(TRACKS)
_DEFAULT_YEARS = _year_table(YEARS)


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
    return codes.astype(np.intp, copy=False)


def _performance_years(frame: pd.DataFrame) -> np.ndarray:
    """Performance years as int64; a year outside the rule tables is refused with its rows."""
    values = frame["performance_year"]
    if values.dtype.kind in "iu":
        years = values.to_numpy(dtype=np.int64)
        whole = np.ones(len(years), dtype=bool)
    else:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
        years = np.where(whole, numbers, 0).astype(np.int64)
    if len(years) and (years.min() < FIRST_YEAR or years.max() > LAST_YEAR or not whole.all()):
        bad = np.flatnonzero(~whole | (years < FIRST_YEAR) | (years > LAST_YEAR))
        raise RuleError(f"no rules for performance year: {_rows_named(frame, bad, 'performance_year')}; "
                        f"covered: {FIRST_YEAR}-{LAST_YEAR}")
    return years


def _numbers(frame: pd.DataFrame, name: str) -> np.ndarray | None:
    """A column as float64 (a view when it already is); None when absent."""
    if name not in frame:
        return None
    values = frame[name]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiub":
        return values.to_numpy(dtype=np.float64, copy=False)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def settle_frame(
    frame: pd.DataFrame,
    *,
    tracks: Mapping[str, TrackRules] | None = None,
    years: Mapping[int, YearRules] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Settle every row of `frame`; returns a DataFrame of results aligned with its index.

    `frame` needs the columns in `REQUIRED` and may carry any of `OPTIONAL_DEFAULTS`. `tracks` /
    `years` replace the rule tables (program-wide what-if); by default the rules as CMS applied them.
    `columns` selects result columns (default all of `RESULT_COLUMNS`, in that order).

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
    data = {name: _numbers(frame, name) for name in (*REQUIRED[2:], *OPTIONAL_DEFAULTS)}
    out = settle_arrays(
        _track_codes(frame), _performance_years(frame), data, wanted, tracks=tracks, years=years,
        labels=frame.index, original=lambda name, rows: list(frame[name].iloc[rows]),
    )
    return pd.DataFrame(out, index=frame.index, copy=False)


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
) -> dict[str, np.ndarray]:
    """The engine without pandas: `settle_frame`'s work on arrays (what `reconciliation.settle` uses).

    `track_code` indexes `TRACKS` (intp), `performance_year` is int64 and known to the rule tables;
    `data` maps the numeric inputs (`REQUIRED[2:]` and `OPTIONAL_DEFAULTS`) to float64 arrays or None
    (not given). Returns one array per name in `columns`. `labels` / `original` word the refusal
    (rows and values as the caller knows them).
    """
    tt = _DEFAULT_TRACKS if tracks is None else _track_table(tracks)
    yt = _DEFAULT_YEARS if years is None else _year_table(years)
    ti, py = track_code, performance_year
    yi = (py - FIRST_YEAR).astype(np.intp)
    rows = len(ti)
    out = {name: np.empty(rows, dtype=RESULT_COLUMNS[name]) for name in columns}
    flags = _frame_flags(data)
    constants = _Constants(min(rows, BLOCK_ROWS))
    for lo in range(0, rows, BLOCK_ROWS):
        block = slice(lo, min(lo + BLOCK_ROWS, rows))
        given = {name: None if v is None else v[block] for name, v in data.items()}
        if not all_proven_ok(given, py[block]):  # checked block by block, while the data is in cache
            problems = find_problems(data, py, labels, original)
            if problems:
                raise InputError(problems)
        result = _settle_block(tt, yt, ti[block], yi[block], py[block], given, flags, constants)
        for name, array in out.items():
            array[block] = result[name]
    return out


def _frame_flags(data: Mapping[str, np.ndarray | None]) -> dict[str, bool]:
    """Which optional rules can apply anywhere in the frame (the others are skipped block by block)."""
    low = data["low_revenue"]
    own = [data["minimum_savings_rate"], data["minimum_loss_rate"]]
    return {
        "reduced": low is not None and bool(np.nansum(low > 0)),
        "scenario_corridor": any(v is not None and not np.isnan(v).all() for v in own),
    }


class _Constants:
    """Read-only arrays of one value, made once per `settle_frame` call and sliced for each block."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.made: dict[object, np.ndarray] = {}

    def __call__(self, value: float | bool, rows: int) -> np.ndarray:
        key = (type(value), value if value == value else "nan")
        if key not in self.made:
            array = np.full(self.rows, value)
            array.flags.writeable = False
            self.made[key] = array
        return self.made[key][:rows]

    def given_or(self, value: np.ndarray | None, default: float, rows: int) -> np.ndarray:
        return self(default, rows) if value is None else value


def _settle_block(tt, yt, ti, yi, py, given, flags, constants) -> dict[str, np.ndarray]:
    """Settle one block of rows: `given` holds the input columns (None = not given)."""
    rows = len(ti)
    _or = constants.given_or
    b, x, n = given["benchmark"], given["expenditure"], given["assigned_beneficiaries"]
    two_sided = tt["two_sided"].take(ti)
    max_rate = tt["max_sharing_rate"].take(ti)
    start = given["agreement_start_year"]
    start_or_nan = np.nan if start is None else start
    g = b - x
    s = g / b  # b > 0: validated
    msr, mlr, msr_code = corridor_rates_array(
        py, two_sided, tt["is_track_2"].take(ti), n, _or(given["msr_election"], np.nan, rows), start_or_nan
    )
    if flags["scenario_corridor"]:
        msr, mlr, msr_code = _scenario_corridor(msr, mlr, msr_code, two_sided, given, rows, _or)
    below_500 = n < MSR_TABLE_FROM
    if below_500.any():
        below_500 &= np.isin(msr_code, _TABLE_MSR_CODES)

    q = _or(given["quality_score"], np.nan, rows)
    met_published = _or(given["met_quality_standard"], np.nan, rows)
    met = quality_standard_met(q, met_published, yt["standard"].take(yi))
    alt = _positive(given["met_alternative_quality_standard"], constants, rows)
    met_given = constants(False, rows) if given["met_quality_standard"] is None else ~np.isnan(met_published)
    r_s, share_code = final_sharing_rate_array(
        yt["era"].take(yi), max_rate, q, _positive(given["pay_for_reporting"], constants, rows), met, alt,
        met_given,
    )
    r_l, loss_code = final_loss_rate_array(
        tt["loss_rule"].take(ti), py, r_s, max_rate, q, met | alt,
        tt["fixed_loss_rate"].take(ti), tt["floor"].take(ti), tt["ceiling"].take(ti),
    )

    savings = (g > 0) & (s >= msr)
    losses = two_sided & (g < 0) & (-s >= mlr)
    outcome = savings.view(np.int8) | (losses.view(np.int8) << 1)
    paid = savings
    if flags["reduced"]:
        # 425.605(h): low-revenue BASIC agreements from 2024 share at half rate below the MSR.
        reduced = (
            ~savings & (g > 0) & tt["is_basic"].take(ti) & (given["low_revenue"] > 0) & (start_or_nan >= 2024)
            & (py >= 2024) & (n >= REDUCED_SHARING_MIN_BENEFICIARIES)
        )
        r_s = np.where(reduced, r_s * REDUCED_SHARING_FACTOR, r_s)
        paid = savings | reduced
        outcome |= reduced.view(np.int8) * np.int8(3)

    before_limit = _kept(r_s * g, paid)
    after_sequestration = before_limit * yt["sequestration"].take(yi)
    payment_limit = tt["payment_limit"].take(ti) * b
    shared_savings = np.minimum(after_sequestration, payment_limit)

    loss_before = np.where(losses, r_l * -g, 0.0)
    loss_limit = _loss_limit(tt, ti, py, b, start, given)
    shared_loss = np.minimum(loss_before, loss_limit)
    euc_default = yt["euc"].take(yi)
    e = euc_default if given["euc_share"] is None else np.where(
        np.isnan(given["euc_share"]), euc_default, given["euc_share"]
    )
    euc = shared_loss * e
    net = shared_savings - (shared_loss - euc)
    proration = given["proration"]
    earned = net if proration is None else net * proration
    return {
        "gross_savings": g,
        "savings_rate": s,
        "minimum_savings_rate": msr,
        "minimum_loss_rate": mlr,
        "msr_rule": msr_code,
        "msr_below_500_assumed": below_500,
        "outcome": outcome,
        "final_sharing_rate": r_s,
        "sharing_rule": share_code,
        "final_loss_rate": r_l + tt["nan_if_one_sided"].take(ti),
        "loss_rule": loss_code,
        "shared_savings_before_limit": before_limit,
        "sequestration": before_limit - after_sequestration,
        "payment_limit": payment_limit,
        "shared_savings": shared_savings,
        "shared_loss_before_limit": loss_before,
        "loss_limit": loss_limit,
        "loss_limit_binding": losses & (loss_before > loss_limit),
        "shared_loss": shared_loss,
        "euc_reduction": euc,
        "proration_adjustment": 0.0 if proration is None else earned - net,
        "earned": earned,
        "generated_savings_losses": _kept(g, paid | losses),
    }


def _positive(flag: np.ndarray | None, constants: _Constants, rows: int) -> np.ndarray:
    """A 0/1 flag column as booleans; absent = all False."""
    return constants(False, rows) if flag is None else flag > 0


def _kept(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """`np.where(keep, values, 0.0)` for finite values, without a branch per row (several times faster
    on a random mask); adding 0.0 turns the -0.0 of a negative value times False into 0.0."""
    out = values * keep
    out += 0.0
    return out


def _scenario_corridor(msr, mlr, code, two_sided, given, rows, _or):
    """Apply a scenario's own MSR/MLR where given (rule code 5); the MLR follows the MSR by default."""
    own_msr = _or(given["minimum_savings_rate"], np.nan, rows)
    own_mlr = _or(given["minimum_loss_rate"], np.nan, rows)
    msr_given, mlr_given = ~np.isnan(own_msr), ~np.isnan(own_mlr)
    msr = np.where(msr_given, own_msr, msr)
    mlr = np.where(mlr_given, own_mlr, np.where(msr_given, own_msr, mlr))
    code = np.where(msr_given | mlr_given, np.int8(5), code)
    return msr, np.where(two_sided, mlr, np.nan), code


def _loss_limit(tt, ti, py, b, start, given) -> np.ndarray:
    """Loss limit in dollars (425.605(d), 425.606(g), 425.610(g)); +inf for one-sided tracks."""
    year_in_track = given["track_2_year"]
    if year_in_track is None and start is None:
        column = 0
    else:
        from_start = 1 if start is None else np.where(np.isnan(start), 1, py - start + 1)
        year_in_track = from_start if year_in_track is None else np.where(
            np.isnan(year_in_track), from_start, year_in_track
        )
        column = np.clip(year_in_track, 1, 3).astype(np.intp) - 1
    limit = tt["limit_share"].take(ti * 3 + column) * b
    revenue = given["participant_revenue"]
    if revenue is None:
        return limit
    return np.fmin(limit, tt["limit_revenue"].take(ti) * revenue)  # NaN revenue: no revenue limit
