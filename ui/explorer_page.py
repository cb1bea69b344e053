"""The ACO explorer below its choice of ACO and year (pages/explorer.py): the view, money basis, the
ACO-year's header and metrics, the view itself, how the lineage's years were linked and the share box.

One st.fragment (`below`): its own controls (view, money and the profile view's) rerun it alone, not the
page's search, its list of some 1,100 ACOs and its year, which it only reads; each of its runs writes the
whole link. Here rather than in the page script: Streamlit compiles a page's script again whenever its
last viewer leaves, and compiling all of this took a large part of a page run. The cached readers are kept
by small values (database, lineage, year, money basis), never by the frames they give (hashing a frame's
every cell to look it up cost more than what it saved), and are shared by every session: never changed.
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from data.cms_files.aco_ids import SURROGATE_PREFIX
from data.queries import size_band
from ui import aco_years as every_year
from ui import database as db
from ui import explorer_charts as charts
from ui import explorer_data, page_cache
from ui import explorer_views as views
from ui import widgets as ui
from ui.explorer_profile import profile_section
from ui.link_params import Params
from ui.overview_charts import label
from ui.share import share_box

QUIET = {"delta_color": "off", "delta_arrow": "off"}  # a metric's note, not a change
VIEWS = {"results": "Results", "spending": "Spending", "benchmark": "Benchmark",
         "profile": "Beneficiaries, risk and quality"}


@page_cache.memo(4)
def acos(db_key: db.Key) -> pd.DataFrame:
    """The lineages, by lineage id (ui.database.lineage_index)."""
    return db.lineage_index(db_key).set_index("lineage_id")


@page_cache.memo(128)
def lineage_rows(db_key: db.Key, lineage: str) -> pd.DataFrame:
    """The lineage's result rows with savings rate, MSR, MLR and earned (explorer_charts.years_frame)."""
    return charts.years_frame(every_year.lineage_rows(db_key, lineage))


@page_cache.memo(128)
def _known_as(db_key: db.Key, lineage: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """(the ids it went by, its names, each with its years (explorer_charts.known_as); its tracks)."""
    frame = lineage_rows(db_key, lineage)
    tracks = " → ".join(dict.fromkeys(label(t) for t in frame["track"].dropna()))
    return charts.known_as(frame, "aco_id"), charts.known_as(frame, "aco_name"), tracks


@page_cache.memo(128)
def _every_year_chart(db_key: db.Key, lineage: str, kind: str, basis: str):
    """The lineage's every-year chart (explorer_charts.year_chart), no year shaded yet."""
    return charts.year_chart(kind, lineage_rows(db_key, lineage), None, basis)


def _year_chart(db_key: db.Key, lineage: str, kind: str, year: int, basis: str = "total"):
    """The every-year chart with `year` shaded: built once per lineage, shaded per year."""
    return charts.mark_year(_every_year_chart(db_key, lineage, kind, basis), year)


@page_cache.memo(2)
def _every_peer(db_key: db.Key) -> pd.DataFrame:
    """Every ACO-year's year, track, size, id, savings rate, earned amount and the person-years CMS's totals
    cover (explorer_charts.years_frame, person_years): what a peer group's summary reads, made once."""
    every = charts.years_frame(db.all_rows(db_key))
    return every[["performance_year", "track", "assigned_beneficiaries", "aco_id", "savings_rate",
                  "earned"]].assign(covered=charts.person_years(every))


@page_cache.memo(128)
def _peers(db_key: db.Key, year: int, track: str, low: int, high: int) -> pd.DataFrame:
    """The ACO-years of this year, track and size band (aco_years.peers' rows; `_every_peer`'s columns)."""
    return explorer_data.peer_group(_every_peer(db_key), year, track, low, high)


def _peers_chart(db_key: db.Key, year: int, track: str, low: int, high: int, aco: str, rate: float,
                 msr: float):
    peers = _peers(db_key, year, track, low, high)
    return charts.peers_histogram(peers.loc[peers["aco_id"] != aco, "savings_rate"], rate, aco, msr)


@page_cache.memo(128)
def _person_years(db_key: db.Key, lineage: str, year: int) -> float:
    """The person-years CMS's totals of the lineage's `year` cover (its first row that year)."""
    frame = lineage_rows(db_key, lineage)
    return float(charts.person_years(frame[frame["performance_year"] == year]).iloc[0])


@page_cache.memo(128)
def _years_table(db_key: db.Key, lineage: str, basis: str):
    raw, shown = charts.years_table(lineage_rows(db_key, lineage), basis)
    return raw, shown


@page_cache.memo(128)
def _row(db_key: db.Key, lineage: str, year: int) -> pd.Series:
    """The lineage's (first) result row of `year`: the ACO-year shown."""
    frame = lineage_rows(db_key, lineage)
    return frame[frame["performance_year"] == year].iloc[0]


@page_cache.memo(128)
def _peer_summary(db_key: db.Key, year: int, track: str, low: int, high: int, aco: str,
                  rate: float) -> tuple[int, float | None, float, dict[str, float], float]:
    """(peers, share with a lower savings rate, median savings rate, median earned in each basis, share
    paid) of the peers but the ACO itself (numpy on their columns: pandas' arithmetic cost more)."""
    peers = _peers(db_key, year, track, low, high)
    others = (peers["aco_id"] != aco).to_numpy(dtype=bool)
    rates = peers["savings_rate"].to_numpy(dtype=float, na_value=np.nan)[others]
    earned = peers["earned"].to_numpy(dtype=float, na_value=np.nan)[others]
    years = peers["covered"].to_numpy(dtype=float, na_value=np.nan)[others]
    published = rates[~np.isnan(rates)]
    position = None if not len(published) or pd.isna(rate) else float((published < rate).mean())
    median = float(np.median(published)) if len(published) else float("nan")

    def median_of(values: np.ndarray) -> float:
        values = values[~np.isnan(values)]
        return float(np.median(values)) if len(values) else float("nan")

    return (int(others.sum()), position, median,
            {basis: median_of(charts.from_total(earned, years, basis)) for basis in charts.BASES},
            float((earned > 0).mean()) if len(earned) else float("nan"))


@page_cache.memo(128)
def _evidence(db_key: db.Key, lineage: str) -> tuple[pd.DataFrame, ...]:
    """(links across ids or names, the same for display, cases left apart, the same for display)."""
    links, left_apart = explorer_data.lineage_evidence(db_key, lineage)
    return (links, links[list(charts.EVIDENCE_COLUMNS)].rename(columns=charts.EVIDENCE_COLUMNS),
            left_apart,
            left_apart[list(charts.LEFT_APART_COLUMNS)].rename(columns=charts.LEFT_APART_COLUMNS))


def what_if_link(aco: str, year: int) -> None:
    """A link to this ACO-year in the what-if studio (url_path "what-if", its aco and year parameters)."""
    text, query = f"Open PY{year} in the what-if studio", {"aco": aco, "year": str(year)}
    try:
        from ui.nav import page  # the app's own Page: st.page_link checks it against st.navigation

        what_if = page("what_if")
        if what_if is None:
            raise StopIteration
        st.page_link(what_if, label=text, icon=":material/tune:", query_params=query)
    except (StreamlitAPIException, StopIteration):  # no such page registered: a plain relative link
        st.markdown(f"[{text}](what_if?{urlencode(query)})")


# Everything below the ACO and year is a fragment: its own controls (view, money and the profile view's)
# rerun it alone, not the search, the list of some 1,100 ACOs and the year above, which it only reads.
# Each run of it writes the whole link (the ACO and year with its own controls).
@st.fragment
def below(key: db.Key, lineage: str, year: int, view: str, basis: str) -> None:
    link_params = Params(st.query_params.to_dict())  # the link as it stands (the profile view's controls)
    frame = lineage_rows(key, lineage)
    aco_years = sorted({int(y) for y in frame["performance_year"]})
    this = _row(key, lineage, year)
    aco = str(this["aco_id"])  # the id CMS used that year: the what-if studio and the peers go by it
    c_view, c_money = st.columns([3, 2])
    view = c_view.segmented_control("View", list(VIEWS), default=view, key="exp_view", required=True,
                                    format_func=VIEWS.get)
    basis = c_money.segmented_control(
        "Money", list(charts.BASES), default=basis, key="exp_money", required=True,
        format_func=charts.BASES.get,
        help="Totals as CMS published them; per beneficiary = per assigned-beneficiary person-year (CMS's "
             "per capita); PMPM = per member per month (per person-year / 12).")
    state = {"aco": aco, "year": str(year), **({"view": view} if view != "results" else {}),
             **({"money": basis} if basis != "total" else {})}
    st.query_params.from_dict(state)

    # --- the ACO in the chosen year ------------------------------------------------------------------------
    ids, names_used, tracks_seen = _known_as(key, lineage)
    head, link = st.columns([3, 1.4], vertical_alignment="bottom")
    head.subheader(ui.plain(frame["aco_name"].iloc[-1] or aco))
    head.caption(f"{' · '.join(ui.plain(i) for i, _ in ids)} · in the MSSP {charts.span(aco_years)} "
                 f"({len(aco_years)} {'year' if len(aco_years) == 1 else 'years'}) · {tracks_seen}")
    if len(ids) > 1 or len(names_used) > 1:
        head.caption("Known as " + "; ".join(f"{ui.plain(i)} ({when})" for i, when in ids)
                     + (" · named " + "; ".join(f"“{ui.plain(n)}” ({when})" for n, when in names_used)
                        if len(names_used) > 1 else ""))
    if any(i.startswith(SURROGATE_PREFIX) for i, _ in ids):
        head.caption(f"{SURROGATE_PREFIX}... ids are ACO Lens's own, made from the name: CMS's file for "
                     "those years published none.")
    with link:
        what_if_link(aco, year)
    m = st.columns([1.5, 1, 1, 1, 1.1])  # the track ("BASIC Level E") whole at 1280 px
    two_sided = pd.notna(this["two_sided"]) and bool(this["two_sided"])
    m[0].metric("Track", ui.plain(label(this["track"])), delta="two-sided" if two_sided else "one-sided",
                **QUIET)
    m[1].metric("Assigned beneficiaries", ui.count(this["assigned_beneficiaries"]))
    m[2].metric("Savings rate", ui.pct(this["savings_rate"]), delta=f"MSR {ui.pct(this['msr'])}",
                **QUIET, help="(benchmark - spending) / benchmark, as CMS published it.")
    reporting_only = pd.isna(this["quality_score"]) and pd.notna(this["pay_for_reporting"]) and bool(
        this["pay_for_reporting"])
    m[3].metric("Quality score", "Reported" if reporting_only else ui.pct(this["quality_score"]),
                help="Pay for reporting: in its first agreement year an ACO earned full quality credit for "
                     "reporting its measures, so CMS published no score." if reporting_only else None)
    own_earned = charts.from_total(this["earned"], _person_years(key, lineage, year), basis)
    m[4].metric(f"Earned PY{year} (CMS)", charts.money_in(own_earned, basis),
                help="CMS's published earned shared savings (+) or shared losses owed (-)"
                     f"{charts.BASIS_NOTE[basis]}.")
    rows_this_year = int((frame["performance_year"] == year).sum())
    if rows_this_year > 1:
        st.caption(f"{ui.plain(aco)} has {rows_this_year} result rows in {year} (six-month periods): the "
                   "first is shown above; the table lists both.")

    band, low, high = size_band(this["assigned_beneficiaries"])
    if view == "results":
        results(key, lineage, year, this, basis, own_earned, band, low, high)
    elif view == "profile":  # ui.explorer_profile: risk scores, quality and CAHPS, participants, mix
        profile_section(key, this, link_params, state)
    else:
        shown = views.Shown(key, lineage, aco, year, str(this["track"]), band, low, high, basis)
        if view == "spending":
            views.spending_view(shown)
        else:
            views.benchmark_view(shown, db.benchmark_parts_published(key))

    evidence(key, lineage, aco)
    share_box("explorer", state)


def results(key: db.Key, lineage: str, year: int, this: pd.Series, basis: str, own_earned: float, band: str,
            low: int, high: int) -> None:
    """Every year against the MSR/MLR corridor, the year against its peers, and the table of years."""
    aco, track = str(this["aco_id"]), str(this["track"])
    c_rate, c_earned, c_quality = st.columns([1.3, 1.1, 0.9])
    with c_rate:
        ui.cached_chart(_year_chart, key, lineage, "corridor", year, key="exp_corridor")
    with c_earned:
        ui.cached_chart(_year_chart, key, lineage, "earned", year, basis, key="exp_earned")
    with c_quality:
        ui.cached_chart(_year_chart, key, lineage, "quality", year, key="exp_quality")
    st.caption("Grey: the corridor between the minimum loss rate and the minimum savings rate, where "
               "nothing is shared or owed (one-sided years have no loss side). Green points earned shared "
               f"savings, red owed losses. Shaded column: PY{year}, the year above.")

    # --- against peers -------------------------------------------------------------------------------------
    peers, position, median_rate, median_earned, paid = _peer_summary(key, year, track, low, high, aco,
                                                                      this["savings_rate"])
    st.subheader(f"Against its peers in PY{year}")
    st.caption(f"{label(track)} ACOs with {band} assigned beneficiaries in PY{year} "
               f"({peers:,} besides {ui.plain(aco)}).")
    if not peers:
        st.info(f"No other {ui.plain(label(track))} ACO of this size in PY{year} to compare with.")
    else:
        p = st.columns(4)
        p[0].metric("Saved more than", ui.pct(position, 0) if position is not None else "-",
                    delta=f"of {peers:,} peers", **QUIET,
                    help="Share of the peers whose savings rate was lower than this ACO's.")
        p[1].metric("Peers' median savings rate", ui.pct(median_rate))
        peer_earned = median_earned[basis]
        p[2].metric("Peers' median earned", charts.money_in(peer_earned, basis),
                    delta=f"{charts.money_in(own_earned - peer_earned, basis, signed=True)} "
                          f"for {ui.plain(aco)}",
                    delta_color="normal" if pd.notna(this["earned"]) else "off")
        p[3].metric("Peers paid", ui.pct(paid, 0),
                    help="Share of the peers that earned shared savings this year.")
        ui.cached_chart(_peers_chart, key, year, track, low, high, aco, this["savings_rate"], this["msr"],
                        key="exp_peers")

    # --- every year ----------------------------------------------------------------------------------------
    st.subheader("Year by year")
    raw, shown = _years_table(key, lineage, basis)
    ui.table(shown, raw, f"aco_{aco}_years.csv", key="exp_years")
    st.caption("Savings rate, minimum savings/loss rates (MSR/MLR), quality score and earned amount as CMS "
               f"published them; money{charts.BASIS_NOTE[basis] or ' as totals'}.")


def evidence(key: db.Key, lineage: str, aco: str) -> None:
    """How the lineage's years were put together: its links across ids or names, and cases left apart."""
    links, shown_links, left_apart, apart = _evidence(key, lineage)
    if not len(links) and not len(left_apart):
        return
    with st.expander(f"How these years were put together ({len(links)} link"
                     f"{'' if len(links) == 1 else 's'} across ids or names"
                     + (f", {len(left_apart)} left apart" if len(left_apart) else "") + ")",
                     icon=":material/account_tree:"):
        st.caption("CMS changed its ACO ids in PY2018 and published no ids in the PY2015-2017 files used "
                   "here, so years are joined by name (and, where the name changed, by first start date) "
                   "only when nothing contradicts it. Cases the data cannot settle are listed, not guessed.")
        if len(links):
            ui.table(shown_links, links, f"lineage_{aco}_links.csv", key="exp_links")
        if len(left_apart):
            st.caption("Left apart: might be the same organization, but the data cannot tell.")
            ui.table(apart, left_apart, f"lineage_{aco}_left_apart.csv", key="exp_left_apart")
