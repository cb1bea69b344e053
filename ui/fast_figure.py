"""Plotly figures written as the JSON plotly.js reads, without plotly.py's property machinery.

plotly.py checks every property of a figure as it is set: building one of the what-if's charts took
15-70 ms of CPU (add_hline and add_vrect alone about 10 ms each), and adding margins and text colours
(`update_layout`, `update_xaxes`) another 10-30 ms, on the one core every viewer's page runs share
(benchmarks/load.py). The dict is what Streamlit sends anyway (`st.plotly_chart` asks the figure for
`to_dict()` and encodes that), so the charts on the hot paths write it directly: `figure(data, layout)`
returns a go.Figure that answers `to_dict()` with that dict, plotly's default template included, so the
browser draws exactly what plotly.py would have sent. Arrays go as plotly's typed arrays (base64).

`finish(spec, theme_color)` applies the margins and text colours to such a dict, and `finished(fig)`
makes the dict of any figure (built with plotly.py or here) and finishes that: the same JSON as
`fig.update_layout(...)`, without the validation (tests/unit/test_fast_figure.py).
"""

from __future__ import annotations

import base64
import copy
import functools
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array, to_scalar_or_list

SPEC = "_aco_lens_spec"  # set on a figure made here: its dict, what to_dict() returns
_AXIS = re.compile(r"^[xy]axis\d*$")
_DTYPES = {"float64": "f8", "float32": "f4", "int64": "i8", "int32": "i4", "int16": "i2", "int8": "i1",
           "uint8": "u1", "uint16": "u2", "uint32": "u4"}


def template() -> dict:
    """The default template, as go.Figure() puts it in every figure's layout (shared: never changed).

    Importing streamlit makes its own template ("streamlit", colours the browser fills in) the default.
    """
    name = pio.templates.default
    return _template(name) if isinstance(name, str) else go.Figure().to_dict()["layout"]["template"]


@functools.cache
def _template(name: str) -> dict:
    return go.Figure().to_dict()["layout"]["template"]


def array(values: Iterable) -> object:
    """A column of numbers as plotly.py sends it: numeric numpy data as a typed array, else a list.

    >>> array(np.array([1.0, 2.0]))
    {'dtype': 'f8', 'bdata': 'AAAAAAAA8D8AAAAAAAAAQA=='}
    >>> array(["a", "b"])
    ['a', 'b']
    """
    data = np.asarray(values) if not isinstance(values, np.ndarray) else values
    code = _DTYPES.get(str(data.dtype))
    if code is None or data.ndim != 1:
        return data.tolist() if isinstance(values, np.ndarray) or hasattr(values, "tolist") else list(values)
    return {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(data).tobytes()).decode("ascii")}


def figure(data: list[dict], layout: Mapping[str, object]) -> go.Figure:
    """A figure whose to_dict() is {"data": data, "layout": layout + plotly's template}, unvalidated.

    Each trace dict names its `type` last, as plotly.py writes it; the layout's keys are plotly's.
    """
    spec = {"data": data, "layout": {**layout, "template": template()}}
    return wrap(spec)


def wrap(spec: dict) -> go.Figure:
    """A go.Figure standing for `spec`: to_dict() returns the dict itself (never change it afterwards)."""
    return _Drawn(spec)


class _LayoutView:
    """Attribute access to a figure dict's layout (`view.title.text`, `view.height`), read-only; a missing
    attribute reads as None, as plotly's do (a missing title as a title without text)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping) -> None:
        self._values = values

    def __getattr__(self, name: str) -> object:
        value = self._values.get(name)
        if name == "title" and not isinstance(value, Mapping):  # plotly's shorthand: title="..."
            value = {"text": value}
        return _LayoutView(value) if isinstance(value, Mapping) else value


class _Spec(dict):
    """A drawn figure's dict, as to_dict() gives it, with room for its JSON text: st.plotly_chart hands
    plotly.io.to_json the figure's to_dict() (plotly.tools.return_figure_from_figure_or_data), not the
    figure, so the text is kept on the dict."""

    __slots__ = ("json",)


class _Drawn(go.Figure):
    """A go.Figure that is its dict: plotly.py's own __init__ is skipped (it took about 5 ms even
    unvalidated, on every figure made). st.plotly_chart reads to_dict(); `layout` carries only the title
    (chart file names read it). Never change one: no update_layout, add_trace or the like."""

    def __init__(self, spec: dict) -> None:  # noqa: D107 - no super().__init__: nothing to build
        object.__setattr__(self, SPEC, spec if type(spec) is _Spec else _Spec(spec))

    def to_dict(self) -> dict:
        return getattr(self, SPEC)

    @property
    def layout(self) -> _LayoutView:  # type: ignore[override]
        # Read, never built: st.plotly_chart asks for layout.height and ui.widgets.chart for the title (a
        # go.Layout made for that took 1.6 ms a time, and one holding only the title gave Streamlit 450 px
        # as every figure's height; the browser drew the figure's own height all the same).
        return _LayoutView(getattr(self, SPEC).get("layout", {}))

    def _unchangeable(self, *args: object, **kwargs: object) -> None:
        raise TypeError("a figure made by ui.fast_figure is its dict: change the dict, not the figure")

    update_layout = update_xaxes = update_yaxes = update_traces = add_trace = add_shape = _unchangeable


_plotly_to_json = pio.to_json


def _to_json(fig: object, *args: object, **kwargs: object) -> str:
    """plotly.io.to_json, its text kept on a figure made here: st.plotly_chart encodes the figure on every
    page run, and a figure kept by ui.widgets.cached_chart is the same, unchangeable, figure every run (its
    JSON, with plotly's template, took milliseconds to encode each time). Other figures as plotly does."""
    spec = getattr(fig, SPEC) if type(fig) is _Drawn else fig
    # A drawn figure, or its dict unvalidated (st.plotly_chart's call), is the one text; a dict to validate
    # and other options go to plotly.
    if args or set(kwargs) - {"validate"} or type(spec) is not _Spec or (
            spec is fig and kwargs.get("validate", True)):
        return _plotly_to_json(fig, *args, **kwargs)
    text = getattr(spec, "json", None)
    if text is None:
        text = spec.json = _plotly_to_json(fig, **kwargs)
    return text


pio.to_json = _to_json  # st.plotly_chart calls plotly.io.to_json(figure, validate=False) when it runs


def title(fig: go.Figure) -> str | None:
    """A figure's title text (a figure made here: read from its dict, plotly.py not asked)."""
    spec = getattr(fig, SPEC, None)
    if spec is not None:
        return _title(spec)
    return fig.layout.title.text if fig.layout.title else None


def _title(spec: Mapping) -> str | None:
    title = spec.get("layout", {}).get("title")
    return title.get("text") if isinstance(title, Mapping) else title


def finished(fig: go.Figure, margin: Mapping[str, int], color: str) -> go.Figure:
    """`fig` with margins and text in `color`, as a new figure made here (fig itself unchanged)."""
    own = getattr(fig, SPEC, None)
    if own is None:
        spec = fig.to_dict()
    else:  # a copy of what finish changes only: the data and the template stay shared
        layout = {k: copy.deepcopy(v) if k in _FINISHED or _AXIS.match(k) else v
                  for k, v in own.get("layout", {}).items()}
        spec = {**own, "layout": layout}
    finish(spec, margin, color)
    return wrap(spec)


_FINISHED = frozenset({"margin", "legend", "title"})


def finish(spec: dict, margin: Mapping[str, int], color: str) -> None:
    """Margins and text colour set in a figure's dict, as ui.widgets used to with update_layout:
    layout margin, legend and title font colour, and on every x and y axis tick font (13 px) and title
    font colour (`xaxis` and `yaxis` always, as update_xaxes writes them even for a pie)."""
    layout = spec.setdefault("layout", {})
    _merge(layout, {"margin": dict(margin), "legend": {"font": {"color": color}},
                    "title": {"font": {"color": color}}})
    axes = [k for k in layout if _AXIS.match(k)]
    axes += [name for name in ("xaxis", "yaxis") if name not in axes]  # plotly adds them to any figure
    for name in axes:
        _merge(layout.setdefault(name, {}), {"tickfont": {"size": 13, "color": color},
                                             "title": {"font": {"color": color}}})


def _merge(into: dict, update: Mapping) -> None:
    for key, value in update.items():
        if isinstance(value, Mapping):
            current = into.get(key)
            if not isinstance(current, dict):
                current = {} if current is None else {"text": current} if key == "title" else {}
                into[key] = current
            _merge(current, value)
        else:
            into[key] = value


# --- shapes and annotations as plotly's add_hline / add_vline / add_vrect write them -----------------
def hline(y: float, color: str | None = None, dash: str | None = None, width: float | None = None) -> dict:
    return {"line": _line(color, dash, width), "type": "line", "x0": 0, "x1": 1, "xref": "x domain",
            "y0": y, "y1": y, "yref": "y"}


def vline(x: float, color: str | None = None, dash: str | None = None, width: float | None = None) -> dict:
    return {"line": _line(color, dash, width), "type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0,
            "y1": 1, "yref": "y domain"}


def vrect(x0: float, x1: float, fillcolor: str, opacity: float, line_width: float = 0) -> dict:
    return {"fillcolor": fillcolor, "line": {"width": line_width}, "opacity": opacity, "type": "rect",
            "x0": x0, "x1": x1, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}


def _line(color: str | None, dash: str | None, width: float | None) -> dict:
    out: dict[str, object] = {}
    if color is not None:
        out["color"] = color
    if dash is not None:
        out["dash"] = dash
    if width is not None:
        out["width"] = width
    return out


def hline_note(y: float, text: str, position: str) -> dict:
    """add_hline's annotation: "bottom right" sits under the line at the right end, "top right" above."""
    vertical, horizontal = position.split()
    return {"showarrow": False, "text": text, "x": 1 if horizontal == "right" else 0, "xanchor": horizontal,
            "xref": "x domain", "y": y, "yanchor": "top" if vertical == "bottom" else "bottom", "yref": "y"}


def vline_note(x: float, text: str, position: str) -> dict:
    """add_vline's annotation: "top right" at the top, right of the line; "bottom left" at the bottom."""
    vertical, horizontal = position.split()
    return {"showarrow": False, "text": text, "x": x, "xanchor": "left" if horizontal == "right" else "right",
            "xref": "x", "y": 1 if vertical == "top" else 0, "yanchor": vertical, "yref": "y domain"}


def vrect_note(x0: float, text: str, position: str) -> dict:
    """add_vrect's annotation at "top left": inside the rectangle at its top left corner."""
    vertical, horizontal = position.split()
    return {"showarrow": False, "text": text, "x": x0, "xanchor": horizontal, "xref": "x",
            "y": 1 if vertical == "top" else 0, "yanchor": vertical, "yref": "y domain"}


# --- plotly.py's figure calls, written straight into the dict ------------------------------------------
class Draft:
    """A figure drawn with plotly.py's own calls (add_bar, add_hline, update_layout, ...) into its JSON.

    The builders of the overview and the explorer read as plotly.py code, but nothing is validated: each
    call writes what plotly.py would write (magic underscores `marker_color` -> marker.color, a title
    string -> title.text, None left out, pandas and numpy arrays as plotly's typed arrays). `figure()`
    returns the go.Figure standing for that dict (`wrap`). tests/unit/test_fast_figure.py checks that
    plotly.py validates each one and writes the same JSON back.
    """

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {}

    def add_trace(self, kind: str, **props: object) -> Draft:
        self.data.append({**_props(props), "type": kind})
        return self

    def add_bar(self, **props: object) -> Draft:
        return self.add_trace("bar", **props)

    def add_scatter(self, **props: object) -> Draft:
        return self.add_trace("scatter", **props)

    def add_box(self, **props: object) -> Draft:
        return self.add_trace("box", **props)

    def add_heatmap(self, **props: object) -> Draft:
        return self.add_trace("heatmap", **props)

    def add_histogram(self, **props: object) -> Draft:
        return self.add_trace("histogram", **props)

    def add_waterfall(self, **props: object) -> Draft:
        return self.add_trace("waterfall", **props)

    def add_shape(self, **props: object) -> Draft:
        self.layout.setdefault("shapes", []).append(_props(props))
        return self

    def add_annotation(self, **props: object) -> Draft:
        self.layout.setdefault("annotations", []).append(_props(props))
        return self

    def add_hline(self, y: float, **props: object) -> Draft:
        """add_hline's shape (a line across the plot at `y`)."""
        return self._line({"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": _scalar(y),
                           "y1": _scalar(y), "yref": "y"}, props)

    def add_vline(self, x: float, **props: object) -> Draft:
        """add_vline's shape (a line up the plot at `x`)."""
        return self._line({"type": "line", "x0": _scalar(x), "x1": _scalar(x), "xref": "x", "y0": 0,
                           "y1": 1, "yref": "y domain"}, props)

    def _line(self, shape: dict, props: Mapping[str, object]) -> Draft:
        _merge(shape, _props(props))
        self.layout.setdefault("shapes", []).append(shape)
        return self

    def update_layout(self, **props: object) -> Draft:
        _merge(self.layout, _props(props, updating=True))
        return self

    def figure(self) -> go.Figure:
        """The go.Figure of this dict, plotly's default template included (`figure`), typed arrays encoded."""
        spec = {"data": self.data, "layout": {**self.layout, "template": template()}}
        _encode(spec)
        return wrap(spec)


_UNDERSCORED = frozenset({"plot_bgcolor", "paper_bgcolor", "error_x", "error_y", "error_z"})  # real names


def _props(props: Mapping[str, object], updating: bool = False) -> dict:
    """Keyword arguments as plotly.py writes them: `a_b=v` -> {"a": {"b": v}}, None left out; but a title
    set to None by update_layout is an empty title object (`updating`), as plotly.py writes it."""
    out: dict = {}
    for key, value in props.items():
        *path, last = [key] if key in _UNDERSCORED else key.split("_")
        if value is None:
            if not (updating and last == "title"):
                continue
            value = {}
        into = out
        for part in path:
            into = into.setdefault(part, {})
        value = _value(last, value, updating)
        if isinstance(value, dict) and isinstance(into.get(last), dict):
            _merge(into[last], value)
        else:
            into[last] = value
    return out


def _value(key: str, value: object, updating: bool) -> object:
    if isinstance(value, Mapping):
        return _props(value, updating)
    if key == "title" and isinstance(value, str):
        return {"text": value}
    if isinstance(value, pd.Series | pd.Index) and isinstance(value.dtype, np.dtype):
        value = value.to_numpy()  # what plotly's own conversion gives a numpy-backed column, without narwhals
    if isinstance(value, np.ndarray):  # as plotly's validators keep it (copy_to_readonly_numpy_array)
        return value if value.dtype.kind in "uifOM" else value.astype(object)
    if isinstance(value, pd.Series | pd.Index):  # arrow strings, nullable numbers: plotly's conversion
        return copy_to_readonly_numpy_array(value)
    if isinstance(value, list | tuple):
        return to_scalar_or_list(value)
    return _scalar(value)


def _scalar(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _encode(value: object) -> None:
    """Numeric arrays as plotly's typed arrays, as to_dict writes them (_plotly_utils.utils
    .convert_to_base64, without its per-array conversions), other arrays as lists."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, np.ndarray):
            value[key] = item.tolist() if key in _NOT_TYPED else _typed(item)  # type: ignore[index]
        else:
            _encode(item)


_NOT_TYPED = frozenset({"geojson", "layer", "layers", "range"})  # plotly's skipped keys
_INTS = (("int8", np.iinfo(np.int8)), ("int16", np.iinfo(np.int16)), ("int32", np.iinfo(np.int32)))
_UINTS = (("uint8", np.iinfo(np.uint8)), ("uint16", np.iinfo(np.uint16)), ("uint32", np.iinfo(np.uint32)))


def _typed(data: np.ndarray) -> object:
    """_plotly_utils.utils.to_typed_array_spec: 64-bit integers narrowed (plotly.js has no BigInt arrays)."""
    if data.size and data.dtype.kind in "iu" and data.dtype.itemsize == 8:
        low, high = data.min(), data.max()
        narrower = next((t for t, info in (_INTS if data.dtype.kind == "i" else _UINTS)
                         if info.min <= low and high <= info.max), None)
        if narrower is None:
            return data.tolist()
        data = data.astype(narrower)
    code = _SHORT.get(str(data.dtype))
    if code is None or not data.size:
        return data.tolist()
    out = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(data).tobytes()).decode("ascii")}
    if data.ndim > 1:
        out["shape"] = str(data.shape)[1:-1]
    return out


_SHORT = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4", "uint32": "u4",
          "float32": "f4", "float64": "f8"}
