"""The three charts of the PDF, drawn with reportlab's own graphics (no browser, no image files).

Each function returns a `Drawing` of the given size in points: the settlement waterfall, the payment
curve (earned against savings rate, with the MSR/MLR corridor, the payment limit and the loss limit),
and every track side by side. Text in a drawing is drawn as characters, never parsed as markup.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from aco_model.reconciliation import Settlement
from aco_model.rules import TRACKS
from ui.formatting import money, pct

PAY = colors.HexColor("#2e7d32")
OWE = colors.HexColor("#c62828")
NEUTRAL = colors.HexColor("#1f5aa6")
GRID = colors.HexColor("#d9d9d9")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
FONT, BOLD = "Helvetica", "Helvetica-Bold"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values spanning [lo, hi] (0 included)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = (hi - lo) or 1.0
    raw = span / n
    base = 10 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= raw)
    return list(np.arange(math.floor(lo / step) * step, hi + step * 0.999, step))


def axis_money(value: float) -> str:
    """$20M, -$5M, $1.5B, $0 for an axis."""
    return "$0" if abs(value) < 0.5 else money(value).replace(".0M", "M").replace(".0K", "K")


class _Frame:
    """A plot area inside a drawing: maps data to points, draws the y grid with money ticks."""

    def __init__(self, d: Drawing, x0: float, y0: float, w: float, h: float, ylo: float, yhi: float) -> None:
        self.d, self.x0, self.y0, self.w, self.h = d, x0, y0, w, h
        self.ticks = nice_ticks(ylo, yhi)
        self.ylo, self.yhi = self.ticks[0], self.ticks[-1]

    def y(self, value: float) -> float:
        return self.y0 + (value - self.ylo) / ((self.yhi - self.ylo) or 1.0) * self.h

    def grid(self) -> None:
        for t in self.ticks:
            y = self.y(t)
            self.d.add(Line(self.x0, y, self.x0 + self.w, y, strokeColor=INK if abs(t) < 1e-9 else GRID,
                            strokeWidth=0.8 if abs(t) < 1e-9 else 0.4))
            self.d.add(String(self.x0 - 3, y - 2.5, axis_money(t), fontName=FONT, fontSize=6.5,
                              fillColor=MUTED, textAnchor="end"))


def _title(d: Drawing, text: str) -> None:
    d.add(String(0, d.height - 10, text, fontName=BOLD, fontSize=9, fillColor=INK))


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False)[:3]


def waterfall(steps: list[tuple[str, float, str]], width: float, height: float) -> Drawing:
    """Gross savings -> each settlement step -> the payment or bill; each bar labelled with its amount."""
    d = Drawing(width, height)
    _title(d, "From gross savings to the settlement")
    values = [amount for _, amount, _ in steps[:-1]]
    running = np.cumsum(values).tolist()
    earned = steps[-1][1]
    levels = [0.0, *running, earned]
    frame = _Frame(d, 38, 34, width - 44, height - 60, min(levels), max(levels))
    frame.grid()
    n = len(steps)
    slot = frame.w / n
    bar = slot * 0.62
    for i, (label, amount, _) in enumerate(steps):
        last = i == n - 1
        lo, hi = (0.0, amount) if i == 0 or last else (running[i - 1], running[i])
        color = NEUTRAL if last or i == 0 else (PAY if amount >= 0 else OWE)
        x = frame.x0 + i * slot + (slot - bar) / 2
        y0, y1 = sorted((frame.y(lo), frame.y(hi)))
        d.add(Rect(x, y0, bar, max(y1 - y0, 0.8), fillColor=color, strokeColor=None))
        d.add(String(x + bar / 2, y1 + 3, money(amount), fontName=BOLD, fontSize=7, fillColor=INK,
                     textAnchor="middle"))
        for k, line in enumerate(_wrap(label, 16)):
            d.add(String(x + bar / 2, 24 - 8 * k, line, fontName=FONT, fontSize=6.5, fillColor=INK,
                         textAnchor="middle"))
        if not last:
            y = frame.y(running[i])
            d.add(Line(x + bar, y, x + slot, y, strokeColor=colors.grey, strokeWidth=0.4,
                       strokeDashArray=[2, 2]))
    return d


def payment_curve(curve: pd.DataFrame, result: Settlement, width: float, height: float) -> Drawing:
    """Earned against savings rate: the corridor shaded, the limits dashed, this scenario marked."""
    d = Drawing(width, height)
    track = TRACKS[result.inputs.track]
    _title(d, f"Payment curve: {track.label}, PY{result.inputs.performance_year}")
    xs, ys = curve["savings_rate"].to_numpy(), curve["earned"].to_numpy()
    limits = [result.payment_limit, -(result.loss_limit or 0.0)]
    frame = _Frame(d, 38, 30, width - 46, height - 52, min([*ys, *limits, result.earned]),
                   max([*ys, *limits, result.earned]))
    xlo, xhi = float(xs.min()), float(xs.max())

    def x(rate: float) -> float:
        return frame.x0 + (rate - xlo) / (xhi - xlo) * frame.w

    mlr = result.minimum_loss_rate if result.minimum_loss_rate is not None else 0.0
    left = x(-mlr if track.two_sided else xlo)
    d.add(Rect(left, frame.y0, x(result.minimum_savings_rate) - left, frame.h,
               fillColor=colors.HexColor("#ececec"), strokeColor=None))
    d.add(String(left, frame.y0 + frame.h + 3, "shaded: the corridor, nothing paid or owed", fontName=FONT,
                 fontSize=6.5, fillColor=MUTED, textAnchor="middle" if left > frame.x0 + 60 else "start"))
    frame.grid()
    for rate in np.arange(-0.20, 0.2001, 0.05):
        if xlo - 1e-9 <= rate <= xhi + 1e-9:
            d.add(String(x(rate), frame.y0 - 9, f"{round(rate, 6) + 0.0:.0%}", fontName=FONT, fontSize=6.5,
                         fillColor=MUTED,
                         textAnchor="middle"))
    d.add(String(frame.x0 + frame.w / 2, 4, "savings rate (benchmark - expenditure) / benchmark",
                 fontName=FONT, fontSize=6.5, fillColor=MUTED, textAnchor="middle"))
    loss_limit = -(result.loss_limit or 0.0)
    for value, color, text in ((result.payment_limit, PAY, f"payment limit {money(result.payment_limit)}"),
                               (loss_limit, OWE, f"loss limit {money(loss_limit)}")):
        if value == 0.0:
            continue
        d.add(Line(frame.x0, frame.y(value), frame.x0 + frame.w, frame.y(value), strokeColor=color,
                   strokeWidth=0.7, strokeDashArray=[3, 2]))
        d.add(String(frame.x0 + frame.w - 2, frame.y(value) + (2 if value > 0 else -8), text, fontName=FONT,
                     fontSize=6.5, fillColor=color, textAnchor="end"))
    points = [v for pair in zip([x(r) for r in xs], [frame.y(e) for e in ys], strict=True) for v in pair]
    d.add(PolyLine(points, strokeColor=NEUTRAL, strokeWidth=1.6))
    mx, my = x(min(max(result.savings_rate, xlo), xhi)), frame.y(result.earned)
    d.add(Rect(mx - 3, my - 3, 6, 6, fillColor=PAY if result.earned >= 0 else OWE, strokeColor=colors.white))
    right_half = mx > frame.x0 + frame.w / 2
    label = f"this scenario: {pct(result.savings_rate)} -> {money(result.earned)}"
    width = stringWidth(label, BOLD, 6.5)
    d.add(Rect(mx - 8 - width if right_half else mx + 4, my + 5, width + 4, 9, fillColor=colors.white,
               strokeColor=None, fillOpacity=0.85))
    d.add(String(mx - 6 if right_half else mx + 6, my + 7, label,
                 fontName=BOLD, fontSize=6.5, fillColor=INK, textAnchor="end" if mx > frame.x0 + frame.w / 2
                 else "start"))
    return d


def tracks(by_track: pd.DataFrame, current: str, width: float, height: float) -> Drawing:
    """The scenario's result under every track: one horizontal bar each, the chosen track in bold."""
    d = Drawing(width, height)
    _title(d, "The same scenario under every track")
    earned = by_track["earned"].to_numpy(dtype=float)
    lo, hi = min(earned.min(), 0.0), max(earned.max(), 0.0)
    label_w, value_w = 78, 44
    x0, w = label_w, width - label_w - value_w
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return x0 + (v - lo) / span * w

    rows = len(by_track)
    row_h = (height - 18) / rows
    d.add(Line(x(0), 0, x(0), height - 16, strokeColor=INK, strokeWidth=0.6))
    for i, r in enumerate(by_track.itertuples()):
        y = height - 18 - (i + 1) * row_h
        chosen = r.track == current
        font = BOLD if chosen else FONT
        name = r.label + ("" if r.offered else " (not offered)")
        d.add(String(x0 - 4, y + row_h * 0.3, name, fontName=font, fontSize=6.8,
                     fillColor=INK if r.offered else MUTED, textAnchor="end"))
        a, b = sorted((x(0), x(r.earned)))
        color = PAY if r.earned >= 0 else OWE
        d.add(Rect(a, y + row_h * 0.15, max(b - a, 0.6), row_h * 0.7, fillColor=color,
                   strokeColor=INK if chosen else None, strokeWidth=1.2 if chosen else 0))
        d.add(String(x(max(r.earned, 0.0)) + 3, y + row_h * 0.3, money(r.earned), fontName=font,
                     fontSize=6.8, fillColor=INK))
    return d
