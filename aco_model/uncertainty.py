"""Risk election under uncertainty: how next year's settlement could turn out under each track.

The savings rate of an ACO is not known when it elects its track and MSR/MLR (42 CFR 425.600,
425.605(b), 425.610(b)); this module draws it from how real ACOs' savings rates moved from one
year to the next, and settles every draw under every election with the same engine as the
what-if page (`vectorized.settle_frame`, 42 CFR 425.604-425.610).

Model, per draw ``k``:

    s_k = s_0 + d_k                    (s_0 = (B - X) / B, the base year's savings rate)
    X_k = X - d_k x B                  (benchmark B and headcount N held fixed)
    earned_k(e) = settle(B, X_k, N, election e)

where ``d_k`` is drawn from the distribution of year-to-year changes of the ACO's size band
(`calibrate`): by default a bootstrap (resampling the observed changes with replacement, which keeps
their fat tails), or a normal with the band's mean and standard deviation. ``X - d x B`` rather than
``B x (1 - s_k)`` makes a zero change reproduce the base expenditure to the last bit, so a
zero-variance calibration gives exactly the deterministic settlement.

Example (synthetic): B = $100M, X = $97M (s_0 = 3%), d = -1% -> s = 2%, X = $98M; under BASIC
Level E with a 2% MSR and the quality standard met, earned = 0.5 x $2M x 0.98 = $980,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from aco_model.msr import parse_election
from aco_model.reconciliation import AcoYear
from aco_model.rules import TRACKS, is_offered, track_rules
from aco_model.vectorized import OPTIONAL_DEFAULTS, settle_frame

Method = Literal["bootstrap", "normal"]

# Size bands of assigned beneficiaries (N_AB, the headcount that drives the MSR, 425.604(b)):
# (label, lowest headcount, first headcount of the next band or None). Chosen by us, not by CMS:
# they follow the break points of the MSR table (10,000 / 20,000 / 50,000) where the spread of
# savings rates visibly narrows.
SIZE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("<10k", 0, 10_000),
    ("10-20k", 10_000, 20_000),
    ("20-50k", 20_000, 50_000),
    ("50k+", 50_000, None),
)

# First performance year of each ACO identifier series (methodology 9: `ACO_Num` 2013-2017,
# `ACO_ID` 2018+ are different series): a year-to-year pair never crosses into a new series.
ID_SERIES_STARTS: tuple[int, ...] = (2013, 2018)

# A band with fewer observed pairs than this borrows the pooled distribution of all bands
# (our choice: below ~30 the 5th/95th percentiles rest on one or two ACOs).
MIN_BAND_SAMPLE = 30

QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.50, 0.75, 0.95)

HISTORY_COLUMNS = ("performance_year", "aco_id", "assigned_beneficiaries", "benchmark", "expenditure")


def _frozen(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=float)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class BandDistribution:
    """The year-to-year change in savings rate (a fraction: 0.01 = one point) for one size band.

    `changes` holds the observed changes (sorted), the bootstrap's sample. `pooled` is True when
    the band had fewer than `MIN_BAND_SAMPLE` pairs and uses every band's changes instead;
    `sample_size` is then the band's own count and `changes` the pooled ones.
    """

    band: str
    low: int
    high: int | None
    sample_size: int
    mean: float
    sd: float
    quantiles: dict[float, float]
    changes: np.ndarray = field(repr=False)
    pooled: bool = False

    def contains(self, assigned_beneficiaries: float) -> bool:
        above_low = self.low <= assigned_beneficiaries
        return above_low and (self.high is None or assigned_beneficiaries < self.high)


def _distribution(
    label: str, low: int, high: int | None, own: np.ndarray, pool: np.ndarray | None
) -> BandDistribution:
    use_pool = pool is not None and len(own) < MIN_BAND_SAMPLE
    sample = pool if use_pool else own
    sample = np.sort(np.asarray(sample, dtype=float))
    if len(sample) == 0:
        raise ValueError(f"no year-to-year pairs to calibrate band {label}")
    sd = float(np.std(sample, ddof=1)) if len(sample) > 1 else 0.0
    qs = np.quantile(sample, QUANTILES)
    return BandDistribution(
        band=label, low=low, high=high, sample_size=int(len(own)), mean=float(np.mean(sample)), sd=sd,
        quantiles={q: float(v) for q, v in zip(QUANTILES, qs, strict=True)},
        changes=_frozen(sample), pooled=bool(use_pool),
    )


@dataclass(frozen=True, eq=False)
class Calibration:
    """Distributions of the year-to-year change in savings rate, one per size band.

    `method` says how `simulate` draws: "bootstrap" resamples each band's observed changes,
    "normal" draws N(mean, sd) of the band. `pairs` counts every (year, year + 1) pair used and
    `years` the base years they start from.
    """

    bands: tuple[BandDistribution, ...]
    method: Method = "bootstrap"
    pairs: int = 0
    years: tuple[int, ...] = ()
    source: str = "aco_year history"

    def __post_init__(self) -> None:
        if self.method not in ("bootstrap", "normal"):
            raise ValueError(f"method must be 'bootstrap' or 'normal', not {self.method!r}")
        if not self.bands:
            raise ValueError("a calibration needs at least one band")

    def band_for(self, assigned_beneficiaries: float) -> BandDistribution:
        """The band of an ACO of that headcount."""
        for band in self.bands:
            if band.contains(assigned_beneficiaries):
                return band
        raise ValueError(f"no band covers {assigned_beneficiaries} assigned beneficiaries")

    def with_method(self, method: Method) -> Calibration:
        return replace(self, method=method)

    def table(self) -> pd.DataFrame:
        """One row per band: sample size, mean, sd and quantiles of the change (fractions)."""
        rows = []
        for b in self.bands:
            row: dict[str, object] = {"band": b.band, "sample_size": b.sample_size,
                                      "uses_pooled_sample": b.pooled, "mean": b.mean, "sd": b.sd}
            row.update({f"p{round(q * 100):02d}": v for q, v in b.quantiles.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def describe(self) -> str:
        """A paragraph for the risk-election page: what was measured and how it is drawn."""
        if self.method == "bootstrap":
            how = "resampled with replacement from the observed changes (bootstrap)"
        else:
            how = "drawn from a normal distribution with each band's mean and standard deviation"
        years = (f" from performance years {min(self.years)}-{max(self.years) + 1}" if self.years else "")
        lines = [
            f"Next year's savings rate = this year's rate + a change {how}. The changes are measured on "
            f"{self.pairs:,} pairs of consecutive years of the same ACO{years} ({self.source}); "
            "savings rate = (benchmark - expenditure) / benchmark, bands by assigned beneficiaries "
            "in the first year of the pair.",
        ]
        for b in self.bands:
            q = b.quantiles
            note = ""
            if b.pooled:
                note = f" (only {b.sample_size} pairs: uses all bands' {len(b.changes):,} changes)"
            lines.append(
                f"- {b.band}: n = {b.sample_size:,}{note}; mean {b.mean:+.2%}, sd {b.sd:.2%}; "
                f"5th-95th percentile {q[0.05]:+.2%} to {q[0.95]:+.2%}, median {q[0.5]:+.2%}."
            )
        return "\n".join(lines)

    @classmethod
    def normal(cls, mean: float, sd: float) -> Calibration:
        """One normal distribution for every size band (sd = 0: a fixed, known change)."""
        return cls.from_changes([mean], method="normal", sd=sd, source=f"normal({mean:+.2%}, {sd:.2%})")

    @classmethod
    def from_changes(cls, changes: Sequence[float], *, method: Method = "bootstrap", sd: float | None = None,
                     source: str = "given changes") -> Calibration:
        """One empirical distribution for every size band (e.g. a user's own history)."""
        arr = np.sort(np.asarray(changes, dtype=float))
        if len(arr) == 0 or not np.isfinite(arr).all():
            raise ValueError("changes must be a non-empty list of finite numbers")
        spread = float(np.std(arr, ddof=1)) if sd is None and len(arr) > 1 else float(sd or 0.0)
        quantiles = {q: float(v) for q, v in zip(QUANTILES, np.quantile(arr, QUANTILES), strict=True)}
        bands = tuple(
            BandDistribution(label, low, high, len(arr), float(arr.mean()), spread, quantiles, _frozen(arr))
            for label, low, high in SIZE_BANDS
        )
        return cls(bands=bands, method=method, pairs=len(arr), source=source)


def _series(year: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(ID_SERIES_STARTS), year, side="right")


def year_pairs(history: pd.DataFrame) -> pd.DataFrame:
    """Consecutive-year pairs of the same ACO, with both savings rates and the change.

    One row per (aco_id, performance_year) first (an ACO listed twice in a year, e.g. the two 2019
    six-month periods, is summed), then year t is paired with year t + 1 of the same id, both present,
    never across the 2017/2018 change of id series. Columns: aco_id, performance_year (first year),
    assigned_beneficiaries (first year), savings_rate, next_savings_rate, change.
    """
    missing = [c for c in HISTORY_COLUMNS if c not in history]
    if missing:
        raise KeyError(f"calibrate needs column(s): {', '.join(missing)}")
    h = pd.DataFrame({
        "aco_id": history["aco_id"].astype("string"),
        "performance_year": pd.to_numeric(history["performance_year"], errors="coerce"),
        "assigned_beneficiaries": pd.to_numeric(history["assigned_beneficiaries"], errors="coerce"),
        "benchmark": pd.to_numeric(history["benchmark"], errors="coerce"),
        "expenditure": pd.to_numeric(history["expenditure"], errors="coerce"),
    }).dropna()
    h = h[(h["benchmark"] > 0) & (h["aco_id"].str.len() > 0)]
    h = h.groupby(["aco_id", "performance_year"], as_index=False).agg(
        assigned_beneficiaries=("assigned_beneficiaries", "max"),
        benchmark=("benchmark", "sum"), expenditure=("expenditure", "sum"),
    )
    h["savings_rate"] = (h["benchmark"] - h["expenditure"]) / h["benchmark"]
    nxt = h[["aco_id", "performance_year", "savings_rate"]].rename(
        columns={"savings_rate": "next_savings_rate"}
    )
    nxt["performance_year"] = nxt["performance_year"] - 1
    pairs = h.merge(nxt, on=["aco_id", "performance_year"], how="inner")
    year = pairs["performance_year"].to_numpy(dtype=int)
    pairs = pairs[_series(year) == _series(year + 1)].copy()
    pairs["performance_year"] = pairs["performance_year"].astype(int)
    pairs["change"] = pairs["next_savings_rate"] - pairs["savings_rate"]
    return pairs[["aco_id", "performance_year", "assigned_beneficiaries", "savings_rate",
                  "next_savings_rate", "change"]].reset_index(drop=True)


def calibrate(history: pd.DataFrame, *, method: Method = "bootstrap",
              first_year: int | None = None, last_year: int | None = None) -> Calibration:
    """Distribution of the year-to-year change in savings rate, by size band, from `aco_year` rows.

    Parameters
    ----------
    history : DataFrame
        Rows of the `aco_year` table (or any frame) with performance_year, aco_id,
        assigned_beneficiaries, benchmark and expenditure.
    method : {"bootstrap", "normal"}
        How `simulate` will draw from it (see `Calibration`).
    first_year, last_year : int, optional
        Keep only pairs whose first year is in this range (e.g. leave out the COVID years).

    Returns
    -------
    Calibration
        Per band (`SIZE_BANDS`): sample size, mean, sd, quantiles and the changes themselves.

    Notes
    -----
    For each pair (t, t + 1) of the same ACO, ``change = s_{t+1} - s_t`` with
    ``s = (benchmark - expenditure) / benchmark``; the band is that of year t's headcount.

    Examples
    --------
    Two ACOs over three years (synthetic): A saves 2% then 3% then 1%; B (60,000 beneficiaries)
    saves 1% then 1.5%. A gives changes +1 and -2 points, B +0.5 point; each band below 30 pairs
    borrows the pooled three changes.

    >>> h = pd.DataFrame({"performance_year": [2020, 2021, 2022, 2020, 2021],
    ...                   "aco_id": ["A", "A", "A", "B", "B"],
    ...                   "assigned_beneficiaries": [8000, 8000, 8000, 60000, 60000],
    ...                   "benchmark": [100.0, 100.0, 100.0, 200.0, 200.0],
    ...                   "expenditure": [98.0, 97.0, 99.0, 198.0, 197.0]})
    >>> c = calibrate(h)
    >>> c.pairs, c.band_for(8000).sample_size, round(c.band_for(8000).mean, 4)
    (3, 2, -0.0017)
    """
    pairs = year_pairs(history)
    if first_year is not None:
        pairs = pairs[pairs["performance_year"] >= first_year]
    if last_year is not None:
        pairs = pairs[pairs["performance_year"] <= last_year]
    if pairs.empty:
        raise ValueError("no consecutive years of the same ACO in the history given")
    change = pairs["change"].to_numpy(dtype=float)
    n = pairs["assigned_beneficiaries"].to_numpy(dtype=float)
    bands = []
    for label, low, high in SIZE_BANDS:
        inside = (n >= low) & (n < (np.inf if high is None else high))
        bands.append(_distribution(label, low, high, change[inside], change))
    years = tuple(sorted(int(y) for y in pairs["performance_year"].unique()))
    return Calibration(bands=tuple(bands), method=method, pairs=len(pairs), years=years)


@dataclass(frozen=True)
class Election:
    """A track (`rules.TRACKS` code) with its MSR/MLR election (None = variable, the table).

    One-sided tracks have no election (425.604(b), 425.605(b)): it is normalized to None.
    """

    track: str
    msr_election: float | None = None

    def __post_init__(self) -> None:
        rules = track_rules(self.track)
        election = parse_election(self.msr_election)
        object.__setattr__(self, "msr_election", election if rules.two_sided else None)

    @property
    def label(self) -> str:
        rules = track_rules(self.track)
        if not rules.two_sided:
            return f"{rules.label} (one-sided)"
        corridor = "variable MSR/MLR" if self.msr_election is None else f"MSR/MLR {self.msr_election:.1%}"
        return f"{rules.label}, {corridor}"


def elections_for(performance_year: int, *, offered_only: bool = True) -> list[Election]:
    """Every track x MSR/MLR option (variable, 0%, 0.5%, 1%, 1.5%, 2%; 425.605(b), 425.610(b)).

    With `offered_only`, only the tracks CMS offered that year (`rules.is_offered`).
    """
    out: list[Election] = []
    for code, rules in TRACKS.items():
        if offered_only and not is_offered(code, performance_year):
            continue
        if rules.two_sided:
            out.append(Election(code, None))
            out.extend(Election(code, option) for option in (0.0, 0.005, 0.01, 0.015, 0.02))
        else:
            out.append(Election(code))
    return out


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Every draw settled under every election.

    `earned[i, k]` is the settlement (+ shared savings, - shared losses, $) of draw k under
    `elections[i]`; `at_current_rate[i]` the settlement with no change (the deterministic what-if).
    """

    base: AcoYear
    elections: tuple[Election, ...]
    draws: int
    seed: int
    method: Method
    band: BandDistribution
    savings_rate_change: np.ndarray = field(repr=False)
    savings_rate: np.ndarray = field(repr=False)
    expenditure: np.ndarray = field(repr=False)
    earned: np.ndarray = field(repr=False)
    at_current_rate: np.ndarray = field(repr=False)

    def frame(self, max_draws: int | None = None) -> pd.DataFrame:
        """Long table for charts: election, draw, savings_rate, expenditure, earned."""
        k = self.draws if max_draws is None else min(max_draws, self.draws)
        labels = np.repeat(np.array([e.label for e in self.elections], dtype=object), k)
        return pd.DataFrame({
            "election": labels,
            "draw": np.tile(np.arange(k), len(self.elections)),
            "savings_rate": np.tile(self.savings_rate[:k], len(self.elections)),
            "expenditure": np.tile(self.expenditure[:k], len(self.elections)),
            "earned": self.earned[:, :k].ravel(),
        })


def draw_changes(band: BandDistribution, method: Method, draws: int, rng: np.random.Generator) -> np.ndarray:
    """`draws` changes in savings rate from one band: bootstrap or normal (see module docstring)."""
    if method == "bootstrap":
        return band.changes[rng.integers(0, len(band.changes), size=draws)]
    return band.mean + band.sd * rng.standard_normal(draws)


def _constant_columns(base: AcoYear, n: int) -> dict[str, np.ndarray]:
    """The base's inputs other than track/expenditure/election, skipping engine defaults."""
    cols: dict[str, np.ndarray] = {}
    for name, value in base.to_frame().iloc[0].items():
        if name in ("track", "expenditure", "msr_election", "performance_year"):
            continue
        value = float(value)
        default = OPTIONAL_DEFAULTS.get(name)
        if default is not None and (value == default or (np.isnan(value) and np.isnan(default))):
            continue
        cols[name] = np.full(n, value)
    cols["performance_year"] = np.full(n, base.performance_year, dtype=np.int64)
    return cols


def _frame(constant: dict[str, np.ndarray], election: Election, expenditure: np.ndarray,
           track_codes: list[str]) -> pd.DataFrame:
    n = len(expenditure)
    cols: dict[str, object] = dict(constant)
    cols["track"] = pd.Categorical.from_codes(np.full(n, track_codes.index(election.track), dtype=np.int8),
                                              categories=track_codes)
    cols["expenditure"] = expenditure
    cols["msr_election"] = np.full(n, np.nan if election.msr_election is None else election.msr_election)
    return pd.DataFrame(cols)


def simulate(base: AcoYear, calibration: Calibration, draws: int, seed: int,
             elections: Sequence[Election]) -> SimulationResult:
    """Draw next year's savings rate and settle every draw under every election.

    Parameters
    ----------
    base : AcoYear
        The ACO-year to start from (its benchmark, headcount, quality and year's rules are kept;
        its track and MSR election are replaced by each election's).
    calibration : Calibration
        From `calibrate`; the band of `base.assigned_beneficiaries` is used.
    draws : int
        Number of draws (the same draws are settled under every election).
    seed : int
        Seed of numpy's default generator (PCG64): the same seed gives identical numbers.
    elections : list of Election

    Returns
    -------
    SimulationResult

    Notes
    -----
    ``s_k = s_0 + d_k``, ``X_k = X - d_k x B``; one `settle_frame` call per election over all draws
    (no loop over draws). Settlement uses the rules of ``base.performance_year``.

    Examples
    --------
    With a known change of -1 point, BASIC E at a 2% MSR earns 0.5 x 2% x B x 0.98:

    >>> base = AcoYear(2024, "BASIC_E", 100e6, 97e6, 20_000, quality_score=0.8, met_quality_standard=True)
    >>> r = simulate(base, Calibration.normal(-0.01, 0.0), 10, 1, [Election("BASIC_E", 0.02)])
    >>> float(r.earned[0, 0])
    980000.0
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if not elections:
        raise ValueError("give at least one election")
    elections = tuple(elections)
    band = calibration.band_for(base.assigned_beneficiaries)
    rng = np.random.default_rng(seed)
    change = draw_changes(band, calibration.method, draws, rng)
    b, x = float(base.benchmark), float(base.expenditure)
    expenditure = x - change * b
    s0 = (b - x) / b if b else 0.0
    track_codes = list(TRACKS)
    constant = _constant_columns(base, draws)
    earned = np.empty((len(elections), draws))
    for i, election in enumerate(elections):
        earned[i] = settle_frame(_frame(constant, election, expenditure, track_codes))["earned"].to_numpy()
    one = _constant_columns(base, 1)
    current = pd.concat([_frame(one, e, np.array([x]), track_codes) for e in elections], ignore_index=True)
    at_current = settle_frame(current)["earned"].to_numpy()
    return SimulationResult(
        base=base, elections=elections, draws=draws, seed=seed, method=calibration.method, band=band,
        savings_rate_change=_frozen(change), savings_rate=_frozen(s0 + change),
        expenditure=_frozen(expenditure), earned=_frozen(earned), at_current_rate=_frozen(at_current),
    )


SUMMARY_COLUMNS = (
    "election", "track", "msr_election", "expected_payment", "median_payment", "p05_payment",
    "p95_payment", "sd_payment", "prob_any_payment", "prob_owing", "owing_threshold",
    "prob_owing_over_threshold", "worst_case", "best_case", "payment_at_current_rate",
)


def summarize(result: SimulationResult, owing_threshold: float = 0.0) -> pd.DataFrame:
    """Per election: expected payment, median, 5th/95th percentile, chances and extremes.

    Parameters
    ----------
    result : SimulationResult
    owing_threshold : float
        Dollars: `prob_owing_over_threshold` = P(shared losses > this amount), for `best_election`.

    Returns
    -------
    DataFrame
        One row per election, columns `SUMMARY_COLUMNS`: money in dollars (payment > 0 is paid to
        the ACO, < 0 owed by it), probabilities as fractions; `worst_case` is the minimum draw,
        `best_case` the maximum. Percentiles use numpy's linear interpolation.
    """
    e = result.earned
    p05, p50, p95 = np.percentile(e, [5, 50, 95], axis=1)
    return pd.DataFrame({
        "election": [x.label for x in result.elections],
        "track": [x.track for x in result.elections],
        "msr_election": [np.nan if x.msr_election is None else x.msr_election for x in result.elections],
        "expected_payment": e.mean(axis=1),
        "median_payment": p50,
        "p05_payment": p05,
        "p95_payment": p95,
        "sd_payment": e.std(axis=1),
        "prob_any_payment": (e > 0).mean(axis=1),
        "prob_owing": (e < 0).mean(axis=1),
        "owing_threshold": float(owing_threshold),
        "prob_owing_over_threshold": (e < -float(owing_threshold)).mean(axis=1),
        "worst_case": e.min(axis=1),
        "best_case": e.max(axis=1),
        "payment_at_current_rate": result.at_current_rate,
    }, columns=list(SUMMARY_COLUMNS))


def best_election(
    summary: pd.DataFrame, max_prob_owing_over: float, threshold_dollars: float
) -> pd.Series | None:
    """The election with the highest expected payment among those with
    P(owing more than `threshold_dollars`) <= `max_prob_owing_over`; None if none qualifies.

    `summary` must come from ``summarize(result, owing_threshold=threshold_dollars)`` (the chance is
    measured on the draws). Ties go to the lower chance of owing, then to the earlier election.

    >>> s = pd.DataFrame({"election": ["A", "E"], "expected_payment": [1.0, 3.0],
    ...                   "owing_threshold": [1e6, 1e6], "prob_owing_over_threshold": [0.0, 0.2]})
    >>> best_election(s, 0.1, 1e6)["election"], best_election(s, 0.25, 1e6)["election"]
    ('A', 'E')
    """
    if not 0.0 <= max_prob_owing_over <= 1.0:
        raise ValueError("max_prob_owing_over is a probability between 0 and 1")
    thresholds = summary["owing_threshold"].to_numpy(dtype=float)
    if len(thresholds) and not np.allclose(thresholds, float(threshold_dollars)):
        raise ValueError(f"summary was computed for owing more than ${thresholds[0]:,.0f}; call "
                         f"summarize(result, owing_threshold={threshold_dollars}) first")
    ok = summary[summary["prob_owing_over_threshold"] <= max_prob_owing_over + 1e-12]
    if ok.empty:
        return None
    order = ok.assign(_pos=np.arange(len(ok))).sort_values(
        ["expected_payment", "prob_owing_over_threshold", "_pos"],
        ascending=[False, True, True], kind="stable",
    )
    return order.drop(columns="_pos").iloc[0]
