"""The network: a multilayer perceptron, its activations and torch's initialisation.

The weights are one flat vector in the order of
``nn.Sequential(nn.Linear, act, …, nn.Linear).parameters()``: each layer's weight (out, in)
row-major, then its bias.  The compiled kernel reads the layout from ``Network.layout()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from optviz.catalogue import Catalogue, compiled_dispatch
from optviz.jit import inlined
from optviz.params import Param

NON_BREAKING_HYPHEN = "\u2011"


@dataclass(frozen=True)
class Activation:
    """``value(z)`` and ``slope(z, a)`` (the derivative at z, given a = value(z)), jitted."""

    key: str
    name: str
    torch_class: str
    value: Callable
    slope: Callable
    latex: str
    code: int = -1


@inlined
def _tanh(z):
    return math.tanh(z)


@inlined
def _tanh_slope(z, a):
    return 1.0 - a * a


@inlined
def _relu(z):
    return z if z > 0.0 else 0.0


@inlined
def _relu_slope(z, a):
    return 1.0 if z > 0.0 else 0.0  # torch's ReLU passes no gradient at 0


@inlined
def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


@inlined
def _sigmoid_slope(z, a):
    return a * (1.0 - a)


@inlined
def _unknown(z):
    return math.nan


@inlined
def _unknown_slope(z, a):
    return math.nan


ACTIVATIONS: Catalogue[Activation] = Catalogue(
    "activation",
    [
        Activation("tanh", "tanh", "Tanh", _tanh, _tanh_slope, r"\tanh z"),
        Activation("relu", "ReLU", "ReLU", _relu, _relu_slope, r"\max(0, z)"),
        Activation("sigmoid", "sigmoid", "Sigmoid", _sigmoid, _sigmoid_slope, r"1/(1+e^{-z})"),
    ],
)
activation_value = compiled_dispatch([a.value for a in ACTIVATIONS.values()], _unknown, 1, "activation_value")
activation_slope = compiled_dispatch([a.slope for a in ACTIVATIONS.values()], _unknown_slope, 2, "activation_slope")

MAX_HIDDEN_LAYERS = 3
UNITS = Param("hidden units", 16, 1, 64, kind="int", help="Units in a hidden layer.")


@dataclass(frozen=True)
class Network:
    """``sizes`` = (inputs, hidden…, 1)."""

    sizes: tuple[int, ...]
    activation: Activation

    @property
    def hidden(self) -> tuple[int, ...]:
        return self.sizes[1:-1]

    @property
    def n_params(self) -> int:
        return sum((i + 1) * o for i, o in zip(self.sizes[:-1], self.sizes[1:]))

    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sizes, weight offsets, bias offsets) as the kernel reads them."""
        weights, biases, at = [], [], 0
        for i, o in zip(self.sizes[:-1], self.sizes[1:]):
            weights.append(at)
            biases.append(at + i * o)
            at += (i + 1) * o
        return np.array(self.sizes, np.int64), np.array(weights, np.int64), np.array(biases, np.int64)

    def rows(self) -> list[tuple[int, int, int]]:
        """Each neuron's incoming weight row as (start, length, bias index): the unit of filter
        normalisation (Li et al. 2018)."""
        _, weights, biases = self.layout()
        return [
            (int(weights[k]) + o * i, i, int(biases[k]) + o)
            for k, (i, out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]))
            for o in range(out)
        ]

    def initial_weights(self, seed: int) -> np.ndarray:
        """torch's ``nn.Linear`` default: weight and bias both U(−1/√fan_in, 1/√fan_in), seeded."""
        rng = np.random.default_rng([seed, 0x1417])
        parts = []
        for i, o in zip(self.sizes[:-1], self.sizes[1:]):
            bound = 1.0 / math.sqrt(i)
            parts.append(rng.uniform(-bound, bound, i * o))
            parts.append(rng.uniform(-bound, bound, o))
        return np.concatenate(parts)

    def describe(self) -> str:
        """The layer sizes and activation, as "2‑32‑32‑1 tanh": the hyphens are non-breaking (a phone
        broke the lesson's line before the last 1)."""
        return NON_BREAKING_HYPHEN.join(str(s) for s in self.sizes) + f" {self.activation.name}"


def network(inputs: int, hidden: Sequence[int] | int, activation: str) -> Network:
    """A validated network; ValueError names the field and its range."""
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        hidden = (int(hidden),)
    try:
        layers = tuple(hidden)
    except TypeError:
        raise ValueError(f"hidden={hidden!r} must be a list of 0 to {MAX_HIDDEN_LAYERS} layer widths") from None
    if len(layers) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden={hidden!r} has {len(layers)} layers; at most {MAX_HIDDEN_LAYERS} hidden layers")
    widths = tuple(UNITS.validate(units, "hidden layer's") for units in layers)
    return Network((inputs, *widths, 1), ACTIVATIONS.lookup(activation))
