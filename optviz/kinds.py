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
from optviz.optimizers import Optimizer, sgd
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
    legend: dict[str, str] = field(default_factory=dict)  # hyperparameter -> symbol its legend label shows
    map_plane: str = ""  # the kind whose stability map it shows, when it fixes its own map axis (GD: Momentum's)
    rule: str = ""  # its update rule in LaTeX, when its fixed settings leave out lines of its optimizer's

    @property
    def equations(self) -> str:
        return self.rule or self.spec.equations

    @property
    def spec(self) -> Optimizer:
        return OPTIMIZERS[self.optimizer]

    def editable(self):
        return tuple(p for p in self.spec.params if p.name not in self.fixed)

    def stability_kind(self) -> RunKind:
        """The kind whose plane the stability map shows for this kind's runs."""
        return KINDS[self.map_plane] if self.map_plane else self

    def default_hyperparameters(self, surface: Surface) -> dict[str, Any]:
        """torch's defaults, the kind's settings, and the surface's suggested lr for its family."""
        values = {p.name: p.default for p in self.spec.params}
        values.update(self.defaults)
        values.update(self.fixed)
        family = self.spec.family
        if family is not None:
            if family not in surface.default_lr:
                raise ValueError(f"surface {surface.key!r} suggests no lr for the {family!r} family ({self.label})")
            values["lr"] = surface.default_lr[family]
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


# The kinds torch.optim.SGD makes with particular settings.
_SGD_KINDS = (
    RunKind(
        "gd",
        "GD",
        "sgd",
        "Gradient descent: full-batch gradient, no momentum.",
        fixed=_PLAIN,
        exact_only=True,
        map_plane="momentum",
        rule=sgd.PLAIN_RULE,
    ),
    RunKind(
        "sgd",
        "SGD",
        "sgd",
        "Stochastic gradient descent: mini-batch (or noisy) gradients, no momentum.",
        fixed=_PLAIN,
        stochastic=True,
        map_plane="momentum",
        rule=sgd.PLAIN_RULE,
    ),
    RunKind(
        "momentum",
        "Momentum",
        "sgd",
        "SGD with heavy-ball momentum.",
        fixed={"nesterov": False},
        defaults={"momentum": 0.9},
        legend={"momentum": "μ"},
        rule=sgd.HEAVY_BALL_RULE,
    ),
    RunKind(
        "nesterov",
        "Nesterov",
        "sgd",
        "SGD with Nesterov momentum.",
        fixed={"nesterov": True, "dampening": 0.0},
        defaults={"momentum": 0.9},
        legend={"momentum": "μ"},
        rule=sgd.NESTEROV_RULE,
    ),
)
# Every other optimizer is a kind of its own, under its torch name.
KINDS: Catalogue[RunKind] = Catalogue(
    "run kind",
    (
        *_SGD_KINDS,
        *(
            RunKind(spec.key, spec.name, spec.key, spec.reference)
            for spec in OPTIMIZERS.values()
            if spec.key not in {kind.optimizer for kind in _SGD_KINDS}
        ),
    ),
)
get_kind = KINDS.lookup
