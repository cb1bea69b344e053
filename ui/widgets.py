"""Display helpers shared by every page.

Money and rates as people read them ($12.4M, 3.79%), plotly charts with the PNG download button in
their toolbar, every table with a CSV download, URL warnings (the data banner is ui.database's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.formatting import count, money, pct

__all__ = ["cached_chart", "chart", "count", "formatted", "money", "pct", "table", "warn"]

MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
SHARED = "_aco_lens_shared"  # set on a cached figure: every session draws that one object, so never change it
PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToAdd": ["toImage"],
}


def formatted(frame: pd.DataFrame, money_cols: Sequence[str] = (), pct_cols: Sequence[str] = (),
              count_cols: Sequence[str] = (), rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy for display: money/rates/counts as text, columns renamed for people."""
    out = frame.copy()
    for c in money_cols:
        if c in out:
            out[c] = out[c].map(money)
    for c in pct_cols:
        if c in out:
            out[c] = out[c].map(pct)
    for c in count_cols:
        if c in out:
            out[c] = out[c].map(count)
    return out.rename(columns=dict(rename or {}))


def table(display: pd.DataFrame, raw: pd.DataFrame, file_name: str, *, key: str,
          height: int | None = None, column_config: Mapping[str, object] | None = None) -> None:
    """Show `display` and offer `raw` (numbers unformatted) as CSV."""
    kwargs = {"height": height} if height else {}
    st.dataframe(display, hide_index=True, width="stretch", column_config=column_config, **kwargs)
    st.download_button(
        "Download CSV", raw.to_csv(index=False).encode("utf-8"), file_name=file_name, mime="text/csv",
        key=f"csv_{key}",
    )


@functools.cache
def _built_once(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """`build` behind st.cache_resource: one figure per distinct arguments, shared by every session.

    st.cache_resource keeps the object itself (no copy), so the figure is finished here (its margins) and
    marked: `chart` never changes a shared figure. Its dict is made here once too: st.plotly_chart asks the
    figure for `to_dict()`, which walks the whole figure again on every call (plotly base64-encodes each
    array through narwhals: most of what drawing an already built figure costs).
    """

    @functools.wraps(build)
    def finished(*args: object) -> go.Figure:
        fig = build(*args)
        fig.update_layout(margin=MARGIN)
        spec = fig.to_dict()
        fig.to_dict = lambda: spec  # read by st.plotly_chart only, never changed (tests/unit/test_serving.py)
        setattr(fig, SHARED, True)
        return fig

    return st.cache_resource(max_entries=256, show_spinner=False)(finished)


def cached_chart(build: Callable[..., go.Figure], *args: object, key: str) -> None:
    """`chart(build(*args))`, the figure built once for the same arguments and kept for every session.

    Building a plotly figure is the costliest part of a page run (every trace and layout change is
    validated property by property: tens of milliseconds a figure), and the same inputs give the same
    figure: a rerun whose chart inputs did not change (another control moved, another viewer on the same
    view) draws the figure already built. `build` is a pure function of its (hashable) arguments.
    """
    chart(_built_once(build)(*args), key=key)


def chart(fig: go.Figure, *, key: str) -> None:
    """A plotly chart with the PNG download ("Download plot as a png") in its toolbar."""
    if not getattr(fig, SHARED, False):
        fig.update_layout(margin=MARGIN)
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def warn(messages: Sequence[str]) -> None:
    """The link's problems, one short warning."""
    if messages:
        st.warning("\n\n".join(messages), icon=":material/link_off:")


def page_start(title: str, caption: str):
    """Title, caption and the data banner; returns the database key, the link's parameters and a
    place above the controls for the link's warnings (filled once the page has read them)."""
    from ui import database
    from ui.link_params import Params

    st.title(title)
    st.caption(caption)
    key = database.db_key()
    database.banner(key)
    return key, Params(st.query_params.to_dict()), st.container()

