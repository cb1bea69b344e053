"""Data and fidelity: where each performance year came from, and how closely the model reproduces CMS.

Thin page: the database (ui.database: sources, all_rows), the model check (aco_model.fidelity), tables.
No state to keep in the URL.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aco_model import fidelity
from ui import database as db
from ui import page_cache
from ui import widgets as ui
from ui.nav import inside_app
from ui.overview_charts import NEUTRAL, label
from ui.text import folder_name
from ui.url_state import unknown_parameters

inside_app()

QUIET = {"delta_color": "off", "delta_arrow": "off"}  # a metric's note, not a change


# Everything below the controls-free page is a function of the database alone: made once per database and
# shared by every viewer (st.cache_resource: no copy per run; nothing here changes what it returns).
@page_cache.cache_resource(show_spinner="Settling every ACO-year with the model...", max_entries=4)
def _fidelity(key: tuple[str, float]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int] | None]:
    compared = fidelity.compare(db.all_rows(key))
    if not len(compared):
        return compared, pd.DataFrame(), None
    return compared, fidelity.summarize(compared), fidelity.headline(compared)


SHORT = {fidelity.REVENUE_LIMIT: "revenue-based loss limit",
         fidelity.QUALITY_FAILURE: "quality failure unpublished",
         fidelity.GUARDRAIL: "unexplained: PY2024 Guardrail flag"}


def _short(reason: str) -> str:
    """A reason in a few words (the page explains each reason in full once, below the table)."""
    text = str(reason)
    for full, short in SHORT.items():
        text = text.replace(full, short)
    return re.sub(r" \([^)]*\)", "", text)


def _rows_height(n: int) -> int:
    """A table tall enough for every row (Streamlit's rows are 35 px), within reason."""
    return min(35 * (n + 1) + 3, 600)


def _listed(text: object) -> int:
    return 0 if text is None or pd.isna(text) or not str(text).strip() else len(str(text).split(", "))


def _rows_chart(key: db.Key) -> go.Figure:
    """ACO-years per performance year, CMS's and synthetic stacked (built once: ui.cached_chart)."""
    rows = db.all_rows(key)
    synthetic = rows["synthetic"].fillna(False).astype(bool)
    per_year = rows.assign(kind=synthetic.map({True: "Synthetic demo", False: "CMS published"}))
    per_year = per_year.groupby(["performance_year", "kind"]).size().rename("rows").reset_index()
    fig = go.Figure()
    for kind, color in (("CMS published", NEUTRAL), ("Synthetic demo", "#f4a261")):
        part = per_year[per_year["kind"] == kind]
        if len(part):
            fig.add_bar(x=part["performance_year"], y=part["rows"], name=kind, marker_color=color,
                        text=part["rows"], textposition="outside", cliponaxis=False,
                        hovertemplate=f"PY%{{x}}: %{{y:,}} ACO-years ({kind.lower()})<extra></extra>")
    fig.update_layout(title="ACO-years per performance year", barmode="stack", height=330,
                      xaxis={"tickmode": "linear", "dtick": 1, "title": None}, yaxis={"title": None},
                      legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"})
    return fig


@page_cache.memo(4)  # looked up by the key itself: Streamlit's hasher cost more than the lookup
def _sources_shown(key: db.Key) -> pd.DataFrame:
    """The files table as shown (shared by every viewer of this database: never changed)."""
    sources = db.sources(key)
    return pd.DataFrame({
        "Year": sources["performance_year"].astype(str),
        "File": sources["file_name"],
        "Format": sources["file_format"].map({"cms": "as CMS published", "standardized": "standardized",
                                              "synthetic": "synthetic"}).fillna(sources["file_format"]),
        "Rows": sources["row_count"].map(ui.count),
        "Loaded (UTC)": pd.to_datetime(sources["loaded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "SHA-256": sources["sha256"].fillna("").str.slice(0, 12) + "…",
        "Unmapped columns": sources["unknown_columns"].map(_listed),
        "Fields not in file": sources["missing_columns"].map(_listed),
        "From": sources["origin"].map(folder_name),  # the folder's name, not the server's path to it
    })


@page_cache.memo(4)
def _counts(key: db.Key) -> tuple[int, int, int, int]:
    """ACO-years, ACOs, performance years and synthetic rows (reading every row on each run cost ~10 ms)."""
    rows = db.all_rows(key)
    synthetic = rows["synthetic"].fillna(False).astype(bool)
    return len(rows), rows["aco_id"].nunique(), rows["performance_year"].nunique(), int(synthetic.sum())


@page_cache.memo(4)
def _lacking(key: db.Key) -> list[tuple[str, ...]]:
    """Per file that lacked columns, its lines as shown (plain text: escaping the long column lists of
    every file took ~20 ms a run)."""
    lines = []
    for src in db.sources(key).itertuples():
        if _listed(src.unknown_columns) or _listed(src.missing_columns):
            shown = [f"**PY{src.performance_year}** {ui.plain(src.file_name)}"]
            if _listed(src.unknown_columns):
                shown.append(f"- unmapped: {ui.plain(src.unknown_columns)}")
            if _listed(src.missing_columns):
                shown.append(f"- not in file: {ui.plain(src.missing_columns)}")
            lines.append(tuple(shown))
    return lines


@page_cache.memo(4)
def _sources_csv(key: db.Key) -> pd.DataFrame:
    sources = db.sources(key)
    return sources.assign(origin=sources["origin"].map(folder_name))


@page_cache.memo(4)
def _summary_shown(key: db.Key) -> pd.DataFrame:
    """The fidelity by year as shown."""
    summary = _fidelity(key)[1]
    shown = ui.formatted(
        summary.astype({"performance_year": str}).assign(mismatches=summary["mismatches"].map(_short)),
        pct_cols=["match_rate", "independent_rate"],
        count_cols=["comparable", "matched", "independent_matched", "exact", "within_rounding"],
        rename={"performance_year": "Year", "comparable": "ACO-years", "matched": "Reproduced",
                "match_rate": "Share", "independent_matched": "From public inputs",
                "independent_rate": "Share (public)", "exact": "Exact",
                "within_rounding": "Within quality rounding", "savings_matched": "Savings rows",
                "loss_matched": "Loss rows", "zero_matched": "Zero rows",
                "mismatches": "Not reproduced (why)"})
    return shown[["Year", "ACO-years", "Reproduced", "Share", "From public inputs", "Share (public)", "Exact",
                  "Within quality rounding", "Savings rows", "Loss rows", "Zero rows",
                  "Not reproduced (why)"]]


@page_cache.memo(4)
def _misses(key: db.Key) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The ACO-years not reproduced in one count or both (with their names), as shown, and the reasons."""
    compared, rows = _fidelity(key)[0], db.all_rows(key)
    misses = compared[~compared["matched"] | ~compared["independent_matched"]].sort_values(
        ["performance_year", "aco_id"])
    if misses.empty:
        return misses, misses, []
    keys = zip(rows["performance_year"], rows["aco_id"], strict=True)
    names = dict(zip(keys, rows["aco_name"], strict=True))
    table = misses.assign(aco_name=[names.get((y, a)) for y, a in
                                    zip(misses["performance_year"], misses["aco_id"], strict=True)])
    shown = ui.formatted(table.assign(performance_year=table["performance_year"].astype(str),
                                      track=table["track"].map(label), reason=table["reason"].map(_short),
                                      independent_reason=table["independent_reason"].map(_short)),
                         money_cols=["cms_before_relief", "model_earned", "independent_model"],
                         rename={"performance_year": "Year", "aco_id": "ACO", "aco_name": "Name",
                                 "track": "Track", "cms_before_relief": "CMS (before EUC relief)",
                                 "model_earned": "Model", "independent_model": "Model (public inputs)",
                                 "reason": "Overall", "independent_reason": "Public inputs alone",
                                 "outcome_inputs": "Outcome column read"})
    shown = shown[["Year", "ACO", "Name", "Track", "CMS (before EUC relief)", "Model",
                   "Model (public inputs)", "Overall", "Public inputs alone", "Outcome column read"]]
    reasons = pd.concat([misses.loc[~misses["matched"], "reason"],
                         misses.loc[~misses["independent_matched"], "independent_reason"]]).unique()
    return table, shown, list(reasons)


st.title("Data and fidelity")
st.caption("Where every performance year's numbers came from, and how closely ACO Lens's model reproduces "
           "what CMS actually paid and billed each ACO.")
key = db.db_key()
info = db.banner(key)
if st.query_params.to_dict():  # nothing on this page lives in the link
    ui.warn(unknown_parameters(st.query_params.to_dict(), ()))
    st.query_params.clear()
row_count, aco_count, year_count, synthetic_count = _counts(key)

# --- what is in the database ------------------------------------------------------------------------
m = st.columns(5)
m[0].metric("ACO-years", ui.count(row_count))
m[1].metric("ACOs", ui.count(aco_count))
m[2].metric("Performance years", ui.count(year_count),
            delta=f"PY{info['first_year']}–{info['last_year']}", **QUIET)
m[3].metric("Source files", ui.count(len(info["files"])))
m[4].metric("Data", "Synthetic" if info["synthetic"] else "Mixed" if info["any_synthetic"] else "CMS",
            delta=f"{ui.count(synthetic_count)} synthetic rows" if synthetic_count else "published results",
            **QUIET)

st.subheader("Where each year came from")
ui.cached_chart(_rows_chart, key, key="data_rows")  # the same for every viewer of this database
shown = _sources_shown(key)
origins = shown["From"].dropna().unique()
if len(origins) == 1:  # one folder for every year: say it once
    shown = shown.drop(columns="From")
    st.caption(f"Read from {ui.plain(origins[0])}.")
ui.table(shown, _sources_csv(key), "aco_lens_sources.csv", key="data_sources",
         height=_rows_height(len(shown)))
lacking = _lacking(key)
if lacking:
    with st.expander("Columns each file lacked or the build did not map"):
        st.caption("Unmapped: columns in the file that ACO Lens does not read. Not in file: optional "
                   "fields that year's file does not publish (left empty); '(blank)' marks a column present "
                   "but empty.")
        # One element for every file (a paragraph and its list each): an element per line was 24 messages
        # on every run.
        st.markdown("\n\n".join("\n".join(lines) for lines in lacking))

# --- fidelity ----------------------------------------------------------------------------------------
st.subheader("Does the model reproduce CMS?")
compared, summary, h = _fidelity(key)
if compared.empty:
    st.info("The fidelity check settles every real ACO-year with the model and compares the result with "
            "CMS's published earned savings or losses, so it needs CMS's files: this database holds "
            "synthetic demo data only. Point ACO_LENS_CMS_DIR at CMS's Performance Year Financial and "
            "Quality Results files (or run `python -m data.build`) to see it.", icon=":material/science:")
    st.stop()

matched, independent, comparable = h["matched"], h["independent_matched"], h["comparable"]
st.success(f"**{matched:,} of {comparable:,} ACO-years reproduced to $1** ({ui.pct(matched / comparable)}); "
           f"**{independent:,}** ({ui.pct(independent / comparable)}) from public inputs alone.",
           icon=":material/verified:")
st.caption(f"{h['exact']:,} exactly; {matched - h['exact']:,} with the quality score inside the rounding "
           f"CMS published it with; {comparable - matched:,} not reproduced, {h['unexplained']:,} of them "
           f"without a known reason. Public inputs alone: no input read from CMS's results (EarnSaveLoss, "
           f"DisAdj, FinalShareRate...); {h['outcome_inputs']:,} ACO-years read one in the overall count. "
           f"The published MSR is taken as the ACO's MSR/MLR election ({h['msr_election']:,} two-sided "
           f"ACO-years) and, where no track is published, as its track ({h['track_from_msr']:,})."
           + (f" {synthetic_count:,} synthetic rows left out." if synthetic_count else ""))
ui.table(
    _summary_shown(key),
    summary, "aco_lens_fidelity_by_year.csv", key="data_fidelity", height=_rows_height(len(summary)),
)
table, shown_misses, reasons = _misses(key)
with st.expander(f"The {len(table):,} ACO-years not reproduced in one count or both, and why",
                 expanded=0 < len(table) <= 20):
    if table.empty:
        st.markdown("None: every ACO-year is reproduced to $1 from public inputs alone.")
    else:
        ui.table(shown_misses, table, "aco_lens_fidelity_mismatches.csv", key="data_misses",
                 height=_rows_height(len(table)))
        st.markdown("\n".join(f"- {reason}" for reason in reasons))
st.caption("A row counts as reproduced when the model's earned amount is within $1 of CMS's `EarnSaveLoss`; "
           "losses with EUC relief are compared before the relief (the PY2020-2022 losses were forgiven in "
           "full). Same check on the command line: `python -m aco_model.fidelity --db data/aco.duckdb`.")
