"""ACO explorer: find an ACO by any name or id it had; all its years (its lineage across CMS's id changes,
data/lineage.py), and its numbers against peers of its track and size: its results, its spending (by
setting and enrollment type, use of care) and the bridge from its historical to its updated benchmark.

Thin page: the choice of ACO and year here (ui.database: lineage_index, lineage_search); below it
everything else is ui.explorer_page's fragment (figures and tables: ui.explorer_charts). State in the
URL: aco (the id CMS used in the year shown; any id of the lineage opens it), year (the year compared
with peers and opened in the what-if studio), view (results, spending, benchmark or profile:
beneficiaries, risk and quality, whose own controls are ui.explorer_profile's) and money (total, per
beneficiary or per member per month). Names and ids from the data are shown as text (ui.text.plain),
never as markdown.
"""

from __future__ import annotations

import re

import streamlit as st

from aco_model.rules import FIRST_YEAR, LAST_YEAR
from ui import database as db
from ui import explorer_charts as charts
from ui import explorer_page as below_page
from ui import widgets as ui
from ui.link_params import ignored
from ui.nav import inside_app

inside_app()

key, params, warnings_box = ui.page_start(
    "ACO explorer",
    "Find an ACO by name or id: its results year by year, and how it compares with ACOs of the "
           "same track and size.",
)

# --- which ACO: a lineage, one organization across the ids CMS gave it -------------------------------
acos = below_page.acos(key)
requested = params.text("aco")
link_year = params.text("year")
# Only a plausible year picks the lineage's id (a 400-digit "year" overflowed DuckDB); the year itself is
# read, and warned about, further down.
link_year = int(link_year) if re.fullmatch(r"[0-9]{4}", link_year or "") else None
current = db.lineage_of(key, requested, link_year) if requested else None
if requested is not None and current is None:
    params.warnings.append(ignored("aco", requested, "no such ACO in the data", acos["aco_id"].iloc[0]))
current = current or acos.index[0]
view = params.choice("view", list(below_page.VIEWS), "results")
basis = params.choice("money", list(charts.BASES), "total")


# The latest id and name; the other ids it went by (selectbox options are shown as text).
lineage_label = db.lineage_labels(key).__getitem__


c_search, c_aco, c_year = st.columns([2, 4, 1.2])
query = c_search.text_input("Search by name or ID", key="exp_q", placeholder="e.g. Palm Beach or A1001",
                            help="Finds an ACO by any name or id it had in any year.")
query = query.strip()
matches = db.lineage_search(key, query)["lineage_id"].tolist() if query else acos.index.tolist()
if query and not matches:
    c_search.caption(f"No ACO matches “{ui.plain(query[:40])}”.")
options = matches or [current]
lineage = c_aco.selectbox(
    f"ACO ({len(matches):,} {'match' if len(matches) == 1 else 'matches'})" if query else
    f"ACO ({len(options):,} in the data)",
    options, index=options.index(current) if current in options else 0, key=f"exp_aco_{query.lower()}",
    format_func=lineage_label,
)
frame = below_page.lineage_rows(key, lineage)
aco_years = sorted({int(y) for y in frame["performance_year"]})
# A link's own id opens on that id's latest year; another ACO picked on the page, on its latest.
own = frame.loc[frame["aco_id"] == requested, "performance_year"] if lineage == current else frame.iloc[0:0]
year = params.integer("year", int(own.max()) if len(own) else aco_years[-1], FIRST_YEAR, LAST_YEAR)
if year not in aco_years:
    if lineage == current and requested is not None:  # the link's own ACO-year, not one chosen on the page
        params.warnings.append(f"{requested[:40]} has no results for {year}; showing {aco_years[-1]}.")
    year = aco_years[-1]
year = c_year.selectbox("Year", aco_years[::-1], index=aco_years[::-1].index(year),
                        key=f"exp_year_{lineage}", format_func=lambda y: f"PY{y}")
with warnings_box:
    ui.warn(params.warnings)


below_page.below(key, lineage, year, view, basis)
