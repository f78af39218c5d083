"""The noisy bowl: a least-squares loss that is a real average over data points.

f(w) = (1/N) Σ_i ½ (a_i·w − b_i)².  Its full gradient is exact GD; a mini-batch of B rows
gives the genuine SGD gradient, noise included.  Input dropout (issue: dropout view) masks
the features a_i.
"""

from __future__ import annotations

import numpy as np

from optviz.jit import compiled, inlined
from surfaces.base import Minimum, Surface

N_POINTS = 200
DATA_SEED = 20261125
TRUE_WEIGHTS = (1.0, 0.5)


def make_dataset(n: int = N_POINTS, seed: int = DATA_SEED) -> np.ndarray:
    """Rows (a1, a2, b): correlated features give curvatures ≈1.7 and ≈0.07 (κ≈23)."""
    rng = np.random.default_rng(seed)
    a1 = rng.normal(0.0, 1.0, n)
    a2 = 0.8 * a1 + 0.35 * rng.normal(0.0, 1.0, n)
    b = TRUE_WEIGHTS[0] * a1 + TRUE_WEIGHTS[1] * a2 + 0.3 * rng.normal(0.0, 1.0, n)
    return np.ascontiguousarray(np.stack([a1, a2, b], axis=1))


def moments(data: np.ndarray) -> np.ndarray:
    """[H11, H12, H22, c1, c2, d] with H = AᵀA/N, c = Aᵀb/N, d = bᵀb/N.

    f(w) = ½ wᵀHw − cᵀw + ½d, so the full loss costs O(1) instead of O(N).
    """
    a, b = data[:, :2], data[:, 2]
    n = len(data)
    h = a.T @ a / n
    c = a.T @ b / n
    return np.array([h[0, 0], h[0, 1], h[1, 1], c[0], c[1], b @ b / n])


@inlined
def noisy_bowl(x, y, p):
    gx = p[0] * x + p[1] * y - p[3]
    gy = p[1] * x + p[2] * y - p[4]
    f = 0.5 * (x * (p[0] * x + p[1] * y) + y * (p[1] * x + p[2] * y)) - p[3] * x - p[4] * y + 0.5 * p[5]
    return f, gx, gy


@compiled
def noisy_bowl_hessian(x, y, p):
    return p[0], p[1], p[2]


@inlined
def squared_error_gradient(x, y, row):
    """Gradient of one data term ½(a·w − b)² for row (a1, a2, b): what mini-batches average."""
    a1, a2, b = row
    r = a1 * x + a2 * y - b
    return r * a1, r * a2


def dropout_penalty(data: np.ndarray, p: float) -> np.ndarray:
    """λ_j = p/(1−p) · mean(a_j²): input dropout's expected extra loss is ½ Σ_j λ_j w_j²."""
    return p / (1.0 - p) * (data[:, :2] ** 2).mean(axis=0)


def dropout_solution(data: np.ndarray, p: float) -> np.ndarray:
    """Where dropout SGD settles on average: the minimiser of E[loss], a ridge with λ_j per feature."""
    m = moments(data)
    h = np.array([[m[0], m[1]], [m[1], m[2]]])
    return np.linalg.solve(h + np.diag(dropout_penalty(data, p)), m[3:5])


def normal_equations_minimum(p: np.ndarray) -> tuple[Minimum, ...]:
    h = np.array([[p[0], p[1]], [p[1], p[2]]])
    w = np.linalg.solve(h, p[3:5])
    value = 0.5 * p[5] - 0.5 * float(p[3:5] @ w)
    return (Minimum(float(w[0]), float(w[1]), value, "least squares"),)


DATASET = make_dataset()
_MOMENTS = moments(DATASET)
_MIN = normal_equations_minimum(_MOMENTS)[0]
_CX, _CY = round(_MIN.x, 1), round(_MIN.y, 1)

SURFACES = (
    Surface(
        key="noisy_bowl",
        name="Noisy bowl (least squares)",
        value_grad=noisy_bowl,
        hessian=noisy_bowl_hessian,
        formula=r"f(w) = \frac{1}{N}\sum_{i=1}^{N} \tfrac12\,(a_i^\top w - b_i)^2,\quad N=%d" % N_POINTS,
        story="A real regression loss: the average error over 200 data points with correlated "
        "features, so the bowl is a tilted ellipse (condition number ≈ 23). With mini-batches "
        "each step sees only B points: many cheap, noisy steps that jitter around the "
        "least-squares solution, less so as B grows.",
        domain=((_CX - 3.0, _CX + 3.0), (_CY - 3.0, _CY + 3.0)),
        start=(_CX - 2.5, _CY + 2.5),
        minima_fn=normal_equations_minimum,
        default_lr={"sgd": 0.1, "adagrad": 0.5, "rmsprop": 1e-2, "adam": 0.05, "adadelta": 1.0},
        convex_quadratic=True,
        kernel_params_fn=lambda values: _MOMENTS,
        dataset=DATASET,
        data_term=squared_error_gradient,
    ),
)
