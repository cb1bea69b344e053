"""ACO explorer: find an ACO by name or id; its years, and its numbers against peers of its track and size.

Thin page: the database (ui.database: search, aco_rows, peers), figures and tables (ui.explorer_charts).
State in the URL: aco (id), year (the year compared with peers and opened in the what-if studio).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from aco_model.rules import FIRST_YEAR, LAST_YEAR
from data.queries import size_band
from ui import database as db
from ui import explorer_charts as charts
from ui import widgets as ui
from ui.nav import inside_app
from ui.overview_charts import label

inside_app()

QUIET = {"delta_color": "off", "delta_arrow": "off"}  # a metric's note, not a change


def what_if_link(aco: str, year: int) -> None:
    """A link to this ACO-year in the what-if studio (url_path "what-if", its aco and year parameters)."""
    text, query = f"Open PY{year} in the what-if studio", {"aco": aco, "year": str(year)}
    try:
        from ui.nav import PAGES  # the app's own Page objects: st.page_link checks them against st.navigation

        what_if = next(p for p in PAGES if p.url_path == "what_if")
        st.page_link(what_if, label=text, icon=":material/tune:", query_params=query)
    except (StreamlitAPIException, StopIteration):  # no such page registered: a plain relative link
        st.markdown(f"[{text}](what_if?{urlencode(query)})")


key, params, warnings_box = ui.page_start(
    "ACO explorer",
    "Find an ACO by name or id: its results year by year, and how it compares with ACOs of the "
           "same track and size.",
)

# --- which ACO ---------------------------------------------------------------------------------------
acos = db.aco_index(key)
names = dict(zip(acos["aco_id"], acos["aco_name"], strict=True))
current = params.text("aco")
if current is not None and current not in names:
    params.warnings.append(f"Link parameter `aco={current[:40]}` ignored (no such ACO in the data); "
                           f"showing {acos['aco_id'].iloc[0]}.")
    current = None
current = current or acos["aco_id"].iloc[0]

c_search, c_aco, c_year = st.columns([2, 4, 1.2])
query = c_search.text_input("Search by name or ID", key="exp_q", placeholder="e.g. Palm Beach or A1001")
query = query.strip()
matches = db.search(key, query)["aco_id"].tolist() if query else acos["aco_id"].tolist()
if query and not matches:
    c_search.caption(f"No ACO matches “{query[:40]}”.")
options = matches or [current]
aco = c_aco.selectbox(
    f"ACO ({len(matches):,} {'match' if len(matches) == 1 else 'matches'})" if query else
    f"ACO ({len(options):,} in the data)",
    options, index=options.index(current) if current in options else 0, key=f"exp_aco_{query.lower()}",
    format_func=lambda a: f"{a} - {names.get(a) or 'unnamed'}",
)
frame = charts.years_frame(db.aco_rows(key, aco))
aco_years = sorted({int(y) for y in frame["performance_year"]})
year = params.integer("year", aco_years[-1], FIRST_YEAR, LAST_YEAR)
if year not in aco_years:
    if aco == params.text("aco"):  # the link's own ACO-year, not another ACO chosen on the page
        params.warnings.append(f"{aco} has no results for {year}; showing {aco_years[-1]}.")
    year = aco_years[-1]
year = c_year.selectbox("Year", aco_years[::-1], index=aco_years[::-1].index(year), key=f"exp_year_{aco}",
                        format_func=lambda y: f"PY{y}")
state = {"aco": aco, "year": str(year)}
with warnings_box:
    ui.warn(params.warnings)
st.query_params.from_dict(state)

# --- the ACO in the chosen year ----------------------------------------------------------------------------
this = frame[frame["performance_year"] == year].iloc[0]
tracks_seen = " → ".join(dict.fromkeys(label(t) for t in frame["track"].dropna()))
head, link = st.columns([3, 1.4], vertical_alignment="bottom")
head.subheader(f"{names.get(aco) or aco}")
head.caption(f"{aco} · in the MSSP PY{aco_years[0]}–{aco_years[-1]} ({len(aco_years)} "
             f"{'year' if len(aco_years) == 1 else 'years'}) · {tracks_seen}")
with link:
    what_if_link(aco, year)
m = st.columns(5)
two_sided = pd.notna(this["two_sided"]) and bool(this["two_sided"])
m[0].metric("Track", label(this["track"]), delta="two-sided" if two_sided else "one-sided", **QUIET)
m[1].metric("Assigned beneficiaries", ui.count(this["assigned_beneficiaries"]))
m[2].metric("Savings rate", ui.pct(this["savings_rate"]), delta=f"MSR {ui.pct(this['msr'])}",
            **QUIET, help="(benchmark - spending) / benchmark, as CMS published it.")
m[3].metric("Quality score", ui.pct(this["quality_score"]))
m[4].metric(f"Earned PY{year} (CMS)", ui.money(this["earned"]),
            help="CMS's published earned shared savings (+) or shared losses owed (-).")
if (frame["performance_year"] == year).sum() > 1:
    st.caption(f"{aco} has {(frame['performance_year'] == year).sum()} result rows in {year} (six-month "
               "periods): the first is shown above; the table lists both.")

c_rate, c_earned, c_quality = st.columns([1.3, 1.1, 0.9])
with c_rate:
    ui.cached_chart(charts.corridor, frame, key="exp_corridor")
with c_earned:
    ui.cached_chart(charts.earned, frame, key="exp_earned")
with c_quality:
    ui.cached_chart(charts.quality, frame, key="exp_quality")
st.caption("Grey: the corridor between the minimum loss rate and the minimum savings rate, where nothing is "
           "shared or owed (one-sided years have no loss side). Green points earned shared savings, red owed "
           "losses.")

# --- against peers -------------------------------------------------------------------------------------
band, low, high = size_band(this["assigned_beneficiaries"])
peers = charts.years_frame(db.peers(key, year, this["track"], low, high))
others = peers[peers["aco_id"] != aco]
st.subheader(f"Against its peers in PY{year}")
st.caption(f"{label(this['track'])} ACOs with {band} assigned beneficiaries in PY{year} "
           f"({len(others):,} besides {aco}).")
if others.empty:
    st.info(f"No other {label(this['track'])} ACO of this size in PY{year} to compare with.")
else:
    position = charts.peer_position(this["savings_rate"], others["savings_rate"])
    p = st.columns(4)
    p[0].metric("Saved more than", ui.pct(position, 0) if position is not None else "-",
                delta=f"of {len(others):,} peers", **QUIET,
                help="Share of the peers whose savings rate was lower than this ACO's.")
    p[1].metric("Peers' median savings rate", ui.pct(others["savings_rate"].median()))
    p[2].metric("Peers' median earned", ui.money(others["earned"].median()),
                delta=f"{ui.money(this['earned'] - others['earned'].median(), signed=True)} for {aco}",
                delta_color="normal" if pd.notna(this["earned"]) else "off")
    p[3].metric("Peers paid", ui.pct((others["earned"] > 0).mean(), 0),
                help="Share of the peers that earned shared savings this year.")
    ui.cached_chart(charts.peers_histogram, others["savings_rate"], this["savings_rate"], aco, this["msr"],
                    key="exp_peers")

# --- every year ----------------------------------------------------------------------------------------
st.subheader("Year by year")
raw, shown = charts.years_table(frame)
ui.table(shown, raw, f"aco_{aco}.csv", key="exp_years")
st.caption("Savings rate, minimum savings/loss rates (MSR/MLR), quality score and earned amount as CMS "
           "published them.")

with st.expander("Share this view", icon=":material/link:"):
    st.caption("Anyone opening this link sees the same ACO and year.")
    st.code(f"explorer?{urlencode(state)}", language=None)
