"""The explorer's spending and benchmark views: figures and tables (plotly and pandas; no Streamlit).

Spending (aco_spending, aco_utilization): an ACO-year's spending by setting and by enrollment type
against the peers of its track and size band (their median and middle half), the trend over the
lineage's years, and use of care. Benchmark: the bridge from CMS's historical to its updated benchmark
per capita with the adjustments CMS published that year, the rest being what CMS does not publish
apart (trend to the performance year, risk adjustment, other changes). Money in the page's basis
(ui.explorer_charts.BASES). Data strings go through chart_text (plotly) or are shown by the caller as
text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import fast_figure as ff
from ui.explorer_charts import (
    BASIS_NOTE,
    YEAR_AXIS,
    from_per_capita,
    mark_year,
    money_in,
    person_years,
    span,
)
from ui.formatting import pct
from ui.overview_charts import NEUTRAL, OWE, PAY, money_axis
from ui.text import chart_text

PEER_COLOR = "#9ecae1"
# The settings CMS splits spending into (CapAnn_*), the whole of inpatient first; its parts after.
SETTINGS: dict[str, str] = {
    "inpatient": "Inpatient", "physician_supplier": "Physician / supplier",
    "outpatient": "Hospital outpatient",
    "snf": "Skilled nursing", "home_health": "Home health", "hospice": "Hospice",
    "dme": "Medical equipment", "ambulance": "Ambulance",
}
INPATIENT_PARTS: dict[str, str] = {
    "inpatient_short_term": "Inpatient: acute", "inpatient_long_term": "Inpatient: long-term care",
    "inpatient_rehab": "Inpatient: rehabilitation", "inpatient_psych": "Inpatient: psychiatric",
    "inpatient_other": "Inpatient: other",
}
ENROLLMENT: dict[str, str] = {"esrd": "ESRD", "disabled": "Disabled", "aged_dual": "Aged, dual",
                              "aged_non_dual": "Aged, non-dual"}
PERIODS: dict[str, str] = {"by1": "Base year 1", "by2": "Base year 2", "by3": "Base year 3",
                           "py": "Performance year"}
UTILIZATION: dict[str, tuple[str, str]] = {  # column: (label, unit)
    "admissions_per_1000": ("Hospital admissions", "per 1,000"),
    "readmission_rate": ("30-day readmissions", "of discharges"),
    "ed_visits_per_1000": ("Emergency visits", "per 1,000"),
    "ed_visits_hospitalized_per_1000": ("Emergency visits admitted", "per 1,000"),
    "ct_events_per_1000": ("CT scans", "per 1,000"),
    "mri_events_per_1000": ("MRI scans", "per 1,000"),
    "em_visits_per_1000": ("Primary care visits", "per 1,000"),
    "em_visits_pcp_per_1000": ("  with a primary care physician", "per 1,000"),
    "em_visits_specialist_per_1000": ("  with a specialist", "per 1,000"),
    "nurse_visits_per_1000": ("  with an NP, PA or CNS", "per 1,000"),
    "fqhc_rhc_visits_per_1000": ("  at an FQHC or RHC", "per 1,000"),
    "snf_admissions_per_1000": ("Skilled nursing admissions", "per 1,000"),
    "snf_length_of_stay": ("Skilled nursing stay", "days"),
    "snf_payment_per_stay": ("Skilled nursing payment per stay", "$"),
    "admissions_chf_per_1000": ("Heart failure admissions", "per 1,000"),
    "admissions_copd_per_1000": ("COPD / asthma admissions", "per 1,000"),
}
COMPARISON_COLUMNS = {"item": "Item", "aco": "ACO", "peer_median": "Peers' median",
                      "peer_p25": "Peers' 25th pct", "peer_p75": "Peers' 75th pct",
                      "difference": "ACO vs median", "peers": "Peers"}


def _value(row: pd.Series, column: str) -> float:
    return float(row[column]) if column in row.index and pd.notna(row[column]) else float("nan")


def _difference(mine: float, median: float) -> float:
    """The ACO against its peers' median, as a fraction (+0.12: 12% above)."""
    return mine / median - 1 if median and pd.notna(median) and pd.notna(mine) else float("nan")


def _peer_stats(values: pd.Series | np.ndarray) -> tuple[float, float, float, int]:
    """(median, 25th and 75th percentile, count) of the published values (pandas' linear quantiles).

    >>> _peer_stats(pd.Series([4.0, None, 1.0, 2.0, 3.0]))
    (2.5, 1.75, 3.25, 4)
    """
    v = (values.astype(float) if isinstance(values, np.ndarray)
         else pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    v = v[~np.isnan(v)]  # numpy on the array: a tenth of pandas' median and quantile calls
    if not len(v):
        return float("nan"), float("nan"), float("nan"), 0
    p25, median, p75 = np.quantile(v, [0.25, 0.5, 0.75])
    return float(median), float(p25), float(p75), len(v)


def comparison(this: pd.Series, peers: pd.DataFrame, columns: dict[str, str], basis: str) -> pd.DataFrame:
    """One row per published figure: the ACO's, its peers' median and middle half, the difference.

    Per-capita columns (`expenditure_per_capita_<name>`), converted to `basis`; each peer by its own
    person-years for totals. Rows neither the ACO nor a peer published are left out.
    """
    rows = []
    own_years = float(person_years(this.to_frame().T).iloc[0])
    published = {name: label for name, label in columns.items()
                 if f"expenditure_per_capita_{name}" in this.index}
    # Every column's peers at once as one numpy matrix (pandas arithmetic per column cost most of the view).
    if len(peers):
        matrix = peers[[f"expenditure_per_capita_{name}" for name in published]].to_numpy(
            dtype=float, na_value=np.nan)
        years = person_years(peers).to_numpy(dtype=float, na_value=np.nan)
        matrix = from_per_capita(matrix, years[:, None], basis)
    else:
        matrix = np.zeros((0, len(published)))
    for i, (name, label) in enumerate(published.items()):
        mine = from_per_capita(_value(this, f"expenditure_per_capita_{name}"), own_years, basis)
        median, p25, p75, n = _peer_stats(matrix[:, i])
        if pd.isna(mine) and n == 0:
            continue
        rows.append({"item": label, "aco": mine, "peer_median": median, "peer_p25": p25, "peer_p75": p75,
                     "difference": _difference(mine, median), "peers": n})
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def comparison_shown(table: pd.DataFrame, basis: str, unit: str | None = None) -> pd.DataFrame:
    """The comparison for display (money in `basis`, or numbers in `unit`)."""
    shown = table.copy()
    for c in ("aco", "peer_median", "peer_p25", "peer_p75"):
        shown[c] = shown[c].map(lambda v: money_in(v, basis)) if unit is None else shown[c].map(_number)
    shown["difference"] = shown["difference"].map(lambda d: pct(d, 0, signed=True))
    shown["peers"] = shown["peers"].map(str)
    return shown.rename(columns=COMPARISON_COLUMNS)


def _number(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def comparison_chart(table: pd.DataFrame, aco_id: str, year: int, basis: str, title: str) -> go.Figure:
    """Horizontal bars: the ACO against its peers' median (whiskers: their middle half), largest first."""
    table = table.iloc[::-1]  # plotly draws the first row at the bottom
    fig = ff.Draft()
    fig.add_bar(y=table["item"], x=table["peer_median"], orientation="h", name="Peers' median",
                marker_color=PEER_COLOR,
                error_x={"type": "data", "symmetric": False, "color": "#6b8fb3",
                         "array": (table["peer_p75"] - table["peer_median"]).clip(lower=0),
                         "arrayminus": (table["peer_median"] - table["peer_p25"]).clip(lower=0)},
                hovertemplate="%{y}: peers' median %{x:$,.0f}<extra></extra>")
    colors = [OWE if d > 0.05 else PAY if d < -0.05 else NEUTRAL for d in table["difference"].fillna(0)]
    labels = [f"{money_in(v, basis)}  ({pct(d, 0, signed=True)})" if pd.notna(d) else money_in(v, basis)
              for v, d in zip(table["aco"], table["difference"], strict=True)]
    fig.add_bar(y=table["item"], x=table["aco"], orientation="h", name=chart_text(aco_id),
                marker_color=colors, text=labels,
                textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: " + chart_text(aco_id) + " %{x:$,.0f}<extra></extra>")
    high = float(pd.concat([table["aco"], table["peer_p75"]]).max())
    fig.update_layout(title=f"{title}{BASIS_NOTE[basis]}, PY{year}", barmode="group", bargap=0.25,
                      height=140 + 46 * len(table),
                      legend={"orientation": "h", "y": -0.06, "traceorder": "reversed"},
                      xaxis={**money_axis([0, high]), "range": [0, high * 1.32]})  # room for the labels
    return fig.figure()


def enrollment_table(this: pd.Series, peers: pd.DataFrame) -> pd.DataFrame:
    """Per enrollment type: the ACO's $ per person-year in each benchmark year and the PY, and its
    peers' PY median. Always per beneficiary: CMS publishes no person-years by type in these tables."""
    rows = []
    for name, label in ENROLLMENT.items():
        row = {"item": label}
        for period in PERIODS:
            column = f"expenditure_per_capita_{name}_{period}"
            row[period] = _value(this, column)
        column = f"expenditure_per_capita_{name}_py"
        row["peer_median"] = _peer_stats(peers[column])[0] if len(peers) else float("nan")
        row["difference"] = _difference(row["py"], row["peer_median"])
        rows.append(row)
    return pd.DataFrame(rows)


def enrollment_shown(table: pd.DataFrame, basis: str) -> pd.DataFrame:
    basis = "pmpm" if basis == "pmpm" else "beneficiary"
    shown = table.copy()
    for c in (*PERIODS, "peer_median"):
        shown[c] = (shown[c] / (12 if basis == "pmpm" else 1)).map(lambda v: money_in(v, basis))
    shown["difference"] = shown["difference"].map(lambda d: pct(d, 0, signed=True))
    return shown.rename(columns={"item": "Enrollment type", **PERIODS, "peer_median": "Peers' PY median",
                                 "difference": "PY vs median"})


def enrollment_chart(table: pd.DataFrame, aco_id: str, year: int, basis: str) -> go.Figure:
    """The ACO's spending per enrollment type in the performance year against its peers' median."""
    basis = "pmpm" if basis == "pmpm" else "beneficiary"
    scale = 12 if basis == "pmpm" else 1
    fig = ff.Draft()
    fig.add_bar(x=table["item"], y=table["peer_median"] / scale, name="Peers' median",
                marker_color=PEER_COLOR,
                hovertemplate="%{x}: peers' median %{y:$,.0f}<extra></extra>")
    fig.add_bar(x=table["item"], y=table["py"] / scale, name=chart_text(aco_id), marker_color=NEUTRAL,
                text=[money_in(v / scale, basis) for v in table["py"]], textposition="outside",
                cliponaxis=False, hovertemplate="%{x}: " + chart_text(aco_id) + " %{y:$,.0f}<extra></extra>")
    fig.update_layout(title=f"By enrollment type{BASIS_NOTE[basis]}, PY{year}", barmode="group", height=380,
                      yaxis=money_axis(table["py"] / scale), legend={"orientation": "h", "y": -0.12})
    return fig.figure()


def trend_chart(frame: pd.DataFrame, year: int, basis: str) -> go.Figure:
    """Spending by setting, every year of the lineage (stacked), in `basis`; `year` shaded."""
    frame = frame.drop_duplicates("performance_year")
    years = person_years(frame)
    fig = ff.Draft()
    palette = ["#08519c", "#3182bd", "#6baed6", "#fd8d3c", "#e6550d", "#74c476", "#9e9ac8", "#bdbdbd"]
    for (name, label), color in zip(SETTINGS.items(), palette, strict=True):
        values = from_per_capita(frame[f"expenditure_per_capita_{name}"].astype(float), years, basis)
        values = values.fillna(0.0)  # a gap in a stack makes plotly restart the stack above it
        fig.add_bar(x=frame["performance_year"], y=values, name=label, marker_color=color,
                    hovertemplate="PY%{x} " + label + " %{y:$,.0f}<extra></extra>")
    totals = from_per_capita(frame["expenditure_per_capita"].astype(float), years, basis)
    fig.add_scatter(x=frame["performance_year"], y=totals, mode="markers+text", name="Total (CMS)",
                    marker={"symbol": "line-ew-open", "size": 28, "color": "#31333f", "line": {"width": 2}},
                    text=[money_in(v, basis) for v in totals], textposition="top center",
                    hovertemplate="PY%{x} total per CMS %{y:$,.0f}<extra></extra>")
    fig.update_layout(title=f"Spending by setting{BASIS_NOTE[basis]}, every year", barmode="stack",
                      height=420, xaxis=YEAR_AXIS, yaxis=money_axis(totals * 1.1),
                      legend={"orientation": "h", "y": -0.12})
    return mark_year(fig.figure(), year)


def utilization_table(this: pd.Series, peers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw, shown): use of care per 1,000 person-years (and the rest in their units) against peers."""
    rows = []
    for column, (label, unit) in UTILIZATION.items():
        if column not in this.index:
            continue
        median, p25, p75, n = _peer_stats(peers[column]) if len(peers) else (float("nan"),) * 3 + (0,)
        mine = _value(this, column)
        if pd.isna(mine) and n == 0:
            continue
        rows.append({"item": label.strip(), "unit": unit, "aco": mine, "peer_median": median,
                     "peer_p25": p25, "peer_p75": p75, "difference": _difference(mine, median), "peers": n})
    raw = pd.DataFrame(rows, columns=["item", "unit", *list(COMPARISON_COLUMNS)[1:]])
    shown = raw.copy()
    for c in ("aco", "peer_median", "peer_p25", "peer_p75"):
        shown[c] = [pct(v, 1) if u == "of discharges" else ("$" + _number(v) if u == "$" and pd.notna(v)
                    else _number(v)) for v, u in zip(raw[c], raw["unit"], strict=True)]
    shown["difference"] = raw["difference"].map(lambda d: pct(d, 0, signed=True))
    shown["peers"] = raw["peers"].map(str)
    shown["unit"] = raw["unit"].replace({"per 1,000": "per 1,000 beneficiaries", "$": "dollars"})
    return raw, shown.rename(columns={**COMPARISON_COLUMNS, "unit": "Unit"})


# --- the benchmark bridge ---------------------------------------------------------------------------------
BRIDGE_COLUMNS = {"step": "Step", "amount": "Amount", "note": "What it is"}


def bridge_steps(this: pd.Series) -> pd.DataFrame:
    """Historical -> updated benchmark per capita ($ per person-year) with the adjustments CMS published
    for this ACO-year; empty when the year publishes no per-capita benchmark (PY2013).

    PY2022-2023 publish the regional adjustment in dollars, PY2024 the regional and prior savings
    adjustments and which of them applied (FinalAdjCat), PY2018 a prior savings adjustment; the rest
    (trend to the performance year, risk adjustment, anything not published apart) is the difference.
    """
    hist, updated = this.get("historical_benchmark_per_capita"), this.get("updated_benchmark_per_capita")
    if hist is None or updated is None or pd.isna(hist) or pd.isna(updated):
        return pd.DataFrame(columns=["step", "measure", "amount", "note"])
    steps = [("Historical benchmark", "absolute", float(hist), "CMS's historical benchmark (HistBnchmk)")]
    regional, prior = this.get("regional_adjustment"), this.get("prior_savings_adjustment")
    category = this.get("final_adjustment_category")
    if isinstance(category, str) and category:
        applied = {"REGIONAL": ("Regional adjustment", regional,
                                "RegAdj, the adjustment applied (FinalAdjCat)"),
                   "PRIOR_SAVINGS": ("Prior savings adjustment", prior,
                                     "PriorSavAdj, the adjustment applied (FinalAdjCat)"),
                   "NONE": ("No adjustment", 0.0, "FinalAdjCat: neither adjustment applied")}.get(category)
        if applied is not None:
            label, amount, note = applied
            steps.append((label, "relative", float(amount) if pd.notna(amount) else 0.0, note))
    else:
        if regional is not None and pd.notna(regional):
            steps.append(("Regional adjustment", "relative", float(regional), "PosRegAdj in $ (PY2022-2023)"))
        if prior is not None and pd.notna(prior):
            steps.append(("Prior savings adjustment", "relative", float(prior), "Prior_Sav_Adj"))
    rest = float(updated) - float(hist) - sum(s[2] for s in steps[1:])
    steps.append(("Trend, risk and other updates", "relative", rest,
                  "the rest: not published apart (updated - historical - the adjustments above)"))
    steps.append(("Updated benchmark", "total", float(updated), "CMS's updated benchmark (UpdatedBnchmk)"))
    return pd.DataFrame(steps, columns=["step", "measure", "amount", "note"])


def bridge_in(steps: pd.DataFrame, this: pd.Series, basis: str) -> pd.DataFrame:
    """The bridge's amounts in `basis` (totals: x the ACO-year's person-years)."""
    years = float(person_years(this.to_frame().T).iloc[0])
    return steps.assign(amount=from_per_capita(steps["amount"].astype(float), years, basis))


def bridge_chart(steps: pd.DataFrame, aco_id: str, year: int, basis: str) -> go.Figure:
    fig = ff.Draft().add_waterfall(
        x=steps["step"], y=steps["amount"], measure=steps["measure"],
        text=[money_in(v, basis, signed=m == "relative") for v, m in zip(steps["amount"], steps["measure"],
                                                                          strict=True)],
        textposition="outside", cliponaxis=False,
        increasing={"marker": {"color": PAY}}, decreasing={"marker": {"color": OWE}},
        totals={"marker": {"color": NEUTRAL}}, connector={"line": {"color": "#9e9e9e", "dash": "dot"}},
        hovertemplate="%{x}: %{y:$,.0f}<extra></extra>",
    )
    low = float(steps.loc[steps["measure"] != "relative", "amount"].min())
    high = float(steps["amount"].where(steps["measure"] != "relative").max())
    running = steps["amount"].where(steps["measure"] == "relative", 0).cumsum() + steps["amount"].iloc[0]
    top = max(high, float(running.max())) * 1.06
    bottom = min(low, float(running.min())) * 0.9
    fig.update_layout(title=f"{chart_text(aco_id)}: from historical to updated benchmark{BASIS_NOTE[basis]}, "
                            f"PY{year}", height=420, showlegend=False,
                      yaxis=_range_axis(bottom, top, basis))
    return fig.figure()


def _range_axis(bottom: float, top: float, basis: str) -> dict[str, object]:
    """A y-axis over [bottom, top] with about six round ticks read like the page's money ($84.0M, $11,500)."""
    raw = (top - bottom) / 6 or 1.0
    magnitude = 10 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = np.arange(np.ceil(bottom / step) * step, top, step)
    return {"range": [bottom, top], "tickmode": "array", "tickvals": ticks.tolist(),
            "ticktext": [money_in(t, basis) for t in ticks], "title": None}


PARTS_PUBLISHED = {  # benchmark_parts_published column: what it says
    "historical": "Historical and updated benchmark per capita",
    "regional": "Regional adjustment, $ per capita",
    "regional_flag": "Positive regional adjustment (yes/no only)",
    "trend_flag": "Regional trend used (yes/no only)",
    "prior_savings": "Prior savings adjustment, $ per capita",
    "final_category": "Which adjustment applied",
}


def parts_published(counts: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Per benchmark part, the years (of the data) in which CMS published it; the ACO's years marked."""
    if counts.empty:
        return pd.DataFrame(columns=["Part", "Years published"])
    rows = []
    for column, label in PARTS_PUBLISHED.items():
        published = [int(y) for y, n in zip(counts["performance_year"], counts[column], strict=True) if n > 0]
        mine = [y for y in published if y in years]
        rows.append({"Part": label, "Years published": span(published) if published else "not published",
                     "This ACO's years": span(mine) if mine else "-"})
    return pd.DataFrame(rows)
