"""Figures, tables and link helpers of the program overview (plotly and pandas; no Streamlit here)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aco_model.rules import TRACKS
from ui import fast_figure as ff
from ui.formatting import money
from ui.link_params import Params, parameter
from ui.text import chart_text

PAY = "#2e7d32"
OWE = "#c62828"
NEUTRAL = "#1f5aa6"
# One colour per track, the same on every chart (legacy tracks in greys/blues, BASIC in greens, ENHANCED red).
TRACK_COLORS = {
    "TRACK_1": "#9ecae1", "TRACK_1_PLUS": "#6baed6", "TRACK_2": "#3182bd", "TRACK_3": "#08519c",
    "BASIC_A": "#c7e9c0", "BASIC_B": "#a1d99b", "BASIC_C": "#74c476", "BASIC_D": "#31a354",
    "BASIC_E": "#006d2c", "ENHANCED": "#e6550d",
}


def money_axis(values: Sequence[float] | pd.Series) -> dict[str, object]:
    """A y-axis whose ticks read like the page's money ($500M, $1.5B, -$20M), not plotly's "$1.50G"."""
    v = pd.Series(values, dtype=float).dropna()
    lo, hi = min(float(v.min()) if len(v) else 0.0, 0.0), max(float(v.max()) if len(v) else 1.0, 0.0)
    span = (hi - lo) or 1.0
    raw = span / 6
    step = min((m * 10 ** np.floor(np.log10(raw)) for m in (1, 2, 2.5, 5, 10)
                if m * 10 ** np.floor(np.log10(raw)) >= raw), default=raw)
    ticks = np.arange(np.floor(lo / step) * step, hi + step, step)
    return {"tickmode": "array", "tickvals": ticks.tolist(), "ticktext": [_tick(t) for t in ticks],
            "title": None}


def _tick(value: float) -> str:
    a = abs(value)
    for unit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= unit:
            text = f"{a / unit:.2f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{a:,.0f}"
    return ("-" if value < 0 else "") + "$" + text


def big_money(value: float) -> str:
    """ui.money, with trillions as $1.16T (program-wide benchmarks pass $1,000B)."""
    return f"{'-' if value < 0 else ''}${abs(value) / 1e12:.2f}T" if abs(value) >= 1e12 else money(value)


def label(track: str) -> str:
    return TRACKS[track].label if track in TRACKS else track


def track_order(tracks: Sequence[str]) -> list[str]:
    """Tracks in the program's order (legacy tracks, then BASIC levels, then ENHANCED)."""
    order = list(TRACKS)
    return sorted(tracks, key=lambda t: (order.index(t) if t in order else len(order), t))


# --- the URL -----------------------------------------------------------------------------------------
def years_text(chosen: Sequence[int]) -> str:
    """(2018, 2019, 2020) -> "2018-2020"; (2022,) -> "2022"."""
    lo, hi = min(chosen), max(chosen)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def read_years(params: Params, available: Sequence[int]) -> tuple[int, int]:
    """`years=2018-2024`, `years=2022` or `years=2022,2023` (consecutive) -> (first, last); else all."""
    everything = (min(available), max(available))
    value = params.text("years")
    if value is None:
        return everything
    shown = parameter("years", value)
    fallback = f"{everything[0]}-{everything[1]}"
    try:
        parts = [p.strip() for p in value.replace("–", "-").replace(",", " ").replace("-", " ").split()]
        wanted = sorted({int(p) for p in parts})
    except ValueError:
        params.warnings.append(f"Link parameter {shown} ignored (not years); using {fallback}.")
        return everything
    if not wanted or any(y not in available for y in wanted):
        params.warnings.append(
            f"Link parameter {shown} ignored (the data has PY{everything[0]}-{everything[1]}); "
            f"using {fallback}."
        )
        return everything
    if "," in value and len(wanted) > 1 and wanted != list(range(wanted[0], wanted[-1] + 1)):
        params.warnings.append(f"Link parameter {shown}: years are a range; using "
                               f"{wanted[0]}-{wanted[-1]}.")
    return wanted[0], wanted[-1]


def read_tracks(params: Params, available: Sequence[str]) -> list[str]:
    """`tracks=ENHANCED,BASIC_E` (codes, any case) -> those tracks; unknown codes dropped with a warning."""
    value = params.text("tracks")
    if value is None:
        return list(available)
    by_code = {t.lower(): t for t in available}
    chosen, unknown = [], []
    for part in value.split(","):
        code = part.strip().lower().replace(" ", "_")
        if not code:
            continue
        (chosen if code in by_code else unknown).append(by_code.get(code, part.strip()))
    if unknown:
        shown = ", ".join(unknown)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        params.warnings.append(
            f"Link parameter “tracks”: {shown} not in the data"
            + (" (ignored)." if chosen else f"; using every track ({len(available)}).")
        )
    return track_order(dict.fromkeys(chosen)) if chosen else list(available)


# --- numbers -----------------------------------------------------------------------------------------
def savings_rate(rows: pd.DataFrame) -> pd.Series:
    """CMS's published savings rate; (benchmark - spending) / benchmark where it is not published."""
    computed = (rows["benchmark"] - rows["expenditure"]) / rows["benchmark"].where(rows["benchmark"] != 0)
    return rows["cms_savings_rate"].astype(float).fillna(computed.astype(float))


def of_years(rows: pd.DataFrame, years: Sequence[int], columns: Sequence[str]) -> pd.DataFrame:
    """The `rows` of these years (in their order), these columns only, typed as ui.aco_years.rows types the
    same rows: a text column without any text is one of Nones (the other columns read here, numbers, are
    read as floats)."""
    keep = rows["performance_year"].isin(list(years)).to_numpy(dtype=bool)
    chosen = rows.loc[keep, [c for c in columns if c in rows]].reset_index(drop=True)
    for column in chosen.columns:
        if isinstance(chosen[column].dtype, pd.StringDtype) and chosen[column].isna().all():
            chosen[column] = pd.Series([None] * len(chosen), dtype=object)
    return chosen


TOTAL_COLUMNS = ["acos", "assigned_beneficiaries", "benchmark", "expenditure", "gross_savings",
                 "shared_savings_paid", "losses_owed", "acos_paid", "acos_owing"]


def with_net(totals: pd.DataFrame) -> pd.DataFrame:
    """Adds savings rate and net to Medicare (= gross savings - shared savings paid + losses owed)."""
    out = totals.copy()
    out["savings_rate"] = out["gross_savings"] / out["benchmark"].where(out["benchmark"] != 0)
    out["net_to_medicare"] = out["gross_savings"] - out["shared_savings_paid"] + out["losses_owed"]
    return out


def per_year(totals: pd.DataFrame) -> pd.DataFrame:
    """program_totals (year x track) summed over the tracks."""
    return with_net(totals.groupby("performance_year", as_index=False)[TOTAL_COLUMNS].sum())


def table(frame: pd.DataFrame, by_track: bool) -> pd.DataFrame:
    """The table's rows (numbers, in display order)."""
    cols = ["performance_year"] + (["track"] if by_track else []) + [
        "acos", "assigned_beneficiaries", "benchmark", "expenditure", "gross_savings", "savings_rate",
        "shared_savings_paid", "losses_owed", "net_to_medicare", "acos_paid", "acos_owing"]
    return frame[cols].reset_index(drop=True)


RENAME = {
    "performance_year": "Year", "track": "Track", "acos": "ACOs", "assigned_beneficiaries": "Beneficiaries",
    "benchmark": "Benchmark", "expenditure": "Spending", "gross_savings": "Gross savings",
    "savings_rate": "Savings rate", "shared_savings_paid": "Shared savings paid",
    "losses_owed": "Losses owed",
    "net_to_medicare": "Net to Medicare", "acos_paid": "ACOs paid", "acos_owing": "ACOs owing",
}
MONEY = ["benchmark", "expenditure", "gross_savings", "shared_savings_paid", "losses_owed", "net_to_medicare"]
COUNTS = ["acos", "assigned_beneficiaries", "acos_paid", "acos_owing"]


# --- figures -----------------------------------------------------------------------------------------
def payments_by_track(totals: pd.DataFrame) -> go.Figure:
    """Shared savings paid stacked above zero, losses owed below, one colour per track."""
    fig = ff.Draft()
    years = sorted(totals["performance_year"].unique())
    # Arrays, not a filtered frame per track: the same columns, a fraction of the CPU.
    year, paid = totals["performance_year"].to_numpy(), totals["shared_savings_paid"].to_numpy()
    owed, tracks = totals["losses_owed"].to_numpy(), totals["track"].to_numpy(dtype=object)
    for track in track_order(totals["track"].unique()):
        chosen = tracks == track
        color = TRACK_COLORS.get(track, NEUTRAL)
        name = chart_text(label(track))  # a track code from the data, shown as text
        fig.add_bar(x=year[chosen], y=paid[chosen], name=name,
                    marker_color=color, legendgroup=track,
                    hovertemplate=f"{name} PY%{{x}}<br>paid %{{y:$,.0f}}<extra></extra>")
        if (owed[chosen] > 0).any():
            fig.add_bar(x=year[chosen], y=-owed[chosen], name=name,
                        marker={"color": color, "pattern": {"shape": "/"}}, legendgroup=track,
                        showlegend=False,
                        hovertemplate=f"{name} PY%{{x}}<br>losses owed %{{y:$,.0f}}<extra></extra>")
    fig.add_hline(0, line_color="grey", line_width=1)
    fig.update_layout(barmode="relative", title="Shared savings paid (above) and losses owed (below)",
                      height=440, legend={"orientation": "h", "y": -0.12, "title": None},
                      xaxis={"tickmode": "array", "tickvals": years, "title": None},
                      yaxis=money_axis([*totals.groupby("performance_year")["shared_savings_paid"].sum(),
                                        *-totals.groupby("performance_year")["losses_owed"].sum()]))
    return fig.figure()


def savings_to_medicare(years: pd.DataFrame) -> go.Figure:
    """Per year: gross savings, shared savings paid, losses owed, and what Medicare kept."""
    fig = ff.Draft()
    fig.add_bar(x=years["performance_year"], y=years["gross_savings"], name="Gross savings",
                marker_color="#9ecae1", hovertemplate="PY%{x} gross savings %{y:$,.0f}<extra></extra>")
    fig.add_bar(x=years["performance_year"], y=years["shared_savings_paid"] - years["losses_owed"],
                name="Paid to ACOs, net of losses", marker_color=PAY,
                hovertemplate="PY%{x} paid to ACOs net of losses %{y:$,.0f}<extra></extra>")
    fig.add_scatter(x=years["performance_year"], y=years["net_to_medicare"], name="Net to Medicare",
                    mode="lines+markers", line={"color": NEUTRAL, "width": 3},
                    hovertemplate="PY%{x} net to Medicare %{y:$,.0f}<extra></extra>")
    fig.add_hline(0, line_color="grey", line_width=1)
    fig.update_layout(barmode="group", title="What Medicare saved, paid and kept", height=440,
                      legend={"orientation": "h", "y": -0.12, "title": None},
                      xaxis={"tickmode": "array", "tickvals": list(years["performance_year"]), "title": None},
                      yaxis=money_axis([*years["gross_savings"], *years["net_to_medicare"],
                                        *(years["shared_savings_paid"] - years["losses_owed"])]))
    return fig.figure()


def hover_text(ids: pd.Series, names: pd.Series) -> np.ndarray:
    """Per row [id, name] escaped for plotly's hover (chart_text; a missing name as ""): an (n, 2) array.

    Each distinct id and name is escaped once (pd.factorize), not once per row: thousands of ACO-years
    name a few hundred ACOs a year.
    """
    columns = []
    for values in (ids, names.fillna("")):
        position, distinct = pd.factorize(values, use_na_sentinel=False)
        columns.append(np.array([chart_text(v) for v in distinct.tolist()] or [""],
                                dtype=object)[np.asarray(position, dtype=np.intp)] if len(values) else
                       np.zeros(0, dtype=object))
    return np.stack(columns, axis=-1)


def savings_rate_spread(rows: pd.DataFrame) -> go.Figure:
    """One box per year: the spread of ACOs' savings rates (median, quartiles, outliers as points)."""
    # Arrays, not a groupby of frames: thousands of ACO-years, their ids and names escaped once each.
    rates = savings_rate(rows)
    rated = rates.notna().to_numpy()
    years, rates = rows["performance_year"].to_numpy()[rated], rates.to_numpy(dtype=float)[rated]
    hover = hover_text(rows["aco_id"][rated], rows["aco_name"][rated])
    fig = ff.Draft()
    for year in np.unique(years):
        chosen = years == year
        fig.add_box(y=rates[chosen], name=str(year), marker_color=NEUTRAL, boxmean=True,
                    customdata=hover[chosen],
                    hovertemplate="%{customdata[0]} %{customdata[1]}<br>savings rate %{y:.2%}<extra></extra>",
                    showlegend=False)
    fig.add_hline(0, line_dash="dot", line_color="grey")
    fig.update_layout(title="Spread of ACOs' savings rates by year (box: quartiles and median; dashed: mean)",
                      height=420, yaxis={"tickformat": ".0%", "title": "Savings rate", "zeroline": False},
                      xaxis={"title": None, "type": "category"})
    return fig.figure()


# --- quality against savings rate: one dot per ACO of a year ----------------------------------------
QUALITY_INPUTS = ["performance_year", "aco_id", "aco_name", "track", "benchmark", "expenditure",
                  "cms_savings_rate", "quality_score", "cms_earned_savings_losses"]  # quality_points reads
SCATTER_COLUMNS = {"aco_id": "ACO id", "aco_name": "Name", "track": "Track", "savings_rate": "Savings rate",
                   "quality_score": "Quality score", "cms_earned_savings_losses": "Earned (CMS)"}


def quality_points(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """(the ACO-years with both a savings rate and a quality score, how many lack one of them)."""
    rate = savings_rate(rows).to_numpy(dtype=float)
    quality = rows["quality_score"].astype(float).to_numpy()
    scored = np.flatnonzero(~np.isnan(rate) & ~np.isnan(quality))
    # In the program's track order, then by id (a stable sort: numpy's, on arrays, not the frame's).
    order = {t: i for i, t in enumerate(TRACKS)}
    rank = np.array([order.get(t, np.nan) if isinstance(t, str) else np.nan
                     for t in rows["track"].to_numpy(dtype=object)[scored]], dtype=float)
    ids = rows["aco_id"].to_numpy(dtype=object)[scored]
    scored = scored[np.lexsort((ids, rank))] if len(scored) else scored
    kept = [c for c in ("aco_id", "aco_name", "track", "cms_earned_savings_losses") if c in rows]
    points = rows[kept].take(scored).reset_index(drop=True)
    points.insert(min(3, len(kept)), "savings_rate", rate[scored])
    points.insert(min(4, len(kept) + 1), "quality_score", quality[scored])
    return points[[c for c in SCATTER_COLUMNS if c in points]], len(rows) - len(scored)


def quality_scatter(points: pd.DataFrame, year: int) -> go.Figure:
    """Quality score (y) against savings rate (x), one dot per ACO, one colour per track."""
    fig = ff.Draft()
    # Names go into plotly's hover, which reads a little HTML: escaped, they show as typed. Arrays once,
    # then one slice per track (a filtered frame per track cost more than the figure).
    text = hover_text(points["aco_id"], points["aco_name"])
    tracks = points["track"].to_numpy(dtype=object)
    rate, quality = points["savings_rate"].to_numpy(), points["quality_score"].to_numpy()
    for track in track_order(points["track"].dropna().unique()):
        chosen = tracks == track
        name = chart_text(label(track))
        fig.add_scatter(x=rate[chosen], y=quality[chosen], mode="markers", name=name,
                        marker={"color": TRACK_COLORS.get(track, NEUTRAL), "size": 8, "opacity": 0.85,
                                "line": {"color": "white", "width": 0.5}},
                        customdata=text[chosen],
                        hovertemplate="%{customdata[0]} %{customdata[1]}<br>savings rate %{x:.2%}"
                                      "<br>quality score %{y:.2%}<extra>" + name + "</extra>")
    fig.add_vline(0, line_dash="dot", line_color="grey")
    fig.update_layout(title=f"Quality score against savings rate, PY{year} (one dot per ACO)", height=460,
                      xaxis={"tickformat": ".0%", "title": "Savings rate", "zeroline": False},
                      yaxis={"tickformat": ".0%", "title": "Quality score"},
                      legend={"title": None})
    return fig.figure()
