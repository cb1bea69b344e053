"""A what-if scenario for one ACO-year, and the comparisons drawn from it.

A scenario starts from a real ACO-year (or a template) and changes what a user controls: the
benchmark (a percent change on a base, in dollars), expenditure, assigned beneficiaries, quality
score and standard, track or level, MSR/MLR election and participant revenue. From it come the
settlement (`settle`), the payment-versus-savings-rate curve of the chosen track
(`payment_curve`) and the same scenario under every track (`every_track`), each with the savings
rates at which it starts paying or owing.

Example: a BASIC Level E ACO with a $600.5M benchmark that spends $577.8M (3.79% savings), elected
a 1.5% MSR, met the quality standard: earns 0.5 x 22.74M x 0.98 = $11.14M (PY2024 ACO A1026).

A scenario travels in a link (`to_query_params` / `from_query_params`); rates there read the way the
page shows them (q=75.29 is a 75.29% quality score, bench_pct=-1 a 1% lower benchmark, msr=1.5 a 1.5%
election), money in dollars:

>>> s, warnings = Scenario.from_query_params({"aco": "A1026", "year": "2024", "q": "500"})
>>> s.aco_id, s.performance_year, warnings
('A1026', 2024, ['Link parameter “q=500” ignored (outside 0 to 100); using 80.'])
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

import numpy as np
import pandas as pd

from aco_model.inputs import from_aco_year_row, implied_participant_revenue
from aco_model.quality_routes import (
    QualityRoute,
    auto_standard,
    auto_standard_array,
    floored_score,
    published_route,
)
from aco_model.reconciliation import AcoYear, Settlement, settle
from aco_model.rules import (
    FIRST_YEAR,
    LAST_YEAR,
    MSR_ELECTIONS,
    TRACKS,
    is_offered,
    track_rules,
    year_rules,
)
from aco_model.vectorized import OPTIONAL_DEFAULTS, REQUIRED, TRACK_ORDER, settle_arrays

QualityStandard = Literal["auto", "met", "alternative", "not met"]
QUALITY_STANDARDS: tuple[str, ...] = ("auto", "met", "alternative", "not met")
CURVE_RATES = np.round(np.linspace(-0.20, 0.20, 801), 6)
QUALITY_SCORES = np.round(np.linspace(0.0, 1.0, 1001), 6)  # 0.1-point steps


@dataclass(frozen=True, slots=True)
class Scenario:
    """Inputs a user controls. Money in dollars, rates and scores as fractions.

    `quality_standard`: "auto" = met when the score reaches the year's standard (425.512) or by
    `quality_route` (how CMS found it met at `quality_route_score`, see aco_model.quality_routes);
    "met" / "not met" force it; "alternative" = only the alternative standard met (PY2023+ sliding
    scale). The route comes from the ACO-year's data, not the link: a link's aco and year bring it back.
    """

    performance_year: int
    track: str
    base_benchmark: float
    expenditure: float
    assigned_beneficiaries: int
    quality_score: float
    benchmark_change: float = 0.0
    quality_standard: QualityStandard = "auto"
    msr_election: float | None = None
    participant_revenue: float | None = None
    euc_share: float | None = None
    low_revenue: bool = False
    agreement_start_year: int | None = None
    pay_for_reporting: bool = False
    aco_id: str | None = None  # the real ACO-year it started from; None = the template
    quality_route: QualityRoute | None = None
    quality_route_score: float | None = None

    @property
    def benchmark(self) -> float:
        return self.base_benchmark * (1.0 + self.benchmark_change)

    @property
    def savings_rate(self) -> float:
        return (self.benchmark - self.expenditure) / self.benchmark if self.benchmark else 0.0

    def with_track(self, track: str) -> Scenario:
        return replace(self, track=track)

    def standard_met(self) -> tuple[bool | None, bool]:
        """(quality standard met, only the alternative met); met None = the engine decides (pre-2021)."""
        if self.quality_standard == "auto":
            return auto_standard(self.performance_year, self.quality_score, self.quality_route,
                                 self.quality_route_score)
        return self.quality_standard == "met", self.quality_standard == "alternative"

    def aco_year(self) -> AcoYear:
        met, alternative = self.standard_met()
        score = (floored_score(self.performance_year, self.quality_score, self.quality_route)
                 if self.quality_standard == "auto" else self.quality_score)
        return AcoYear(
            performance_year=self.performance_year,
            track=self.track,
            benchmark=self.benchmark,
            expenditure=self.expenditure,
            assigned_beneficiaries=self.assigned_beneficiaries,
            quality_score=score,
            pay_for_reporting=self.pay_for_reporting,
            met_quality_standard=met,
            met_alternative_quality_standard=alternative,
            msr_election=self.msr_election,
            participant_revenue=self.participant_revenue,
            euc_share=self.euc_share,
            low_revenue=self.low_revenue,
            agreement_start_year=self.agreement_start_year,
        )

    def settle(self) -> Settlement:
        return settle(self.aco_year())

    # --- the link -------------------------------------------------------------------------------
    def to_query_params(self) -> dict[str, str]:
        """Every value a user controls, as text for a URL (read back by `from_query_params`).

        The track travels as its label ("BASIC Level E"), the MSR/MLR election as a percentage or
        "variable", the quality standard as one of `QUALITY_STANDARDS`.
        """
        out = {"src": "aco" if self.aco_id else "template"}
        if self.aco_id:
            out["aco"] = self.aco_id
        out |= {
            "year": str(self.performance_year),
            "track": TRACKS[self.track].label,
            "msr": election_text(self.msr_election),
            "qs": self.quality_standard,
            "q": percent_text(self.quality_score),
            "bench": url_number(self.base_benchmark),
            "bench_pct": percent_text(self.benchmark_change),
            "exp": url_number(self.expenditure),
            "n": str(int(self.assigned_beneficiaries)),
        }
        if self.participant_revenue:
            out["rev"] = url_number(self.participant_revenue)
        return out

    @classmethod
    def from_query_params(
        cls, params: Mapping[str, object], base: Scenario | None = None
    ) -> tuple[Scenario, list[str]]:
        """The scenario a link describes, and a short message for every value it could not use.

        Values the link leaves out come from `base` (the ACO-year it starts from; the template when
        None). A value that is unknown, malformed or outside `LIMITS` is replaced by base's, with a
        message saying so; nothing here raises on what a link holds. `aco` is checked for its form only
        (letters, digits, dashes); whether the data has that ACO-year is the caller's question.
        """
        reader = _LinkReader(params)
        base = base or TEMPLATE
        src = reader.choice("src", {"aco": "aco", "template": "template"},
                            "aco" if base.aco_id or reader.text("aco") else "template")
        aco_id = reader.aco_id("aco", base.aco_id) if src == "aco" else None
        year = int(reader.number("year", base.performance_year, *LIMITS["year"], whole=True))
        track = reader.choice("track", TRACK_NAMES, base.track, shown=TRACKS[base.track].label)
        base_msr = election_text(base.msr_election)
        msr = reader.choice("msr", ELECTION_NAMES, base_msr,
                            shown=base_msr if base.msr_election is None else f"{base_msr}%")
        standard = reader.choice("qs", {q: q for q in QUALITY_STANDARDS} | {"not_met": "not met"},
                                 base.quality_standard)
        revenue = reader.number("rev", base.participant_revenue or 0.0, *LIMITS["rev"], money=True)
        change = reader.fraction("bench_pct", base.benchmark_change, *LIMITS["bench_pct"])
        beneficiaries = reader.number("n", base.assigned_beneficiaries, *LIMITS["n"], whole=True)
        scenario = replace(
            base,
            aco_id=aco_id,
            performance_year=year,
            track=track,
            msr_election=None if msr == "variable" else float(msr) / 100,
            quality_standard=standard,
            quality_score=reader.fraction("q", base.quality_score, *LIMITS["q"]),
            base_benchmark=reader.number("bench", base.base_benchmark, *LIMITS["bench"], money=True),
            benchmark_change=change,
            expenditure=reader.number("exp", base.expenditure, *LIMITS["exp"], money=True),
            assigned_beneficiaries=int(beneficiaries),
            participant_revenue=revenue or None,
        )
        return scenario, reader.warnings


# What a link (and a control) may hold: (lowest, highest) in the link's units.
LIMITS: dict[str, tuple[float, float]] = {
    "year": (FIRST_YEAR, LAST_YEAR),
    "q": (0.0, 100.0),  # quality score, %
    "bench": (1_000_000.0, 1e11),  # base benchmark, $
    "bench_pct": (-10.0, 10.0),  # benchmark change, %
    "exp": (0.0, 1e11),  # expenditure, $
    "n": (100, 2_000_000),  # assigned beneficiaries
    "rev": (0.0, 1e11),  # participants' Parts A+B revenue, $ (0 = unknown)
}
QUERY_KEYS: tuple[str, ...] = ("src", "aco", "year", "track", "msr", "qs", "q", "bench", "bench_pct", "exp",
                               "n", "rev")
ELECTION_OPTIONS: tuple[str, ...] = ("variable",) + tuple(f"{e * 100:g}" for e in MSR_ELECTIONS)


def url_number(value: float) -> str:
    """A number for a URL, exact: the shortest decimal that reads back as the very same float.

    A link promises the very same settlement, so nothing is rounded on the way (issue 11): the text
    is Python's shortest round-trip form, written without an exponent.

    >>> url_number(600514210.0), url_number(0.1 + 0.2), url_number(-0.0), url_number(1e-7)
    ('600514210', '0.30000000000000004', '0', '0.0000001')
    >>> float(url_number(0.1 + 0.2)) == 0.1 + 0.2
    True
    """
    return _decimal_text(Decimal(repr(float(value))))


def percent_text(fraction: float) -> str:
    """A fraction as the percentage a link shows, exact: `percent_fraction` reads back the same float.

    The decimal point of the fraction's shortest form is moved, not multiplied in binary, so no digit
    is lost (0.7529 * 100 is 75.28999999999999 in floating point).

    >>> percent_text(0.7529), percent_text(-0.01), percent_text(0.00010444978917872839)
    ('75.29', '-1', '0.010444978917872839')
    """
    return _decimal_text(Decimal(repr(float(fraction))).scaleb(2))


def percent_fraction(text: str) -> float:
    """The fraction a percentage's text stands for, rounded once (decimal arithmetic, not binary).

    >>> percent_fraction("75.29"), percent_fraction(percent_text(0.1 + 0.2)) == 0.1 + 0.2
    (0.7529, True)
    """
    return float(Decimal(text).scaleb(-2))


def _decimal_text(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def election_text(election: float | None) -> str:
    """None -> "variable", 0.015 -> "1.5" (one of `ELECTION_OPTIONS`)."""
    return "variable" if election is None else f"{election * 100:g}"


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.lower())


# Every way a link may name a track: its code, its label, short forms ("E", "Level E", "T1+").
TRACK_NAMES: dict[str, str] = {}
for _code, _rules in TRACKS.items():
    TRACK_NAMES |= {_code: _code, _rules.label: _code, _rules.label.replace("BASIC ", ""): _code}
    if _code.startswith("BASIC_"):
        TRACK_NAMES[_code[-1]] = _code
TRACK_NAMES |= {"T1": "TRACK_1", "T1+": "TRACK_1_PLUS", "TRACK_1+": "TRACK_1_PLUS", "T2": "TRACK_2",
                "T3": "TRACK_3", "EN": "ENHANCED"}
ELECTION_NAMES: dict[str, str] = {e: e for e in ELECTION_OPTIONS} | {
    f"{e}%": e for e in ELECTION_OPTIONS[1:]} | {"0.0": "0", "1.0": "1", "2.0": "2"}
_ACO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,19}$")
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9}


class _LinkReader:
    """Reads one link's values; what it cannot use becomes a message in `warnings`.

    Messages are plain text holding the link's own text: the page escapes them where it shows them.
    """

    def __init__(self, params: Mapping[str, object]) -> None:
        self.params = params
        self.warnings: list[str] = []

    def text(self, key: str) -> str | None:
        value = self.params.get(key)
        if isinstance(value, list | tuple):  # a repeated parameter: the last one wins
            value = value[-1] if value else None
        text = None if value is None else str(value).strip()
        return text or None

    def ignored(self, key: str, text: str, why: str, fallback: object) -> None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        self.warnings.append(f"Link parameter “{key}={shown}” ignored ({why}); using {fallback}.")

    def choice(self, key: str, names: Mapping[str, str], default: str, *, shown: str | None = None) -> str:
        text = self.text(key)
        if text is None:
            return default
        by_name = {_squash(k): v for k, v in names.items()}
        if _squash(text) in by_name:
            return by_name[_squash(text)]
        self.ignored(key, text, "not one of the options", shown or default)
        return default

    def aco_id(self, key: str, default: str | None) -> str | None:
        text = self.text(key)
        if text is None or _ACO_ID.match(text):
            return text or default
        self.ignored(key, text, "not an ACO id", default or "the template")
        return default

    def number(self, key: str, default: float, lo: float, hi: float, *, money: bool = False,
               whole: bool = False) -> float:
        show = _money_text if money else (str if key == "year" else _plain_text)
        value = self._read(key, lo, hi, show, show(default), money=money, whole=whole)
        return default if value is None else value

    def fraction(self, key: str, default: float, lo: float, hi: float) -> float:
        """A percentage in the link (q=75.29) as the fraction it stands for, exactly (`percent_fraction`).

        `default` is a fraction; `lo` and `hi` are percentages, as the link shows them.
        """
        if self._read(key, lo, hi, _plain_text, percent_text(default)) is None:
            return default
        cleaned = (self.text(key) or "").replace(",", "").replace("_", "").replace("%", "")
        try:
            return percent_fraction(cleaned)
        except (InvalidOperation, ValueError):  # a form float() reads but Decimal does not
            return float(cleaned) / 100

    def _read(self, key: str, lo: float, hi: float, show: Callable[[float], str], shown_default: str, *,
              money: bool = False, whole: bool = False) -> float | None:
        """The link's number for `key` in range, or None (absent, or unusable: then a message)."""
        text = self.text(key)
        if text is None:
            return None
        cleaned = text.lower().replace(",", "").replace("_", "").replace("%", "").replace("$", "")
        scale = _SCALE.get(cleaned[-1:], 1.0) if money else 1.0
        try:
            value = float(cleaned[:-1] if scale != 1.0 else cleaned) * scale
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.ignored(key, text, "not a number", shown_default)
        elif whole and value != int(value):
            self.ignored(key, text, "not a whole number", shown_default)
        elif not lo <= value <= hi:
            self.ignored(key, text, f"outside {show(lo)} to {show(hi)}", shown_default)
        else:
            return value
        return None


def _money_text(value: float) -> str:
    return f"${value:,.0f}"


def _plain_text(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10_000 else url_number(value)


def scenario_from(aco_year: AcoYear, route: QualityRoute | None = None) -> Scenario:
    """The scenario that reproduces an ACO-year as CMS settled it (no change yet).

    The quality standard opens on "auto" (met by the score, or by `route` at this score) wherever that
    gives the published status; otherwise it is forced to what CMS published.
    """
    published: QualityStandard = (
        "alternative" if aco_year.met_alternative_quality_standard and not aco_year.met_quality_standard
        else "auto" if aco_year.met_quality_standard is None
        else "met" if aco_year.met_quality_standard else "not met"
    )
    score = 1.0 if aco_year.quality_score is None else aco_year.quality_score
    scenario = Scenario(
        performance_year=aco_year.performance_year,
        track=aco_year.track,
        base_benchmark=aco_year.benchmark,
        expenditure=aco_year.expenditure,
        assigned_beneficiaries=aco_year.assigned_beneficiaries,
        quality_score=score,
        quality_standard="auto",
        msr_election=aco_year.msr_election,
        participant_revenue=aco_year.participant_revenue,
        euc_share=aco_year.euc_share,
        low_revenue=aco_year.low_revenue,
        agreement_start_year=aco_year.agreement_start_year,
        pay_for_reporting=aco_year.pay_for_reporting,
        quality_route=route,
        quality_route_score=score if route else None,
    )
    if published == "auto":
        return scenario
    met, alternative = scenario.standard_met()
    wanted = (published == "met", published == "alternative")
    legacy_agrees = met is None and published == "met"  # pre-2021: sharing scales with the score
    return scenario if legacy_agrees or (met, alternative) == wanted else replace(
        scenario, quality_standard=published)


def scenario_from_row(row: Mapping[str, object], aco_id: str | None = None) -> Scenario:
    """The scenario that reproduces one `aco_year` row (data/schema.py) as CMS settled it.

    Adds to `scenario_from` what only the row knows: how CMS found the quality standard met
    (`quality_routes.published_route`) and, where CMS's loss stopped at the revenue-based loss limit,
    the participant revenue that loss implies (`inputs.implied_participant_revenue`).
    """
    published = from_aco_year_row(row)
    revenue = implied_participant_revenue(published, float(row["cms_earned_savings_losses"]),
                                          row.get("cms_euc_loss_adjustment"))
    scenario = scenario_from(replace(published, participant_revenue=revenue), published_route(row))
    return replace(scenario, aco_id=aco_id or str(row.get("aco_id") or "") or None)


def quality_curve(scenario: Scenario, scores: np.ndarray = QUALITY_SCORES) -> pd.DataFrame:
    """Earned amount at each quality score, the scenario's standard and route applied (vectorized).

    Columns: quality_score, earned, met (standard met), alternative (only the alternative met), and
    alternative_earned: the payment if only the alternative standard were met (PY2023+; NaN before).
    """
    scores = np.asarray(scores, dtype=float)
    if scenario.quality_standard == "auto":
        met, alternative = auto_standard_array(scenario.performance_year, scores, scenario.quality_route,
                                               scenario.quality_route_score)
        floor = floored_score(scenario.performance_year, 0.0, scenario.quality_route)  # 0 = no floor
        floored = np.maximum(scores, floor)
    else:
        forced, alt = scenario.standard_met()
        met = np.full(len(scores), forced) if forced is not None else None
        alternative, floored = np.full(len(scores), alt), scores
    data = _repeated_inputs(scenario, len(scores))
    data["quality_score"] = floored
    data["met_quality_standard"] = np.full(len(scores), np.nan) if met is None else met.astype(float)
    data["met_alternative_quality_standard"] = alternative.astype(float)
    codes, years = _codes_and_years([scenario.track], len(scores), scenario.performance_year)
    earned = settle_arrays(codes, years, data, ["earned"])["earned"]
    out = pd.DataFrame({"quality_score": scores, "earned": earned,
                        "met": np.nan if met is None else met, "alternative": alternative})
    if year_rules(scenario.performance_year).quality_era == "qps_alternative":
        data["met_quality_standard"] = np.zeros(len(scores))
        data["met_alternative_quality_standard"] = np.ones(len(scores))
        out["alternative_earned"] = settle_arrays(codes, years, data, ["earned"])["earned"]
    else:
        out["alternative_earned"] = np.nan
    return out


# The blank starting point: a mid-sized BASIC Level E ACO, 2.7% savings, 2% MSR/MLR election.
TEMPLATE = Scenario(2024, "BASIC_E", 150_000_000.0, 146_000_000.0, 20_000, 0.80, msr_election=0.02)


def _repeated_inputs(scenario: Scenario, rows: int) -> dict[str, np.ndarray | None]:
    """The scenario's numeric settlement inputs, each repeated `rows` times, as `settle_frame` reads them
    from a frame of its `AcoYear.to_frame()` row repeated (None as NaN, flags as 0/1, a whole headcount
    as int64): the arrays handed to `settle_arrays` directly. Building and reading such a frame took most
    of every comparison's time (tests/unit/test_comparison_keys.py: the same results bit for bit)."""
    values = asdict(scenario.aco_year())
    data: dict[str, np.ndarray | None] = {}
    for name in (*REQUIRED[2:], *OPTIONAL_DEFAULTS):
        if name not in values:  # not an AcoYear field: not a column of its frame either
            data[name] = None
            continue
        value = values[name]
        whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
        dtype = np.int64 if name == "assigned_beneficiaries" and whole else np.float64
        data[name] = np.full(rows, np.nan if value is None else value, dtype=dtype)
    return data


def _codes_and_years(tracks: list[str], per_track: int, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Each track's code (`settle_arrays`' track index) `per_track` times in turn, and the year beside it."""
    track_rules(tracks[0])  # an unknown track refused by name, as settle_frame would
    year_rules(year)
    codes = np.repeat(np.array([TRACK_ORDER.index(t) for t in tracks]), per_track)
    return codes, np.full(len(codes), year, dtype=np.int64)


def _curve_inputs(scenario: Scenario, tracks: list[str], rates: np.ndarray):
    """The scenario at every savings rate of `rates` for each track in turn: expenditure = B x (1 - rate)."""
    data = _repeated_inputs(scenario, len(tracks) * len(rates))
    rate = np.tile(rates, len(tracks))
    data["expenditure"] = data["benchmark"] * (1.0 - rate)
    return (*_codes_and_years(tracks, len(rates), scenario.performance_year), data, rate)


def payment_curve(scenario: Scenario, rates: np.ndarray = CURVE_RATES) -> pd.DataFrame:
    """Earned amount at each savings rate for the scenario's track (one vectorized settlement).

    Columns: savings_rate, earned, outcome (0 corridor, 1 savings, 2 losses, 3 reduced sharing).
    """
    codes, years, data, rate = _curve_inputs(scenario, [scenario.track], np.asarray(rates, dtype=float))
    out = settle_arrays(codes, years, data, ["earned", "outcome"])
    return pd.DataFrame({"savings_rate": rate, "earned": out["earned"], "outcome": out["outcome"]})


def every_track(scenario: Scenario, rates: np.ndarray = CURVE_RATES) -> pd.DataFrame:
    """The scenario under every track: result, rates, and where payments and losses begin.

    `pays_from`: the lowest savings rate on the grid (0.05-point steps) at which the ACO is paid;
    `owes_below`: the highest savings rate at which it owes money (NaN for one-sided tracks).
    """
    tracks = list(TRACKS)
    rates = np.asarray(rates, dtype=float)
    codes, years = _codes_and_years(tracks, 1, scenario.performance_year)
    now = settle_arrays(codes, years, _repeated_inputs(scenario, len(tracks)),  # each track's own settlement
                        ["earned", "final_sharing_rate", "final_loss_rate", "minimum_savings_rate",
                         "minimum_loss_rate"])
    codes, years, data, _ = _curve_inputs(scenario, tracks, rates)
    earned = settle_arrays(codes, years, data, ["earned"])["earned"].reshape(len(tracks), len(rates))
    msr = now["minimum_savings_rate"]
    mlr = now["minimum_loss_rate"]
    lowest_paid = np.where(earned > 0, rates[None, :], np.inf).min(axis=1)
    # The grid only says whether and roughly where; the corridor's edge is exact (425.604(b)).
    pays = np.where(np.isinf(lowest_paid), np.inf, np.where(lowest_paid < msr - 1e-9, lowest_paid, msr))
    owes = np.where((earned < 0).any(axis=1), -mlr, -np.inf)
    return pd.DataFrame(
        {
            "track": tracks,
            "label": [TRACKS[t].label for t in tracks],
            "offered": [is_offered(t, scenario.performance_year) for t in tracks],
            "two_sided": [TRACKS[t].two_sided for t in tracks],
            "earned": now["earned"],
            "final_sharing_rate": now["final_sharing_rate"],
            "final_loss_rate": now["final_loss_rate"],
            "minimum_savings_rate": msr,
            "minimum_loss_rate": mlr,
            "pays_from": np.where(np.isinf(pays), np.nan, pays),
            "owes_below": np.where(np.isinf(owes), np.nan, owes),
        }
    )


def quality_rounding_range(scenario: Scenario) -> tuple[float, float]:
    """Lowest and highest earned amount over the published rounding of the scenario's quality score.

    CMS publishes `QualScore` rounded (4 decimals of the fraction from PY2015) but settles on the
    unrounded score (methodology 1.2), so a published ACO-year reproduces CMS only to within this range:
    the settlement at the score's half-unit below and above (`quality.QUALITY_SCORE_HALF_UNIT`).
    """
    from aco_model.quality import QUALITY_SCORE_HALF_UNIT

    half = QUALITY_SCORE_HALF_UNIT.get(scenario.performance_year, 0.0)
    ends = [replace(scenario, quality_score=min(max(scenario.quality_score + d, 0.0), 1.0)).settle().earned
            for d in (-half, half)]
    return min(ends), max(ends)
