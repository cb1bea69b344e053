"""Risk election: next year's settlement under every track and MSR/MLR election, under uncertainty.

Thin page: query (ui.database), model (aco_model.uncertainty through ui.risk_election), charts.
State in the URL: src, aco, year (or the template's t_*), draws, seed, method, all_tracks, max_owe_pct,
owe_over.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from aco_model.inputs import from_aco_year_row
from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS
from aco_model.uncertainty import calibrate
from ui import database as data
from ui import risk_election as risk
from ui import widgets as ui
from ui.link_params import fmt_number, ignored
from ui.nav import inside_app

inside_app()

@st.cache_resource(show_spinner="Calibrating on the history...", max_entries=4)
def _calibration(key: tuple[str, float], method: str):
    return calibrate(data.history(key), method=method)


@st.cache_data(show_spinner="Simulating...", max_entries=32)
def _simulation(key, base, method, draws, seed, owing_threshold, offered_only):
    """The per-election summary, box-chart quantiles, the year settled and the size band (no draws kept)."""
    result, summary = risk.run(
        base, _calibration(key, method), draws, seed, owing_threshold, offered_only=offered_only
    )
    return summary, risk.box_stats(result), result.base.performance_year, result.band.band


key, params, warnings_box = ui.page_start(
    "Risk election",
    "How next year's settlement could turn out under each track and MSR/MLR election, drawn from how "
    "real ACOs' savings rates moved from one year to the next.",
)
info = data.summary(key)

# --- where to start: a real ACO-year or a template -------------------------------------------------
acos = data.aco_index(key)
names = dict(zip(acos["aco_id"], acos["aco_name"], strict=True))
src = params.choice("src", ["aco", "template"], "aco" if len(acos) else "template")
left, right = st.columns([3, 2])
src = left.segmented_control(
    "Start from",
    ["aco", "template"],
    default=src,
    key="risk_src",
    required=True,
    format_func={"aco": "An ACO-year in the data", "template": "A template"}.get,
)
if src == "aco":
    aco_ids = acos["aco_id"].tolist()
    aco = params.text("aco")
    if aco is not None and aco not in names:
        params.warnings.append(ignored("aco", aco, "no such ACO in the data", aco_ids[0]))
        aco = None
    aco = aco or aco_ids[0]
    aco = left.selectbox(
        "ACO",
        aco_ids,
        index=aco_ids.index(aco),
        key="risk_aco",
        format_func=lambda a: f"{a} - {names.get(a) or 'unnamed'}",
    )
    rows = data.aco_rows(key, aco)
    aco_years = sorted({int(y) for y in rows["performance_year"]})
    year = params.integer("year", aco_years[-1], FIRST_YEAR, LAST_YEAR)
    if year not in aco_years:
        if aco == params.text("aco"):  # the link's own ACO-year (not a new ACO chosen on the page)
            params.warnings.append(f"{aco} has no results for {year}; using {aco_years[-1]}.")
        year = aco_years[-1]
    year = right.selectbox("Base year", aco_years, index=aco_years.index(year), key="risk_year")
    year_rows = rows[rows["performance_year"] == year]
    try:
        base = from_aco_year_row(year_rows.iloc[0].to_dict())
    except (ValueError, TypeError, KeyError) as exc:  # a row the model cannot settle (missing numbers)
        st.warning(ui.plain(f"{aco} PY{year} cannot be simulated ({exc}); choose another year or a "
                            "template."))
        st.stop()
    label = ui.plain(f"{aco} {names.get(aco) or ''} PY{year}")
    if len(year_rows) > 1:
        st.caption(
            f"{ui.plain(aco)} has {len(year_rows)} result rows in {year} (six-month periods): the first "
            "is used."
        )
    state = {"src": "aco", "aco": aco, "year": str(year)}
else:
    t = risk.Template()
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        t_year = c1.number_input(
            "Base year",
            FIRST_YEAR,
            LAST_YEAR - 1,
            key="risk_t_year",
            value=params.integer("t_year", t.performance_year, FIRST_YEAR, LAST_YEAR - 1),
        )
        t_track = c2.selectbox(
            "Track this year",
            list(TRACKS),
            key="risk_t_track",
            index=list(TRACKS).index(params.choice("t_track", list(TRACKS), t.track)),
            format_func=lambda c: TRACKS[c].label,
        )
        t_n = c3.number_input(
            "Assigned beneficiaries",
            500,
            500_000,
            step=1000,
            key="risk_t_n",
            value=params.integer("t_n", t.assigned_beneficiaries, 500, 500_000),
        )
        t_bench = c1.number_input(
            "Benchmark ($M)",
            1.0,
            10_000.0,
            step=10.0,
            key="risk_t_bench",
            value=params.number("t_bench", t.benchmark / 1e6, 1.0, 10_000.0),
        )
        t_rate = c2.number_input(
            "Savings rate this year (%)",
            -50.0,
            50.0,
            step=0.5,
            key="risk_t_rate",
            value=params.number("t_rate", t.savings_rate * 100, -50.0, 50.0),
        )
        t_q = c3.number_input(
            "Quality score (%)",
            0.0,
            100.0,
            step=1.0,
            key="risk_t_q",
            value=params.number("t_q", t.quality_score * 100, 0.0, 100.0),
        )
    template = risk.Template(
        int(t_year), t_track, float(t_bench) * 1e6, float(t_rate) / 100, int(t_n), float(t_q) / 100
    )
    base = template.aco_year()
    year = template.performance_year
    label = f"template ({TRACKS[t_track].label}, PY{year})"
    state = {
        "src": "template",
        "t_year": str(t_year),
        "t_track": t_track,
        "t_n": str(t_n),
        "t_bench": fmt_number(t_bench),
        "t_rate": fmt_number(t_rate),
        "t_q": fmt_number(t_q),
    }

# --- simulation and risk appetite ------------------------------------------------------------------
with st.expander("Simulation and risk appetite", expanded=True):
    c1, c2, c3, c4 = st.columns(4)
    draws = c1.selectbox(
        "Draws",
        risk.DRAW_CHOICES,
        key="risk_draws",
        format_func=lambda n: f"{n:,}",
        index=risk.DRAW_CHOICES.index(params.choice("draws", risk.DRAW_CHOICES, risk.DEFAULT_DRAWS)),
    )
    seed = c2.number_input(
        "Seed",
        0,
        risk.MAX_SEED,
        step=1,
        key="risk_seed",
        value=params.integer("seed", risk.DEFAULT_SEED, 0, risk.MAX_SEED),
        help="The same seed, draws and inputs give the same numbers.",
    )
    method = c3.selectbox(
        "Draw the change by",
        ["bootstrap", "normal"],
        key="risk_method",
        index=["bootstrap", "normal"].index(params.choice("method", ["bootstrap", "normal"], "bootstrap")),
        format_func={"bootstrap": "resampling history", "normal": "normal fit"}.get,
    )
    all_tracks = c4.checkbox(
        "Every track, offered or not", key="risk_all_tracks", value=params.flag("all_tracks", False)
    )
    a1, a2 = st.columns(2)
    max_owe_pct = a1.number_input(
        "No more than this chance (%) ...",
        0.0,
        100.0,
        step=1.0,
        key="risk_max_owe",
        value=params.number("max_owe_pct", risk.DEFAULT_MAX_PROB_OWING * 100, 0.0, 100.0),
    )
    owe_over = a2.number_input(
        "... of owing more than ($)",
        0.0,
        1e10,
        step=100_000.0,
        format="%.0f",
        key="risk_owe_over",
        value=params.number("owe_over", risk.DEFAULT_OWING_THRESHOLD, 0.0, 1e10, shown_default="$1,000,000"),
    )

state.update(
    {
        "draws": str(draws),
        "seed": str(int(seed)),
        "method": method,
        "max_owe_pct": fmt_number(max_owe_pct),
        "owe_over": fmt_number(owe_over),
    }
)
if all_tracks:
    state["all_tracks"] = "1"
with warnings_box:
    ui.warn(params.warnings)
st.query_params.from_dict(state)

summary, boxes, target, band = _simulation(
    key, base, method, int(draws), int(seed), float(owe_over), not all_tracks
)
st.caption(
    f"Starting from {label}: benchmark {ui.money(base.benchmark)}, savings rate "
    f"{ui.pct((base.benchmark - base.expenditure) / base.benchmark)}, "
    f"{base.assigned_beneficiaries:,} assigned beneficiaries. Next year settled under the PY{target} rules, "
    f"{int(draws):,} draws from the {band} band, seed {int(seed)}."
)

# --- the answer ------------------------------------------------------------------------------------
best = risk.recommend(summary, float(max_owe_pct) / 100, float(owe_over))
appetite = f"no more than {max_owe_pct:g}% chance of owing over {ui.money(owe_over)}"
if best is None:
    st.warning(f"No election meets the risk appetite ({appetite}).")
else:
    st.success(f"Best expected payment with {appetite}: **{best['election']}**")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Expected payment", ui.money(best["expected_payment"]))
    m2.metric("Chance of any payment", ui.pct(best["prob_any_payment"], 1))
    m3.metric(f"Chance of owing over {ui.money(owe_over)}", ui.pct(best["prob_owing_over_threshold"], 1))
    m4.metric("Worst case", ui.money(best["worst_case"]))

# --- distributions side by side ---------------------------------------------------------------------
fig = go.Figure()
for b in boxes.itertuples():
    fig.add_trace(
        go.Box(
            y=[b.election],
            q1=[b.p25],
            median=[b.median],
            q3=[b.p75],
            lowerfence=[b.p05],
            upperfence=[b.p95],
            mean=[b.mean],
            boxmean=True,
            orientation="h",
            name=b.election,
            showlegend=False,
            marker_color="#2e7d32" if best is not None and b.election == best["election"] else "#1f77b4",
        )
    )
fig.add_vline(x=0, line_dash="dot", line_color="grey")
fig.update_layout(
    title=f"Next year's payment by election ({int(draws):,} draws)",
    xaxis={"title": "Shared savings (+) / losses (-)", "tickprefix": "$"},
    height=max(320, 26 * len(boxes) + 120),
    yaxis={"autorange": "reversed"},
)
ui.chart(fig, key="risk_chart")
st.caption("Box: 25th-75th percentile with the median; whiskers: 5th-95th percentile; dashed: the mean.")

# --- per-election table ------------------------------------------------------------------------------
money_cols = [
    "expected_payment",
    "median_payment",
    "p05_payment",
    "p95_payment",
    "worst_case",
    "best_case",
    "payment_at_current_rate",
]
pct_cols = ["prob_any_payment", "prob_owing", "prob_owing_over_threshold", "msr_election"]
shown = summary.drop(columns=["track", "owing_threshold", "sd_payment"])
shown.insert(1, "within_appetite", summary["prob_owing_over_threshold"] <= float(max_owe_pct) / 100 + 1e-12)
ui.table(
    ui.formatted(
        shown,
        money_cols,
        pct_cols,
        rename={
            "election": "Election",
            "within_appetite": "Within appetite",
            "msr_election": "MSR/MLR",
            "expected_payment": "Expected",
            "median_payment": "Median",
            "p05_payment": "5th pct",
            "p95_payment": "95th pct",
            "prob_any_payment": "Chance paid",
            "prob_owing": "Chance owing",
            "prob_owing_over_threshold": f"Chance owing > {ui.money(owe_over)}",
            "worst_case": "Worst case",
            "best_case": "Best case",
            "payment_at_current_rate": "At this year's rate",
        },
    ),
    summary,
    f"risk_election_{target}_seed{int(seed)}.csv",
    key="risk_summary",
)

# --- the calibration ----------------------------------------------------------------------------------
with st.expander("How next year's savings rate is drawn (calibration)"):
    calibration = _calibration(key, method)
    st.markdown(calibration.describe())
    cal = calibration.table()
    ui.table(
        ui.formatted(
            cal,
            pct_cols=["mean", "sd", "p05", "p25", "p50", "p75", "p95"],
            rename={
                "band": "Size band",
                "sample_size": "Pairs",
                "uses_pooled_sample": "Pooled",
                "mean": "Mean change",
                "sd": "SD",
            },
        ),
        cal,
        "risk_calibration.csv",
        key="risk_calibration",
    )
    if info["synthetic"]:
        st.caption("Calibrated on the synthetic demo data: its savings rates are made up.")
