"""Memory for the engine's result columns: fresh pages, or a large block a caller has let go of.

Writing a million ACO-years' 23 result columns into fresh memory costs as much again as settling them:
the system faults in and zeroes every page first (measured here: ~30 ms of CPU a million rows, of ~145).
So the engine keeps the large result blocks it handed out last, up to `KEPT_BYTES` in all. Once the
caller has dropped every array viewing one of them, the next settlement of the same size writes into
it again, and the pages are neither faulted nor zeroed. Whether a block is still in use is its
reference count: every numpy view of a block (a result column, a pandas column, a slice of either)
references the array that owns its memory, so a block viewed anywhere is never handed out twice. A
reused block is not zeroed: the caller writes every value it returns (the engine zeroes the columns it
may leave unwritten).

The price is memory: up to `KEPT_BYTES` of dropped results stay allocated (the last ones settled; all
the columns of a million rows take 142 MB). Results below `KEPT_FROM` bytes come from the allocator's
own free lists, as any numpy array.

>>> block, reused = claim(8 * 1_000)
>>> block.nbytes, block.dtype.name, reused
(8000, 'uint8', False)
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

_HUGE_PAGE = 2 << 20
KEPT_FROM = 2 * _HUGE_PAGE  # bytes
KEPT_BYTES = 256 << 20  # all kept blocks together, in use or not
_kept: list[np.ndarray] = []  # owners of the last large blocks handed out, oldest first
_lock = threading.Lock()  # two settlements (two sessions' threads) never claim the same block


def claim(nbytes: int) -> tuple[np.ndarray, bool]:
    """`nbytes` bytes (uint8, 8-byte aligned) for a result block, and whether they were used before.

    Fresh bytes are zero; reused ones hold an earlier result."""
    if nbytes < KEPT_FROM or _owned_bytes(nbytes) > KEPT_BYTES:
        return _fresh_zeros(nbytes), False
    with _lock:
        for i in range(len(_kept)):
            if _kept[i].nbytes == _owned_bytes(nbytes) and _references(_kept, i) == _UNUSED_REFERENCES:
                owner = _kept.pop(i)
                _kept.append(owner)  # most recently handed out: kept longest
                return _aligned(owner, nbytes), True
        owner = np.zeros(_owned_bytes(nbytes), dtype=np.uint8)
        _kept.append(owner)
        while sum(kept.nbytes for kept in _kept) > KEPT_BYTES:
            del _kept[0]  # freed once no result views it
        return _aligned(owner, nbytes), False


def _references(kept: list[np.ndarray], i: int) -> int:
    """The reference count of kept[i] as seen here: the list's, this frame's, and one per view."""
    owner = kept[i]
    return sys.getrefcount(owner)


# The count of an owner only a list references, measured the same way (3 on CPython 3.11: the list's
# entry, `owner`, getrefcount's argument), so that no interpreter's way of counting is assumed.
_UNUSED_REFERENCES = _references([np.empty(0)], 0)


def release_all() -> None:
    """Let go of every kept block (their memory is freed once no result views it)."""
    with _lock:
        _kept.clear()


@contextmanager
def set_aside() -> Iterator[None]:
    """Within: every claim is fresh memory, as for a caller who keeps every result (the benchmark's
    figure for one); the blocks kept before are kept again after, those claimed within are not."""
    with _lock:
        before = _kept[:]
        _kept.clear()
    try:
        yield
    finally:
        with _lock:
            _kept[:] = before


def _owned_bytes(nbytes: int) -> int:
    """Bytes to allocate for `nbytes` starting on a 2 MB boundary (see `_aligned`)."""
    return -(-nbytes // _HUGE_PAGE) * _HUGE_PAGE + _HUGE_PAGE


def _aligned(owner: np.ndarray, nbytes: int) -> np.ndarray:
    start = -owner.ctypes.data % _HUGE_PAGE
    return owner[start:start + nbytes]


def _fresh_zeros(nbytes: int) -> np.ndarray:
    """np.zeros(nbytes, uint8), starting on a 2 MB boundary when large.

    A large np.zeros takes fresh pages from the system, zero already: the columns the kernel leaves at
    0.0 (proration_adjustment without a proration) cost nothing until read. numpy asks for huge pages
    on large arrays, but only 2 MB-aligned stretches get them; each 4 KB page otherwise costs a page
    fault (measured here: 136 MB of results in 4 KB pages ~100 ms of system time, in 2 MB pages ~25 ms).
    """
    if nbytes < 2 * _HUGE_PAGE:
        return np.zeros(nbytes, dtype=np.uint8)
    return _aligned(np.zeros(_owned_bytes(nbytes), dtype=np.uint8), nbytes)
