"""Command line: settle one ACO-year.

    python -m aco_model settle --year 2024 --track BASIC_E --benchmark 600514210 \
        --expenditure 577772388 --beneficiaries 41640 --quality 0.7529 --met-qps yes --msr-election 1.5%

Prints the settlement step by step, or JSON with --json. Bad arguments: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from aco_model.msr import parse_election
from aco_model.reconciliation import AcoYear, settle
from aco_model.rules import TRACKS, RuleError, track_rules, year_rules

TRACK_ALIASES = {
    "1": "TRACK_1", "T1": "TRACK_1", "TRACK1": "TRACK_1",
    "1+": "TRACK_1_PLUS", "T1+": "TRACK_1_PLUS", "TRACK_1+": "TRACK_1_PLUS", "TRACK1+": "TRACK_1_PLUS",
    "2": "TRACK_2", "T2": "TRACK_2", "TRACK2": "TRACK_2",
    "3": "TRACK_3", "T3": "TRACK_3", "TRACK3": "TRACK_3",
    "A": "BASIC_A", "B": "BASIC_B", "C": "BASIC_C", "D": "BASIC_D", "E": "BASIC_E",
    "EN": "ENHANCED",
}


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


def parse_track(text: str) -> str:
    key = text.strip().upper().replace(" ", "_").replace("-", "_")
    key = key.replace("LEVEL_", "").replace("BASIC_LEVEL_", "BASIC_")
    track = TRACK_ALIASES.get(key, key)
    if track not in TRACKS:
        raise UsageError(f"unknown track {text!r}; use one of {', '.join(TRACKS)}")
    return track


def _money(text: str) -> float:
    value = float(text.replace(",", "").replace("$", ""))
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def _fraction(text: str) -> float:
    """A rate given as 0.75, 75 or 75%; returned as a fraction in [0, 1]."""
    t = text.strip()
    value = float(t.rstrip("%"))
    if t.endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


def _yes_no(text: str) -> bool:
    t = text.strip().lower()
    if t in ("yes", "y", "true", "1"):
        return True
    if t in ("no", "n", "false", "0"):
        return False
    raise ValueError(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m aco_model", description="MSSP settlement of one ACO-year")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("settle", help="settle one ACO-year")
    s.add_argument("--year", type=int, required=True, help="performance year, 2013-2026")
    s.add_argument("--track", type=str, required=True, help="TRACK_1..3, TRACK_1_PLUS, BASIC_A..E, ENHANCED")
    s.add_argument("--benchmark", type=_money, required=True, help="total updated benchmark, $")
    s.add_argument("--expenditure", type=_money, required=True, help="total expenditure, $")
    s.add_argument("--beneficiaries", type=int, required=True, help="assigned beneficiaries (headcount)")
    s.add_argument("--quality", type=_fraction, required=True, help="quality score, 0-1 or percent")
    s.add_argument("--msr-election", type=str, default="variable",
                   help="two-sided MSR/MLR: 0, 0.5%%, 1%%, 1.5%%, 2%% or variable (default)")
    s.add_argument("--met-qps", type=_yes_no, default=None, help="met the quality standard (yes/no)")
    s.add_argument("--alt-qps", type=_yes_no, default=False, help="met the alternative standard (yes/no)")
    s.add_argument("--pay-for-reporting", action="store_true", help="first-year pay for reporting")
    s.add_argument("--revenue", type=_money, default=None, help="participant A+B FFS revenue, $")
    s.add_argument("--euc-share", type=_fraction, default=None, help="share of losses forgiven (EUC)")
    s.add_argument("--start-year", type=int, default=None, help="agreement start year")
    s.add_argument("--low-revenue", action="store_true", help="low-revenue ACO")
    s.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _aco_year(args: argparse.Namespace) -> AcoYear:
    year_rules(args.year)
    track = parse_track(args.track)
    track_rules(track)
    if args.beneficiaries < 0:
        raise UsageError("--beneficiaries must be a non-negative whole number")
    if args.benchmark <= 0:
        raise UsageError("--benchmark must be positive")
    try:
        election = parse_election(args.msr_election)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return AcoYear(
        performance_year=args.year, track=track, benchmark=args.benchmark,
        expenditure=args.expenditure, assigned_beneficiaries=args.beneficiaries,
        quality_score=args.quality, pay_for_reporting=args.pay_for_reporting,
        met_quality_standard=args.met_qps, met_alternative_quality_standard=args.alt_qps,
        msr_election=election, participant_revenue=args.revenue, euc_share=args.euc_share,
        low_revenue=args.low_revenue, agreement_start_year=args.start_year,
    )


def _text(result) -> str:
    lines = [f"{result.inputs.performance_year} {track_rules(result.inputs.track).label}: {result.outcome}"]
    lines.append(f"  savings rate          {result.savings_rate:10.4%}")
    lines.append(f"  minimum savings rate  {result.minimum_savings_rate:10.4%}   ({result.msr_rule})")
    lines.append(f"  final sharing rate    {result.final_sharing_rate:10.4%}   ({result.sharing_rule})")
    if result.final_loss_rate is not None:
        lines.append(f"  final loss rate       {result.final_loss_rate:10.4%}   ({result.loss_rule})")
    for step in result.steps():
        lines.append(f"  {step.label:<44} {step.amount:>16,.0f}   [{step.rule}]")
    lines.append(f"  {'earned (+ paid to ACO, - owed to CMS)':<44} {result.earned:>16,.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        result = settle(_aco_year(args))
    except (UsageError, RuleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=float))
    else:
        print(_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
