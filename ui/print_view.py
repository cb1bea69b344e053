"""The printable view of a page: `?print=1` on any page's link, with Streamlit's own features only.

Printed as it is, a page keeps its sidebar, cuts its wide tables and shows one tab of several. Opened
with `print=1`, app.py collapses the sidebar and narrows the layout to a sheet's width (set_page_config),
and the page draws for paper: tables as static tables that wrap (ui.widgets.table), what is in tabs one
after the other, the share link written out, no download buttons. The parameter is read once, as the
session starts the page, and taken out of the address: pages see only their own parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

PARAMETER = "print"
_STATE = "_aco_lens_print_view"


def start() -> bool:
    """Read `print=1` from the link (app.py, before the page runs); True while the session prints."""
    value = st.query_params.get(PARAMETER)
    if value is not None:
        st.session_state[_STATE] = value.strip().lower() in ("1", "true", "yes")
        del st.query_params[PARAMETER]
    return printing()


def printing() -> bool:
    return bool(st.session_state.get(_STATE, False))


def links(page_path: str, params: Mapping[str, str]) -> None:
    """"Printable view" (a new tab with this page's link and print=1), or, printing, the way back."""
    from ui.url_state import full_link

    if printing():
        st.link_button("Interactive page", full_link(page_path, {**params, PARAMETER: "0"}),
                       icon=":material/tune:", type="tertiary")
    else:
        st.link_button("Printable view", full_link(page_path, {**params, PARAMETER: "1"}),
                       icon=":material/print:", type="tertiary",
                       help="This page laid out for paper or a PDF: no sidebar, tables whole, every tab "
                            "shown. Print it with the browser's print command (or the menu at the top "
                            "right).")
