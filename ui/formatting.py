"""Money, rates and counts as people read them ($12.4M, 3.79%, 1,234); no Streamlit here.

Missing values show as "-", infinite ones as "n/a": a damaged number in the data never stops a page.

>>> money(12_400_000), money(float("inf")), pct(float("-inf")), count(float("nan")), count(1e400)
('$12.4M', 'n/a', 'n/a', '-', 'n/a')
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

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


# --- dollar amounts typed by people ------------------------------------------------------------------
# What a money box accepts, for the browser to check before sending (JavaScript regular expression):
# "1650927172", "1,650,927,172", "$1,650,927,172.50", "$1.65B", "600.5 M", "750k", "2 billion".
DOLLARS_PATTERN = (r"^\s*\$?\s*(\d[\d,_ ]*(\.\d*)?|\.\d+)\s*"
                   r"([kKmMbB]|[mM][mM]|[bB][nN]|[tT]housand|[mM]illion|[bB]illion)?\s*$")
DOLLARS_HINT = "Dollars, e.g. 1,650,927,172 or $1.65B"
_DOLLARS = re.compile(r"^\$?(?P<number>\d+\.?\d*|\.\d+)(?P<unit>k|thousand|m|mm|million|b|bn|billion)?$")
_POWER = {"k": 3, "thousand": 3, "m": 6, "mm": 6, "million": 6, "b": 9, "bn": 9, "billion": 9}


def dollars(value: float) -> str:
    """Every dollar, with thousands separators (cents only when there are any): what a money box shows.

    >>> dollars(1650927172.0), dollars(24655087.5), dollars(0), dollars(-1500)
    ('$1,650,927,172', '$24,655,087.50', '$0', '-$1,500')
    """
    number = _number(value)
    if isinstance(number, str):
        return number
    sign = "-" if number < 0 else ""
    cents = round(abs(number), 2)
    return f"{sign}${cents:,.0f}" if cents == int(cents) else f"{sign}${cents:,.2f}"


def parse_dollars(text: str) -> float:
    """A dollar amount as people write it; ValueError (a one-line message) for anything else.

    Separators (commas, spaces, underscores), a leading $ and a unit (k, M, B, "million"...) are read;
    the unit is applied in decimal, so "$1.65B" is 1,650,000,000 exactly.

    >>> parse_dollars("1,650,927,172"), parse_dollars("$1.65B"), parse_dollars(" 600.5 m ")
    (1650927172.0, 1650000000.0, 600500000.0)
    >>> parse_dollars("750k"), parse_dollars("1650927172")
    (750000.0, 1650927172.0)
    >>> parse_dollars("$12,345.67"), parse_dollars("2 billion")
    (12345.67, 2000000000.0)
    >>> parse_dollars("12 apples")
    Traceback (most recent call last):
    ValueError: “12 apples” is not an amount in dollars (e.g. 1,650,927,172 or $1.65B)
    """
    squashed = re.sub(r"[\s,_]+", "", str(text)).lower()
    match = _DOLLARS.match(squashed)
    if match is None or len(squashed) > 40:
        shown = " ".join(str(text).split())  # one line, whatever was typed or pasted
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ValueError(f"“{shown}” is not an amount in dollars (e.g. 1,650,927,172 or $1.65B)")
    number = Decimal(match["number"]).scaleb(_POWER.get(match["unit"] or "", 0))
    return float(number)


def read_dollars(text: str | None, current: float, lo: float, hi: float, *,
                 name: str) -> tuple[float, str | None]:
    """What a money box holds: (the amount, None), or (`current`, a one-line message) for text it cannot use.

    `current` is the amount in force (the link's, exact): while the box still shows it as `dollars`
    does, it stands for that very amount (a link's cents beyond the second digit are kept).

    >>> read_dollars("$1.65B", 600514210.0, 1e6, 1e11, name="Base benchmark")
    (1650000000.0, None)
    >>> read_dollars("$600,514,210.12", 600514210.123, 1e6, 1e11, name="Base benchmark")
    (600514210.123, None)
    >>> read_dollars("5", 600514210.0, 1e6, 1e11, name="Base benchmark")
    (600514210.0, 'Base benchmark: $5 is outside $1,000,000 to $100,000,000,000; keeping $600,514,210.')
    """
    if text is None or text == dollars(current):
        return current, None
    try:
        value = parse_dollars(text)
    except ValueError as exc:
        return current, f"{name}: {exc}; keeping {dollars(current)}."
    if not (math.isfinite(value) and lo <= value <= hi):
        return current, (f"{name}: {dollars(value)} is outside {dollars(lo)} to {dollars(hi)}; "
                         f"keeping {dollars(current)}.")
    return value, None
