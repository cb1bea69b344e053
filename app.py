"""ACO Lens: entry point. `streamlit run app.py`."""

import streamlit as st

from ui.nav import PAGES

st.set_page_config(page_title="ACO Lens", page_icon=":material/monitoring:", layout="wide")
page = st.navigation(PAGES)
page.run()
