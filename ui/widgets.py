"""Display helpers shared by every page.

Money and rates as people read them ($12.4M, 3.79%), plotly charts with the PNG download button in
their toolbar, every table with a CSV download, URL warnings (the data banner is ui.database's).
Text from a link or a data file goes through `plain` (ui.text) before Streamlit renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.formatting import count, money, pct
from ui.text import plain

__all__ = ["chart", "count", "formatted", "money", "pct", "plain", "table", "warn"]

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


def chart(fig: go.Figure, *, key: str) -> None:
    """A plotly chart with the PNG download ("Download plot as a png") in its toolbar."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def warn(messages: Sequence[str]) -> None:
    """The link's problems (plain text, holding the link's own text), one short warning shown as text."""
    if messages:
        st.warning("\n\n".join(plain(m) for m in messages), icon=":material/link_off:")


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

