"""aco_model.selection: the same answers as np.select / np.choose, whatever the inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aco_model.selection import choose, select


@given(st.integers(0, 40), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_select_matches_numpy(rows, conditions, seed):
    rng = np.random.default_rng(seed)
    condlist = [rng.random(rows) < rng.random() for _ in range(conditions)]
    for choices, default in ((list(rng.integers(-3, 9, conditions)), 5),
                             ([float(v) for v in rng.random(conditions)], np.nan),
                             ([np.int8(v) for v in range(conditions)], np.int8(9))):
        expected, got = np.select(condlist, choices, default), select(condlist, choices, default)
        assert got.dtype == expected.dtype and np.array_equal(got, expected, equal_nan=True)


@given(st.integers(0, 40), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_choose_matches_numpy(rows, choices, seed):
    rng = np.random.default_rng(seed)
    code = rng.integers(0, choices, rows).astype(np.int8)
    options = [rng.random(rows) if rng.random() < 0.6 else float(rng.choice([np.nan, rng.random()]))
               for _ in range(choices)]
    expected, got = np.choose(code, options), choose(code, options)
    assert got.dtype == expected.dtype and np.array_equal(got, expected, equal_nan=True)


def test_other_shapes_fall_back_to_numpy():
    grid = np.array([[True, False], [False, True]])
    assert np.array_equal(select([grid], [1], 0), np.select([grid], [1], 0))
    assert np.array_equal(choose(np.array([[0, 1]]), [1.0, 2.0]), np.array([[1.0, 2.0]]))


def test_choose_refuses_a_code_without_a_choice():
    with pytest.raises(ValueError):
        choose(np.array([0, 2]), [np.zeros(2), np.ones(2)])


def test_choose_with_the_same_array_for_several_codes():
    table, election = np.array([0.1, 0.2, 0.3, 0.4]), np.array([np.nan, 0.02, 0.0, 0.01])
    code = np.array([0, 4, 1, 3], dtype=np.int8)
    options = [table, 0.02, table, table, election]
    assert np.array_equal(choose(code, options), np.choose(code, options), equal_nan=True)
