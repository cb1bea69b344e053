"""Program overview: every performance year's ACOs, savings, payments and losses, by track.

Thin page: the database (ui.database: program_totals, rows), figures and tables (ui.overview_charts).
State in the URL: years (a range "2018-2024"), tracks (codes "ENHANCED,BASIC_E"), view ("track" for the
table by year and track), qyear (the year of the quality against savings-rate scatter); each left out
when it is the default (every year, every track, by year, the range's last year).
"""

from __future__ import annotations

import streamlit as st

from aco_model.rules import FIRST_YEAR, LAST_YEAR
from ui import database as db
from ui import overview_charts as charts
from ui import widgets as ui
from ui.link_params import ignored
from ui.nav import inside_app
from ui.share import share_box

inside_app()

QUIET = {"delta_color": "off", "delta_arrow": "off"}  # a metric's note, not a change


def _spread(db_key: db.Key, years: tuple[int, ...], tracks: tuple[str, ...]):
    """The spread chart, keyed on the choice (not on its thousands of ACO-years) for ui.cached_chart."""
    return charts.savings_rate_spread(db.rows(db_key, years, tracks))


key, params, warnings_box = ui.page_start(
    "Program overview",
    "Every performance year of the Medicare Shared Savings Program: ACOs, what they saved against "
           "their benchmarks, what CMS paid them and what they owed, by track.",
)

# --- filters -------------------------------------------------------------------------------------------
all_years = db.years(key)
all_tracks = charts.track_order(db.tracks(key))
first, last = charts.read_years(params, all_years)
wanted_tracks = charts.read_tracks(params, all_tracks)
c_years, c_tracks = st.columns([2, 3])
if len(all_years) > 1:
    first, last = c_years.select_slider("Performance years", all_years, value=(first, last), key="ov_years")
else:
    c_years.markdown(f"**Performance year** PY{all_years[0]}")
chosen_tracks = c_tracks.multiselect("Tracks", all_tracks, default=wanted_tracks, key="ov_tracks",
                                     format_func=charts.label, placeholder="Choose tracks")
view = params.choice("view", ["year", "track"], "year")  # the table's rows (its control is further down)

chosen_years = tuple(y for y in all_years if first <= y <= last)
state: dict[str, str] = {}
if (first, last) != (all_years[0], all_years[-1]):
    state["years"] = charts.years_text(chosen_years)
if chosen_tracks and set(chosen_tracks) != set(all_tracks):
    state["tracks"] = ",".join(charts.track_order(chosen_tracks))

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

totals = charts.with_net(db.program_totals(key, chosen_years, tuple(chosen_tracks)))
by_year = charts.per_year(totals)
period = f"PY{first}" if first == last else f"PY{first}-{last}"
every_track = set(chosen_tracks) == set(all_tracks)
scope = "every track" if every_track else ui.plain(", ".join(map(charts.label, chosen_tracks)))

if totals.empty:
    st.info(f"No ACO-years in {period} for {scope}.", icon=":material/filter_alt:")
    st.query_params.from_dict(state)
    st.stop()

# --- headline numbers ------------------------------------------------------------------------------------
sums = by_year[charts.TOTAL_COLUMNS].sum()
net = sums["gross_savings"] - sums["shared_savings_paid"] + sums["losses_owed"]
st.subheader(f"{period}, {scope}")
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

# --- charts -------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    ui.cached_chart(charts.payments_by_track, totals, key="ov_payments")
with right:
    ui.cached_chart(charts.savings_to_medicare, by_year, key="ov_net")
ui.cached_chart(_spread, key, chosen_years, tuple(chosen_tracks), key="ov_spread")

# --- table -------------------------------------------------------------------------------------------
head, toggle = st.columns([3, 2])
head.subheader("Year by year")
view = toggle.segmented_control("Rows", ["year", "track"], default=view, key="ov_view", required=True,
                                format_func={"year": "By year", "track": "By year and track"}.get)
raw = charts.table(totals if view == "track" else by_year, view == "track")
shown = raw.assign(track=raw["track"].map(charts.label)) if view == "track" else raw
ui.table(ui.formatted(shown, charts.MONEY, ["savings_rate"], charts.COUNTS, rename=charts.RENAME)
         .astype({"Year": str}), raw, f"mssp_overview_{charts.years_text(chosen_years)}.csv", key="ov_table",
         height=min(35 * (len(raw) + 1) + 3, 640))
st.caption("Money as CMS published it (benchmark, spending, earned shared savings and losses); net to "
           "Medicare = gross savings - shared savings paid + losses owed. Savings rate = gross savings / "
           "benchmark.")

# --- quality against savings rate ----------------------------------------------------------------------
head, pick = st.columns([3, 1], vertical_alignment="bottom")
head.subheader("Quality against savings rate")
scatter_year = pick.selectbox("Year of the dots", chosen_years[::-1],
                              index=chosen_years[::-1].index(scatter_year), key=f"ov_qyear_{first}_{last}",
                              format_func=lambda y: f"PY{y}")
points, unscored = charts.quality_points(db.rows(key, (scatter_year,), tuple(chosen_tracks)))
if points.empty:
    st.info(f"No ACO in PY{scatter_year} ({scope}) has both a savings rate and a quality score.")
else:
    ui.cached_chart(charts.quality_scatter, points, scatter_year, key="ov_quality")  # built once per view
    st.caption(f"{len(points):,} ACOs of PY{scatter_year} ({scope}); "
               + (f"{unscored:,} without a published quality score or savings rate (e.g. pay-for-reporting "
                  "years) are left out. " if unscored else "")
               + "Quality score and savings rate as CMS published them.")
    with st.expander(f"The {len(points):,} ACOs on this chart", icon=":material/table:"):
        shown_points = ui.formatted(points.assign(track=points["track"].map(charts.label)),
                                    ["cms_earned_savings_losses"], ["savings_rate", "quality_score"],
                                    rename=charts.SCATTER_COLUMNS)
        ui.table(shown_points, points, f"mssp_quality_savings_PY{scatter_year}.csv", key="ov_quality_table")
if scatter_year != last:
    state["qyear"] = str(scatter_year)

if view != "year":
    state["view"] = view
st.query_params.from_dict(state)
share_box("", state, safe=",")
