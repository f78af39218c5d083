"""Quadratics: the saddle and the ravine, where theory gives exact answers."""

from __future__ import annotations

from optviz.jit import compiled, inlined
from optviz.params import Param
from surfaces.base import Minimum, Surface, fixed_minima


@inlined
def saddle(x, y, p):
    return x * x - y * y, 2.0 * x, -2.0 * y


@compiled
def saddle_hessian(x, y, p):
    return 2.0, 0.0, -2.0


@inlined
def ravine(x, y, p):
    kappa = p[0]
    return 0.5 * (x * x + kappa * y * y), x, kappa * y


@compiled
def ravine_hessian(x, y, p):
    return 1.0, 0.0, p[0]


SURFACES = (
    Surface(
        key="saddle",
        name="Saddle",
        value_grad=saddle,
        hessian=saddle_hessian,
        formula=r"f(x,y) = x^2 - y^2",
        story="Downhill along y, uphill along x, and flat at the origin. Started almost on the "
        "ridge, plain GD crawls: the y-gradient is tiny, so its steps are tiny. Adam and "
        "RMSprop divide by the gradient's size and leave at full speed. The surface has no "
        "minimum, so a run that leaves the plotted area by a wide margin has escaped.",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.8, 1e-3),
        minima_fn=fixed_minima(),
        default_lr={"sgd": 0.01, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05, "adadelta": 1.0},
        bounded_below=False,
        log_contours=False,
    ),
    Surface(
        key="ravine",
        name="Ravine",
        value_grad=ravine,
        hessian=ravine_hessian,
        formula=r"f(x,y) = \tfrac12\left(x^2 + \kappa\, y^2\right)",
        story="A long narrow valley with curvature 1 along x and κ across it. GD must keep "
        "lr < 2/κ to stay stable across the valley, so it creeps along it; momentum "
        "accumulates the consistent x-direction and damps the y zig-zag.",
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-9.0, 2.0),
        minima_fn=fixed_minima(Minimum(0.0, 0.0, 0.0, "global")),
        default_lr={"sgd": 0.07, "adagrad": 1.0, "rmsprop": 0.05, "adam": 0.3, "adadelta": 1.0},
        convex_quadratic=True,
        params=(
            Param(
                "condition_number",
                25.0,
                1.0,
                1000.0,
                scale="log",
                help="Ratio of the steepest to the flattest curvature (κ).",
                latex=r"\kappa",
            ),
        ),
        kernel_params_fn=lambda values: [values["condition_number"]],
    ),
)
