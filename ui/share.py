"""The "Share this ..." box every page ends with: the whole link (the app's address and the page's state).

The link is plain text (st.text, drawn by the frontend's main bundle), not st.code: a code block makes the
browser fetch and evaluate the 1.5 MB syntax-highlighting chunk on every page's first view, competing with
the page's first numbers for the browser's main thread. Select the line to copy it.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui import print_view
from ui.url_state import full_link


def share_box(page_path: str, params: Mapping[str, str], what: str = "view", *, safe: str = "") -> str:
    """An expander with the page's full link (`url_state.full_link`); returns the link."""
    link = full_link(page_path, params, safe=safe)
    if print_view.printing():  # on paper: the link written out (an expander prints closed)
        st.caption(f"This {what} online (the same numbers):")
        st.text(link)
    else:
        with st.expander(f"Share this {what}", icon=":material/link:"):
            st.caption(f"Anyone opening this link sees the same {what}, with the same numbers.")
            st.text(link)
    print_view.links(page_path, params)
    return link
