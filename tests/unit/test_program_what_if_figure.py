"""Program what-if: the by-track chart written as JSON is the figure plotly.py's add_bar made; the rule
change's hashable key reads back as the same change."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from aco_model.program import RuleChange
from ui import program_what_if as prog


def _plotly_figure(bt: pd.DataFrame) -> go.Figure:
    """The chart as pages/program_what_if.py built it with plotly.py before."""
    fig = go.Figure()
    for suffix, name, color in (("before", "As was", "#9e9e9e"), ("after", "As changed", "#1f77b4")):
        fig.add_bar(x=bt["track_label"], y=bt[f"shared_savings_paid_{suffix}"], name=f"Paid, {name.lower()}",
                    marker_color=color)
        fig.add_bar(x=bt["track_label"], y=-bt[f"losses_collected_{suffix}"],
                    name=f"Collected, {name.lower()}", marker_color=color, marker_pattern_shape="/")
    fig.update_layout(barmode="group", title="Shared savings paid (+) and losses collected (-) by track",
                      yaxis={"title": "$", "tickprefix": "$"}, legend_orientation="h")
    return fig


def test_by_track_figure_is_plotlys():
    rng = np.random.default_rng(3)
    bt = pd.DataFrame({"track": ["BASIC_A", "BASIC_E", "ENHANCED"],
                       "track_label": ["BASIC Level A", "BASIC Level E", "ENHANCED"]})
    for suffix in ("before", "after"):
        bt[f"shared_savings_paid_{suffix}"] = rng.uniform(0, 1e9, 3)
        bt[f"losses_collected_{suffix}"] = [0.0, *rng.uniform(0, 1e8, 2)]
    ours = json.loads(pio.to_json(prog.by_track_figure(bt), validate=False))
    theirs = json.loads(pio.to_json(_plotly_figure(bt), validate=False))
    assert ours == theirs


def test_change_key_round_trips_and_tells_changes_apart():
    changes = [RuleChange(), RuleChange(max_sharing_rates={"BASIC_E": 0.6}),
               RuleChange(max_sharing_rates={"BASIC_E": 0.6, "ENHANCED": 0.9}, flat_msr=0.01),
               RuleChange(loss_limits={"TRACK_2": (0.05, 0.075, 0.1)}, sequestration_factor=0.98),
               RuleChange(msr_scale=0.5, quality_standard=0.4)]
    keys = [prog.change_key(c) for c in changes]
    assert len(set(keys)) == len(changes)
    assert [prog.change_from_key(k) for k in keys] == changes
    either_order = [RuleChange(max_sharing_rates={"ENHANCED": 0.9, "BASIC_E": 0.6}),
                    RuleChange(max_sharing_rates={"BASIC_E": 0.6, "ENHANCED": 0.9})]
    assert prog.change_key(either_order[0]) == prog.change_key(either_order[1])
