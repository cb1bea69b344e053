"""simulate settles every election's draws in one frame: the numbers of one settlement per election.

Before, `aco_model.uncertainty.simulate` built a frame and called settle_frame once per election (and
concatenated one-row frames for the payment at this year's rate); `_per_election` below is that code.
The stacked frame must give the very same earned amounts, bit for bit (NaN and the sign of zero included),
across years, tracks, elections offered or not, and draw counts on either side of the engine's threads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aco_model.reconciliation import AcoYear
from aco_model.rules import TRACKS
from aco_model.uncertainty import (
    Calibration,
    _constant_columns,
    _draw_changes,
    elections_for,
    simulate,
)
from aco_model.vectorized import settle_frame

WIDE = Calibration.from_changes(np.random.default_rng(7).normal(0.0, 0.05, 500))


def _per_election(base: AcoYear, calibration: Calibration, draws: int, seed: int, elections) -> tuple:
    b, x = float(base.benchmark), float(base.expenditure)
    size = np.array([float(base.assigned_beneficiaries)])
    rate = np.array([(b - x) / b])
    change = _draw_changes(calibration, rate, size, draws, seed, None, np.array([False]))[0]
    codes = list(TRACKS)

    def frame(constant, election, expenditure):
        n = len(expenditure)
        cols = dict(constant)
        cols["track"] = pd.Categorical.from_codes(np.full(n, codes.index(election.track), dtype=np.int8),
                                                  categories=codes)
        cols["expenditure"] = expenditure
        cols["msr_election"] = np.full(n, np.nan if election.msr_election is None else election.msr_election)
        return pd.DataFrame(cols)

    constant = _constant_columns(base, draws)
    earned = np.array([settle_frame(frame(constant, e, x - change * b), columns=["earned"])["earned"]
                       .to_numpy() for e in elections])
    one = _constant_columns(base, 1)
    current = pd.concat([frame(one, e, np.array([x])) for e in elections], ignore_index=True)
    return earned, settle_frame(current, columns=["earned"])["earned"].to_numpy()


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


@settings(max_examples=20)
@given(st.integers(2019, 2025), st.sampled_from(list(TRACKS)), st.floats(0.7, 1.1), st.floats(0, 1),
       st.sampled_from([3_000, 8_000, 40_000]), st.booleans(), st.sampled_from([1, 37, 5_000]),
       st.integers(0, 2**31 - 1))
@example(2025, "ENHANCED", 0.97, 0.8, 25_000, False, 20_000, 1)  # 20,000 draws: settled on threads
def test_stacked_simulation_is_the_per_election_one(year, track, ratio, quality, n, offered, draws, seed):
    base = AcoYear(year, track, 300e6, 300e6 * ratio, n, quality_score=quality, met_quality_standard=True,
                   msr_election=0.02 if TRACKS[track].two_sided else None)
    elections = elections_for(year, offered_only=offered) or elections_for(year, offered_only=False)
    result = simulate(base, WIDE, draws, seed, elections)
    earned, at_current = _per_election(base, WIDE, draws, seed, elections)
    assert result.earned.shape == (len(elections), draws)
    assert _same(result.earned, earned)
    assert _same(result.at_current_rate, at_current)


def test_one_election_one_draw():
    base = AcoYear(2024, "BASIC_E", 100e6, 97e6, 20_000, quality_score=0.8, met_quality_standard=True)
    elections = elections_for(2024, offered_only=True)[:1]
    result = simulate(base, Calibration.normal(-0.01, 0.0), 1, 1, elections)
    earned, at_current = _per_election(base, Calibration.normal(-0.01, 0.0), 1, 1, elections)
    assert _same(result.earned, earned) and _same(result.at_current_rate, at_current)
