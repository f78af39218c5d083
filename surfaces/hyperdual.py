"""Hyper-dual evaluation of a user's formula program: exact value, gradient and Hessian.

The kernel parameters of a custom surface are its postfix program packed into floats,
``[n, op₀, arg₀, op₁, arg₁, …]`` (see ``surfaces.formula``), evaluated on hyper-dual numbers
(f, fx, fy, fxx, fxy, fyy): exact derivatives with no symbolic algebra and no Python evaluation.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.jit import compiled, inlined
from surfaces import formula as F


@compiled  # not inlined: two call sites, and compile time matters more than a call here
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


@inlined
def _chain(s, i, op, arg):
    """Replace stack row i (a hyper-dual u) by g(u)."""
    g, g1, g2 = _unary(op, s[i, 0], arg)
    ux, uy = s[i, 1], s[i, 2]
    s[i, 3] = g2 * ux * ux + g1 * s[i, 3]
    s[i, 4] = g2 * ux * uy + g1 * s[i, 4]
    s[i, 5] = g2 * uy * uy + g1 * s[i, 5]
    s[i, 0], s[i, 1], s[i, 2] = g, g1 * ux, g1 * uy


@inlined
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


@compiled
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


@inlined
def value_grad(x, y, p):
    f, fx, fy, _, _, _ = evaluate(x, y, p)
    return f, fx, fy


@compiled
def hessian(x, y, p):
    _, _, _, fxx, fxy, fyy = evaluate(x, y, p)
    return fxx, fxy, fyy


@compiled
def value_grid(p, xs, ys):
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
