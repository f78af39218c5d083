"""The surfaces as the compiled kernel sees them: one jitted function per question, by code.

Codes are catalogue order; custom formulas come last.  Everything is reached through integer
codes so the trajectory kernel compiles once (passing jitted functions as arguments would
compile one specialisation per surface×optimizer pair: GUIDE, 18 compiles ≈ 2.9 s).
"""

from __future__ import annotations

import math

import numpy as np

from optviz.catalogue import compiled_dispatch
from optviz.jit import compiled, inlined
from surfaces import hyperdual
from surfaces.catalogue import CATALOGUE

CUSTOM_CODE = len(CATALOGUE)


@inlined
def _unknown_surface(x, y, p):
    return math.nan, math.nan, math.nan


@inlined
def _no_data(x, y, row):
    return math.nan, math.nan


_SURFACES = (*CATALOGUE.values(),)
# (f, ∂f/∂x, ∂f/∂y) of the unpenalised surface
surface_value_grad = compiled_dispatch(
    [s.value_grad for s in _SURFACES] + [hyperdual.value_grad], _unknown_surface, 3, "surface_value_grad"
)
# (f_xx, f_xy, f_yy) of the unpenalised surface
_hessian = compiled_dispatch(
    [s.hessian for s in _SURFACES] + [hyperdual.hessian], _unknown_surface, 3, "surface_hessian_of"
)
# gradient of one data row's term (a finite-sum surface's own, e.g. ½(a·w − b)²)
data_term_gradient = compiled_dispatch(
    [s.data_term or _no_data for s in _SURFACES] + [_no_data], _no_data, 3, "data_term_gradient"
)


@compiled
def surface_hessian(code, x, y, p):
    """(f_xx, f_xy, f_yy) of the unpenalised surface (not inlined: Newton and Python call it)."""
    return _hessian(code, x, y, p)


@inlined
def penalised(code, x, y, p, l1, l2):
    """(f, ∇f) of the objective: the surface plus λ₁‖w‖₁ + λ₂/2‖w‖²."""
    f, gx, gy = surface_value_grad(code, x, y, p)
    if l1 != 0.0:
        f += l1 * (abs(x) + abs(y))
        gx += l1 * np.sign(x)
        gy += l1 * np.sign(y)
    if l2 != 0.0:
        f += 0.5 * l2 * (x * x + y * y)
        gx += l2 * x
        gy += l2 * y
    return f, gx, gy


@compiled(nogil=True)
def loss_grid(code, p, xs, ys, l1, l2):
    """z[j, i]: the penalised loss at (xs[i], ys[j])."""
    z = np.empty((ys.shape[0], xs.shape[0]))
    for j in range(ys.shape[0]):
        for i in range(xs.shape[0]):
            z[j, i] = penalised(code, xs[i], ys[j], p, l1, l2)[0]
    return z
