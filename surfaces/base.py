"""The Surface record: everything optviz knows about one loss landscape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

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

    ``code`` is the integer the compiled kernel dispatches on.  ``kernel_params`` turns the
    validated user parameters into the float vector the kernels read; ``dataset`` holds the
    rows (a1, a2, b) of a finite-sum surface, so mini-batches sample real terms.
    """

    key: str
    name: str
    code: int
    formula: str
    story: str
    domain: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    minima_fn: Callable[[np.ndarray], tuple[Minimum, ...]]
    default_lr: dict[str, float]
    params: tuple[Param, ...] = ()
    kernel_params_fn: Callable[[dict[str, Any]], np.ndarray] = lambda values: np.zeros(1)
    dataset: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    bounded_below: bool = True
    log_contours: bool = True

    @property
    def finite_sum(self) -> bool:
        return len(self.dataset) > 0

    @property
    def center(self) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.domain
        return (0.5 * (x0 + x1), 0.5 * (y0 + y1))

    @property
    def span(self) -> float:
        (x0, x1), (y0, y1) = self.domain
        return max(x1 - x0, y1 - y0)

    def resolve_params(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        return resolve(self.params, given or {}, f"surface {self.key!r}")

    def kernel_params(self, given: dict[str, Any] | None = None) -> np.ndarray:
        return np.ascontiguousarray(self.kernel_params_fn(self.resolve_params(given)), dtype=np.float64)

    def minima(self, given: dict[str, Any] | None = None) -> tuple[Minimum, ...]:
        return self.minima_fn(self.kernel_params(given))

    def in_domain(self, x: float, y: float) -> bool:
        (x0, x1), (y0, y1) = self.domain
        return x0 <= x <= x1 and y0 <= y <= y1


def fixed_minima(*minima: Minimum) -> Callable[[np.ndarray], tuple[Minimum, ...]]:
    return lambda kernel_params: minima
