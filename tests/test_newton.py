"""Damped Newton: against an eigh-based reference, and its behaviour at saddles."""

from __future__ import annotations

import numpy as np
import pytest

import optviz
from optviz.engine.landscape import hessian, value_and_gradient
from surfaces import get_surface


def reference_newton(surface_key, start, steps, lr=1.0, damping=1e-3, max_step=1.0, saddle_free=False, l2=0.0):
    """The textbook step −lr·(H + λI)⁻¹g via numpy's eigendecomposition, capped at max_step."""
    surface = get_surface(surface_key)
    params = surface.kernel_params()
    w = np.array(start, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        g = np.array(value_and_gradient(surface, params, *w, l2=l2)[1:])
        h, u = np.linalg.eigh(hessian(surface, params, *w, l2=l2))
        if saddle_free:
            h = np.abs(h)
        step = -lr * u @ ((u.T @ g) / (h + damping))
        if np.linalg.norm(step) > max_step:
            step *= max_step / np.linalg.norm(step)
        w = w + step
        path.append(w.copy())
    return np.array(path)


@pytest.mark.parametrize(
    "surface_key,options",
    [
        ("rosenbrock", {}),
        ("himmelblau", {"damping": 0.5, "lr": 0.7}),
        ("six_hump_camel", {"saddle_free": True, "max_step": 0.2}),
        ("saddle", {"saddle_free": True}),
        ("ravine", {"l2": 0.3}),
    ],
)
def test_path_matches_eigh_reference(surface_key, options):
    surface = get_surface(surface_key)
    traj = optviz.simulate(surface_key, "newton", steps=25, **options)
    expected = reference_newton(surface_key, surface.start, 25, **options)
    n = len(traj.path)
    np.testing.assert_allclose(traj.path, expected[:n], rtol=1e-9, atol=1e-10 * surface.span)


def test_one_undamped_step_lands_on_a_quadratic_minimum():
    """Whatever the condition number, Newton solves a quadratic in one step (GD needs thousands)."""
    traj = optviz.simulate(
        "ravine",
        "newton",
        start=(-9.0, 2.0),
        steps=5,
        damping=0.0,
        max_step=100.0,
        surface_params={"condition_number": 1000.0},
    )
    assert traj.outcome.kind == "converged" and traj.outcome.step == 1
    np.testing.assert_allclose(traj.path[1], [0.0, 0.0], atol=1e-12)


def test_step_cap_bounds_every_step():
    traj = optviz.simulate("rosenbrock", "newton", steps=40, max_step=0.05)
    lengths = np.linalg.norm(np.diff(traj.path, axis=0), axis=1)
    assert lengths.max() <= 0.05 * (1 + 1e-12)


def test_plain_newton_is_attracted_to_the_saddle_and_saddle_free_escapes():
    plain = optviz.simulate("saddle", "newton", steps=100)
    assert plain.outcome.kind == "ran_all_steps"
    assert np.linalg.norm(plain.path[-1]) < 1e-6  # sat on the stationary point, which is no minimum
    free = optviz.simulate("saddle", "newton", steps=100, saddle_free=True)
    assert free.outcome.kind == "escaped"


def test_large_damping_turns_newton_into_gradient_descent():
    """(H + λI)⁻¹ ≈ I/λ for λ ≫ |H|: Newton with lr becomes GD with lr/λ."""
    newton = optviz.simulate("noisy_bowl", "newton", steps=300, damping=100.0, lr=0.1, max_step=100.0)
    gd = optviz.simulate("noisy_bowl", "sgd", steps=300, lr=1e-3)
    travelled = np.linalg.norm(gd.path[-1] - gd.path[0])
    assert np.abs(newton.path - gd.path).max() < 0.02 * travelled


def test_the_explanation_names_the_saddle_newton_stopped_on():
    from optviz.state import default_state, make_run, replace
    from optviz.ui.compute import compute_runs

    surface = get_surface("saddle")
    state = replace(
        default_state("saddle"), runs=(make_run("newton", surface), make_run("newton", surface, saddle_free=True))
    )
    computed = compute_runs(state)
    plain = computed.explanations[0]
    assert plain.startswith("Stopped on a saddle point") and "saddle-free Newton" in plain
    assert computed.explanations[1].startswith("Escaped")
