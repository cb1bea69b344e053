"""Quality-driven rules as data: the Track 2 loss rate from PY2021, the published precision of QualScore, and
the solved EUC mean quality scores (no CMS files needed)."""

from __future__ import annotations

import numpy as np
import pytest

from aco_model.euc_quality import EUC_MEAN_QUALITY, at_mean_score, unrounded_scores
from aco_model.quality import LOSS_RULES, QUALITY_SCORE_HALF_UNIT, final_loss_rate_array
from aco_model.reconciliation import AcoYear, settle
from aco_model.rules import FIRST_YEAR, LAST_YEAR


def _track_2_rate(year: int, q: float, r_s: float, met: bool = True) -> float:
    rate, _ = final_loss_rate_array(np.array([2]), np.array([year]), np.array([r_s]), np.array([0.6]),
                                    np.array([q]), np.array([met]), np.array([np.nan]), np.array([np.nan]),
                                    np.array([0.6]))
    return float(rate[0])


def test_track_2_loss_rate_follows_the_sharing_rate_to_2020_and_the_score_from_2021():
    assert _track_2_rate(2018, 0.9794, 0.6 * 0.9794) == pytest.approx(1 - 0.6 * 0.9794)  # PY2018 A3336
    assert _track_2_rate(2020, 0.89, 0.6 * 0.89) == pytest.approx(0.466)
    # from PY2021 the QPS makes r_s all or nothing (0.60), but the loss rate still scales with q
    assert _track_2_rate(2021, 0.89, 0.60) == pytest.approx(0.466)
    assert _track_2_rate(2021, 0.30, 0.60) == pytest.approx(0.60)  # at most 60%
    assert _track_2_rate(2021, 0.89, 0.0, met=False) == pytest.approx(0.60)


def test_a2029_py2021_loss_is_cms_disadj():
    """PUF 2021 A2029: Track 2, q 0.89, G -2,382,640 -> DisAdj -1,110,310 (the loss, forgiven in full)."""
    aco = AcoYear(2021, "TRACK_2", 42_073_890, 42_073_890 + 2_382_640, 20_000, quality_score=0.89,
                  met_quality_standard=True, msr_election=0.0, agreement_start_year=2018, euc_share=0.0)
    result = settle(aco)
    assert round(result.shared_loss) == 1_110_310
    assert result.final_loss_rate == pytest.approx(0.466)
    assert result.loss_rule == LOSS_RULES[6] and "0.6 x quality score" in result.loss_rule


def test_enhanced_loss_rate_unchanged():
    sharing = np.array([0.75, 0.75 * 0.7178])  # QPS met in PY2024 (full rate); scaled in PY2020
    rate, code = final_loss_rate_array(np.array([4, 4]), np.array([2024, 2020]), sharing,
                                       np.array([0.75, 0.75]), np.array([0.7178, 0.7178]),
                                       np.array([True, True]), np.array([np.nan] * 2), np.array([0.4] * 2),
                                       np.array([0.75] * 2))
    assert rate.tolist() == pytest.approx([1 - 0.75 * 0.7178, 1 - 0.75 * 0.7178])
    assert code.tolist() == [4, 3]


def test_published_precision_is_data_for_every_rule_year():
    assert set(QUALITY_SCORE_HALF_UNIT) == set(range(FIRST_YEAR, LAST_YEAR + 1))
    assert QUALITY_SCORE_HALF_UNIT[2013] == 0.0  # a 0/1 reporting flag
    assert QUALITY_SCORE_HALF_UNIT[2014] == 5e-10  # 9 decimals (0.916964286)
    assert all(QUALITY_SCORE_HALF_UNIT[y] == 5e-5 for y in range(2015, 2025))


@pytest.mark.parametrize("year", sorted(EUC_MEAN_QUALITY))
def test_solved_mean_scores_round_to_the_published_ones(year):
    score = EUC_MEAN_QUALITY[year]
    assert score.low <= score.unrounded <= score.high
    assert round(score.unrounded, 4) == score.published
    assert score.high - score.low < 3e-7 and score.savers >= 10
    assert "425.502(f)" in score.citation


def test_mean_score_replaces_only_affected_rows_at_the_published_value():
    import pandas as pd

    rows = pd.DataFrame({"performance_year": [2019, 2019, 2018, 2018, 2021],
                         "quality_score": [0.9217, 0.9218, 0.9268, 0.9268, 0.9217],
                         "euc_affected_quality": [True, True, True, False, True]})
    assert at_mean_score(rows).tolist() == [True, False, True, False, False]
    assert unrounded_scores(rows).tolist() == [EUC_MEAN_QUALITY[2019].unrounded, 0.9218,
                                               EUC_MEAN_QUALITY[2018].unrounded, 0.9268, 0.9217]
