"""A page's state in its URL: controls bound with Streamlit's bind="query-params", the rest set here.

Bound controls (`st.slider(..., key="q", bind="query-params")`) keep their own query parameter: Streamlit
seeds them from the link on a session's first run, writes every change back to the address bar, and drops
a value it cannot use (which the page has already warned about and replaced, see `seed`). Values that are
no control's (the ACO picked from a searchable list, the year) are written with `set_unbound`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

import streamlit as st

from ui.link_params import parameter


def seed(start: object, values: Mapping[str, object], *, marker: str) -> None:
    """Put `values` in the bound controls when the page opens or its starting point changes.

    `start` identifies what the controls describe (e.g. the ACO-year); while it stays the same the
    controls keep what the user set. Call before the controls are created.
    """
    if st.session_state.get(marker) != start or any(k not in st.session_state for k in values):
        st.session_state[marker] = start
        for name, value in values.items():
            st.session_state[name] = value


def set_unbound(values: Mapping[str, str], *, bound: Iterable[str]) -> None:
    """Make the URL's unbound parameters exactly `values` (bound controls' parameters are left alone)."""
    bound = set(bound)
    for name, value in values.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    for name in list(st.query_params.to_dict()):
        if name not in values and name not in bound:
            del st.query_params[name]


def unknown_parameters(raw: Mapping[str, object], known: Iterable[str]) -> list[str]:
    """One message (plain text) for link parameters the page does not use (removed from the address)."""
    extra = [k for k in raw if k not in set(known)]
    if not extra:
        return []
    names = ", ".join(parameter(k) for k in extra[:5]) + (" ..." if len(extra) > 5 else "")
    return [f"Link parameter{'s' if len(extra) > 1 else ''} {names} not used by this page; ignored."]


def full_link(page_path: str, params: Mapping[str, str], *, safe: str = "") -> str:
    """The link to give someone: the app's address in this browser (relative when unknown) and `params`.

    The browser's address is taken without its query; `page_path` ("" for the home page) stands in when
    it is unknown. `safe`: characters left unescaped, e.g. "," for lists that read better as a,b.
    """
    base = (st.context.url or page_path).split("?")[0]
    return f"{base}?{urlencode(params, safe=safe)}" if params else (base or "/")
