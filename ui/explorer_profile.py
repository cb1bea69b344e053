"""The explorer's profile view: risk scores, quality and CAHPS, participants and beneficiary mix of the
ACO-year shown, each against its peers (same year, track and size band as the page's peers).

One call from pages/explorer.py (its view "profile"): `profile_section(key, this, params, state)`. Its
controls live in the link: `profile` (risk, quality, participants or beneficiaries), `risk_period` (BY1,
BY2, BY3 or PY) and `measure` (the measure whose peers' spread is drawn); each is written to the address
and to the page's `state` (its share box) unless it is the default, and a value the section cannot use
is named in a short warning. Data strings are shown as text.
"""

from __future__ import annotations

import functools
from collections.abc import MutableMapping

import pandas as pd
import streamlit as st

from data.queries import size_band
from ui import database as db
from ui import explorer_data
from ui import profile_charts as charts
from ui import widgets as ui
from ui.link_params import Params, ignored
from ui.overview_charts import label

VIEWS = {
    "risk": "Risk scores",
    "quality": "Quality and CAHPS",
    "participants": "Participants",
    "beneficiaries": "Beneficiary mix",
}
PERIODS = list(charts.PERIOD_LABELS)
DEFAULTS: dict[str, str | None] = {"profile": "risk", "risk_period": "PY"}  # not written into the link
_UNSET = object()


# The ACO-year and its peer group: (database key, year, track, low, high, ACO id, six-month period). What
# the section draws is cached by these small values, never by the frames they give (hashing every cell of
# a peers' frame to look it up cost more than drawing), and shared by every session: never changed.
Group = tuple


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _rows(table: str, *group: object) -> pd.DataFrame:
    """`table`'s rows of the peer group, the ACO-year's own marked `is_aco` (profile_charts.mark_aco)."""
    key, year, track, low, high, aco_id, period = group
    rows = explorer_data.profile_rows(key, table, year, track, low, high, aco_id)
    return charts.mark_aco(rows, aco_id, period)


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _table(kind: str, *group: object) -> pd.DataFrame:
    """The section's table of `kind` (quality, participants or beneficiaries) for the peer group."""
    if kind == "quality":
        return charts.quality_table(_rows("aco_quality", *group))
    if kind == "participants":
        return charts.participants_table(_rows("aco_profile", *group))
    return charts.mix_table(_rows("aco_profile", *group), _rows("aco_enrollment", *group))


def _risk_chart(period: str, *group: object):
    return charts.risk_chart(_rows("aco_enrollment", *group), period, group[5])


def _quality_chart(*group: object):
    return charts.quality_chart(_table("quality", *group))


def _measure_chart(measure: str, *group: object):
    return charts.measure_chart(_rows("aco_quality", *group), measure, group[5])


def _participants_chart(*group: object):
    return charts.participants_chart(_table("participants", *group), group[5])


def _mix_chart(*group: object):
    return charts.mix_chart(_table("beneficiaries", *group), group[5])


def _control(widget, name: str, value: object, state: MutableMapping[str, str], **kwargs) -> object:
    """A control seeded from the link on the session's first run (or when its choice is no longer one of
    the options, another ACO-year's measures); its value goes back into the link."""
    session_key = f"exp_profile_{name}"
    current = st.session_state.get(session_key, _UNSET)
    if current is _UNSET or (current is not None and current not in kwargs["options"]):
        st.session_state[session_key] = value
    chosen = widget(key=session_key, **kwargs)
    if chosen is None and name in DEFAULTS:
        chosen = DEFAULTS[name]  # a segmented control clicked off: its default
    if chosen is not None and chosen != DEFAULTS.get(name):
        state[name] = str(chosen)
        st.query_params[name] = str(chosen)
    return chosen


def _requested_view(params: Params) -> str | None:
    """The link's `profile` view; risk scores when absent or unknown (then with a warning)."""
    requested = params.text("profile")
    if requested is None or requested.lower() in VIEWS:
        return "risk" if requested is None else requested.lower()
    params.warnings.append(ignored("profile", requested, f"not one of {', '.join(VIEWS)}", "risk"))
    return "risk"


def profile_section(key: db.Key, this: pd.Series, params: Params, state: MutableMapping[str, str]) -> None:
    """The section for the ACO-year `this` (a row of aco_year); `params` the link's, `state` the page's."""
    warnings_before = len(params.warnings)
    year, aco, period = int(this["performance_year"]), str(this["aco_id"]), this["six_month_period"]
    band, low, high = size_band(this["assigned_beneficiaries"])
    st.subheader(f"Who it serves and how it scores, PY{year}")
    st.caption(
        f"Against its peers: {label(this['track'])} ACOs with {band} assigned "
        f"beneficiaries in PY{year}. As CMS published them; blank where a year's file has no such column."
    )
    view = _control(
        st.segmented_control,
        "profile",
        _requested_view(params),
        state,
        label="Show",
        options=list(VIEWS),
        format_func=VIEWS.get,
        selection_mode="single",
        required=True,
    )
    ui.warn(params.warnings[warnings_before:])  # the link's own values, read just above
    group = (key, year, str(this["track"]), low, high, aco, None if pd.isna(period) else str(period))
    rows = {
        t: _rows(t, *group)
        for t in (
            {
                "risk": ["aco_enrollment"],
                "quality": ["aco_quality"],
                "participants": ["aco_profile"],
                "beneficiaries": ["aco_profile", "aco_enrollment"],
            }[view]
        )
    }
    if view == "risk":
        _risk(rows["aco_enrollment"], group, year, params, state)
    elif view == "quality":
        _quality(rows["aco_quality"], group, year, params, state)
    elif view == "participants":
        _participants(rows["aco_profile"], group, year)
    else:
        _beneficiaries(rows["aco_profile"], group, year)


def _none(rows: pd.DataFrame, what: str, year: int) -> bool:
    if rows["is_aco"].any():
        return False
    st.info(f"The PY{year} results file loaded here publishes no {what} for this ACO.")
    return True


def _risk(rows: pd.DataFrame, group: Group, year: int, params: Params,
          state: MutableMapping[str, str]) -> None:
    aco = group[5]
    start = len(params.warnings)
    chosen = _control(
        st.segmented_control,
        "risk_period",
        params.choice("risk_period", PERIODS, "PY"),
        state,
        label="Period",
        options=PERIODS,
        format_func=charts.PERIOD_LABELS.get,
        selection_mode="single",
        required=True,
    )
    ui.warn(params.warnings[start:])
    if _none(rows[rows["period"] == chosen], f"{charts.PERIOD_LABELS[chosen].lower()} risk scores", year):
        return
    ui.cached_chart(_risk_chart, chosen, *group, key="exp_profile_chart_risk")
    table, shown = _risk_tables(chosen, *group)
    ui.table(shown, table, f"aco_{aco}_risk_{chosen}.csv", key="exp_profile_risk_table")
    st.caption(
        "Mean CMS-HCC prospective risk score of the ACO's assigned beneficiaries by Medicare enrollment "
        "type, as CMS published it for the benchmark years (BY1-BY3) and the performance year. Person-years "
        "are published for BY3 and the performance year; demographic risk scores from PY2024."
    )


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _risk_tables(chosen: str, *group: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the risk scores of the period against the peers, the same for people)."""
    rows = _rows("aco_enrollment", *group)
    table = charts.risk_table(rows, chosen)
    shown = table.assign(
        cms_hcc_risk_score=table["cms_hcc_risk_score"].map(lambda v: "-" if pd.isna(v) else f"{v:.3f}"),
        peers_median=table["peers_median"].map(lambda v: "-" if pd.isna(v) else f"{v:.3f}"),
        higher_than_share_of_peers=table["higher_than_share_of_peers"].map(lambda v: ui.pct(v, 0)),
        person_years=table["person_years"].map(ui.count),
        demographic_risk_score=table["demographic_risk_score"].map(
            lambda v: "-" if pd.isna(v) else f"{v:.3f}"
        ),
    ).rename(
        columns={
            "enrollment_type": "Enrollment type",
            "cms_hcc_risk_score": "CMS-HCC risk score",
            "peers_median": "Peers' median",
            "peers": "Peers",
            "person_years": "Person-years",
            "higher_than_share_of_peers": "Higher than (share of peers)",
            "demographic_risk_score": "Demographic risk score",
        }
    )
    return table, shown


def _quality(
    rows: pd.DataFrame, group: Group, year: int, params: Params, state: MutableMapping[str, str]
) -> None:
    aco = group[5]
    if _none(rows, "quality measures or CAHPS scores", year):
        return
    table, shown = _quality_tables(*group)
    ui.cached_chart(_quality_chart, *group, key="exp_profile_chart_quality")
    ui.table(shown, table, f"aco_{aco}_quality_{year}.csv", key="exp_profile_quality_table")
    st.caption(
        "Rates in percent, CAHPS summary survey scores on CMS's 0-100 scale, admission measures per 100 "
        "person-years. A measure kept one id across CMS's change of measure set in PY2021 (ACO13 is "
        "QualityID_318): the id is the latest CMS gave it."
    )
    ids = table["measure_id"].tolist()
    names = dict(zip(table["measure_id"], table["measure_name"], strict=True))
    start = len(params.warnings)
    requested = params.choice("measure", ids, ids[0])
    measure = _control(
        st.selectbox,
        "measure",
        requested,
        state,
        label="Spread among the peers",
        options=ids,
        format_func=lambda m: f"{m}: {names.get(m, m)}",
    )
    ui.warn(params.warnings[start:])
    ui.cached_chart(_measure_chart, measure, *group, key="exp_profile_chart_measure")


def _participants(rows: pd.DataFrame, group: Group, year: int) -> None:
    aco = group[5]
    if _none(rows, "participant counts", year):
        return
    table, shown = _participants_tables(*group)
    ui.cached_chart(_participants_chart, *group, key="exp_profile_chart_participants")
    ui.table(shown, table, f"aco_{aco}_participants_{year}.csv", key="exp_profile_participants_table")
    st.caption(
        "Participating practitioners (N_PCP, N_Spec, N_NP, N_PA, N_CNS) and facilities (N_Hosp from "
        "PY2018, N_CAH, N_FQHC, N_RHC, N_ETA, N_Fac_Other) as CMS counted them; log scale."
    )


def _beneficiaries(profile: pd.DataFrame, group: Group, year: int) -> None:
    aco = group[5]
    if _none(profile, "beneficiary counts", year):
        return
    table, shown = _mix_tables(*group)
    ui.cached_chart(_mix_chart, *group, key="exp_profile_chart_mix")
    ui.table(shown, table, f"aco_{aco}_beneficiaries_{year}.csv", key="exp_profile_mix_table")
    st.caption(
        "Age, sex and race/ethnicity as shares of the ACO's assigned beneficiaries counted in each group; "
        "enrollment type as shares of its performance-year person-years; dual and long-term "
        "institutional shares as CMS published them (PY2021 on)."
    )


# The tables as shown, made once per peer group (formatting every cell on every run cost more than drawing).
@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _quality_tables(*group: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = _table("quality", *group)
    units = table["unit"].tolist()
    shown = pd.DataFrame(
        {
            "Measure": table["measure_name"],
            "Id": table["measure_id"],
            "Domain": table["domain"],
            "This ACO": [charts.measure_value(v, u) for v, u in zip(table["value"], units, strict=True)],
            "Peers' median": [
                charts.measure_value(v, u) for v, u in zip(table["peers_median"], units, strict=True)
            ],
            "Better than (share of peers)": table["better_than_share_of_peers"].map(lambda v: ui.pct(v, 0)),
            "Lower is better": table["lower_is_better"].map({True: "yes", False: ""}),
        }
    )
    return table, shown


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _participants_tables(*group: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = _table("participants", *group)
    shown = pd.DataFrame(
        {
            "Participant type": table["participant_type"],
            "This ACO": table["aco"].map(ui.count),
            "Peers' median": table["peers_median"].map(ui.count),
            "More than (share of peers)": table["more_than_share_of_peers"].map(lambda v: ui.pct(v, 0)),
        }
    )
    return table, shown


@functools.lru_cache(maxsize=128)  # plain arguments: Python's hash (ui.page_cache.memo)
def _mix_tables(*group: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = _table("beneficiaries", *group)
    shown = pd.DataFrame(
        {
            "Group": table["group"],
            "Category": table["category"],
            "This ACO": table["aco_share"].map(lambda v: ui.pct(v, 1)),
            "Peers' median": table["peers_median_share"].map(lambda v: ui.pct(v, 1)),
        }
    )
    return table, shown
