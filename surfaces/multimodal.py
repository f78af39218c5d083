"""Rastrigin and Ackley: one global minimum hidden among a lattice of local ones."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from optviz.jit import compiled, inlined
from surfaces.base import Minimum, Surface, fixed_minima

TWO_PI = 2.0 * math.pi


@inlined
def rastrigin(x, y, p):
    f = 20.0 + x * x - 10.0 * math.cos(TWO_PI * x) + y * y - 10.0 * math.cos(TWO_PI * y)
    return f, 2.0 * x + 20.0 * math.pi * math.sin(TWO_PI * x), 2.0 * y + 20.0 * math.pi * math.sin(TWO_PI * y)


@compiled
def rastrigin_hessian(x, y, p):
    k = 40.0 * math.pi * math.pi
    return 2.0 + k * math.cos(TWO_PI * x), 0.0, 2.0 + k * math.cos(TWO_PI * y)


@inlined
def ackley(x, y, p):
    r = math.sqrt(0.5 * (x * x + y * y))
    e1 = math.exp(-0.2 * r)
    e2 = math.exp(0.5 * (math.cos(TWO_PI * x) + math.cos(TWO_PI * y)))
    f = -20.0 * e1 - e2 + math.e + 20.0
    # The cone at the origin has no gradient; 0 is its (sub)gradient there.
    cone = 2.0 * e1 / r if r > 0.0 else 0.0
    return f, cone * x + math.pi * e2 * math.sin(TWO_PI * x), cone * y + math.pi * e2 * math.sin(TWO_PI * y)


# Below this radius the cone's curvature (~1/r) is beyond any step it could scale: it is taken
# there, the same in every direction (at the tip itself the direction is undefined).
CONE_TIP = 1e-150


@compiled
def ackley_hessian(x, y, p):
    e2 = math.exp(0.5 * (math.cos(TWO_PI * x) + math.cos(TWO_PI * y)))
    sx, sy = math.sin(TWO_PI * x), math.sin(TWO_PI * y)
    pi2 = math.pi * math.pi
    bxx = pi2 * e2 * (2.0 * math.cos(TWO_PI * x) - sx * sx)
    byy = pi2 * e2 * (2.0 * math.cos(TWO_PI * y) - sy * sy)
    bxy = -pi2 * e2 * sx * sy
    # the cone -20 e^(-0.2 r), r = |w|/√2, in the unit direction (cx, cy) of w, scaled so that
    # no square underflows: its Hessian is 2 e^(-0.2 r) (cy²/r − 0.2 cx², −cx cy (1/r + 0.2), cx²/r − 0.2 cy²)
    m = max(abs(x), abs(y))
    if m < CONE_TIP:
        r, cxx, cxy, cyy = CONE_TIP, 0.5, 0.0, 0.5
    else:
        a, b = x / m, y / m
        n = math.sqrt(a * a + b * b)
        cx, cy = a / n, b / n
        r = m * n / math.sqrt(2.0)
        cxx, cxy, cyy = cx * cx, cx * cy, cy * cy
    e1 = 2.0 * math.exp(-0.2 * r)
    axx = e1 * (cyy / r - 0.2 * cxx)
    ayy = e1 * (cxx / r - 0.2 * cyy)
    axy = -e1 * cxy * (1.0 / r + 0.2)
    return axx + bxx, axy + bxy, ayy + byy


def lattice_points(extent: float) -> Callable[[np.ndarray], list[tuple[float, float, str]]]:
    """Seeds for the minimum finder: every integer lattice point of the square |x|, |y| ≤ extent
    but the origin (the global minimum, declared exactly: Ackley's is a cone tip).  Each local
    minimum sits near one (the outermost ring just inside a whole-number edge)."""
    half_width = int(math.floor(extent))
    points = [
        (float(i), float(j), "local")
        for i in range(-half_width, half_width + 1)
        for j in range(-half_width, half_width + 1)
        if i or j
    ]
    return lambda kernel_params: points


ORIGIN = Minimum(0.0, 0.0, 0.0, "global")

SURFACES = (
    Surface(
        key="rastrigin",
        name="Rastrigin",
        value_grad=rastrigin,
        hessian=rastrigin_hessian,
        formula=r"f(x,y) = 20 + \sum_{z\in\{x,y\}} \left(z^2 - 10\cos 2\pi z\right)",
        story="An egg-crate of about a hundred local minima on a bowl. Gradient methods stop in "
        "the nearest dimple; noise (SGD) or momentum can carry a run over small bumps toward "
        "the global minimum at the origin.",
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        start=(3.3, -2.7),
        minima_fn=fixed_minima(ORIGIN),
        minimum_seeds=lattice_points(5.12),
        default_lr={"sgd": 2e-3, "adagrad": 0.5, "rmsprop": 2e-2, "adam": 0.1, "adadelta": 1.0},
    ),
    Surface(
        key="ackley",
        name="Ackley",
        value_grad=ackley,
        hessian=ackley_hessian,
        formula=r"f(x,y) = -20\,e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
        story="A nearly flat, bumpy plateau with one deep funnel at the origin. Far out the "
        "gradient mostly points to the nearest bump, so local methods get trapped unless "
        "they start inside the funnel.",
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(2.2, -1.6),
        minima_fn=fixed_minima(ORIGIN),
        minimum_seeds=lattice_points(5.0),
        default_lr={"sgd": 1e-2, "adagrad": 0.5, "rmsprop": 2e-2, "adam": 0.1, "adadelta": 1.0},
    ),
)
