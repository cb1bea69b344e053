"""The app's pages, in menu order (app.py hands this list to st.navigation)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"

PAGES = [
    st.Page(PAGES_DIR / "overview.py", title="Program overview", icon=":material/insights:",
            url_path="overview", default=True),
    st.Page(PAGES_DIR / "explorer.py", title="ACO explorer", icon=":material/search:", url_path="explorer"),
    st.Page(PAGES_DIR / "what_if.py", title="What-if studio", icon=":material/tune:", url_path="what-if"),
    st.Page(PAGES_DIR / "5_risk_election.py", title="Risk election", icon=":material/casino:",
            url_path="risk-election"),
    st.Page(PAGES_DIR / "6_program_what_if.py", title="Program what-if", icon=":material/account_balance:",
            url_path="program-what-if"),
    st.Page(PAGES_DIR / "7_payment_models.py", title="Payment models", icon=":material/payments:",
            url_path="payment-models"),
    st.Page(PAGES_DIR / "data_sources.py", title="Data and fidelity", icon=":material/dataset:",
            url_path="data"),
]
