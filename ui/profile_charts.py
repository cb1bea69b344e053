"""Figures and tables of the explorer's profile views: risk scores, quality and CAHPS, participants and
beneficiary mix, each against the ACO's peers (plotly and pandas; no Streamlit here).

Every frame here holds the ACO's own rows and its peers' (data/profile_queries.with_peers); `is_aco`
tells them apart. Text from the data goes into figures through `chart_text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data.cms_files.quality_measures import MEASURE_BY_ID
from ui import fast_figure as ff
from ui.formatting import count, pct
from ui.overview_charts import NEUTRAL
from ui.text import chart_text

PEERS = "#9ecae1"
ENROLLMENT_LABELS = {
    "esrd": "ESRD",
    "disabled": "Disabled",
    "aged_dual": "Aged, dual",
    "aged_non_dual": "Aged, non-dual",
}
PERIOD_LABELS = {
    "BY1": "Benchmark year 1",
    "BY2": "Benchmark year 2",
    "BY3": "Benchmark year 3",
    "PY": "Performance year",
}
DOMAIN_COLORS = {
    "Patient/Caregiver Experience": "#6a51a3",
    "Care Coordination/Patient Safety": "#2171b5",
    "Preventive Health": "#238b45",
    "At-Risk Population": "#d94801",
}
PARTICIPANTS = {
    "primary_care_physicians": "Primary care physicians",
    "specialists": "Specialists",
    "nurse_practitioners": "Nurse practitioners",
    "physician_assistants": "Physician assistants",
    "clinical_nurse_specialists": "Clinical nurse specialists",
    "hospitals": "Hospitals",
    "critical_access_hospitals": "Critical access hospitals",
    "federally_qualified_health_centers": "Federally qualified health centers",
    "rural_health_clinics": "Rural health clinics",
    "eta_hospitals": "ETA hospitals",
    "other_facilities": "Other facilities",
}
# (group, label, column of aco_profile): shares of each group's total.
MIX: tuple[tuple[str, str, str], ...] = (
    ("Age", "0-64", "beneficiaries_age_0_64"),
    ("Age", "65-74", "beneficiaries_age_65_74"),
    ("Age", "75-84", "beneficiaries_age_75_84"),
    ("Age", "85+", "beneficiaries_age_85_plus"),
    ("Sex", "Female", "beneficiaries_female"),
    ("Sex", "Male", "beneficiaries_male"),
    ("Race/ethnicity", "White", "beneficiaries_race_white"),
    ("Race/ethnicity", "Black", "beneficiaries_race_black"),
    ("Race/ethnicity", "Asian", "beneficiaries_race_asian"),
    ("Race/ethnicity", "Hispanic", "beneficiaries_race_hispanic"),
    ("Race/ethnicity", "North American Native", "beneficiaries_race_native"),
    ("Race/ethnicity", "Other", "beneficiaries_race_other"),
    ("Race/ethnicity", "Unknown", "beneficiaries_race_unknown"),
)
SHARES = (("Dually eligible", "dual_share"), ("Long-term institutionalized", "long_term_institutional_share"))


def mark_aco(frame: pd.DataFrame, aco_id: str, period: object) -> pd.DataFrame:
    """`frame` with `is_aco`: the rows of this ACO-year (its six-month period, where it has one)."""
    out = frame.copy()
    same_period = out["six_month_period"].isna() if pd.isna(period) else out["six_month_period"].eq(period)
    out["is_aco"] = out["aco_id"].eq(aco_id) & same_period.fillna(False).astype(bool)
    return out


def better_than(value: float, peers: pd.Series, lower_is_better: bool = False) -> float | None:
    """Share of the peers this value beats (below it, or above it where lower is better); None without any."""
    peers = pd.Series(peers, dtype=float).dropna()
    if peers.empty or value is None or pd.isna(value):
        return None
    return float((peers > value).mean() if lower_is_better else (peers < value).mean())


def measure_value(value: float, unit: str) -> str:
    """A measure's value as people read it: rates in percent, scores and rates as published."""
    if value is None or pd.isna(value):
        return "-"
    if unit == "fraction":
        return pct(value, 1)
    if unit == "per_100_person_years":
        return f"{value:.2f} per 100 person-years"
    return f"{value:.2f}" if unit == "score_0_100" else f"{value:g}"


# --- risk scores -------------------------------------------------------------------------------------
def risk_table(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per enrollment type in `period`: the ACO's CMS-HCC score, the peers' median and where it stands."""
    rows = frame[frame["period"] == period]
    out = []
    for kind, label in ENROLLMENT_LABELS.items():
        of = rows[rows["enrollment_type"] == kind]
        mine, peers = of[of["is_aco"]], of[~of["is_aco"]]
        score = mine["cms_hcc_risk_score"].iloc[0] if len(mine) else np.nan
        out.append(
            {
                "enrollment_type": label,
                "cms_hcc_risk_score": score,
                "peers_median": peers["cms_hcc_risk_score"].median(),
                "peers": int(peers["cms_hcc_risk_score"].notna().sum()),
                "higher_than_share_of_peers": better_than(score, peers["cms_hcc_risk_score"]),
                "person_years": mine["person_years"].iloc[0] if len(mine) else np.nan,
                "demographic_risk_score": mine["demographic_risk_score"].iloc[0] if len(mine) else np.nan,
            }
        )
    return pd.DataFrame(out)


def risk_chart(frame: pd.DataFrame, period: str, aco_id: str) -> go.Figure:
    """Peers' CMS-HCC risk scores per enrollment type (boxes), the ACO's as a diamond."""
    rows = frame[frame["period"] == period]
    fig = ff.Draft()
    labels = list(ENROLLMENT_LABELS.values())
    peers = rows[~rows["is_aco"]]
    fig.add_box(
        x=peers["cms_hcc_risk_score"],
        y=peers["enrollment_type"].map(ENROLLMENT_LABELS),
        orientation="h",
        name="Peers",
        marker_color=PEERS,
        boxpoints="all",
        jitter=0.4,
        pointpos=0,
        hovertemplate="%{y}: %{x:.3f}<extra>peer</extra>",
    )
    mine = rows[rows["is_aco"]]
    fig.add_scatter(
        x=mine["cms_hcc_risk_score"],
        y=mine["enrollment_type"].map(ENROLLMENT_LABELS),
        mode="markers+text",
        name=chart_text(aco_id),
        text=[f"{v:.3f}" for v in mine["cms_hcc_risk_score"]],
        textposition="top center",
        marker={"symbol": "diamond", "size": 15, "color": NEUTRAL, "line": {"color": "white", "width": 1}},
        hovertemplate="%{y}: %{x:.3f}<extra>" + chart_text(aco_id) + "</extra>",
    )
    fig.update_layout(
        title=f"CMS-HCC risk scores, {PERIOD_LABELS[period].lower()}, against peers",
        height=380,
        xaxis={"title": "mean CMS-HCC risk score"},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "title": None},
        legend={"orientation": "h", "y": -0.18},
    )
    return fig.figure()


# --- quality and CAHPS -------------------------------------------------------------------------------
def quality_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per measure the ACO reported: its value, the peers' median and the share of peers it beats."""
    mine = frame[frame["is_aco"]]
    peers = frame[~frame["is_aco"]]
    # Each measure's published peer values as one array (numpy: a row-by-row pandas filter per measure
    # took most of the view's first run).
    values = peers["value"].to_numpy(dtype=float, na_value=np.nan)
    by_measure = {m: values[rows] for m, rows in
                  pd.Series(np.arange(len(peers))).groupby(peers["measure_id"].to_numpy()).indices.items()}
    out = []
    for measure, name, domain, value, unit, lower in zip(
        mine["measure_id"], mine["measure_name"], mine["domain"], mine["value"], mine["unit"],
        mine["lower_is_better"], strict=True,
    ):
        of = by_measure.get(measure, np.zeros(0))
        of = of[~np.isnan(of)]
        lower = bool(lower)
        beats = None if not len(of) or value is None or pd.isna(value) else float(
            np.mean(of > value) if lower else np.mean(of < value))
        out.append(
            {
                "measure_id": measure,
                "measure_name": name,
                "domain": domain,
                "value": value,
                "unit": unit,
                "lower_is_better": lower,
                "peers_median": float(np.median(of)) if len(of) else np.nan,
                "peers": len(of),
                "better_than_share_of_peers": beats,
            }
        )
    table = pd.DataFrame(
        out,
        columns=[
            "measure_id",
            "measure_name",
            "domain",
            "value",
            "unit",
            "lower_is_better",
            "peers_median",
            "peers",
            "better_than_share_of_peers",
        ],
    )
    order = {d: i for i, d in enumerate(DOMAIN_COLORS)} | {m: i for i, m in enumerate(MEASURE_BY_ID)}
    return table.sort_values(
        ["domain", "measure_id"], key=lambda s: s.map(order), kind="stable"
    ).reset_index(drop=True)


def _short(name: str, limit: int = 58) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def quality_chart(table: pd.DataFrame) -> go.Figure:
    """Where the ACO stands on each measure: the share of its peers it does better than (50% = median)."""
    shown = table.dropna(subset=["better_than_share_of_peers"]).iloc[::-1]
    labels = [chart_text(_short(n)) for n in shown["measure_name"]]
    fig = ff.Draft()
    for domain, color in DOMAIN_COLORS.items():
        rows = shown["domain"] == domain
        if not rows.any():
            continue
        fig.add_bar(
            x=shown.loc[rows, "better_than_share_of_peers"],
            y=[lab for lab, r in zip(labels, rows, strict=True) if r],
            orientation="h",
            name=chart_text(domain),
            marker_color=color,
            text=[pct(v, 0) for v in shown.loc[rows, "better_than_share_of_peers"]],
            textposition="outside",
            cliponaxis=False,
            customdata=np.stack(
                [
                    [chart_text(n) for n in shown.loc[rows, "measure_name"]],
                    [
                        measure_value(v, u)
                        for v, u in zip(shown.loc[rows, "value"], shown.loc[rows, "unit"], strict=True)
                    ],
                    [
                        measure_value(v, u)
                        for v, u in zip(shown.loc[rows, "peers_median"], shown.loc[rows, "unit"], strict=True)
                    ],
                ],
                axis=-1,
            ),
            hovertemplate="%{customdata[0]}<br>this ACO %{customdata[1]}, peers' median %{customdata[2]}"
            "<br>better than %{x:.0%} of peers<extra></extra>",
        )
    fig.add_vline(0.5, line_dash="dash", line_color="grey")
    fig.update_layout(
        title="Better than this share of peers, measure by measure (dashed: the peers' median)",
        height=max(320, 26 * len(shown) + 140),
        barmode="overlay",
        xaxis={"tickformat": ".0%", "range": [0, 1.08], "title": None, "tickvals": [0, 0.25, 0.5, 0.75, 1]},
        yaxis={"categoryorder": "array", "categoryarray": labels, "title": None, "automargin": True},
        legend={"orientation": "h", "y": -0.08},
    )
    return fig.figure()


def measure_chart(frame: pd.DataFrame, measure_id: str, aco_id: str) -> go.Figure:
    """The peers' values of one measure (histogram) and the ACO's (a line)."""
    rows = frame[frame["measure_id"] == measure_id]
    peers, mine = rows[~rows["is_aco"]], rows[rows["is_aco"]]
    unit = str(rows["unit"].iloc[0]) if len(rows) else "as_published"
    name = str(rows["measure_name"].iloc[0]) if len(rows) else measure_id
    fig = ff.Draft().add_histogram(
        x=peers["value"],
        marker_color=PEERS,
        name="Peers",
        nbinsx=25,
        hovertemplate="%{x}<br>%{y} peers<extra></extra>",
    )
    if len(mine):
        value = float(mine["value"].iloc[0])
        fig.add_vline(value, line_color=NEUTRAL, line_width=3)
        fig.add_annotation(
            x=value,
            y=1.0,
            yref="paper",
            showarrow=False,
            xanchor="left",
            xshift=4,
            text=f"<b>{chart_text(aco_id)}</b> {chart_text(measure_value(value, unit))}",
            font={"color": NEUTRAL},
        )
    lower = bool(rows["lower_is_better"].iloc[0]) if len(rows) else False
    fig.update_layout(
        title=chart_text(f"{_short(name, 80)} ({'lower' if lower else 'higher'} is better)"),
        height=340,
        bargap=0.05,
        showlegend=False,
        xaxis={"tickformat": ".0%" if unit == "fraction" else None, "title": None},
        yaxis={"title": "ACOs"},
    )
    return fig.figure()


# --- participants and beneficiaries ----------------------------------------------------------------
def participants_table(frame: pd.DataFrame) -> pd.DataFrame:
    mine, peers = frame[frame["is_aco"]], frame[~frame["is_aco"]]
    out = []
    for column, label in PARTICIPANTS.items():
        value = mine[column].iloc[0] if len(mine) else np.nan
        if pd.isna(value) and peers[column].isna().all():
            continue  # not published that year
        out.append(
            {
                "participant_type": label,
                "aco": value,
                "peers_median": peers[column].median(),
                "more_than_share_of_peers": better_than(value, peers[column]),
            }
        )
    return pd.DataFrame(out, columns=["participant_type", "aco", "peers_median", "more_than_share_of_peers"])


def _against_peers(labels: list[str] | pd.Series, aco: pd.Series, peers_median: pd.Series, aco_id: str,
                   shown: str, hover: str) -> ff.Draft:
    """Horizontal bars, first row on top: the peers' median and the ACO's value (text `shown`, hover
    format `hover`, e.g. ",.0f")."""
    fig = ff.Draft()
    fig.add_bar(y=labels, x=peers_median.iloc[::-1], orientation="h", name="Peers' median",
                marker_color=PEERS, hovertemplate="%{y}: %{x:" + hover + "}<extra>peers' median</extra>")
    fig.add_bar(y=labels, x=aco.iloc[::-1], orientation="h", name=chart_text(aco_id), marker_color=NEUTRAL,
                text=shown, textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{x:" + hover + "}<extra>" + chart_text(aco_id) + "</extra>")
    return fig


def participants_chart(table: pd.DataFrame, aco_id: str) -> go.Figure:
    fig = _against_peers(table["participant_type"].iloc[::-1], table["aco"], table["peers_median"], aco_id,
                         [count(v) for v in table["aco"].iloc[::-1]], ",.0f")
    fig.update_layout(
        title="Participants by type, against the peers' median",
        barmode="group",
        height=max(320, 46 * len(table) + 120),
        xaxis={"title": None, "type": "log"},
        yaxis={"title": None},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig.figure()


def _group_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's counts as shares of its group's total (age, sex, race), plus CMS's published shares."""
    out = pd.DataFrame(index=frame.index)
    for group in dict.fromkeys(g for g, _, _ in MIX):
        columns = [c for g, _, c in MIX if g == group]
        total = frame[columns].sum(axis=1, min_count=1)
        for column in columns:
            out[column] = frame[column] / total.where(total > 0)
    for _, column in SHARES:
        out[column] = frame[column]
    return out


def mix_table(frame: pd.DataFrame, enrollment: pd.DataFrame) -> pd.DataFrame:
    """The ACO's beneficiary mix against the peers' median share, group by group.

    `enrollment`: aco_enrollment rows of the same ACO-years (person-years by enrollment type, PY).
    """
    shares = _group_shares(frame)
    py = enrollment[enrollment["period"] == "PY"]
    by_type = py.pivot_table(
        index=["aco_id", "is_aco"],
        columns="enrollment_type",
        values="person_years",
        aggfunc="sum",
        observed=True,
    )
    by_type = by_type.div(by_type.sum(axis=1).where(lambda s: s > 0), axis=0)
    rows = [
        (g, label, shares.loc[frame["is_aco"], c], shares.loc[~frame["is_aco"], c]) for g, label, c in MIX
    ]
    rows += [
        (
            "Enrollment type (person-years)",
            label,
            by_type.xs(True, level="is_aco")[kind]
            if kind in by_type and True in by_type.index.get_level_values(1)
            else pd.Series(dtype=float),
            by_type.xs(False, level="is_aco")[kind]
            if kind in by_type and False in by_type.index.get_level_values(1)
            else pd.Series(dtype=float),
        )
        for kind, label in ENROLLMENT_LABELS.items()
    ]
    rows += [
        ("Published shares", label, shares.loc[frame["is_aco"], c], shares.loc[~frame["is_aco"], c])
        for label, c in SHARES
    ]
    out = []
    for group, label, mine, peers in rows:
        value = float(mine.iloc[0]) if len(mine) and pd.notna(mine.iloc[0]) else np.nan
        if pd.isna(value) and peers.dropna().empty:
            continue
        out.append(
            {"group": group, "category": label, "aco_share": value, "peers_median_share": peers.median()}
        )
    return pd.DataFrame(out, columns=["group", "category", "aco_share", "peers_median_share"])


def mix_chart(table: pd.DataFrame, aco_id: str) -> go.Figure:
    labels = [f"{g}: {c}" for g, c in zip(table["group"], table["category"], strict=True)][::-1]
    fig = _against_peers(labels, table["aco_share"], table["peers_median_share"], aco_id,
                         [pct(v, 1) for v in table["aco_share"].iloc[::-1]], ".1%")
    fig.update_layout(
        title="Beneficiary mix: shares of assigned beneficiaries, against the peers' median",
        barmode="group",
        height=max(360, 34 * len(table) + 120),
        xaxis={"tickformat": ".0%", "title": None},
        yaxis={"title": None},
        legend={"orientation": "h", "y": -0.08},
    )
    return fig.figure()
