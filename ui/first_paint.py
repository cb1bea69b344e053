"""A viewer's first page load: the page's numbers reach the browser a moment before its first chart.

Streamlit's frontend loads the code of each kind of element when the first one arrives (React.lazy), and
shows a grey placeholder until then. React then holds back what has loaded until 500 ms after the last
placeholder appeared (its Suspense "fallback throttle", react-dom 18.3). A page run that sends its metrics
and its first chart within that half second therefore has the browser fetch the 4.7 MB chart library and
run it (about a second of the browser's one thread on this 2-core machine) before the numbers are drawn:
a shared what-if link showed its first number 5.1 s after the server started, 2.3x Streamlit's one-metric
app, whatever the server did (benchmarks/pages.py). Charts sent 0.6 s after the numbers arrive after the
numbers are drawn: 3.3 s, 1.5x, and the page finished drawing at the same time (5.3 s), the library
being fetched and run meanwhile all the same. The browser drew the numbers 0.6-0.7 s after they arrived
(the throttle, and the controls' code loading); held 0.8 s from the run's start, the charts came 50 ms
after that on a loaded machine, so the hold is 1.0 s (measured the same, 3.3 s, with a narrower spread).

So on a session's first run (a browser opening a link: later runs find the chart code loaded), the first
chart waits until `HOLD_S` after the run started (every page sends its headline numbers first). It waits
only for what is left of that time: a run slower than that (a cold server, a busy one) does not wait. It
never waits without a browser: AppTest's sessions have no request headers.
"""

from __future__ import annotations

import time

import streamlit as st

HOLD_S = 1.0  # from the run's start; its numbers are out within 0.2 s of a warm run (what-if: 0.15 s)
# session_state: when the session's first run started (time.monotonic) while its first chart may still
# wait; None once it may not (the session ran before, it has no browser, or the wait is done).
_STARTED = "_first_paint_started"


def run_started() -> None:
    """app.py, as each page run starts: the session's first run notes its start (a browser's session)."""
    state = st.session_state
    if _STARTED not in state:  # a browser's websocket has headers; AppTest has no request
        state[_STARTED] = time.monotonic() if st.context.headers else None


def run_finished() -> None:
    """app.py, after a page run that ended normally: a page without a chart lets later runs be."""
    st.session_state[_STARTED] = None


def wait_for_numbers() -> float:
    """Called before each chart: on the session's first run, wait until HOLD_S after the run started (the
    first chart only); the seconds waited."""
    started = st.session_state.get(_STARTED)
    if started is None:
        return 0.0
    st.session_state[_STARTED] = None
    wait = started + HOLD_S - time.monotonic()
    if wait <= 0:
        return 0.0
    time.sleep(wait)
    return wait
