"""A page's state in its URL: controls bound with Streamlit's bind="query-params", the rest set here.

Bound controls (`st.slider(..., key="q", bind="query-params")`) keep their own query parameter: Streamlit
seeds them from the link on a session's first run, writes every change back to the address bar, and drops
a value it cannot use (which the page has already warned about and replaced, see `seed`). Values that are
no control's (the ACO picked from a searchable list, the year) are written with `set_unbound`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
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
    base = page_address(st.context.url, page_path) if st.context.url else page_path
    return f"{base}?{urlencode(params, safe=safe)}" if params else (base or "/")


def page_address(context_url: str, page_path: str) -> str:
    """The page's address from st.context.url, repaired where Streamlit cut it wrongly.

    Streamlit 1.67 takes the first page path that ends the browser's address off it before adding the
    current page's: on /program_what_if it takes "what_if" off and gives ".../program_/program_what_if".

    >>> page_address("http://lens.example/program_/program_what_if", "program_what_if")
    'http://lens.example/program_what_if'
    >>> page_address("http://lens.example/p/what_if?x=1", "what_if"), page_address("http://h/", "")
    ('http://lens.example/p/what_if', 'http://h/')
    """
    base = context_url.split("?")[0]
    if not page_path or not base.endswith("/" + page_path):
        return base
    root = base.removesuffix("/" + page_path)
    for other in _page_paths():
        leftover = page_path.removesuffix(other)
        if other != page_path and leftover != page_path and root.endswith("/" + leftover):
            root = root.removesuffix("/" + leftover)
            break
    return f"{root}/{page_path}"


@functools.cache
def _page_paths() -> tuple[str, ...]:
    """Every page's URL path (ui.nav: a page's path is its file name)."""
    return tuple(sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "pages").glob("*.py")))
