"""The program overview's filters: state, risk model and revenue category, read from and written to its link.

Link parameters (each left out when not filtering): `states=NJ,NY` (USPS codes, any case: ACO-years in
any of them), `risk=one|two` (one- or two-sided), `revenue=high|low` (CMS's revenue category). An ACO-year
whose year publishes no state (before PY2014, after PY2021) or no revenue category (before PY2018) has
nothing to match, so a filter on it leaves those years out: `summary` says so. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from data.states import STATES
from ui.link_params import Params, parameter

RISKS = {"any": "One- and two-sided", "one": "One-sided", "two": "Two-sided"}
REVENUES = {"any": "High and low revenue", "high": "High revenue", "low": "Low revenue"}


@dataclass(frozen=True)
class Filters:
    """What the overview is narrowed to; the empty default keeps every ACO-year."""

    states: tuple[str, ...] = ()
    risk: str = "any"
    revenue: str = "any"

    @property
    def active(self) -> bool:
        return bool(self.states) or self.risk != "any" or self.revenue != "any"

    def query(self) -> dict[str, object]:
        """Keyword arguments of ui.database.rows / program_totals."""
        return {"states": self.states,
                "two_sided": None if self.risk == "any" else self.risk == "two",
                "revenue": None if self.revenue == "any" else self.revenue.upper()}

    def link(self) -> dict[str, str]:
        """The link parameters of this choice (none for the default)."""
        out = {}
        if self.states:
            out["states"] = ",".join(self.states)
        if self.risk != "any":
            out["risk"] = self.risk
        if self.revenue != "any":
            out["revenue"] = self.revenue
        return out


def known_states(codes: Sequence[str]) -> list[str]:
    """The data's state codes that are USPS codes (a hand-made database could hold any text)."""
    return [c for c in codes if c in STATES]


def state_label(code: str) -> str:
    """"NJ" -> "NJ · New Jersey" (the multiselect's options)."""
    return f"{code} · {STATES[code]}" if code in STATES else code


def read_states(params: Params, available: Sequence[str]) -> list[str]:
    """`states=nj,NY` -> ["NJ", "NY"] (those the data has, alphabetical); the rest dropped with a warning."""
    value = params.text("states")
    if value is None:
        return []
    chosen, unknown = set(), []
    for part in value.split(","):
        code = part.strip().upper()
        if not code:
            continue
        if code in available:
            chosen.add(code)
        else:
            unknown.append(part.strip())
    if unknown:
        shown = ", ".join(unknown)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        params.warnings.append(f"Link parameter {parameter('states')}: {shown} not a state of the data's "
                               "ACOs" + (" (ignored)." if chosen else "; showing every state."))
    return sorted(chosen)


def read_filters(params: Params, available_states: Sequence[str]) -> Filters:
    """The link's filters; nonsense values warned about (params.warnings) and replaced by "any"."""
    return Filters(states=tuple(read_states(params, available_states)),
                   risk=params.choice("risk", list(RISKS), "any"),
                   revenue=params.choice("revenue", list(REVENUES), "any"))


def years_text(years: Sequence[int]) -> str:
    """(2013, 2022, 2023, 2024) -> "PY2013, PY2022-2024": runs of consecutive years joined."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"PY{r[0]}" if len(r) == 1 else f"PY{r[0]}-{r[-1]}" for r in runs)


def summary(filters: Filters, chosen_years: Sequence[int], state_years: Sequence[int],
            revenue_years: Sequence[int]) -> str:
    """One line (plain text) naming the active filters and the chosen years they leave out.

    >>> text = summary(Filters(("NJ", "NY"), "two", "high"), range(2016, 2024), range(2014, 2022),
    ...                range(2018, 2025))
    >>> text.split(". ")
    ['Filtered to two-sided, high-revenue ACOs in NJ or NY', 'No state published for PY2022-2023, no \
revenue category for PY2016-2017: their ACOs are left out.']
    >>> summary(Filters(risk="one"), [2024], [], [2024])
    'Filtered to one-sided ACOs.'
    >>> summary(Filters(("NJ", "NY", "PA")), [2020], [2020], [])
    'Filtered to ACOs in NJ, NY or PA.'
    """
    if not filters.active:
        return ""
    kinds = [RISKS[filters.risk].lower()] if filters.risk != "any" else []
    if filters.revenue != "any":
        kinds.append(REVENUES[filters.revenue].lower().replace(" ", "-"))
    where = ""
    if filters.states:
        codes = filters.states
        where = (" in " + (f"{', '.join(codes[:-1])} or {codes[-1]}" if len(codes) > 1 else codes[0])
                 if len(codes) <= 5 else f" in any of {len(codes)} states")
    gaps = []
    if filters.states and (no_state := [y for y in chosen_years if y not in state_years]):
        gaps.append(f"state published for {years_text(no_state)}")
    if filters.revenue != "any" and (no_revenue := [y for y in chosen_years if y not in revenue_years]):
        gaps.append(f"revenue category for {years_text(no_revenue)}")
    text = "Filtered to " + ", ".join(kinds) + (" " if kinds else "") + "ACOs" + where + "."
    if gaps:
        text += " No " + ", no ".join(gaps) + ": their ACOs are left out."
    return text
