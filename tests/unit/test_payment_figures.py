"""The payment models page's charts, written as plotly's JSON (ui.fast_figure), are what plotly.py drew
before: the builders as they were (`_plotly_*` below, plotly.py's own calls) give the same JSON, and
plotly.py accepts every property."""

from __future__ import annotations

import json

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from aco_model.payment_models import settlement_date
from data.build import build_database
from ui import payment_models as pay
from ui import payment_models_story as story
from ui import pioneer_view, upfront_view


def _json(spec: dict) -> dict:
    """The JSON Streamlit sends, without the template and empty objects."""
    out = _without_empty(json.loads(pio.to_json(spec, validate=False)))
    out["layout"].pop("template", None)
    return out


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v != {}}
    return [_without_empty(v) for v in value] if isinstance(value, list) else value


def _same(fast: go.Figure, slow: go.Figure) -> None:
    spec = fast.to_dict()
    assert _json(go.Figure(spec).to_dict()) == _json(spec)  # plotly.py validates it and writes it back
    assert _json(spec) == _json(slow.to_dict())
    assert fast.layout.title.text == slow.layout.title.text


def _plotly_curve(curve_inputs: tuple, rate: float) -> go.Figure:
    curves = pioneer_view._curves(*curve_inputs)
    fig = go.Figure()
    for program, part in curves.groupby("program", sort=False):
        fig.add_scatter(x=part["savings_rate"] * 100, y=part["earned"], name=program, mode="lines")
    fig.add_vline(x=rate, line_dash="dot", line_color="grey", annotation_text="this ACO")
    fig.update_layout(title="Payment (+) or loss (-) against the savings rate",
                      xaxis_title="Savings rate (%)", yaxis={"title": "$", "tickprefix": "$"},
                      legend_orientation="h")
    return fig


def _plotly_years(years, shown_year: int) -> go.Figure:
    labels = [f"Year {y} ({c})" for y, c in zip(years["model_year"], years["calendar_year"], strict=True)]
    fig = go.Figure()
    fig.add_bar(x=labels, y=years["ffs_claims_paid"], name="Fee-for-service claims paid",
                marker_color="#9e9e9e")
    fig.add_bar(x=labels, y=years["pbp_paid"], name="Population-based payments (monthly)",
                marker_color="#1f5aa6")
    fig.add_bar(x=labels, y=years["shared"], name="Shared savings (+) or losses (-) at year end",
                marker_color=["#2e7d32" if v >= 0 else "#c62828" for v in years["shared"]])
    fig.add_vrect(x0=shown_year - 1.5, x1=shown_year - 0.5, fillcolor="#1f5aa6", opacity=0.06, line_width=0)
    fig.update_layout(barmode="relative", title="How the ACO's participants are paid, Pioneer years 1-5",
                      yaxis={"title": "$", "tickprefix": "$"}, legend_orientation="h", height=430)
    return fig


def _plotly_upfront(case: pay.UpfrontCase, case_key: tuple) -> go.Figure:
    _, timeline, comparison = upfront_view._case_views(case, case_key)[:3]
    fig = go.Figure()
    fig.add_scatter(x=timeline["date"], y=timeline["cumulative_paid"], name="Paid to date", mode="lines",
                    line_shape="hv", line={"color": "#1f77b4", "width": 1}, fill="tozeroy",
                    fillcolor="rgba(31,119,180,0.15)")
    fig.add_scatter(x=timeline["date"], y=timeline["cumulative_recouped"], name="Recouped to date",
                    mode="lines", line_shape="hv", line={"color": "#2e7d32", "width": 3})
    fig.add_scatter(x=timeline["date"], y=timeline["outstanding"], name="Still owed (model)", mode="lines",
                    line_shape="hv", line={"color": "#d62728", "width": 3, "dash": "dash"})
    if case.published is not None and "published_balance_left" in comparison:
        pub = comparison.dropna(subset=["published_balance_left"])
        when = [settlement_date(int(y)) for y in pub["performance_year"]]
        fig.add_scatter(x=when, y=pub["published_balance_left"], name="Left after recoupment (CMS)",
                        mode="markers", marker={"size": 11, "symbol": "diamond", "color": "#ff7f0e"})
        fig.add_scatter(x=when, y=pub["model_balance_left"], name="Left after recoupment (model)",
                        mode="markers", marker={"size": 8, "symbol": "circle-open", "color": "#000000"})
    fig.update_layout(title="Up-front payments and their recoupment", yaxis={"title": "$", "tickprefix": "$"},
                      legend_orientation="h")
    return fig


CURVES = [((3, 500e6, 30_000, 0.9, "core", "TRACK_2", None), 4.0),
          ((1, 120e6, 9_000, None, "alternative", "BASIC_E", 0.02), -12.5),
          ((5, 2e9, 250_000, 0.4, "core", "TRACK_1", None), 0.0)]


@pytest.mark.parametrize(("curve_inputs", "rate"), CURVES)
def test_payment_curve_chart_is_plotlys(curve_inputs, rate):
    _same(pioneer_view.curve_chart(curve_inputs, rate), _plotly_curve(curve_inputs, rate))


@pytest.mark.parametrize(("arrangement", "share", "rate", "shown"),
                         [("core", 0.3, 0.04, 3), ("alternative", 0.0, -0.05, 1), ("core", 0.5, -0.2, 5)])
def test_pioneer_years_chart_is_plotlys(arrangement, share, rate, shown):
    years = story.pioneer_years(500e6, 500e6 * (1 - rate), 30_000, 0.9, arrangement=arrangement,
                                pbp_share=share, projected_ffs=200e6)
    _same(pioneer_view.years_chart(years, shown), _plotly_years(years, shown))


@pytest.fixture(scope="module")
def upfront_rows(tmp_path_factory):
    """Rows of the demo data's ACOs with up-front payments (CMS's published balances beside them)."""
    db = tmp_path_factory.mktemp("figures") / "aco.duckdb"
    build_database(None, db, demo=True, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM aco_year").df()


def test_upfront_chart_is_plotlys(upfront_rows):
    cases = []
    for program, template in story.TEMPLATES.items():
        earned = {template.start.year + i: v for i, v in enumerate(pay.parse_money_list(template.earned))}
        case = pay.UpfrontCase(program=program, start=template.start, beneficiaries=template.beneficiaries,
                               rate=None, earned_by_year=earned)
        cases.append((case, ("template", program)))
    published = 0
    for aco, rows in upfront_rows.groupby("aco_id"):
        if pay.program_of(rows) is None:
            continue
        case = pay.case_from_rows(rows)
        cases.append((case, ("aco", aco)))
        published += case.published is not None
        if published >= 3:
            break
    assert published, "no demo ACO with CMS's published balances"
    for case, key in cases:
        _same(upfront_view.upfront_chart(case, key), _plotly_upfront(case, key))


def test_the_figures_are_not_built_by_plotly(monkeypatch):
    """The builders never go through plotly.py's validation (what cost the time)."""
    def refuse(*args, **kwargs):
        raise AssertionError("plotly.py figure built")

    monkeypatch.setattr(go.Figure, "add_scatter", refuse)
    monkeypatch.setattr(go.Figure, "add_bar", refuse)
    curve_inputs, rate = CURVES[0]
    pioneer_view.curve_chart(curve_inputs, rate)
    years = story.pioneer_years(500e6, 480e6, 30_000, 0.9, arrangement="core", pbp_share=0.3,
                                projected_ffs=2e8)
    pioneer_view.years_chart(years, 3)
