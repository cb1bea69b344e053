"""Synthetic demo data: a realistic-looking `aco_year` table for when no CMS file is at hand.

Deterministic (fixed seed), every row `synthetic = TRUE` and `source_file = 'synthetic demo'`, so
the app can always say plainly that it is showing made-up ACOs. Sizes and distributions follow
the real program loosely: 450-550 ACOs a year for 2013-2024 that persist from year to year (about
one in eight leaves each year), tracks by era (Track 1/2 until 2015, Track 3 from 2016, Track 1+ in
2018-21, BASIC / ENHANCED from 2019), assigned beneficiaries log-normal in 5,000-120,000,
per-capita benchmarks of $10k-$16k rising with the years, savings rates ~ N(1.5%, 4%) and quality
scores in 0.6-1.0. The CMS outcome columns (`cms_*`) are what the project's settlement engine
(`aco_model.vectorized.settle_frame`) pays for those inputs, so the demo never carries a second,
home-made settlement formula.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from aco_model.rules import is_offered, track_rules
from aco_model.vectorized import settle_frame
from data.schema import ACO_YEAR_COLUMNS

SEED = 20_130_101
YEARS = tuple(range(2013, 2025))
SOURCE_NAME = "synthetic demo"
STAY_PROBABILITY = 0.88
# Share of ACOs per track, by the first year of each era (CMS's rough historical mix).
TRACK_MIX: dict[int, dict[str, float]] = {
    2013: {"TRACK_1": 0.97, "TRACK_2": 0.03},
    2016: {"TRACK_1": 0.93, "TRACK_2": 0.015, "TRACK_3": 0.055},
    2018: {"TRACK_1": 0.82, "TRACK_1_PLUS": 0.10, "TRACK_2": 0.01, "TRACK_3": 0.07},
    2020: {"TRACK_1": 0.10, "TRACK_1_PLUS": 0.05, "TRACK_3": 0.03, "BASIC_A": 0.22, "BASIC_B": 0.15,
           "BASIC_C": 0.02, "BASIC_D": 0.03, "BASIC_E": 0.18, "ENHANCED": 0.22},
    2022: {"BASIC_A": 0.22, "BASIC_B": 0.18, "BASIC_C": 0.03, "BASIC_D": 0.02, "BASIC_E": 0.30,
           "ENHANCED": 0.25},
}
ELECTIONS = np.array([0.0, 0.005, 0.01, 0.015, 0.02, np.nan])  # NaN: the variable MSR/MLR table
_PLACES = ("Cedar Valley", "Northfield", "Riverbend", "Lakeshore", "Summit", "Prairie", "Harbor",
           "Blue Ridge", "Canyon", "Maple", "Pinecrest", "Bayview", "Granite", "Willow Creek", "Redwood",
           "Sunrise", "Clearwater", "Highland", "Meadowbrook", "Ironwood")
_KINDS = ("Care Partners", "Health Network", "Physicians Alliance", "Accountable Care",
          "Medical Group ACO", "Health Collaborative", "Primary Care Network", "Care Organization")
_STATES = ("CA", "TX", "FL", "NY", "PA", "OH", "IL", "MI", "NC", "GA", "NJ", "VA", "WA", "AZ", "MA",
           "TN", "IN", "MO", "MD", "WI")


def _mix(year: int) -> tuple[list[str], np.ndarray]:
    era = max(y for y in TRACK_MIX if y <= year)
    tracks = [t for t in TRACK_MIX[era] if is_offered(t, year)]
    weights = np.array([TRACK_MIX[era][t] for t in tracks])
    return tracks, weights / weights.sum()


def _new_acos(rng: np.random.Generator, first_id: int, count: int, year: int) -> pd.DataFrame:
    ids = np.arange(first_id, first_id + count)
    start = np.where(year == YEARS[0], rng.choice(["2012-04-01", "2012-07-01", "2013-01-01"], count),
                     f"{year}-01-01")
    return pd.DataFrame({
        "aco_id": [f"DEMO-{i:04d}" for i in ids],
        "aco_name": [f"{_PLACES[i % len(_PLACES)]} {_KINDS[(i // len(_PLACES)) % len(_KINDS)]} {i} (demo)"
                     for i in ids],
        "state": rng.choice(_STATES, count),
        "initial_start_date": pd.to_datetime(start),
        "size": np.clip(rng.lognormal(np.log(16_000), 0.75, count), 5_000, 120_000),
        "cost_index": rng.lognormal(0.0, 0.09, count),
        "saver": rng.normal(0.0, 0.025, count),  # persistent part of the savings rate
        "track": pd.Series(pd.NA, index=range(count), dtype="string"),
        "advance_payment": (year <= 2015) & (rng.random(count) < 0.07),
    })


def _roster(rng: np.random.Generator) -> pd.DataFrame:
    """ACOs active in each year (id, traits, track), persisting with entries and exits."""
    years, active, next_id = [], pd.DataFrame(), 1
    for year in YEARS:
        stay = active[rng.random(len(active)) < STAY_PROBABILITY] if len(active) else active
        need = int(rng.integers(450, 551)) - len(stay)
        fresh = _new_acos(rng, next_id, max(need, 0), year)
        next_id += len(fresh)
        active = pd.concat([stay, fresh], ignore_index=True)
        active["size"] = np.clip(active["size"] * rng.lognormal(0, 0.06, len(active)), 5_000, 120_000)
        tracks, weights = _mix(year)
        switch = 1.0 if year in TRACK_MIX else 0.08  # a new era re-sorts everyone
        redraw = ~active["track"].isin(tracks) | (rng.random(len(active)) < switch)
        active.loc[redraw, "track"] = rng.choice(tracks, int(redraw.sum()), p=weights)
        years.append(active.assign(performance_year=year))
    return pd.concat(years, ignore_index=True)


def _current_agreement(initial: pd.Timestamp, year: int) -> tuple[pd.Timestamp, int]:
    """Start and number of the agreement in force in `year`: 3-year agreements, then from July 2019
    5-year ones (agreements ending 12/31/2018 were extended to a July 1, 2019 renewal)."""
    start, number = initial, 1
    while True:
        length = 3 if start < pd.Timestamp("2019-07-01") else 5
        following = pd.Timestamp(f"{start.year + length}-01-01")
        if start.year < 2019 and following.year == 2019:
            following = pd.Timestamp("2019-07-01")
        if following.year > year:
            return start, number
        start, number = following, number + 1


def _agreements(roster: pd.DataFrame) -> pd.DataFrame:
    pairs = [_current_agreement(d, y) for d, y in zip(roster["initial_start_date"],
                                                      roster["performance_year"], strict=True)]
    return pd.DataFrame(pairs, columns=["current_start_date", "agreement_period_num"], index=roster.index)


def _inputs(rng: np.random.Generator, roster: pd.DataFrame) -> pd.DataFrame:
    n = len(roster)
    year = roster["performance_year"].to_numpy()
    national = 10_400 * 1.03 ** (year - 2013)
    per_capita = np.clip(national * roster["cost_index"].to_numpy(), 9_800, 16_500).round()
    beneficiaries = roster["size"].round().astype(int).to_numpy()
    person_years = beneficiaries * rng.uniform(0.92, 0.99, n)
    savings_rate = 0.015 + roster["saver"].to_numpy() + rng.normal(0, 0.031, n)
    benchmark = (per_capita * person_years).round()
    expenditure = (benchmark * (1 - savings_rate)).round()
    two_sided = roster["track"].map(lambda t: track_rules(t).two_sided).to_numpy(bool)
    revenue = np.where(year >= 2018, np.where(rng.random(n) < 0.45, "HIGH", "LOW"), None)
    return pd.DataFrame({
        "performance_year": year, "track": roster["track"].to_numpy(), "benchmark": benchmark,
        "expenditure": expenditure, "assigned_beneficiaries": beneficiaries,
        "quality_score": (0.6 + 0.4 * rng.beta(4.0, 1.6, n)).round(4),
        "person_years": person_years.round(), "per_capita": per_capita, "two_sided": two_sided,
        "msr_election": np.where(two_sided, rng.choice(ELECTIONS, n), np.nan),
        "revenue_category": revenue, "low_revenue": (revenue == "LOW").astype(float),
    }, index=roster.index)


def _aco_states(roster: pd.DataFrame) -> pd.Series:
    """CMS published a state for PY2014-2021: the ACO's state, every ninth ACO also the next in _STATES
    (a multi-state ACO, "NJ,NY"); codes in alphabetical order as the build writes them."""
    number = roster["aco_id"].str[-4:].astype(int)
    second = roster["state"].map(lambda s: _STATES[(_STATES.index(s) + 1) % len(_STATES)])
    both = [",".join(sorted({a, b})) for a, b in zip(roster["state"], second, strict=True)]
    states = pd.Series(np.where(number % 9 == 0, both, roster["state"]), index=roster.index, dtype="string")
    return states.where(roster["performance_year"].between(2014, 2021))


def demo_aco_year(seed: int = SEED) -> pd.DataFrame:
    """The synthetic `aco_year` rows (schema columns, schema order); the same for the same seed."""
    rng = np.random.default_rng(seed)
    roster = _roster(rng)
    inputs = _inputs(rng, roster)
    agreements = _agreements(roster)
    inputs["agreement_start_year"] = agreements["current_start_date"].dt.year
    settled = settle_frame(inputs)
    frame = pd.DataFrame(index=roster.index)
    for name in ("performance_year", "track", "two_sided", "benchmark", "expenditure",
                 "assigned_beneficiaries", "quality_score", "person_years", "revenue_category"):
        frame[name] = inputs[name]
    frame[["aco_id", "aco_name", "initial_start_date"]] = roster[["aco_id", "aco_name", "initial_start_date"]]
    frame[["current_start_date", "agreement_period_num"]] = agreements
    frame["agreement_type"] = np.where(agreements["agreement_period_num"] > 1, "Renewal", "Initial")
    frame.loc[frame["performance_year"] < 2016, "agreement_type"] = None
    frame["updated_benchmark_per_capita"] = inputs["per_capita"]
    frame["expenditure_per_capita"] = (inputs["expenditure"] / inputs["person_years"]).round()
    frame["pay_for_reporting"] = False
    frame["advance_payment"] = roster["advance_payment"].where(frame["performance_year"] <= 2015)
    frame["advance_payment_amount"] = np.where(frame["advance_payment"] == True,  # noqa: E712
                                               (rng.uniform(0.5e6, 3.0e6, len(frame)) / 1000).round() * 1000,
                                               np.nan)
    frame["cms_benchmark_minus_expenditure"] = settled["gross_savings"]
    frame["cms_savings_rate"] = settled["savings_rate"]
    frame["cms_minimum_savings_rate"] = settled["minimum_savings_rate"]
    frame["cms_minimum_loss_rate"] = settled["minimum_loss_rate"].where(inputs["two_sided"])
    frame["cms_max_sharing_rate"] = inputs["track"].map(lambda t: track_rules(t).max_sharing_rate)
    frame["cms_final_sharing_rate"] = settled["final_sharing_rate"]
    frame["cms_final_loss_rate"] = settled["final_loss_rate"]
    frame["cms_generated_savings_losses"] = settled["generated_savings_losses"]
    frame["cms_euc_loss_adjustment"] = (0.0 - settled["euc_reduction"]).where(inputs["two_sided"]) + 0.0
    frame["cms_earned_savings_losses"] = settled["earned"].round()
    frame["aco_state"] = _aco_states(roster)
    frame["synthetic"] = True
    frame["source_file"] = SOURCE_NAME
    for name, _, _ in ACO_YEAR_COLUMNS:
        if name not in frame:
            frame[name] = None
    return frame[[c for c, _, _ in ACO_YEAR_COLUMNS]].sort_values(["performance_year", "aco_id"],
                                                                  ignore_index=True)


def demo_source(aco_year: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """One `source` row per synthetic year, labelled 'synthetic demo', checksum of its rows."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for year, part in aco_year.groupby("performance_year"):
        digest = hashlib.sha256(part.to_csv(index=False).encode()).hexdigest()
        rows.append({"performance_year": int(year), "file_name": SOURCE_NAME, "file_format": "synthetic",
                     "sha256": digest, "row_count": len(part), "loaded_at": loaded_at,
                     "origin": f"data/demo.py (seed {seed})", "unknown_columns": None,
                     "missing_columns": None, "rows_refused": 0, "refused": None})
    return pd.DataFrame(rows)


def demo_tables(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(aco_year, source) of the synthetic demo database."""
    aco_year = demo_aco_year(seed)
    return aco_year, demo_source(aco_year, seed)
