"""ACO Lens: entry point. `streamlit run app.py`.

Page config, the database (built from ACO_LENS_CMS_DIR's CMS files, or synthetic demo data, when
ACO_LENS_DB is missing: once per process, a failure shown as an error), and the navigation.

A page that fails shows a short message; the full error goes to the server's log, never to the viewer
(and .streamlit/config.toml's client.showErrorDetails = "none" covers whatever escapes this).

Streamlit runs this file as `__main__` for every page run (`main`). `streamlit run app.py` first imports it
as a module to serve it: it finds `app`, an st.App of this same file whose lifespan warms the server up
as it starts (ui.server_start), before the first viewer's page needs it, and whose page has the browser
fetch the code of the first numbers with the frontend's own (ui.chunk_preload).
"""

import logging

import streamlit as st

_LOG = logging.getLogger("aco_lens")


def main() -> None:
    from ui import first_paint, print_view
    from ui.database import db_key
    from ui.nav import pages

    printing = print_view.start()  # ?print=1: a sheet's width, no sidebar (ui.print_view)
    st.set_page_config(page_title="ACO Lens", page_icon=":material/monitoring:",
                       layout="centered" if printing else "wide",
                       initial_sidebar_state="collapsed" if printing else "auto")
    # The navigation first: a database that fails stops the page under the menu's titles, not under
    # Streamlit's list of the pages/ folder's file names.
    page = st.navigation(pages())
    db_key()
    first_paint.run_started()
    try:
        page.run()
        first_paint.run_finished()
    except Exception:  # st.rerun and st.stop raise BaseExceptions (ScriptControlException): they pass through
        _LOG.exception("page %s failed", page.url_path or "overview")
        st.error("This page ran into an unexpected problem and stopped. It has been logged on the server; "
                 "try again, or change what the link asks for.", icon=":material/error:")


if __name__ == "__main__":
    main()
else:  # `streamlit run app.py` serving this file
    from starlette.middleware import Middleware

    from ui.chunk_preload import PreloadChunks
    from ui.server_start import CountRequests, lifespan

    app = st.App(__file__, lifespan=lifespan,
                 middleware=[Middleware(CountRequests), Middleware(PreloadChunks)])
