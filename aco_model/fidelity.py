"""How closely the model reproduces CMS's published results, ACO-year by ACO-year, in two tiers.

For every real ACO-year the model settles the file's inputs (`inputs.inputs_frame`) and compares the
result with CMS's `EarnSaveLoss`. A row matches when it is within $1 of CMS:
- "exact": the inputs reproduce CMS's number to $1;
- "within quality rounding": CMS publishes the quality score rounded (`quality.QUALITY_SCORE_HALF_UNIT`:
  4 decimals in PY2015-2024) but settled on the unrounded score; the row matches when CMS's number lies
  (to $1) between the settlements at the two ends of the score's published rounding interval. The
  settlement is monotone in the score, so this brackets every value the unrounded score could have had.

Two tiers:
- overall: inputs as `inputs_frame` reads them, some from CMS's outcome columns (`inputs.outcome_inputs`:
  the EUC share, quality failures before Met_QPS existed, the solved EUC mean quality score);
- independent: public inputs alone (`inputs_frame(public_only=True)`), no input read from EarnSaveLoss,
  GenSaveLoss, DisAdj, FinalShareRate, FinalLossRate or Sav_rate. Loss rows with EUC relief are compared
  before the relief: the model's capped loss L2 against |EarnSaveLoss| + the relief CMS applied.
The published MSR counts as a public input (CMS publishes the MSR/MLR election nowhere else); the report
says how many rows rely on it. In both tiers the PY2020-2022 losses, forgiven in full (EarnSaveLoss 0,
DisAdj the relieved loss), are compared on the loss before relief, not on the zero.
Every mismatch gets a reason: a named public input that is missing, or "unexplained".

    python -m aco_model.fidelity --db data/aco.duckdb [--mismatches] [--not-independent]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from aco_model.euc_quality import EUC_MEAN_QUALITY, at_mean_score
from aco_model.inputs import (
    FAILED_REPORTING,
    FAILED_STANDARD,
    euc_relief,
    inputs_frame,
    outcome_inputs,
    public_track,
)
from aco_model.quality import QUALITY_SCORE_HALF_UNIT
from aco_model.rules import TRACKS
from aco_model.vectorized import settle_frame

TOLERANCE = 1.0
EXACT = "exact"
WITHIN_ROUNDING = "within quality rounding"
REVENUE_LIMIT = "revenue-based loss limit binding (participant revenue not in public data)"
QUALITY_FAILURE = ("quality reporting or standard failed (no Met_QPS before PY2016: "
                   "published only as FinalShareRate 0)")
UNEXPLAINED = "unexplained"
GUARDRAIL = ("unexplained: CMS flags the row Guardrail (PY2024) and reports no generated savings; "
             "no published rule reproduces it")
MATCHED = (EXACT, WITHIN_ROUNDING)

_REVENUE_LIMITED = [t for t, r in TRACKS.items() if r.loss_limit_revenue_share is not None]
_ELECTED_MSR_RULES = (3, 4)  # msr.MSR_RULES: the ACO's own election (variable or symmetric)


def is_unexplained(reason: pd.Series) -> pd.Series:
    """Reasons that name no missing public input and no reproduced rule."""
    return reason.astype(str).str.startswith(UNEXPLAINED)


def published_half_unit(performance_year: np.ndarray) -> np.ndarray:
    """Half the unit of the published QualScore's last decimal, by year (0.00005 in PY2015-2024)."""
    return np.array([QUALITY_SCORE_HALF_UNIT.get(int(y), 0.0) for y in performance_year])


def _optional(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name not in rows:
        return np.full(len(rows), np.nan)
    return pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _settle_tier(inputs: pd.DataFrame, bracket_score: np.ndarray,
                 half: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The model's result, the quality-rounding bracket (lo, hi) around `bracket_score`, per row."""
    settled = settle_frame(inputs)
    ends = []
    for sign in (-1.0, 1.0):
        shifted = inputs.assign(quality_score=np.clip(bracket_score + sign * half, 0.0, 1.0))
        ends.append(settle_frame(shifted)["earned"].to_numpy())
    return settled, np.minimum(*ends), np.maximum(*ends)


def _status(model: np.ndarray, target: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    exact = np.abs(model - target) <= TOLERANCE
    bracketed = (target >= np.minimum(lo, model) - TOLERANCE) & (target <= np.maximum(hi, model) + TOLERANCE)
    return np.where(exact, EXACT, np.where(bracketed, WITHIN_ROUNDING, ""))


def _reasons(rows: pd.DataFrame, settled: pd.DataFrame, cms_before_relief: np.ndarray,
             needs: pd.Series) -> np.ndarray:
    """Why a row is not reproduced: the first named cause that fits, else unexplained."""
    capped_loss = np.abs(np.minimum(cms_before_relief, 0.0))
    loss_before = settled["shared_loss_before_limit"].to_numpy()
    limit = settled["loss_limit"].to_numpy()
    # RevLossLimit (PY2018-2021) marks the revenue-based limit; where published it must not say no
    not_benchmark_based = ~(_optional(rows, "revenue_based_loss_limit") == 0)
    revenue_limited = (
        (cms_before_relief < 0) & rows["track"].isin(_REVENUE_LIMITED).to_numpy() & not_benchmark_based
        & (capped_loss < loss_before - TOLERANCE) & (capped_loss <= limit + TOLERANCE)
    )
    quality_failure = needs.str.contains(FAILED_REPORTING, regex=False).to_numpy() | needs.str.contains(
        FAILED_STANDARD, regex=False).to_numpy()
    cms = _optional(rows, "cms_earned_savings_losses")
    generated = _optional(rows, "cms_generated_savings_losses")
    guardrail = (np.nan_to_num(_optional(rows, "guardrail")) > 0) & (cms == 0) & (generated == 0)
    return np.select([revenue_limited, quality_failure, guardrail],
                     [REVENUE_LIMIT, QUALITY_FAILURE, GUARDRAIL], default=UNEXPLAINED)


def compare(aco_year: pd.DataFrame) -> pd.DataFrame:
    """One row per comparable real ACO-year: CMS's and the model's amounts in both tiers, and why not."""
    rows = aco_year[
        ~aco_year["synthetic"].fillna(False).astype(bool)
        & aco_year["cms_earned_savings_losses"].notna()
        & aco_year[["track", "benchmark", "expenditure", "assigned_beneficiaries"]].notna().all(axis=1)
    ]
    cms = rows["cms_earned_savings_losses"].to_numpy(dtype=float)
    relief = euc_relief(rows)
    before_relief = np.where(cms <= 0, cms - relief, cms)
    forgiven = (cms == 0) & (relief > 0)
    half = published_half_unit(rows["performance_year"].to_numpy())
    needs = outcome_inputs(rows)

    overall = inputs_frame(rows)
    overall["euc_share"] = np.where(forgiven, 0.0, np.nan_to_num(overall["euc_share"], nan=0.0))
    overall_target = np.where(forgiven, before_relief, cms)
    published_score = pd.to_numeric(rows["quality_score"], errors="coerce").to_numpy(dtype=float)
    bracket_score = np.where(at_mean_score(rows), published_score, overall["quality_score"])
    settled, lo, hi = _settle_tier(overall, bracket_score, half)
    model = settled["earned"].to_numpy()
    status = _status(model, overall_target, lo, hi)
    reason = np.where(status != "", status, _reasons(rows, settled, before_relief, needs.map(lambda _: "")))

    public = inputs_frame(rows, public_only=True).assign(euc_share=0.0)
    p_settled, p_lo, p_hi = _settle_tier(public, public["quality_score"].to_numpy(), half)
    p_model = p_settled["earned"].to_numpy()
    p_status = _status(p_model, before_relief, p_lo, p_hi)
    p_reason = np.where(p_status != "", p_status, _reasons(rows, p_settled, before_relief, needs))

    msr_rule = p_settled["msr_rule"].to_numpy()
    symmetric = public["msr_election"].notna().to_numpy() & (msr_rule == 4)
    variable = settle_frame(public.assign(msr_election=np.nan))["earned"].to_numpy()
    inferred_track = pd.array(rows.get("track_inferred", pd.Series(False, index=rows.index)),
                              dtype="boolean").fillna(False).to_numpy(dtype=bool)
    _, unresolved_track = public_track(rows)
    return pd.DataFrame(
        {
            "performance_year": rows["performance_year"].to_numpy(),
            "aco_id": rows["aco_id"].to_numpy(),
            "track": public["track"].to_numpy(),
            "kind": np.select([cms > 0, before_relief < 0], ["savings", "loss"], default="zero"),
            "cms_earned": cms,
            "cms_before_relief": before_relief,
            "model_earned": model,
            "difference": model - overall_target,
            "bracket": np.maximum(hi, model) - np.minimum(lo, model),
            "matched": np.isin(reason, MATCHED),
            "reason": reason,
            "independent_model": p_model,
            "independent_difference": p_model - before_relief,
            "independent_matched": np.isin(p_reason, MATCHED),
            "independent_reason": p_reason,
            "outcome_inputs": needs.to_numpy(),
            "msr_election_published": np.isin(msr_rule, _ELECTED_MSR_RULES),
            "msr_election_decides": symmetric & (np.abs(variable - p_model) > TOLERANCE),
            "track_from_msr": inferred_track & ~unresolved_track,
        },
        index=rows.index,
    )


def not_independent(compared: pd.DataFrame) -> pd.DataFrame:
    """Rows matched overall but not from public inputs alone, with the outcome columns they needed."""
    return compared[compared["matched"] & ~compared["independent_matched"]]


def _reason_counts(reasons: pd.Series) -> str:
    return "; ".join(f"{n} {r}" for r, n in reasons.value_counts().items()) or "-"


def summarize(compared: pd.DataFrame) -> pd.DataFrame:
    """Per performance year: both tiers, matches by kind of result, mismatches grouped by reason."""
    def per_year(g: pd.DataFrame) -> pd.Series:
        out = {"comparable": len(g), "matched": int(g["matched"].sum()),
               "independent_matched": int(g["independent_matched"].sum()),
               "exact": int((g["reason"] == EXACT).sum()),
               "within_rounding": int((g["reason"] == WITHIN_ROUNDING).sum())}
        for kind in ("savings", "loss", "zero"):
            k = g[g["kind"] == kind]
            out[f"{kind}_matched"] = f"{int(k['matched'].sum())}/{len(k)}"
        out["unexplained"] = int(is_unexplained(g["reason"]).sum())
        out["mismatches"] = _reason_counts(g.loc[~g["matched"], "reason"])
        out["independent_mismatches"] = _reason_counts(g.loc[~g["independent_matched"], "independent_reason"])
        return pd.Series(out)

    table = compared.groupby("performance_year").apply(per_year, include_groups=False)
    table.insert(2, "match_rate", table["matched"] / table["comparable"])
    table.insert(4, "independent_rate", table["independent_matched"] / table["comparable"])
    return table.reset_index()


def read_aco_year(db: Path) -> pd.DataFrame:
    import duckdb  # adapter: only the command line touches the database

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM aco_year").df()


def headline(compared: pd.DataFrame) -> dict[str, int]:
    """The figures the command line's last lines and the data page show."""
    return {
        "comparable": len(compared),
        "matched": int(compared["matched"].sum()),
        "independent_matched": int(compared["independent_matched"].sum()),
        "exact": int((compared["reason"] == EXACT).sum()),
        "unexplained": int(is_unexplained(compared["reason"]).sum()),
        "independent_unexplained": int(is_unexplained(compared["independent_reason"]).sum()),
        "msr_election": int(compared["msr_election_published"].sum()),
        "msr_election_decides": int(compared["msr_election_decides"].sum()),
        "track_from_msr": int(compared["track_from_msr"].sum()),
        "outcome_inputs": int((compared["outcome_inputs"] != "").sum()),
    }


def report(compared: pd.DataFrame) -> str:
    table = summarize(compared)
    h = headline(compared)
    lines = [table.to_string(index=False)]
    brackets = compared.loc[compared["bracket"] > 0, "bracket"]
    if len(brackets):
        widest = compared.loc[brackets.idxmax()]
        lines.append(f"quality-rounding bracket at the published precision: widest ${brackets.max():,.0f} "
                     f"(PY{widest['performance_year']} {widest['aco_id']}), median ${brackets.median():,.0f}")
    solved = [f"PY{y} {m.published:.4f} -> {m.unrounded:.8f} ({m.savers} savers)"
              for y, m in EUC_MEAN_QUALITY.items()]
    lines.append(f"EUC mean quality scores solved from savers' payments (425.502(f)): {', '.join(solved)}")
    lines.append(f"published MSR as an input: {h['msr_election']:,} two-sided rows take their MSR/MLR "
                 f"election from it ({h['msr_election_decides']:,} of them would settle differently under "
                 f"the variable table); {h['track_from_msr']:,} rows their track (no track published)")
    used = compared.loc[compared["outcome_inputs"] != ""]
    names = used["outcome_inputs"].str.split("; ").explode().value_counts()
    lines.append(f"outcome columns read as inputs (overall tier): {h['outcome_inputs']:,} rows ("
                 + ", ".join(f"{n} {name}" for name, n in names.items())
                 + f"); {int(used['independent_matched'].sum()):,} of them match from public inputs alone")
    misses = compared.loc[~compared["matched"], "reason"]
    lines.append(f"overall: {h['exact']:,} exact, {h['matched'] - h['exact']:,} within quality rounding; "
                 f"{len(misses):,} mismatches ({_reason_counts(misses)}); {h['unexplained']} unexplained")
    p_misses = compared.loc[~compared["independent_matched"], "independent_reason"]
    lines.append(f"independent mismatches: {_reason_counts(p_misses)}; "
                 f"{h['independent_unexplained']} unexplained")
    lines.append(f"independent: {h['independent_matched']}/{h['comparable']} matched to $1 "
                 "from public inputs alone")
    lines.append(f"fidelity: {h['matched']}/{h['comparable']} matched to $1")
    return "\n".join(lines)


_LISTED = ["performance_year", "aco_id", "track", "kind", "cms_earned", "cms_before_relief", "model_earned",
           "independent_model", "reason", "independent_reason", "outcome_inputs"]


def _dollars(value: float) -> str:
    return f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aco_model.fidelity", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("data/aco.duckdb"))
    parser.add_argument("--mismatches", action="store_true",
                        help="list every ACO-year not matched in either tier")
    parser.add_argument("--not-independent", action="store_true",
                        help="list the ACO-years matched only with an input read from an outcome column")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"error: database {args.db} not found; build it with python -m data.build", file=sys.stderr)
        return 2
    compared = compare(read_aco_year(args.db))
    if compared.empty:
        print("error: no real CMS ACO-years in the database (synthetic demo data only)", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 110):
        if args.mismatches:
            missed = compared[~compared["matched"] | ~compared["independent_matched"]]
            print(missed[_LISTED].to_string(index=False, float_format=_dollars))
        if args.not_independent:
            print(not_independent(compared)[_LISTED].to_string(index=False, float_format=_dollars))
        print(report(compared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
