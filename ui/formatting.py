"""Money, rates and counts as people read them ($12.4M, 3.79%, 1,234); no Streamlit here.

Missing values show as "-", infinite ones as "n/a": a damaged number in the data never stops a page.

>>> money(12_400_000), money(float("inf")), pct(float("-inf")), count(float("nan")), count(1e400)
('$12.4M', 'n/a', 'n/a', '-', 'n/a')
"""

from __future__ import annotations

import math

NOT_A_NUMBER = "n/a"


def _number(value: object) -> float | str:
    """The value as a float, or the text that stands for it ("-" missing, "n/a" infinite or not a number)."""
    if value is None:
        return "-"
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return "-" if _is_missing(value) else NOT_A_NUMBER
    if math.isnan(number):
        return "-"
    return number if math.isfinite(number) else NOT_A_NUMBER


def _is_missing(value: object) -> bool:
    try:
        return bool(value != value)  # NaN, pandas NA and NaT are not equal to themselves
    except (TypeError, ValueError):
        return True


def money(value: float | None, *, signed: bool = False) -> str:
    """$12.4M, -$850K, $1.20B, $999; "-" for missing."""
    number = _number(value)
    if isinstance(number, str):
        return number
    v = round(number)
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
    number = _number(value)
    if isinstance(number, str):
        return number
    return f"{number:+.{digits}%}" if signed else f"{number:.{digits}%}"


def count(value: float | None) -> str:
    number = _number(value)
    if isinstance(number, str):
        return number
    return f"{int(round(number)):,}"
