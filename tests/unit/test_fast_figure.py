"""Figures written as plotly's JSON (ui.fast_figure): plotly.py accepts every property and writes the same
dict back, and finishing a dict gives the JSON update_layout gives."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import numpy as np
import pandas as pd
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


def _both(draw) -> tuple[dict, dict]:
    """The JSON of `draw` applied to plotly.py's go.Figure and to a ui.fast_figure.Draft."""
    plotly_made, drafted = go.Figure(), ff.Draft()
    draw(plotly_made)
    draw(drafted)
    return json.loads(pio.to_json(plotly_made, validate=False)), json.loads(pio.to_json(drafted.figure()))


def test_a_draft_writes_what_plotly_writes():
    """plotly.py's calls on a Draft: magic underscores, titles, None, typed arrays (int64 narrowed, as plotly
    does for plotly.js), text arrays, shapes, annotations, 2-D arrays, pandas columns with missing values."""
    years = pd.Series([2022, 2023, 2024])
    rates = pd.Series([0.01, np.nan, -0.02])

    def draw(fig):
        fig.add_bar(x=years, y=rates, marker_color=["#111", "#222", "#333"], name="a <b>",
                    text=["1", "2", "3"], cliponaxis=False,
                    error_x={"type": "data", "array": rates.abs(), "symmetric": False})
        fig.add_scatter(x=np.array([1, 2, 3], dtype=np.int64), y=np.array([1e12, 2e12, 3e12]), mode="lines",
                        line={"color": "red", "width": 2}, marker_line_width=1, showlegend=None)
        fig.add_heatmap(z=np.array([[1.0, np.nan], [3.0, 4.0]]), text=np.array([["a", ""], ["b", "c"]],
                        dtype=object), colorbar={"title": None, "thickness": 14}, xgap=3)
        fig.add_box(y=pd.Series([1.5, 2.5], dtype="Float64"), name=str(2024), boxmean=True,
                    customdata=np.stack([["x", "y"], ["z", "w"]], -1))
        fig.add_histogram(x=pd.Series([0.1, 0.2, 0.2]), xbins={"size": 0.01}, marker_color="#9ecae1")
        fig.add_hline(y=0, line_color="grey", line_width=1)
        fig.add_vline(x=np.float64(0.5), line_dash="dash", line_color="grey")
        fig.add_shape(type="rect", x0=2021.65, x1=2022.35, y0=-0.1, y1=0.2, fillcolor="grey", opacity=0.18,
                      line_width=0, layer="below")
        fig.add_annotation(x=2023, y=0.02, text="reported", textangle=-90, showarrow=False,
                           font={"color": "#757575", "size": 11})
        fig.update_layout(title="T", height=400, plot_bgcolor="rgba(0,0,0,0)", barmode="group",
                          xaxis={"tickmode": "array", "tickvals": [2022, 2023], "title": None},
                          yaxis={"tickformat": ".0%", "range": [-0.1, 0.2], "title": "Rate"},
                          legend={"orientation": "h", "title": None})

    plotly_made, drafted = _both(draw)
    assert drafted == plotly_made


def test_a_drawn_figure_refuses_changes():
    """A figure made here is its dict: a change through plotly.py's API would silently not be drawn."""
    fig = ff.Draft().add_bar(x=[1], y=[2]).figure()
    with pytest.raises(TypeError):
        fig.update_layout(title="x")
    assert fig.layout.title.text is None and fig.to_dict()["data"][0]["type"] == "bar"


def test_a_drawn_figure_tells_streamlit_its_own_height():
    """st.plotly_chart sizes the chart from layout.height: a tall figure must not be drawn in 450 px."""
    from streamlit.elements.plotly_chart import _resolve_content_height

    tall = ff.wrap({"data": [], "layout": {"title": {"text": "Measures"}, "height": 920}})
    assert _resolve_content_height("content", tall) == 920
    assert tall.layout.title.text == "Measures" and ff.title(tall) == "Measures"
    assert _resolve_content_height("content", ff.wrap({"data": [], "layout": {}})) == 450
    assert ff.wrap({"data": [], "layout": {"title": "Short"}}).layout.title.text == "Short"


def test_a_drawn_figure_is_encoded_once_and_as_plotly_encodes_it():
    """st.plotly_chart calls plotly.io.to_json on every run: a drawn figure's text is kept, unchanged."""
    spec = {"data": [{"x": [1, 2], "y": [3.5, float("nan")], "type": "scatter", "uid": "u"}],
            "layout": {"title": {"text": "Kept"}}}
    fig = ff.wrap(spec)
    first = pio.to_json(fig, validate=False)
    assert first == ff._plotly_to_json(ff.wrap(copy.deepcopy(spec)), validate=False)
    assert pio.to_json(fig, validate=False) is first
    plotly_made = go.Figure(go.Bar(x=[1], y=[2]))
    assert pio.to_json(plotly_made, validate=False) == ff._plotly_to_json(plotly_made, validate=False)
    assert pio.to_json(fig, validate=False, pretty=True) != first  # other options: encoded as asked


def test_a_drawn_figure_is_encoded_once_the_way_streamlit_asks():
    """st.plotly_chart hands plotly.io.to_json the figure's to_dict() (return_figure_from_figure_or_data),
    not the figure: that call too is encoded once, as plotly encodes it."""
    from plotly.tools import return_figure_from_figure_or_data

    spec = {"data": [{"x": [1, 2], "y": [3.5, float("nan")], "type": "scatter", "uid": "u"}],
            "layout": {"title": {"text": "Kept"}}}
    fig = ff.wrap(spec)
    as_streamlit = return_figure_from_figure_or_data(fig, validate_figure=True)
    first = pio.to_json(as_streamlit, validate=False)
    assert first == ff._plotly_to_json(copy.deepcopy(spec), validate=False)
    assert pio.to_json(return_figure_from_figure_or_data(fig, validate_figure=True), validate=False) is first
    assert pio.to_json(fig, validate=False) is first  # the figure and its dict: one text
    plain = copy.deepcopy(spec)  # a dict not made here: encoded each time, as plotly does
    assert pio.to_json(plain, validate=False) == first and not hasattr(plain, "json")
