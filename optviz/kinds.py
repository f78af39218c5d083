"""What a student picks for a run: friendly names mapped onto torch optimizers.

GD, SGD, Momentum and Nesterov are all ``torch.optim.SGD`` with particular settings; the
rest are the torch optimizers themselves.  ``fixed`` settings are not shown as widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optviz.catalogue import Catalogue
from optviz.engine.gradients import GRADIENT_MODES
from optviz.optimizers import CATALOGUE as OPTIMIZERS
from optviz.optimizers import Optimizer
from surfaces import Surface

_PLAIN = {"momentum": 0.0, "dampening": 0.0, "nesterov": False}


@dataclass(frozen=True)
class RunKind:
    key: str
    label: str
    optimizer: str
    blurb: str
    fixed: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    stochastic: bool = False  # uses noisy / mini-batch gradients by default
    exact_only: bool = False  # the gradient mode is part of the definition (GD)

    @property
    def spec(self) -> Optimizer:
        return OPTIMIZERS[self.optimizer]

    def editable(self):
        return tuple(p for p in self.spec.params if p.name not in self.fixed)

    def default_hyperparameters(self, surface: Surface) -> dict[str, Any]:
        """torch's defaults, the kind's settings, and the surface's suggested lr."""
        values = {p.name: p.default for p in self.spec.params}
        values.update(self.defaults)
        values.update(self.fixed)
        # second-order methods (Newton) need no per-surface lr: their default is right everywhere
        values["lr"] = surface.default_lr.get(self.spec.family, values["lr"])
        return values

    def gradient_modes(self, surface: Surface) -> tuple[str, ...]:
        """The gradient modes this kind offers on ``surface``: GD is exact by definition, and
        sampling data needs a surface that has data."""
        if self.exact_only:
            return ("exact",)
        return tuple(k for k, m in GRADIENT_MODES.items() if surface.finite_sum or not m.needs_dataset)

    def default_gradient(self, surface: Surface) -> str:
        if not self.stochastic:
            return "exact"
        return "minibatch" if surface.finite_sum else "noise"


KINDS: Catalogue[RunKind] = Catalogue(
    "run kind",
    (
        RunKind(
            "gd", "GD", "sgd", "Gradient descent: full-batch gradient, no momentum.", fixed=_PLAIN, exact_only=True
        ),
        RunKind(
            "sgd",
            "SGD",
            "sgd",
            "Stochastic gradient descent: mini-batch (or noisy) gradients, no momentum.",
            fixed=_PLAIN,
            stochastic=True,
        ),
        RunKind(
            "momentum",
            "Momentum",
            "sgd",
            "SGD with heavy-ball momentum.",
            fixed={"nesterov": False},
            defaults={"momentum": 0.9},
        ),
        RunKind(
            "nesterov",
            "Nesterov",
            "sgd",
            "SGD with Nesterov momentum.",
            fixed={"nesterov": True, "dampening": 0.0},
            defaults={"momentum": 0.9},
        ),
        *(RunKind(spec.key, spec.name, spec.key, spec.reference) for spec in OPTIMIZERS.values() if spec.key != "sgd"),
    ),
)
get_kind = KINDS.lookup
