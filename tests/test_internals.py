"""The inspector's numbers rebuild each step exactly, so what it shows is what moved the point."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.engine.landscape import hessian, value_and_gradient
from optviz.engine.simulate import RunSpec, simulate_batch
from optviz.internals import arrow_scale, inspect_step
from surfaces import get_surface
from tests import reference


def run(surface_key, optimizer, steps=30, **hp):
    return simulate_batch(surface_key, [RunSpec(optimizer, hp)], steps, internals=True)[0]


def rows(inspection):
    return {name: np.array([x, y]) for name, x, y in inspection.rows}


@pytest.mark.parametrize(
    "optimizer,hp",
    [
        ("adam", {"lr": 0.05}),
        ("adam", {"lr": 0.05, "amsgrad": True}),
        ("adamax", {"lr": 0.05}),
        ("adagrad", {"lr": 0.3}),
        ("rmsprop", {"lr": 0.01}),
        ("rmsprop", {"lr": 0.01, "centered": True}),
        ("adadelta", {"lr": 1.0}),
    ],
)
def test_adaptive_step_is_the_effective_lr_times_the_direction(optimizer, hp):
    traj = run("himmelblau", optimizer, **hp)
    for step in (1, 2, 10, 25):
        inspection = inspect_step(traj, step)
        table = rows(inspection)
        direction = table.get("m̂ (bias-corrected)", table["gradient g"])
        np.testing.assert_allclose(table["step Δθ"], -table["effective lr"] * direction, rtol=1e-9, atol=1e-15)
        assert inspection.effective_lr == tuple(table["effective lr"])


def test_adam_moments_match_the_reference_transcription():
    surface = get_surface("himmelblau")
    params = surface.kernel_params()
    traj = run("himmelblau", "adam", lr=0.05)
    # replay the reference to step 7 and compare m and v
    state: dict = {}
    w = np.array(surface.start)
    for t in range(1, 8):
        g = np.array(value_and_gradient(surface, params, *w)[1:])
        w = reference.adam(w, g, 0.05, t, state)
    table = rows(inspect_step(traj, 7))
    np.testing.assert_allclose(table["first moment m"], state["m"], rtol=1e-12)
    np.testing.assert_allclose(table["second moment v"], state["v"], rtol=1e-12)
    np.testing.assert_allclose(table["v̂ (bias-corrected)"], state["v"] / (1 - 0.999**7), rtol=1e-12)


def test_momentum_arrow_is_what_the_buffer_added():
    traj = run("rosenbrock", "sgd", lr=1e-3, momentum=0.9)
    inspection = inspect_step(traj, 5)
    arrows = {a.key: np.array(a.vector) for a in inspection.arrows}
    np.testing.assert_allclose(arrows["gradient"] + arrows["memory"], arrows["step"], rtol=1e-12)
    # heavy ball: the memory part is −lr·μ·b₄
    b4 = rows(inspect_step(traj, 4))["momentum buffer b"]
    np.testing.assert_allclose(arrows["memory"], -1e-3 * 0.9 * b4, rtol=1e-9)


def test_plain_gd_step_is_minus_lr_g():
    traj = run("booth", "sgd", lr=0.01)
    inspection = inspect_step(traj, 3)
    assert [a.key for a in inspection.arrows] == ["gradient", "step"] and inspection.effective_lr is None
    np.testing.assert_allclose(inspection.arrows[0].vector, inspection.arrows[1].vector, rtol=1e-12)


def test_lion_moves_every_coordinate_by_exactly_lr():
    traj = run("rosenbrock", "lion", lr=1e-3)
    table = rows(inspect_step(traj, 6))
    np.testing.assert_allclose(np.abs(table["step Δθ"]), [1e-3, 1e-3], rtol=1e-12)
    np.testing.assert_array_equal(np.sign(-table["step Δθ"]), table["update sign(c)"])


def test_newton_at_the_saddle_names_the_negative_curvature():
    surface = get_surface("saddle")
    traj = run("saddle", "newton", steps=5)
    h = hessian(surface, surface.kernel_params(), *traj.path[0])
    inspection = inspect_step(traj, 1, hessian=h)
    assert "saddle" in inspection.note and "uphill" in inspection.note


def test_arrow_scale_makes_the_longest_arrow_a_fifth_of_the_span():
    inspection = inspect_step(run("himmelblau", "adam", lr=0.05), 3)
    k = arrow_scale(inspection, span=12.0)
    assert max(np.hypot(*a.vector) * k for a in inspection.arrows) == pytest.approx(0.2 * 12.0)


def test_bad_step_is_refused_by_name():
    traj = run("booth", "sgd", steps=5, lr=0.01)
    with pytest.raises(ValueError, match="step must be in"):
        inspect_step(traj, 0)
