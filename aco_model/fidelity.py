"""How closely the model reproduces CMS's published results, ACO-year by ACO-year.

For every real ACO-year the model settles the file's own inputs (`inputs.inputs_frame`) and compares
the result with CMS's `EarnSaveLoss`. A row matches when it is within $1 of CMS:
- "exact": the published inputs reproduce CMS's number to $1;
- "within quality rounding": CMS publishes the quality score rounded (4 decimals in PY2015-2024),
  but settled on the unrounded score; the row matches when CMS's number lies (to $1) between the
  settlements at the two ends of the score's rounding interval. The settlement is monotone in the
  score, so this brackets every value the unrounded score could have had.
Every other row gets a named reason, or "unexplained", which counts as a model defect.

    python -m aco_model.fidelity --db data/aco.duckdb
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from aco_model.inputs import inputs_frame
from aco_model.rules import TRACKS
from aco_model.vectorized import settle_frame

TOLERANCE = 1.0
EXACT = "exact"
WITHIN_ROUNDING = "within quality rounding"
REVENUE_LIMIT = "revenue-based loss limit binding (participant revenue not in public data)"
EUC_HALF = "loss reduced by half the published EUC adjustment (published DisAdj not the one applied)"
NO_GENERATED = "CMS reports no generated savings above the MSR (PY2024 Guardrail; rule not published)"
UNEXPLAINED = "unexplained"
MATCHED = (EXACT, WITHIN_ROUNDING)

_REVENUE_LIMITED = [t for t, r in TRACKS.items() if r.loss_limit_revenue_share is not None]


def quality_rounding(quality_score: np.ndarray) -> np.ndarray:
    """Half the unit of the last published decimal of each score (0.9084 -> 0.00005); 0 if unknown."""
    q = np.asarray(quality_score, dtype=float)
    half = np.zeros_like(q)
    for places in range(9, 0, -1):
        unit = 10.0**-places
        exact = np.abs(q * 10**places - np.round(q * 10**places)) < 1e-6
        half = np.where(exact & ~np.isnan(q), unit / 2, half)
    return np.where(q >= 1.0, 0.0, half)  # 1.0 = full marks (pay for reporting or a perfect score)


def compare(aco_year: pd.DataFrame) -> pd.DataFrame:
    """One row per comparable real ACO-year: CMS's and the model's amounts, status and reason."""
    rows = aco_year[
        ~aco_year["synthetic"].fillna(False).astype(bool)
        & aco_year["cms_earned_savings_losses"].notna()
        & aco_year[["track", "benchmark", "expenditure", "assigned_beneficiaries"]].notna().all(axis=1)
    ]
    inputs = inputs_frame(rows)
    model = settle_frame(inputs)
    cms = rows["cms_earned_savings_losses"].to_numpy(dtype=float)
    earned = model["earned"].to_numpy()
    lo, hi = _rounding_bounds(inputs)
    exact = np.abs(earned - cms) <= TOLERANCE
    bracketed = (cms >= lo - TOLERANCE) & (cms <= hi + TOLERANCE)
    status = np.where(exact, EXACT, np.where(bracketed, WITHIN_ROUNDING, ""))
    reason = np.where(status != "", status, _reasons(rows, inputs, model, cms))
    return pd.DataFrame(
        {
            "performance_year": rows["performance_year"].to_numpy(),
            "aco_id": rows["aco_id"].to_numpy(),
            "track": rows["track"].to_numpy(),
            "kind": np.select([cms > 0, cms < 0], ["savings", "loss"], default="zero"),
            "cms_earned": cms,
            "model_earned": earned,
            "difference": earned - cms,
            "matched": np.isin(reason, MATCHED),
            "reason": reason,
        },
        index=rows.index,
    )


def _rounding_bounds(inputs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    half = quality_rounding(inputs["quality_score"].to_numpy(dtype=float))
    ends = []
    for sign in (-1.0, 1.0):
        shifted = inputs.assign(quality_score=np.clip(inputs["quality_score"] + sign * half, 0.0, 1.0))
        ends.append(settle_frame(shifted)["earned"].to_numpy())
    return np.minimum(*ends), np.maximum(*ends)


def _reasons(rows: pd.DataFrame, inputs: pd.DataFrame, model: pd.DataFrame, cms: np.ndarray) -> np.ndarray:
    adj = np.abs(np.nan_to_num(_optional(rows, "cms_euc_loss_adjustment")))
    capped_loss = np.abs(np.minimum(cms, 0.0)) + adj
    loss_before = model["shared_loss_before_limit"].to_numpy()
    limit = model["loss_limit"].to_numpy()
    revenue_limited = (
        (cms < 0) & rows["track"].isin(_REVENUE_LIMITED).to_numpy()
        & (capped_loss < loss_before - TOLERANCE) & (capped_loss <= limit + TOLERANCE)
    )
    euc_half = (cms < 0) & (np.abs(loss_before - adj / 2 - np.abs(cms)) <= TOLERANCE)
    generated = _optional(rows, "cms_generated_savings_losses")
    guardrail = np.nan_to_num(_optional(rows, "guardrail")) > 0
    no_generated = guardrail & (cms == 0) & (generated == 0) & (model["outcome"].to_numpy() == 1)
    return np.select(
        [revenue_limited, euc_half, no_generated], [REVENUE_LIMIT, EUC_HALF, NO_GENERATED],
        default=UNEXPLAINED,
    )


def _optional(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name not in rows:
        return np.full(len(rows), np.nan)
    return pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def summarize(compared: pd.DataFrame) -> pd.DataFrame:
    """Per performance year: matches by kind of result, and mismatches grouped by reason."""
    def per_year(g: pd.DataFrame) -> pd.Series:
        out = {"comparable": len(g), "matched": int(g["matched"].sum()),
               "exact": int((g["reason"] == EXACT).sum()),
               "within_rounding": int((g["reason"] == WITHIN_ROUNDING).sum())}
        for kind in ("savings", "loss", "zero"):
            k = g[g["kind"] == kind]
            out[f"{kind}_matched"] = f"{int(k['matched'].sum())}/{len(k)}"
        misses = g.loc[~g["matched"], "reason"].value_counts()
        out["mismatches"] = "; ".join(f"{n} {r}" for r, n in misses.items()) or "-"
        return pd.Series(out)

    table = compared.groupby("performance_year").apply(per_year, include_groups=False)
    table["match_rate"] = table["matched"] / table["comparable"]
    return table.reset_index()


def read_aco_year(db: Path) -> pd.DataFrame:
    import duckdb  # adapter: only the command line touches the database

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM aco_year").df()


def report(compared: pd.DataFrame) -> str:
    table = summarize(compared)
    lines = [table.to_string(index=False)]
    matched, comparable = int(compared["matched"].sum()), len(compared)
    exact = int((compared["reason"] == EXACT).sum())
    lines.append(
        f"{exact:,} exact from the published inputs, {matched - exact:,} with the quality score inside "
        f"its published rounding; {comparable - matched:,} mismatches, "
        f"{int((compared['reason'] == UNEXPLAINED).sum())} unexplained"
    )
    lines.append(f"fidelity: {matched}/{comparable} matched to $1")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aco_model.fidelity", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("data/aco.duckdb"))
    parser.add_argument("--mismatches", action="store_true", help="list every mismatched ACO-year")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"error: database {args.db} not found; build it with python -m data.build", file=sys.stderr)
        return 2
    compared = compare(read_aco_year(args.db))
    if compared.empty:
        print("error: no real CMS ACO-years in the database (synthetic demo data only)", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 90):
        if args.mismatches:
            print(compared[~compared["matched"]].to_string())
        print(report(compared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
