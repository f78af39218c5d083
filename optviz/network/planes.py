"""Landscape planes: 2-D slices of the N-dimensional weight space, and the runs' paths on them.

Three planes, each declared once in ``PLANES``:
* ``pca``: the two principal directions of all runs' θ_t − θ₀ together (runs share θ₀), one
  common plane in which optimizers compare; each path's captured share is reported;
* ``endpoints``: the plane through θ₀ and two runs' end points, which lie exactly on it;
* ``random``: two filter-normalised random directions around a run's end (Li et al. 2018:
  each neuron's incoming row rescaled to that row's norm in θ, biases not perturbed).

A plane is a slice: a path's point θ_t projects to θ₀ + a·u + b·v, and the loss there is not
the loss on the path.  ``Plane.real_loss`` and ``Plane.projected_loss`` say how far apart they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from optviz.catalogue import Catalogue
from optviz.network import kernel
from optviz.network.train import TrainResult, kernel_inputs
from optviz.params import Param

RESOLUTION = Param("resolution", 41, 5, 121, kind="int", help="Grid points along each side of a landscape plane.")
MARGIN = 0.25  # the grid reaches this share of the paths' extent beyond them


@dataclass(frozen=True)
class Directions:
    """A plane's origin and its two directions, and how paths are drawn on it."""

    origin: np.ndarray
    first: np.ndarray
    second: np.ndarray
    orthonormal: bool  # paths project onto it (else only the centre is drawn: random directions)
    extent: tuple[float, float, float, float] | None = None  # (a0, a1, b0, b1), else from the paths


@dataclass(frozen=True)
class PlaneKind:
    key: str
    name: str
    help: str
    directions: Callable[[Sequence[TrainResult], int, int, int], Directions]
    code: int = -1


@dataclass(frozen=True)
class Plane:
    """A landscape plane.  ``train[j, i]`` and ``validation[j, i]`` are the losses at
    origin + alphas[i]·first + betas[j]·second.  Per run: ``paths[r]`` its recorded weights'
    coordinates (None on a random plane), ``captured[r]`` the share of its movement
    Σ‖θ_t − θ₀‖² the plane holds, ``real_loss[r]`` the training loss on the path and
    ``projected_loss[r]`` the training loss at the path's projection."""

    kind: PlaneKind
    directions: Directions
    alphas: np.ndarray
    betas: np.ndarray
    train: np.ndarray
    validation: np.ndarray
    paths: list[np.ndarray | None]
    captured: list[float]
    real_loss: list[np.ndarray]
    projected_loss: list[np.ndarray]


def _finite_weights(result: TrainResult) -> np.ndarray:
    return result.weights[np.isfinite(result.weights).all(axis=1)]


def _orthonormal(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gram–Schmidt, twice: second's residual after removing first."""
    u = first / np.linalg.norm(first)
    v = second - (u @ second) * u
    v -= (u @ v) * u
    return u, v / np.linalg.norm(v)


def _pca(results: Sequence[TrainResult], first_run: int, second_run: int, seed: int) -> Directions:
    origin = results[0].weights[0]
    moves = np.concatenate([_finite_weights(r) - origin for r in results])
    _, _, rows = np.linalg.svd(moves, full_matrices=False)
    if rows.shape[0] < 2:
        return _random_around(origin, results[0], seed, orthonormal=True)
    return Directions(origin, rows[0], rows[1], orthonormal=True)


def filter_normalised(result: TrainResult, around: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random direction with each neuron's incoming row scaled to that row's norm in ``around``;
    biases zero (Li et al. 2018)."""
    d = np.zeros_like(around)
    for start, length, _ in result.network.rows():
        row = rng.standard_normal(length)
        d[start : start + length] = row * (np.linalg.norm(around[start : start + length]) / np.linalg.norm(row))
    return d


def _random_around(origin: np.ndarray, result: TrainResult, seed: int, orthonormal: bool = False) -> Directions:
    rng = np.random.default_rng([seed, 0x91A])
    first, second = filter_normalised(result, origin, rng), filter_normalised(result, origin, rng)
    if orthonormal:
        first, second = _orthonormal(first, second)
        return Directions(origin, first, second, orthonormal=True)
    return Directions(origin, first, second, orthonormal=False, extent=(-1.0, 1.0, -1.0, 1.0))


def _endpoints(results: Sequence[TrainResult], first_run: int, second_run: int, seed: int) -> Directions:
    origin = results[0].weights[0]
    a = results[first_run].final_weights - origin
    b = results[second_run].final_weights - origin if second_run != first_run else None
    if b is None or np.linalg.matrix_rank(np.stack([a, b]), tol=1e-9 * np.linalg.norm(a)) < 2:
        rng = np.random.default_rng([seed, 0x91B])
        b = filter_normalised(results[first_run], results[first_run].final_weights, rng)
    u, v = _orthonormal(a, b)
    return Directions(origin, u, v, orthonormal=True)


def _random(results: Sequence[TrainResult], first_run: int, second_run: int, seed: int) -> Directions:
    return _random_around(results[first_run].final_weights, results[first_run], seed)


PLANES: Catalogue[PlaneKind] = Catalogue(
    "plane",
    [
        PlaneKind(
            "pca",
            "Principal plane of all paths",
            "The two directions along which all runs moved most from their common start: "
            "one plane for every optimizer.",
            _pca,
        ),
        PlaneKind(
            "endpoints",
            "Start and two ends",
            "The plane through the common start and two runs' end points: all three lie exactly on it.",
            _endpoints,
        ),
        PlaneKind(
            "random",
            "Random, around an end",
            "Two random directions, filter-normalised (Li et al. 2018), around one run's end: its basin's shape.",
            _random,
        ),
    ],
)
get_plane = PLANES.lookup


def coordinates(directions: Directions, weights: np.ndarray) -> np.ndarray:
    """(a, b) of each row's projection onto an orthonormal plane."""
    moved = weights - directions.origin
    return np.column_stack([moved @ directions.first, moved @ directions.second])


def captured_share(directions: Directions, weights: np.ndarray) -> float:
    """The share of Σ‖θ_t − origin‖² that lies in the plane (1 for a path inside it)."""
    moved = weights - directions.origin
    total = float((moved * moved).sum())
    ab = coordinates(directions, weights)
    return float((ab * ab).sum()) / total if total > 0 else 1.0


def _extent(paths: list[np.ndarray]) -> tuple[float, float, float, float]:
    points = np.concatenate(paths)
    low, high = points.min(axis=0), points.max(axis=0)
    span = max(float((high - low).max()), 1e-3)
    centre = (low + high) / 2
    half = span * (0.5 + MARGIN)
    return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


def losses_at(results: Sequence[TrainResult], weights: np.ndarray) -> np.ndarray:
    """(k, 4): train loss, validation loss, train accuracy, validation accuracy at each row."""
    net, data = kernel_inputs(results[0].network, results[0].data)
    out = np.empty((weights.shape[0], 4))
    kernel.loss_at(net, data, np.ascontiguousarray(weights), out)
    return out


def plane(
    results: Sequence[TrainResult],
    kind: str = "pca",
    *,
    first_run: int = 0,
    second_run: int | None = None,
    resolution: int = 41,
    seed: int = 0,
) -> Plane:
    """A landscape plane of ``kind`` for runs that share a start (``train_runs``), with each
    run's path projected onto it.  The endpoints plane goes through the ends of ``first_run``
    and ``second_run`` (default: the next run); the random plane is around ``first_run``'s end.
    ValueError names a bad field."""
    spec = get_plane(kind)
    if not results:
        raise ValueError("plane needs at least one trained run")
    if second_run is None:  # the next run, or the same one when there is one run
        second_run = (first_run + 1) % len(results) if isinstance(first_run, int) else first_run
    for name, index in (("first_run", first_run), ("second_run", second_run)):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(results):
            raise ValueError(f"{name}={index!r} must be a run index in [0, {len(results) - 1}]")
    if any(not np.array_equal(r.weights[0], results[0].weights[0]) for r in results):
        raise ValueError("the runs must share their initial weights (train them with train_runs)")
    n = RESOLUTION.validate(resolution, "plane")
    directions = spec.directions(results, first_run, second_run, seed)
    paths: list[np.ndarray | None] = []
    captured, real, projected = [], [], []
    for result in results:
        weights = _finite_weights(result)
        real.append(losses_at(results, weights)[:, 0])
        if directions.orthonormal:
            ab = coordinates(directions, weights)
            paths.append(ab)
            captured.append(captured_share(directions, weights))
            back = directions.origin + ab[:, :1] * directions.first + ab[:, 1:] * directions.second
            projected.append(losses_at(results, back)[:, 0])
        else:
            paths.append(None)
            captured.append(float("nan"))
            projected.append(np.full(len(weights), np.nan))
    extent = directions.extent or _extent([p for p in paths if p is not None] + [np.zeros((1, 2))])
    alphas, betas = np.linspace(extent[0], extent[1], n), np.linspace(extent[2], extent[3], n)
    grid = np.empty((2, n, n))
    net, data = kernel_inputs(results[0].network, results[0].data)
    kernel.plane_losses(net, data, directions.origin, directions.first, directions.second, alphas, betas, grid)
    return Plane(spec, directions, alphas, betas, grid[0], grid[1], paths, captured, real, projected)


def line(result: TrainResult, points: int = 61, beyond: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Goodfellow et al. 2015: (α, losses) along θ(α) = (1 − α)θ₀ + α·θ_end for α in
    [−beyond, 1 + beyond]; losses[k] = (train, validation) at α[k]."""
    alpha = np.linspace(-beyond, 1.0 + beyond, points)
    start, end = result.weights[0], result.final_weights
    weights = start + alpha[:, None] * (end - start)
    return alpha, losses_at([result], weights)[:, :2]
