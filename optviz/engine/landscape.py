"""Whole-surface computations: loss grids for drawing, Hessians, and the convergence gate."""

from __future__ import annotations

import math

import numpy as np

from surfaces import Minimum, Surface
from surfaces.compiled import loss_grid as _loss_grid
from surfaces.compiled import penalised, surface_hessian


def loss_grid(
    surface: Surface, kernel_params: np.ndarray, resolution: int = 100, l1: float = 0.0, l2: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, z) over the surface's domain; z[j, i] is the penalised loss at (xs[i], ys[j])."""
    (x0, x1), (y0, y1) = surface.domain
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    return xs, ys, _loss_grid(surface.code, kernel_params, xs, ys, float(l1), float(l2))


def value_and_gradient(
    surface: Surface, kernel_params: np.ndarray, x: float, y: float, l1: float = 0.0, l2: float = 0.0
) -> tuple[float, float, float]:
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


def convergence_gate(
    surface: Surface, kernel_params: np.ndarray, minima: tuple[Minimum, ...], tolerance: float, l1: float, l2: float
) -> float:
    """An upper bound on ‖∇(f + penalty)‖ within ``tolerance`` of any minimum.

    Near a smooth minimum ‖∇f(w)‖ ≤ L·‖w − m‖ with L the largest curvature nearby, sampled
    at the minimum and on the tolerance circle and doubled for safety; L1 adds at most
    √2·λ₁ on each side of a kink.  The kernel scans the minima only below this gate.
    """
    angles = np.linspace(0.0, 2.0 * math.pi, 8, endpoint=False)
    around = [(0.0, 0.0), *zip(tolerance * np.cos(angles), tolerance * np.sin(angles))]
    hessians = np.array([hessian(surface, kernel_params, m.x + dx, m.y + dy, l2) for m in minima for dx, dy in around])
    if not np.all(np.isfinite(hessians)):
        return math.inf
    curvature = float(np.abs(np.linalg.eigvalsh(hessians)).max()) if len(hessians) else 0.0  # one batched call
    return 2.0 * curvature * tolerance + 3.0 * l1 + 1e-12
