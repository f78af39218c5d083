"""The datasets a network trains on, each declared once: 2-D classification and 1-D regression.

Every dataset is drawn from its own seeded NumPy generator, then split at random into a
training set and a held-out validation set: the validation loss is what shows overfitting.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optviz.catalogue import Catalogue
from optviz.params import Param

CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass(frozen=True)
class Dataset:
    """``make(n, noise, rng)`` returns inputs (n, inputs) and targets (n,): labels 0/1 for
    classification, real values for regression.  ``noise`` is the default noise level."""

    key: str
    name: str
    task: str
    make: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    noise: float
    points: int
    help: str
    code: int = -1

    @property
    def inputs(self) -> int:
        return 2 if self.task == CLASSIFICATION else 1

    @property
    def classifies(self) -> bool:
        return self.task == CLASSIFICATION


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def _moons(n, noise, rng):
    outer, inner = _halves(n)
    t_outer, t_inner = rng.uniform(0.0, math.pi, outer), rng.uniform(0.0, math.pi, inner)
    x = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(outer), np.ones(inner)])
    return x + noise * rng.standard_normal(x.shape), y


def _circles(n, noise, rng):
    outer, inner = _halves(n)
    t = rng.uniform(0.0, 2.0 * math.pi, n)
    radius = np.concatenate([np.ones(outer), np.full(inner, 0.5)])
    x = np.column_stack([radius * np.cos(t), radius * np.sin(t)])
    y = np.concatenate([np.zeros(outer), np.ones(inner)])
    return x + noise * rng.standard_normal(x.shape), y


def _spirals(n, noise, rng):
    first, second = _halves(n)
    arms = []
    for count, turn in ((first, 0.0), (second, math.pi)):
        s = rng.uniform(0.0, 1.0, count)
        angle = 1.75 * 2.0 * math.pi * s + turn
        arms.append(np.column_stack([s * np.sin(angle), s * np.cos(angle)]))
    x = np.concatenate(arms)
    y = np.concatenate([np.zeros(first), np.ones(second)])
    return x + noise * rng.standard_normal(x.shape), y


def _xor(n, noise, rng):
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = (x[:, 0] * x[:, 1] > 0.0).astype(float)
    return x + noise * rng.standard_normal(x.shape), y


def _blobs(n, noise, rng):
    first, second = _halves(n)
    centres = np.concatenate([np.tile([-0.6, -0.6], (first, 1)), np.tile([0.6, 0.6], (second, 1))])
    y = np.concatenate([np.zeros(first), np.ones(second)])
    return centres + noise * rng.standard_normal(centres.shape), y


def _sine(n, noise, rng):
    x = rng.uniform(-math.pi, math.pi, (n, 1))
    return x, np.sin(x[:, 0]) + noise * rng.standard_normal(n)


CATALOGUE: Catalogue[Dataset] = Catalogue(
    "dataset",
    [
        Dataset("moons", "Two moons", CLASSIFICATION, _moons, 0.25, 200, "Two interleaved half circles."),
        Dataset(
            "circles",
            "Circles",
            CLASSIFICATION,
            _circles,
            0.1,
            200,
            "A ring around a disc: no straight line splits them.",
        ),
        Dataset("spirals", "Spirals", CLASSIFICATION, _spirals, 0.05, 300, "Two interleaved spirals: the hard one."),
        Dataset("xor", "XOR", CLASSIFICATION, _xor, 0.1, 200, "Opposite quadrants share a class."),
        Dataset(
            "blobs", "Two blobs", CLASSIFICATION, _blobs, 0.4, 200, "Two overlapping clouds: a line nearly splits them."
        ),
        Dataset("sine", "Noisy sine", REGRESSION, _sine, 0.3, 30, "Few noisy samples of sin x: easy to overfit."),
    ],
)
get_dataset = CATALOGUE.lookup

POINTS = Param("n_points", 200, 8, 2000, kind="int", help="How many points the dataset has, before the split.")
NOISE = Param("noise", 0.2, 0.0, 2.0, help="Standard deviation of the Gaussian noise added to each point.")
VALIDATION = Param("validation", 0.5, 0.1, 0.9, help="Share of the points held out for validation.")
SEED = Param("seed", 0, 0, 2**32 - 1, kind="int", help="Seed of the data, the initial weights and the batches.")


@dataclass(frozen=True)
class Split:
    """A dataset drawn and split: what the network trains on and what it is checked on."""

    dataset: Dataset
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray


def draw(
    dataset: str, n_points: int | None = None, noise: float | None = None, validation: float = 0.5, seed: int = 0
) -> Split:
    """Draw ``dataset`` and split it; ValueError names any field out of its range."""
    spec = get_dataset(dataset)
    n = POINTS.validate(spec.points if n_points is None else n_points, "dataset")
    sigma = NOISE.validate(spec.noise if noise is None else noise, "dataset")
    share = VALIDATION.validate(validation, "dataset")
    seed = SEED.validate(seed, "dataset")
    rng = np.random.default_rng([seed, spec.code])
    x, y = spec.make(n, sigma, rng)
    order = rng.permutation(n)
    held = min(max(round(share * n), 1), n - 1)
    val, train = order[:held], order[held:]
    as_array = np.ascontiguousarray
    return Split(spec, as_array(x[train]), as_array(y[train]), as_array(x[val]), as_array(y[val]))
