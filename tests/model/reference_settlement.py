"""The settlement engine as plain whole-array numpy, one rule after another: the oracle for the fast one.

This is `aco_model.vectorized` as it was before the speed work (commit 611b11f): every rule applied with
`np.select` / `np.choose` / `np.where` on whole columns, the rule codes from the reference functions
(`msr.corridor_rates_array`) and the quality rules written out as they were. The fast engine (lookup
tables, in-place blocks, bit blends) must give exactly (bit for bit) what this gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aco_model.msr import corridor_rates_array
from aco_model.quality import ERA_CODES, LOSS_RULE_CODES, QUALITY_SCALED_LOSS_RATE_FROM
from aco_model.rules import (
    FIRST_YEAR,
    LAST_YEAR,
    REDUCED_SHARING_FACTOR,
    REDUCED_SHARING_MIN_BENEFICIARIES,
    TRACKS,
    YEARS,
)
from aco_model.vectorized import OPTIONAL_DEFAULTS, RESULT_COLUMNS

TRACK_ORDER = list(TRACKS)


def _nan(value):
    return np.nan if value is None else value


def _three(schedule):
    values = list(schedule or ())[:3]
    return values + [values[-1] if values else np.nan] * (3 - len(values))


def _sharing(era, max_rate, q, pay_for_reporting, met, alt, met_given):
    q = np.nan_to_num(q, nan=0.0)
    legacy = era == 0
    code = np.select([legacy & met_given & ~met, legacy & pay_for_reporting, legacy, met, (era == 2) & alt],
                     [2, 1, 0, 3, 4], default=5).astype(np.int8)
    factor = np.choose(code, [q, np.ones_like(q), np.zeros_like(q), np.ones_like(q), q, np.zeros_like(q)])
    return max_rate * factor, code


def _loss(loss_rule, py, r_s, max_rate, q, met_any, fixed, floor, ceiling):
    q = np.nan_to_num(q, nan=0.0)
    complement = np.clip(1.0 - r_s, floor, ceiling)
    scaled_from = np.select([loss_rule == LOSS_RULE_CODES[r] for r in QUALITY_SCALED_LOSS_RATE_FROM],
                            list(QUALITY_SCALED_LOSS_RATE_FROM.values()), default=np.iinfo(np.int64).max)
    scaled_year = py >= scaled_from
    t2, enh = loss_rule == 2, loss_rule == 4
    code = np.select([loss_rule == 0, loss_rule == 1, t2 & scaled_year & ~met_any, t2 & scaled_year, t2,
                      enh & scaled_year & ~met_any, enh & scaled_year],
                     [0, 1, 7, 6, 2, 5, 4], default=3).astype(np.int8)
    scaled = 1.0 - max_rate * q
    rate = np.choose(code, [np.zeros_like(q), fixed, np.minimum(ceiling, 1.0 - r_s), complement,
                            np.clip(scaled, floor, ceiling), ceiling, np.minimum(ceiling, scaled), ceiling])
    return rate, code


def reference_settle(frame: pd.DataFrame, tracks=None, years=None) -> pd.DataFrame:
    """Every result column of `settle_frame` for valid rows of `frame` (track names, all inputs)."""
    tracks, years = tracks or TRACKS, years or YEARS
    t_rows = [tracks[t] for t in TRACK_ORDER]
    y_rows = [years[y] for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    rows = len(frame)
    ti = pd.Index(TRACK_ORDER).get_indexer(frame["track"].astype(str))
    py = frame["performance_year"].to_numpy(dtype=np.int64)
    yi = py - FIRST_YEAR

    def given(name):
        if name not in frame:
            return None
        return pd.to_numeric(frame[name]).to_numpy(dtype=float)

    def value(name):
        v = given(name)
        return np.full(rows, OPTIONAL_DEFAULTS.get(name, np.nan)) if v is None else v

    def by_track(get):
        return np.array([get(r) for r in t_rows])[ti]

    b, x, n = given("benchmark"), given("expenditure"), given("assigned_beneficiaries")
    two_sided = by_track(lambda r: r.two_sided)
    max_rate = by_track(lambda r: r.max_sharing_rate)
    start = value("agreement_start_year")
    g = b - x
    s = g / b
    msr, mlr, msr_code = corridor_rates_array(py, two_sided, by_track(lambda r: r.track == "TRACK_2"), n,
                                              value("msr_election"), start)
    own_msr, own_mlr = value("minimum_savings_rate"), value("minimum_loss_rate")
    if not (np.isnan(own_msr).all() and np.isnan(own_mlr).all()):
        msr_given, mlr_given = ~np.isnan(own_msr), ~np.isnan(own_mlr)
        new_msr = np.where(msr_given, own_msr, msr)
        mlr = np.where(two_sided, np.where(mlr_given, own_mlr, np.where(msr_given, own_msr, mlr)), np.nan)
        msr_code = np.where(msr_given | mlr_given, np.int8(5), msr_code)
        msr = new_msr
    below_500 = (n < 500) & np.isin(msr_code, (0, 2, 3))

    q = value("quality_score")
    published = value("met_quality_standard")
    standard = np.array([_nan(r.quality_standard) for r in y_rows])[yi]
    met = np.where(np.isnan(published), np.nan_to_num(q, nan=0.0) >= np.nan_to_num(standard, nan=0.0),
                   published > 0)
    alt = np.nan_to_num(value("met_alternative_quality_standard")) > 0
    era = np.array([ERA_CODES[r.quality_era] for r in y_rows])[yi]
    r_s, share_code = _sharing(era, max_rate, q, np.nan_to_num(value("pay_for_reporting")) > 0, met, alt,
                               ~np.isnan(published))
    r_l, loss_code = _loss(by_track(lambda r: LOSS_RULE_CODES[r.loss_rate_rule]), py, r_s, max_rate, q,
                           met | alt, by_track(lambda r: _nan(r.fixed_loss_rate)),
                           by_track(lambda r: _nan(r.loss_rate_floor)),
                           by_track(lambda r: _nan(r.loss_rate_ceiling)))

    savings = (g > 0) & (s >= msr)
    losses = two_sided & (g < 0) & (-s >= mlr)
    outcome = savings.view(np.int8) | (losses.view(np.int8) << 1)
    low_revenue = np.nan_to_num(value("low_revenue")) > 0
    reduced = (~savings & (g > 0) & by_track(lambda r: r.track.startswith("BASIC")) & low_revenue
               & (start >= 2024) & (py >= 2024) & (n >= REDUCED_SHARING_MIN_BENEFICIARIES))
    r_s = np.where(reduced, r_s * REDUCED_SHARING_FACTOR, r_s)
    paid = savings | reduced
    outcome = outcome | reduced.view(np.int8) * np.int8(3)

    before = r_s * g * paid + 0.0  # as the engine always did: 0.0 (not -0.0) for a zero payment
    after = before * np.array([r.sequestration_factor for r in y_rows])[yi]
    payment_limit = by_track(lambda r: r.payment_limit) * b
    shared_savings = np.minimum(after, payment_limit)

    loss_before = np.where(losses, r_l * -g, 0.0)
    from_start = np.where(np.isnan(start), 1, py - start + 1)
    year_in_track = np.where(np.isnan(value("track_2_year")), from_start, value("track_2_year"))
    column = np.clip(year_in_track, 1, 3).astype(np.intp) - 1
    by_year = np.array([_three(r.loss_limit_by_year_in_track) for r in t_rows], dtype=float)
    limit_benchmark = np.array([_nan(r.loss_limit_benchmark_share) for r in t_rows])
    share = np.where(np.isnan(by_year), limit_benchmark[:, None], by_year)
    share = np.where(np.isnan(share), np.inf, share)
    loss_limit = np.fmin(share[ti, column] * b,
                         by_track(lambda r: _nan(r.loss_limit_revenue_share)) * value("participant_revenue"))
    shared_loss = np.minimum(loss_before, loss_limit)
    euc_default = np.array([r.euc_loss_share for r in y_rows])[yi]
    euc = shared_loss * np.where(np.isnan(value("euc_share")), euc_default, value("euc_share"))
    net = shared_savings - (shared_loss - euc)
    proration = value("proration")
    earned = net * proration
    out = {
        "gross_savings": g, "savings_rate": s, "minimum_savings_rate": msr, "minimum_loss_rate": mlr,
        "msr_rule": msr_code, "msr_below_500_assumed": below_500, "outcome": outcome,
        "final_sharing_rate": r_s, "sharing_rule": share_code,
        "final_loss_rate": r_l + np.where(two_sided, 0.0, np.nan), "loss_rule": loss_code,
        "shared_savings_before_limit": before, "sequestration": before - after,
        "payment_limit": payment_limit, "shared_savings": shared_savings,
        "shared_loss_before_limit": loss_before, "loss_limit": loss_limit,
        "loss_limit_binding": losses & (loss_before > loss_limit), "shared_loss": shared_loss,
        "euc_reduction": euc, "proration_adjustment": earned - net, "earned": earned,
        "generated_savings_losses": g * (paid | losses) + 0.0,
    }
    return pd.DataFrame({name: np.asarray(out[name]).astype(dtype) for name, dtype in RESULT_COLUMNS.items()},
                        index=frame.index)
