"""What-if studio: one ACO-year (or a template) settled as CMS would, under the user's changes.

Thin page: the database (ui.database), the model (aco_model.scenario), charts (ui.what_if_charts).
Everything on it is in the URL (aco_model.scenario.QUERY_KEYS): the controls are bound to their query
parameters (track, msr, qs, q, bench_pct, n); the page writes src, aco, year and the dollar amounts (bench,
exp, rev: typed as people write money, "$1.65B", and carried exactly, aco_model.scenario.url_number).
"""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from aco_model.quality_routes import SCORE_FREE, published_standard, route_sentence, threshold
from aco_model.reconciliation import Settlement
from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS, is_offered
from aco_model.scenario import (
    ELECTION_OPTIONS,
    LIMITS,
    QUALITY_STANDARDS,
    QUERY_KEYS,
    TEMPLATE,
    Scenario,
    election_text,
    every_track,
    payment_curve,
    percent_fraction,
    percent_text,
    quality_curve,
    quality_rounding_range,
    scenario_from_row,
)
from ui import database as db
from ui import page_cache, print_view, url_state
from ui import what_if_charts as charts
from ui import widgets as ui
from ui.formatting import count, dollars, money, pct
from ui.link_params import ignored
from ui.nav import inside_app
from ui.share import share_box

inside_app()

BOUND = ("track", "msr", "qs", "q", "bench_pct", "n")
WRITTEN = ("src", "aco", "year", "bench", "exp", "rev")  # by the page: the money boxes are text boxes
BIND = {"bind": "query-params"}
VIEWS = ["Settlement step by step", "Payment curve", "Quality", "Every track"]


@page_cache.memo(64)
def _settled(scenario: Scenario) -> Settlement:
    """The scenario's settlement, made once per scenario (the page, its views and charts read it)."""
    return scenario.settle()


# The three comparisons, each kept by the part of the scenario it reads (ui.page_cache.memo: shared, never
# changed): every track ignores the scenario's own track, the payment curve its expenditure (the grid sets
# it), the quality curve its quality score (the curve sets it), and none reads the ACO's id. A control that
# moves one of those reruns without recomputing that comparison (tests/app/test_what_if_cache.py).
@page_cache.memo(64, key=lambda s: replace(s, expenditure=0.0, aco_id=None))
def _payment_curve_frame(scenario: Scenario) -> pd.DataFrame:
    return payment_curve(scenario)


@page_cache.memo(64, key=lambda s: replace(s, track="", aco_id=None))
def _every_track_frame(scenario: Scenario) -> pd.DataFrame:
    return every_track(scenario)


@page_cache.memo(64, key=lambda s: replace(s, quality_score=0.0, aco_id=None))
def _quality_curve_frame(scenario: Scenario) -> pd.DataFrame:
    return quality_curve(scenario)


@page_cache.memo(64, key=lambda s: replace(s, track="", aco_id=None))
def _tracks_table(scenario: Scenario) -> pd.DataFrame:
    return charts.tracks_table(_every_track_frame(scenario))


@page_cache.memo(64)
def _settlement_tables(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The settlement's steps as shown (amounts as money) and as its CSV (the scenario's link first)."""
    steps = charts.settlement_table(_settled(scenario))
    return (steps.assign(amount=steps["amount"].map(money)),
            charts.settlement_csv(steps, scenario.to_query_params()))


# The charts, keyed on the scenario (hashed in well under a millisecond) rather than on the frames drawn
# (hashing the three frames took about 20 ms a run): ui.cached_chart builds each once per scenario.
def _waterfall(scenario: Scenario):
    return charts.waterfall(_settled(scenario))


def _payment_curve(scenario: Scenario):
    return charts.payment_curve(_payment_curve_frame(scenario), _settled(scenario))


def _quality_chart(scenario: Scenario, title: str):
    return charts.quality_chart(_quality_curve_frame(scenario), scenario, _settled(scenario), title)


def _tracks_chart(scenario: Scenario):
    return charts.tracks_chart(_every_track_frame(scenario), scenario.track)


@page_cache.cache_data(show_spinner=False, max_entries=16)
def _document(key: db.Key, share_link: str, kind: str) -> bytes:
    """The executive summary of the page's scenario (report/), made when a download button is clicked."""
    from report.pdf import render_pdf
    from report.slides import render_pptx
    from report.summary import summary_from_link

    summary = summary_from_link(share_link, db.database(key))
    return render_pdf(summary) if kind == "pdf" else render_pptx(summary)


@page_cache.memo(4)
def _aco_choices(key: db.Key) -> tuple[list[str], dict[str, str]]:
    """The ACO ids and their names, once per database (zipping the index's text columns took ~5 ms a run)."""
    acos = db.aco_index(key)
    return acos["aco_id"].tolist(), dict(zip(acos["aco_id"], acos["aco_name"], strict=True))


@page_cache.memo(64)  # the same for every run of one ACO: copying and filtering its rows took ~10 ms a run
def _published(key: db.Key, aco: str) -> dict[int, dict[str, object]]:
    """The ACO's published row of each year (the year's first), by year in order: shared, never changed."""
    rows = db.aco_rows(key, aco)
    return {year: rows[rows["performance_year"] == year].iloc[0].to_dict()
            for year in sorted({int(y) for y in rows["performance_year"]})}


@page_cache.memo(256)  # the same for every run of one ACO-year
def _base(key: db.Key, aco: str, year: int) -> Scenario:
    """The scenario that reproduces what CMS settled for this ACO-year (quality standard on "auto")."""
    base = scenario_from_row(_published(key, aco)[year], aco)
    for name, shown, value in (("bench", "benchmark", base.base_benchmark),
                               ("exp", "expenditure", base.expenditure),
                               ("n", "assigned beneficiaries", base.assigned_beneficiaries)):
        lo, hi = LIMITS[name]
        if not lo <= value <= hi:  # a value its control cannot take
            raise ValueError(f"{shown} {value:,.0f} outside {lo:,.0f} to {hi:,.0f}")
    return base


def _fraction(control: float, linked: float) -> float:
    """A percentage control as a fraction; the linked fraction itself while the control still shows it.

    A link carries its rates exactly (aco_model.scenario.percent_text), and a float percentage divided
    by 100 may differ in its last digit: the control's value stands for the link's until it is moved.
    """
    return linked if control == float(percent_text(linked)) else percent_fraction(repr(float(control)))


def _controls(s: Scenario) -> dict[str, object]:
    """The controls' values for a scenario (percentages as numbers, dollars as the money boxes show them)."""
    return {"track": s.track, "msr": election_text(s.msr_election), "qs": s.quality_standard,
            "q": float(percent_text(s.quality_score)), "bench": dollars(s.base_benchmark),
            "bench_pct": float(percent_text(s.benchmark_change)), "exp": dollars(s.expenditure),
            "n": float(s.assigned_beneficiaries), "rev": dollars(s.participant_revenue or 0.0)}


key, _, warnings_box = ui.page_start(
    "What-if studio",
    "Change the benchmark, spending, size, quality, track or MSR/MLR election and see the settlement "
    "CMS would make, step by step, under the rules of 42 CFR part 425.",
)
raw = st.query_params.to_dict()
START = ("src", "aco", "year")
wanted, warnings = Scenario.from_query_params({k: v for k, v in raw.items() if k in START})
warnings += url_state.unknown_parameters(raw, QUERY_KEYS)

# --- the starting point ---------------------------------------------------------------------------
ids, names = _aco_choices(key)
c_src, c_aco, c_year = st.columns([1.8, 3, 1])
linked_template = wanted.aco_id is None and str(raw.get("src", "")).strip().lower() == "template"
src = c_src.segmented_control("Start from", ["aco", "template"], key="wi_src", required=True,
                              default="template" if linked_template or not ids else "aco",
                              format_func={"aco": "An ACO-year", "template": "A template"}.get)
cms_row, aco = None, None
if src == "aco" and ids:
    if wanted.aco_id is not None and wanted.aco_id not in names:
        warnings.append(ignored("aco", wanted.aco_id, "no such ACO in the data", ids[0]))
    aco = c_aco.selectbox("ACO", ids, index=ids.index(wanted.aco_id) if wanted.aco_id in names else 0,
                          key="wi_aco", format_func=lambda a: f"{a} - {names.get(a) or 'unnamed'}")
    published = _published(key, aco)
    aco_years = list(published)
    year = wanted.performance_year if "year" in raw else aco_years[-1]
    if year not in aco_years:
        if aco == wanted.aco_id:
            warnings.append(f"{aco} has no results for PY{year}; showing PY{aco_years[-1]}.")
        year = aco_years[-1]
    year = c_year.selectbox("Performance year", aco_years, index=aco_years.index(year), key=f"wi_year_{aco}")
    cms_row = published[year]
    try:
        base = _base(key, aco, year)
    except (ValueError, TypeError, KeyError) as exc:
        st.warning(ui.plain(f"{aco} PY{year} lacks a number the model needs ({exc}); starting from the "
                            "template."))
        base, cms_row = replace(TEMPLATE, performance_year=year), None
else:
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    year = c_year.selectbox("Performance year", years, index=years.index(wanted.performance_year),
                            key="wi_t_year")
    c_aco.caption("A mid-sized ACO: $150M benchmark, 20,000 assigned beneficiaries, 2.7% savings.")
    base = replace(TEMPLATE, performance_year=year)

# The link's control values belong to its own starting point: they apply while that start is shown (the
# link's src, aco and year); a start chosen on the page begins from its own numbers.
start = (src, aco, year)
if ("template" if linked_template else "aco") == src and wanted.aco_id in (None, aco) and (
        "year" not in raw or wanted.performance_year == year):
    linked, control_warnings = Scenario.from_query_params({k: v for k, v in raw.items() if k not in START},
                                                          base)
    warnings += control_warnings
else:
    linked = base
controls = _controls(linked)
if "rev" not in st.session_state:  # its box is shown for some tracks only; ui.money_input fills it then
    del controls["rev"]
# A run that puts the controls' values in session state (url_state.seed: the page opened or its start
# changed) draws the bound controls without a default of their own: Streamlit warns of a control given both.
# On every other run each keeps its default (the starting point's value), which its link parameter is left
# out at.
seeding = st.session_state.get("wi_start") != start or any(k not in st.session_state for k in controls)
url_state.seed(start, controls, marker="wi_start")
with warnings_box:
    ui.warn(warnings)

# --- the controls (each bound to its query parameter) ------------------------------------------------
with st.container(border=True):
    r1 = st.columns(4)
    track = r1[0].selectbox("Track / level", list(TRACKS), key="track",
                            index=0 if seeding else list(TRACKS).index(base.track),
                            format_func=lambda t: TRACKS[t].label, **BIND)
    msr = r1[1].selectbox("MSR/MLR election (%)", ELECTION_OPTIONS, key="msr", **BIND,
                          index=0 if seeding else ELECTION_OPTIONS.index(election_text(base.msr_election)),
                          help="Two-sided tracks only (one-sided: the beneficiary table, 425.604(b)).")
    standard = r1[2].selectbox("Quality standard", QUALITY_STANDARDS, key="qs", **BIND,
                               help=charts.standard_help(year),
                               index=0 if seeding else QUALITY_STANDARDS.index(base.quality_standard))
    line = threshold(year)
    quality = r1[3].slider("Quality score (%)" + ("" if line is None else f" (standard {line * 100:.2f})"),
                           *LIMITS["q"], value=None if seeding else float(percent_text(base.quality_score)),
                           step=0.01, key="q", help=charts.standard_help(year), **BIND)
    if cms_row is not None:
        st.caption(ui.plain(charts.published_quality(aco, year, published_standard(cms_row),
                                                     cms_row.get("quality_score")) + " "
                            + route_sentence(aco, year, base.quality_route, base.quality_route_score)))
    quality_why_not = st.empty()  # filled once the settlement is known
    r2 = st.columns(4)
    benchmark, bad_benchmark = ui.money_input(r2[0], "Base benchmark", key="bench",
                                              current=linked.base_benchmark, limits=LIMITS["bench"])
    change = r2[1].slider("Benchmark change (%)", *LIMITS["bench_pct"], value=None if seeding else 0.0,
                          step=0.1, key="bench_pct", **BIND)
    expenditure, bad_expenditure = ui.money_input(r2[2], "Expenditure", key="exp", current=linked.expenditure,
                                                  limits=LIMITS["exp"])
    # A float input, though it holds a count: Streamlit seeds a bound int input with int(float(link value))
    # and does not catch the OverflowError of n=inf or n=1e400; a float input drops such a value itself.
    # The box cannot show thousands separators (a printf format): its label carries the count as the app
    # writes counts, as the money boxes' labels carry their amounts.
    headcount = count(st.session_state.get("n", base.assigned_beneficiaries))
    beneficiaries = r2[3].number_input(f"Assigned beneficiaries ({headcount})", *map(float, LIMITS["n"]),
                                       value="min" if seeding else float(base.assigned_beneficiaries),
                                       step=500.0, format="%.0f", key="n", **BIND)
    revenue, bad_revenue = 0.0, None
    if TRACKS[track].loss_limit_revenue_share is not None:
        revenue, bad_revenue = ui.money_input(
            st, "Participants' Parts A+B revenue", key="rev", current=linked.participant_revenue or 0.0,
            limits=LIMITS["rev"], zero="unknown",
            help="Sets the revenue-based loss limit of BASIC C-E and Track 1+; $0 = unknown, so only the "
                 "benchmark-based limit applies.")
        if base.participant_revenue:
            st.caption(f"Starts at {money(base.participant_revenue)}: the revenue CMS's loss implies, since "
                       "its revenue-based loss limit bound that year (no public file carries the revenue).")
    for problem in (bad_benchmark, bad_expenditure, bad_revenue):
        if problem:  # holds the viewer's own text
            st.warning(ui.plain(problem), icon=":material/error:")

scenario = replace(
    base, track=track, base_benchmark=float(benchmark),
    benchmark_change=_fraction(change, linked.benchmark_change), expenditure=float(expenditure),
    assigned_beneficiaries=round(beneficiaries), quality_score=_fraction(quality, linked.quality_score),
    quality_standard=standard, msr_election=None if msr == "variable" else float(msr) / 100,
    participant_revenue=float(revenue) or None,
)
link = scenario.to_query_params()
url_state.set_unbound({k: link[k] for k in WRITTEN if k in link}, bound=BOUND)

# --- the answer -----------------------------------------------------------------------------------
result = _settled(scenario)
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
    low, high = quality_rounding_range(scenario) if scenario == base else (result.earned, result.earned)
    rounding = abs(difference) >= 1 and low - 1 <= cms_earned <= high + 1
    same = abs(difference) < 1 or rounding
    m[3].metric("CMS settled", money(cms_earned),
                ("same as this scenario" if abs(difference) < 1 else
                 f"{money(difference, signed=True)} here: quality score rounding" if rounding else
                 f"{money(difference, signed=True)} here"),
                delta_color="off" if same else "normal", delta_arrow="off" if same else "auto",
                help=f"CMS's published earned savings (+) or losses (-) for {ui.plain(aco)} in PY{year}."
                     + (" CMS publishes the quality score rounded to 4 decimals but settles on the unrounded "
                        f"score; across that rounding this ACO-year pays {money(low)} to {money(high)}, and "
                        "CMS's figure lies in it (the Data and fidelity page counts it as reproduced)."
                        if rounding else ""))
else:
    m[3].metric("Outcome", result.outcome)
for caveat in result.warnings:  # the engine's own sentences, e.g. an MSR below 500 not known from the rules
    st.warning(caveat)

below_standard = line is not None and scenario.quality_score < line
if below_standard and scenario.quality_route not in SCORE_FREE:  # else the route's sentence says why
    why_not = charts.quality_flat_reason(scenario, result, _quality_curve_frame(scenario))
    if why_not:
        quality_why_not.caption(f"Below the {line * 100:.2f} standard the payment does not change. {why_not}")


@st.fragment
def _views(scenario: Scenario, ident: str, title: str) -> None:
    """The four views of the scenario, only the open tab's drawn (its comparison computed when first
    opened): a tab opened reruns this fragment alone. Printing draws every view, one after another."""
    if print_view.printing():
        tabs = [(section, True) for section in ui.tabs(VIEWS)]
    else:
        tabs = [(tab, tab.open) for tab in st.tabs(VIEWS, key="wi_view", on_change="rerun")]
    (steps, steps_open), (curve, curve_open), (quality, quality_open), (tracks, tracks_open) = tabs
    result = _settled(scenario)
    if steps_open:
        with steps:
            ui.cached_chart(_waterfall, scenario, key="wi_waterfall")
            table, csv = _settlement_tables(scenario)
            ui.table(table, csv, f"settlement_{ident}.csv", key="steps",
                     column_config={"step": st.column_config.TextColumn(width="medium"),
                                    "amount": st.column_config.TextColumn(width="small"),
                                    "rule": st.column_config.TextColumn(width="large")})
    if curve_open:
        with curve:
            ui.cached_chart(_payment_curve, scenario, key="wi_curve")
            st.caption("Shaded: the MSR/MLR corridor (nothing paid or owed). Dashed: the performance payment "
                       "limit and the loss limit. Marker: this scenario.")
    if quality_open:
        with quality:
            by_quality = _quality_curve_frame(scenario)
            ui.cached_chart(_quality_chart, scenario, title, key="wi_quality")
            why_not = charts.quality_flat_reason(scenario, result, by_quality)
            st.caption(charts.quality_caption(scenario, by_quality, why_not))
    if tracks_open:
        with tracks:
            ui.cached_chart(_tracks_chart, scenario, key="wi_tracks")
            ui.table(_tracks_table(scenario), _every_track_frame(scenario), f"every_track_{ident}.csv",
                     key="tracks")
            st.caption("Paid from / owes below: the savings rate at which each track starts paying shared "
                       "savings, and below which it bills shared losses (its MSR and MLR for this scenario).")


ident = f"{aco or 'template'}_{year}"
title = f"Payment against quality score: {html.escape(aco or 'template')}, PY{year}"  # plotly reads HTML
_views(scenario, ident, title)

share = share_box("what_if", link, "scenario")
if not print_view.printing():  # nothing to download on paper
    d_pdf, d_pptx, _ = st.columns([1, 1, 2])
    d_pdf.download_button("Executive summary (PDF)", lambda: _document(key, share, "pdf"), on_click="ignore",
                          file_name=f"executive_summary_{ident}.pdf", mime="application/pdf", key="wi_pdf",
                          icon=":material/picture_as_pdf:",
                          help="One page: the payment, CMS's figure, the waterfall, the payment curve, every "
                               "track, the rules applied, the data and this link.")
    d_pptx.download_button("Slides (PPTX)", lambda: _document(key, share, "pptx"), on_click="ignore",
                           file_name=f"executive_summary_{ident}.pptx", key="wi_pptx",
                           icon=":material/slideshow:",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           help="Five slides with native PowerPoint charts.")
