"""The database file between builds: one build at a time per path (a lock), leftovers of a killed build
removed, and a truncated or damaged file caught at start and rebuilt. Small invented files only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from data import store
from data.build import BuildError, build_database, ensure_database, main
from data.build_lock import build_lock, lock_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cms(tmp_path: Path, tiny_file) -> Path:
    tiny_file()
    return tmp_path / "cms"


def rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM aco_year").fetchone()[0]


# --- one build at a time -------------------------------------------------------------------------
def test_second_build_gives_up_with_a_message_naming_the_holder(tmp_path, cms):
    out = tmp_path / "aco.duckdb"
    with build_lock(out):
        started = time.monotonic()
        with pytest.raises(BuildError) as caught:
            build_database(cms, out, quiet=True, wait_seconds=0.3)
        waited = time.monotonic() - started
    assert str(caught.value) == (f"another build of aco.duckdb is running (process {os.getpid()}) and did "
                                 "not finish within 0.3 s; try again when it has")
    assert 0.3 <= waited < 3 and not out.exists()


def test_second_build_waits_for_the_first(tmp_path, cms):
    out = tmp_path / "aco.duckdb"
    release = threading.Event()

    def hold() -> None:
        with build_lock(out):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    threading.Timer(0.5, release.set).start()
    report = build_database(cms, out, quiet=True, wait_seconds=10)
    holder.join()
    assert report.warnings[0] == "waited for another build of aco.duckdb to finish first"
    assert rows(out) == 3


def test_two_build_processes_into_one_path(tmp_path, cms):
    """Two `python -m data.build` at once: both finish, one after the other, nothing left behind."""
    out = tmp_path / "aco.duckdb"
    command = [sys.executable, "-m", "data.build", "--cms-dir", str(cms), "--out", str(out)]
    procs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert rows(out) == 3
    expected = ["aco.duckdb", "aco.duckdb.lock", "aco.duckdb.sha256", "cms"]
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_app_start_waits_for_a_running_build_and_does_not_build_again(tmp_path, cms):
    out = tmp_path / "aco.duckdb"
    done = threading.Event()

    def slow_build() -> None:
        with build_lock(out):
            time.sleep(0.5)
            build_database(cms, out.with_name("other.duckdb"), quiet=True)
            (out.with_name("other.duckdb")).replace(out)
        done.set()

    builder = threading.Thread(target=slow_build)
    builder.start()
    time.sleep(0.1)
    assert ensure_database(out, cms, wait_seconds=30) is None  # built by the other one meanwhile
    builder.join()
    assert done.is_set() and rows(out) == 3


# --- leftovers of a killed build ------------------------------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_killed_build_leftovers_are_removed_by_the_next_build(tmp_path, cms):
    out = tmp_path / "aco.duckdb"
    killed = subprocess.Popen(  # a writer killed while writing its temporary file
        [sys.executable, "-c", "import os, sys, time; from pathlib import Path; p = Path(sys.argv[1]); "
         "(p.parent / f'{p.name}.tmp-{os.getpid()}-0a1b2c3d4e5f').write_bytes(b'x' * 9000); time.sleep(60)",
         str(out)])
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob("aco.duckdb.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.kill()
    killed.wait()
    old_style = tmp_path / "aco.duckdb.tmp-0123456789ab"  # name from before the pid was in it
    old_style.write_bytes(b"y")
    (tmp_path / "aco.duckdb.tmp-0123456789ab.wal").write_bytes(b"z")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = tmp_path / f"aco.duckdb.tmp-{running.pid}-ffffffffffff"  # a live writer's: kept
        alive.write_bytes(b"w")
        report = build_database(cms, out, quiet=True)
        assert sorted(p.name for p in tmp_path.glob("aco.duckdb.tmp-*")) == [alive.name]
    finally:
        running.kill()
        running.wait()
    removed = [w for w in report.warnings if w.startswith("removed 3 temporary file(s) left by a build")]
    assert len(removed) == 1 and f".tmp-{killed.pid}-0a1b2c3d4e5f" in removed[0]
    report = build_database(cms, out, quiet=True)  # the live writer has ended since: its file goes too
    assert not list(tmp_path.glob("aco.duckdb.tmp-*"))
    assert report.warnings == [f"removed 1 temporary file(s) left by a build that did not finish: "
                               f"{alive.name}"]
    assert not build_database(cms, out, quiet=True).warnings


def test_leftover_of_a_dead_process_is_removed(tmp_path):
    out = tmp_path / "aco.duckdb"
    dead = tmp_path / f"aco.duckdb.tmp-{_dead_pid()}-abcdefabcdef"
    dead.write_bytes(b"x")
    other = tmp_path / "other.duckdb.tmp-1-abcdefabcdef"  # another database's: not ours to remove
    other.write_bytes(b"x")
    assert store.remove_leftovers(out) == [dead.name]
    assert other.exists() and not dead.exists()


# --- damaged databases ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_bytes(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("demo") / "aco.duckdb"
    build_database(None, out, demo=True, quiet=True)
    return out.read_bytes()


@pytest.mark.parametrize("keep", [0.45, 0.75, 0.95])
def test_truncated_database_is_caught_and_rebuilt(tmp_path, cms, demo_bytes, capsys, keep):
    out = tmp_path / "db" / "aco.duckdb"
    out.parent.mkdir()
    out.write_bytes(demo_bytes[: int(len(demo_bytes) * keep)])
    with duckdb.connect(str(out), read_only=True) as con:  # the catalogue still opens: the old check passed
        assert con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0] >= 2
    problem = store.database_problem(out)
    assert problem is not None and problem.startswith("damaged (IOException: ")
    assert str(out.parent) not in problem  # no server folder in a message a viewer may see
    report = ensure_database(out, cms)
    assert report is not None and report.warnings[0].startswith("database aco.duckdb was damaged (")
    assert report.warnings[0].endswith(": rebuilt") and str(tmp_path) not in report.warnings[0]
    assert "rebuilt" in capsys.readouterr().err
    assert store.database_problem(out) is None and rows(out) == 3


@pytest.mark.parametrize("where", [0.3, 0.5, 0.7, 0.9])
def test_damaged_block_is_caught_by_its_digest(tmp_path, cms, demo_bytes, where):
    """Any changed byte, even in a block no query reads (DuckDB's block checksums miss those)."""
    out = tmp_path / "aco.duckdb"
    damaged = bytearray(demo_bytes)
    at = int(len(damaged) * where)
    damaged[at:at + 64] = b"\xaa" * 64
    out.write_bytes(bytes(damaged))
    store.digest_path(out).write_text(hashlib.sha256(demo_bytes).hexdigest() + "\n")
    problem = store.database_problem(out)
    assert problem is not None and problem.startswith("damaged")
    assert ensure_database(out, cms) is not None and store.database_problem(out) is None


def test_the_build_writes_the_digest_it_is_checked_against(tmp_path, demo_bytes):
    out = tmp_path / "aco.duckdb"
    build_database(None, out, demo=True, quiet=True)
    assert store.digest_path(out).read_text().strip() == hashlib.sha256(out.read_bytes()).hexdigest()
    assert store.database_problem(out) is None


def test_a_good_database_passes_the_start_check_quickly(tmp_path, demo_bytes):
    out = tmp_path / "aco.duckdb"
    out.write_bytes(demo_bytes)
    started = time.perf_counter()
    assert store.database_problem(out) is None
    assert time.perf_counter() - started < 5  # about 0.05 s for the demo set; generous for a busy machine


def test_cli_reports_a_lock_held_too_long(tmp_path, cms, capsys):
    out = tmp_path / "aco.duckdb"
    with build_lock(out):
        code = main(["--cms-dir", str(cms), "--out", str(out), "--wait", "0"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("error: another build of aco.duckdb is running") and "\n" not in err
    assert lock_path(out).exists() and not out.exists()
