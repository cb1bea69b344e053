"""The build's worker processes (data/build.py `_processes`): the same database, the same messages and
the same first failure as reading the files one after another in the build's own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data import build
from data.build import BuildError, build_database
from data.store import TABLES

YEARS = (2022, 2023, 2024)
ROOT = Path(__file__).resolve().parents[2]
RESULTS = ("rows", "warnings", "notes", "absent", "lineage", "files", "rows_per_year")
several_processors = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one processor: no workers")


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: con.sql(f"SELECT * FROM {table}").df().drop(columns=["loaded_at"], errors="ignore")
                for table, _ in TABLES}


# A build in a process of its own: a test process has other threads (a browser test's, Streamlit's), and
# beside them the build reads the files in-process, so the workers would go untested.
_FRESH_BUILD = """
import json, sys
from pathlib import Path
from data import build
cms, out, results = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",")
workers = build._workers(len(list(cms.glob("*.csv"))))
try:
    result = build.build_database(cms, out, quiet=True)
except build.BuildError as exc:
    print(json.dumps({"workers": workers, "error": str(exc)}))
else:
    print(json.dumps({"workers": workers, **{name: repr(getattr(result, name)) for name in results}}))
"""


def _fresh_build(cms: Path, out: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != build.WORKERS_ENV}
    done = subprocess.run([sys.executable, "-c", _FRESH_BUILD, str(cms), str(out), ",".join(RESULTS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def three_years(tiny_file, tmp_path: Path) -> Path:
    for year in YEARS:
        tiny_file(name=f"mssp_puf_py{year}.csv")
    return tmp_path / "cms"


@several_processors
@several_processors
def test_workers_only_in_a_process_of_one_thread(monkeypatch):
    with monkeypatch.context() as alone:  # as if this process had no other thread
        alone.setattr(build.threading, "active_count", lambda: 1)
        assert build._workers(3) == min(len(os.sched_getaffinity(0)), 3, build.MAX_WORKERS) > 1
        assert build._workers(1) == 1
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    try:
        assert build._workers(3) == 1  # a fork beside another thread could inherit a lock held forever
    finally:
        done.set()
        other.join()


def test_workers_capped_by_the_environment(monkeypatch):
    monkeypatch.setattr(build.threading, "active_count", lambda: 1)
    monkeypatch.setenv(build.WORKERS_ENV, "1")
    assert build._workers(12) == 1
    monkeypatch.setenv(build.WORKERS_ENV, "many")  # not a count: the default
    assert build._workers(12) == min(len(os.sched_getaffinity(0)), build.MAX_WORKERS)


@several_processors
def test_workers_build_the_same_database_as_one_process(three_years, tmp_path, monkeypatch):
    in_workers = _fresh_build(three_years, tmp_path / "workers.duckdb")
    assert in_workers["workers"] > 1
    monkeypatch.setattr(build, "_workers", lambda files: 1)
    alone = build_database(three_years, tmp_path / "alone.duckdb", quiet=True)
    assert alone.rows == 3 * len(YEARS)
    for attribute in RESULTS:
        assert in_workers[attribute] == repr(getattr(alone, attribute)), attribute
    workers, one = _tables(tmp_path / "workers.duckdb"), _tables(tmp_path / "alone.duckdb")
    for table, _ in TABLES:
        pd.testing.assert_frame_equal(workers[table], one[table], obj=table)
    assert workers["aco_year"]["lineage_id"].nunique() == 3  # the same three ACOs every year


@several_processors
def test_the_first_bad_file_in_name_order_is_named(three_years, tmp_path, monkeypatch):
    """Two files fail in the workers; the error names the first by name, as reading in order would."""
    for year in YEARS[1:]:
        path = three_years / f"mssp_puf_py{year}.csv"
        path.write_text(path.read_text().replace("Invented Care Two,", "Invented Care Two,extra,", 1))
    in_workers = _fresh_build(three_years, tmp_path / "aco.duckdb")
    assert in_workers["workers"] > 1
    monkeypatch.setattr(build, "_workers", lambda files: 1)
    with pytest.raises(BuildError) as failed:
        build_database(three_years, tmp_path / "aco.duckdb", quiet=True)
    messages = [in_workers["error"], str(failed.value)]
    assert messages[0] == messages[1]
    assert messages[0].startswith("mssp_puf_py2023.csv: line 3:"), messages[0]
    assert not (tmp_path / "aco.duckdb").exists()
