"""Surfaces typed by the user: a checked formula (see ``surfaces.formula``) run by the kernel.

A custom surface's key carries everything needed to rebuild it, ``custom:<extent>:<formula>``,
so a share link reopens it.  The kernel parameters are the postfix program packed into floats,
``[n, op₀, arg₀, op₁, arg₁, …]``, evaluated on hyper-dual numbers (f, fx, fy, fxx, fxy, fyy):
exact derivatives with no symbolic algebra and no Python evaluation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit

from surfaces import formula as F
from surfaces.base import Minimum, Surface

CUSTOM = 12
PREFIX = "custom:"
DEFAULT_FORMULA = "x**2 + 3*sin(y) + 0.1*x*y + 0.5*y**2"  # every default run converges inside the square
DEFAULT_EXTENT = 3.0
EXTENT_RANGE = (0.1, 100.0)
MAX_ABS_VALUE = 1e15  # larger values on the plotted square make the picture meaningless
CHECK_RESOLUTION = 101  # the formula must be finite on this grid (it includes the axes)


@njit(cache=True)  # not inlined: two call sites, and compile time matters more than a call here
def _unary(op, u, arg):
    """(g(u), g'(u), g''(u)) of a one-argument opcode."""
    if op == F.POWC:
        if arg == 0.0:
            return 1.0, 0.0, 0.0
        if arg == 1.0:
            return u, 1.0, 0.0
        return math.pow(u, arg), arg * math.pow(u, arg - 1.0), arg * (arg - 1.0) * math.pow(u, arg - 2.0)
    if op == F.SIN:
        s, c = math.sin(u), math.cos(u)
        return s, c, -s
    if op == F.COS:
        s, c = math.sin(u), math.cos(u)
        return c, -s, -c
    if op == F.TAN:
        t = math.tan(u)
        return t, 1.0 + t * t, 2.0 * t * (1.0 + t * t)
    if op == F.EXP:
        e = math.exp(u)
        return e, e, e
    if op == F.LOG:
        if u <= 0.0:
            return math.nan, math.nan, math.nan
        return math.log(u), 1.0 / u, -1.0 / (u * u)
    if op == F.SQRT:
        if u < 0.0:
            return math.nan, math.nan, math.nan
        r = math.sqrt(u)
        return r, 0.5 / r, -0.25 / (r * u)
    if op == F.ABS:
        return abs(u), (1.0 if u > 0.0 else (-1.0 if u < 0.0 else 0.0)), 0.0
    if op == F.TANH:
        t = math.tanh(u)
        return t, 1.0 - t * t, -2.0 * t * (1.0 - t * t)
    if op == F.ATAN:
        d = 1.0 / (1.0 + u * u)
        return math.atan(u), d, -2.0 * u * d * d
    if op == F.SINH:
        return math.sinh(u), math.cosh(u), math.sinh(u)
    if op == F.COSH:
        return math.cosh(u), math.sinh(u), math.cosh(u)
    # 1/u, used by division
    return 1.0 / u, -1.0 / (u * u), 2.0 / (u * u * u)


_RECIPROCAL = -1


@njit(cache=True, inline="always")
def _chain(s, i, op, arg):
    """Replace stack row i (a hyper-dual u) by g(u)."""
    g, g1, g2 = _unary(op, s[i, 0], arg)
    ux, uy = s[i, 1], s[i, 2]
    s[i, 3] = g2 * ux * ux + g1 * s[i, 3]
    s[i, 4] = g2 * ux * uy + g1 * s[i, 4]
    s[i, 5] = g2 * uy * uy + g1 * s[i, 5]
    s[i, 0], s[i, 1], s[i, 2] = g, g1 * ux, g1 * uy


@njit(cache=True, inline="always")
def _multiply_into(s, i, j):
    """Row i ← row i × row j (product rule to second order)."""
    a0, ax, ay, axx, axy, ayy = s[i, 0], s[i, 1], s[i, 2], s[i, 3], s[i, 4], s[i, 5]
    b0, bx, by, bxx, bxy, byy = s[j, 0], s[j, 1], s[j, 2], s[j, 3], s[j, 4], s[j, 5]
    s[i, 0] = a0 * b0
    s[i, 1] = ax * b0 + a0 * bx
    s[i, 2] = ay * b0 + a0 * by
    s[i, 3] = axx * b0 + 2.0 * ax * bx + a0 * bxx
    s[i, 4] = axy * b0 + ax * by + ay * bx + a0 * bxy
    s[i, 5] = ayy * b0 + 2.0 * ay * by + a0 * byy


@njit(cache=True, error_model="numpy")
def evaluate(x, y, p):
    """(f, fx, fy, fxx, fxy, fyy) of the packed program ``p`` at (x, y)."""
    s = np.zeros((F.MAX_STACK, 6))
    top = -1
    for k in range(int(p[0])):
        op = int(p[1 + 2 * k])
        arg = p[2 + 2 * k]
        if op == F.CONST or op == F.X or op == F.Y:
            top += 1
            for c in range(6):
                s[top, c] = 0.0
            if op == F.CONST:
                s[top, 0] = arg
            elif op == F.X:
                s[top, 0], s[top, 1] = x, 1.0
            else:
                s[top, 0], s[top, 2] = y, 1.0
        elif op == F.ADD:
            top -= 1
            for c in range(6):
                s[top, c] += s[top + 1, c]
        elif op == F.SUB:
            top -= 1
            for c in range(6):
                s[top, c] -= s[top + 1, c]
        elif op == F.MUL:
            top -= 1
            _multiply_into(s, top, top + 1)
        elif op == F.DIV:
            top -= 1
            quotient = s[top, 0] / s[top + 1, 0]
            _chain(s, top + 1, _RECIPROCAL, 0.0)
            _multiply_into(s, top, top + 1)
            s[top, 0] = quotient  # a/b itself, not a·(1/b): one rounding fewer
        elif op == F.NEG:
            for c in range(6):
                s[top, c] = -s[top, c]
        else:
            _chain(s, top, op, arg)
    return s[0, 0], s[0, 1], s[0, 2], s[0, 3], s[0, 4], s[0, 5]


@njit(cache=True, inline="always")
def value_grad(x, y, p):
    f, fx, fy, _, _, _ = evaluate(x, y, p)
    return f, fx, fy


@njit(cache=True)
def hessian(x, y, p):
    _, _, _, fxx, fxy, fyy = evaluate(x, y, p)
    return fxx, fxy, fyy


@njit(cache=True)
def _grid(p, xs, ys):
    """Value, gradient and largest |curvature| on a grid, for checks and suggested lrs."""
    out = np.empty((ys.shape[0], xs.shape[0], 4))
    for j in range(ys.shape[0]):
        for i in range(xs.shape[0]):
            f, fx, fy, fxx, fxy, fyy = evaluate(xs[i], ys[j], p)
            half = 0.5 * (fxx + fyy)
            radius = math.sqrt(0.25 * (fxx - fyy) * (fxx - fyy) + fxy * fxy)
            out[j, i, 0], out[j, i, 1], out[j, i, 2] = f, fx, fy
            out[j, i, 3] = max(abs(half + radius), abs(half - radius))
    return out


def pack(program: F.Program) -> np.ndarray:
    packed = np.zeros(1 + 2 * len(program.ops))
    packed[0] = len(program.ops)
    for k, (op, arg) in enumerate(program.ops):
        packed[1 + 2 * k], packed[2 + 2 * k] = op, arg
    return packed


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
        raise F.FormulaError(f"custom surface: extent must be a number in [{low:g}, {high:g}], "
                             f"written custom:<extent>:<formula>, not {key[:60]!r}")
    return formula, extent


def _round_125(value: float) -> float:
    """The nearest 1-2-5 value below, as the lr slider offers them."""
    exponent = math.floor(math.log10(value))
    mantissa = max(m for m in (1.0, 2.0, 5.0, 10.0) if m <= value / 10.0 ** exponent)
    return float(f"{mantissa:g}e{exponent}")


@lru_cache(maxsize=64)
def custom_surface(key: str) -> Surface:
    """The Surface for a ``custom:`` key; raises FormulaError with a pointer to the problem."""
    formula, extent = parse_key(key)
    program = F.compile_formula(formula)
    packed = pack(program)
    axis = np.linspace(-extent, extent, CHECK_RESOLUTION)
    grid = _grid(packed, axis, axis)
    bad = ~np.isfinite(grid[..., :3]).all(axis=-1) | (np.abs(grid[..., 0]) > MAX_ABS_VALUE)
    if bad.any():
        j, i = np.argwhere(bad)[0]
        raise F.FormulaError(
            f"formula: undefined, infinite or above {MAX_ABS_VALUE:g} at (x, y) = ({axis[i]:.3g}, {axis[j]:.3g}) "
            f"inside the plotted square [-{extent:g}, {extent:g}]²: e.g. log or sqrt of a negative number, "
            f"division by zero, or a value too large; shift the formula or change the extent")
    curvature = np.nanpercentile(grid[..., 3], 90)
    sgd_lr = _round_125(min(max(1.0 / curvature, 1e-5), 1.0)) if curvature > 0 else 0.1
    bounded = _bounded_on_square(grid[..., 0])
    return Surface(
        key=custom_key(formula, extent), name="Custom formula", code=CUSTOM, formula=F.to_latex(formula),
        story="Your own formula. optviz parsed it without running any Python, and it differentiates it "
              "exactly with hyper-dual numbers, so gradients and Hessians carry no finite-difference error. "
              "The minima shown were found numerically, from every local minimum of a grid polished by "
              "descent, so a very flat or very narrow minimum may be missed.",
        domain=((-extent, extent), (-extent, extent)), start=(-0.7 * extent, 0.7 * extent),
        minima_fn=lambda kernel_params: _find_minima(kernel_params, extent),
        default_lr={"sgd": sgd_lr, "adagrad": _round_125(0.3 * extent), "rmsprop": _round_125(0.01 * extent),
                    "adam": _round_125(0.02 * extent), "adadelta": 1.0},
        kernel_params_fn=lambda values: packed,
        bounded_below=bounded, log_contours=bounded,
    )


def _bounded_on_square(values: np.ndarray) -> bool:
    """Treat the surface as unbounded below when its lowest plotted value lies on the edge."""
    j, i = np.unravel_index(np.argmin(values), values.shape)
    n = values.shape[0] - 1
    return 0 < i < n and 0 < j < n


def _find_minima(kernel_params: np.ndarray, extent: float) -> tuple[Minimum, ...]:
    from optviz.engine.landscape import numerical_minima  # the engine imports surfaces: resolve lazily
    found = numerical_minima(CUSTOM, kernel_params, ((-extent, extent), (-extent, extent)))
    return tuple(Minimum(x, y, value, "global" if k == 0 else "local") for k, (x, y, value) in enumerate(found))
