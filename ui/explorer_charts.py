"""Figures and tables of the ACO explorer (plotly and pandas; no Streamlit here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import fast_figure as ff
from ui.formatting import money, pct
from ui.overview_charts import NEUTRAL, OWE, PAY, label, money_axis, savings_rate
from ui.text import chart_text

YEAR_AXIS = {"tickmode": "linear", "dtick": 1, "title": None}


def year_axis(years: pd.Series | list[int]) -> dict:
    """An x axis of performance years for a chart a third of the page wide: every year labelled up to 8
    years, else every other one (the latest always), level, never rotated. Rotated to fit, plotly cut
    the labels of a 12-year lineage to "20" (PY2013-2024 at 1280 px).

    >>> year_axis(range(2013, 2025))["tickvals"]
    [2014, 2016, 2018, 2020, 2022, 2024]
    >>> year_axis([2022, 2023, 2024])["ticktext"]
    ['2022', '2023', '2024']
    """
    shown = sorted({int(y) for y in years})
    if not shown:
        return dict(YEAR_AXIS)
    step = 1 if len(range(shown[0], shown[-1] + 1)) <= 8 else 2
    ticks = list(range(shown[-1], shown[0] - 1, -step))[::-1]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [str(y) for y in ticks], "tickangle": 0,
            "range": [shown[0] - 0.6, shown[-1] + 0.6], "title": None}

# --- money basis: the page's `money` link value ---------------------------------------------------------
# CMS publishes settlement money as totals and spending "per capita": $ per assigned-beneficiary
# person-year. Either is shown as a total, per beneficiary (per person-year, CMS's per capita) or per
# member per month (per person-year / 12).
BASES = {"total": "Total $", "beneficiary": "Per beneficiary", "pmpm": "PMPM"}
BASIS_NOTE = {"total": "", "beneficiary": " per beneficiary", "pmpm": " per member per month"}


def person_years(frame: pd.DataFrame) -> pd.Series:
    """The assigned-beneficiary person-years CMS's totals cover: total / per-capita benchmark (PUF: equal to
    N_AB_Year_PY within 0.04%, and half of it for PY2019's six-month totals), else the published
    person-years, else the headcount."""
    covered = frame["benchmark"].astype(float) / frame["updated_benchmark_per_capita"].astype(float)
    covered = covered.where(covered > 0)
    return covered.fillna(frame["person_years"].astype(float)).fillna(
        frame["assigned_beneficiaries"].astype(float))


def from_total(values: pd.Series | float, years: pd.Series | float, basis: str) -> pd.Series | float:
    """A published total in `basis`.

    >>> from_total(1_200_000.0, 1_000.0, "pmpm")
    100.0
    """
    if basis == "total":
        return values
    per_year = values / years
    return per_year / 12 if basis == "pmpm" else per_year


def from_per_capita(values: pd.Series | float, years: pd.Series | float, basis: str) -> pd.Series | float:
    """A published per-capita figure ($ per person-year) in `basis`.

    >>> from_per_capita(12_000.0, 1_000.0, "total"), from_per_capita(12_000.0, 1_000.0, "pmpm")
    (12000000.0, 1000.0)
    """
    if basis == "total":
        return values * years
    return values / 12 if basis == "pmpm" else values


def money_in(value: float | None, basis: str, *, signed: bool = False) -> str:
    """Money for people in `basis`: $12.4M as a total, whole dollars per beneficiary or PMPM.

    >>> money_in(936.4, "pmpm"), money_in(-11234.0, "beneficiary", signed=True), money_in(None, "pmpm")
    ('$936', '-$11,234', '-')
    """
    if basis == "total" or value is None or pd.isna(value):
        return money(value, signed=signed)
    sign = "-" if round(value) < 0 else ("+" if signed and round(value) > 0 else "")
    return f"{sign}${abs(value):,.0f}"


def years_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per result row of the ACO, with savings rate, MSR and MLR (the corridor) as fractions."""
    out = rows.copy()
    out["savings_rate"] = savings_rate(out)
    msr = out["cms_minimum_savings_rate"].astype(float)
    two_sided = out["two_sided"].fillna(False).astype(bool)
    out["msr"] = msr
    # Two-sided ACOs face a minimum loss rate: published in PY2013, else the MSR (elected symmetric).
    out["mlr"] = out["cms_minimum_loss_rate"].astype(float).fillna(msr).where(two_sided)
    out["earned"] = out["cms_earned_savings_losses"].astype(float)
    return out


def _outcome_colors(earned: pd.Series) -> list[str]:
    return [PAY if e > 0 else OWE if e < 0 else "#757575" for e in earned.fillna(0)]


def corridor(frame: pd.DataFrame) -> go.Figure:
    """Savings rate per year against the MSR/MLR corridor (shaded: nothing shared or owed)."""
    rates = frame["savings_rate"]
    top = float(np.nanmax([rates.max(), frame["msr"].max(), 0.0])) + 0.02
    bottom = float(np.nanmin([rates.min(), -frame["mlr"].max() if frame["mlr"].notna().any() else 0.0,
                              0.0])) - 0.02
    fig = ff.Draft()
    # Three columns zipped, not itertuples: a tuple of every column per row cost most of the chart.
    for year, msr, mlr in zip(frame["performance_year"].tolist(), frame["msr"].tolist(),
                              frame["mlr"].tolist(), strict=True):
        if pd.isna(msr):
            continue
        low = -mlr if not pd.isna(mlr) else bottom
        fig.add_shape(type="rect", x0=year - 0.35, x1=year + 0.35,
                      y0=low, y1=msr, fillcolor="grey", opacity=0.18, line_width=0, layer="below")
    fig.add_scatter(x=frame["performance_year"], y=frame["msr"], mode="markers", name="MSR",
                    marker={"symbol": "line-ew-open", "size": 26, "color": PAY, "line": {"width": 3}},
                    hovertemplate="PY%{x} minimum savings rate %{y:.2%}<extra></extra>")
    if frame["mlr"].notna().any():
        fig.add_scatter(x=frame["performance_year"], y=-frame["mlr"], mode="markers", name="MLR",
                        marker={"symbol": "line-ew-open", "size": 26, "color": OWE, "line": {"width": 3}},
                        hovertemplate="PY%{x} minimum loss rate -%{y:.2%}<extra></extra>")
    fig.add_scatter(x=frame["performance_year"], y=rates, mode="lines+markers+text", name="Savings rate",
                    line={"color": NEUTRAL, "width": 2}, marker={"size": 11, "color": _outcome_colors(
                        frame["earned"]), "line": {"color": "white", "width": 1}},
                    text=[pct(r, 1) for r in rates], textposition="top center",
                    hovertemplate="PY%{x} savings rate %{y:.2%}<extra></extra>")
    fig.add_hline(0, line_color="grey", line_width=1)
    fig.update_layout(title="Savings rate and the MSR/MLR corridor", height=400,
                      xaxis=year_axis(frame["performance_year"]),
                      yaxis={"tickformat": ".0%", "range": [bottom, top], "title": None},
                      legend={"orientation": "h", "y": -0.1})
    return fig.figure()


def earned(frame: pd.DataFrame, basis: str = "total") -> go.Figure:
    """CMS's published earned shared savings (+) or shared losses (-) per year, in `basis`."""
    values = from_total(frame["earned"], person_years(frame), basis)
    fig = ff.Draft().add_bar(
        x=frame["performance_year"], y=values, marker_color=_outcome_colors(frame["earned"]),
        text=[money_in(v, basis) for v in values], textposition="outside", cliponaxis=False,
        hovertemplate="PY%{x} earned %{y:$,.0f}<extra></extra>",
    )
    fig.add_hline(0, line_color="grey", line_width=1)
    # Short enough for the middle of three charts at 1280 px; the caption says "as CMS published".
    title = "Earned (+) or owed (-)" if basis == "total" else (
        f"Earned (+) or owed (-){' PMPM' if basis == 'pmpm' else ' per beneficiary'}")
    fig.update_layout(title=title, height=400,
                      xaxis=year_axis(frame["performance_year"]), yaxis=money_axis(values))
    return fig.figure()


def quality(frame: pd.DataFrame) -> go.Figure:
    scores = frame["quality_score"].astype(float)
    fig = ff.Draft().add_bar(
        x=frame["performance_year"], y=scores, marker_color=NEUTRAL,
        text=[pct(q, 1) if not pd.isna(q) else "" for q in scores], textposition="outside",
        cliponaxis=False, hovertemplate="PY%{x} quality score %{y:.2%}<extra></extra>",
    )
    reporting = frame.get("pay_for_reporting", pd.Series(False, index=frame.index)).fillna(False).astype(bool)
    for year, score, reported in zip(frame["performance_year"], scores, reporting, strict=True):
        if pd.isna(score):  # no bar: say why
            fig.add_annotation(x=year, y=0.02, text="reported" if reported else "not scored", textangle=-90,
                               showarrow=False, yanchor="bottom", font={"color": "#757575", "size": 11})
    fig.update_layout(title="Quality score", height=400, margin={"t": 60},
                      xaxis=year_axis(frame["performance_year"]),
                      yaxis={"tickformat": ".0%", "range": [0, 1.12], "title": None})
    return fig.figure()


def mark_year(fig: go.Figure, year: int) -> go.Figure:
    """Shade the year shown in the metrics above, on a chart of every year.

    The shape goes into the figure's dict (ui.fast_figure), as add_vrect writes it: add_vrect revalidates
    the figure's every shape, about 10 ms a chart, and a viewer moving to another year redraws three.
    """
    shade = {**ff.vrect(year - 0.5, year + 0.5, NEUTRAL, 0.07), "layer": "below"}
    spec = getattr(fig, ff.SPEC, None) or fig.to_dict()
    layout = {**spec.get("layout", {})}
    layout["shapes"] = [*layout.get("shapes", []), shade]
    return ff.wrap({**spec, "layout": layout})


def year_chart(kind: str, frame: pd.DataFrame, year: int | None, basis: str = "total") -> go.Figure:
    """An every-year chart ("corridor", "earned", "quality") with `year` shaded (none: no shading)."""
    fig = earned(frame, basis) if kind == "earned" else {"corridor": corridor, "quality": quality}[kind](
        frame)
    return fig if year is None else mark_year(fig, year)


def peer_position(rate: float, peer_rates: pd.Series) -> float | None:
    """Share of the peers (the ACO itself left out) whose savings rate is below this ACO's."""
    peer_rates = peer_rates.dropna()
    return None if peer_rates.empty or pd.isna(rate) else float((peer_rates < rate).mean())


def peers_histogram(peer_rates: pd.Series, rate: float, aco_id: str, msr: float | None) -> go.Figure:
    fig = ff.Draft().add_histogram(
        x=peer_rates.dropna(), marker_color="#9ecae1", name="Peers", xbins={"size": 0.01},
        hovertemplate="savings rate %{x}<br>%{y} peers<extra></extra>",
    )
    # Labels on opposite sides of their lines, so the ACO's and the MSR's never overlap.
    aco_right = pd.isna(msr) or msr is None or pd.isna(rate) or rate >= msr
    if not pd.isna(rate):
        fig.add_vline(rate, line_color=NEUTRAL, line_width=3)
        fig.add_annotation(x=rate, y=1.0, yref="paper", text=f"<b>{chart_text(aco_id)}</b> {pct(rate)}",
                           showarrow=False, xanchor="left" if aco_right else "right",
                           xshift=4 if aco_right else -4, font={"color": NEUTRAL})
    if msr is not None and not pd.isna(msr):
        fig.add_vline(msr, line_color=PAY, line_dash="dash")
        fig.add_annotation(x=msr, y=0.92, yref="paper", text=f"MSR {pct(msr)}", showarrow=False,
                           xanchor="right" if aco_right else "left", xshift=-4 if aco_right else 4,
                           font={"color": PAY})
    fig.update_layout(title="Peers' savings rates (ACOs per 1-point band)", height=340, bargap=0.05,
                      showlegend=False, xaxis={"tickformat": ".0%", "title": None}, yaxis={"title": "ACOs"})
    return fig.figure()


PERIODS = {"JAN_JUN": "Jan-Jun", "JUL_DEC": "Jul-Dec"}
TABLE_COLUMNS = {
    "performance_year": "Year", "aco_id": "ACO id", "six_month_period": "Period", "track": "Track",
    "assigned_beneficiaries": "Beneficiaries", "benchmark": "Benchmark", "expenditure": "Spending",
    "savings_rate": "Savings rate", "msr": "MSR", "mlr": "MLR", "quality_score": "Quality score",
    "earned": "Earned (CMS)",
}


def years_table(frame: pd.DataFrame, basis: str = "total") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw numbers, the same for display); money in `basis` (the CSV's money columns say which)."""
    cols = [c for c in TABLE_COLUMNS if c != "six_month_period" or frame[c].notna().any()]
    raw = frame[cols].reset_index(drop=True)
    years = person_years(frame).reset_index(drop=True)
    for c in ("benchmark", "expenditure", "earned"):
        raw[c] = from_total(raw[c].astype(float), years, basis)
    shown = raw.copy()
    shown["performance_year"] = shown["performance_year"].astype(str)
    shown["track"] = shown["track"].map(label)
    if "six_month_period" in shown:
        shown["six_month_period"] = shown["six_month_period"].map(PERIODS).fillna("12 months")
    shown["assigned_beneficiaries"] = shown["assigned_beneficiaries"].map(lambda n: f"{int(n):,}"
                                                                          if not pd.isna(n) else "-")
    for c in ("benchmark", "expenditure", "earned"):
        shown[c] = shown[c].map(lambda v: money_in(v, basis))
    for c in ("savings_rate", "msr", "mlr", "quality_score"):
        shown[c] = shown[c].map(pct)
    if "pay_for_reporting" in frame:  # no score: quality was pay for reporting that year
        flagged = frame["pay_for_reporting"].fillna(False).astype(bool).to_numpy()
        reported = raw["quality_score"].isna() & flagged
        shown.loc[reported, "quality_score"] = "reported"
    if basis != "total":
        raw = raw.rename(columns={c: f"{c}_{basis}" for c in ("benchmark", "expenditure", "earned")})
    return raw, shown.rename(columns=TABLE_COLUMNS)


# --- the lineage: the ids and names one organization went by -----------------------------------------
def span(years: list[int] | pd.Series) -> str:
    """PY2015-2017, PY2019, or PY2014, PY2016-2017 for a gap."""
    ordered = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for y in ordered:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"PY{r[0]}" if len(r) == 1 else f"PY{r[0]}–{r[-1]}" for r in runs)


def known_as(frame: pd.DataFrame, column: str) -> list[tuple[str, str]]:
    """Each distinct id (or name) of the lineage, in order of first use, with the years it was used."""
    used = frame.groupby(column, sort=False)["performance_year"].agg(list)
    order = frame.drop_duplicates(column)[column]
    return [(str(v), span(used[v])) for v in order]


EVIDENCE_COLUMNS = {"from_year": "From PY", "from_aco_id": "From id", "to_year": "To PY",
                    "to_aco_id": "To id", "method": "Linked by", "evidence": "Evidence"}
LEFT_APART_COLUMNS = {"from_year": "PY", "from_aco_id": "Id", "from_name": "Name", "to_year": "Later PY",
                      "to_aco_id": "Later id", "to_name": "Later name", "reason": "Why not linked"}
