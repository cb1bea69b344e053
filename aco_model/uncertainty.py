"""Risk election under uncertainty: how next year's settlement could turn out under each track.

The savings rate of an ACO is not known when it elects its track and MSR/MLR (42 CFR 425.600,
425.605(b), 425.610(b)); this module draws it from how real ACOs' savings rates moved from one
year to the next, and settles every draw under every election with the same engine as the
what-if page (`vectorized.settle_frame`, 42 CFR 425.604-425.610).

Model ("mean_reversion", the default), for an ACO with savings rate ``s`` this year and draw ``k``:

    s_next,k = s + d_k,   d_k = mu + delta x r + beta(r) x (s - m) + u_k + e_k
    X_k = X - d_k x B     (benchmark B and headcount N held fixed)
    earned_k(e) = settle(B, X_k, N, election e)

- ``m``: the program's mean savings rate this year (every ACO); ``beta`` (< 0): mean reversion, the
  slope of next year's change on this year's distance from ``m``, measured within each year
  (`estimate_mean_reversion`); ``r`` = 1 when next year starts a new agreement, whose rebased benchmark
  (425.601-425.603) takes back more (``beta(1)``, ``delta``); ``mu``: the average year's change at ``m``.
- ``u_k ~ N(0, tau^2)``: the year-wide shock (e.g. 2019 -> 2020, when every ACO's rate rose), ONE draw per
  simulated year shared by every ACO simulated together (`draw_savings_rates`); ``tau`` is the spread of
  the measured year effects.
- ``e_k``: the ACO's own residual, drawn from the recent residuals of its size band (`SIZE_BANDS`,
  `RESIDUAL_YEARS`; bigger ACOs have steadier rates): a bootstrap (resampling them, which keeps their fat
  tails) or a normal with the band's mean and standard deviation.

The former model ("random_walk", kept as the backtest's baseline and for a user's own changes) is the
special case ``beta = delta = mu = tau = 0`` with ``e`` the band's observed changes: next year's change
drawn regardless of this year's rate. ``X - d x B`` rather than ``B x (1 - s_k)`` makes a zero change
reproduce the base expenditure to the last bit, so a zero-variance calibration gives exactly the
deterministic settlement.

Worked example (fitted on CMS's 2013-2024 files: beta = -0.25, mu = +0.51 point, m = 4.73% in 2024): an
ACO at s = -2% within its agreement expects d = 0.0051 + 0.25 x (0.0473 + 0.02) = +2.2 points, so its
next year is centred near +0.2%, where the random walk kept it near -1.5%. With B = $100M, X = $97M
(s = 3%) and a draw d = -1% -> s = 2%, X = $98M; under BASIC Level E with a 2% MSR and the quality
standard met, earned = 0.5 x $2M x 0.98 = $980,000.
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
Model = Literal["mean_reversion", "random_walk"]

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
# `ACO_ID` 2018+ are different series): a pair of an ACO followed by id never crosses into a new series.
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
    """What `simulate` draws for one size band (fractions: 0.01 = one point).

    `sample` holds the band's residuals (mean reversion) or observed year-to-year changes (random
    walk), sorted: the bootstrap's sample. `pooled` is True when the band had fewer than
    `MIN_BAND_SAMPLE` pairs and uses every band's instead; `sample_size` is then the band's own count.
    """

    band: str
    low: int
    high: int | None
    sample_size: int
    mean: float
    sd: float
    quantiles: dict[float, float]
    sample: np.ndarray = field(repr=False)
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
        sample=_frozen(sample), pooled=bool(use_pool),
    )


@dataclass(frozen=True, eq=False)
class Calibration:
    """How next year's savings rate is drawn: the model's parameters and one distribution per size band.

    ``d = drift + delta x r + beta(r) x (s - m) + u + e`` (module docstring): `slope` (beta within
    an agreement), `renewal_slope` and `renewal_shift` (beta and delta when next year starts a new
    agreement, r = 1), `drift` (mu), `program_means` (m, the mean savings rate of every ACO per year),
    `year_shock_sd` (tau, the spread of `year_effects`, one per first year of a pair) and the bands'
    ``e``. A random walk has every parameter 0 and draws ``e`` from the observed changes.
    `method` says how ``e`` is drawn: "bootstrap" resamples the band's sample, "normal" draws
    N(mean, sd) of the band. `pairs` counts every (year, year + 1) pair used (`renewal_pairs` of them
    into a new agreement) and `years` the base years they start from.
    """

    bands: tuple[BandDistribution, ...]
    method: Method = "bootstrap"
    pairs: int = 0
    years: tuple[int, ...] = ()
    source: str = "aco_year history"
    model: Model = "random_walk"
    slope: float = 0.0
    renewal_slope: float = 0.0
    renewal_shift: float = 0.0
    drift: float = 0.0
    year_shock_sd: float = 0.0
    year_effects: tuple[tuple[int, float], ...] = ()
    program_means: tuple[tuple[int, float], ...] = ()
    renewal_pairs: int = 0

    def __post_init__(self) -> None:
        if self.method not in ("bootstrap", "normal"):
            raise ValueError(f"method must be 'bootstrap' or 'normal', not {self.method!r}")
        if self.model not in ("mean_reversion", "random_walk"):
            raise ValueError(f"model must be 'mean_reversion' or 'random_walk', not {self.model!r}")
        if not self.bands:
            raise ValueError("a calibration needs at least one band")
        numbers = [self.slope, self.renewal_slope, self.renewal_shift, self.drift, self.year_shock_sd]
        if not all(np.isfinite(numbers)) or self.year_shock_sd < 0:
            raise ValueError("the model's parameters must be finite and year_shock_sd >= 0")

    def band_for(self, assigned_beneficiaries: float) -> BandDistribution:
        """The band of an ACO of that headcount."""
        for band in self.bands:
            if band.contains(assigned_beneficiaries):
                return band
        raise ValueError(f"no band covers {assigned_beneficiaries} assigned beneficiaries")

    def with_method(self, method: Method) -> Calibration:
        return replace(self, method=method)

    def program_mean(self, year: int | None = None) -> float:
        """The program's mean savings rate in `year` (the latest year at or before it; the first if none)."""
        if not self.program_means:
            return 0.0
        known = [m for y, m in self.program_means if year is None or y <= year]
        return known[-1] if known else self.program_means[0][1]

    def expected_change(self, savings_rate: float | np.ndarray, *, base_year: int | None = None,
                        new_agreement: bool | np.ndarray = False) -> float | np.ndarray:
        """``drift + delta x r + beta(r) x (s - m)``: next year's change before the shock and residual."""
        if self.model == "random_walk":
            return np.zeros_like(np.asarray(savings_rate, dtype=float)) + 0.0
        r = np.asarray(new_agreement, dtype=bool)
        centred = np.asarray(savings_rate, dtype=float) - self.program_mean(base_year)
        slope = np.where(r, self.renewal_slope, self.slope)
        return self.drift + np.where(r, self.renewal_shift, 0.0) + slope * centred

    def table(self) -> pd.DataFrame:
        """One row per band: sample size, mean, sd and quantiles of what is drawn (fractions)."""
        rows = []
        for b in self.bands:
            row: dict[str, object] = {"band": b.band, "sample_size": b.sample_size,
                                      "uses_pooled_sample": b.pooled, "mean": b.mean, "sd": b.sd}
            row.update({f"p{round(q * 100):02d}": v for q, v in b.quantiles.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def year_effect_table(self) -> pd.DataFrame:
        """One row per first year of a pair: the year effect gamma_y and its deviation from the drift."""
        years = [y for y, _ in self.year_effects]
        effects = np.array([g for _, g in self.year_effects], dtype=float)
        return pd.DataFrame({"pair": [f"{y}->{y + 1}" for y in years], "year_effect": effects,
                             "shock": effects - self.drift})

    def describe(self) -> str:
        """A paragraph for the risk-election page: what was measured and how it is drawn."""
        how = ("resampled with replacement (bootstrap)" if self.method == "bootstrap"
               else "drawn from a normal distribution with each band's mean and standard deviation")
        years = (f" from performance years {min(self.years)}-{max(self.years) + 1}" if self.years else "")
        measured = (f"measured on {self.pairs:,} pairs of consecutive years of the same ACO{years} "
                    f"({self.source}); savings rate = (benchmark - expenditure) / benchmark, bands by "
                    "assigned beneficiaries in the first year of the pair.")
        if self.model == "random_walk":
            lines = [f"Next year's savings rate = this year's rate + a change {how} from the observed "
                     f"changes of the ACO's size band (a random walk), {measured}"]
            what = "changes"
        else:
            m = self.program_mean()
            shock = (f"a year-wide shock drawn once per simulated year from N(0, {self.year_shock_sd:.2%}), "
                     f"the spread of the {len(self.year_effects)} measured year effects"
                     if len(self.year_effects) > 1 else
                     "no year-wide shock (one year of pairs: its spread cannot be measured)")
            lines = [
                f"Next year's change = {self.drift:+.2%} {'-' if self.slope <= 0 else '+'} "
                f"{abs(self.slope):.2f} x (this year's rate - the program's mean rate, {m:.2%} in "
                f"{self.program_means[-1][0] if self.program_means else 'the data'}) + {shock} + the ACO's "
                f"own residual, {how} from the residuals of its size band. Mean reversion: an ACO gives "
                f"back {-self.slope:.0%} of its distance from the program's mean the next year within an "
                f"agreement, {-self.renewal_slope:.0%} when a new agreement starts (rebased benchmark; "
                f"{self.renewal_shift:+.2%} more, {self.renewal_pairs:,} such pairs). An ACO at -2% expects "
                f"{float(self.expected_change(-0.02)):+.2%}, one at +6% "
                f"{float(self.expected_change(0.06)):+.2%} within an agreement. Least squares with one "
                f"effect per year, {measured}",
            ]
            what = "residuals"
        for b in self.bands:
            q = b.quantiles
            note = ""
            if b.pooled:
                note = f" (only {b.sample_size} pairs: uses all bands' {len(b.sample):,} {what})"
            lines.append(
                f"- {b.band}: n = {b.sample_size:,}{note}; {what} mean {b.mean:+.2%}, sd {b.sd:.2%}; "
                f"5th-95th percentile {q[0.05]:+.2%} to {q[0.95]:+.2%}, median {q[0.5]:+.2%}."
            )
        return "\n".join(lines)

    @classmethod
    def normal(cls, mean: float, sd: float) -> Calibration:
        """A random walk: one normal change for every size band (sd = 0: a fixed, known change)."""
        return cls.from_changes([mean], method="normal", sd=sd, source=f"normal({mean:+.2%}, {sd:.2%})")

    @classmethod
    def from_changes(cls, changes: Sequence[float], *, method: Method = "bootstrap", sd: float | None = None,
                     source: str = "given changes") -> Calibration:
        """A random walk: one empirical distribution of changes for every size band (e.g. a user's own)."""
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


_BY_ID = "id:"  # an ACO followed by its id (no lineage): never paired across a change of id series


def _identity(history: pd.DataFrame, aco_id: pd.Series) -> pd.Series:
    """Whom a year-to-year pair follows: the row's lineage, unless absent or holding two ids that year."""
    by_id = _BY_ID + aco_id.fillna("")
    if "lineage_id" not in history:
        return by_id
    lineage = history["lineage_id"].astype("string")
    ids_that_year = (pd.DataFrame({"lineage": lineage, "year": history["performance_year"], "id": aco_id})
                     .groupby(["lineage", "year"])["id"].transform("nunique"))
    use_lineage = lineage.notna() & (lineage.str.len() > 0) & (ids_that_year == 1)
    return by_id.where(~use_lineage.fillna(False).to_numpy(dtype=bool), "lineage:" + lineage)


def _series(year: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(ID_SERIES_STARTS), year, side="right")


def year_pairs(history: pd.DataFrame) -> pd.DataFrame:
    """Consecutive-year pairs of the same ACO, with both savings rates and the change.

    An ACO is followed by its `lineage_id` where the history has one (the organization across the
    2017/2018 change of id series and the files without ids, linked with evidence by data/lineage.py),
    else by its `aco_id`, and then never across the change of id series. One row per (ACO,
    performance_year) first (an ACO listed twice in a year, e.g. the two 2019 six-month periods, is
    summed; a lineage holding two ids in one year is followed by id that year), then year t is paired
    with year t + 1 of the same ACO, both present. Columns: aco_id (year t's), next_aco_id (year t + 1's),
    performance_year (first year), assigned_beneficiaries (first year), savings_rate, next_savings_rate,
    change,
    program_savings_rate (the mean savings rate of every ACO in year t, paired or not) and
    new_agreement (year t + 1 starts another agreement period, whose benchmark is rebased
    (425.601-425.603): its `current_start_date` differs from year t's, or, year t's being unknown,
    falls in year t + 1; False when the history has no start dates).
    """
    missing = [c for c in HISTORY_COLUMNS if c not in history]
    if missing:
        raise KeyError(f"calibrate needs column(s): {', '.join(missing)}")
    history = history.reset_index(drop=True)
    start = (pd.to_datetime(history["current_start_date"], errors="coerce") if "current_start_date" in history
             else pd.Series(pd.NaT, index=history.index, dtype="datetime64[ns]"))
    aco_id = history["aco_id"].astype("string")
    h = pd.DataFrame({
        "identity": _identity(history, aco_id),
        "aco_id": aco_id,
        "performance_year": pd.to_numeric(history["performance_year"], errors="coerce"),
        "assigned_beneficiaries": pd.to_numeric(history["assigned_beneficiaries"], errors="coerce"),
        "benchmark": pd.to_numeric(history["benchmark"], errors="coerce"),
        "expenditure": pd.to_numeric(history["expenditure"], errors="coerce"),
    }).dropna()
    h["start"] = start.loc[h.index]
    h = h[(h["benchmark"] > 0) & (h["aco_id"].str.len() > 0)]
    h = h[np.isfinite(h[["benchmark", "expenditure", "assigned_beneficiaries"]]).all(axis=1)]
    h = h.groupby(["identity", "performance_year"], as_index=False).agg(
        aco_id=("aco_id", "first"),
        assigned_beneficiaries=("assigned_beneficiaries", "max"),
        benchmark=("benchmark", "sum"), expenditure=("expenditure", "sum"), start=("start", "max"),
    )
    h["savings_rate"] = (h["benchmark"] - h["expenditure"]) / h["benchmark"]
    h["program_savings_rate"] = h.groupby("performance_year")["savings_rate"].transform("mean")
    nxt = h[["identity", "aco_id", "performance_year", "savings_rate", "start"]].rename(
        columns={"aco_id": "next_aco_id", "savings_rate": "next_savings_rate", "start": "next_start"}
    )
    nxt["performance_year"] = nxt["performance_year"] - 1
    pairs = h.merge(nxt, on=["identity", "performance_year"], how="inner")
    year = pairs["performance_year"].to_numpy(dtype=int)
    by_id = pairs["identity"].str.startswith(_BY_ID).to_numpy(dtype=bool)
    pairs = pairs[~by_id | (_series(year) == _series(year + 1))].copy()
    pairs["performance_year"] = pairs["performance_year"].astype(int)
    pairs["change"] = pairs["next_savings_rate"] - pairs["savings_rate"]
    both = pairs["start"].notna() & pairs["next_start"].notna()
    starts_next_year = pairs["next_start"].dt.year == pairs["performance_year"] + 1
    changed = (pairs["start"] != pairs["next_start"]).to_numpy(dtype=bool)
    pairs["new_agreement"] = np.where(both, changed, starts_next_year.fillna(False).to_numpy(dtype=bool))
    columns = ["aco_id", "next_aco_id", "performance_year", "assigned_beneficiaries", "savings_rate",
               "next_savings_rate", "change", "program_savings_rate", "new_agreement"]
    return pairs[columns].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class MeanReversionEstimate:
    """Least-squares fit of the year-to-year change (see `estimate_mean_reversion`)."""

    slope: float
    renewal_slope: float
    renewal_shift: float
    year_effects: dict[int, float]
    drift: float
    year_shock_sd: float
    residuals: np.ndarray = field(repr=False)


# Fewer pairs starting a new agreement than this: no separate renewal slope and shift (our choice, as
# MIN_BAND_SAMPLE: a slope on fewer ACOs rests on a handful of them).
MIN_RENEWAL_SAMPLE = 30

# The residuals drawn come from the pairs of the last this many years (our choice): their spread
# fell from about 4.5 points in 2013-2016 to about 3 in 2021-2023, so the whole history would draw
# too wide a future. The backtest (`aco_model.backtest`, 1,000 draws) chose 3 over every year: 80%
# interval coverage 81.2% against 82.6%, 50% coverage 49.8% against 51.7%, Brier P(paid) 0.1564 against
# 0.1566.
RESIDUAL_YEARS = 3


def estimate_mean_reversion(pairs: pd.DataFrame) -> MeanReversionEstimate:
    """Mean reversion and year effects of the year-to-year change in savings rate (pure, from `year_pairs`).

    For pair i starting in year y, with this year's rate ``s_i``, the program's mean rate that year
    ``m_y`` (column program_savings_rate; the pairs' own mean if absent), ``c_i = s_i - m_y``,
    ``r_i`` = 1 when next year starts a new agreement (column new_agreement; 0 if absent) and the
    change ``d_i``:

        d_i = a_y + delta x r_i + beta x (1 - r_i) x c_i + beta_r x r_i x c_i + e_i

    fitted by least squares with one effect ``a_y`` per year (each year's own means removed, so a year
    when every ACO moved together does not pass for mean reversion). ``beta`` (< 0) is the mean
    reversion within an agreement; ``beta_r`` and ``delta`` at a new agreement, whose rebased benchmark
    (425.601-425.603) takes back more of an ACO's savings (equal to ``beta`` and 0 below
    `MIN_RENEWAL_SAMPLE` such pairs). ``a_y`` is the year effect: the change of an ACO at the program's
    mean; ``drift`` = mean of a_y (each year one draw of the year-wide shock);
    ``year_shock_sd`` = sd of a_y (ddof 1; 0 with a single year); ``e_i`` the residuals.

    Examples
    --------
    Synthetic pairs with no noise: d = 0.01 - 0.5 (s - 2%) in 2020 and d = 0.03 - 0.5 (s - 2%) in 2021.

    >>> pairs = pd.DataFrame({"performance_year": [2020] * 3 + [2021] * 3,
    ...                       "savings_rate": [0.0, 0.02, 0.04, 0.01, 0.02, 0.03]})
    >>> gamma = np.where(pairs["performance_year"] == 2020, 0.01, 0.03)
    >>> pairs["change"] = gamma - 0.5 * (pairs["savings_rate"] - 0.02)
    >>> e = estimate_mean_reversion(pairs)
    >>> round(e.slope, 6), {y: round(g, 6) for y, g in e.year_effects.items()}
    (-0.5, {2020: 0.01, 2021: 0.03})
    >>> round(e.drift, 6), round(e.year_shock_sd, 6), float(np.abs(e.residuals).max()) < 1e-12
    (0.02, 0.014142, True)
    """
    if pairs.empty:
        raise ValueError("no consecutive years of the same ACO in the history given")
    year = pairs["performance_year"].to_numpy(dtype=int)
    s = pairs["savings_rate"].to_numpy(dtype=float)
    d = pairs["change"].to_numpy(dtype=float)
    if "program_savings_rate" in pairs:
        m = pairs["program_savings_rate"].to_numpy(dtype=float)
    else:
        m = pd.Series(s).groupby(year).transform("mean").to_numpy()
    r = (pairs["new_agreement"].to_numpy(dtype=bool) if "new_agreement" in pairs
         else np.zeros(len(pairs), dtype=bool))
    split = int(r.sum()) >= MIN_RENEWAL_SAMPLE
    c = s - m
    x = np.column_stack([r, np.where(r, 0.0, c), np.where(r, c, 0.0)]) if split else c[:, None]
    frame = pd.DataFrame(np.column_stack([x, d]))
    within = (frame - frame.groupby(year).transform("mean")).to_numpy()
    coef, *_ = np.linalg.lstsq(within[:, :-1], within[:, -1], rcond=None)
    if not split:
        coef = np.array([0.0, coef[0], coef[0]])
    shift, slope, renewal_slope = (float(v) for v in coef)
    explained = shift * r + np.where(r, renewal_slope, slope) * c
    effects = {int(y): float(v) for y, v in pd.Series(d - explained).groupby(year).mean().items()}
    values = np.array(list(effects.values()))
    shock_sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    residuals = d - explained - np.array([effects[y] for y in year])
    return MeanReversionEstimate(slope=slope, renewal_slope=renewal_slope, renewal_shift=shift,
                                 year_effects=effects, drift=float(values.mean()), year_shock_sd=shock_sd,
                                 residuals=_frozen(residuals))


def program_means(history: pd.DataFrame) -> dict[int, float]:
    """The mean savings rate of every ACO, per performance year (the level ACOs revert towards)."""
    b = pd.to_numeric(history["benchmark"], errors="coerce")
    x = pd.to_numeric(history["expenditure"], errors="coerce")
    rate = ((b - x) / b).where(b > 0)
    year = pd.to_numeric(history["performance_year"], errors="coerce")
    keep = np.isfinite(rate.to_numpy(dtype=float)) & year.notna().to_numpy()
    means = pd.Series(rate.to_numpy(dtype=float)[keep]).groupby(year.to_numpy()[keep]).mean()
    return {int(y): float(v) for y, v in means.items()}


def calibrate(history: pd.DataFrame, *, method: Method = "bootstrap", model: Model = "mean_reversion",
              first_year: int | None = None, last_year: int | None = None,
              residual_years: int | None = RESIDUAL_YEARS) -> Calibration:
    """The savings-rate model's parameters and per-band distributions, from `aco_year` rows (pure).

    Parameters
    ----------
    history : DataFrame
        Rows of the `aco_year` table (or any frame) with performance_year, aco_id,
        assigned_beneficiaries, benchmark and expenditure (and current_start_date for the renewal
        slope, see `year_pairs`).
    method : {"bootstrap", "normal"}
        How `simulate` will draw the ACO's own part (see `Calibration`).
    model : {"mean_reversion", "random_walk"}
        "mean_reversion" (default): `estimate_mean_reversion` on the pairs, bands of its residuals;
        "random_walk": the bands of the observed changes themselves (the former model).
    first_year, last_year : int, optional
        Keep only pairs whose first year is in this range (e.g. leave out the COVID years).
    residual_years : int or None
        Mean reversion only: the bands hold the residuals of the pairs of the last this many years
        (`RESIDUAL_YEARS`; None: every year). The slope and year effects use every pair.

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
    >>> rw = calibrate(h, model="random_walk")
    >>> rw.pairs, rw.band_for(8000).sample_size, round(rw.band_for(8000).mean, 4)
    (3, 2, -0.0017)

    With mean reversion, 2020 (two ACOs at 2% and 1%, changes +1 and +0.5 points) gives the slope
    +0.5; 2021's single pair (A at 3%, the program's mean 2.25%, change -2 points) gives the year
    effect -2 - 0.5 x 0.75 = -2.375 points:

    >>> mr = calibrate(h)
    >>> round(mr.slope, 4), {y: round(g, 5) for y, g in mr.year_effects}
    (0.5, {2020: 0.0075, 2021: -0.02375})
    """
    pairs = year_pairs(history)
    if first_year is not None:
        pairs = pairs[pairs["performance_year"] >= first_year]
    if last_year is not None:
        pairs = pairs[pairs["performance_year"] <= last_year]
    return calibrate_pairs(pairs, program_means(history), method=method, model=model,
                           residual_years=residual_years)


def calibrate_pairs(pairs: pd.DataFrame, means: dict[int, float], *, method: Method = "bootstrap",
                    model: Model = "mean_reversion",
                    residual_years: int | None = RESIDUAL_YEARS) -> Calibration:
    """`calibrate` from `year_pairs` already made and `program_means` (the backtest makes them once)."""
    if pairs.empty:
        raise ValueError("no consecutive years of the same ACO in the history given")
    if model == "random_walk":
        drawn = pairs["change"].to_numpy(dtype=float)
        fit = None
    elif model == "mean_reversion":
        fit = estimate_mean_reversion(pairs)
        drawn = np.asarray(fit.residuals)
    else:
        raise ValueError(f"model must be 'mean_reversion' or 'random_walk', not {model!r}")
    n = pairs["assigned_beneficiaries"].to_numpy(dtype=float)
    recent = np.ones(len(pairs), dtype=bool)
    if fit is not None and residual_years is not None:
        first_year = pairs["performance_year"].max() - (residual_years - 1)
        recent = pairs["performance_year"].to_numpy() >= first_year
    bands = []
    for label, low, high in SIZE_BANDS:
        inside = (n >= low) & (n < (np.inf if high is None else high)) & recent
        bands.append(_distribution(label, low, high, drawn[inside], drawn[recent]))
    years = tuple(sorted(int(y) for y in pairs["performance_year"].unique()))
    common = {"bands": tuple(bands), "method": method, "pairs": len(pairs), "years": years,
              "renewal_pairs": int(pairs["new_agreement"].sum())}
    if fit is None:
        return Calibration(**common)
    return Calibration(
        **common, model="mean_reversion", slope=fit.slope, renewal_slope=fit.renewal_slope,
        renewal_shift=fit.renewal_shift, drift=fit.drift, year_shock_sd=fit.year_shock_sd,
        year_effects=tuple(sorted(fit.year_effects.items())),
        program_means=tuple(sorted(means.items())),
    )


def draw_residuals(band: BandDistribution, method: Method, shape: int | tuple[int, ...],
                   rng: np.random.Generator) -> np.ndarray:
    """Draws of the ACO's own part from one band: bootstrap or normal (see module docstring)."""
    if method == "bootstrap":
        return band.sample[rng.integers(0, len(band.sample), size=shape)]
    return band.mean + band.sd * rng.standard_normal(shape)


def draw_savings_rates(calibration: Calibration, savings_rate: Sequence[float] | np.ndarray,
                       assigned_beneficiaries: Sequence[float] | np.ndarray, draws: int, seed: int, *,
                       base_year: int | None = None,
                       new_agreement: Sequence[bool] | np.ndarray | bool = False) -> np.ndarray:
    """Next year's savings rate of several ACOs simulated together: an array (ACOs, draws).

    Column k is one simulated year: its year-wide shock ``u_k`` is the same for every ACO (row), each
    ACO's residual its own. Two independent streams are spawned from `seed` (numpy's SeedSequence):
    the shocks and the residuals, so the shocks of a seed do not depend on how many ACOs are drawn.
    The same seed gives the same numbers (common random numbers across elections and ACO inputs).
    `base_year` picks the program's mean rate the ACOs revert towards (`Calibration.program_mean`);
    `new_agreement` says which ACOs start another agreement next year.

    >>> cal = Calibration.normal(0.0, 0.0)
    >>> draw_savings_rates(cal, [0.02, -0.01], [5_000, 60_000], 3, seed=1).tolist()
    [[0.02, 0.02, 0.02], [-0.01, -0.01, -0.01]]
    """
    s = np.asarray(savings_rate, dtype=float)
    changes = _draw_changes(calibration, s, np.asarray(assigned_beneficiaries, dtype=float), draws, seed,
                            base_year, np.broadcast_to(np.asarray(new_agreement, dtype=bool), s.shape))
    return s[:, None] + changes


def _draw_changes(calibration: Calibration, s: np.ndarray, n: np.ndarray, draws: int, seed: int,
                  base_year: int | None = None, new_agreement: np.ndarray | None = None) -> np.ndarray:
    """The changes ``d`` behind `draw_savings_rates` (ACOs, draws)."""
    if s.shape != n.shape or s.ndim != 1:
        raise ValueError("savings_rate and assigned_beneficiaries must be 1-d arrays of one length")
    if draws < 1:
        raise ValueError("draws must be at least 1")
    shock_seq, residual_seq = np.random.SeedSequence(seed).spawn(2)
    shock = calibration.year_shock_sd * np.random.default_rng(shock_seq).standard_normal(draws)
    rng = np.random.default_rng(residual_seq)
    residual = np.empty((len(s), draws))
    labels = np.array([calibration.band_for(v).band for v in n])
    for band in calibration.bands:
        rows = np.flatnonzero(labels == band.band)
        if len(rows):
            residual[rows] = draw_residuals(band, calibration.method, (len(rows), draws), rng)
    renewal = np.zeros(len(s), dtype=bool) if new_agreement is None else new_agreement
    expected = calibration.expected_change(s, base_year=base_year, new_agreement=renewal)
    return np.asarray(expected, dtype=float).reshape(-1)[:, None] + shock[None, :] + residual


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


def _settle_stacked(constant: dict[str, np.ndarray], elections: Sequence[Election], expenditure: np.ndarray,
                    track_codes: list[str]) -> np.ndarray:
    """Earned, one row per election and one column per draw: every election's `_frame` stacked and
    settled in one settle_frame call (a frame and a call per election cost ~6 ms each in set-up alone);
    rows are settled one by one, so the numbers are those of one call per election."""
    k, n = len(elections), len(expenditure)
    stacked = {name: np.tile(values, k) for name, values in constant.items()}
    codes = np.repeat(np.array([track_codes.index(e.track) for e in elections], dtype=np.int8), n)
    stacked["track"] = pd.Categorical.from_codes(codes, categories=track_codes)
    stacked["expenditure"] = np.tile(expenditure, k)
    stacked["msr_election"] = np.repeat(
        np.array([np.nan if e.msr_election is None else e.msr_election for e in elections], dtype=float), n)
    return settle_frame(pd.DataFrame(stacked), columns=["earned"])["earned"].to_numpy().reshape(k, n)


def simulate(base: AcoYear, calibration: Calibration, draws: int, seed: int,
             elections: Sequence[Election], *, base_year: int | None = None,
             new_agreement: bool = False) -> SimulationResult:
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
    base_year : int, optional
        The year whose savings rate ``base`` carries (the program's mean rate of that year is the one
        an ACO reverts towards; default the latest year calibrated).
    new_agreement : bool
        Whether next year starts a new agreement period (rebased benchmark: stronger reversion).

    Returns
    -------
    SimulationResult

    Notes
    -----
    ``s_k = s_0 + d_k``, ``X_k = X - d_k x B`` with ``d_k`` from `draw_savings_rates` (the same draws
    for every election: common random numbers); one `settle_frame` call per election over all draws
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
    b, x = float(base.benchmark), float(base.expenditure)
    s0 = (b - x) / b if b else 0.0
    change = _draw_changes(calibration, np.array([s0]), np.array([float(base.assigned_beneficiaries)]),
                           draws, seed, base_year, np.array([bool(new_agreement)]))[0]
    expenditure = x - change * b
    # This year's expenditure settled as one more draw in front (rows are settled one by one: the same
    # numbers as a call of its own, without a second frame and call, ~5 ms).
    settled = _settle_stacked(_constant_columns(base, draws + 1), elections,
                              np.concatenate(([x], expenditure)), list(TRACKS))
    return SimulationResult(
        base=base, elections=elections, draws=draws, seed=seed, method=calibration.method, band=band,
        savings_rate_change=_frozen(change), savings_rate=_frozen(s0 + change),
        expenditure=_frozen(expenditure), earned=_frozen(settled[:, 1:]),
        at_current_rate=_frozen(settled[:, 0]),
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
    chance = summary["prob_owing_over_threshold"].to_numpy(dtype=float)
    ok = np.flatnonzero(chance <= max_prob_owing_over + 1e-12)
    if not len(ok):
        return None
    # Highest expected payment first (a missing one last), then the lower chance, then the earlier row:
    # np.lexsort sorts by its last key first (sorting the frame took ~5 ms a call).
    expected = -summary["expected_payment"].to_numpy(dtype=float)[ok]
    return summary.iloc[ok[np.lexsort((ok, chance[ok], expected))[0]]]


# --- which elections an ACO may make next year ----------------------------------------------------

MAY = "may elect"
MAY_NOT = "may not elect"
UNCERTAIN = "uncertain"
BASIC_LEVELS: tuple[str, ...] = ("BASIC_A", "BASIC_B", "BASIC_C", "BASIC_D", "BASIC_E")
# PY from which a BASIC ACO on the glide path may stay at Level A/B for the rest of its agreement
# (CY2023 PFS) [recall; 3P Milliman]: methodology section 3.
STAY_ONE_SIDED_FROM = 2024
COVID_FREEZE_YEAR = 2021  # the 2021 option to stay at the 2020 level [recall]


def agreement_last_year(start_year: int, start_month: int = 1) -> int:
    """The last performance year of the agreement period that began in `start_year` (425.200(b)).

    Agreements starting before July 2019 ran 3 years (2012 starters to 2015); the 2016 starters were
    extended through June 2019 [recall]; July 2019 starters run 5.5 years to 2024; from 2020, 5 years.
    An estimate: extensions and early renewals are not in the public files.

    >>> agreement_last_year(2019, 7), agreement_last_year(2022), agreement_last_year(2016)
    (2024, 2026, 2019)
    """
    if start_year <= 2012:
        return 2015
    if start_year == 2016:
        return 2019
    if start_year < 2019 or (start_year == 2019 and start_month < 7):
        return start_year + 2
    if start_year == 2019:
        return 2024
    return start_year + 4


def election_options(current: Election | None, next_year: int, elections: Sequence[Election], *,
                     new_agreement: bool = False) -> pd.DataFrame:
    """For each election next year: whether an ACO with this year's `current` election may make it.

    Returns one row per election: election (label), may_elect (`MAY`, `MAY_NOT` or `UNCERTAIN`) and why
    (the rule, with the methodology's confidence where it is not read in the regulation). Rules:
    - a track CMS did not offer next year (`rules.is_offered`): may not elect;
    - BASIC glide path (425.600(a)(4)) within an agreement: automatic advance one level a year, a faster
      advance may be elected, never back to a lower level; Level E may be repeated; from PY2024 an ACO at
      Level A/B may stay one-sided [recall; 3P]; in 2021 an ACO could stay at its 2020 level [recall];
      from BASIC into ENHANCED within an agreement only through an early renewal [recall]: uncertain;
    - ENHANCED within an agreement: no way down to BASIC [recall]; from BASIC no way into the tracks of
      before July 2019 (Track 1 and 1+, still offered in 2020-2021 to the agreements begun in them) [recall];
    - the MSR/MLR elected for the agreement holds for its remaining years (425.605(b), 425.610(b));
      an ACO entering a two-sided level mid-agreement elects it before its first two-sided year;
    - at a new agreement (or with no current election known): the choices depend on the ACO's
      experience with risk and its revenue (425.600(d)); not modelled: uncertain, except ENHANCED,
      open to every ACO.
    """
    rows = []
    for e in elections:
        status, why = _option(current, next_year, e, new_agreement)
        rows.append({"election": e.label, "may_elect": status, "why": why})
    return pd.DataFrame(rows, columns=["election", "may_elect", "why"])


def _option(current: Election | None, next_year: int, e: Election, new_agreement: bool) -> tuple[str, str]:
    if not is_offered(e.track, next_year):
        return MAY_NOT, f"not offered in PY{next_year}"
    if current is None:
        return UNCERTAIN, "this year's election is not known"
    if new_agreement:
        if e.track == "ENHANCED":
            return MAY, "a new agreement may start in ENHANCED (425.600)"
        return UNCERTAIN, "at a new agreement it depends on experience with risk and revenue (425.600(d))"
    now = current.track
    if now == "ENHANCED":
        if e.track != "ENHANCED":
            return MAY_NOT, "no way down from ENHANCED within an agreement (425.600) [recall]"
        return _msr_option(current, e, "stays in ENHANCED")
    if now not in BASIC_LEVELS:
        return UNCERTAIN, f"{track_rules(now).label} agreements moved to BASIC or ENHANCED; not modelled"
    if e.track == "ENHANCED":
        return UNCERTAIN, "BASIC to ENHANCED within an agreement only by early renewal (425.600) [recall]"
    if e.track not in BASIC_LEVELS:  # Track 1 and 1+ were still offered in 2020-2021, to their own ACOs
        return MAY_NOT, (f"{track_rules(e.track).label} continued only the agreements begun in it before "
                         "July 2019; no way there from BASIC (425.600) [recall]")
    level, target = BASIC_LEVELS.index(now), BASIC_LEVELS.index(e.track)
    automatic = min(level + 1, len(BASIC_LEVELS) - 1)
    glide = "(425.600(a)(4)) [recall]"
    if target < level:
        return MAY_NOT, f"the BASIC glide path never goes back a level within an agreement {glide}"
    if target == level and target != automatic:
        if next_year == COVID_FREEZE_YEAR:
            return UNCERTAIN, "2021 option to stay at the 2020 level (COVID-19) [recall]"
        if target <= 1 and next_year >= STAY_ONE_SIDED_FROM:
            return UNCERTAIN, "from PY2024 a Level A/B ACO may stay one-sided (CY2023 PFS) [recall; 3P]"
        return MAY_NOT, f"the glide path advances one level a year {glide}"
    step = ("Level E repeated" if target == level else "automatic advance" if target == automatic
            else "elected faster advance")
    return _msr_option(current, e, f"{step} on the BASIC glide path {glide}")


def _msr_option(current: Election, e: Election, step: str) -> tuple[str, str]:
    if not track_rules(e.track).two_sided:
        return MAY, step
    if not track_rules(current.track).two_sided:
        return MAY, f"{step}; MSR/MLR elected before the first two-sided year"
    if e.msr_election == current.msr_election:
        return MAY, f"{step}; the MSR/MLR elected for the agreement"
    return MAY_NOT, "the agreement's MSR/MLR election holds for its remaining years (425.605(b), 425.610(b))"
