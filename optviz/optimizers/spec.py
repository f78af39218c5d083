"""The Optimizer record and the shared pieces of every optimizer's declaration."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from numba import njit

from optviz.params import Param

# Optimizer state is held in scalars so the compiled loop keeps it in registers:
#   per coordinate, three buffers (a, b, c), e.g. Adam's m, v and max v;
#   per run, three running products (p1, p2, p3), e.g. β₁ᵗ, β₂ᵗ and NAdam's Π μ.
# Each optimizer provides
#   prepare(t, lr, hp, p1, p2, p3) -> (p1, p2, p3, k0, k1, k2, k3)   once per step
#   update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c) -> (w, a, b, c)   once per coordinate
# where k0..k3 are that step's shared constants (bias corrections, decayed lr, ...).


@dataclass(frozen=True)
class Optimizer:
    """One optimizer, declared once.

    ``params`` always starts with ``lr``; the kernel reads the packed values in this order.
    ``equations`` is the update rule in LaTeX, line by line as the kernel computes it
    (torch.optim's documented algorithm).  ``family`` picks a surface's suggested lr.
    ``stability(hyperparameters, L)`` is the largest lr that does not diverge on a quadratic
    of top curvature L, where a closed form exists (the explanations and maps both quote it).
    """

    key: str
    name: str
    code: int
    family: str
    params: tuple[Param, ...]
    equations: str
    intuition: str
    reference: str
    stability: Callable[[dict[str, Any], float], float] | None = None
    decoupled_weight_decay: bool = False  # always shrinks w directly (AdamW) rather than adding λw to g

    def objective_l2(self, hyperparameters: dict[str, Any]) -> float:
        """The L2 strength its weight decay adds to the objective it minimises (λ/2‖w‖²).
        Decoupled decay (AdamW, Lion) minimises no fixed objective: 0."""
        return 0.0 if self.decouples(hyperparameters) else float(hyperparameters.get("weight_decay", 0.0))

    def decouples(self, hyperparameters: dict[str, Any]) -> bool:
        return self.decoupled_weight_decay or bool(hyperparameters.get("decoupled_weight_decay", False))

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


def lr_param(default: float) -> Param:
    return Param("lr", default, 1e-6, 10.0, scale="log",
                 help="Learning rate: the step size. Too high overshoots or diverges; too low crawls.",
                 latex=r"\gamma")


def eps_param(default: float) -> Param:
    return Param("eps", default, 1e-12, 1.0, scale="log",
                 help="Added to the denominator so a tiny gradient history cannot blow the step up.",
                 latex=r"\epsilon")


def weight_decay_param(default: float = 0.0, decoupled: bool = False) -> Param:
    how = ("shrinks the weights directly each step, apart from the gradient (decoupled)"
           if decoupled else "adds λ·w to the gradient (an L2 penalty seen through the optimizer)")
    return Param("weight_decay", default, 0.0, 1.0, help=f"Weight decay λ: {how}.", latex=r"\lambda")


def betas_param() -> Param:
    return Param("betas", (0.9, 0.999), 0.0, 0.9999, kind="pair",
                 help="Decay rates of the running averages of the gradient (β₁) and of its square (β₂).",
                 latex=r"\beta_1,\beta_2")


@njit(cache=True, inline="always")
def keep_products(t, lr, hp, p1, p2, p3):
    """``prepare`` for optimizers with no per-step shared quantities."""
    return p1, p2, p3, 0.0, 0.0, 0.0, 0.0


@njit(cache=True, inline="always")
def lerp(start, end, weight):
    """torch.lerp's formula (it switches form at weight 0.5 for accuracy)."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@njit(cache=True, inline="always")
def length(a, b):
    """‖(a, b)‖ in plain arithmetic, rescaled only when the squares overflow.  Not math.hypot:
    Python's own hypot and libm's round differently, and the interpreted engine must give
    the compiled engine's numbers (engine.warmup)."""
    n = math.sqrt(a * a + b * b)
    if n < math.inf:
        return n
    m = max(abs(a), abs(b))
    if m == math.inf or m != m:
        return m
    a, b = a / m, b / m
    return m * math.sqrt(a * a + b * b)
