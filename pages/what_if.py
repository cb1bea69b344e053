"""What-if studio: one ACO-year (or a template) settled as CMS would, under the user's changes.

Thin page: the database (ui.database), the model (aco_model.scenario), charts (ui.what_if_charts).
Everything on it is in the URL: src, aco, year, track, msr, qs, bench, bench_pct, exp, n, q, rev.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from aco_model.inputs import from_aco_year_row, implied_participant_revenue
from aco_model.rules import FIRST_YEAR, LAST_YEAR, MSR_ELECTIONS, TRACKS, is_offered
from aco_model.scenario import QUALITY_STANDARDS, Scenario, every_track, payment_curve, scenario_from
from ui import database as db
from ui import what_if_charts as charts
from ui import widgets as ui
from ui.formatting import money, pct
from ui.link_params import Params, fmt_number
from ui.nav import inside_app

inside_app()

TEMPLATE = Scenario(2024, "BASIC_E", 150_000_000.0, 146_000_000.0, 20_000, 0.80, msr_election=0.02)
ELECTIONS = ["variable"] + [fmt_number(e * 100) for e in MSR_ELECTIONS]
STANDARD_LABELS = {"auto": "from the score", "met": "met", "alternative": "alternative standard only",
                   "not met": "not met"}


@st.cache_data(show_spinner=False, max_entries=64)
def _comparisons(scenario: Scenario):
    return payment_curve(scenario), every_track(scenario)


key, params, warnings_box = ui.page_start(
    "What-if studio",
    "Change the benchmark, spending, size, quality, track or MSR/MLR election and see the settlement "
           "CMS would make, step by step, under the rules of 42 CFR part 425.",
)

# --- the starting point ---------------------------------------------------------------------------
acos = db.aco_index(key)
names = dict(zip(acos["aco_id"], acos["aco_name"], strict=True))
c_src, c_aco, c_year = st.columns([1.8, 3, 1])
src = params.choice("src", ["aco", "template"], "aco" if len(acos) else "template")
src = c_src.segmented_control("Start from", ["aco", "template"], default=src, key="wi_src", required=True,
                              format_func={"aco": "An ACO-year", "template": "A template"}.get)
cms_row = None
if src == "aco":
    ids = acos["aco_id"].tolist()
    wanted = params.text("aco")
    if wanted is not None and wanted not in names:
        params.warnings.append(f"Link parameter `aco={wanted[:40]}` ignored (no such ACO in the data).")
        wanted = None
    aco = c_aco.selectbox("ACO", ids, index=ids.index(wanted or ids[0]), key="wi_aco",
                          format_func=lambda a: f"{a} - {names.get(a) or 'unnamed'}")
    rows = db.aco_rows(key, aco)
    aco_years = sorted({int(y) for y in rows["performance_year"]})
    year = params.integer("year", aco_years[-1], FIRST_YEAR, LAST_YEAR)
    if year not in aco_years:
        params.warnings.append(f"{aco} has no results for PY{year}; showing PY{aco_years[-1]}.")
        year = aco_years[-1]
    year = c_year.selectbox("Performance year", aco_years, index=aco_years.index(year), key=f"wi_year_{aco}")
    cms_row = rows[rows["performance_year"] == year].iloc[0]
    try:
        published = from_aco_year_row(cms_row.to_dict())
        implied_revenue = implied_participant_revenue(
            published, float(cms_row["cms_earned_savings_losses"]), cms_row.get("cms_euc_loss_adjustment")
        )
        base = scenario_from(replace(published, participant_revenue=implied_revenue))
    except (ValueError, TypeError, KeyError) as exc:
        st.warning(f"{aco} PY{year} lacks a number the model needs ({exc}); starting from the template.")
        base, cms_row = replace(TEMPLATE, performance_year=year), None
    same_start = params.text("aco") == aco and params.text("year") == str(year)
    ident = f"{aco}_{year}"
else:
    year = params.integer("year", TEMPLATE.performance_year, FIRST_YEAR, LAST_YEAR)
    year = c_year.selectbox("Performance year", list(range(FIRST_YEAR, LAST_YEAR + 1)),
                            index=year - FIRST_YEAR, key="wi_t_year")
    c_aco.caption("A mid-sized ACO: $150M benchmark, 20,000 assigned beneficiaries, 2.7% savings.")
    base = replace(TEMPLATE, performance_year=year)
    same_start = params.text("src") == "template" and params.text("year") == str(year)
    ident = f"template_{year}"
# A link describes one starting point: its control values apply only while that start is selected.
p = params if same_start else Params({})

# --- the controls ---------------------------------------------------------------------------------
with st.container(border=True):
    r1 = st.columns(4)
    track = r1[0].selectbox("Track / level", list(TRACKS), key=f"wi_track_{ident}",
                            index=list(TRACKS).index(p.choice("track", list(TRACKS), base.track)),
                            format_func=lambda t: TRACKS[t].label)
    base_msr = "variable" if base.msr_election is None else fmt_number(base.msr_election * 100)
    msr = r1[1].selectbox("MSR/MLR election (%)", ELECTIONS, key=f"wi_msr_{ident}",
                          index=ELECTIONS.index(p.choice("msr", ELECTIONS, base_msr)),
                          help="Two-sided tracks only; one-sided tracks use the beneficiary table.")
    standard = r1[2].selectbox("Quality standard", QUALITY_STANDARDS, key=f"wi_qs_{ident}",
                               index=QUALITY_STANDARDS.index(p.choice("qs", QUALITY_STANDARDS,
                                                                      base.quality_standard)),
                               format_func=STANDARD_LABELS.get)
    quality = r1[3].slider("Quality score (%)", 0.0, 100.0, step=0.01, key=f"wi_q_{ident}",
                           value=p.number("q", round(base.quality_score * 100, 4), 0.0, 100.0))
    r2 = st.columns(4)
    benchmark = r2[0].number_input("Base benchmark ($)", 1_000_000.0, 1e11, step=1_000_000.0, format="%.0f",
                                   key=f"wi_bench_{ident}",
                                   value=p.number("bench", base.base_benchmark, 1_000_000.0, 1e11))
    change = r2[1].slider("Benchmark change (%)", -10.0, 10.0, step=0.1, key=f"wi_bench_pct_{ident}",
                          value=p.number("bench_pct", 0.0, -10.0, 10.0))
    expenditure = r2[2].number_input("Expenditure ($)", 0.0, 1e11, step=1_000_000.0, format="%.0f",
                                     key=f"wi_exp_{ident}",
                                     value=p.number("exp", base.expenditure, 0.0, 1e11))
    beneficiaries = r2[3].number_input("Assigned beneficiaries", 100, 2_000_000, step=500,
                                       key=f"wi_n_{ident}",
                                       value=p.integer("n", base.assigned_beneficiaries, 100, 2_000_000))
    revenue = 0.0
    if TRACKS[track].loss_limit_revenue_share is not None:
        revenue = st.number_input(
            "Participants' Parts A+B revenue ($; 0 = unknown, benchmark-based loss limit only)", 0.0, 1e11,
            step=1_000_000.0, format="%.0f", key=f"wi_rev_{ident}",
            value=p.number("rev", base.participant_revenue or 0.0, 0.0, 1e11))
        if base.participant_revenue:
            st.caption(f"Starts at {money(base.participant_revenue)}: the revenue CMS's loss implies, since "
                       "its revenue-based loss limit bound that year (no public file carries the revenue).")

scenario = replace(
    base, track=track, base_benchmark=float(benchmark), benchmark_change=float(change) / 100,
    expenditure=float(expenditure), assigned_beneficiaries=int(beneficiaries), quality_score=quality / 100,
    quality_standard=standard, msr_election=None if msr == "variable" else float(msr) / 100,
    participant_revenue=float(revenue) or None,
)
state = {"src": src, "year": str(year), "track": track, "msr": msr, "qs": standard,
         "q": fmt_number(quality), "bench": fmt_number(benchmark), "bench_pct": fmt_number(change),
         "exp": fmt_number(expenditure), "n": str(int(beneficiaries))}
if src == "aco":
    state["aco"] = aco
if revenue:
    state["rev"] = fmt_number(revenue)
with warnings_box:
    ui.warn(params.warnings)
st.query_params.from_dict(state)

# --- the answer -----------------------------------------------------------------------------------
result = scenario.settle()
if not is_offered(track, year):
    st.caption(f"{TRACKS[track].label} was not offered in PY{year}; settled under its rules all the same.")
m = st.columns(4)
m[0].metric("Payment to the ACO" if result.earned >= 0 else "Bill to the ACO", money(result.earned))
m[1].metric("Savings rate", pct(result.savings_rate),
            f"MSR {pct(result.minimum_savings_rate)}", delta_color="off", delta_arrow="off")
m[2].metric("Final sharing rate", pct(result.final_sharing_rate),
            None if result.final_loss_rate is None else f"loss rate {pct(result.final_loss_rate)}",
            delta_color="off", delta_arrow="off")
if cms_row is not None:
    cms_earned = float(cms_row["cms_earned_savings_losses"])
    difference = result.earned - cms_earned
    m[3].metric("CMS settled", money(cms_earned),
                "same as this scenario" if abs(difference) < 1 else f"{money(difference, signed=True)} here",
                delta_color="normal" if abs(difference) >= 1 else "off",
                delta_arrow="auto" if abs(difference) >= 1 else "off",
                help=f"CMS's published earned savings (+) or losses (-) for {aco} in PY{year}")
else:
    m[3].metric("Outcome", result.outcome)

curve, by_track = _comparisons(scenario)
tab_steps, tab_curve, tab_tracks = st.tabs(["Settlement step by step", "Payment curve", "Every track"])
with tab_steps:
    ui.chart(charts.waterfall(result), key="wi_waterfall")
    steps = charts.settlement_table(result)
    ui.table(steps.assign(amount=steps["amount"].map(money)), steps, f"settlement_{ident}.csv", key="steps")
with tab_curve:
    ui.chart(charts.payment_curve(curve, result), key="wi_curve")
    st.caption("Shaded: the MSR/MLR corridor (nothing paid or owed). Dashed: the performance payment limit "
               "and the loss limit. Marker: this scenario.")
with tab_tracks:
    ui.chart(charts.tracks_chart(by_track, track), key="wi_tracks")
    ui.table(charts.tracks_table(by_track), by_track, f"every_track_{ident}.csv", key="tracks")

with st.expander("Share this scenario"):
    st.caption("Anyone opening this link sees the same scenario, numbers and charts.")
    st.code("what_if?" + urlencode(state), language=None)
