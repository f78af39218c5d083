"""Sharpness: the largest eigenvalue of the training loss's Hessian, where the weights are.

Full-batch gradient descent at lr is stable on a quadratic only while the curvature stays
below 2/lr; on a network, training sharpens until it reaches 2/lr and then hovers there (the
"edge of stability", Cohen et al. 2021).  The eigenvalue is found by Lanczos iteration on
Hessian-vector products, each a central difference of two exact gradients (the tests check
it against torch's exact Hessian).
"""

from __future__ import annotations

import numpy as np

from optviz.network import kernel
from optviz.network.train import TrainResult, kernel_inputs

STEP = 1e-6  # the difference's half-width along a unit vector: ~1e-10 relative error (rounding and truncation)
MAX_ITERATIONS = 60
TOLERANCE = 1e-9


def _hessian_times(net, data, w: np.ndarray):
    x, y = data.x_train, data.y_train
    plus, minus = np.empty_like(w), np.empty_like(w)

    def product(v: np.ndarray) -> np.ndarray:
        kernel.set_gradient(net, x, y, w + STEP * v, 0, 0.0, plus)
        kernel.set_gradient(net, x, y, w - STEP * v, 0, 0.0, minus)
        return (plus - minus) / (2.0 * STEP)

    return product


def top_eigenvalue(product, n: int, seed: int = 0) -> float:
    """The largest eigenvalue of the symmetric operator ``product`` (Lanczos with full
    re-orthogonalisation, until the top Ritz value settles)."""
    rng = np.random.default_rng(seed)
    basis = np.zeros((min(n, MAX_ITERATIONS) + 1, n))
    v = rng.standard_normal(n)
    basis[0] = v / np.linalg.norm(v)
    alphas, betas, previous = [], [], np.inf
    for k in range(min(n, MAX_ITERATIONS)):
        u = product(basis[k])
        alphas.append(float(basis[k] @ u))
        u -= basis[: k + 1].T @ (basis[: k + 1] @ u)  # full re-orthogonalisation, twice for safety
        u -= basis[: k + 1].T @ (basis[: k + 1] @ u)
        ritz = np.linalg.eigvalsh(np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1))[-1]
        beta = float(np.linalg.norm(u))
        if abs(ritz - previous) <= TOLERANCE * max(abs(ritz), 1e-12) or beta < 1e-12 or k + 1 == n:
            return float(ritz)
        previous = ritz
        betas.append(beta)
        basis[k + 1] = u / beta
    return float(previous)


def sharpness(result: TrainResult, weights: np.ndarray) -> float:
    """The top eigenvalue of the training data loss's Hessian at ``weights`` (no penalties:
    an L2 penalty λ₂ adds λ₂ to every eigenvalue)."""
    net, data = kernel_inputs(result.network, result.data)
    return top_eigenvalue(_hessian_times(net, data, np.ascontiguousarray(weights)), weights.shape[0])


def sharpness_along(result: TrainResult, points: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(steps, sharpness) at up to ``points`` of the run's recorded weights, evenly spread, at
    even steps only.

    Full-batch gradient descent at the edge of stability oscillates with period 2: the weights,
    and with them the sharpness, alternate from one step to the next (at lr 2 on two moons,
    between about 0.3 and 1.5).  Snapshots are kept every ``record_every`` steps, often an odd
    number, so measuring at every snapshot would mix the two phases into a zigzag whose median
    depends on how many of each were picked.  Even steps all see the same phase, so the curve
    and its statistics compare like with like.
    """
    steps = result.recorded_steps
    usable = np.flatnonzero(np.isfinite(result.weights).all(axis=1) & (steps % 2 == 0))
    if not len(usable):
        return steps[:0], np.zeros(0)
    chosen = usable[np.unique(np.linspace(0, len(usable) - 1, min(points, len(usable))).round().astype(int))]
    return steps[chosen], np.array([sharpness(result, result.weights[k]) for k in chosen])
