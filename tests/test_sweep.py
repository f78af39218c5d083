"""optviz.sweep: the same answers as single runs, validation, and safety under concurrency."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import optviz
from optviz.engine.simulate import RunSpec, simulate_batch
from optviz.engine.trajectory import OUTCOME_NAMES


def grid(n, lo, hi):
    xs = np.linspace(lo, hi, n)
    return np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2)


def test_sweep_of_starts_matches_single_runs():
    starts = grid(12, -4.9, 4.9)
    result = optviz.sweep("himmelblau", "sgd", [{"lr": 0.01, "momentum": 0.5}], starts=starts, steps=200)
    singles = simulate_batch(
        "himmelblau", [RunSpec("sgd", {"lr": 0.01, "momentum": 0.5}, start=tuple(s)) for s in starts], 200
    )
    for i, t in enumerate(singles):
        assert OUTCOME_NAMES[result.outcome[i]] == t.outcome.kind
        assert (result.final_x[i], result.final_y[i]) == t.final_point
        assert result.minimum_index[i] == (-1 if t.outcome.minimum_index is None else t.outcome.minimum_index)


def test_sweep_of_learning_rates_finds_the_gd_stability_limit():
    # Booth's curvature is 18 everywhere: GD diverges exactly when lr > 2/18
    lrs = np.linspace(0.05, 0.2, 61)
    result = optviz.sweep("booth", "sgd", [{"lr": float(lr)} for lr in lrs], steps=2000)
    diverged = result.is_("diverged")
    assert np.all(diverged[lrs > 2 / 18 + 1e-3]) and not np.any(diverged[lrs < 2 / 18 - 1e-3])


def test_stochastic_sweeps_are_reproducible():
    kw = dict(grid_params=[{"lr": 0.1}], starts=grid(6, -1.5, 3.5), steps=100, gradient="minibatch", gradient_value=5)
    a, b = optviz.sweep("noisy_bowl", "sgd", seed=3, **kw), optviz.sweep("noisy_bowl", "sgd", seed=3, **kw)
    assert np.array_equal(a.final_x, b.final_x)


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"starts": [[100.0, 0.0]]}, "inside"),
        ({"starts": [[np.nan, 0.0]]}, "finite"),
        ({"grid_params": [{"lr": 99.0}]}, "lr=99.0"),
        ({"grid_params": [{"lr": 0.1}, {"lr": 0.2}], "starts": [[0, 0], [1, 1], [2, 2]]}, "one entry per run"),
        ({"gradient": "minibatch"}, "finite-sum"),
    ],
)
def test_bad_sweeps_are_refused(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        optviz.sweep("himmelblau", "adam", **kwargs)


def test_concurrent_sweeps_do_not_crash_and_agree():
    starts = grid(40, -5, 5)
    expected = optviz.sweep("himmelblau", "adam", [{"lr": 0.05}], starts=starts, steps=150).final_x
    failures = []

    def session():
        try:
            for _ in range(5):
                got = optviz.sweep("himmelblau", "adam", [{"lr": 0.05}], starts=starts, steps=150).final_x
                assert np.array_equal(got, expected)
        except BaseException as err:  # noqa: BLE001
            failures.append(err)

    threads = [threading.Thread(target=session) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not failures, failures[0]
