"""Speed of the settlement engine and of the database build; prints figures, asserts nothing.

Targets (issue 2): >= 2,000,000 settlements a second for the vectorized engine on 1,000,000 synthetic
ACO-years; a full `data.build` of the CMS folder in under 3 seconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aco_model.rules import TRACKS  # noqa: E402
from aco_model.vectorized import settle_frame  # noqa: E402

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


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times))


def main() -> None:
    frame = synthetic_aco_years(ROWS)
    settle_frame(frame.head(1000))  # warm imports
    best, median = best_of(lambda: settle_frame(frame), 5)
    print(f"settle_frame: {ROWS:,} ACO-years, best {best:.3f} s, median {median:.3f} s "
          f"-> {ROWS / median:,.0f} settlements/s (median; target >= 2,000,000)")

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
        best, median = best_of(lambda: build_database(cms, out, quiet=True), 3)
    print(f"data.build of {cms.name}/: best {best:.2f} s, median {median:.2f} s (target < 3 s)")


if __name__ == "__main__":
    main()
