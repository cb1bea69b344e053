"""ACO Lens: entry point. `streamlit run app.py`.

Page config, the database (built from ACO_LENS_CMS_DIR's CMS files, or synthetic demo data, when
ACO_LENS_DB is missing: once per process, a failure shown as an error), and the navigation.
"""

import streamlit as st

from ui.database import db_key
from ui.nav import pages

st.set_page_config(page_title="ACO Lens", page_icon=":material/monitoring:", layout="wide")
db_key()
page = st.navigation(pages())
page.run()
