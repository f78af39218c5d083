"""The catalogue of optimizers, each declared once with torch.optim's names and defaults."""

from __future__ import annotations

from typing import Any

from optviz.optimizers import adadelta, adagrad, adam, lion, newton, rmsprop, sgd
from optviz.optimizers.spec import Optimizer
from optviz.params import pack, resolve

CATALOGUE: dict[str, Optimizer] = {
    spec.key: spec for spec in (sgd.SPEC, adagrad.SPEC, rmsprop.SPEC, *adam.SPECS, adadelta.SPEC, lion.SPEC,
                                  newton.SPEC)
}
MAX_PACKED = max(sum(p.width for p in spec.params) for spec in CATALOGUE.values())


def get_optimizer(key: str) -> Optimizer:
    try:
        return CATALOGUE[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {key!r}; valid: {', '.join(CATALOGUE)}") from None


def resolve_hyperparameters(spec: Optimizer, given: dict[str, Any]) -> dict[str, Any]:
    """torch's defaults overlaid with ``given``; ranges and torch's own constraints checked."""
    values = resolve(spec.params, given, f"optimizer {spec.key!r}")
    if spec.key == "sgd" and values["nesterov"] and (values["momentum"] <= 0 or values["dampening"] != 0):
        raise ValueError("optimizer 'sgd' nesterov=True requires momentum > 0 and dampening = 0 (as in torch)")
    return values


def pack_hyperparameters(spec: Optimizer, values: dict[str, Any]) -> list[float]:
    return pack(spec.params, values)


__all__ = ["CATALOGUE", "MAX_PACKED", "Optimizer", "get_optimizer", "pack_hyperparameters", "resolve_hyperparameters"]
