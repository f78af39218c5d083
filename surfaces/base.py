"""The Surface record: everything optviz knows about one loss landscape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optviz.params import Param, resolve

# Learning-rate families: a surface suggests one lr per family of optimizers.
FAMILIES = ("sgd", "adagrad", "rmsprop", "adam", "adadelta")


@dataclass(frozen=True)
class Minimum:
    x: float
    y: float
    value: float
    label: str = ""


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface, declared once.

    ``value_grad(x, y, p)`` → (f, ∂f/∂x, ∂f/∂y) and ``hessian(x, y, p)`` → (f_xx, f_xy, f_yy)
    are its jitted functions, ``p`` the float vector ``kernel_params`` makes from the validated
    user parameters.  Its minima are either known (``minima_fn(p)``) or found by polishing
    ``minimum_seeds(p)`` (see ``surfaces.minima``).  A finite-sum surface holds its rows
    (a1, a2, b) in ``dataset`` and the gradient of one row's term in ``data_term(x, y, row)``,
    so mini-batches sample real terms.  ``convex_quadratic`` says its Hessian is the same
    positive-definite matrix everywhere, so the stability bounds for quadratics hold exactly.
    ``code`` is the catalogue's number for the kernel.
    """

    key: str
    name: str
    value_grad: Callable
    hessian: Callable
    formula: str
    story: str
    domain: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    default_lr: dict[str, float]
    minima_fn: Callable[[np.ndarray], tuple[Minimum, ...]] | None = None
    minimum_seeds: Callable[[np.ndarray], list[tuple[float, float, str]]] | None = None
    params: tuple[Param, ...] = ()
    kernel_params_fn: Callable[[dict[str, Any]], np.ndarray] = lambda values: np.zeros(1)
    dataset: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    data_term: Callable | None = None
    bounded_below: bool = True
    log_contours: bool = True
    convex_quadratic: bool = False
    code: int = -1

    @property
    def finite_sum(self) -> bool:
        return len(self.dataset) > 0

    @property
    def span(self) -> float:
        (x0, x1), (y0, y1) = self.domain
        return max(x1 - x0, y1 - y0)

    def resolve_params(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        return resolve(self.params, given or {}, f"surface {self.key!r}")

    def kernel_params(self, given: dict[str, Any] | None = None) -> np.ndarray:
        return np.ascontiguousarray(self.kernel_params_fn(self.resolve_params(given)), dtype=np.float64)

    def in_domain(self, x, y):
        """Whether (x, y) is on the map: a bool, or elementwise for arrays (NaN is not)."""
        (x0, x1), (y0, y1) = self.domain
        return (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)


def fixed_minima(*minima: Minimum) -> Callable[[np.ndarray], tuple[Minimum, ...]]:
    return lambda kernel_params: minima
