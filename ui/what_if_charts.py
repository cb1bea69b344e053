"""Charts and tables of the what-if studio (plotly figures; no Streamlit here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aco_model.reconciliation import Settlement
from aco_model.rules import TRACKS
from ui.formatting import money, pct
from ui.overview_charts import money_axis

PAY = "#2e7d32"
OWE = "#c62828"
NEUTRAL = "#1f5aa6"


def rule_citation(rule: str) -> str:
    """The section a rule text cites: "425.512: quality ... met" -> "425.512"."""
    head = rule.split(":")[0].replace("42 CFR ", "").strip()
    return f"§ {head}" if head[:1].isdigit() else head


def waterfall(result: Settlement) -> go.Figure:
    """Gross savings (benchmark - expenditure) -> each settlement step -> payment or bill.

    Each bar is labelled with its step and, beneath, the rule it applies (the full text on hover).
    The benchmark and expenditure are shown in the title rather than as bars: at 100 times the size
    of the settlement they would flatten every step of it.
    """
    steps = result.steps()
    labels = ["Gross savings"] + [s.label for s in steps[1:]]
    labels.append("Payment to ACO" if result.earned >= 0 else "Bill to ACO")
    rules = [steps[0].rule] + [s.rule for s in steps[1:]] + ["425.604-425.610: earned savings or losses"]
    ticks = [f"{text}<br><span style='font-size:0.85em'>{rule_citation(rule)}</span>"
             for text, rule in zip(labels, rules, strict=True)]
    measures = ["absolute"] + ["relative"] * (len(steps) - 1) + ["total"]
    values = [result.gross_savings] + [s.amount for s in steps[1:]] + [0.0]
    running = np.cumsum(values[:-1]).tolist() + [result.earned]
    fig = go.Figure(go.Waterfall(
        x=ticks, measure=measures, y=values, customdata=rules,
        text=[money(v) for v in values[:-1]] + [money(result.earned)], textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y:$,.0f}<br>%{customdata}<extra></extra>",
        increasing={"marker": {"color": PAY}}, decreasing={"marker": {"color": OWE}},
        totals={"marker": {"color": NEUTRAL}}, connector={"line": {"color": "rgba(128,128,128,0.5)"}},
    ))
    fig.update_yaxes(**money_axis([*running, 0.0]), zeroline=True)
    fig.update_layout(
        title=(f"From benchmark {money(result.inputs.benchmark)} - expenditure "
               f"{money(result.inputs.expenditure)} to settlement"),
        showlegend=False, height=450,
    )
    return fig


def settlement_table(result: Settlement) -> pd.DataFrame:
    rows = [("Benchmark", result.inputs.benchmark, "425.601-425.603"),
            ("Expenditure", -result.inputs.expenditure, "425.604(a)")]
    rows += [(s.label, s.amount, s.rule) for s in result.steps()]
    rows.append(("Earned (+ paid to ACO, - owed)", result.earned, ""))
    return pd.DataFrame(rows, columns=["step", "amount", "rule"])


def payment_curve(curve: pd.DataFrame, result: Settlement) -> go.Figure:
    """Earned amount against savings rate, with corridor, payment limit, loss limit and the scenario."""
    track = TRACKS[result.inputs.track]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=curve["savings_rate"], y=curve["earned"], mode="lines", name=track.label,
        line={"color": NEUTRAL, "width": 3},
        hovertemplate="savings rate %{x:.2%}<br>earned %{y:$,.0f}<extra></extra>",
    ))
    msr = result.minimum_savings_rate
    mlr = result.minimum_loss_rate if result.minimum_loss_rate is not None else 0.0
    fig.add_vrect(x0=-mlr if track.two_sided else curve["savings_rate"].min(), x1=msr,
                  fillcolor="gray", opacity=0.15, line_width=0,
                  annotation_text="corridor: nothing paid or owed", annotation_position="top left")
    fig.add_hline(y=result.payment_limit, line_dash="dash", line_color=PAY,
                  annotation_text=f"payment limit {money(result.payment_limit)}",
                  annotation_position="bottom right")
    if result.loss_limit is not None:
        fig.add_hline(y=-result.loss_limit, line_dash="dash", line_color=OWE,
                      annotation_text=f"loss limit {money(-result.loss_limit)}",
                      annotation_position="top right")
    fig.add_trace(go.Scatter(
        x=[result.savings_rate], y=[result.earned], mode="markers+text", name="this scenario",
        marker={"size": 14, "color": PAY if result.earned >= 0 else OWE,
                "line": {"width": 2, "color": "white"}},
        text=[f"{pct(result.savings_rate)} -> {money(result.earned)}"], textposition="top left",
        hovertemplate="this scenario<br>savings rate %{x:.2%}<br>earned %{y:$,.0f}<extra></extra>",
    ))
    top = max(curve["earned"].max(), result.payment_limit, 1.0)
    bottom = min(curve["earned"].min(), -(result.loss_limit or 0.0))
    pad = 0.08 * (top - bottom)
    fig.update_yaxes(**money_axis([bottom, top]), range=[bottom - pad, top + pad], zeroline=True)
    fig.update_yaxes(title="earned (+) / owed (-)")
    fig.update_xaxes(tickformat=".0%", title="savings rate (benchmark - expenditure) / benchmark")
    title = f"Payment against savings rate: {track.label}, PY{result.inputs.performance_year}"
    fig.update_layout(title=title, height=430, legend={"orientation": "h", "y": -0.25})
    return fig


def tracks_chart(by_track: pd.DataFrame, current: str) -> go.Figure:
    colors = [PAY if e >= 0 else OWE for e in by_track["earned"]]
    widths = [3 if t == current else 0 for t in by_track["track"]]
    fig = go.Figure(go.Bar(
        x=by_track["label"], y=by_track["earned"], marker={"color": colors, "line": {"width": widths,
                                                                                   "color": "black"}},
        text=[money(v) for v in by_track["earned"]], textposition="outside",
        hovertemplate="%{x}: %{y:$,.0f}<extra></extra>",
    ))
    fig.update_yaxes(**money_axis([*by_track["earned"], 0.0]))
    fig.update_yaxes(title="earned (+) / owed (-)")
    fig.update_traces(cliponaxis=False)
    fig.update_layout(title="The same scenario under every track", height=400)
    return fig


def tracks_table(by_track: pd.DataFrame) -> pd.DataFrame:
    """People's columns for the every-track table."""
    def rate(v: float) -> str:
        return "-" if v is None or np.isnan(v) else pct(v)

    return pd.DataFrame({
        "Track": by_track["label"],
        "Offered this year": np.where(by_track["offered"], "yes", "no"),
        "Earned": by_track["earned"].map(money),
        "Sharing rate": by_track["final_sharing_rate"].map(rate),
        "Loss rate": by_track["final_loss_rate"].map(rate),
        "MSR": by_track["minimum_savings_rate"].map(rate),
        "Paid from savings rate": by_track["pays_from"].map(rate),
        "Owes below savings rate": by_track["owes_below"].map(rate),
    })
