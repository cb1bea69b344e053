"""The settlement of one block of rows, in place: the arithmetic behind `vectorized.settle_arrays`.

Pipeline per ACO-year (42 CFR 425.604/605/606/610; see `reconciliation` for the worked example):
    G = B - X, s = G / B
    savings when s > 0 and s >= MSR:  P = min(seq x r_s x G, payment_limit x B) x proration
    losses when s < 0 and -s >= MLR:  L = min(r_l x |G|, loss_limit) x (1 - e) x proration
    earned = P or -L (0 inside the corridor)

Every rule code and rate coefficient is read from `lookup.Tables` by one integer key per row (the
track, year and yes/no facts of the row; see `lookup`). Why it is written this way, measured on
32,768-row blocks on this project's 2-core machine:
- every ufunc writes into a result column's slice or a scratch buffer made once per call (`out=`): a
  fresh temporary costs a page-faulting allocation, several times the arithmetic;
- a row is zeroed by multiplying with its 0/1 mask and adding 0.0 (which turns -0.0 into 0.0), not by
  `np.where`/masked copies, which branch on a random mask (this needs finite factors: `Tables`);
- one-sided tracks have an MLR of NaN, so `-s >= MLR` is already false for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np

from aco_model.lookup import (
    ALTERNATIVE,
    ELECTED_MSR_RULE,
    FLAG_BITS,
    KEYS_PER_CELL,
    MET,
    MET_GIVEN,
    N_YEARS,
    PAY_FOR_REPORTING,
    SMALL,
    VARIABLE_MSR,
    Tables,
)
from aco_model.msr import MSR_TABLE_FROM, headcount_msr_table
from aco_model.rules import (
    FIRST_YEAR,
    REDUCED_SHARING_FACTOR,
    REDUCED_SHARING_MIN_BENEFICIARIES,
    TRACK_2_FIXED_MSR,
    TRACK_2_FIXED_MSR_LAST_START,
    VARIABLE_MSR_BELOW,
)

# msr_rule codes (msr.MSR_RULES): 1 is Track 2's fixed MSR, 4 the ACO's own election, 5 the scenario's;
# the others read the headcount table.
FIXED_MSR_RULE, SCENARIO_MSR_RULE = 1, 5
TABLE_MSR_RULES = np.array([True, False, True, True, False, False])
_MSR_BY_HEADCOUNT, _HEADCOUNT_TOP = headcount_msr_table()
_MSR_CHUNK = 8_192  # rows: the index and results beside the table in the processor's cache
_U8 = np.uint8


class Scratch:
    """Work arrays of one block, reused by every block of a call and by later calls (`borrow`)."""

    FLOATS = ("q", "f1", "f2", "r_l", "after", "net", "nan1")
    INDICES = ("cell", "key", "blend")
    MASKS = ("m1", "m2", "met", "savings", "losses")

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.arrays = {name: np.empty(rows) for name in self.FLOATS}
        self.arrays |= {name: np.empty(rows, dtype=np.intp) for name in self.INDICES}
        self.arrays |= {name: np.empty(rows, dtype=np.bool_) for name in self.MASKS}
        self.arrays["bits"] = np.empty(rows, dtype=_U8)
        self.arrays["bits2"] = np.empty(rows, dtype=_U8)

    def view(self, rows: int, spare: Mapping[str, type]) -> dict[str, np.ndarray]:
        """The first `rows` of every work array, and of one per result column in `spare` (a column the
        caller did not ask for is still computed: others depend on it)."""
        for name, dtype in spare.items():
            if name not in self.arrays:
                self.arrays[name] = np.empty(self.rows, dtype=dtype)
        return {name: array[:rows] for name, array in self.arrays.items()}


# Work arrays not in use. Fresh ones would cost page faults on every call (a few ms on this machine);
# one set per concurrent call (Streamlit runs sessions in threads), taken and given back whole.
_FREE: list[Scratch] = []


_POOLED_FROM = 1024  # rows; smaller settlements (one row for the what-if page) use small new arrays


@contextmanager
def borrow(rows: int, block_rows: int) -> Iterator[Scratch]:
    """Work arrays for blocks of up to `rows` rows, for the duration of one settlement."""
    if rows < _POOLED_FROM:
        yield Scratch(rows)
        return
    try:
        scratch = _FREE.pop()
    except IndexError:
        scratch = Scratch(block_rows)
    if scratch.rows != block_rows:
        scratch = Scratch(block_rows)
    try:
        yield scratch
    finally:
        _FREE.append(scratch)
        del _FREE[:-4]


def table_msr(n: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = the headcount table's MSR (425.604(b), `msr.headcount_msr_table`) of every row; returns out.

    Read for the whole frame before its blocks are settled: the table (60,001 rates, 480 KB) stays in
    the processor's cache through one pass, where block by block the block's own arrays evict it and
    every row's lookup misses (measured: ~2 ms a million rows this way, ~12 ms inside the blocks). The
    headcounts go through a small writable index (`take` copies a read-only index, as pandas hands out,
    whole). Headcounts are validated later, block by block; an invalid one (NaN, below 1) only reads
    some rate here and is refused before any result is returned.

    >>> table_msr(np.array([1, 499, 500, 34_601, 60_000, 250_000]), np.empty(6)).round(10).tolist()
    [0.122, 0.122, 0.122, 0.0235398513, 0.02, 0.02]
    """
    index = np.empty(min(len(n), _MSR_CHUNK), dtype=np.intp)
    clipped = np.empty(len(index)) if n.dtype != np.intp else None
    with np.errstate(invalid="ignore"):  # NaN headcounts (refused later) cast to some index
        for lo in range(0, len(n), _MSR_CHUNK):
            hi = min(lo + _MSR_CHUNK, len(n))
            if clipped is None:  # n >= 1 (validated): clipping the index is the table's flat top
                np.copyto(index[:hi - lo], n[lo:hi])
            else:  # truncation: floor for n >= 0
                np.copyto(index[:hi - lo], np.minimum(n[lo:hi], _HEADCOUNT_TOP, out=clipped[:hi - lo]),
                          casting="unsafe")
            _MSR_BY_HEADCOUNT.take(index[:hi - lo], out=out[lo:hi], mode="clip")
    return out


def _or_bits(bits: np.ndarray, mask: np.ndarray, bit: int, work: np.ndarray) -> None:
    np.left_shift(mask.view(_U8), _U8(bit), out=work)
    bits |= work


def _zero_unless(values: np.ndarray, keep: np.ndarray) -> None:
    """values = values where keep else 0.0, in place, for finite values."""
    values *= keep
    values += 0.0


def settle_block(lk: Tables, ti: np.ndarray, py: np.ndarray, given: Mapping[str, np.ndarray | None],
                 flags: Mapping[str, bool], o: Mapping[str, np.ndarray], t: dict[str, np.ndarray],
                 wanted: frozenset[str]) -> None:
    """Settle one block: `given` holds its input columns (None = not given), `o` every result column's
    slice (filled here; its minimum_savings_rate holds `table_msr` on entry), `t` the scratch arrays;
    `wanted` names the columns the caller keeps."""
    b, x, n = given["benchmark"], given["expenditure"], given["assigned_beneficiaries"]
    election, start = given["msr_election"], given["agreement_start_year"]
    m1, m2, bits, bits2, f1 = t["m1"], t["m2"], t["bits"], t["bits2"], t["f1"]
    g = np.subtract(b, x, out=o["gross_savings"])
    s = np.divide(g, b, out=o["savings_rate"])  # b > 0: validated

    cell = np.multiply(ti, N_YEARS, out=t["cell"], dtype=np.intp)
    cell += py
    cell -= FIRST_YEAR
    q_given = given["quality_score"]
    if q_given is None:
        q: np.ndarray | float = 0.0
    elif np.isnan(np.minimum.reduce(q_given)):  # NaN = not given: 0, as `quality` reads it
        q = t["q"]
        np.copyto(q, q_given)
        np.copyto(q, 0.0, where=np.isnan(q_given, out=m1))
    else:
        q = q_given

    # The key: cell, agreement start state and the row's yes/no facts (see `lookup`).
    standard = lk.standard.take(cell, out=f1, mode="clip")
    published = given["met_quality_standard"]
    if published is not None:  # Met_QPS where published, else score >= the year's standard
        met = np.greater_equal(q, standard, out=t["met"])
        unknown = np.isnan(published, out=m1)
        met &= unknown
        met |= np.greater(published, 0, out=m2)
        np.left_shift(np.logical_not(unknown, out=m1).view(_U8), _U8(MET_GIVEN), out=bits)
        _or_bits(bits, met, MET, bits2)
    else:  # the comparison written as the key's bits (MET is bit 0: no shift)
        np.greater_equal(q, standard, out=bits.view(np.bool_))
        if MET:
            bits <<= _U8(MET)
    for name, bit in (("pay_for_reporting", PAY_FOR_REPORTING),
                      ("met_alternative_quality_standard", ALTERNATIVE)):
        if given[name] is not None:
            _or_bits(bits, np.greater(given[name], 0, out=m1), bit, bits2)
    if election is None:
        bits |= _U8(1 << VARIABLE_MSR)
    else:
        _or_bits(bits, np.isnan(election, out=m1), VARIABLE_MSR, bits2)
    _or_bits(bits, np.less(n, VARIABLE_MSR_BELOW, out=m1), SMALL, bits2)
    if start is not None:  # start state 1 (fixed-MSR Track 2 years) or 2 (later), above the flags; NaN: 0
        _or_bits(bits, np.less_equal(start, TRACK_2_FIXED_MSR_LAST_START, out=m1), FLAG_BITS, bits2)
        _or_bits(bits, np.greater(start, TRACK_2_FIXED_MSR_LAST_START, out=m1), FLAG_BITS + 1, bits2)
    key = np.multiply(cell, KEYS_PER_CELL, out=t["key"])
    key += bits

    # Corridor (425.604(b), 425.605(b), 425.606(b), 425.610(b), 425.110(b)); the table's MSR is in already.
    msr = o["minimum_savings_rate"]
    code = lk.msr_rule.take(key, out=o["msr_rule"], mode="clip")
    if lk.track_2_fixed_msr and np.equal(code, FIXED_MSR_RULE, out=m1).any():
        np.copyto(msr, TRACK_2_FIXED_MSR, where=m1)
    if election is not None:  # msr = election where elected: a branch-free blend of the bits
        blend = np.bitwise_xor(msr.view(np.int64), election.view(np.int64), out=t["blend"])
        np.multiply(blend, np.equal(code, ELECTED_MSR_RULE, out=m1), out=blend)
        msr.view(np.int64)[...] ^= blend
    nan1 = lk.nan_if_one_sided.take(cell, out=t["nan1"], mode="clip")
    mlr = np.add(msr, nan1, out=o["minimum_loss_rate"])
    if flags["scenario_corridor"]:
        _scenario_corridor(msr, mlr, code, lk.two_sided.take(ti), given)
    below_500 = np.less(n, MSR_TABLE_FROM, out=o["msr_below_500_assumed"])
    if below_500.any():
        below_500 &= TABLE_MSR_RULES.take(code)

    # Quality: r_s = q x rs_quality + rs_constant; r_l = clip(1 - (q x rl_quality + rl_constant)).
    lk.sharing_rule.take(key, out=o["sharing_rule"], mode="clip")
    lk.loss_rule.take(key, out=o["loss_rule"], mode="clip")
    r_s = np.multiply(q, lk.rs_quality.take(key, out=f1, mode="clip"), out=o["final_sharing_rate"])
    r_s += lk.rs_constant.take(key, out=f1, mode="clip")
    r_l = np.multiply(q, lk.rl_quality.take(key, out=f1, mode="clip"), out=t["r_l"])
    r_l += lk.rl_constant.take(key, out=f1, mode="clip")
    np.subtract(1.0, r_l, out=r_l)
    np.maximum(r_l, lk.rl_low.take(key, out=f1, mode="clip"), out=r_l)
    np.minimum(r_l, lk.rl_high.take(key, out=f1, mode="clip"), out=r_l)
    if "final_loss_rate" in wanted:
        np.add(r_l, nan1, out=o["final_loss_rate"])

    savings = np.greater(g, 0, out=t["savings"])
    savings &= np.greater_equal(s, msr, out=m1)
    losses = np.less(g, 0, out=t["losses"])
    losses &= np.greater_equal(np.negative(s, out=f1), mlr, out=m1)
    outcome = np.left_shift(losses.view(np.int8), np.int8(1), out=o["outcome"])
    outcome |= savings.view(np.int8)
    paid = savings
    if flags["reduced"]:
        paid = _reduced_sharing(lk, ti, py, n, start, given["low_revenue"], g, savings, r_s, outcome)

    # Savings (425.604(d)-(e), 425.605(d), 425.606(d)-(e), 425.610(d)-(e)).
    before = np.multiply(r_s, g, out=o["shared_savings_before_limit"])
    _zero_unless(before, paid)
    after = np.multiply(before, lk.sequestration.take(cell, out=f1, mode="clip"), out=t["after"])
    if "sequestration" in wanted:
        np.subtract(before, after, out=o["sequestration"])
    payment_limit = lk.payment_limit.take(cell, out=o["payment_limit"], mode="clip")
    payment_limit *= b
    shared_savings = np.minimum(after, payment_limit, out=o["shared_savings"])

    # Losses (425.605(d), 425.606(f)-(g), 425.610(f)-(g)), EUC relief (425.605(f)/606(i)/610(i)).
    loss_before = o["shared_loss_before_limit"]
    if lk.finite_loss_rates:  # r_l x -G as 0 - r_l x G (exact: rounding is symmetric), 0.0 where no loss
        np.multiply(r_l, g, out=loss_before)
        loss_before *= losses
        np.subtract(0.0, loss_before, out=loss_before)  # 0 - (+-0.0) is 0.0
    else:
        np.multiply(r_l, np.negative(g, out=f1), out=loss_before)
        np.copyto(loss_before, 0.0, where=np.logical_not(losses, out=m1))
    loss_limit = _loss_limit(lk, ti, py, cell, b, start, given, o["loss_limit"])
    shared_loss = np.minimum(loss_before, loss_limit, out=o["shared_loss"])
    share = lk.euc.take(cell, out=f1, mode="clip")
    if given["euc_share"] is not None:
        share = np.where(np.isnan(given["euc_share"]), share, given["euc_share"])
    euc = np.multiply(shared_loss, share, out=o["euc_reduction"])
    owed = np.subtract(shared_loss, euc, out=f1)
    proration = given["proration"]
    if proration is None:  # proration_adjustment stays the 0.0 it was allocated as
        np.subtract(shared_savings, owed, out=o["earned"])
    else:
        net = np.subtract(shared_savings, owed, out=t["net"])
        earned = np.multiply(net, proration, out=o["earned"])
        np.subtract(earned, net, out=o["proration_adjustment"])
    if "loss_limit_binding" in wanted:
        binding = np.greater(loss_before, loss_limit, out=o["loss_limit_binding"])
        binding &= losses
    if "generated_savings_losses" in wanted:
        generated = np.multiply(g, np.logical_or(paid, losses, out=m1), out=o["generated_savings_losses"])
        generated += 0.0  # -0.0 -> 0.0


def _scenario_corridor(msr, mlr, code, two_sided, given) -> None:
    """Apply a scenario's own MSR/MLR where given (rule code 5); the MLR follows the MSR by default."""
    own_msr, own_mlr = given["minimum_savings_rate"], given["minimum_loss_rate"]
    if own_msr is None:
        own_msr = np.full(len(msr), np.nan)
    if own_mlr is None:
        own_mlr = np.full(len(msr), np.nan)
    msr_given, mlr_given = ~np.isnan(own_msr), ~np.isnan(own_mlr)
    new_msr = np.where(msr_given, own_msr, msr)
    new_mlr = np.where(mlr_given, own_mlr, np.where(msr_given, own_msr, mlr))
    code[...] = np.where(msr_given | mlr_given, np.int8(SCENARIO_MSR_RULE), code)
    msr[...] = new_msr
    mlr[...] = np.where(two_sided, new_mlr, np.nan)


def _reduced_sharing(lk, ti, py, n, start, low_revenue, g, savings, r_s, outcome) -> np.ndarray:
    """425.605(h): low-revenue BASIC agreements from 2024 share at half rate below the MSR."""
    start_or_nan = np.nan if start is None else start
    reduced = (
        ~savings & (g > 0) & lk.is_basic.take(ti) & (low_revenue > 0) & (start_or_nan >= 2024)
        & (py >= 2024) & (n >= REDUCED_SHARING_MIN_BENEFICIARIES)
    )
    r_s[...] = np.where(reduced, r_s * REDUCED_SHARING_FACTOR, r_s)
    outcome |= reduced.view(np.int8) * np.int8(3)
    return savings | reduced


def _loss_limit(lk, ti, py, cell, b, start, given, out) -> np.ndarray:
    """Loss limit in dollars (425.605(d), 425.606(g), 425.610(g)); +inf for one-sided tracks."""
    year_in_track = given["track_2_year"]
    if (year_in_track is None and start is None) or not np.isin(ti, lk.limit_by_year).any():
        lk.limit_share_first_year.take(cell, out=out, mode="clip")
    else:
        from_start = 1 if start is None else np.where(np.isnan(start), 1, py - start + 1)
        year_in_track = from_start if year_in_track is None else np.where(
            np.isnan(year_in_track), from_start, year_in_track
        )
        column = np.clip(year_in_track, 1, 3).astype(np.intp) - 1
        lk.limit_share.take(ti * 3 + column, out=out, mode="clip")
    out *= b
    revenue = given["participant_revenue"]
    if revenue is not None:  # NaN revenue: no revenue limit
        np.fmin(out, lk.limit_revenue.take(ti) * revenue, out=out)
    return out
