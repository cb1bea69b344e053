"""Settlement of many ACO-years at once (numpy, no row loop): the engine behind every number shown.

The scalar `reconciliation.settle` calls this with one row, so a single implementation serves the
what-if page, the fidelity check, the program-wide what-if and the Monte Carlo simulation.

Pipeline per ACO-year (42 CFR 425.604/605/606/610; see `reconciliation` for the worked example):
    G = B - X, s = G / B
    savings when s > 0 and s >= MSR:  P = min(seq x r_s x G, payment_limit x B) x proration
    losses when s < 0 and -s >= MLR:  L = min(r_l x |G|, loss_limit) x (1 - e) x proration
    earned = P or -L (0 inside the corridor)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aco_model.msr import corridor_rates_array
from aco_model.quality import (
    ERA_CODES,
    LOSS_RULE_CODES,
    final_loss_rate_array,
    final_sharing_rate_array,
    quality_standard_met,
)
from aco_model.rules import (
    FIRST_YEAR,
    LAST_YEAR,
    REDUCED_SHARING_FACTOR,
    REDUCED_SHARING_MIN_BENEFICIARIES,
    TRACKS,
    YEARS,
    RuleError,
    TrackRules,
    YearRules,
)

REQUIRED = ("performance_year", "track", "benchmark", "expenditure", "assigned_beneficiaries")
# Optional inputs and the value that means "not given".
OPTIONAL_DEFAULTS: dict[str, float] = {
    "quality_score": np.nan,
    "pay_for_reporting": 0.0,
    "met_quality_standard": np.nan,
    "met_alternative_quality_standard": 0.0,
    "msr_election": np.nan,  # NaN = variable (table) MSR/MLR
    "participant_revenue": np.nan,  # unknown: revenue-based loss limits cannot bind
    "euc_share": np.nan,  # NaN = the year's default share of losses forgiven
    "low_revenue": 0.0,
    "agreement_start_year": np.nan,
    "track_2_year": np.nan,  # year in Track 2 (1, 2, 3+); NaN = from agreement start, else 1
    "proration": 1.0,  # 0.5 for the 2019 six-month performance years (425.609)
    # A scenario's own MSR/MLR (program-wide what-if: a flat MSR for everyone); NaN = the rules.
    "minimum_savings_rate": np.nan,
    "minimum_loss_rate": np.nan,
}

OUTCOMES: tuple[str, ...] = ("inside corridor", "shared savings", "shared losses", "reduced sharing")

_TRACK_ORDER = list(TRACKS)
_YEAR_ORDER = list(range(FIRST_YEAR, LAST_YEAR + 1))


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _three(schedule: tuple[float, ...] | None) -> list[float]:
    """A by-year schedule as exactly three entries (1st, 2nd, 3rd+ year), NaN where absent."""
    values = list(schedule or ())[:3]
    return values + [values[-1] if values else np.nan] * (3 - len(values))


def _track_table(tracks: Mapping[str, TrackRules]) -> dict[str, np.ndarray]:
    rows = [tracks[t] for t in _TRACK_ORDER]
    return {
        "max_sharing_rate": np.array([r.max_sharing_rate for r in rows]),
        "payment_limit": np.array([r.payment_limit for r in rows]),
        "two_sided": np.array([r.two_sided for r in rows]),
        "loss_rule": np.array([LOSS_RULE_CODES[r.loss_rate_rule] for r in rows]),
        "fixed_loss_rate": np.array([_nan(r.fixed_loss_rate) for r in rows]),
        "floor": np.array([_nan(r.loss_rate_floor) for r in rows]),
        "ceiling": np.array([_nan(r.loss_rate_ceiling) for r in rows]),
        "limit_benchmark": np.array([_nan(r.loss_limit_benchmark_share) for r in rows]),
        "limit_revenue": np.array([_nan(r.loss_limit_revenue_share) for r in rows]),
        "is_track_2": np.array([r.track == "TRACK_2" for r in rows]),
        "limit_by_year": np.array([_three(r.loss_limit_by_year_in_track) for r in rows], dtype=float),
        "is_basic": np.array([r.track.startswith("BASIC") for r in rows]),
    }


def _year_table(years: Mapping[int, YearRules]) -> dict[str, np.ndarray]:
    rows = [years[y] for y in _YEAR_ORDER]
    return {
        "sequestration": np.array([r.sequestration_factor for r in rows]),
        "era": np.array([ERA_CODES[r.quality_era] for r in rows]),
        "standard": np.array([_nan(r.quality_standard) for r in rows]),
        "euc": np.array([r.euc_loss_share for r in rows]),
    }


_DEFAULT_TRACKS = _track_table(TRACKS)
_DEFAULT_YEARS = _year_table(YEARS)


def _codes(values: pd.Series | np.ndarray, order: list, what: str) -> np.ndarray:
    codes = pd.Categorical(values, categories=order).codes
    if (codes < 0).any():
        bad = sorted({str(v) for v in pd.Series(values)[codes < 0].unique()})
        raise RuleError(f"unknown {what}: {', '.join(bad[:5])}; expected {order[0]}-{order[-1]}"
                        if what == "performance year" else
                        f"unknown {what}: {', '.join(bad[:5])}; expected one of {', '.join(map(str, order))}")
    return codes


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), OPTIONAL_DEFAULTS[name], dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def settle_frame(
    frame: pd.DataFrame,
    *,
    tracks: Mapping[str, TrackRules] | None = None,
    years: Mapping[int, YearRules] | None = None,
) -> pd.DataFrame:
    """Settle every row of `frame`; returns a DataFrame of results aligned with its index.

    `frame` needs the columns in `REQUIRED` and may carry any of `OPTIONAL_DEFAULTS`. `tracks` /
    `years` replace the rule tables (program-wide what-if); by default the rules as CMS applied them.
    Result columns: gross_savings, savings_rate, minimum_savings_rate, minimum_loss_rate, msr_rule,
    outcome, final_sharing_rate, sharing_rule, final_loss_rate, loss_rule, shared_savings_before_limit,
    sequestration, payment_limit, shared_savings, shared_loss_before_limit, loss_limit,
    loss_limit_binding, shared_loss, euc_reduction, proration_adjustment, earned, generated_savings_losses.
    """
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        raise KeyError(f"settle_frame needs column(s): {', '.join(missing)}")
    tt = _DEFAULT_TRACKS if tracks is None else _track_table(tracks)
    yt = _DEFAULT_YEARS if years is None else _year_table(years)
    ti = _codes(frame["track"], _TRACK_ORDER, "track")
    py = frame["performance_year"].to_numpy(dtype=np.int64)
    yi = _codes(py, _YEAR_ORDER, "performance year")
    b = frame["benchmark"].to_numpy(dtype=float)
    x = frame["expenditure"].to_numpy(dtype=float)
    n = frame["assigned_beneficiaries"].to_numpy(dtype=float)
    opt = {name: _column(frame, name) for name in OPTIONAL_DEFAULTS}
    out = _settle(tt, yt, ti, yi, py, b, x, n, opt)
    return pd.DataFrame(out, index=frame.index)


def _settle(tt, yt, ti, yi, py, b, x, n, opt) -> dict[str, np.ndarray]:
    two_sided = tt["two_sided"][ti]
    max_rate = tt["max_sharing_rate"][ti]
    g = b - x
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(b != 0, g / b, 0.0)
    start = opt["agreement_start_year"]
    msr, mlr, msr_code = corridor_rates_array(
        py, two_sided, tt["is_track_2"][ti], n, opt["msr_election"], start
    )
    msr, mlr, msr_code = _scenario_corridor(msr, mlr, msr_code, two_sided, opt)

    q = opt["quality_score"]
    met_given = ~np.isnan(opt["met_quality_standard"])
    met = quality_standard_met(q, opt["met_quality_standard"], yt["standard"][yi])
    alt = opt["met_alternative_quality_standard"] > 0
    r_s, share_code = final_sharing_rate_array(
        yt["era"][yi], max_rate, q, opt["pay_for_reporting"] > 0, met, alt, met_given
    )
    r_l, loss_code = final_loss_rate_array(
        tt["loss_rule"][ti], py, r_s, max_rate, q, met | alt,
        tt["fixed_loss_rate"][ti], tt["floor"][ti], tt["ceiling"][ti],
    )

    savings = (g > 0) & (s >= msr)
    losses = two_sided & (g < 0) & (-s >= mlr)
    # 425.605(h): low-revenue BASIC agreements from 2024 share at half rate below the MSR.
    reduced = (
        ~savings & (g > 0) & tt["is_basic"][ti] & (opt["low_revenue"] > 0) & (start >= 2024)
        & (py >= 2024) & (n >= REDUCED_SHARING_MIN_BENEFICIARIES)
    )
    r_s = np.where(reduced, r_s * REDUCED_SHARING_FACTOR, r_s)
    paid = savings | reduced
    outcome = np.select([reduced, savings, losses], [3, 1, 2], default=0).astype(np.int8)

    before_limit = np.where(paid, r_s * g, 0.0)
    after_sequestration = before_limit * yt["sequestration"][yi]
    payment_limit = tt["payment_limit"][ti] * b
    shared_savings = np.minimum(after_sequestration, payment_limit)

    loss_before = np.where(losses, r_l * -g, 0.0)
    loss_limit = _loss_limit(tt, ti, py, b, start, opt)
    shared_loss = np.minimum(loss_before, loss_limit)
    e = np.where(np.isnan(opt["euc_share"]), yt["euc"][yi], np.clip(opt["euc_share"], 0.0, 1.0))
    euc = shared_loss * e
    proration = opt["proration"]
    net = shared_savings - (shared_loss - euc)
    earned = net * proration
    return {
        "gross_savings": g,
        "savings_rate": s,
        "minimum_savings_rate": msr,
        "minimum_loss_rate": mlr,
        "msr_rule": msr_code,
        "outcome": outcome,
        "final_sharing_rate": r_s,
        "sharing_rule": share_code,
        "final_loss_rate": np.where(two_sided, r_l, np.nan),
        "loss_rule": loss_code,
        "shared_savings_before_limit": before_limit,
        "sequestration": before_limit - after_sequestration,
        "payment_limit": payment_limit,
        "shared_savings": shared_savings,
        "shared_loss_before_limit": loss_before,
        "loss_limit": loss_limit,
        "loss_limit_binding": losses & (loss_before > loss_limit),
        "shared_loss": shared_loss,
        "euc_reduction": euc,
        "proration_adjustment": earned - net,
        "earned": earned,
        "generated_savings_losses": np.where(paid | losses, g, 0.0),
    }


def _scenario_corridor(msr, mlr, code, two_sided, opt):
    """Apply a scenario's own MSR/MLR where given (rule code 5); the MLR follows the MSR by default."""
    own_msr, own_mlr = opt["minimum_savings_rate"], opt["minimum_loss_rate"]
    given = ~np.isnan(own_msr)
    msr = np.where(given, own_msr, msr)
    mlr = np.where(~np.isnan(own_mlr), own_mlr, np.where(given, own_msr, mlr))
    code = np.where(given | ~np.isnan(own_mlr), np.int8(5), code)
    return msr, np.where(two_sided, mlr, np.nan), code


def _loss_limit(tt, ti, py, b, start, opt) -> np.ndarray:
    """Loss limit in dollars (425.605(d), 425.606(g), 425.610(g)); +inf for one-sided tracks."""
    year_in_track = opt["track_2_year"]
    year_in_track = np.where(
        np.isnan(year_in_track), np.where(np.isnan(start), 1, py - start + 1), year_in_track
    )
    by_year = tt["limit_by_year"][ti, np.clip(year_in_track, 1, 3).astype(int) - 1]
    bench_share = np.where(np.isnan(by_year), tt["limit_benchmark"][ti], by_year)
    limit = np.where(np.isnan(bench_share), np.inf, bench_share * b)
    revenue_limit = tt["limit_revenue"][ti] * opt["participant_revenue"]
    return np.where(np.isnan(revenue_limit), limit, np.minimum(limit, revenue_limit))
