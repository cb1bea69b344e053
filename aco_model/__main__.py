"""Command line: settle one ACO-year.

    python -m aco_model settle --year 2024 --track BASIC_E --benchmark 600514210 \
        --expenditure 577772388 --beneficiaries 41640 --quality 0.7529 --met-qps yes --msr-election 1.5%

Prints the settlement step by step, or JSON with --json. Bad arguments: one line on stderr, exit 2.

How values are read (each refused value is named in the error):
- money (--benchmark above 0; --expenditure, --revenue 0 or more): dollars, "$" and "," allowed;
- --quality: a fraction from 0 to 1 (0.7529), a percent with "%" (75.29%), or a bare percent from 10 to
  100 (75.29). A bare value above 1 and below 10 is refused as ambiguous (is 1.01 the percent 1.01% or a
  mistyped fraction?): write 1.01% or 0.0101. Above 100% or below 0 is refused;
- --euc-share: a fraction from 0 to 1 or a percent with "%"; a bare value above 1 is refused;
- --beneficiaries: a whole number, at least 1; --start-year: from 2012 to --year;
- --msr-election: 0, 0.5%, 1%, 1.5%, 2% (or the fractions 0.005...) or "variable".
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from aco_model.msr import parse_election
from aco_model.reconciliation import AcoYear, settle
from aco_model.rules import TRACKS, RuleError, track_rules, year_rules
from aco_model.validation import FIRST_AGREEMENT_YEAR, InputError

# A bare quality score in this range is refused: a percent (1.01%) or a mistyped fraction (1.01)?
AMBIGUOUS_QUALITY = (1.0, 10.0)

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


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _money(text: str) -> float:
    """Dollars, 0 or more ("$1,200,000" allowed)."""
    value = _number(text.strip().replace(",", "").replace("$", ""))
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative: give a dollar amount of 0 or more")
    return value


def _benchmark(text: str) -> float:
    value = _money(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not above 0: give the benchmark in dollars")
    return value


def _whole(text: str) -> int:
    value = _number(text)
    if value != int(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(value)


def _headcount(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is below 1: give the assigned beneficiaries (headcount)")
    return value


def _percent_or_fraction(text: str, *, bare_percent_from: float | None) -> float:
    """A share as a fraction in [0, 1] from "0.7529", "75.29%" or, if allowed, a bare percent."""
    t = text.strip()
    percent = t.endswith("%")
    value = _number(t[:-1] if percent else t)
    if not percent and value > 1:
        if bare_percent_from is None or value < bare_percent_from:
            raise argparse.ArgumentTypeError(
                f"{text!r} is ambiguous: write {t}% for a percent, or a fraction from 0 to 1 "
                f"({value / 100:g} = {t}%)")
        percent = True
    if percent:
        value /= 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is outside 0-100%: give a fraction from 0 to 1 "
                                         "or a percent")
    return value


def _quality(text: str) -> float:
    """Quality score: 0.7529, 75.29% or 75.29 (bare values from 1 to 10 are refused as ambiguous)."""
    return _percent_or_fraction(text, bare_percent_from=AMBIGUOUS_QUALITY[1])


def _share(text: str) -> float:
    """A share such as the EUC share: 0.42 or 42%."""
    return _percent_or_fraction(text, bare_percent_from=None)


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
    s.add_argument("--year", type=_whole, required=True, help="performance year, 2013-2026")
    s.add_argument("--track", type=str, required=True, help="TRACK_1..3, TRACK_1_PLUS, BASIC_A..E, ENHANCED")
    s.add_argument("--benchmark", type=_benchmark, required=True, help="total updated benchmark, $")
    s.add_argument("--expenditure", type=_money, required=True, help="total expenditure, $")
    s.add_argument("--beneficiaries", type=_headcount, required=True,
                   help="assigned beneficiaries (headcount, at least 1)")
    s.add_argument("--quality", type=_quality, required=True,
                   help="quality score: 0.7529, 75.29%% or 75.29 (bare 1-10 refused as ambiguous)")
    s.add_argument("--msr-election", type=str, default="variable",
                   help="two-sided MSR/MLR: 0, 0.5%%, 1%%, 1.5%%, 2%% or variable (default)")
    s.add_argument("--met-qps", type=_yes_no, default=None, help="met the quality standard (yes/no)")
    s.add_argument("--alt-qps", type=_yes_no, default=False, help="met the alternative standard (yes/no)")
    s.add_argument("--pay-for-reporting", action="store_true", help="first-year pay for reporting")
    s.add_argument("--revenue", type=_money, default=None, help="participant A+B FFS revenue, $")
    s.add_argument("--euc-share", type=_share, default=None,
                   help="share of losses forgiven (EUC): 0.42 or 42%%")
    s.add_argument("--start-year", type=_whole, default=None, help="agreement start year, 2012 to --year")
    s.add_argument("--low-revenue", action="store_true", help="low-revenue ACO")
    s.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _aco_year(args: argparse.Namespace) -> AcoYear:
    year_rules(args.year)
    track = parse_track(args.track)
    track_rules(track)
    if args.start_year is not None and not FIRST_AGREEMENT_YEAR <= args.start_year <= args.year:
        raise UsageError(f"argument --start-year: {args.start_year} is outside {FIRST_AGREEMENT_YEAR}-"
                         f"{args.year} (agreements began in 2012, none after the performance year)")
    try:
        election = parse_election(args.msr_election)
    except ValueError as exc:
        raise UsageError(f"argument --msr-election: {exc}") from None
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
    lines.extend(f"  warning: {w}" for w in result.warnings)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        result = settle(_aco_year(args))
    except (UsageError, RuleError, InputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=float))
    else:
        print(_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
