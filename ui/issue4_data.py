"""What the risk-election, program what-if and payment-model pages read, through the app's one query
module (data.queries.AcoDatabase, read-only, bound parameters) and its cached readers (ui.database).

Everything is keyed on (path, modification time) of the database file, so a rebuilt file is read afresh.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.database import aco_index, aco_rows, banner, database, db_key, history, year_rows, years

__all__ = [
    "aco_index", "aco_rows", "banner", "db_key", "history", "upfront_index", "year_rows", "years",
]


@st.cache_data(show_spinner=False, max_entries=4)
def upfront_index(key: tuple[str, float]) -> pd.DataFrame:
    """ACO ids that took Advance Payment, AIM or AIP money in any year, with their program flags."""
    return database(key).upfront_index()
