"""Gradient modes: what gradient an optimizer sees each step, declared once each.

Each mode's ``sample`` is jitted and reached by code (catalogue order):
  sample(wx, wy, gx, gy, value, surface_code, data, rng, order) -> (gx, gy)
where (gx, gy) is the penalised full gradient, ``value`` the mode's parameter, ``rng`` the
run's random stream and ``order`` its scratch row order.  Modes that sample data
(``needs_dataset``) return the sampled data term alone, from the surface's own per-row term
(``Surface.data_term``); a finite-sum surface is all data, so the penalty is the only exact
part left to add.

The kernel calls ``sampled_gradient`` out of line, and only for inexact modes: compiled into
the main loop, its row loops and arrays (reference counts at every step) made exact runs,
the common case, ~50 ns a step slower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from optviz.catalogue import Catalogue, compiled_dispatch
from optviz.engine.rng import below, standard_normal, uniform
from optviz.jit import compiled, inlined
from optviz.params import Param
from surfaces import CATALOGUE as SURFACES
from surfaces import Surface
from surfaces.compiled import data_term_gradient
from surfaces.finite_sum import N_POINTS


@dataclass(frozen=True)
class GradientMode:
    key: str
    param: Param | None
    needs_dataset: bool
    help: str
    sample: Any
    torch: str = ""  # the same gradient in a PyTorch training loop ({value}: the mode's parameter)
    legend: str = ""  # how a legend names the parameter's value, e.g. "B" in "B=10"
    exact_at: float = math.nan  # the parameter's value at which this mode is the exact gradient (NaN: none)
    code: int = -1

    @property
    def exact(self) -> bool:
        return self.param is None


@inlined
def exact_gradient(wx, wy, gx, gy, value, code, data, rng, order):
    return gx, gy


@inlined
def noisy_gradient(wx, wy, gx, gy, sigma, code, data, rng, order):
    return gx + sigma * standard_normal(rng), gy + sigma * standard_normal(rng)


@inlined
def minibatch_gradient(wx, wy, gx, gy, value, code, data, rng, order):
    """Mean gradient of B distinct data terms (partial Fisher–Yates over the row order)."""
    batch = int(value)
    n = data.shape[0]
    sx = sy = 0.0
    for k in range(batch):
        j = k + below(rng, n - k)
        order[k], order[j] = order[j], order[k]
        i = order[k]
        tx, ty = data_term_gradient(code, wx, wy, (data[i, 0], data[i, 1], data[i, 2]))
        sx += tx
        sy += ty
    return sx / batch, sy / batch


@inlined
def dropout_gradient(wx, wy, gx, gy, drop, code, data, rng, order):
    """Full-data gradient with each input feature dropped with probability p, survivors scaled 1/(1−p)."""
    n = data.shape[0]
    keep = 1.0 / (1.0 - drop)
    sx = sy = 0.0
    for i in range(n):
        a1 = data[i, 0] * keep if uniform(rng) >= drop else 0.0
        a2 = data[i, 1] * keep if uniform(rng) >= drop else 0.0
        tx, ty = data_term_gradient(code, wx, wy, (a1, a2, data[i, 2]))
        sx += tx
        sy += ty
    return sx / n, sy / n


@inlined
def _unknown_mode(wx, wy, gx, gy, value, code, data, rng, order):
    return math.nan, math.nan


GRADIENT_MODES: Catalogue[GradientMode] = Catalogue(
    "gradient mode",
    [
        GradientMode(
            "exact", None, False, "The true gradient of the whole loss: full-batch gradient descent.", exact_gradient
        ),
        GradientMode(
            "noise",
            Param("noise_std", 1.0, 0.0, 1000.0, help="σ of Gaussian noise added to each gradient coordinate."),
            False,
            "The true gradient plus Gaussian noise of standard deviation σ.",
            noisy_gradient,
            "# after loss.backward(), each step: for p in params: p.grad += {value} * torch.randn_like(p.grad)",
            legend="σ",
            exact_at=0.0,
        ),
        GradientMode(
            "minibatch",
            Param("batch_size", 10, 1, N_POINTS, kind="int", help="Data points per step (B)."),
            True,
            "The gradient of B data points drawn without replacement each step (real SGD).",
            minibatch_gradient,
            "# each step: the loss of {value} rows drawn without replacement, "
            "e.g. DataLoader(data, batch_size={value}, shuffle=True)",
            legend="B",
        ),
        GradientMode(
            "dropout",
            Param("dropout", 0.3, 0.0, 0.95, help="Probability p of dropping each input feature."),
            True,
            "Full-data gradient with input features dropped with probability p and survivors scaled by 1/(1−p).",
            dropout_gradient,
            "# each step: the full data through torch.nn.Dropout(p={value}) on the inputs (survivors ×1/(1−p))",
            legend="dropout p",
        ),
    ],
)
get_gradient_mode = GRADIENT_MODES.lookup
IS_EXACT = tuple(m.exact for m in GRADIENT_MODES.values())
EXACT_AT = tuple(m.exact_at for m in GRADIENT_MODES.values())
SAMPLES_DATA = tuple(m.needs_dataset for m in GRADIENT_MODES.values())
_sample = compiled_dispatch([m.sample for m in GRADIENT_MODES.values()], _unknown_mode, 9, "sample")


@compiled(nogil=True)
def sampled_gradient(mode, wx, wy, gx, gy, value, code, l1, l2, data, rng, order):
    sx, sy = _sample(mode, wx, wy, gx, gy, value, code, data, rng, order)
    if SAMPLES_DATA[mode]:  # a finite-sum surface is all data: the sampled term plus the exact penalty
        return sx + l1 * np.sign(wx) + l2 * wx, sy + l1 * np.sign(wy) + l2 * wy
    return sx, sy


def resolve_gradient(surface: Surface, key: str, value: Any) -> tuple[GradientMode, Any]:
    """The gradient mode and its validated parameter (None for exact); refuses data sampling
    on a surface that has no data."""
    mode = get_gradient_mode(key)
    if mode.needs_dataset and not surface.finite_sum:
        finite = [k for k, s in SURFACES.items() if s.finite_sum]
        raise ValueError(
            f"gradient={mode.key!r} samples data terms; it needs a finite-sum surface "
            f"({', '.join(finite)}), not {surface.key!r}"
        )
    if mode.param is None:
        return mode, None
    return mode, mode.param.validate(mode.param.default if value is None else value)
