"""Every surface: analytic gradient and Hessian against finite differences, listed minima."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.engine.landscape import hessian, loss_grid, value_and_gradient
from surfaces import CATALOGUE, FAMILIES, get_surface, minima_of, penalised_minima
from surfaces.finite_sum import DATASET

KEYS = sorted(CATALOGUE)
REQUIRED = {
    "rosenbrock",
    "saddle",
    "noisy_bowl",
    "beale",
    "himmelblau",
    "booth",
    "rastrigin",
    "ackley",
    "six_hump_camel",
    "goldstein_price",
    "matyas",
    "ravine",
}


def random_points(surface, n=40, seed=0):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.domain
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def test_catalogue_has_the_required_surfaces_with_unique_codes():
    assert REQUIRED <= set(CATALOGUE) and len(CATALOGUE) >= 12
    assert len({s.code for s in CATALOGUE.values()}) == len(CATALOGUE)


@pytest.mark.parametrize("key", KEYS)
def test_declaration_is_complete(key):
    s = get_surface(key)
    assert s.formula and len(s.story) > 60
    assert s.in_domain(*s.start)
    assert set(s.default_lr) == set(FAMILIES)


@pytest.mark.parametrize("key", KEYS)
def test_gradient_matches_central_differences(key):
    s = get_surface(key)
    p = s.kernel_params()
    for x, y in random_points(s):
        f, gx, gy = value_and_gradient(s, p, x, y)
        h = 1e-6 * max(1.0, abs(x), abs(y))
        dx = (value_and_gradient(s, p, x + h, y)[0] - value_and_gradient(s, p, x - h, y)[0]) / (2 * h)
        dy = (value_and_gradient(s, p, x, y + h)[0] - value_and_gradient(s, p, x, y - h)[0]) / (2 * h)
        scale = max(1.0, abs(f))
        assert gx == pytest.approx(dx, rel=1e-5, abs=1e-7 * scale)
        assert gy == pytest.approx(dy, rel=1e-5, abs=1e-7 * scale)


@pytest.mark.parametrize("key", KEYS)
def test_hessian_matches_differences_of_the_gradient(key):
    s = get_surface(key)
    p = s.kernel_params()
    for x, y in random_points(s, seed=1):
        H = hessian(s, p, x, y)
        h = 1e-6 * max(1.0, abs(x), abs(y))
        col_x = (np.array(value_and_gradient(s, p, x + h, y)[1:]) - value_and_gradient(s, p, x - h, y)[1:]) / (2 * h)
        col_y = (np.array(value_and_gradient(s, p, x, y + h)[1:]) - value_and_gradient(s, p, x, y - h)[1:]) / (2 * h)
        scale = max(1.0, np.abs(H).max())
        np.testing.assert_allclose(H[:, 0], col_x, rtol=1e-4, atol=1e-6 * scale)
        np.testing.assert_allclose(H[:, 1], col_y, rtol=1e-4, atol=1e-6 * scale)
        assert H[0, 1] == H[1, 0]


@pytest.mark.parametrize("key", KEYS)
def test_listed_minima_are_minima(key):
    s = get_surface(key)
    p = s.kernel_params()
    for m in minima_of(s):
        f, gx, gy = value_and_gradient(s, p, m.x, m.y)
        assert f == pytest.approx(m.value, abs=1e-9 * max(1.0, abs(m.value)))
        if key != "ackley" or (m.x, m.y) != (0.0, 0.0):  # the cone tip has no gradient
            assert np.hypot(gx, gy) < 1e-6 * max(1.0, abs(m.value))
            assert np.all(np.linalg.eigvalsh(hessian(s, p, m.x, m.y)) > 0)
    if s.bounded_below:
        xs, ys, z = loss_grid(s, p, 120)
        assert min(m.value for m in minima_of(s)) <= z.min() + 1e-12


def xyv(m):
    return (m.x, m.y, m.value)


def test_textbook_minima():
    assert xyv(minima_of(get_surface("rosenbrock"))[0]) == (1.0, 1.0, 0.0)
    assert len(minima_of(get_surface("himmelblau"))) == 4
    assert xyv(minima_of(get_surface("goldstein_price"))[0]) == (0.0, -1.0, 3.0)
    assert xyv(minima_of(get_surface("beale"))[0]) == (3.0, 0.5, 0.0)
    assert xyv(minima_of(get_surface("booth"))[0]) == (1.0, 3.0, 0.0)
    assert minima_of(get_surface("saddle")) == ()


def test_noisy_bowl_minimum_solves_the_normal_equations():
    m = minima_of(get_surface("noisy_bowl"))[0]
    a, b = DATASET[:, :2], DATASET[:, 2]
    w, *_ = np.linalg.lstsq(a, b, rcond=None)
    np.testing.assert_allclose([m.x, m.y], w, rtol=1e-10)
    assert m.value == pytest.approx(0.5 * np.mean((a @ w - b) ** 2), rel=1e-10)


def test_noisy_bowl_is_ill_conditioned():
    s = get_surface("noisy_bowl")
    eig = np.linalg.eigvalsh(hessian(s, s.kernel_params(), 0.0, 0.0))
    assert 10 < eig[1] / eig[0] < 100


def test_ravine_condition_number_parameter():
    s = get_surface("ravine")
    eig = np.linalg.eigvalsh(hessian(s, s.kernel_params({"condition_number": 100.0}), 0.0, 0.0))
    assert eig[1] / eig[0] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="condition_number"):
        s.kernel_params({"condition_number": 0.5})


def test_l2_pulls_minima_toward_origin_and_l1_onto_axes():
    s = get_surface("booth")
    p = s.kernel_params()
    l2_min = penalised_minima(s, p, 0.0, 5.0)[0]
    # booth + l2/2|w|² is a quadratic: its minimum solves (H + l2 I) w = c
    expected = np.linalg.solve(np.array([[10.0, 8.0], [8.0, 10.0]]) + 5.0 * np.eye(2), [34.0, 38.0])
    np.testing.assert_allclose([l2_min.x, l2_min.y], expected, rtol=1e-9)
    assert np.hypot(l2_min.x, l2_min.y) < np.hypot(1.0, 3.0)
    l1_min = penalised_minima(s, p, 20.0, 0.0)[0]
    assert l1_min.x == 0.0 and l1_min.y > 0  # L1 puts it exactly on the y-axis
    f0, gx, gy = value_and_gradient(s, p, 0.0, l1_min.y)
    assert abs(gy + 20.0) < 1e-6 and abs(gx) <= 20.0  # subgradient optimality


def test_penalty_can_give_the_saddle_a_minimum():
    s = get_surface("saddle")
    assert penalised_minima(s, s.kernel_params(), 0.0, 1.0) == ()
    (m,) = penalised_minima(s, s.kernel_params(), 0.0, 3.0)  # x² − y² + 1.5(x² + y²) is convex
    assert abs(m.x) < 1e-9 and abs(m.y) < 1e-9


def test_surfaces_never_import_the_engine():
    """The package sits below the engine: building, evaluating and finding minima of any surface,
    custom formulas included, loads no optviz.engine module."""
    import subprocess
    import sys

    code = (
        "import sys, surfaces; s = surfaces.get_surface('custom:2:x**2 + sin(3*y)'); surfaces.minima_of(s); "
        "surfaces.penalised_minima(surfaces.get_surface('rastrigin'), "
        "surfaces.get_surface('rastrigin').kernel_params(), 0.0, 0.5); "
        "print([m for m in sys.modules if m.startswith('optviz.engine')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
