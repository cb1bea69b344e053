"""The app's pages, in menu order (app.py hands `pages()` to st.navigation).

Each page's URL path is its file name, so that the path Streamlit's legacy `pages/` discovery
derives on a server's first session is the same one st.navigation uses (see `inside_app`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"

def pages() -> list[st.Page]:
    """The app's pages, made afresh for each script run.

    st.navigation marks the chosen Page object runnable and its run() unmarks it, so Page objects shared
    by sessions running at the same time race: a session finds its page already unmarked and shows
    "This page cannot be called directly". app.py therefore hands st.navigation a new list every run.
    """
    return [
        st.Page(PAGES_DIR / "overview.py", title="Program overview", icon=":material/insights:",
                default=True),
        st.Page(PAGES_DIR / "explorer.py", title="ACO explorer", icon=":material/search:"),
        st.Page(PAGES_DIR / "what_if.py", title="What-if studio", icon=":material/tune:"),
        st.Page(PAGES_DIR / "risk_election.py", title="Risk election", icon=":material/casino:"),
        st.Page(PAGES_DIR / "program_what_if.py", title="Program what-if", icon=":material/account_balance:"),
        st.Page(PAGES_DIR / "payment_models.py", title="Payment models", icon=":material/payments:"),
        st.Page(PAGES_DIR / "data_sources.py", title="Data and fidelity", icon=":material/dataset:"),
        st.Page(PAGES_DIR / "glossary.py", title="Glossary", icon=":material/menu_book:"),
    ]


def page(url_path: str) -> st.Page | None:
    """The app's page at `url_path`, made in this run (for st.page_link, which reads its hash only).

    Made at every call, never at import: a Page made outside a script run (the server's warm-up thread
    imports this module, ui.server_start) is an empty shell without a URL path.
    """
    return next((p for p in pages() if p.url_path == url_path), None)


def inside_app() -> None:
    """Re-run through app.py when Streamlit ran this page on its own.

    A folder named `pages/` beside the entry point makes Streamlit run a server's first session
    the legacy way (each file in pages/ as its own app: no navigation menu, no page config) until
    app.py's st.navigation call switches it off. A page that finds itself run that way switches it
    off and reruns, which runs app.py with the same page selected: a shared link opened first
    after a restart then looks exactly like any other.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
