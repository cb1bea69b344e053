"""The engine settles a large frame's blocks on several threads: the same result bit for bit whatever the
number of workers (odd block counts, a last partial block), every block settled once, small frames on the
calling thread, and a refusal worded as with one worker whichever block breaks a rule."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from test_engine_reference import OPTIONAL, _assert_same, _frame

import aco_model.kernel as kernel
import aco_model.vectorized as vectorized
from aco_model.validation import InputError
from aco_model.vectorized import default_workers, settle_frame


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(vectorized, "BLOCK_ROWS", 1_024)  # pooled work arrays (kernel._POOLED_FROM)
    return 1_024


@pytest.fixture
def settled_by(monkeypatch):
    """Which thread settled each block (its first row's position in the block's slice of results)."""
    calls: list[tuple[int, int]] = []
    real = vectorized.settle_block

    def recording(lk, ti, py, given, flags, results, work, wanted):
        calls.append((threading.get_ident(), len(ti)))
        real(lk, ti, py, given, flags, results, work, wanted)

    monkeypatch.setattr(vectorized, "settle_block", recording)
    return calls


@pytest.mark.parametrize("rows", [7 * 1_024 + 5, 9 * 1_024, 3 * 1_024 + 1])  # odd block counts
def test_one_two_or_three_workers_give_the_same_result_bit_for_bit(small_blocks, rows):
    frame = _frame(rows, rows, OPTIONAL)
    one = settle_frame(frame, workers=1)
    for workers in (2, 3):
        _assert_same(settle_frame(frame, workers=workers), one)


def test_only_the_columns_asked_for_are_the_same_with_threads(small_blocks):
    frame = _frame(4, 11 * 1_024 + 17, OPTIONAL)
    full = settle_frame(frame, workers=1)
    part = settle_frame(frame, columns=["earned", "loss_limit_binding"], workers=3)
    for name in part.columns:
        assert np.array_equal(part[name].to_numpy(), full[name].to_numpy(), equal_nan=True), name


def test_every_block_is_settled_once_and_only_by_the_workers_asked_for(small_blocks, settled_by):
    frame = _frame(8, 13 * 1_024 + 3, ["quality_score", "msr_election"])
    settle_frame(frame, workers=2)
    assert sorted(rows for _, rows in settled_by) == [3] + [1_024] * 13
    assert len({thread for thread, _ in settled_by}) <= 2


def test_a_frame_below_the_threshold_stays_on_the_calling_thread(small_blocks, settled_by, monkeypatch):
    monkeypatch.setattr(vectorized, "THREADED_FROM", 20 * 1_024)
    settle_frame(_frame(9, 19 * 1_024, ["quality_score"]))
    assert {thread for thread, _ in settled_by} == {threading.get_ident()}
    assert len(settled_by) == 19


def test_a_large_frame_uses_the_default_workers(small_blocks, settled_by, monkeypatch):
    monkeypatch.setattr(vectorized, "THREADED_FROM", 4 * 1_024)
    monkeypatch.setattr(vectorized, "default_workers", lambda: 3)
    started = []
    real = vectorized.ThreadPoolExecutor

    def counting(workers, **kwargs):
        started.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(vectorized, "ThreadPoolExecutor", counting)
    settle_frame(_frame(10, 9 * 1_024, ["quality_score"]))
    assert started == [2]  # two helpers beside the calling thread
    assert len(settled_by) == 9


def test_default_workers_is_at_least_one_and_at_most_the_cap():
    assert 1 <= default_workers() <= vectorized.MOST_WORKERS


@pytest.mark.parametrize("bad_blocks", [[5], [2, 6], [0, 6]])
def test_a_refusal_names_the_same_rows_whatever_the_workers(small_blocks, bad_blocks):
    frame = _frame(12, 7 * 1_024 - 9, ["quality_score", "euc_share"])
    for block in bad_blocks:
        frame.iloc[block * 1_024 + 11, frame.columns.get_loc("benchmark")] = -5.0
    frame.iloc[6 * 1_024 + 2, frame.columns.get_loc("quality_score")] = 1.5
    messages = set()
    for workers in (1, 2, 3):
        with pytest.raises(InputError) as refused:
            settle_frame(frame, workers=workers)
        messages.add(str(refused.value))
    assert len(messages) == 1
    message = messages.pop()
    for block in bad_blocks:
        assert f"row {frame.index[block * 1_024 + 11]} (-5)" in message
    assert f"row {frame.index[6 * 1_024 + 2]} (1.5)" in message


def test_work_arrays_go_back_to_the_pool_after_a_refusal(small_blocks):
    frame = _frame(13, 6 * 1_024, ["quality_score"])
    frame.iloc[3 * 1_024, frame.columns.get_loc("expenditure")] = np.nan
    kernel._FREE.clear()
    with pytest.raises(InputError):
        settle_frame(frame, workers=3)
    assert 1 <= len(kernel._FREE) <= 3
    good = frame.assign(expenditure=frame["benchmark"] * 0.99)
    _assert_same(settle_frame(good, workers=3), settle_frame(good, workers=1))


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_whole_number_of_at_least_one(workers):
    with pytest.raises(ValueError, match="workers must be a whole number"):
        settle_frame(_frame(1, 3, []), workers=workers)
