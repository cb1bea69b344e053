"""How the app is served: the effective Streamlit configuration of `make run`, and what concurrency needs.

The configuration is read the way `streamlit run` reads it: the repository's .streamlit/config.toml, then
the flags of the Makefile's run command (as `make -n run` prints it), in a fresh interpreter so that
this process's Streamlit configuration is left alone.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ("server.address", "server.enableXsrfProtection", "server.enableCORS", "server.allowedHosts",
           "runner.postScriptGC")

READ_CONFIG = """
import json, sys
from streamlit import config
flags = json.loads(sys.argv[1])
config.get_config_options(force_reparse=True, options_from_flags=flags)
print(json.dumps({name: config.get_option(name) for name in json.loads(sys.argv[2])}))
"""


def run_flags(host: str | None) -> dict[str, object]:
    """The --server.* flags of the command `make run` would run, with ACO_LENS_HOST set to `host`."""
    env = {k: v for k, v in os.environ.items() if k != "ACO_LENS_HOST"}
    if host is not None:
        env["ACO_LENS_HOST"] = host
    printed = subprocess.run(["make", "-s", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True).stdout.replace("\\\n", " ")
    command = next(line for line in printed.splitlines() if "streamlit run app.py" in line)
    words = shlex.split(command)
    flags: dict[str, object] = {}
    for name, value in zip(words, words[1:], strict=False):
        if name.startswith("--server."):
            key = name[2:]
            if key == "server.allowedHosts":
                flags.setdefault(key, []).append(value)
            else:
                flags[key] = value
    return flags


def effective(flags: dict[str, object]) -> dict[str, object]:
    """Streamlit's options as the server would see them: config.toml from the repository, then `flags`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    out = subprocess.run([sys.executable, "-c", READ_CONFIG, json.dumps(flags), json.dumps(OPTIONS)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
def test_make_run_serves_this_machine_only_by_default():
    options = effective(run_flags(None))
    assert options["server.address"] == "127.0.0.1"
    assert sorted(options["server.allowedHosts"]) == ["127.0.0.1", "localhost"]
    assert options["server.enableXsrfProtection"] is True
    assert options["server.enableCORS"] is True


@needs_make
def test_one_variable_serves_every_interface_with_protection_kept():
    options = effective(run_flags("0.0.0.0"))
    assert options["server.address"] == "0.0.0.0"
    assert options["server.allowedHosts"] == []  # any host name: the one the app is hosted under
    assert options["server.enableXsrfProtection"] is True
    assert options["server.enableCORS"] is True


def test_plain_streamlit_run_also_stays_on_this_machine():
    """`streamlit run app.py` without the Makefile reads the same config.toml."""
    options = effective({})
    assert options["server.address"] == "127.0.0.1"
    assert options["server.enableXsrfProtection"] is True
    assert options["server.enableCORS"] is True
    assert options["runner.postScriptGC"] is False  # benchmarks/load.py: a full collection a run held the GIL


def test_every_run_gets_its_own_page_objects():
    """st.navigation marks a Page runnable and its run() unmarks it: objects shared by concurrent sessions
    raced ("This page cannot be called directly" under load)."""
    from ui.nav import pages

    first, second = pages(), pages()
    assert len(first) == len(second) == 8
    assert all(a is not b for a, b in zip(first, second, strict=True))


def test_a_cached_figure_draws_exactly_as_a_fresh_one():
    """ui.cached_chart hands Streamlit a figure built once, with its dict made once: the same JSON as
    the figure built afresh (with the margins and theme text ui.chart gives every chart)."""
    from ui import fast_figure
    from ui import overview_charts as charts
    from ui.widgets import _CHART_TEXT, MARGIN, SHARED, _built_once

    totals = pd.DataFrame({"performance_year": [2023, 2023, 2024],
                           "track": ["BASIC_E", "ENHANCED", "ENHANCED"],
                           "shared_savings_paid": [5e6, 9e6, 1.2e7], "losses_owed": [0.0, 1e6, 0.0]})
    cached = _built_once(charts.payments_by_track)("light", totals)
    again = _built_once(charts.payments_by_track)("light", totals.copy())
    dark = _built_once(charts.payments_by_track)("dark", totals)
    fresh = fast_figure.finished(charts.payments_by_track(totals), MARGIN, _CHART_TEXT["light"])
    assert dark is not cached and dark.to_dict()["layout"]["xaxis"]["tickfont"]["color"] == "#e6e8ef"
    assert getattr(cached, SHARED) and again is cached
    assert pio.to_json(cached.to_dict(), validate=False) == pio.to_json(fresh.to_dict(), validate=False)
    assert cached.to_dict()["data"][0]["type"] == "bar"
