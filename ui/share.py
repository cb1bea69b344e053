"""The "Share this ..." box every page ends with: the whole link (the app's address and the page's state)."""

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
        st.code(link, language=None, wrap_lines=True)
    else:
        with st.expander(f"Share this {what}", icon=":material/link:"):
            st.caption(f"Anyone opening this link sees the same {what}, with the same numbers.")
            st.code(link, language=None, wrap_lines=True)
    print_view.links(page_path, params)
    return link
