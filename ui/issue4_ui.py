"""Display helpers of the risk-election, program what-if and payment-model pages.

Money and rates as people read them ($12.4M, 3.79%), plotly charts with the PNG download button in
their toolbar, every table with a CSV download, the data-source banner, URL warnings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import issue4_data as data
from ui.issue4_format import count, money, pct

__all__ = ["banner", "chart", "count", "formatted", "money", "pct", "table", "warn"]

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
          height: int | None = None) -> None:
    """Show `display` and offer `raw` (numbers unformatted) as CSV."""
    kwargs = {"height": height} if height else {}
    st.dataframe(display, hide_index=True, width="stretch", **kwargs)
    st.download_button(
        "Download CSV", raw.to_csv(index=False).encode("utf-8"), file_name=file_name, mime="text/csv",
        key=f"csv_{key}",
    )


def chart(fig: go.Figure, *, key: str) -> None:
    """A plotly chart with the PNG download ("Download plot as a png") in its toolbar."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def banner() -> dict[str, object] | None:
    """Say which data the page shows; None (and an error) when there is no database."""
    key = data.db_key()
    if key[1] == 0.0:
        st.error(f"No database at {key[0]}. Build it with `python -m data.build` (or `make data`).")
        return None
    info = data.source_summary(key)
    if info["rows"] == 0:
        st.error("The database has no ACO-years. Rebuild it with `python -m data.build`.")
        return None
    years = f"PY{info['first_year']}-{info['last_year']}"
    if info["synthetic"]:
        st.info(f"Synthetic demo data ({years}): made-up ACOs, not CMS results.", icon=":material/science:")
    elif info["any_synthetic"]:
        st.warning(f"Mixed data ({years}): some rows are synthetic demo rows.")
    else:
        st.caption(f"Data: CMS MSSP public-use files, {years} ({len(info['files'])} files).")
    return info


def warn(messages: Sequence[str]) -> None:
    """The link's problems, one short warning."""
    if messages:
        st.warning("\n\n".join(messages), icon=":material/link_off:")
