"""python -m report --link "<share link or its query string>" --out FILE.pdf (or FILE.pptx).

Exit 0 with the file written; exit 2 with one line on standard error for bad input (no link values, an
ACO-year the database lacks, an output that is neither .pdf nor .pptx, no database). Link values the
what-if page would not use are printed as warnings, and the document notes them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = Path(__file__).resolve().parents[1] / "data" / "aco.duckdb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report", description=__doc__.split("\n")[0])
    parser.add_argument("--link", required=True, help="the what-if page's share link, or its query string")
    parser.add_argument("--out", required=True, type=Path, help="FILE.pdf (one page) or FILE.pptx (slides)")
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("ACO_LENS_DB") or DEFAULT_DB),
                        help="the database (default $ACO_LENS_DB or data/aco.duckdb)")
    args = parser.parse_args(argv)
    kind = args.out.suffix.lower()
    if kind not in (".pdf", ".pptx"):
        return _fail(f"--out must end in .pdf or .pptx, not {args.out.name!r}")
    if not args.db.exists():
        return _fail(f"no database at {args.db}; build it with python -m data.build")

    from data.queries import AcoDatabase
    from report.summary import LinkError, summary_from_link

    database = AcoDatabase(args.db)
    try:
        summary = summary_from_link(args.link, database)
    except LinkError as exc:
        return _fail(str(exc))
    finally:
        database.close()
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if kind == ".pdf":
        from report.pdf import render_pdf

        data = render_pdf(summary)
    else:
        from report.slides import render_pptx

        data = render_pptx(summary)
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
    print(f"wrote {args.out}: {summary.subject}, PY{summary.year}, {summary.headline.lower()} "
          f"{summary.result.earned:,.0f}")
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
