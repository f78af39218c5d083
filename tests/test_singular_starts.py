"""Starts where formulas break: exactly on every listed minimum (Ackley's is a cone tip), on the
origin, and a denormal distance away, for every surface, optimizer and gradient mode.
None may raise; a run that starts on a minimum with the exact gradient has converged at step 0;
every run's numbers are finite up to its stop, and a stop is explained in words."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.engine.gradients import GRADIENT_MODES
from optviz.engine.simulate import RunSpec, simulate_batch
from optviz.optimizers import CATALOGUE as OPTIMIZERS
from surfaces import CATALOGUE as SURFACES
from surfaces import minima_of

DENORMAL = (5e-324, 2.2e-308, 1e-150)  # the smallest, the largest subnormal scale, and 1e-150 (r³ underflows)
STEPS = 12


def singular_points(surface) -> list[tuple[float, float]]:
    centres = [(m.x, m.y) for m in minima_of(surface)] + [(0.0, 0.0)]
    points = []
    for x, y in centres:
        for dx, dy in (
            [(0.0, 0.0)] + [(d, 0.0) for d in DENORMAL] + [(0.0, -d) for d in DENORMAL] + [(d, d) for d in DENORMAL]
        ):
            point = (x + dx, y + dy)
            if surface.in_domain(*point):
                points.append(point)
    return points


def modes_of(surface):
    return [m for m in GRADIENT_MODES.values() if surface.finite_sum or not m.needs_dataset]


@pytest.mark.parametrize("surface_key", list(SURFACES))
def test_every_run_started_on_a_singular_point_ends_with_an_outcome(surface_key):
    surface = SURFACES[surface_key]
    points = singular_points(surface)
    minima = minima_of(surface)
    for mode in modes_of(surface):
        values = [None] if mode.param is None else [mode.param.default, mode.param.low]  # σ = 0, p = 0 included
        for value in values:
            runs = [
                RunSpec(key, {}, gradient=mode.key, gradient_value=value, start=point)
                for key in OPTIMIZERS
                for point in points
            ]
            trajectories = simulate_batch(surface_key, runs, STEPS)
            for run, t in zip(runs, trajectories):
                where = f"{surface_key} {run.optimizer} {mode.key}={value} from {run.start}"
                n = len(t.path)
                stop = n - 1 if t.outcome.reason != "non_finite" else n
                assert np.all(np.isfinite(t.path[:stop])) and np.all(np.isfinite(t.loss[:stop])), where
                assert t.outcome.summary(), where
                on_minimum = any(math.dist(run.start, (m.x, m.y)) < 1e-100 for m in minima)
                if on_minimum and (mode.exact or value == mode.exact_at):  # σ = 0 noise is exact
                    assert t.outcome.kind == "converged" and t.outcome.step == 0, where
                if on_minimum and value == 0:  # no noise, no dropout: the exact gradient, sampled
                    assert t.outcome.kind != "diverged", where


def test_a_run_the_engine_fails_on_fails_alone_and_the_page_stays_up(monkeypatch):
    """The engine is written never to raise; should it, that run's outcome says so, in words."""
    from optviz.engine import kernel, simulate
    from tests.test_app import run_app

    integrate = kernel.integrate

    def fails_on_adam(r, problem, runs, out):
        if runs.optimizer_codes[r] == OPTIMIZERS["adam"].code:
            raise ZeroDivisionError("division by zero")
        integrate(r, problem, runs, out)

    def batch_fails(problem, runs, out):
        for r in range(runs.starts.shape[0]):
            fails_on_adam(r, problem, runs, out)

    monkeypatch.setattr(kernel, "run_batch", batch_fails)
    monkeypatch.setattr(kernel, "integrate", fails_on_adam)
    runs = [RunSpec("sgd", {"lr": 1e-3}), RunSpec("adam", {"lr": 0.05}), RunSpec("rmsprop", {"lr": 0.01})]
    sgd, adam, rmsprop = simulate.simulate_batch("rosenbrock", runs, 50)
    assert adam.outcome.kind == "failed" and adam.outcome.reason == "ZeroDivisionError: division by zero"
    assert "engine raised ZeroDivisionError" in adam.outcome.summary()
    assert adam.path.tolist() == [list(SURFACES["rosenbrock"].start)]
    assert sgd.outcome.kind == rmsprop.outcome.kind == "ran_all_steps" and len(sgd.path) == 51

    at = run_app({"surface": "booth", "r1": "adam", "r2": "sgd"})  # a view no other test computed
    assert not at.exception
    assert any("The engine failed on this run (ZeroDivisionError" in m.value for m in at.markdown), "explained"


def test_the_issue_link_shows_the_run_not_a_traceback():
    from tests.test_app import run_app

    at = run_app({"surface": "ackley", "r1": "newton", "r1.gradient": "noise", "start": "0,1e-150"})
    assert not at.exception
    assert not any("Traceback" in e.value for e in at.error)
