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


def test_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "aco_model", *A1026, "--json"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert round(json.loads(done.stdout)["earned"]) == 11_143_493
