"""Display helpers shared by every page.

Money and rates as people read them ($12.4M, 3.79%), plotly charts with the PNG download button in
their toolbar, every table with a CSV download, URL warnings (the data banner is ui.database's).
Text from a link or a data file goes through `plain` (ui.text) before Streamlit renders it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from ui import fast_figure, first_paint, page_cache, print_view
from ui.formatting import (
    DOLLARS_HINT,
    DOLLARS_PATTERN,
    count,
    dollars,
    money,
    parse_dollars,
    pct,
    read_dollars,
)
from ui.text import plain

__all__ = ["cached_chart", "chart", "count", "csv_button", "formatted", "money", "money_input", "pct",
           "plain", "table", "tabs", "warn"]

MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
SHARED = "_aco_lens_shared"  # set on a cached figure: every session draws that one object, so never change it
PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToAdd": ["toImage"],
}


def formatted(frame: pd.DataFrame, money_cols: Sequence[str] = (), pct_cols: Sequence[str] = (),
              count_cols: Sequence[str] = (), rename: Mapping[str, str] | None = None, *,
              objects: bool = False) -> pd.DataFrame:
    """A copy for display: money/rates/counts as text, columns renamed for people.

    `objects`: the formatted columns hold plain Python strings, not pandas 3's Arrow strings (the same
    text; making an Arrow string column took about half a millisecond, for wide tables made again on
    every change of a control).
    """
    out = frame.copy()
    for cols, shown in ((money_cols, money), (pct_cols, pct), (count_cols, count)):
        for c in cols:
            if c in out:
                out[c] = (pd.Series([shown(v) for v in out[c].tolist()], index=out.index, dtype=object)
                          if objects else _mapped(out[c], shown))
    return out.rename(columns=dict(rename or {}))


def _mapped(column: pd.Series, shown: Callable[[object], str]) -> object:
    """`column.map(shown)`; a numpy column through a list (Series.map took ~0.5 ms a column: tables are
    formatted on the page runs that change them). The same text and dtype either way."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiub":
        return [shown(v) for v in column.tolist()]
    return column.map(shown)


PRINTED_ROWS = 200  # a printed table stops here (the page's CSV holds every row)
# Shorter headers for the app's longest column names, so that wide tables read whole at 1440 px; the full
# name stays the header's tooltip (and the CSV's column). "X (as changed)" / "X (change)" read "X" / "X, Δ".
SHORT_HEADERS = {
    "Shared savings paid": "Savings paid", "Net savings to Medicare": "Net to Medicare",
    "Losses collected": "Collected", "ACOs paid": "# paid", "ACOs owing": "# owing",
    "Recouped: model - CMS": "Model - CMS", "Earned savings": "Earned",
    "Within quality rounding": "In rounding", "From public inputs": "Public inputs",
    "CMS (before EUC relief)": "CMS", "Model (public inputs)": "Model (public)",
    "Public inputs alone": "Public alone", "Outcome column read": "Outcome read",
}


def short_header(name: object) -> str | None:
    """The shorter header for a column name, or None to keep it.

    >>> short_header("ACOs owing (change)"), short_header("Shared savings paid"), short_header("Year")
    ('# owing, Δ', 'Savings paid', None)
    """
    text = str(name)
    for suffix, shown in ((" (as changed)", "{}"), (" (change)", "{}, Δ"), (" (as was)", "{}, was")):
        if text.endswith(suffix):
            stem = text[: -len(suffix)]
            return shown.format(SHORT_HEADERS.get(stem, stem))
    return SHORT_HEADERS.get(text)


def table(display: pd.DataFrame, raw: pd.DataFrame, file_name: str, *, key: str,
          height: int | None = None, column_config: Mapping[str, object] | None = None,
          hidden: Sequence[str] = ()) -> None:
    """Show `display` and offer `raw` (numbers unformatted) as CSV.

    Long headers are shortened (`short_header`, the full name as the header's tooltip) and `hidden`
    columns left off the screen (they stay in the CSV), so that wide tables read whole at 1440 px; a table
    of 8 columns or more keeps its first column in view when scrolled sideways. Printing
    (ui.print_view): a static table that wraps instead.
    """
    if print_view.printing():
        static_table(display.drop(columns=[c for c in hidden if c in display.columns]))
        return
    config: dict[str, object] = dict(column_config or {})
    for column in display.columns:
        label = short_header(column)
        if column in hidden:
            config[column] = None  # Streamlit hides a column configured as None
        elif label is not None and column not in config:
            config[column] = st.column_config.Column(label, help=str(column))
    if len(display.columns) >= 8 and display.columns[0] not in config:
        config[display.columns[0]] = st.column_config.Column(pinned=True)
    kwargs = {"height": height} if height else {}
    st.dataframe(arrow_table(display), hide_index=True, width="stretch", column_config=config or None,
                 **kwargs)
    csv_button(raw, file_name, key=key)


_ARROW = "_aco_lens_arrow"


def arrow_table(display: pd.DataFrame) -> pa.Table:
    """`display` as the Arrow table st.dataframe would make of it (the same bytes reach the browser), made
    once per frame object: a table kept by a page's memo (the same frame every run and every session) is
    not converted again. pandas -> Arrow took 2-3 ms even for a 12-row table. A frame is never changed
    after it is shown (a changed copy is a new object, with its own table)."""
    kept = display.__dict__.get(_ARROW)
    if kept is None or kept.num_rows != len(display) or kept.num_columns < len(display.columns):
        kept = dataframe_util.convert_pandas_df_to_arrow_table(display)
        object.__setattr__(display, _ARROW, kept)  # not a column: pandas' own __setattr__ would warn
    return kept


def csv_button(raw: pd.DataFrame, file_name: str, *, key: str) -> None:
    """The "Download CSV" button of `table` (nothing when printing: nothing to download on paper)."""
    if print_view.printing():
        return
    # The CSV is made only when the button is clicked: writing and hashing every table's CSV on every page
    # run cost CPU every viewer waits on.
    st.download_button("Download CSV", functools.partial(csv_bytes, raw), file_name=file_name,
                       mime="text/csv", key=f"csv_{key}", on_click="ignore")


def tabs(names: Sequence[str]) -> list:
    """st.tabs, or, printing (ui.print_view), one headed section after another: paper shows every tab."""
    if not print_view.printing():
        return list(st.tabs(list(names)))
    sections = []
    for name in names:
        section = st.container()
        section.subheader(name)
        sections.append(section)
    return sections


PRINTED_COLUMNS = 9  # a sheet's width: a wider table prints as several, each led by the first column


def static_table(display: pd.DataFrame) -> None:
    """`display` as static tables (st.table: wraps, prints whole), every cell and header shown as text."""
    head = display.head(PRINTED_ROWS)
    shown = head.astype(object).where(head.notna(), "-").map(plain)
    first, rest = list(shown.columns[:1]), list(shown.columns[1:])
    step = PRINTED_COLUMNS - 1
    for start in range(0, max(len(rest), 1), step):
        part = shown[first + rest[start:start + step]]
        st.table(part.rename(columns=lambda c: plain(c)), hide_index=True)
    if len(display) > PRINTED_ROWS:
        st.caption(f"The first {PRINTED_ROWS:,} of {len(display):,} rows.")


def csv_bytes(raw: pd.DataFrame) -> bytes:
    """A table as CSV without float noise: 12 significant digits (-227418.22, not -227418.22000000067).

    >>> frame = pd.DataFrame({"earned": [-227418.22000000067, 1650927172.0], "rate": [0.023539851331, 1]})
    >>> csv_bytes(frame).decode().splitlines()
    ['earned,rate', '-227418.22,0.023539851331', '1650927172,1']
    """
    return raw.to_csv(index=False, float_format="%.12g").encode("utf-8")


# Chart text at 13 px in the body's own colour: Streamlit's default is 12 px faded grey (3.7:1 contrast).
_CHART_TEXT = {"light": "#31333f", "dark": "#e6e8ef"}


def _theme() -> str:
    theme = str(st.context.theme.type or "light")
    return theme if theme in _CHART_TEXT else "light"


def _finish(fig: go.Figure, theme: str) -> None:
    """Margins, and text legible in the viewer's theme (applied once to a shared figure, before sharing)."""
    color = _CHART_TEXT[theme]
    fig.update_layout(margin=MARGIN, legend_font={"color": color}, title_font={"color": color})
    fig.update_xaxes(tickfont={"size": 13, "color": color}, title_font={"color": color})
    fig.update_yaxes(tickfont={"size": 13, "color": color}, title_font={"color": color})


@functools.cache
def _built_once(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """`build` behind st.cache_resource: one figure per distinct arguments and theme, for every session.

    st.cache_resource keeps the object itself (no copy), so the figure is finished here (margins, text
    colours for the theme) and marked: `chart` never changes a shared figure. Its dict is made here once
    too: st.plotly_chart asks the figure for `to_dict()`, which walks the whole figure again on every call
    (plotly base64-encodes each array through narwhals: most of what drawing an already built figure costs).
    """

    @functools.wraps(build)
    def finished(theme: str, *args: object) -> go.Figure:
        fig = fast_figure.finished(build(*args), MARGIN, _CHART_TEXT[theme])  # to_dict() is made once
        setattr(fig, SHARED, True)
        return fig

    # Hashable arguments (a frozen scenario, a database key) are looked up as they are (page_cache.Memo):
    # Streamlit's hasher copies a dataclass field by field on every call. Others go through Streamlit's.
    by_value = page_cache.Memo(finished, 256)
    by_streamlit = st.cache_resource(max_entries=256, show_spinner=False)(finished)

    @functools.wraps(build)
    def either(theme: str, *args: object) -> go.Figure:
        try:
            hash(args)
        except TypeError:
            return by_streamlit(theme, *args)
        return by_value(theme, *args)

    # Kept by a hashable value the caller names as standing for the arguments (`cached_chart`'s `by`).
    either.by = page_cache.Memo(lambda theme, by, *args: finished(theme, *args), 256,  # type: ignore[attr-defined]
                                key=lambda theme, by, *args: (theme, by))
    return either


def cached_chart(build: Callable[..., go.Figure], *args: object, key: str,
                 file_name: str | None = None, by: object = None) -> None:
    """`chart(build(*args))`, the figure built once for the same arguments and kept for every session.

    Building a plotly figure is the costliest part of a page run (every trace and layout change is
    validated property by property: tens of milliseconds a figure), and the same inputs give the same
    figure: a rerun whose chart inputs did not change (another control moved, another viewer on the same
    view) draws the figure already built. `build` is a pure function of its (hashable) arguments; `by`, when
    given, is a hashable value that stands for arguments that are not (the figure is kept by it instead).
    """
    built = _built_once(_named(build))
    fig = built(_theme(), *args) if by is None else built.by(_theme(), by, *args)
    chart(fig, key=key, file_name=file_name)


_BUILDERS: dict[tuple[str, str, str, int], Callable[..., go.Figure]] = {}


def _named(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """One builder per file and name: a page's own builder is a new function object every run (the page
    script runs afresh), and `_built_once` keeps one entry per function object."""
    code = getattr(build, "__code__", None)
    name = (getattr(build, "__module__", ""), build.__qualname__, code.co_filename if code else "",
            code.co_firstlineno if code else 0)
    return _BUILDERS.setdefault(name, build)


def chart(fig: go.Figure, *, key: str, file_name: str | None = None) -> None:
    """A plotly chart with the PNG download ("Download plot as a png") in its toolbar.

    The PNG is named after the chart (`file_name`, else its title), not "plot-image.png".
    """
    if not getattr(fig, SHARED, False):  # finished on its dict: update_layout validates every property again
        fig = fast_figure.finished(fig, MARGIN, _CHART_TEXT[_theme()])
    title = fast_figure.title(fig) or key
    config = {**PLOTLY_CONFIG,
              "toImageButtonOptions": {**PLOTLY_CONFIG["toImageButtonOptions"],
                                       "filename": image_name(file_name or title)}}
    first_paint.wait_for_numbers()  # a session's first run: its numbers drawn before the chart library loads
    st.plotly_chart(fig, width="stretch", config=config, key=key)


def image_name(title: str) -> str:
    """A chart title as a file name ("Payment curve: BASIC Level E" -> "payment-curve-basic-level-e").

    >>> image_name("From benchmark $600.5M - expenditure $577.8M <b>to</b> settlement")
    'from-benchmark-600-5m-expenditure-577-8m-to-settlement'
    """
    text = re.sub(r"<[^>]+>", " ", title).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "aco-lens-chart"


def money_input(place, label: str, *, key: str, current: float, limits: tuple[float, float],
                help: str | None = None, zero: str | None = None) -> tuple[float, str | None]:
    """A dollar box that reads as money ("$1,650,927,172") and takes what people type ("$1.65B", "750k").

    Returns (the amount, None), or (`current`, a one-line message) when the text cannot be used: `current`
    is the amount in force (the link's, exact) and the box shows it as `dollars` does until it is edited
    (seeded so when the session does not hold it yet). The label carries the short form
    of the amount (`zero` in its place for $0, e.g. "unknown"). The browser refuses text that is not an
    amount (`DOLLARS_PATTERN`) before sending it; whatever still arrives is checked here. (A number_input
    cannot show thousands separators.)
    """
    if key not in st.session_state:  # a box not shown on the last run (Streamlit forgot it): as it stands
        st.session_state[key] = dollars(current)
    value, problem = read_dollars(st.session_state.get(key), current, *limits, name=label)
    shown = zero if zero is not None and value == 0 else money(value)
    place.text_input(f"{label} ({shown})", key=key, help=help, on_change=_tidy_dollars, args=(key,),
                     validate=(DOLLARS_PATTERN, DOLLARS_HINT))
    return value, problem


def _tidy_dollars(key: str) -> None:
    """After an edit, show the amount typed ("1.65b") in full ("$1,650,000,000") when that loses nothing."""
    try:
        value = parse_dollars(st.session_state[key])
    except (ValueError, KeyError):
        return
    if parse_dollars(dollars(value)) == value:
        st.session_state[key] = dollars(value)


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

