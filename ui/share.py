"""The "Share this ..." box every page ends with: the whole link (the app's address and the page's state)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st


def share_box(page_path: str, params: Mapping[str, str], what: str = "view", *, safe: str = "") -> str:
    """An expander with the page's full link; returns the link.

    The link is the address in the viewer's browser (st.context.url, without its query) and `params`;
    `page_path` ("" for the home page) stands in when the address is unknown, making the link relative.
    `safe`: characters left unescaped, e.g. "," for lists that read better as a,b.
    """
    base = (st.context.url or page_path).split("?")[0]
    link = f"{base}?{urlencode(params, safe=safe)}" if params else (base or "/")
    with st.expander(f"Share this {what}", icon=":material/link:"):
        st.caption(f"Anyone opening this link sees the same {what}, with the same numbers.")
        st.code(link, language=None, wrap_lines=True)
    return link
