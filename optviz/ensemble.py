"""Many seeds of one stochastic run.

An ensemble is K runs that differ only in their random stream; their spread is what a
single run's noise hides.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from optviz.engine.simulate import GRADIENT_MODES, simulate_batch
from optviz.state import RunState, State
from surfaces import get_surface

MAX_SEEDS = 100
QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Ensemble:
    gradient: str
    gradient_value: float | int
    paths: np.ndarray  # (K, steps + 1, 2), NaN after a run stopped (diverged or escaped)
    loss: np.ndarray  # (K, steps + 1), NaN likewise
    diverged: int  # how many of the K runs diverged
    loss_band: np.ndarray  # (3, steps + 1): the 10 %, median and 90 % loss over the seeds at each step

    def settled_mean(self) -> np.ndarray:
        """Mean position over the second half of every seed's steps: where the cloud settles."""
        late = self.paths[:, self.paths.shape[1] // 2 :].reshape(-1, 2)
        late = late[np.isfinite(late).all(axis=1)]
        return late.mean(axis=0) if len(late) else np.array([np.nan, np.nan])

    @property
    def spread(self) -> float:
        """RMS distance of the final points from their mean: how far the seeds disagree."""
        final = self.paths[:, -1]
        final = final[np.isfinite(final).all(axis=1)]
        if len(final) < 2:
            return float("nan")
        return float(np.sqrt(((final - final.mean(axis=0)) ** 2).sum(axis=1).mean()))


def noise_setting(state: State) -> tuple[str, tuple]:
    """The gradient mode an ensemble varies on this surface, and the values offered for it."""
    if get_surface(state.surface).finite_sum:
        return "minibatch", (1, 5, 20, 100)
    return "noise", (0.1, 0.5, 2.0, 10.0)


def ensemble(state: State, run: RunState, seeds: int, gradient: str, gradient_value) -> Ensemble:
    """K = ``seeds`` copies of ``run`` with the given stochastic gradient, seeds state.seed … +K−1."""
    if not 2 <= seeds <= MAX_SEEDS:
        raise ValueError(f"seeds must be in [2, {MAX_SEEDS}], not {seeds}")
    mode = GRADIENT_MODES[gradient]
    value = mode.param.validate(gradient_value) if mode.param is not None else None
    base = replace(run, gradient=gradient, gradient_value=value)
    specs = [base.to_spec(state.seed + k, state.start) for k in range(seeds)]
    trajectories = simulate_batch(runs=specs, **state.engine_args())
    n = state.steps + 1
    paths = np.full((seeds, n, 2), np.nan)
    loss = np.full((seeds, n), np.nan)
    for k, traj in enumerate(trajectories):
        paths[k, : len(traj.path)] = traj.path
        loss[k, : len(traj.loss)] = traj.loss
    diverged = sum(t.outcome.kind == "diverged" for t in trajectories)
    return Ensemble(gradient, value, paths, loss, diverged, _quantiles(loss))


def _quantiles(loss: np.ndarray) -> np.ndarray:
    if np.isfinite(loss).all():  # the usual case, and ~10× faster than nanquantile
        return np.quantile(loss, QUANTILES, axis=0)
    with warnings.catch_warnings():  # steps after every seed stopped are NaN, and stay so
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(loss, QUANTILES, axis=0)
