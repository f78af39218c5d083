"""Surfaces typed by the user: a checked formula (see ``surfaces.formula``) run by the kernel.

A custom surface's key carries everything needed to rebuild it, ``custom:<extent>:<formula>``,
so a share link reopens it.  Its kernel parameters are the packed program that
``surfaces.hyperdual`` evaluates with exact derivatives.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from surfaces import formula as F
from surfaces.base import Surface
from surfaces.compiled import CUSTOM_CODE
from surfaces.hyperdual import hessian, pack, value_grad, value_grid

PREFIX = "custom:"
DEFAULT_FORMULA = "x**2 + 3*sin(y) + 0.1*x*y + 0.5*y**2"  # every default run converges inside the square
DEFAULT_EXTENT = 3.0
EXTENT_RANGE = (0.1, 100.0)
MAX_ABS_VALUE = 1e15  # larger values on the plotted square make the picture meaningless
CHECK_RESOLUTION = 101  # the formula must be finite on this grid (it includes the axes)


def custom_key(formula: str, extent: float = DEFAULT_EXTENT) -> str:
    return f"{PREFIX}{extent:g}:{formula.strip()}"


def parse_key(key: str) -> tuple[str, float]:
    """(formula, extent) from ``custom:<extent>:<formula>``; raises FormulaError."""
    _, _, rest = key.partition(PREFIX)
    extent_text, sep, formula = rest.partition(":")
    try:
        extent = float(extent_text)
    except ValueError:
        extent = math.nan
    low, high = EXTENT_RANGE
    if not sep or not low <= extent <= high:
        raise F.FormulaError(
            f"custom surface: extent must be a number in [{low:g}, {high:g}], "
            f"written custom:<extent>:<formula>, not {key[:60]!r}"
        )
    return formula, extent


def _round_125(value: float) -> float:
    """The nearest 1-2-5 value below, as the lr slider offers them."""
    exponent = math.floor(math.log10(value))
    mantissa = max(m for m in (1.0, 2.0, 5.0, 10.0) if m <= value / 10.0**exponent)
    return float(f"{mantissa:g}e{exponent}")


@lru_cache(maxsize=64)
def custom_surface(key: str) -> Surface:
    """The Surface for a ``custom:`` key; raises FormulaError with a pointer to the problem."""
    formula, extent = parse_key(key)
    program = F.compile_formula(formula)
    packed = pack(program)
    axis = np.linspace(-extent, extent, CHECK_RESOLUTION)
    grid = value_grid(packed, axis, axis)
    bad = ~np.isfinite(grid[..., :3]).all(axis=-1) | (np.abs(grid[..., 0]) > MAX_ABS_VALUE)
    if bad.any():
        j, i = np.argwhere(bad)[0]
        raise F.FormulaError(
            f"formula: undefined, infinite or above {MAX_ABS_VALUE:g} at (x, y) = ({axis[i]:.3g}, {axis[j]:.3g}) "
            f"inside the plotted square [-{extent:g}, {extent:g}]²: e.g. log or sqrt of a negative number, "
            f"division by zero, or a value too large; shift the formula or change the extent"
        )
    curvature = np.nanpercentile(grid[..., 3], 90)
    sgd_lr = _round_125(min(max(1.0 / curvature, 1e-5), 1.0)) if curvature > 0 else 0.1
    bounded = _bounded_on_square(grid[..., 0])
    return Surface(
        key=custom_key(formula, extent),
        name="Custom formula",
        code=CUSTOM_CODE,
        formula=F.to_latex(formula),
        value_grad=value_grad,
        hessian=hessian,
        story="Your own formula. optviz parsed it without running any Python, and it differentiates it "
        "exactly with hyper-dual numbers, so gradients and Hessians carry no finite-difference error. "
        "The minima shown were found numerically, from every local minimum of a grid polished by "
        "descent, so a very flat or very narrow minimum may be missed.",
        domain=((-extent, extent), (-extent, extent)),
        start=(-0.7 * extent, 0.7 * extent),
        minimum_seeds=lambda kernel_params: grid_minima(kernel_params, extent),
        default_lr={
            "sgd": sgd_lr,
            "adagrad": _round_125(0.3 * extent),
            "rmsprop": _round_125(0.01 * extent),
            "adam": _round_125(0.02 * extent),
            "adadelta": 1.0,
        },
        kernel_params_fn=lambda values: packed,
        bounded_below=bounded,
        log_contours=bounded,
    )


def _bounded_on_square(values: np.ndarray) -> bool:
    """Treat the surface as unbounded below when its lowest plotted value lies on the edge."""
    j, i = np.unravel_index(np.argmin(values), values.shape)
    n = values.shape[0] - 1
    return 0 < i < n and 0 < j < n


def grid_minima(
    kernel_params: np.ndarray, extent: float, resolution: int = 81, candidates: int = 24
) -> list[tuple[float, float, str]]:
    """Seeds for the minimum finder: the lowest local minima of a grid over the square.
    Flat regions are skipped (a cell must be strictly below one neighbour)."""
    axis = np.linspace(-extent, extent, resolution)
    z = value_grid(kernel_params, axis, axis)[..., 0]
    inner = z[1:-1, 1:-1]
    neighbours = np.stack(
        [
            z[1 + dj : resolution - 1 + dj, 1 + di : resolution - 1 + di]
            for dj in (-1, 0, 1)
            for di in (-1, 0, 1)
            if dj or di
        ]
    )
    local = np.isfinite(inner) & (inner <= neighbours.min(axis=0)) & (inner < neighbours.max(axis=0))
    js, is_ = np.nonzero(local)
    order = np.argsort(inner[js, is_])[:candidates]
    return [(float(axis[is_[k] + 1]), float(axis[js[k] + 1]), "") for k in order]
