"""One build at a time per database path: an advisory lock on `<database>.lock` beside it.

Two builds into one path (two app replicas starting at once, or `make data` while the app builds)
would each write a temporary file and replace the database, the last one winning silently. The
second build waits for the first (up to a timeout) and then goes on, or gives up with a message
naming the holder. The lock is the operating system's (flock): it is released when its process
ends, however it ends, so a killed build never leaves a stale lock. The `.lock` file itself stays.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; builds are not serialized there (see README)
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.1
DEFAULT_WAIT_SECONDS = 120.0


class LockBusy(RuntimeError):
    """Another build of the same database did not finish within the wait; the message says who."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 64, 0).decode().strip()
        if text:
            return f"process {int(text)}"
    return "another process"


@contextlib.contextmanager
def build_lock(database: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[bool]:
    """Hold the database's build lock; yields whether this build had to wait for another one."""
    database.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield False
        return
    fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        waited, deadline = False, time.monotonic() + max(wait_seconds, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another build of {database.name} is running ({_holder(fd)}) and did not finish "
                        f"within {wait_seconds:g} s; try again when it has"
                    ) from None
                waited = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield waited
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
