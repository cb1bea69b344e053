"""Time the risk-election simulation: 100,000 draws settled under every track (target < 0.5 s).

Run: `.venv/bin/python benchmarks/uncertainty.py [draws]`. Uses a synthetic mean-reversion calibration
(the shape `calibrate` fits on CMS's files: slope -0.25, a year-wide shock of sd 0.5 point, 2,000
normal-looking residuals bootstrapped), so it needs no CMS file. Prints the first (cold) run and the
best and median of the following runs, for one election per track (10 tracks) and for every
track x MSR/MLR election offered in PY2024 (26 elections), then the load average (the machine is shared).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aco_model.reconciliation import AcoYear  # noqa: E402
from aco_model.rules import TRACKS  # noqa: E402
from aco_model.uncertainty import Calibration, Election, elections_for, simulate, summarize  # noqa: E402

REPEATS = 5


def _time(label: str, base: AcoYear, calibration: Calibration, draws: int, elections: list[Election]) -> None:
    times = []
    for i in range(REPEATS + 1):
        start = time.perf_counter()
        result = simulate(base, calibration, draws, seed=i, elections=elections)
        summarize(result)
        times.append(time.perf_counter() - start)
    cold, warm = times[0], times[1:]
    rows = draws * len(elections)
    print(f"{label}: {draws:,} draws x {len(elections)} elections = {rows:,} settlements | "
          f"cold {cold:.3f} s, best {min(warm):.3f} s, median {statistics.median(warm):.3f} s "
          f"(simulate + summarize)")


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = np.random.default_rng(2024)
    changes = rng.normal(0.005, 0.04, 2_000)
    calibration = replace(Calibration.from_changes(changes, source="synthetic benchmark sample"),
                          model="mean_reversion", slope=-0.25, renewal_slope=-0.67, drift=0.005,
                          year_shock_sd=0.005, program_means=((2024, 0.047),))
    base = AcoYear(2024, "BASIC_E", 300e6, 290e6, 25_000, quality_score=0.8, met_quality_standard=True)
    _time("every track", base, calibration, draws, [Election(t) for t in TRACKS])
    _time("every PY2024 election", base, calibration, draws, elections_for(2024))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
