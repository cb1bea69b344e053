"""ACOs and their savings by state: the numbers per state and a tile-grid map of them (no Streamlit here).

The map is one square per state in the familiar US layout, drawn as a plotly heatmap: plotly's own US
map (choropleth, locationmode "USA-states") fetches its outlines from cdn.plot.ly when drawn, which a
machine or hospital network without internet cannot reach (it draws nothing); squares need nothing.
An ACO whose participants are in several states (`aco_state` "NJ,NY") counts in each of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from data.states import STATES
from ui import fast_figure as ff
from ui.formatting import count, money
from ui.overview_charts import OWE, PAY, money_axis
from ui.text import chart_text

# (row, column) of each state's square: the tile-grid layout news maps use, territories bottom corners.
TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (0, 11),
    "WI": (1, 6), "VT": (1, 10), "NH": (1, 11),
    "WA": (2, 1), "ID": (2, 2), "MT": (2, 3), "ND": (2, 4), "MN": (2, 5), "IL": (2, 6), "MI": (2, 7),
    "NY": (2, 9), "MA": (2, 10),
    "OR": (3, 1), "NV": (3, 2), "WY": (3, 3), "SD": (3, 4), "IA": (3, 5), "IN": (3, 6), "OH": (3, 7),
    "PA": (3, 8), "NJ": (3, 9), "CT": (3, 10), "RI": (3, 11),
    "CA": (4, 1), "UT": (4, 2), "CO": (4, 3), "NE": (4, 4), "MO": (4, 5), "KY": (4, 6), "WV": (4, 7),
    "VA": (4, 8), "MD": (4, 9), "DE": (4, 10),
    "AZ": (5, 2), "NM": (5, 3), "KS": (5, 4), "AR": (5, 5), "TN": (5, 6), "NC": (5, 7), "SC": (5, 8),
    "DC": (5, 9),
    "OK": (6, 4), "LA": (6, 5), "MS": (6, 6), "AL": (6, 7), "GA": (6, 8),
    "HI": (7, 0), "GU": (7, 1), "MP": (7, 2), "TX": (7, 4), "FL": (7, 9), "PR": (7, 10), "VI": (7, 11),
    "AS": (6, 0),
}
ROWS, COLUMNS = 8, 12
_TILED = set(TILES.values())
# The grey squares under the map, the same for every map (never changed: each figure encodes its own copy).
_GREY = np.where([[(r, c) in _TILED for c in range(COLUMNS)] for r in range(ROWS)], 0.0, np.nan)

# The map's measures: (label, column of `by_state`).
MEASURES: dict[str, tuple[str, str]] = {
    "acos": ("ACOs", "acos"),
    "beneficiaries": ("Assigned beneficiaries", "assigned_beneficiaries"),
    "earned": ("Earned savings (+) / losses (-)", "earned_savings_losses"),
    "per_beneficiary": ("Earned savings/losses per beneficiary", "earned_per_beneficiary"),
}
MEASURE_LABELS = {"acos": "ACOs", "beneficiaries": "Beneficiaries", "earned": "Earned",
                  "per_beneficiary": "Per beneficiary"}
STATE_COLUMNS = {
    "state": "State", "state_name": "Name", "acos": "ACOs", "assigned_beneficiaries": "Beneficiaries",
    "earned_savings_losses": "Earned savings/losses", "earned_per_beneficiary": "Per beneficiary",
    "shared_savings_paid": "Shared savings paid", "losses_owed": "Losses owed",
}
_EMPTY_TILE = "#cfd3da"  # no ACO: a grey darker than the palest colour of the scales
_COUNT_SCALE = [[0.0, "#eef4fb"], [1.0, "#08306b"]]
_PALE = "#f4f4f4"
_MONEY_SCALE = [[0.0, OWE], [0.5, _PALE], [1.0, PAY]]


# The columns by_state reads (and the year, to cut a year's rows from several years').
INPUTS = ["performance_year", "aco_state", "assigned_beneficiaries", "cms_earned_savings_losses"]


def by_state(rows: pd.DataFrame, only: Sequence[str] = ()) -> pd.DataFrame:
    """Per state (an ACO in several counted in each): ACO-years, beneficiaries, earned savings/losses.

    `only`: keep just these states (the page's state filter). Rows without a state are not counted.
    """
    if "aco_state" not in rows or not len(rows):
        return _by_state(np.zeros(0, dtype=np.intp), [], rows.iloc[:0])
    # Each distinct list of states ("NJ,NY") split once (a few hundred lists for thousands of ACO-years),
    # then one (ACO-year, state) pair per state it lists, as positions: no frame of pairs, no text keys.
    lists, which_list = _state_lists(rows["aco_state"])
    named = which_list >= 0
    rows_named = np.flatnonzero(named)
    lengths = np.fromiter((len(s) for s in lists), dtype=np.intp, count=len(lists))
    codes = sorted({code for s in lists for code in s} & set(only) if only else
                   {code for s in lists for code in s})
    index = {code: i for i, code in enumerate(codes)}
    flat = np.fromiter((index.get(code, -1) for s in lists for code in s), dtype=np.intp,
                       count=int(lengths.sum()))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
    per_row = lengths[which_list[named]]
    which = np.repeat(rows_named, per_row)  # the ACO-year of each pair, in the rows' order
    offsets = np.arange(len(which)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    state = flat[np.repeat(starts[which_list[named]], per_row) + offsets]
    kept = state >= 0
    return _by_state(state[kept], codes, rows, which[kept])


def _state_lists(states: pd.Series) -> tuple[list[list[str]], np.ndarray]:
    """(each distinct `aco_state` text split into its codes, per row the position of its text or -1)."""
    position, distinct = pd.factorize(states)
    return [str(s).split(",") for s in distinct], np.asarray(position, dtype=np.intp)


def _by_state(state: np.ndarray, codes: Sequence[str], rows: pd.DataFrame,
              which: np.ndarray | None = None) -> pd.DataFrame:
    """The table of `by_state` from its (ACO-year, state) pairs: `state` (positions in `codes`, sorted
    codes) and `which` (the pair's row in `rows`)."""
    which = np.zeros(0, dtype=np.intp) if which is None else which
    earned = rows["cms_earned_savings_losses"].astype(float).to_numpy()[which]
    frame = pd.DataFrame({
        "acos": np.ones(len(which), dtype=np.int64),
        "assigned_beneficiaries": rows["assigned_beneficiaries"].astype(float).to_numpy()[which],
        "earned_savings_losses": earned, "shared_savings_paid": np.clip(earned, 0, None),
        "losses_owed": np.clip(-earned, 0, None)})
    if len(state):
        out = frame.groupby(state, sort=True).sum()  # pandas' sums, as before: the same to the last bit
        present = out.index.to_numpy()
        out = out.reset_index(drop=True)
        out.insert(0, "state", pd.Series([codes[i] for i in present], dtype=str))
    else:  # no ACO-year in a state: the empty table with the column types the page always had
        out = frame.assign(state=[]).groupby("state", sort=True, as_index=False).sum()
    out["earned_per_beneficiary"] = out["earned_savings_losses"] / out["assigned_beneficiaries"].where(
        out["assigned_beneficiaries"] > 0)
    out["state_name"] = out["state"].map(STATES).fillna(out["state"])
    return out[list(STATE_COLUMNS)]


def _value_text(measure: str, value: float) -> str:
    return count(value) if measure in ("acos", "beneficiaries") else money(value)


def tile_map(states: pd.DataFrame, measure: str, title: str, several_years: bool = False) -> go.Figure:
    """One square per state coloured by `measure` (MEASURES); states without ACOs grey, hover gives all.

    `several_years`: the counts are ACO-years (an ACO once a year), and say so.
    """
    label, column = MEASURES[measure]
    unit = "ACO-years" if several_years else "ACO(s)"
    if measure == "acos" and several_years:
        label = "ACO-years"
    # Plain dicts, not a Series looked up by label per tile (a few microseconds each, 56 tiles, 3 looks).
    values = dict(zip(states["state"].tolist(), states[column].astype(float).tolist(), strict=True))
    z = np.full((ROWS, COLUMNS), np.nan)
    hover = np.full((ROWS, COLUMNS), "", dtype=object)
    by_code = states.set_index("state").to_dict("index")  # one dict per state: .loc per tile was slow
    for code, (row, col) in TILES.items():
        value = values.get(code)
        if value is not None and not np.isnan(value):
            z[row, col] = value
            s = by_code[code]
            hover[row, col] = chart_text(
                f"{STATES.get(code, code)}: {count(s['acos'])} {unit}, {count(s['assigned_beneficiaries'])} "
                f"beneficiaries") + "<br>" + chart_text(
                f"earned {money(s['earned_savings_losses'])} ({money(s['earned_per_beneficiary'])} per "
                "beneficiary)")
    shown = pd.Series([v for v in values.values() if not np.isnan(v)], dtype=float)
    signed = measure in ("earned", "per_beneficiary")
    if signed:
        low = min(float(shown.min()), 0.0) if len(shown) else 0.0
        high = max(float(shown.max()), 0.0) if len(shown) else 0.0
        if low < 0 < high:  # losses red, savings green, zero pale in the middle
            reach = max(-low, high)
            colors = {"colorscale": _MONEY_SCALE, "zmin": -reach, "zmax": reach}
        elif low < 0:  # losses only
            colors = {"colorscale": [[0.0, OWE], [1.0, _PALE]], "zmin": low, "zmax": 0.0}
        else:  # savings only (PY2020-2022: no losses were owed)
            colors = {"colorscale": [[0.0, _PALE], [1.0, PAY]], "zmin": 0.0, "zmax": high or 1.0}
        bar = {**money_axis([colors["zmin"], colors["zmax"]]), "title": None}
    else:
        colors = {"colorscale": _COUNT_SCALE, "zmin": 0, "zmax": float(shown.max()) if len(shown) else 1.0}
        bar = {"tickformat": ",d" if measure == "acos" else "~s", "title": None}  # 5M, not 5,000,000
    fig = ff.Draft()
    fig.add_heatmap(z=_GREY, colorscale=[[0, _EMPTY_TILE], [1, _EMPTY_TILE]], showscale=False, xgap=3, ygap=3,
                    hoverinfo="skip")
    fig.add_heatmap(z=z, text=hover, hovertemplate="%{text}<extra></extra>", hoverongaps=False, xgap=3,
                    ygap=3, colorbar={**bar, "thickness": 14, "len": 0.8}, **colors)
    # The codes on the squares, dark or light against their colour.
    codes = list(TILES)
    fills = [_fill(values.get(c), colors) for c in codes]
    fig.add_scatter(x=[TILES[c][1] for c in codes], y=[TILES[c][0] for c in codes], mode="text",
                    text=codes, hoverinfo="skip", showlegend=False,
                    textfont={"size": 12, "color": ["white" if f < 0.45 else "#1b1e28" for f in fills]})
    fig.update_layout(title=chart_text(f"{label}, {title}"), height=500, plot_bgcolor="rgba(0,0,0,0)",
                      xaxis={"visible": False, "range": [-0.6, COLUMNS - 0.4]},
                      yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"})
    return fig.figure()


def _fill(value: float | None, colors: dict[str, object]) -> float:
    """Lightness (0 dark - 1 light) of the square a value is drawn in."""
    if value is None or pd.isna(value):
        return 1.0
    lo, hi = float(colors["zmin"]), float(colors["zmax"])  # type: ignore[arg-type]
    position = 0.5 if hi == lo else min(max((float(value) - lo) / (hi - lo), 0.0), 1.0)
    rgb = sample_colorscale(colors["colorscale"], [position], colortype="tuple")[0]
    red, green, blue = (v if v <= 1 else v / 255 for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
