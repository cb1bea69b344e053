"""st.cache_resource / st.cache_data for functions defined in a page script, decorated once per process.

A page script runs afresh on every page run, so `@st.cache_resource` on a function defined in it runs on
every run too, and Streamlit names each cache by reading the function's source (inspect.getsource, which
tokenizes the page file: about 10 ms a function, on the one core every viewer's runs share). These
decorators wrap a page's function the first time only and hand back that wrapper on every later run
(keyed by file, name and first line). Such a function must depend on its arguments and on the page's
imports and constants only, never on a value the run computed: the first run's function is the one kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

_WRAPPERS: dict[tuple[str, str, int], Callable[..., Any]] = {}


def _once(decorator: Callable[..., Callable], options: dict[str, Any]) -> Callable[[Callable], Callable]:
    def decorate(function: Callable) -> Callable:
        code = function.__code__
        name = (code.co_filename, function.__qualname__, code.co_firstlineno)
        wrapper = _WRAPPERS.get(name)
        if wrapper is None:
            wrapper = _WRAPPERS.setdefault(name, decorator(**options)(function))
        return wrapper

    return decorate


def cache_resource(**options: Any) -> Callable[[Callable], Callable]:
    """`@st.cache_resource(**options)`, decorated once: the value is shared, never copied: never change it."""
    return _once(st.cache_resource, options)


def cache_data(**options: Any) -> Callable[[Callable], Callable]:
    """`@st.cache_data(**options)`, decorated once: every run gets its own copy of the value."""
    return _once(st.cache_data, options)
