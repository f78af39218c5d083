"""Every surface's minima, found one way: seeds polished by proximal gradient descent.

A surface knows its minima (``minima_fn``), offers seeds (``minimum_seeds``: a lattice, a
grid's local minima), or both.  Penalties move minima, so with L1/L2 the known minima and
the origin become seeds too.  Each seed is polished on the penalised objective; a polished
point is kept when it converged, lies in the searched area, is not a saddle (L1's kinks
aside) and is not a copy of one found already.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.jit import compiled
from surfaces.base import Minimum, Surface
from surfaces.compiled import penalised, surface_hessian

MAX_ITERATIONS = 20000
SEED_SPACINGS = 40  # a seed's steps stay within span/40: a quarter of Rastrigin's and Ackley's lattice


@compiled
def _proximal_descent(code, p, x, y, l1, l2, max_iter, radius):
    """Minimise f + l2/2‖w‖² + l1‖w‖₁ by proximal gradient with backtracking.

    Returns (x, y, value, converged).  Soft-thresholding lands exactly on the axes, which is
    where L1 puts minima.  No step is longer than ``radius``, so a seed is polished into its
    own basin rather than thrown into a lower one (Rastrigin's dimples are 1 apart).
    """
    alpha = 1.0
    f, gx, gy = penalised(code, x, y, p, 0.0, l2)
    for _ in range(max_iter):
        while True:
            nx = x - alpha * gx
            ny = y - alpha * gy
            nx = np.sign(nx) * max(abs(nx) - alpha * l1, 0.0)
            ny = np.sign(ny) * max(abs(ny) - alpha * l1, 0.0)
            dx, dy = nx - x, ny - y
            if dx * dx + dy * dy > radius * radius and alpha >= 1e-300:
                alpha *= 0.5
                continue
            nf, ngx, ngy = penalised(code, nx, ny, p, 0.0, l2)
            if nf <= f + gx * dx + gy * dy + (dx * dx + dy * dy) / (2.0 * alpha) or alpha < 1e-300:
                break
            alpha *= 0.5
        if not math.isfinite(nf):
            return nx, ny, nf, False
        x, y, f, gx, gy = nx, ny, nf, ngx, ngy
        if math.sqrt(dx * dx + dy * dy) <= 1e-13 * (1.0 + abs(x) + abs(y)):
            return x, y, f + l1 * (abs(x) + abs(y)), True
        alpha *= 2.0
    return x, y, f + l1 * (abs(x) + abs(y)), False


def _is_saddle(code: int, p: np.ndarray, x: float, y: float, l2: float) -> bool:
    hxx, hxy, hyy = surface_hessian(code, x, y, p)
    hxx, hyy = hxx + l2, hyy + l2
    smallest = 0.5 * (hxx + hyy) - math.sqrt(0.25 * (hxx - hyy) ** 2 + hxy * hxy)
    return smallest < -1e-8 * (1.0 + abs(hxx) + abs(hyy))


def penalised_minima(
    surface: Surface, kernel_params: np.ndarray, l1: float = 0.0, l2: float = 0.0
) -> tuple[Minimum, ...]:
    """The minima of the surface plus λ₁‖w‖₁ + λ₂/2‖w‖², lowest first.

    Without a penalty: the known minima and the polished seeds inside the domain.  With one:
    every unpenalised minimum and the origin polished again (penalties pull minima toward the
    origin, L1 onto the axes; nearby minima can merge and an unbounded surface can gain one),
    kept within one domain span of the plotted area.
    """
    l1, l2 = float(l1), float(l2)
    known = surface.minima_fn(kernel_params) if surface.minima_fn else ()
    if l1 == 0.0 and l2 == 0.0:
        if surface.minimum_seeds is None:
            return known
        seeds, margin, suffix = surface.minimum_seeds(kernel_params), 0.0, ""
        radius = surface.span / SEED_SPACINGS
    else:
        base = penalised_minima(surface, kernel_params)
        seeds, known = [(m.x, m.y, m.label) for m in base] + [(1e-3, 1e-3, "origin")], ()
        margin, suffix, radius = surface.span, " (penalised)", math.inf
    (x0, x1), (y0, y1) = surface.domain
    found: list[Minimum] = list(known)
    for sx, sy, label in seeds:
        x, y, value, converged = _proximal_descent(
            surface.code, kernel_params, float(sx), float(sy), l1, l2, MAX_ITERATIONS, radius
        )
        inside = x0 - margin <= x <= x1 + margin and y0 - margin <= y <= y1 + margin
        if not (inside and math.isfinite(value)):
            continue
        if not converged:
            _, gx, gy = penalised(surface.code, x, y, kernel_params, l1, l2)
            if l1 or math.hypot(gx, gy) > 1e-6 * (1.0 + abs(value)):
                continue
        if l1 == 0.0 and _is_saddle(surface.code, kernel_params, x, y, l2):
            continue
        if any(math.hypot(x - m.x, y - m.y) < 1e-6 * surface.span for m in found):
            continue
        found.append(Minimum(float(x), float(y), float(value), f"{label}{suffix}"))
    found.sort(key=lambda m: (m.value, m.x, m.y))
    if not suffix and surface.minima_fn is None:  # seeds carry no ranking: name the lowest
        found = [Minimum(m.x, m.y, m.value, "global" if k == 0 else "local") for k, m in enumerate(found)]
    return tuple(found)
