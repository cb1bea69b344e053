"""A settlement writes into a dropped result's memory, never into one still viewed anywhere (a DataFrame,
one column's array, a slice of it, from any thread), and gives bit for bit what fresh memory gives."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from reference_settlement import reference_settle
from test_engine_reference import OPTIONAL, _assert_same, _frame

import aco_model.result_memory as result_memory
from aco_model.vectorized import settle_frame


@pytest.fixture(autouse=True)
def small_results_kept(monkeypatch):
    monkeypatch.setattr(result_memory, "KEPT_FROM", 1)  # the test frames' results are kept too
    result_memory.release_all()
    yield
    result_memory.release_all()


def _address(values) -> int:
    return values.to_numpy().__array_interface__["data"][0]


def test_a_dropped_result_is_written_again_and_settles_alike():
    with_proration = _frame(1, 2_000, OPTIONAL)  # every column written, proration_adjustment not 0
    first = settle_frame(with_proration)
    assert (first["proration_adjustment"] != 0).any()
    address = _address(first["earned"])
    del first
    without = _frame(2, 2_000, [name for name in OPTIONAL if name != "proration"])
    again = settle_frame(without)
    assert _address(again["earned"]) == address  # the dropped block, not fresh memory
    _assert_same(again, reference_settle(without))  # proration_adjustment 0.0 again, not the old values


@pytest.mark.parametrize("keep", ["frame", "column", "slice"])
def test_a_result_still_viewed_is_never_written(keep):
    first = settle_frame(_frame(3, 2_000, OPTIONAL))
    if keep == "frame":
        held = first
    else:
        held = first["earned"].to_numpy() if keep == "column" else first["earned"].to_numpy()[5:9]
    before = held.copy(deep=True) if keep == "frame" else held.copy()
    address = _address(first["earned"])
    del first
    later = [settle_frame(_frame(seed, 2_000, OPTIONAL)) for seed in (4, 5, 6)]
    assert all(_address(result["earned"]) != address for result in later)
    if keep == "frame":
        _assert_same(held, before)
    else:
        assert np.array_equal(held, before, equal_nan=True)


def test_settlements_on_several_threads_never_share_memory():
    frames = [_frame(seed, 3_000, OPTIONAL) for seed in range(4)]
    results: list = [None] * 8
    start = threading.Barrier(8)

    def settle(i: int) -> None:
        start.wait()
        for _ in range(3):  # each drops its previous result: blocks are handed around
            results[i] = settle_frame(frames[i % 4])

    threads = [threading.Thread(target=settle, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrays = [result["earned"].to_numpy() for result in results]
    for i in range(8):
        _assert_same(results[i], reference_settle(frames[i % 4]))
        assert not any(np.shares_memory(arrays[i], arrays[j]) for j in range(i + 1, 8))


def test_only_the_last_blocks_within_the_budget_are_kept(monkeypatch):
    frame = _frame(7, 2_000, [])
    one_block = result_memory._owned_bytes(1)  # what any small result's block takes (aligned pages)
    monkeypatch.setattr(result_memory, "KEPT_BYTES", 2 * one_block)
    result_memory.release_all()
    held = [settle_frame(frame) for _ in range(4)]  # each in new memory: the others are in use
    assert len({_address(result["earned"]) for result in held}) == 4
    assert [id(owner) for owner in result_memory._kept] == [id(held[i]["earned"].to_numpy().base)
                                                              for i in (2, 3)]
    monkeypatch.setattr(result_memory, "KEPT_BYTES", one_block - 1)  # above the budget: never kept
    result_memory.release_all()
    settle_frame(frame)
    assert result_memory._kept == []


def test_set_aside_settles_in_fresh_memory_and_keeps_the_blocks_kept_before():
    frame = _frame(8, 2_000, [])
    address = _address(settle_frame(frame)["earned"])  # dropped at once: kept, free
    with result_memory.set_aside():
        inside = settle_frame(frame)
        assert _address(inside["earned"]) != address
    del inside
    assert _address(settle_frame(frame)["earned"]) == address
