"""ACO Lens: entry point. `streamlit run app.py`.

Page config, the database (built from ACO_LENS_CMS_DIR's CMS files, or synthetic demo data, when
ACO_LENS_DB is missing: once per process, a failure shown as an error), and the navigation.

A page that fails shows a short message; the full error goes to the server's log, never to the viewer
(and .streamlit/config.toml's client.showErrorDetails = "none" covers whatever escapes this).
"""

import logging

import streamlit as st

from ui import print_view
from ui.database import db_key
from ui.nav import pages

_LOG = logging.getLogger("aco_lens")

printing = print_view.start()  # ?print=1: a sheet's width, no sidebar (ui.print_view)
st.set_page_config(page_title="ACO Lens", page_icon=":material/monitoring:",
                   layout="centered" if printing else "wide",
                   initial_sidebar_state="collapsed" if printing else "auto")
db_key()
page = st.navigation(pages())
try:
    page.run()
except Exception:  # st.rerun and st.stop raise BaseExceptions (ScriptControlException): they pass through
    _LOG.exception("page %s failed", page.url_path or "overview")
    st.error("This page ran into an unexpected problem and stopped. It has been logged on the server; "
             "try again, or change what the link asks for.", icon=":material/error:")
