"""Ensembles of seeds and dropout: the spread and the shrunken solution students are shown."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optviz.ensemble import ensemble, noise_setting
from optviz.state import default_state, make_run
from surfaces import get_surface, minima_of
from surfaces.finite_sum import dropout_penalty, dropout_solution


@pytest.fixture(scope="module")
def bowl():
    state = replace(default_state("noisy_bowl"), steps=600)
    return state, make_run("sgd", get_surface("noisy_bowl"))


def test_larger_batches_shrink_the_spread(bowl):
    state, run = bowl
    spreads = [ensemble(state, run, 40, "minibatch", b).spread for b in (1, 10, 100)]
    assert spreads[0] > 2 * spreads[1] > 4 * spreads[2]


def test_seeds_differ_and_the_band_orders(bowl):
    state, run = bowl
    ens = ensemble(state, run, 20, "minibatch", 5)
    assert np.ptp(ens.paths[:, -1, 0]) > 0  # not twenty copies of one run
    low, median, high = ens.loss_band
    assert np.all(low <= median) and np.all(median <= high) and np.any(low < high)


def test_diverging_seeds_are_counted_not_hidden():
    state = default_state("noisy_bowl")
    run = make_run("sgd", get_surface("noisy_bowl"), lr=2.0)
    ens = ensemble(state, run, 10, "minibatch", 5)
    assert ens.diverged == 10 and np.isnan(ens.paths[:, -1]).all()
    assert np.isnan(ens.spread)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_settles_at_the_ridge_solution_theory_predicts(bowl, p):
    state, run = bowl
    ens = ensemble(state, run, 30, "dropout", p)
    measured = ens.paths[:, 300:].reshape(-1, 2).mean(axis=0)
    theory = dropout_solution(get_surface("noisy_bowl").dataset, p)
    least_squares = dropout_solution(get_surface("noisy_bowl").dataset, 0.0)
    assert np.linalg.norm(measured - theory) < 0.05 * np.linalg.norm(least_squares - theory)


def test_dropout_penalty_grows_with_p_and_zero_is_least_squares():
    data = get_surface("noisy_bowl").dataset
    assert np.all(dropout_penalty(data, 0.0) == 0)
    assert np.all(np.diff([dropout_penalty(data, p) for p in (0.1, 0.5, 0.9)], axis=0) > 0)
    minimum = minima_of(get_surface("noisy_bowl"))[0]
    np.testing.assert_allclose(dropout_solution(data, 0.0), [minimum.x, minimum.y], rtol=1e-12)


def test_seed_count_and_noise_values_are_checked(bowl):
    state, run = bowl
    with pytest.raises(ValueError, match="seeds must be in"):
        ensemble(state, run, 1, "minibatch", 5)
    with pytest.raises(ValueError, match="batch_size"):
        ensemble(state, run, 5, "minibatch", 0)
    assert noise_setting(state)[0] == "minibatch" and noise_setting(default_state())[0] == "noise"


def test_a_dropout_run_is_explained_by_its_ridge_point_not_as_noise_around_the_minimum():
    from optviz.presets import PRESETS
    from optviz.ui.compute import compute_runs

    computed = compute_runs(PRESETS["dropout_shrinks"].build())
    theory = dropout_solution(get_surface("noisy_bowl").dataset, 0.5)
    text = computed.explanations[1]
    assert "L2 penalty" in text and f"({theory[0]:.3g}, {theory[1]:.3g})" in text
    assert "around the minimum" not in text
