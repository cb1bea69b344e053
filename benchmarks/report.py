"""Executive summary timings: the link read and settled (with the fidelity figure), the PDF, the PPTX.

    .venv/bin/python benchmarks/report.py [--db data/aco.duckdb] [--link "aco=A1026&year=2024"]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.queries import AcoDatabase  # noqa: E402
from report.pdf import render_pdf  # noqa: E402
from report.slides import render_pptx  # noqa: E402
from report.summary import summary_from_link  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("data/aco.duckdb"))
    parser.add_argument("--link", default="aco=A1026&year=2024&track=ENHANCED")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    database = AcoDatabase(args.db)
    best = min(_timed(lambda: summary_from_link(args.link, database)) for _ in range(args.runs))
    print(f"summary (link, settlement, curves, fidelity): {best * 1000:.0f} ms")
    summary = summary_from_link(args.link, database)
    for name, draw in (("PDF", render_pdf), ("PPTX", render_pptx)):
        best = min(_timed(lambda draw=draw: draw(summary)) for _ in range(args.runs))
        print(f"{name}: {best * 1000:.0f} ms, {len(draw(summary)):,} bytes")


def _timed(step) -> float:  # noqa: ANN001
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
