"""Charts and tables of the what-if studio (plotly figures; no Streamlit here).

The figures are written as plotly's JSON (ui.fast_figure): a slider moved rebuilds all four, and plotly.py's
validation of each property cost 15-70 ms a figure. tests/unit/test_fast_figure.py has plotly validate them.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aco_model.quality_routes import SCORE_FREE, threshold
from aco_model.reconciliation import Settlement, Step
from aco_model.rules import TRACKS
from aco_model.scenario import Scenario
from ui import fast_figure as ff
from ui.formatting import money, pct
from ui.overview_charts import money_axis

PAY = "#2e7d32"
OWE = "#c62828"
NEUTRAL = "#1f5aa6"


def rule_citation(rule: str) -> str:
    """The section a rule text cites: "425.512: quality ... met" -> "425.512"."""
    head = rule.split(":")[0].replace("42 CFR ", "").strip()
    return f"§ {head}" if head[:1].isdigit() else head


def _share(rate: float) -> str:
    return f"{rate * 100:.2f}".rstrip("0").rstrip(".") + "%"


def step_label(step: Step, result: Settlement) -> str:
    """A waterfall step as a board reads it: the part of the savings (or loss) Medicare keeps, by name.

    The engine's "Sharing at 75.00%" bar is the 25% of gross savings Medicare keeps, and its "Shared
    loss rate 30.00%" bar the 70% of the loss Medicare bears; a bar named after the ACO's rate reads as
    the ACO's own share taken away.
    """
    if step.label.startswith("Sharing at"):
        return f"Medicare keeps {_share(1 - result.final_sharing_rate)}"
    if step.label.startswith("Shared loss rate"):
        rate = result.final_loss_rate or 0.0
        return f"Medicare bears {_share(1 - rate)} of the loss"
    if step.label == "Sequestration":
        return "Sequestration (2% of the payment)"
    return step.label


def settlement_steps(result: Settlement) -> list[tuple[str, float, str]]:
    """(label, amount, rule) from gross savings to the payment or bill, labelled for people."""
    steps = result.steps()
    rows = [("Gross savings", steps[0].amount, steps[0].rule)]
    rows += [(step_label(s, result), s.amount, s.rule) for s in steps[1:]]
    rows.append(("Payment to ACO" if result.earned >= 0 else "Bill to ACO", result.earned,
                 "425.604-425.610: earned savings or losses"))
    return rows


def waterfall(result: Settlement) -> go.Figure:
    """Gross savings (benchmark - expenditure) -> each settlement step -> payment or bill.

    Each bar is labelled with its step and, beneath, the rule it applies (the full text on hover).
    The benchmark and expenditure are shown in the title rather than as bars: at 100 times the size
    of the settlement they would flatten every step of it.
    """
    rows = settlement_steps(result)
    rules = [rule for _, _, rule in rows]
    ticks = [f"{_wrap(text)}<br><span style='font-size:0.85em'>{rule_citation(rule)}</span>"
             for text, _, rule in rows]
    measures = ["absolute"] + ["relative"] * (len(rows) - 2) + ["total"]
    values = [amount for _, amount, _ in rows[:-1]] + [0.0]
    running = np.cumsum(values[:-1]).tolist() + [result.earned]
    trace = {
        "cliponaxis": False, "connector": {"line": {"color": "rgba(128,128,128,0.5)"}}, "customdata": rules,
        "decreasing": {"marker": {"color": OWE}},
        "hovertemplate": "%{y:$,.0f}<br>%{customdata}<extra></extra>",
        "increasing": {"marker": {"color": PAY}}, "measure": measures,
        "text": [money(v) for v in values[:-1]] + [money(result.earned)],
        "textfont": {"size": 15},  # the amounts are what a board reads first
        "textposition": "outside", "totals": {"marker": {"color": NEUTRAL}}, "x": ticks, "y": values,
        "type": "waterfall",
    }
    title = (f"From benchmark {money(result.inputs.benchmark)} - expenditure "
             f"{money(result.inputs.expenditure)} to settlement")
    return ff.figure([trace], {"yaxis": _money_yaxis([*running, 0.0], zeroline=True),
                               "title": {"text": title}, "showlegend": False, "height": 450})


def _money_yaxis(values, title: str | None = None, **more: object) -> dict[str, object]:
    """ui.overview_charts.money_axis as a layout dict (its title, if any, as plotly writes it)."""
    axis = {**money_axis(values), "title": {"text": title} if title else {}}
    axis.update({k: ([float(x) for x in v] if isinstance(v, list) else v) for k, v in more.items()})
    return axis


def _wrap(text: str, width: int = 22) -> str:
    """A tick label on lines of about `width` characters (plotly does not wrap)."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False))


def settlement_table(result: Settlement) -> pd.DataFrame:
    rows = [("Benchmark", result.inputs.benchmark, "425.601-425.603"),
            ("Expenditure", -result.inputs.expenditure, "425.604(a)")]
    steps = settlement_steps(result)
    rows += [(steps[0][0] + " (benchmark - expenditure)", *steps[0][1:])] + steps[1:-1]
    rows.append(("Earned (+ paid to ACO, - owed)", result.earned, ""))
    return pd.DataFrame(rows, columns=["step", "amount", "rule"])


def settlement_csv(steps: pd.DataFrame, link: dict[str, str]) -> pd.DataFrame:
    """The settlement's steps preceded by the scenario that produced them (the link's values, as text).

    A CSV handed on without its inputs cannot be checked: every value the link carries comes first, one
    row each (`step` "Scenario: <parameter>", `value` its text), then the steps with their amounts.

    >>> settlement_csv(pd.DataFrame({"step": ["Earned"], "amount": [5.0], "rule": [""]}),
    ...                {"year": "2024", "q": "75.29"})["step"].tolist()
    ['Scenario: year', 'Scenario: q', 'Earned']
    """
    rows = [(f"Scenario: {k}", v, float("nan"), "the scenario's link parameter") for k, v in link.items()]
    rows += [(step, "", amount, rule) for step, amount, rule in  # one frame made at once (concat: ~3 ms)
             zip(steps["step"].tolist(), steps["amount"].tolist(), steps["rule"].tolist(), strict=True)]
    return pd.DataFrame(rows, columns=["step", "value", "amount", "rule"])


def payment_curve(curve: pd.DataFrame, result: Settlement) -> go.Figure:
    """Earned amount against savings rate, with corridor, payment limit, loss limit and the scenario."""
    track = TRACKS[result.inputs.track]
    line = {"hovertemplate": "savings rate %{x:.2%}<br>earned %{y:$,.0f}<extra></extra>",
            "line": {"color": NEUTRAL, "width": 3}, "mode": "lines", "name": track.label,
            "x": ff.array(curve["savings_rate"].to_numpy()), "y": ff.array(curve["earned"].to_numpy()),
            "type": "scatter"}
    msr = result.minimum_savings_rate
    mlr = result.minimum_loss_rate if result.minimum_loss_rate is not None else 0.0
    x0 = -mlr if track.two_sided else float(curve["savings_rate"].min())
    shapes = [ff.vrect(x0, msr, "gray", 0.15), ff.hline(result.payment_limit, PAY, "dash")]
    notes = [ff.vrect_note(x0, "corridor: nothing paid or owed", "top left"),
             ff.hline_note(result.payment_limit, f"payment limit {money(result.payment_limit)}",
                           "bottom right")]
    if result.loss_limit is not None:
        shapes.append(ff.hline(-result.loss_limit, OWE, "dash"))
        notes.append(ff.hline_note(-result.loss_limit, f"loss limit {money(-result.loss_limit)}",
                                   "top right"))
    marker = _marker(result.savings_rate, result.earned,
                     f"{pct(result.savings_rate)} -> {money(result.earned)}", "top left",
                     "this scenario<br>savings rate %{x:.2%}<br>earned %{y:$,.0f}<extra></extra>",
                     result.earned)
    top = max(float(curve["earned"].max()), result.payment_limit, 1.0)
    bottom = min(float(curve["earned"].min()), -(result.loss_limit or 0.0))
    pad = 0.08 * (top - bottom)
    title = f"Payment against savings rate: {track.label}, PY{result.inputs.performance_year}"
    return ff.figure([line, marker], {
        "shapes": shapes, "annotations": notes,
        "yaxis": _money_yaxis([bottom, top], "earned (+) / owed (-)", range=[bottom - pad, top + pad],
                              zeroline=True),
        "xaxis": {"tickformat": ".0%",
                  "title": {"text": "savings rate (benchmark - expenditure) / benchmark"}},
        "legend": {"orientation": "h", "y": -0.25}, "title": {"text": title}, "height": 430,
    })


def _marker(x: float, y: float, text: str, position: str, hover: str, earned: float) -> dict[str, object]:
    """The scenario's own point: green when it is paid, red when it owes."""
    return {"hovertemplate": hover,
            "marker": {"color": PAY if earned >= 0 else OWE, "line": {"color": "white", "width": 2},
                       "size": 14},
            "mode": "markers+text", "name": "this scenario", "text": [text], "textposition": position,
            "x": [x], "y": [y], "type": "scatter"}


def tracks_chart(by_track: pd.DataFrame, current: str) -> go.Figure:
    colors = [PAY if e >= 0 else OWE for e in by_track["earned"]]
    widths = [3 if t == current else 0 for t in by_track["track"]]
    bar = {"hovertemplate": "%{x}: %{y:$,.0f}<extra></extra>",
           "marker": {"color": colors, "line": {"color": "black", "width": widths}},
           "text": [money(v) for v in by_track["earned"]], "textposition": "outside",
           "x": by_track["label"].tolist(), "y": ff.array(by_track["earned"].to_numpy()), "type": "bar",
           "cliponaxis": False}
    return ff.figure([bar], {"yaxis": _money_yaxis([*by_track["earned"], 0.0], "earned (+) / owed (-)"),
                             "title": {"text": "The same scenario under every track"}, "height": 400})


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


def _shows_alternative(curve: pd.DataFrame, scenario: Scenario) -> bool:
    return bool(curve["alternative_earned"].notna().any()) and scenario.quality_route not in SCORE_FREE


def quality_caption(scenario: Scenario, curve: pd.DataFrame, why_not: str) -> str:
    """What the Quality view's lines mean, and why a lower score changes nothing when it does not."""
    parts = ["Solid: this scenario's payment at every quality score (its standard and route applied)."]
    if _shows_alternative(curve, scenario):
        parts.append("Dashed: what only the alternative standard would pay.")
    if threshold(scenario.performance_year) is not None:
        parts.append("Vertical line: the year's standard.")
    return " ".join([*parts, why_not]).strip()


def quality_chart(curve: pd.DataFrame, scenario: Scenario, result: Settlement, title: str) -> go.Figure:
    """Payment against quality score for this scenario: the steps at the year's standard and the route.

    `curve` is aco_model.scenario.quality_curve's frame. The dashed line is what only the alternative
    standard would pay (PY2023+: the maximum sharing rate x the score, 425.512(a)(5)).
    """
    x = ff.array((curve["quality_score"] * 100).to_numpy())
    traces = [{"hovertemplate": "quality score %{x:.1f}<br>earned %{y:$,.0f}<extra></extra>",
               "line": {"color": NEUTRAL, "shape": "hv", "width": 3}, "mode": "lines",
               "name": f"quality standard: {scenario.quality_standard}", "x": x,
               "y": ff.array(curve["earned"].to_numpy()), "type": "scatter"}]
    if _shows_alternative(curve, scenario):
        traces.append({"hovertemplate": "alternative standard only<br>quality score %{x:.1f}<br>earned "
                                        "%{y:$,.0f}<extra></extra>",
                       "line": {"color": "#6d4c41", "dash": "dash", "width": 2}, "mode": "lines",
                       "name": "if only the alternative standard is met", "x": x,
                       "y": ff.array(curve["alternative_earned"].to_numpy(dtype=float)), "type": "scatter"})
    shapes, notes = [], []
    line = threshold(scenario.performance_year)
    if line is not None:
        shapes.append(ff.vline(line * 100, "#333333", width=2))
        notes.append(ff.vline_note(line * 100, f"PY{scenario.performance_year} standard {line * 100:.2f}",
                                   "top right"))
    route_score = scenario.quality_route_score
    if (scenario.quality_route and scenario.quality_route not in SCORE_FREE and route_score is not None
            and line is not None and route_score < line):
        shapes.append(ff.vline(route_score * 100, "#6d4c41", "dot"))
        cms = f"CMS: {scenario.quality_route} at {route_score * 100:.2f}"
        notes.append(ff.vline_note(route_score * 100, cms, "bottom left"))
    traces.append(_marker(scenario.quality_score * 100, result.earned,
                          f"this scenario: {scenario.quality_score * 100:.2f} -> {money(result.earned)}  ",
                          "bottom left",
                          "this scenario<br>quality score %{x:.2f}<br>earned %{y:$,.0f}<extra></extra>",
                          result.earned))
    values = [*curve["earned"], *curve["alternative_earned"].dropna(), result.earned, 0.0]
    top, bottom = float(max(values)), float(min(values))
    pad = 0.1 * ((top - bottom) or 1.0)
    layout = {"yaxis": _money_yaxis(values, "earned (+) / owed (-)", range=[bottom - pad, top + pad],
                                    zeroline=True),
              "xaxis": {"title": {"text": "quality score"}, "range": [0, 100], "dtick": 10},
              "legend": {"orientation": "h", "y": -0.25}, "title": {"text": title}, "height": 430}
    if shapes:
        layout = {"shapes": shapes, "annotations": notes, **layout}
    return ff.figure(traces, layout)


def standard_help(year: int) -> str:
    """The quality controls' help: the year's threshold, the alternative standard and the choices."""
    line = threshold(year)
    if line is None:
        bar = f"PY{year}: no score threshold; sharing is the maximum rate x the quality score (425.502)."
    else:
        bar = (f"PY{year}: the standard is met at a quality score of **{line * 100:.2f}** (425.512); the "
               "**alternative standard** (PY2023+: one outcome measure at or above the 10th percentile) "
               "pays the maximum sharing rate x the score (425.512(a)(5)).")
    return (f"{bar}\n\n**auto**: met when the score reaches the standard, or by the route CMS published "
            "(e.g. the reporting incentive) at that score or above. **met** / **not met** force it. "
            "**alternative**: only the alternative standard met.")


def published_quality(aco: str, year: int, status: str, score: float | None) -> str:
    """"CMS published for A1026 PY2024: quality score 75.29, standard met." (plain text)."""
    shown = "not published" if score is None or np.isnan(score) else f"{score * 100:.2f}"
    return f"CMS published for {aco} PY{year}: quality score {shown}, standard {status}."


def quality_flat_reason(scenario: Scenario, result: Settlement, curve: pd.DataFrame) -> str:
    """One sentence on why a lower quality score leaves the result unchanged; "" when it does change it."""
    line = threshold(scenario.performance_year)
    below = curve[curve["quality_score"] < (line if line is not None else scenario.quality_score) - 1e-9]
    if below.empty or (below["earned"] - result.earned).abs().max() >= 1.0:
        return ""
    track = TRACKS[scenario.track]
    if scenario.quality_standard in ("met", "not met"):
        return (f"The quality standard is set to \"{scenario.quality_standard}\", so the score does not "
                "decide it; choose \"auto\" to let it.")
    if scenario.quality_route in SCORE_FREE:
        return (f"CMS's route to the standard ({scenario.quality_route}) does not depend on the score, so a "
                "lower score changes nothing.")
    if result.outcome == "inside corridor":
        return (f"Savings of {pct(result.savings_rate)} are inside the MSR/MLR corridor, so nothing is paid "
                "or owed at any quality score.")
    if result.outcome == "shared losses" and track.loss_rate_rule == "fixed":
        return (f"{track.label}'s shared loss rate is a flat {pct(track.fixed_loss_rate or 0, 0)} whatever "
                f"the score ({track.citation}), so quality does not change this bill.")
    if scenario.pay_for_reporting:
        return ("Pay for reporting (425.502(a)(1)): complete reporting earns the full sharing rate in this "
                "first year whatever the score.")
    return "At these numbers the quality score does not change the result."
