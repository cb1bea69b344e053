"""`python -m aco_model settle`: JSON keys, text output, one-line errors with a non-zero exit."""

import json
import subprocess
import sys

import pytest

from aco_model.__main__ import main

A1026 = ["settle", "--year", "2024", "--track", "BASIC_E", "--benchmark", "600514210",
         "--expenditure", "577772388", "--beneficiaries", "41640", "--quality", "75.29",
         "--met-qps", "yes", "--msr-election", "1.5%"]


def test_json_has_the_documented_keys(capsys):
    assert main([*A1026, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("gross_savings", "savings_rate", "minimum_savings_rate", "final_sharing_rate", "earned"):
        assert key in out
    assert round(out["earned"]) == 11_143_493
    assert out["minimum_savings_rate"] == 0.015


def test_text_output_shows_the_steps(capsys):
    assert main(A1026) == 0
    text = capsys.readouterr().out
    assert "11,143,493" in text and "Sequestration" in text


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (["--year", "2040"], "performance year 2040"),
        (["--track", "GOLD"], "unknown track"),
        (["--benchmark", "lots"], "--benchmark"),
        (["--quality", "140"], "--quality"),
        (["--msr-election", "3%"], "election"),
        (["--beneficiaries", "-5"], "beneficiaries"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, change, needle):
    args = list(A1026)
    i = args.index(change[0])
    args[i + 1] = change[1]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (["--quality", "1.01"], "argument --quality: '1.01' is ambiguous: write 1.01% for a percent"),
        (["--quality", "5"], "argument --quality: '5' is ambiguous"),
        (["--quality", "100.5"], "argument --quality: '100.5' is outside 0-100%"),
        (["--quality", "-0.2"], "argument --quality: '-0.2' is outside 0-100%"),
        (["--quality", "nan"], "argument --quality: 'nan' is not a finite number"),
        (["--msr-election", "nan"], "argument --msr-election: MSR/MLR election 'nan' is not one of"),
        (["--msr-election", "abc"], "argument --msr-election: MSR/MLR election 'abc' is not one of"),
        (["--msr-election", "0.5"], "MSR/MLR election '0.5' is not one of 0%, 0.5%"),
        (["--beneficiaries", "0"], "argument --beneficiaries: '0' is below 1"),
        (["--beneficiaries", "many"], "argument --beneficiaries: 'many' is not a finite number"),
        (["--beneficiaries", "2.5"], "argument --beneficiaries: '2.5' is not a whole number"),
        (["--benchmark", "0"], "argument --benchmark: '0' is not above 0"),
        (["--benchmark", "nan"], "argument --benchmark: 'nan' is not a finite number"),
        (["--expenditure", "-5"], "argument --expenditure: '-5' is negative"),
        (["--expenditure", "inf"], "argument --expenditure: 'inf' is not a finite number"),
    ],
)
def test_each_refused_value_is_named(capsys, change, needle):
    args = list(A1026)
    i = args.index(change[0])
    args[i + 1] = change[1]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and needle in err and "\n" not in err


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--start-year", "1800"], "argument --start-year: 1800 is outside 2012-2024"),
        (["--start-year", "2025"], "argument --start-year: 2025 is outside 2012-2024"),
        (["--euc-share", "42"], "argument --euc-share: '42' is ambiguous: write 42% for a percent"),
        (["--euc-share", "120%"], "argument --euc-share: '120%' is outside 0-100%"),
        (["--revenue", "-1"], "argument --revenue: '-1' is negative"),
    ],
)
def test_optional_values_are_checked_too(capsys, extra, needle):
    assert main([*A1026, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err


@pytest.mark.parametrize(
    ("quality", "expected"),
    [("75.29", 0.7529), ("0.7529", 0.7529), ("75.29%", 0.7529), ("10", 0.10), ("1", 1.0), ("0.5", 0.5)],
)
def test_quality_as_fraction_percent_or_bare_percent_from_10(capsys, quality, expected):
    args = list(A1026)
    args[args.index("--quality") + 1] = quality
    assert main([*args, "--met-qps", "no", "--alt-qps", "yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inputs"]["quality_score"] == pytest.approx(expected)


def test_one_point_zero_one_percent_pays_a_hundredth_of_full_sharing(capsys):
    """1.01% (written with its sign) is read as a percent; 1.01 alone is refused, not paid $49,490."""
    args = list(A1026)
    args[args.index("--quality") + 1] = "1.01%"
    assert main([*args, "--met-qps", "no", "--alt-qps", "yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["final_sharing_rate"] == pytest.approx(0.5 * 0.0101)


def test_below_500_beneficiaries_the_msr_caveat_is_printed(capsys):
    args = list(A1026)
    args[args.index("--beneficiaries") + 1] = "152"
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "warning: The minimum savings rate below 500 assigned beneficiaries is not known" in text
    assert main([*args, "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warnings) == 1 and "12.2%" in warnings[0]
    assert main([*A1026, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "aco_model", *A1026, "--json"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert round(json.loads(done.stdout)["earned"]) == 11_143_493
