"""Whole-surface computations: loss grids for drawing, Hessians, and penalised minima."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from optviz.engine.dispatch import surface_hessian
from optviz.engine.kernel import penalised
from surfaces import Minimum, Surface


@njit(cache=True, nogil=True)
def _loss_grid(code, p, xs, ys, l1, l2):
    z = np.empty((ys.shape[0], xs.shape[0]))
    for j in range(ys.shape[0]):
        for i in range(xs.shape[0]):
            z[j, i] = penalised(code, xs[i], ys[j], p, l1, l2)[0]
    return z


def loss_grid(surface: Surface, kernel_params: np.ndarray, resolution: int = 100,
              l1: float = 0.0, l2: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, z) over the surface's domain; z[j, i] is the penalised loss at (xs[i], ys[j])."""
    (x0, x1), (y0, y1) = surface.domain
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    return xs, ys, _loss_grid(surface.code, kernel_params, xs, ys, float(l1), float(l2))


def value_and_gradient(surface: Surface, kernel_params: np.ndarray, x: float, y: float,
                       l1: float = 0.0, l2: float = 0.0) -> tuple[float, float, float]:
    return penalised(surface.code, float(x), float(y), kernel_params, float(l1), float(l2))


def hessian(surface: Surface, kernel_params: np.ndarray, x: float, y: float, l2: float = 0.0) -> np.ndarray:
    """2×2 Hessian of the penalised surface (L1 adds no curvature away from the axes)."""
    hxx, hxy, hyy = surface_hessian(surface.code, float(x), float(y), kernel_params)
    return np.array([[hxx + l2, hxy], [hxy, hyy + l2]])


def max_curvature(surface: Surface, kernel_params: np.ndarray, x: float, y: float, l2: float = 0.0) -> float:
    """Largest Hessian eigenvalue L at (x, y): plain GD is locally stable only for lr < 2/L."""
    h = hessian(surface, kernel_params, x, y, l2)
    if not np.all(np.isfinite(h)):
        return math.inf
    return float(np.linalg.eigvalsh(h)[-1])


@njit(cache=True)
def _proximal_descent(code, p, x, y, l1, l2, max_iter):
    """Minimise f + l2/2‖w‖² + l1‖w‖₁ by proximal gradient with backtracking.

    Returns (x, y, value, converged).  Soft-thresholding lands exactly on the axes, which is
    where L1 puts minima.
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


def penalised_minima(surface: Surface, kernel_params: np.ndarray, l1: float, l2: float) -> tuple[Minimum, ...]:
    """The surface's minima after adding λ₁‖w‖₁ + λ₂/2‖w‖², found from the unpenalised ones.

    Penalties pull every minimum toward the origin (L1 onto the axes); nearby minima can merge
    and an unbounded surface can gain one, so the origin is tried as well.
    """
    base = surface.minima_fn(kernel_params)
    if l1 == 0.0 and l2 == 0.0:
        return base
    seeds = [(m.x, m.y, m.label) for m in base] + [(1e-3, 1e-3, "origin")]
    (x0, x1), (y0, y1) = surface.domain
    span = surface.span
    found: list[Minimum] = []
    for sx, sy, label in seeds:
        x, y, value, ok = _proximal_descent(surface.code, kernel_params, sx, sy, float(l1), float(l2), 20000)
        inside = x0 - span <= x <= x1 + span and y0 - span <= y <= y1 + span
        if not (ok and inside):
            continue
        if any(math.hypot(x - m.x, y - m.y) < 1e-6 * span for m in found):
            continue
        found.append(Minimum(float(x), float(y), float(value), f"{label} (penalised)"))
    found.sort(key=lambda m: m.value)
    return tuple(found)


def numerical_minima(code: int, kernel_params: np.ndarray, domain, resolution: int = 81,
                     candidates: int = 24) -> list[tuple[float, float, float]]:
    """Minima of a surface with no declared ones: the grid's local minima, polished by descent.

    Kept: polished points inside the domain where the curvature is not negative; sorted by
    value.  Flat regions are skipped (a cell must be strictly below one neighbour).
    """
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    z = _loss_grid(code, kernel_params, xs, ys, 0.0, 0.0)
    inner = z[1:-1, 1:-1]
    neighbours = np.stack([z[1 + dj:resolution - 1 + dj, 1 + di:resolution - 1 + di]
                           for dj in (-1, 0, 1) for di in (-1, 0, 1) if dj or di])
    local = np.isfinite(inner) & (inner <= neighbours.min(axis=0)) & (inner < neighbours.max(axis=0))
    js, is_ = np.nonzero(local)
    order = np.argsort(inner[js, is_])[:candidates]
    span = max(x1 - x0, y1 - y0)
    found: list[tuple[float, float, float]] = []
    for k in order:
        x, y, value, converged = _proximal_descent(code, kernel_params, xs[is_[k] + 1], ys[js[k] + 1], 0.0, 0.0, 20000)
        if not (x0 <= x <= x1 and y0 <= y <= y1 and math.isfinite(value)):
            continue
        _, gx, gy = penalised(code, x, y, kernel_params, 0.0, 0.0)
        if not (converged or math.hypot(gx, gy) <= 1e-6 * (1.0 + abs(value))):
            continue
        hxx, hxy, hyy = surface_hessian(code, x, y, kernel_params)
        if 0.5 * (hxx + hyy) - math.sqrt(0.25 * (hxx - hyy) * (hxx - hyy) + hxy * hxy) < -1e-8 * (1.0 + abs(hxx) + abs(hyy)):
            continue
        if any(math.hypot(x - fx, y - fy) < 1e-4 * span for fx, fy, _ in found):
            continue
        found.append((float(x), float(y), float(value)))
    return sorted(found, key=lambda m: m[2])


def convergence_gate(surface: Surface, kernel_params: np.ndarray, minima: tuple[Minimum, ...], tolerance: float,
                     l1: float, l2: float) -> float:
    """An upper bound on ‖∇(f + penalty)‖ within ``tolerance`` of any minimum.

    Near a smooth minimum ‖∇f(w)‖ ≤ L·‖w − m‖ with L the largest curvature nearby, sampled
    at the minimum and on the tolerance circle and doubled for safety; L1 adds at most
    √2·λ₁ on each side of a kink.  The kernel scans the minima only below this gate.
    """
    curvature = 0.0
    angles = np.linspace(0.0, 2.0 * math.pi, 8, endpoint=False)
    for m in minima:
        for dx, dy in [(0.0, 0.0), *zip(tolerance * np.cos(angles), tolerance * np.sin(angles))]:
            h = hessian(surface, kernel_params, m.x + dx, m.y + dy, l2)
            if not np.all(np.isfinite(h)):
                return math.inf
            curvature = max(curvature, float(np.abs(np.linalg.eigvalsh(h)).max()))
    return 2.0 * curvature * tolerance + 3.0 * l1 + 1e-12
