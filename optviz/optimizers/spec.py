"""The Optimizer record and the shared pieces of every optimizer's declaration."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optviz.jit import inlined
from optviz.params import Param, slots  # noqa: F401  (re-exported for the optimizer modules)

# Optimizer state is held in scalars so the compiled loop keeps it in registers:
#   per coordinate, three buffers (a, b, c), e.g. Adam's m, v and max v;
#   per run, three running products (p1, p2, p3), e.g. β₁ᵗ, β₂ᵗ and NAdam's Π μ.
# A first-order optimizer provides two compiled functions (``optviz.jit.inlined``; its docstring
# lists the arithmetic that keeps the interpreted and compiled engines bit-identical: math.pow or
# running products rather than **, ``length`` rather than math.hypot):
#   prepare(t, lr, hp, p1, p2, p3) -> (p1, p2, p3, k0, k1, k2, k3)   once per step
#   update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c) -> (w, a, b, c)   once per coordinate
# where k0..k3 are that step's shared constants (bias corrections, decayed lr, ...).
# Every first-order optimizer is, to the engines, one step over a whole weight vector that also
# receives the loss at w (``optimizers.optimizer_step``):
#   vector_step(w, g, loss, lr, t, hp, state, products)   w, g (n,), state (3, n), products (3,), in place
# A per-coordinate optimizer declares prepare and update and its vector step is generated from
# them (``per_coordinate_step``); one that needs the whole vector or the loss (a Polyak step)
# declares ``vector_step`` itself.  The networks' kernel calls the vector step for every
# optimizer; the surfaces' kernel keeps a per-coordinate optimizer's two coordinates in
# registers (the n = 2 case, unrolled: the same arithmetic, ~2x faster than through arrays)
# and calls a declared vector step on its own branch.
# A second-order one (it reads the Hessian) provides instead
#   whole_step(gx, gy, hxx, hxy, hyy, lr, hp) -> (dx, dy)
# which the kernel keeps on its own branch: in the same switch as the first-order updates,
# its size slowed every first-order run's loop by ~20%.
# Hyperparameters are read from hp through ``params.slots`` (named offsets).


@dataclass(frozen=True)
class MapAxis:
    """The stability map's second axis: a hyperparameter (or one half of a pair) over [low, high]."""

    name: str
    low: float
    high: float
    index: int | None = None  # which half of a pair
    symbol: str = ""  # the axis title, when not the name

    @property
    def label(self) -> str:
        return self.symbol or self.name


@dataclass(frozen=True)
class StepView:
    """One step of a run as the "Inside a step" tab reads it from the kernel's log.

    ``state`` and ``before`` map each state name to its (x, y) values after and before the
    step; ``products`` maps each running product to its value after the step.
    """

    hp: dict[str, Any]
    step: int
    lr: float
    gradient: np.ndarray
    state: dict[str, np.ndarray]
    before: dict[str, np.ndarray]
    products: dict[str, float]
    actual: np.ndarray
    hessian: np.ndarray | None = None

    @property
    def plain(self) -> np.ndarray:
        return -self.lr * self.gradient


@dataclass(frozen=True)
class Reading:
    """What an optimizer's ``inspect`` says about one step: the state table's rows, the arrow for
    its memory (momentum / first moment), its per-coordinate effective lr, and one sentence."""

    rows: tuple[tuple[str, np.ndarray], ...] = ()
    memory: tuple[str, np.ndarray] | None = None
    effective: np.ndarray | None = None
    note: str = ""


@dataclass(frozen=True)
class Optimizer:
    """One optimizer, declared once: everything the engine, the page and the tests know about it.

    ``params`` always starts with ``lr``; the kernel reads the packed values through
    ``params.slots``.  ``equations`` is the update rule in LaTeX, line by line as the kernel
    computes it (torch.optim's documented algorithm).  ``family`` picks a surface's suggested lr
    (None: torch's default lr on every surface).
    ``update`` and ``prepare`` (or ``vector_step``, or ``whole_step``) are its jitted parts (see above);
    ``initial(hp)`` the per-coordinate buffers' start.
    ``state_names`` name the buffers a, b, c it uses and ``product_names`` its running products,
    in torch's words; ``inspect`` explains one logged step for the inspector.
    ``torch_class`` is its torch.optim class, or None with ``torch_note`` (a comment with
    ``{args}``) saying how to get it.  ``map_axis`` is the stability map's second axis.
    ``constraint(values)`` returns why a combination is refused (as torch refuses it), or None.
    ``stability(hyperparameters, L)`` is the largest lr that does not diverge on a quadratic
    of top curvature L, where a closed form exists (the explanations and maps both quote it).
    """

    key: str
    name: str
    family: str | None
    params: tuple[Param, ...]
    equations: str
    intuition: str
    reference: str
    inspect: Callable[[StepView], Reading]
    map_axis: MapAxis
    torch_class: str | None
    torch_note: str = ""
    state_names: tuple[str, ...] = ()
    product_names: tuple[str, ...] = ()
    update: Callable | None = None
    prepare: Callable | None = None
    initial: Callable | None = None
    vector_step: Callable | None = None
    whole_step: Callable | None = None
    constraint: Callable[[dict[str, Any]], str | None] | None = None
    stability: Callable[[dict[str, Any], float], float] | None = None
    decoupled_weight_decay: bool = False  # always shrinks w directly (AdamW) rather than adding λw to g
    crawl_advice: str = "the steps have become tiny. A larger lr would help."  # what to try when it crawls
    code: int = -1  # set by the catalogue

    @property
    def whole_vector(self) -> bool:
        """Steps the whole weight vector at once (its ``vector_step``), not coordinate by coordinate."""
        return self.vector_step is not None

    @property
    def second_order(self) -> bool:
        """Reads the Hessian (the inspector shows it)."""
        return self.whole_step is not None

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


@inlined
def zero_state(hp):
    """``initial`` for optimizers whose buffers start at zero."""
    return 0.0, 0.0, 0.0


def lr_param(default: float) -> Param:
    return Param(
        "lr",
        default,
        1e-6,
        10.0,
        scale="log",
        help="Learning rate: the step size. Too high overshoots or diverges; too low crawls.",
        latex=r"\gamma",
    )


def eps_param(default: float) -> Param:
    return Param(
        "eps",
        default,
        1e-12,
        1.0,
        scale="log",
        help="Added to the denominator so a tiny gradient history cannot blow the step up.",
        latex=r"\epsilon",
    )


def weight_decay_param(default: float = 0.0, decoupled: bool = False) -> Param:
    how = (
        "shrinks the weights directly each step, apart from the gradient (decoupled)"
        if decoupled
        else "adds λ·w to the gradient (an L2 penalty seen through the optimizer)"
    )
    return Param("weight_decay", default, 0.0, 1.0, help=f"Weight decay λ: {how}.", latex=r"\lambda")


def betas_param() -> Param:
    return Param(
        "betas",
        (0.9, 0.999),
        0.0,
        0.9999,
        kind="pair",
        help="Decay rates of the running averages of the gradient (β₁) and of its square (β₂).",
        latex=r"\beta_1,\beta_2",
    )


@inlined
def keep_products(t, lr, hp, p1, p2, p3):
    """``prepare`` for optimizers with no per-step shared quantities."""
    return p1, p2, p3, 0.0, 0.0, 0.0, 0.0


@inlined
def lerp(start, end, weight):
    """torch.lerp's formula (it switches form at weight 0.5 for accuracy)."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@inlined
def weight_decayed(w, g, lr, weight_decay, decoupled):
    """(w, g) after weight decay: decoupled shrinks w by lr·λ (AdamW), coupled adds λ·w to g."""
    if weight_decay != 0.0:
        if decoupled:
            w = w * (1.0 - lr * weight_decay)
        else:
            g = g + weight_decay * w
    return w, g


@inlined
def moments(exp_avg, exp_avg_sq, g, beta1, beta2):
    """Adam's running averages of g (torch's lerp) and of g²."""
    return lerp(exp_avg, g, 1.0 - beta1), exp_avg_sq * beta2 + (1.0 - beta2) * g * g


@inlined
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


__all__ = [
    "MapAxis",
    "Optimizer",
    "Param",
    "Reading",
    "StepView",
    "betas_param",
    "eps_param",
    "keep_products",
    "length",
    "lerp",
    "lr_param",
    "moments",
    "weight_decayed",
    "slots",
    "weight_decay_param",
    "zero_state",
]
