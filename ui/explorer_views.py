"""The explorer's spending and benchmark views (Streamlit layout; figures and tables in
ui.explorer_spending). Each takes the ACO-year shown, its lineage and the page's money basis; data
strings are shown as text (ui.text.plain)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui import database as db
from ui import explorer_data
from ui import explorer_spending as spend
from ui import widgets as ui
from ui.explorer_charts import BASIS_NOTE
from ui.overview_charts import label

PEERS_NOTE = ("Peers: ACOs of the same track and size band that year; bars their median, whiskers their "
              "middle half (25th to 75th percentile).")


@dataclass(frozen=True)
class Shown:
    """The ACO-year on the page and how money is shown."""

    key: tuple[str, float]
    lineage: str
    aco: str
    year: int
    track: str
    band: str
    low: int
    high: int
    basis: str


def _figures(shown: Shown) -> tuple[pd.DataFrame, pd.Series | None, pd.DataFrame]:
    """(the lineage's years with their figures, the year shown, its peers but itself)."""
    return _figures_of(shown.key, shown.lineage, shown.aco, shown.year, shown.track, shown.low, shown.high)


# Cached by small values, never by the frames they give (hashing every cell of a peers' frame to look it up
# cost more than the lookup saved); shared by every session: never changed.
@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _figures_of(key: db.Key, lineage: str, aco: str, year: int, track: str, low: int,
                high: int) -> tuple[pd.DataFrame, pd.Series | None, pd.DataFrame]:
    years = explorer_data.lineage_spending(key, lineage)
    if years.empty:
        return years, None, years
    row = years[(years["performance_year"] == year) & (years["aco_id"] == aco)]
    peers = explorer_data.peer_spending(key, year, track, low, high)
    others = peers[peers["aco_id"] != aco] if len(peers) else peers
    return years, (row.iloc[0] if len(row) else None), others


def spending_view(shown: Shown) -> None:
    years, this, others = _figures(shown)
    settings_published = [f"expenditure_per_capita_{name}" for name in spend.SETTINGS]
    if this is None or this[settings_published].isna().all():
        st.info(f"CMS's file for PY{shown.year} publishes no spending by setting for {ui.plain(shown.aco)}"
                " (the demo data has none).")
        return
    st.subheader(f"Where the money went in PY{shown.year}")
    st.caption(f"{label(shown.track)} ACOs with {shown.band} assigned beneficiaries ({len(others):,} besides "
               f"{ui.plain(shown.aco)}). " + PEERS_NOTE + " Red: more than 5% above the median, green: more "
               "than 5% below.")
    _, table, shown_table = _settings(*_fields(shown))
    ui.cached_chart(_settings_chart, *_fields(shown), key="exp_settings")
    ui.table(shown_table, table,
             f"aco_{shown.aco}_py{shown.year}_spending_{shown.basis}.csv",
             key="exp_settings_table")
    st.caption("CMS publishes spending by setting per assigned beneficiary, annualized (its CapAnn_ "
               "columns); the settings add up to about 2-3% more than its total spending per beneficiary, "
               "which is computed differently. Totals here = per beneficiary x the ACO's person-years.")

    st.subheader("By enrollment type")
    types, types_shown = _types_tables(*_fields(shown))
    ui.cached_chart(_types_chart, *_fields(shown), key="exp_types")
    ui.table(types_shown, types,
             f"aco_{shown.aco}_py{shown.year}_enrollment_types.csv", key="exp_types_table")
    total_note = (" Per beneficiary even under Total: these tables hold no person-years by enrollment "
                  "type." if shown.basis == "total" else "")
    st.caption("The base years are the three years before the agreement began (its historical "
               "benchmark's years)." + total_note)

    st.subheader("Every year")
    ui.cached_chart(_trend_chart, *_fields(shown), key="exp_spend_trend")
    early = (" PY2013 publishes no outpatient spending and no total per beneficiary."
             if (years["performance_year"] == 2013).any() else "")
    st.caption(f"Spending by setting{BASIS_NOTE[shown.basis] or ' (totals)'} in each year of the lineage; "
               f"the dash is CMS's total. Shaded: PY{shown.year}.{early}")

    raw, table = _use(*_fields(shown)[:7])
    if len(raw):
        st.subheader(f"Use of care in PY{shown.year}")
        ui.table(table, raw, f"aco_{shown.aco}_py{shown.year}_utilization.csv", key="exp_use_table")
        st.caption("Events per 1,000 assigned beneficiaries (person-years) as CMS published them; "
                   "readmissions as a share of discharges. Only what CMS published for the year is listed.")


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _use(key: db.Key, lineage: str, aco: str, year: int, track: str, low: int, high: int):
    """(raw, shown): use of care against the peers (explorer_spending.utilization_table)."""
    _, this, others = _figures_of(key, lineage, aco, year, track, low, high)
    raw, shown = spend.utilization_table(this, others)
    return raw, shown


def _fields(shown: Shown) -> tuple:
    return (shown.key, shown.lineage, shown.aco, shown.year, shown.track, shown.low, shown.high, shown.basis)


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _settings(key: db.Key, lineage: str, aco: str, year: int, track: str, low: int, high: int, basis: str):
    """(spending by setting against peers, the same with the inpatient parts, that formatted)."""
    _, this, others = _figures_of(key, lineage, aco, year, track, low, high)
    settings = spend.comparison(this, others, spend.SETTINGS, basis)
    table = pd.concat([settings, spend.comparison(this, others, spend.INPATIENT_PARTS, basis)],
                      ignore_index=True)
    return settings, table, spend.comparison_shown(table, basis)


def _settings_chart(*fields: object):
    settings = _settings(*fields)[0]
    return spend.comparison_chart(settings, fields[2], fields[3], fields[7], "Spending by setting")


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _types(key: db.Key, lineage: str, aco: str, year: int, track: str, low: int, high: int, basis: str):
    _, this, others = _figures_of(key, lineage, aco, year, track, low, high)
    return spend.enrollment_table(this, others)


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _types_tables(*fields: object):
    types = _types(*fields)
    return types, spend.enrollment_shown(types, fields[7])


def _types_chart(*fields: object):
    return spend.enrollment_chart(_types(*fields), fields[2], fields[3], fields[7])


def _trend_chart(*fields: object):
    return spend.trend_chart(_figures_of(*fields[:7])[0], fields[3], fields[7])


def benchmark_view(shown: Shown, published: pd.DataFrame) -> None:
    years, this, _ = _figures(shown)
    steps = spend.bridge_steps(this) if this is not None else pd.DataFrame()
    st.subheader(f"From historical to updated benchmark, PY{shown.year}")
    if steps.empty:
        st.info(f"CMS's file for PY{shown.year} publishes no per-capita benchmark: no bridge to draw.")
    else:
        amounts = spend.bridge_in(steps, this, shown.basis)
        ui.cached_chart(spend.bridge_chart, amounts, shown.aco, shown.year, shown.basis, key="exp_bridge")
        table = amounts.assign(amount=amounts["amount"].map(
            lambda v: spend.money_in(v, shown.basis)))[list(spend.BRIDGE_COLUMNS)]
        ui.table(table.rename(columns=spend.BRIDGE_COLUMNS), amounts.drop(columns="measure"),
                 f"aco_{shown.aco}_py{shown.year}_benchmark_bridge_{shown.basis}.csv", key="exp_bridge_table")
        st.caption(_bridge_note(this, shown) + " The scale starts above $0 to show the steps.")
    st.subheader("Which years publish which parts")
    st.caption("CMS's results files publish the historical and updated benchmark every year from PY2014, "
               "but the adjustments between them only in some years, some only as yes/no flags.")
    parts = spend.parts_published(published, sorted(years["performance_year"].unique()) if len(years) else [])
    ui.table(parts, parts, "benchmark_parts_by_year.csv", key="exp_parts")


def _bridge_note(this: pd.Series, shown: Shown) -> str:
    """What the bridge shows and what CMS left out, for this ACO-year."""
    notes = ["Per capita = $ per assigned-beneficiary person-year"
             + (", x the ACO's person-years for totals" if shown.basis == "total" else "") + "."]
    category = this.get("final_adjustment_category")
    if category == "PRIOR_SAVINGS" and pd.notna(this.get("regional_adjustment")):
        amount = spend.money_in(this["regional_adjustment"], "beneficiary")
        notes.append(f"The regional adjustment ({amount} per capita) was published but not applied: the "
                     "prior savings adjustment was higher.")
    if category == "REGIONAL" and pd.notna(this.get("prior_savings_adjustment")):
        amount = spend.money_in(this["prior_savings_adjustment"], "beneficiary")
        notes.append(f"The prior savings adjustment ({amount} per capita) was published but not applied: the "
                     "regional adjustment was at least as high.")
    flags = [(this.get("regional_trend_update"), "the benchmark was updated by the regional trend"),
             (this.get("positive_regional_adjustment"), "the regional adjustment was positive")]
    said = [f"{text}: {'yes' if bool(flag) else 'no'}" for flag, text in flags if pd.notna(flag)]
    if said:
        notes.append("This year CMS published only flags: " + "; ".join(said) + ".")
    notes.append("The last step is the rest, which CMS does not publish apart: the update to the performance "
                 "year (trend), risk adjustment and any change not shown.")
    return " ".join(notes)
