"""Program overview: every performance year's ACOs, savings, payments and losses, by track.

Thin page: the database (ui.database: program_totals; ui.aco_years: rows), figures and tables
(ui.overview_charts).
State in the URL: years (a range "2018-2024"), tracks (codes "ENHANCED,BASIC_E"), the filters states
("NJ,NY"), risk ("one"/"two") and revenue ("high"/"low") (ui.overview_filters), view ("track" for the
table by year and track), map (the state map's measure, ui.state_map.MEASURES), qyear (the year of the
quality against savings-rate scatter); each left out when it is the default (every year, track and state,
any risk and revenue, by year, ACOs, the range's last year). Every number, chart, table and the map
follow the filters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aco_model.rules import FIRST_YEAR, LAST_YEAR
from ui import aco_years, page_cache, state_map
from ui import database as db
from ui import overview_charts as charts
from ui import overview_filters as filters_ui
from ui import widgets as ui
from ui.link_params import ignored
from ui.nav import inside_app
from ui.share import share_box

inside_app()

QUIET = {"delta_color": "off", "delta_arrow": "off"}  # a metric's note, not a change


# Everything below is keyed on the choice (database, years, tracks, filters: small values), not on the
# frames it gives: hashing a frame's every cell to find it in a cache cost more than what it saved.
@page_cache.memo(64)  # shared by every session: never changed
def _totals(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], *filters: object):
    """(program totals by year and track with net to Medicare, the same by year)."""
    totals = charts.with_net(db.program_totals(db_key, years, tracks, *filters))
    return totals, charts.per_year(totals)


@page_cache.memo(64)
def _sums(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], *filters: object) -> pd.Series:
    """The headline numbers: the choice's totals summed over its years and tracks."""
    return _totals(db_key, years, tracks, *filters)[1][charts.TOTAL_COLUMNS].sum()


def _payments(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], *filters: object):
    return charts.payments_by_track(_totals(db_key, years, tracks, *filters)[0])


def _savings(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], *filters: object):
    return charts.savings_to_medicare(_totals(db_key, years, tracks, *filters)[1])


@page_cache.memo(64)
def _year_table(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], by_track: bool,
                *filters: object):
    """(the year-by-year table formatted for people, its numbers)."""
    totals, by_year = _totals(db_key, years, tracks, *filters)
    raw = charts.table(totals if by_track else by_year, by_track)
    shown = raw.assign(track=raw["track"].map(charts.label)) if by_track else raw
    return (ui.formatted(shown, charts.MONEY, ["savings_rate"], charts.COUNTS, rename=charts.RENAME)
            .astype({"Year": str}), raw)


def _spread(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], *filters: object):
    """The spread chart of the choice's ACO-years."""
    return charts.savings_rate_spread(aco_years.rows(db_key, years, tracks, *filters))


# The quality dots' year and the map's years are some of the chosen years: their rows are cut from the
# chosen rows (kept for the page above), a few columns, not asked of aco_years.rows afresh (which sets the
# type of each of its hundred columns). `within` (the chosen years) is where they are cut from, not what
# they are: the results are kept without it.
@page_cache.memo(64, key=lambda db_key, year, tracks, within, *filters: (db_key, year, tracks, *filters))
def _quality(db_key: db.Key, year: int, tracks: tuple[str, ...], within: tuple[int, ...], *filters: object):
    """(the year's ACOs with a savings rate and a quality score, how many lack one, the same formatted)."""
    rows = charts.of_years(aco_years.rows(db_key, within, tracks, *filters), (year,), charts.QUALITY_INPUTS)
    points, unscored = charts.quality_points(rows)
    shown = ui.formatted(points.assign(track=points["track"].map(charts.label)),
                         ["cms_earned_savings_losses"], ["savings_rate", "quality_score"],
                         rename=charts.SCATTER_COLUMNS)
    return points, unscored, shown


def _quality_chart(db_key: db.Key, year: int, tracks: tuple[str, ...], within: tuple[int, ...],
                   *filters: object):
    return charts.quality_scatter(_quality(db_key, year, tracks, within, *filters)[0], year)


def _state_map(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], within: tuple[int, ...],
               states: tuple[str, ...], two_sided: bool | None, revenue: str | None, measure: str,
               title: str):
    """The tile map of the chosen ACO-years by state (only the chosen states when filtering by state)."""
    numbers, _ = _states_table(db_key, years, tracks, within, states, two_sided, revenue)
    return state_map.tile_map(numbers, measure, title, several_years=len(years) > 1)


@page_cache.memo(64, key=lambda db_key, years, tracks, within, *filters: (db_key, years, tracks, *filters))
def _states_table(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...], within: tuple[int, ...],
                  states: tuple[str, ...], two_sided: bool | None, revenue: str | None):
    """(numbers by state, the same formatted for the table): once per choice, not on every rerun."""
    chosen = charts.of_years(aco_years.rows(db_key, within, tracks, states, two_sided, revenue), years,
                             state_map.INPUTS)
    numbers = state_map.by_state(chosen, states)
    return numbers, ui.formatted(numbers, ["earned_savings_losses", "earned_per_beneficiary",
                                           "shared_savings_paid", "losses_owed"], [],
                                 ["acos", "assigned_beneficiaries"], rename=state_map.STATE_COLUMNS)


key, params, warnings_box = ui.page_start(
    "Program overview",
    "Every performance year of the Medicare Shared Savings Program: ACOs, what they saved against "
           "their benchmarks, what CMS paid them and what they owed, by track.",
)

# --- filters -------------------------------------------------------------------------------------------
all_years = db.years(key)
all_tracks = charts.track_order(db.tracks(key))
published = db.published(key)  # the years with a state / a revenue category, the data's states
first, last = charts.read_years(params, all_years)
wanted_tracks = charts.read_tracks(params, all_tracks)
state_options = filters_ui.known_states(published["states"])
wanted = filters_ui.read_filters(params, state_options)
state_years_text = filters_ui.years_text(published["state_years"]) or "no year of these data"
c_years, c_risk, c_revenue = st.columns([2, 1, 1])
if len(all_years) > 1:
    first, last = c_years.select_slider("Performance years", all_years, value=(first, last), key="ov_years")
else:
    c_years.markdown(f"**Performance year** PY{all_years[0]}")
# Pills wrap onto a second line: eleven tracks as multiselect chips were cut off at 1440 px.
chosen_tracks = st.pills("Tracks", all_tracks, selection_mode="multi", default=wanted_tracks, key="ov_tracks",
                         format_func=lambda t: ui.plain(charts.label(t))) or []  # pills read markdown
chosen_states = st.multiselect(
    "States", state_options, default=list(wanted.states), key="ov_states",
    format_func=filters_ui.state_label, placeholder="Every state",
    help=f"ACOs with participants in any of these states. CMS published a state for {state_years_text} only.")
risk = c_risk.selectbox("Risk model", list(filters_ui.RISKS), list(filters_ui.RISKS).index(wanted.risk),
                        format_func=filters_ui.RISKS.get, key="ov_risk",
                        help="One-sided: shares savings only. Two-sided: also owes shared losses.")
revenue = c_revenue.selectbox(
    "Revenue category", list(filters_ui.REVENUES), list(filters_ui.REVENUES).index(wanted.revenue),
    format_func=filters_ui.REVENUES.get, key="ov_revenue",
    help=f"CMS's high/low revenue ACO category, published for "
         f"{filters_ui.years_text(published['revenue_years']) or 'no year of these data'} only.")
chosen = filters_ui.Filters(tuple(sorted(chosen_states)), risk, revenue)
narrowing = tuple(chosen.query().values())  # states, two_sided, revenue: db.rows' positional arguments
view = params.choice("view", ["year", "track"], "year")  # the table's rows (its control is further down)
measure = params.choice("map", list(state_map.MEASURES), "acos")  # the map's colour (further down too)

chosen_years = tuple(y for y in all_years if first <= y <= last)
state: dict[str, str] = {}
if (first, last) != (all_years[0], all_years[-1]):
    state["years"] = charts.years_text(chosen_years)
if chosen_tracks and set(chosen_tracks) != set(all_tracks):
    state["tracks"] = ",".join(charts.track_order(chosen_tracks))
state.update(chosen.link())
filter_line = filters_ui.summary(chosen, chosen_years, published["state_years"], published["revenue_years"])

scatter_year = params.integer("qyear", last, FIRST_YEAR, LAST_YEAR)  # the quality scatter's year
if scatter_year not in chosen_years:
    if params.text("qyear") is not None and scatter_year != last:
        params.warnings.append(ignored("qyear", str(scatter_year), f"not in PY{first}-{last}", last))
    scatter_year = last

with warnings_box:
    ui.warn(params.warnings)

if not chosen_tracks:
    st.info("Choose at least one track to see its numbers.", icon=":material/filter_alt:")
    st.query_params.from_dict(state)
    st.stop()

choice = (key, chosen_years, tuple(chosen_tracks), *narrowing)  # what the numbers below are cached by
totals, by_year = _totals(*choice)
period = f"PY{first}" if first == last else f"PY{first}-{last}"
every_track = set(chosen_tracks) == set(all_tracks)
scope = "every track" if every_track else ui.plain(", ".join(map(charts.label, chosen_tracks)))

if totals.empty:
    st.info(f"No ACO-years in {period} for {scope}" + (f". {filter_line}" if filter_line else "."),
            icon=":material/filter_alt:")
    st.query_params.from_dict(state)
    st.stop()

# --- headline numbers ------------------------------------------------------------------------------------
sums = _sums(*choice)
net = sums["gross_savings"] - sums["shared_savings_paid"] + sums["losses_owed"]
st.subheader(f"{period}, {scope}")
line, export = st.columns([3, 1], vertical_alignment="center")
if filter_line:
    line.caption(ui.plain(filter_line))
m = st.columns(6)
m[0].metric("ACOs" if first == last else "ACO-years", ui.count(sums["acos"]),
            help="ACOs with results in the year; an ACO counts once per year it took part.")
m[1].metric("Benchmark", charts.big_money(sums["benchmark"]),
            help=f"Spending {charts.big_money(sums['expenditure'])} against this benchmark.")
m[2].metric("Gross savings", ui.money(sums["gross_savings"]),
            delta=f"{ui.pct(sums['gross_savings'] / sums['benchmark'])} rate", **QUIET,
            help="Benchmark minus spending, summed over the ACOs (those that spent more count negatively).")
m[3].metric("Shared savings paid", ui.money(sums["shared_savings_paid"]),
            delta=f"{ui.count(sums['acos_paid'])} paid", **QUIET,
            help="CMS's published earned shared savings, the ACOs paid.")
m[4].metric("Losses owed", ui.money(sums["losses_owed"]),
            delta=f"{ui.count(sums['acos_owing'])} owing", **QUIET,
            help="Shared losses CMS billed two-sided ACOs.")
m[5].metric("Net to Medicare", ui.money(net),
            help="Gross savings - shared savings paid + losses owed.")
# Placed beside the filter line, read after the numbers are on screen (the first paint waits for no rows).
filtered_rows = aco_years.rows(*choice)
export.download_button(  # the CSV is made only when clicked: every column of the ACO-years counted above
    f"CSV: {len(filtered_rows):,} ACO-years", lambda: ui.csv_bytes(filtered_rows),
    file_name=f"mssp_aco_years_{charts.years_text(chosen_years)}.csv", mime="text/csv", key="csv_ov_rows",
    icon=":material/download:")

# --- charts -------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    ui.cached_chart(_payments, *choice, key="ov_payments")
with right:
    ui.cached_chart(_savings, *choice, key="ov_net")
ui.cached_chart(_spread, *choice, key="ov_spread")

# --- table, map and scatter: their own controls rerun this part only ------------------------------------
@st.fragment
def _details(choice: tuple, first: int, last: int, view: str, measure: str, scatter_year: int,
             link: dict[str, str], scope: str, every_track: bool) -> None:
    """The year-by-year table, the state map and the quality scatter, and the share box.

    An st.fragment: their controls (rows, map measure, year of the dots) change only what is drawn here,
    so moving one reruns this part, not the page's filters, numbers and charts above (a full run's CPU,
    on the one core every viewer shares). The link of the whole view is written here, every run of it.
    """
    key, chosen_years, chosen_tracks, *narrowing = choice
    state = dict(link)  # the filters' part of the link, from the page run (never changed here)

    head, toggle = st.columns([3, 2])
    head.subheader("Year by year")
    view = toggle.segmented_control("Rows", ["year", "track"], default=view, key="ov_view", required=True,
                                    format_func={"year": "By year", "track": "By year and track"}.get)
    year_table, raw = _year_table(key, chosen_years, chosen_tracks, view == "track", *narrowing)
    ui.table(year_table, raw, f"mssp_overview_{charts.years_text(chosen_years)}.csv", key="ov_table",
             height=min(35 * (len(raw) + 1) + 3, 640))
    st.caption("Money as CMS published it (benchmark, spending, earned shared savings and losses); net to "
               "Medicare = gross savings - shared savings paid + losses owed. Savings rate = gross savings / "
               "benchmark.")

    # --- by state ------------------------------------------------------------------------------------
    head, pick = st.columns([3, 2], vertical_alignment="bottom")
    head.subheader("By state")
    state_years = tuple(y for y in chosen_years if y in published["state_years"])
    stateless = [y for y in chosen_years if y not in published["state_years"]]
    if not state_years:
        st.info(f"CMS published no state for {filters_ui.years_text(chosen_years)}: the results files name "
                f"an ACO's states for {state_years_text} only. Choose one of those years to see the map.",
                icon=":material/map:")
    else:
        measure = pick.segmented_control("Map shows", list(state_map.MEASURES), default=measure,
                                         key="ov_map", required=True,
                                         format_func=state_map.MEASURE_LABELS.get)
        map_title = filters_ui.years_text(state_years) + ("" if every_track else f", {scope}")
        ui.cached_chart(_state_map, key, state_years, chosen_tracks, chosen_years, *narrowing, measure,
                        map_title, key="ov_state_map",
                        by=(key, state_years, chosen_tracks, *narrowing, measure, map_title))
        states_table, states_shown = _states_table(key, state_years, chosen_tracks, chosen_years, *narrowing)
        st.caption(
            ("ACOs" if len(state_years) == 1 else "ACO-years (an ACO counts once a year)")
            + " by the states CMS lists for them; an ACO in several states (e.g. \"NJ, NY\") counts, whole, "
            "in each, so the states add up to more than the program. Grey: no ACO. Earned savings/losses as "
            "CMS published them; per beneficiary = earned / assigned beneficiaries."
            + (f" {filters_ui.years_text(stateless)} publish{'es' if len(stateless) == 1 else ''} no "
               "state: not on the map." if stateless else ""))
        with st.expander(f"The {len(states_table):,} states and territories on this map",
                         icon=":material/table:"):
            ui.table(states_shown, states_table, f"mssp_by_state_{charts.years_text(state_years)}.csv",
                     key="ov_state_table")

    # --- quality against savings rate ----------------------------------------------------------------
    head, pick = st.columns([3, 1], vertical_alignment="bottom")
    head.subheader("Quality against savings rate")
    scatter_year = pick.selectbox("Year of the dots", chosen_years[::-1],
                                  index=chosen_years[::-1].index(scatter_year),
                                  key=f"ov_qyear_{first}_{last}", format_func=lambda y: f"PY{y}")
    points, unscored, shown_points = _quality(key, scatter_year, chosen_tracks, chosen_years, *narrowing)
    if points.empty:
        st.info(f"No ACO in PY{scatter_year} ({scope}) has both a savings rate and a quality score.")
    else:
        ui.cached_chart(_quality_chart, key, scatter_year, chosen_tracks, chosen_years, *narrowing,
                        key="ov_quality", by=(key, scatter_year, chosen_tracks, *narrowing))
        st.caption(f"{len(points):,} ACOs of PY{scatter_year} ({scope}); "
                   + (f"{unscored:,} without a published quality score or savings rate (e.g. "
                      "pay-for-reporting years) are left out. " if unscored else "")
                   + "Quality score and savings rate as CMS published them.")
        with st.expander(f"The {len(points):,} ACOs on this chart", icon=":material/table:"):
            ui.table(shown_points, points, f"mssp_quality_savings_PY{scatter_year}.csv",
                     key="ov_quality_table")
    if scatter_year != last:
        state["qyear"] = str(scatter_year)
    if measure != "acos":
        state["map"] = measure
    if view != "year":
        state["view"] = view
    st.query_params.from_dict(state)  # a rerun of this part alone writes the link too
    share_box("", state, safe=",")


_details((key, chosen_years, tuple(chosen_tracks), *narrowing), first, last, view, measure, scatter_year,
         state, scope, every_track)
