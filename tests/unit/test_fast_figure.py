"""Figures written as plotly's JSON (ui.fast_figure): plotly.py accepts every property and writes the same
dict back, and finishing a dict gives the JSON update_layout gives."""

from __future__ import annotations

import json
from dataclasses import replace

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from aco_model.scenario import TEMPLATE, every_track, payment_curve, quality_curve
from ui import fast_figure as ff
from ui import what_if_charts as charts
from ui.widgets import MARGIN, _finish

SCENARIOS = [TEMPLATE, replace(TEMPLATE, track="ENHANCED"), replace(TEMPLATE, expenditure=160e6),
             replace(TEMPLATE, quality_score=0.3, quality_route="reporting incentive",
                     quality_route_score=0.5),
             replace(TEMPLATE, track="TRACK_1", performance_year=2015)]


def _json(spec: dict, template: bool = True) -> dict:
    """The JSON Streamlit sends, without empty objects (plotly drops `"title": {}` when it validates)."""
    out = _without_empty(json.loads(pio.to_json(spec, validate=False)))
    if not template:
        out["layout"].pop("template")
    return out


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v != {}}
    return [_without_empty(v) for v in value] if isinstance(value, list) else value


def _what_if_figures(scenario):
    result = scenario.settle()
    return [charts.waterfall(result), charts.payment_curve(payment_curve(scenario), result),
            charts.quality_chart(quality_curve(scenario), scenario, result, "A1 <b>x</b>"),
            charts.tracks_chart(every_track(scenario), scenario.track)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_what_if_figures_are_what_plotly_validates_and_writes(scenario):
    for fig in _what_if_figures(scenario):
        spec = fig.to_dict()
        validated = go.Figure(spec)  # raises on a property plotly.js does not know
        assert _json(validated.to_dict(), template=False) == _json(spec, template=False)
        assert spec["layout"]["template"] == go.Figure().to_dict()["layout"]["template"]  # the default
        assert fig.layout.title.text == spec["layout"]["title"]["text"]


def _plotly_made() -> list[go.Figure]:
    bar = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    bar.update_layout(title="Bars", xaxis_title="x")
    two = make_subplots(rows=1, cols=2)
    two.add_trace(go.Scatter(x=[1, 2], y=[3, 4]), row=1, col=2)
    pie = go.Figure(go.Pie(labels=["a"], values=[1]))
    return [bar, two, pie, go.Figure(go.Scatter(x=[1], y=[1]))]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_finishing_a_dict_writes_what_update_layout_writes(theme):
    color = {"light": "#31333f", "dark": "#e6e8ef"}[theme]
    for fig in _plotly_made():
        fast = ff.finished(fig, MARGIN, color)
        _finish(fig, theme)
        assert _json(fast.to_dict()) == _json(fig.to_dict())


def test_finishing_a_shared_figure_leaves_it_unchanged():
    fig = charts.waterfall(TEMPLATE.settle())
    before = _json(fig.to_dict())
    dark = ff.finished(fig, MARGIN, "#e6e8ef")
    assert _json(fig.to_dict()) == before
    assert dark.to_dict()["layout"]["yaxis"]["tickfont"] == {"size": 13, "color": "#e6e8ef"}
    assert dark.to_dict()["layout"]["template"] is fig.to_dict()["layout"]["template"]  # shared, not copied
