"""Speed of the settlement engine and of the database build; prints figures, asserts nothing.

Targets: >= 10,000,000 settlements a second for the vectorized engine on 1,000,000 synthetic ACO-years
(issue 7; issue 2 asked 2,000,000), reported beside a bare numpy kernel of the core rule timed in the
same run (the machine is shared, so the ratio is the steadier figure); a full `data.build` of the CMS
folder in under 3 seconds. The engine is timed with its default threads (`default_workers()`) and with
one worker; CPU time is the whole process's (every thread), so the CPU-second rate is the work done, the
wall-clock rate what a caller waits. The load average is printed beside them (the machine is shared).
Threads only shorten the wall clock when a processor is idle: on a saturated Linux host with autogroup
scheduling (/proc/sys/kernel/sched_autogroup_enabled) a session's CPU share is fixed whatever its number
of threads, and 1 and 2 workers then take about as long.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aco_model.rules import TRACKS  # noqa: E402
from aco_model.validation import all_proven_ok  # noqa: E402
from aco_model.vectorized import (  # noqa: E402
    BLOCK_ROWS,
    OPTIONAL_DEFAULTS,
    REQUIRED,
    RESULT_COLUMNS,
    default_workers,
    result_arrays,
    settle_frame,
)

ROWS = 1_000_000


def synthetic_aco_years(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    benchmark = rng.lognormal(np.log(2.0e8), 0.8, rows)
    return pd.DataFrame(
        {
            "performance_year": rng.integers(2013, 2026, rows),
            "track": pd.Categorical.from_codes(rng.integers(0, len(TRACKS), rows), categories=list(TRACKS)),
            "benchmark": benchmark,
            "expenditure": benchmark * (1 - rng.normal(0.015, 0.04, rows)),
            "assigned_beneficiaries": rng.integers(3_000, 120_000, rows),
            "quality_score": rng.uniform(0.6, 1.0, rows),
            "msr_election": rng.choice([np.nan, 0.0, 0.005, 0.01, 0.015, 0.02], rows),
        }
    )


def bare_kernel_inputs(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-row rates for the bare kernel, fixed in advance so that it times the arithmetic alone."""
    rows = len(frame)
    q = frame["quality_score"].to_numpy()
    return {
        "benchmark": frame["benchmark"].to_numpy(),
        "expenditure": frame["expenditure"].to_numpy(),
        "msr": np.full(rows, 0.02),
        "sharing_rate": 0.5 * q,
        "loss_rate": 1.0 - 0.5 * q,
        "sequestration": np.full(rows, 0.98),
        "payment_limit": np.full(rows, 0.10),
        "loss_limit": np.full(rows, 0.04),
    }


def bare_kernel(benchmark, expenditure, msr, sharing_rate, loss_rate, sequestration, payment_limit,
                loss_limit) -> np.ndarray:
    """The core rule as plain whole-array numpy: corridor, sharing, payment cap, loss rate and limit."""
    g = benchmark - expenditure
    s = g / benchmark
    paid = np.minimum(sequestration * sharing_rate * g, payment_limit * benchmark)
    owed = np.minimum(loss_rate * -g, loss_limit * benchmark)
    return np.where((g > 0) & (s >= msr), paid, 0.0) - np.where((g < 0) & (-s >= msr), owed, 0.0)


def write_results(rows: int) -> None:
    """Allocate every result column fresh and write it once: the floor of returning all columns."""
    for array in result_arrays(list(RESULT_COLUMNS), rows).values():
        array.fill(1)


def validate(frame: pd.DataFrame) -> None:
    """The engine's input checks alone, block by block as it runs them."""
    data = {name: frame[name].to_numpy() for name in (*REQUIRED[2:], *OPTIONAL_DEFAULTS) if name in frame}
    years = frame["performance_year"].to_numpy()
    work = np.empty(BLOCK_ROWS), np.empty(BLOCK_ROWS)  # as the engine's work arrays
    for lo in range(0, len(frame), BLOCK_ROWS):
        block = slice(lo, lo + BLOCK_ROWS)
        all_proven_ok({name: values[block] for name, values in data.items()}, years[block], work)


def best_of(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times))


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    frame = synthetic_aco_years(ROWS)
    settle_frame(frame.head(1000))  # warm imports
    bare = bare_kernel_inputs(frame)
    workers = default_workers()
    load_before = load_average()
    timings: dict[str, list[tuple[float, float]]] = {}
    for _ in range(5):  # interleaved, so that load from other processes hits every variant alike
        for name, fn in (
            ("all columns", lambda: settle_frame(frame)),
            ("all columns, 1 worker", lambda: settle_frame(frame, workers=1)),
            ("earned only", lambda: settle_frame(frame, columns=["earned"])),
            ("bare kernel", lambda: bare_kernel(**bare)),
            ("write results", lambda: write_results(ROWS)),
            ("validation", lambda: validate(frame)),
        ):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            timings.setdefault(name, []).append((time.perf_counter() - wall, time.process_time() - cpu))
    bare_wall, bare_cpu = (float(np.median(t)) for t in zip(*timings["bare kernel"], strict=True))
    parts = {name: float(np.median([cpu for _, cpu in timings.pop(name)]))
             for name in ("write results", "validation")}
    for name, runs in timings.items():
        walls, cpus = (np.array(t) for t in zip(*runs, strict=True))
        wall, cpu = float(np.median(walls)), float(np.median(cpus))
        what = ("bare numpy kernel of the core rule" if name == "bare kernel"
                else f"settle_frame ({name}): {ROWS:,} ACO-years")
        ratio = "" if name == "bare kernel" else (
            f"; {bare_wall / wall:.2f} x the bare kernel's rate ({bare_cpu / cpu:.2f} x in CPU time)")
        print(f"{what}: best {walls.min():.3f} s, median {wall:.3f} s -> {ROWS / wall / 1e6:.1f} M/s "
              f"(median; {ROWS / cpu / 1e6:.1f} M per CPU-second){ratio}")
    wall = {name: float(np.median([w for w, _ in runs])) for name, runs in timings.items()}
    one, default = wall["all columns, 1 worker"], wall["all columns"]
    print(f"threads: all columns wall clock {ROWS / one / 1e6:.1f} M/s with 1 worker, "
          f"{ROWS / default / 1e6:.1f} M/s with {workers} (default; {one / default:.2f} x); "
          f"load average {load_before} before, {load_average()} after (1, 5, 15 min; "
          f"{os.cpu_count()} processors)")
    cpu = {name: float(np.median([c for _, c in runs])) * 1e3 for name, runs in timings.items()}
    write, checks = parts["write results"] * 1e3, parts["validation"] * 1e3
    print(f"where the CPU time goes (medians): input checks {checks:.0f} ms + the arithmetic "
          f"{cpu['earned only'] - checks:.0f} ms = earned only {cpu['earned only']:.0f} ms; all columns "
          f"{cpu['all columns']:.0f} ms, +{cpu['all columns'] - cpu['earned only']:.0f} ms to return "
          f"{len(RESULT_COLUMNS)} columns (allocating and writing {len(RESULT_COLUMNS)} fresh columns alone: "
          f"{write:.0f} ms)")
    print("target: settle_frame >= 10 M settlements/s")

    if "--engine-only" in sys.argv[1:]:  # skip timing the database build
        return
    cms = ROOT.parent / "shared" / "data" / "cms"
    try:
        from data.build import build_database
    except ImportError as exc:
        print(f"data.build: not available ({exc})")
        return
    if not cms.is_dir():
        print(f"data.build: CMS folder {cms} not found, build not timed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "aco.duckdb"
        cpu_times = []

        def build() -> None:  # CPU of the build's own process and of the worker processes it forks
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = time.process_time()
            build_database(cms, out, quiet=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            workers = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu_times.append((time.process_time() - cpu, workers))

        load_before = load_average()
        best, median = best_of(build, 3)
    own, workers = (float(np.median([t[i] for t in cpu_times])) for i in (0, 1))
    print(f"data.build of {cms.name}/: best {best:.2f} s, median {median:.2f} s (target < 3 s); CPU median "
          f"{own:.2f} s in the build's process + {workers:.2f} s in its workers; load average {load_before} "
          "before")


if __name__ == "__main__":
    main()
