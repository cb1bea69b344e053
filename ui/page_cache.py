"""st.cache_resource / st.cache_data for functions defined in a page script, decorated once per process.

A page script runs afresh on every page run, so `@st.cache_resource` on a function defined in it runs on
every run too, and Streamlit names each cache by reading the function's source (inspect.getsource, which
tokenizes the page file: about 10 ms a function, on the one core every viewer's runs share). These
decorators wrap a page's function the first time only and hand back that wrapper on every later run
(keyed by file, name and first line). Such a function must depend on its arguments and on the page's
imports and constants only, never on a value the run computed: the first run's function is the one kept.
`memo` keeps a pure function's results by its (hashable) arguments without Streamlit's hashing.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
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


class Memo:
    """A function's results kept by its arguments, shared by every session, in this process's memory.

    For pure functions of hashable values (frozen dataclasses, tuples, numbers, text) called on every page
    run: st.cache_resource hashes its arguments through Streamlit's hasher (a dataclass is copied field by
    field with dataclasses.asdict: a millisecond and more a call), where a dict lookup takes microseconds.
    `key`, when given, maps the arguments to the key the result depends on (e.g. a scenario without the
    fields the function ignores), so that calls differing only there share one result. Least recently used
    entries go beyond `max_entries`. An exception is raised to the caller and nothing is kept. The value is
    shared, never copied: never change it.
    """

    def __init__(self, function: Callable[..., Any], max_entries: int,
                 key: Callable[..., Any] | None = None) -> None:
        self.function, self.max_entries, self.key = function, max_entries, key
        self._values: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        functools.update_wrapper(self, function)
        _MEMOS.add(self)

    def __call__(self, *args: Any) -> Any:
        key = self.key(*args) if self.key is not None else args
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = self.function(*args)  # outside the lock: another session's different call need not wait
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_MEMOS: weakref.WeakSet[Memo] = weakref.WeakSet()


def clear_memos() -> None:
    """Forget every Memo's results (tests: a page run computing everything afresh)."""
    for kept in list(_MEMOS):
        kept.clear()


def memo(max_entries: int, key: Callable[..., Any] | None = None) -> Callable[[Callable], Memo]:
    """`Memo(function, max_entries, key)`, made once per process for a function defined in a page script
    (like `cache_resource` here): the page's later runs get the first run's Memo, with its results."""
    def decorate(function: Callable) -> Memo:
        code = function.__code__
        name = (code.co_filename, function.__qualname__, code.co_firstlineno)
        wrapper = _WRAPPERS.get(name)
        if wrapper is None:
            wrapper = _WRAPPERS.setdefault(name, Memo(function, max_entries, key))
        return wrapper  # type: ignore[return-value]

    return decorate
