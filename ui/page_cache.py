"""st.cache_resource / st.cache_data for functions defined in a page script, decorated once per process.

A page script runs afresh on every page run, so `@st.cache_resource` on a function defined in it runs on
every run too, and Streamlit names each cache by reading the function's source (inspect.getsource, which
tokenizes the page file: about 10 ms a function, on the one core every viewer's runs share). These
decorators wrap a page's function the first time only and hand back that wrapper on every later run
(keyed by file, name and first line). Such a function must depend on its arguments and on the page's
imports and constants only, never on a value the run computed: the first run's function is the one kept.
"""

from __future__ import annotations

import functools
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


_PLAIN = (str, int, float, bool, type(None))


def plain_key(args: tuple) -> bool:
    """Whether every argument is a str, number, bool, None or a tuple of them: keys Python hashes by value.

    >>> plain_key(("a", 1, (2.5, None))), plain_key(("a", [1])), plain_key((object(),))
    (True, False, False)
    """
    return all(isinstance(a, _PLAIN) or (isinstance(a, tuple) and plain_key(a)) for a in args)


def memo(max_entries: int) -> Callable[[Callable], Callable]:
    """st.cache_resource for functions of plain arguments (`plain_key`), keyed by Python's own hash.

    Streamlit hashes every argument of a cached call through its own hasher: about 1.5 ms for a choice of
    a dozen years and tracks, several times a page run. Here the key is the argument tuple itself (one
    lru_cache per function, shared by every session, like st.cache_resource: never change a value). Such a
    function must be pure, and a page's is decorated once (`_once`, by file, name and line).
    """
    def decorator(**_: Any) -> Callable[[Callable], Callable]:
        return functools.lru_cache(maxsize=max_entries)

    return _once(decorator, {})
