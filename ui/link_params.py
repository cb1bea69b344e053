"""Reading the risk-election, program what-if and payment-model pages' state from URL query parameters.

Every reader takes the raw text of one parameter (or None when absent) and returns a usable value;
anything unknown or out of range falls back to the default and leaves a short message in `warnings`,
which the page shows with `ui.widgets.warn`. Messages are plain text (the link's text in them is made
safe to show where they are rendered, ui.text.plain). Nothing here raises on user input. Rates travel
as percentages ("3.5" = 3.5%), money as dollars, so a hand-edited link reads the way the page shows it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Params:
    """Query parameters being read, and what could not be used."""

    raw: Mapping[str, str]
    warnings: list[str] = field(default_factory=list)

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, list | tuple):  # a repeated parameter: the last one wins
            value = value[-1] if value else None
        value = None if value is None else str(value).strip()
        return value or None

    def _bad(self, key: str, value: str, why: str, default: object) -> None:
        self.warnings.append(ignored(key, value, why, default))

    def integer(self, key: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
        value = self.text(key)
        if value is None:
            return default
        try:
            number = float(value.replace(",", "").replace("_", ""))
            if not math.isfinite(number) or number != int(number):
                raise ValueError
            out = int(number)
        except (ValueError, OverflowError):
            self._bad(key, value, "not a whole number", default)
            return default
        if (lo is not None and out < lo) or (hi is not None and out > hi):
            self._bad(key, value, f"outside {lo:,}-{hi:,}" if lo is not None and hi is not None
                      else "out of range", default)
            return default
        return out

    def number(self, key: str, default: float | None, lo: float | None = None, hi: float | None = None,
               *, shown_default: str | None = None) -> float | None:
        value = self.text(key)
        if value is None:
            return default
        shown = shown_default or ("none" if default is None else f"{default:g}")
        try:
            out = float(value.replace(",", "").replace("$", "").replace("%", "").replace("_", ""))
            if not math.isfinite(out):
                raise ValueError
        except (ValueError, OverflowError):
            self._bad(key, value, "not a number", shown)
            return default
        if (lo is not None and out < lo) or (hi is not None and out > hi):
            self._bad(key, value, f"outside {lo:g} to {hi:g}" if lo is not None and hi is not None
                      else "out of range", shown)
            return default
        return out

    def choice(self, key: str, choices: Sequence[T], default: T) -> T:
        value = self.text(key)
        if value is None:
            return default
        by_text = {str(c).lower(): c for c in choices}
        if value.lower() in by_text:
            return by_text[value.lower()]
        self._bad(key, value, "not one of the options", default)
        return default

    def flag(self, key: str, default: bool) -> bool:
        value = self.text(key)
        if value is None:
            return default
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        self._bad(key, value, "not yes/no", "yes" if default else "no")
        return default

    def percent_map(self, key: str, allowed: Iterable[str], lo: float = 0.0, hi: float = 100.0
                    ) -> dict[str, float]:
        """"ENHANCED:60,BASIC_E:55" -> {"ENHANCED": 0.60, "BASIC_E": 0.55}; bad entries dropped."""
        value = self.text(key)
        if value is None:
            return {}
        allowed = list(allowed)
        out: dict[str, float] = {}
        for part in value.split(","):
            if not part.strip():
                continue
            name, sep, number = part.partition(":")
            name = name.strip().upper()
            try:
                if not sep or name not in allowed:
                    raise KeyError
                pct = float(number.replace("%", ""))
                if not (math.isfinite(pct) and lo <= pct <= hi):
                    raise ValueError
            except KeyError:
                self._bad(key, part.strip(), "unknown track", "no change for it")
                continue
            except ValueError:
                self._bad(key, part.strip(), f"not a percentage in {lo:g}-{hi:g}", "no change for it")
                continue
            out[name] = pct / 100.0
        return out


def parameter(key: str, value: str | None = None) -> str:
    """A link's parameter named in a message, plain text: “key=value” (“key” alone), each cut short.

    >>> parameter("q", "x" * 50), parameter("tracks")
    ('“q=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...”', '“tracks”')
    """
    name = key if len(key) <= 30 else key[:27] + "..."
    if value is None:
        return f"“{name}”"
    return f"“{name}={value if len(value) <= 40 else value[:37] + '...'}”"


def ignored(key: str, value: str, why: str, default: object) -> str:
    """The message for a link value not used: plain text, shown through ui.widgets.warn."""
    return f"Link parameter {parameter(key, value)} ignored ({why}); using {default}."


def percent_map_text(values: Mapping[str, float]) -> str:
    """{"ENHANCED": 0.6} -> "ENHANCED:60" (the URL form read by `Params.percent_map`)."""
    return ",".join(f"{k}:{fmt_number(v * 100)}" for k, v in values.items())


def fmt_number(value: float) -> str:
    """A number for a URL: no trailing zeros, no float noise (0.1 + 0.2 -> "0.3")."""
    text = f"{round(float(value), 9):.9f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
