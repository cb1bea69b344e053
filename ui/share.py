"""The "Share this ..." box every page ends with: the whole link (the app's address and the page's state)."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui.url_state import full_link


def share_box(page_path: str, params: Mapping[str, str], what: str = "view") -> str:
    """An expander with the page's full link; returns the link.

    `page_path` is the page's URL path ("" for the home page), used only when the browser's address is
    unknown (then the link is relative).
    """
    link = full_link(page_path, params) if params else (st.context.url or f"/{page_path}")
    with st.expander(f"Share this {what}", icon=":material/link:"):
        st.caption(f"Anyone opening this link sees the same {what}, with the same numbers.")
        st.code(link, language=None, wrap_lines=True)
    return link
