"""Money, rates and counts as people read them ($12.4M, 3.79%, 1,234); no Streamlit here."""

from __future__ import annotations

import math


def money(value: float | None, *, signed: bool = False) -> str:
    """$12.4M, -$850K, $1.20B, $999; "-" for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    v = round(float(value))
    sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
    a = abs(v)
    if a >= 1e9:
        text = f"{a / 1e9:.2f}B"
    elif a >= 1e6:
        text = f"{a / 1e6:.1f}M"
    elif a >= 1e4:
        text = f"{a / 1e3:.0f}K"
    else:
        text = f"{a:,.0f}"
    return f"{sign}${text}"


def pct(value: float | None, digits: int = 2, *, signed: bool = False) -> str:
    """0.0379 -> 3.79%; "-" for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{float(value):+.{digits}%}" if signed else f"{float(value):.{digits}%}"


def count(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{int(round(float(value))):,}"
