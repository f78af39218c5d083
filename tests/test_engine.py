"""Engine behaviour: schedules, randomness, outcomes and batching."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optviz
from optviz.engine.landscape import value_and_gradient
from optviz.engine.simulate import RunSpec, simulate_batch
from optviz.schedules import CATALOGUE as SCHEDULES
from surfaces import get_surface, minima_of
from surfaces.finite_sum import DATASET
from tests import reference

SCHEDULE_CASES = [
    ("constant", {}),
    ("step", {"step_size": 25, "gamma": 0.3}),
    ("exponential", {"gamma": 0.95}),
    ("cosine", {"T_max": 80, "eta_min": 0.002}),
    ("cosine", {"T_max": 30, "eta_min": 0.0}),  # past T_max the cosine comes back up, as in torch
    ("warmup_cosine", {"warmup_steps": 20, "start_factor": 0.05, "T_max": 100, "eta_min": 0.001}),
    ("inverse_time", {"decay_rate": 0.2}),
    ("cyclic", {"max_lr": 0.3, "step_size_up": 15}),
]


def test_every_schedule_has_a_closed_form_case():
    assert {key for key, _ in SCHEDULE_CASES} == set(SCHEDULES)


@pytest.mark.parametrize("key,params", SCHEDULE_CASES)
def test_schedule_matches_closed_form(key, params):
    traj = optviz.simulate("booth", "adam", steps=120, lr=0.05, schedule=key, schedule_params=params, tolerance=1e-300)
    expected = [reference.schedule_lr(key, 0.05, k, **params) for k in range(120)]
    np.testing.assert_allclose(traj.lr, expected, rtol=1e-12, atol=1e-15)


def test_same_seed_same_path_bit_for_bit():
    kw = dict(steps=200, gradient="minibatch", batch_size=5, momentum=0.9, lr=0.05)
    a = optviz.simulate("noisy_bowl", "sgd", seed=7, **kw)
    b = optviz.simulate("noisy_bowl", "sgd", seed=7, **kw)
    c = optviz.simulate("noisy_bowl", "sgd", seed=8, **kw)
    assert np.array_equal(a.path, b.path) and np.array_equal(a.loss, b.loss)
    assert not np.array_equal(a.path, c.path)
    n1 = optviz.simulate("rosenbrock", "adam", gradient="noise", noise_std=2.0, seed=3, lr=0.02)
    n2 = optviz.simulate("rosenbrock", "adam", gradient="noise", noise_std=2.0, seed=3, lr=0.02)
    assert np.array_equal(n1.path, n2.path)


def test_gaussian_noise_has_the_requested_spread():
    s = get_surface("booth")
    p = s.kernel_params()
    lr, sigma = 1e-4, 3.0
    traj = optviz.simulate("booth", "sgd", steps=4000, lr=lr, gradient="noise", noise_std=sigma, seed=11)
    grads = np.array([value_and_gradient(s, p, *w)[1:] for w in traj.path[:-1]])
    noise = -np.diff(traj.path, axis=0) / lr - grads
    assert abs(noise.mean()) < 0.1
    assert noise.std() == pytest.approx(sigma, rel=0.05)
    assert abs(np.corrcoef(noise[:, 0], noise[:, 1])[0, 1]) < 0.06


def test_minibatch_of_one_uses_a_real_data_term():
    lr = 0.01
    traj = optviz.simulate("noisy_bowl", "sgd", steps=50, lr=lr, gradient="minibatch", batch_size=1, seed=2)
    a, b = DATASET[:, :2], DATASET[:, 2]
    for w, w_next in zip(traj.path[:-1], traj.path[1:]):
        candidates = w - lr * (a @ w - b)[:, None] * a
        assert np.min(np.abs(candidates - w_next).max(axis=1)) < 1e-12


def test_full_batch_equals_exact_gradient_descent():
    exact = optviz.simulate("noisy_bowl", "sgd", steps=100, lr=0.1)
    full = optviz.simulate("noisy_bowl", "sgd", steps=100, lr=0.1, gradient="minibatch", batch_size=len(DATASET))
    np.testing.assert_allclose(full.path, exact.path, rtol=1e-12, atol=1e-14)


def test_minibatch_noise_shrinks_as_batch_grows():
    exact = optviz.simulate("noisy_bowl", "sgd", steps=150, lr=0.1).path
    spread = []
    for batch in (1, 4, 16, 64):
        deviations = [
            np.abs(
                optviz.simulate(
                    "noisy_bowl", "sgd", steps=150, lr=0.1, gradient="minibatch", batch_size=batch, seed=seed
                ).path
                - exact
            ).mean()
            for seed in range(8)
        ]
        spread.append(np.mean(deviations))
    assert all(a > 1.5 * b for a, b in zip(spread, spread[1:])), spread


def test_dropout_settles_at_a_shrunken_solution():
    m = minima_of(get_surface("noisy_bowl"))[0]
    none = optviz.simulate("noisy_bowl", "sgd", steps=300, lr=0.1, gradient="dropout", dropout=0.0)
    exact = optviz.simulate("noisy_bowl", "sgd", steps=300, lr=0.1)
    np.testing.assert_allclose(none.path, exact.path, rtol=1e-12, atol=1e-14)
    heavy = optviz.simulate(
        "noisy_bowl", "sgd", steps=3000, lr=0.02, gradient="dropout", dropout=0.5, seed=1, tolerance=1e-300
    )
    late = heavy.path[-1000:].mean(axis=0)
    assert np.hypot(*late) < 0.9 * np.hypot(m.x, m.y)


def test_divergence_beyond_bound_is_detected_at_the_right_step():
    # GD on the ravine: y_t = y0 (1 − lr κ)^t, x_t = x0 (1 − lr)^t; unstable once lr > 2/κ
    lr, kappa, (_, y0) = 0.1, 25.0, get_surface("ravine").start
    traj = optviz.simulate("ravine", "sgd", steps=200, lr=lr)
    bound = 1e4 * 20.0
    expected = next(t for t in range(1, 200) if abs(y0 * (1 - lr * kappa) ** t) > bound)
    assert traj.outcome.kind == "diverged" and traj.outcome.reason == "beyond_bound"
    assert traj.outcome.step == expected
    assert len(traj.path) == expected + 1 and np.all(np.isfinite(traj.path))
    assert kappa == get_surface("ravine").params[0].default


def test_non_finite_divergence_keeps_only_finite_points():
    s = get_surface("rosenbrock")
    p = s.kernel_params()
    with np.errstate(all="ignore"):
        ref = reference.run("sgd", lambda w: value_and_gradient(s, p, *w)[1:], s.start, 10, np.full(10, 0.5))
        values = [value_and_gradient(s, p, *w) for w in ref]
    bad = next(t for t in range(11) if not np.all(np.isfinite(list(values[t]) + list(ref[t]))))
    traj = optviz.simulate("rosenbrock", "sgd", steps=10, lr=0.5)
    assert traj.outcome.kind == "diverged"
    assert traj.outcome.step == bad or traj.outcome.reason == "beyond_bound"
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.loss))


def test_nan_from_torch_semantics_is_an_outcome_not_an_exception():
    # lr at the top of its range on Goldstein–Price overflows to inf within a few steps
    traj = optviz.simulate("goldstein_price", "sgd", steps=50, lr=10.0)
    assert traj.outcome.kind == "diverged" and traj.outcome.step <= 5
    assert "diverged at step" in traj.outcome.summary()


def test_escape_from_the_saddle_is_detected_at_the_right_step():
    saddle = get_surface("saddle")
    lr = saddle.default_lr["sgd"]
    x0, y0 = saddle.start
    traj = optviz.simulate("saddle", "sgd", steps=2000, lr=lr)
    # GD: y_t = y0 (1 + 2 lr)^t; escaped once |y| is a domain width beyond the domain
    expected = next(t for t in range(1, 2000) if abs(y0 * (1 + 2 * lr) ** t) > 2.0 + 4.0)
    assert traj.outcome.kind == "escaped" and traj.outcome.step == expected
    # Adam's normalised steps leave the flat ridge at full speed
    adam = optviz.simulate("saddle", "adam", steps=2000, lr=saddle.default_lr["adam"])
    assert adam.outcome.kind == "escaped" and adam.outcome.step < expected / 2


def test_convergence_names_the_minimum_and_stops_there():
    traj = optviz.simulate("himmelblau", "adam", steps=3000, lr=0.05, start=(4.0, 4.0))
    assert traj.outcome.kind == "converged"
    m = traj.outcome.minimum
    assert (m.x, m.y) == (3.0, 2.0)
    tol = 1e-3 * 10.0
    dist = np.hypot(traj.path[:, 0] - 3.0, traj.path[:, 1] - 2.0)
    assert dist[-1] < tol and np.all(dist[:-1] >= tol)
    assert traj.outcome.step == len(traj.path) - 1


def test_penalty_moves_the_minimum_the_run_converges_to():
    plain = optviz.simulate("booth", "sgd", steps=2000, lr=0.05)
    l2 = optviz.simulate("booth", "sgd", steps=2000, lr=0.05, l2=5.0)
    assert plain.outcome.kind == l2.outcome.kind == "converged"
    assert np.hypot(*l2.final_point) < np.hypot(*plain.final_point)


def test_weight_decay_is_coupled_for_adam_and_decoupled_for_adamw():
    coupled = optviz.simulate("booth", "adam", steps=50, lr=0.1, weight_decay=0.5)
    decoupled = optviz.simulate("booth", "adamw", steps=50, lr=0.1, weight_decay=0.5)
    assert not np.allclose(coupled.path, decoupled.path)


def test_batch_runs_match_single_runs_and_unrecorded_finals_match():
    runs = [
        RunSpec("adam", {"lr": 0.05}),
        RunSpec("sgd", {"lr": 1e-3, "momentum": 0.9}, start=(0.5, -0.5)),
        RunSpec("rmsprop", {"lr": 0.01}, schedule="cosine", schedule_params={"T_max": 100}),
    ]
    batch = simulate_batch("rosenbrock", runs, 300)
    finals = simulate_batch("rosenbrock", runs, 300, record=False)
    for run, traj, final in zip(runs, batch, finals):
        single = optviz.simulate(
            "rosenbrock",
            run.optimizer,
            run.start,
            300,
            schedule=run.schedule,
            schedule_params=run.schedule_params,
            **run.hyperparameters,
        )
        assert np.array_equal(single.path, traj.path)
        assert final.final_point == traj.final_point and final.outcome == traj.outcome
        assert math.isclose(final.final_loss, traj.loss[-1])


def test_trajectory_shapes():
    traj = optviz.simulate("beale", "adam", steps=37, lr=1e-3)
    assert traj.path.shape == (38, 2) and traj.loss.shape == (38,) and traj.grad_norm.shape == (38,)
    assert traj.lr.shape == (37,)
    assert traj.outcome.kind == "ran_all_steps" and traj.outcome.step is None
    np.testing.assert_array_equal(traj.path[0], get_surface("beale").start)


def test_stochastic_runs_note_a_minimum_but_keep_going():
    exact = optviz.simulate("booth", "sgd", steps=500, lr=0.05)
    noisy = optviz.simulate("booth", "sgd", steps=500, lr=0.05, gradient="noise", noise_std=0.01, seed=4)
    assert exact.outcome.kind == "converged"
    assert noisy.outcome.kind == "ran_all_steps" and len(noisy.path) == 501
    assert noisy.outcome.reached_step is not None and noisy.outcome.reached_step <= exact.outcome.step + 5
    assert (noisy.outcome.minimum.x, noisy.outcome.minimum.y) == (1.0, 3.0)
    assert "first reached" in noisy.outcome.summary()
