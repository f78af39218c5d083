"""Grids of runs: stability maps (lr × a second hyperparameter) and basins of attraction.

Each map is one ``sweep`` call: tens of thousands of runs in one compiled, parallel pass,
keeping only how each run ended.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optviz.engine.landscape import hessian
from optviz.engine.sweep import SweepResult, sweep
from optviz.kinds import KINDS
from optviz.state import RunState, State
from surfaces import get_surface, penalised_minima


@dataclass(frozen=True)
class StabilityMap:
    lrs: np.ndarray
    seconds: np.ndarray
    second_name: str
    result: SweepResult  # arrays shaped (len(seconds), len(lrs))
    bound_lr: np.ndarray | None  # analytic GD / heavy-ball limit per second-axis value, if known


def quadratic_curvature(state: State) -> float | None:
    """L, the largest curvature, when the (penalised) surface is a convex quadratic: the same everywhere."""
    surface = get_surface(state.surface)
    if not surface.convex_quadratic or state.l1:
        return None
    params = surface.kernel_params(dict(state.surface_params))
    return float(np.linalg.eigvalsh(hessian(surface, params, 0.0, 0.0, state.l2))[-1])


def stability_map(state: State, run: RunState, resolution: int = 48, lr_range=(1e-4, 10.0)) -> StabilityMap:
    plane = KINDS[run.kind].stability_kind()  # GD / SGD keep momentum at 0: they are shown Momentum's plane
    axis = plane.spec.map_axis
    name, index, low, high = axis.name, axis.index, axis.low, axis.high
    lrs = np.logspace(math.log10(lr_range[0]), math.log10(lr_range[1]), resolution)
    seconds = np.linspace(low, high, resolution)
    base = dict(run.params)
    base.update(plane.fixed)
    grid_params = [dict(_with_second(base, name, index, second), lr=float(lr)) for second in seconds for lr in lrs]
    result = sweep(grid_params=grid_params, **state.engine_args(run)).reshape(len(seconds), len(lrs))
    bound = None
    curvature = quadratic_curvature(state)
    limit = plane.spec.stability
    if curvature and limit and run.gradient == "exact" and run.schedule == "constant":
        bound = np.array([limit(_with_second(base, name, index, s), curvature) for s in seconds])
    return StabilityMap(lrs, seconds, axis.label, result, bound)


def _with_second(values: dict, name: str, index: int | None, second: float) -> dict:
    """``values`` with the map's second-axis hyperparameter (or one half of a pair) set."""
    if index is None:
        return dict(values, **{name: float(second)})
    pair = list(values[name])
    pair[index] = float(second)
    return dict(values, **{name: tuple(pair)})


@dataclass(frozen=True)
class BasinMap:
    xs: np.ndarray
    ys: np.ndarray
    result: SweepResult  # arrays shaped (len(ys), len(xs))
    minima: tuple


def basin_map(state: State, run: RunState, resolution: int = 96) -> BasinMap:
    surface = get_surface(state.surface)
    (x0, x1), (y0, y1) = surface.domain
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    result = sweep(grid_params=[run.params], starts=starts, **state.engine_args(run)).reshape(resolution, resolution)
    params = surface.kernel_params(dict(state.surface_params))
    return BasinMap(xs, ys, result, penalised_minima(surface, params, state.l1, state.l2))
