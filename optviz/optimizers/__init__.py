"""The catalogue of optimizers, each declared once with torch.optim's names and defaults.

Every module in this package that defines ``SPEC`` (or ``SPECS``) is an optimizer; the
catalogue lists them in the order below, then any others alphabetically, and numbers them.
The kernel reaches them through the ``optimizer_*`` chains generated here.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from typing import Any

from optviz.catalogue import GENERATED, Catalogue, compiled_dispatch
from optviz.jit import inlined
from optviz.optimizers.spec import Optimizer, keep_products, zero_state
from optviz.params import pack, resolve, slots

# The page lists optimizers in this order (classics first); modules not named here follow.
_FIRST = ("sgd", "adagrad", "rmsprop", "adam", "adadelta", "lion", "newton")


def _declared() -> list[Optimizer]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name != "spec"]
    names.sort(key=lambda n: (_FIRST.index(n) if n in _FIRST else len(_FIRST), n))
    specs = []
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        specs.extend(getattr(module, "SPECS", ()) or (module.SPEC,))
    return specs


CATALOGUE: Catalogue[Optimizer] = Catalogue("optimizer", _declared())
MAX_PACKED = max(sum(p.width for p in spec.params) for spec in CATALOGUE.values())
(LR_SLOT,) = {slots(spec.params).lr for spec in CATALOGUE.values()}  # the schedules scale it: the same for all
get_optimizer = CATALOGUE.lookup


@inlined
def _not_prepared(t, lr, hp, p1, p2, p3):
    return p1, p2, p3, math.nan, math.nan, math.nan, math.nan


@inlined
def _not_updated(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c):
    return math.nan, a, b, c


@inlined
def _no_whole_step(gx, gy, hxx, hxy, hyy, lr, hp):
    return math.nan, math.nan


@inlined
def _no_initial(hp):
    return math.nan, math.nan, math.nan


@inlined
def _no_vector_step(w, g, loss, lr, t, hp, state, products):
    w[:] = math.nan


def per_coordinate_step(prepare: Callable, update: Callable) -> Callable:
    """The vector step of a per-coordinate optimizer: its shared constants once, then each
    coordinate with its own buffers (a, b, c = state[0], state[1], state[2]) and the running products."""

    def vector_step(w, g, loss, lr, t, hp, state, products):
        p1, p2, p3, k0, k1, k2, k3 = prepare(t, lr, hp, products[0], products[1], products[2])
        products[0], products[1], products[2] = p1, p2, p3
        a, b, c = state[0], state[1], state[2]  # one row per buffer: each a contiguous run, as three arrays
        for i in range(w.shape[0]):
            w[i], a[i], b[i], c[i] = update(w[i], g[i], lr, t, hp, k0, k1, k2, k3, a[i], b[i], c[i])

    step = inlined(vector_step, cached=False)  # made at import: no source file to cache against
    GENERATED.append(step)  # the warm-up interprets it like every generated dispatcher
    return step


def _vector_step(spec: Optimizer) -> Callable:
    if spec.vector_step is not None:
        return spec.vector_step
    if spec.second_order:
        return _no_vector_step
    return per_coordinate_step(spec.prepare or keep_products, spec.update)


_ENTRIES = tuple(CATALOGUE.values())
# Each chain runs the entry's own function; an entry of the other order, or an unknown code,
# gets NaN (loud, never silent).
# optimizer_prepare(code, t, lr, hp, p1, p2, p3) -> (p1, p2, p3, k0, k1, k2, k3)
optimizer_prepare = compiled_dispatch(
    [s.prepare or (_not_prepared if s.second_order else keep_products) for s in _ENTRIES],
    _not_prepared,
    6,
    "optimizer_prepare",
)
# optimizer_update(code, w, g, lr, t, hp, k0, k1, k2, k3, a, b, c) -> (w, a, b, c)
optimizer_update = compiled_dispatch([s.update or _not_updated for s in _ENTRIES], _not_updated, 12, "optimizer_update")
# optimizer_whole_step(code, gx, gy, hxx, hxy, hyy, lr, hp) -> (dx, dy), for second-order methods
optimizer_whole_step = compiled_dispatch(
    [s.whole_step or _no_whole_step for s in _ENTRIES], _no_whole_step, 7, "optimizer_whole_step"
)
# optimizer_initial(code, hp) -> the per-coordinate buffers (a, b, c) before step 1
optimizer_initial = compiled_dispatch([s.initial or zero_state for s in _ENTRIES], _no_initial, 1, "optimizer_initial")
SECOND_ORDER = tuple(s.second_order for s in _ENTRIES)
WHOLE_VECTOR = tuple(s.whole_vector for s in _ENTRIES)
# optimizer_step(code, w, g, loss, lr, t, hp, state, products): every first-order optimizer's
# vector step (the networks' kernel)
optimizer_step = compiled_dispatch([_vector_step(s) for s in _ENTRIES], _no_vector_step, 8, "optimizer_step")
# optimizer_vector_step: the same for the optimizers that declare their own vector step, the
# surfaces' kernel's branch for them (the others' generated loops would only lengthen its compile)
optimizer_vector_step = compiled_dispatch(
    [s.vector_step or _no_vector_step for s in _ENTRIES], _no_vector_step, 8, "optimizer_vector_step"
)


def resolve_hyperparameters(spec: Optimizer, given: dict[str, Any]) -> dict[str, Any]:
    """torch's defaults overlaid with ``given``; ranges and torch's own constraints checked."""
    values = resolve(spec.params, given, f"optimizer {spec.key!r}")
    refused = spec.constraint(values) if spec.constraint else None
    if refused:
        raise ValueError(f"optimizer {spec.key!r} {refused}")
    return values


def pack_hyperparameters(spec: Optimizer, values: dict[str, Any]) -> list[float]:
    return pack(spec.params, values)


__all__ = [
    "CATALOGUE",
    "LR_SLOT",
    "MAX_PACKED",
    "Optimizer",
    "SECOND_ORDER",
    "WHOLE_VECTOR",
    "get_optimizer",
    "optimizer_initial",
    "optimizer_prepare",
    "optimizer_step",
    "optimizer_update",
    "optimizer_vector_step",
    "optimizer_whole_step",
    "pack_hyperparameters",
    "resolve_hyperparameters",
]
