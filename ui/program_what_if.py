"""Program what-if page state (no Streamlit): the rule change in URL form and back.

URL keys (rates as percentages): `year`; per track `share`, `limit`, `loss_rate`, `loss_limit` as
"TRACK:percent,..."; `msr` = "rules" | "flat" | "scale" with `msr_value` (a percentage for a flat
MSR/MLR, a factor for a scaled table); `qps` (the quality standard, percentage); `seq` (the
sequestration cut, percentage: 2 = shared savings x 0.98, 0 = none); `top` (ACOs listed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import pandas as pd
import plotly.graph_objects as go

from aco_model.program import RuleChange
from aco_model.rules import TRACKS
from ui import fast_figure as ff
from ui.link_params import Params, fmt_number, percent_map_text

MSR_MODES = ("rules", "flat", "scale")
TOP_CHOICES = (10, 20, 50, 100)
DEFAULT_FLAT_MSR = 0.01
DEFAULT_MSR_SCALE = 0.5
TWO_SIDED = tuple(t for t, r in TRACKS.items() if r.two_sided)
METRIC_LABELS = {
    "acos_paid": "ACOs paid",
    "acos_owing": "ACOs owing",
    "gross_savings": "Gross savings",
    "shared_savings_paid": "Shared savings paid",
    "losses_collected": "Losses collected",
    "net_savings_to_medicare": "Net savings to Medicare",
}


@dataclass
class ProgramState:
    year: int
    max_sharing_rates: dict[str, float] = field(default_factory=dict)
    payment_limits: dict[str, float] = field(default_factory=dict)
    loss_rates: dict[str, float] = field(default_factory=dict)
    loss_limits: dict[str, float] = field(default_factory=dict)
    msr_mode: str = "rules"
    msr_value: float | None = None  # fraction (flat) or factor (scale)
    quality_standard: float | None = None
    sequestration_cut: float | None = None  # fraction: 0.02 = x 0.98
    top: int = 20

    @classmethod
    def from_params(cls, params: Params, years: list[int]) -> ProgramState:
        default_year = max(years)
        year = params.integer("year", default_year, min(years), max(years))
        if year not in years:
            params.warnings.append(f"No ACOs in {year} in this database; showing {default_year}.")
            year = default_year
        state = cls(year=year)
        state.max_sharing_rates = params.percent_map("share", TRACKS)
        state.payment_limits = params.percent_map("limit", TRACKS)
        state.loss_rates = params.percent_map("loss_rate", TWO_SIDED)
        state.loss_limits = params.percent_map("loss_limit", TWO_SIDED)
        state.msr_mode = params.choice("msr", MSR_MODES, "rules")
        if state.msr_mode == "flat":
            pct = params.number("msr_value", DEFAULT_FLAT_MSR * 100, 0.0, 20.0)
            state.msr_value = (DEFAULT_FLAT_MSR * 100 if pct is None else pct) / 100
        elif state.msr_mode == "scale":
            factor = params.number("msr_value", DEFAULT_MSR_SCALE, 0.0, 10.0)
            state.msr_value = DEFAULT_MSR_SCALE if factor is None else factor
        qps = params.number("qps", None, 0.0, 100.0, shown_default="the year's standard")
        state.quality_standard = None if qps is None else qps / 100
        cut = params.number("seq", None, 0.0, 99.0, shown_default="the year's sequestration")
        state.sequestration_cut = None if cut is None else cut / 100
        state.top = params.choice("top", [str(t) for t in TOP_CHOICES], "20")
        state.top = int(state.top)
        return state

    def rule_change(self) -> RuleChange:
        return RuleChange(
            max_sharing_rates=dict(self.max_sharing_rates),
            payment_limits=dict(self.payment_limits),
            loss_rates=dict(self.loss_rates),
            loss_limits=dict(self.loss_limits),
            flat_msr=self.msr_value if self.msr_mode == "flat" else None,
            msr_scale=self.msr_value if self.msr_mode == "scale" else None,
            quality_standard=self.quality_standard,
            sequestration_factor=None if self.sequestration_cut is None else 1.0 - self.sequestration_cut,
        )

    def to_params(self) -> dict[str, str]:
        out = {"year": str(self.year)}
        for key, values in (("share", self.max_sharing_rates), ("limit", self.payment_limits),
                            ("loss_rate", self.loss_rates), ("loss_limit", self.loss_limits)):
            if values:
                out[key] = percent_map_text(values)
        if self.msr_mode != "rules" and self.msr_value is not None:
            out["msr"] = self.msr_mode
            out["msr_value"] = fmt_number(self.msr_value * 100 if self.msr_mode == "flat" else self.msr_value)
        if self.quality_standard is not None:
            out["qps"] = fmt_number(self.quality_standard * 100)
        if self.sequestration_cut is not None:
            out["seq"] = fmt_number(self.sequestration_cut * 100)
        if self.top != 20:
            out["top"] = str(self.top)
        return out


ChangeKey = tuple[tuple[str, object], ...]


def change_key(change: RuleChange) -> ChangeKey:
    """A rule change as a hashable value (its per-track rates as sorted pairs), to keep results by.

    >>> change_key(RuleChange(max_sharing_rates={"BASIC_E": 0.6}, flat_msr=0.01))[0]
    ('max_sharing_rates', (('BASIC_E', 0.6),))
    >>> change_from_key(change_key(RuleChange(loss_rates={"ENHANCED": 0.5}))) == RuleChange(
    ...     loss_rates={"ENHANCED": 0.5})
    True
    """
    values = ((f.name, getattr(change, f.name)) for f in fields(change))
    return tuple((name, tuple(sorted(value.items())) if isinstance(value, Mapping) else value)
                 for name, value in values)


def change_from_key(key: ChangeKey) -> RuleChange:
    mappings = {f.name for f in fields(RuleChange) if f.type.startswith("Mapping")}
    return RuleChange(**{name: dict(value) if name in mappings else value for name, value in key})


def by_track_figure(by_track: pd.DataFrame) -> go.Figure:
    """Paid (+) and collected (-) by track, as was and as changed: written as plotly's JSON (ui.fast_figure),
    the figure plotly.py's add_bar and update_layout made (tests/unit/test_program_what_if_figure.py)."""
    labels = ff.array(by_track["track_label"])
    traces = []
    for suffix, name, color in (("before", "As was", "#9e9e9e"), ("after", "As changed", "#1f77b4")):
        traces.append({"marker": {"color": color}, "name": f"Paid, {name.lower()}", "x": labels,
                       "y": ff.array(by_track[f"shared_savings_paid_{suffix}"].to_numpy()), "type": "bar"})
        traces.append({"marker": {"color": color, "pattern": {"shape": "/"}},
                       "name": f"Collected, {name.lower()}", "x": labels,
                       "y": ff.array((-by_track[f"losses_collected_{suffix}"]).to_numpy()), "type": "bar"})
    return ff.figure(traces, {
        "yaxis": {"title": {"text": "$"}, "tickprefix": "$"}, "legend": {"orientation": "h"},
        "barmode": "group", "title": {"text": "Shared savings paid (+) and losses collected (-) by track"}})
