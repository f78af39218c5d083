"""Many runs across all cores, keeping only how each ended.

The runs are split into chunks that Python threads hand to the same compiled ``run_batch``
the page uses (it releases the GIL).  One kernel serves both paths: a Numba ``parallel=True``
twin took a further ~50 s to compile on a fresh deploy, and its ``workqueue`` threading layer
aborts the server when two sessions enter it at once (GUIDE).  Each run owns its random
stream, so the split changes no result.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any, Sequence

import numpy as np

from optviz.engine import kernel
from optviz.engine.landscape import convergence_gate, penalised_minima
from optviz.engine.simulate import PENALTY, SEED, _check_steps, resolve_gradient
from optviz.engine.trajectory import OUTCOME_NAMES
from optviz.optimizers import MAX_PACKED as MAX_HP
from optviz.optimizers import get_optimizer, pack_hyperparameters, resolve_hyperparameters
from optviz.schedules import MAX_PACKED as MAX_SP
from optviz.schedules import get_schedule, pack_schedule, resolve_schedule
from surfaces import get_surface

MAX_SWEEP_RUNS = 1_000_000
WORKERS = max(1, min(os.cpu_count() or 1, 8))
CHUNKS_PER_WORKER = 8  # runs that stop early leave a worker idle: smaller chunks even the load


@dataclass(frozen=True)
class SweepResult:
    """Per-run ends: final point and loss, outcome code (see OUTCOME_NAMES), the step it
    stopped at, the index of the minimum reached (−1: none) and when it first reached one."""

    final_x: np.ndarray
    final_y: np.ndarray
    final_loss: np.ndarray
    outcome: np.ndarray
    stop_step: np.ndarray
    minimum_index: np.ndarray
    reached_step: np.ndarray

    def reshape(self, *shape: int) -> "SweepResult":
        return SweepResult(**{f.name: getattr(self, f.name).reshape(shape) for f in fields(self)})

    def is_(self, kind: str) -> np.ndarray:
        return self.outcome == OUTCOME_NAMES.index(kind)


def sweep(surface: str, optimizer: str, grid_params: Sequence[dict[str, Any]] = ({},), starts=None,
          start: tuple[float, float] | None = None, steps: int = 300, *, schedule: str = "constant",
          schedule_params: dict | None = None, gradient: str = "exact", gradient_value=None, seed: int = 0,
          l1: float = 0.0, l2: float = 0.0, surface_params: dict | None = None,
          tolerance: float | None = None) -> SweepResult:
    """Run one optimizer over a grid of hyperparameters and/or start points.

    Args:
      grid_params: one dict of hyperparameters per run, or a single dict for every run.
      starts: an (n, 2) array of start points (one per run), or None to use ``start``.
      Other arguments as in ``optviz.simulate``; every run shares them.
    Returns:
      A SweepResult with one entry per run, in order.
    Raises:
      ValueError: as ``simulate`` does, naming the field; also when the grid and the starts
        disagree in length or the sweep is larger than MAX_SWEEP_RUNS.
    """
    surf = get_surface(surface)
    steps = _check_steps(steps)
    l1, l2 = PENALTY.validate(l1, "l1"), PENALTY.validate(l2, "l2")
    kernel_params = surf.kernel_params(surface_params)
    tolerance = 1e-3 * surf.span if tolerance is None else float(tolerance)
    opt = get_optimizer(optimizer)
    packed = np.array([pack_hyperparameters(opt, resolve_hyperparameters(opt, p)) for p in grid_params])
    (x0, x1), (y0, y1) = surf.domain
    if starts is None:
        xy = np.array([surf.start if start is None else start], dtype=float)
    else:
        xy = np.asarray(starts, dtype=float).reshape(-1, 2)
    inside = np.isfinite(xy).all(axis=1) & (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    if not inside.all():
        bad = xy[~inside][0]
        raise ValueError(f"start ({bad[0]:g}, {bad[1]:g}) must be finite and inside x in [{x0:g}, {x1:g}], "
                         f"y in [{y0:g}, {y1:g}]")
    n = max(len(packed), len(xy))
    if len(packed) not in (1, n) or len(xy) not in (1, n):
        raise ValueError(f"grid_params ({len(packed)}) and starts ({len(xy)}) must have one entry per run or one in all")
    if n > MAX_SWEEP_RUNS:
        raise ValueError(f"a sweep of {n} runs is larger than {MAX_SWEEP_RUNS}")
    sched = get_schedule(schedule)
    sched_packed = pack_schedule(sched, resolve_schedule(sched, schedule_params))
    mode, value = resolve_gradient(surf, gradient, gradient_value)
    value = 0.0 if value is None else float(value)
    seed = SEED.validate(seed)

    hp = np.zeros((n, MAX_HP))
    hp[:, :packed.shape[1]] = packed
    sp = np.zeros((n, max(MAX_SP, 1)))
    sp[:, :len(sched_packed)] = sched_packed
    minima = penalised_minima(surf, kernel_params, l1, l2)
    minima_xy = np.array([[m.x, m.y] for m in minima], dtype=float).reshape(-1, 2)
    gate = convergence_gate(surf, kernel_params, minima, tolerance, l1, l2)
    final = np.zeros((n, 3))
    results = np.zeros((n, kernel.N_INT_RESULTS), np.int64)
    per_run = dict(optimizer_codes=np.full(n, opt.code, np.int64), hyperparameters=hp,
                   schedule_codes=np.full(n, sched.code, np.int64), schedule_params=sp,
                   gradient_codes=np.full(n, mode.code, np.int64), gradient_params=np.full(n, value),
                   seeds=np.full(n, seed, np.uint64), starts=np.array(np.broadcast_to(xy, (n, 2)), order="C"),
                   final=final, results=results)
    domain = np.array([x0, x1, y0, y1])

    def run_chunk(rows: slice) -> None:
        # the same argument types as simulate_batch (C-ordered, writable): one compiled signature
        size = rows.stop - rows.start
        unused_path, unused_series = np.zeros((size, 1, 2)), np.zeros((size, 1))
        chunk = {name: array[rows] for name, array in per_run.items()}
        kernel.run_batch(surf.code, kernel_params, surf.dataset, minima_xy, l1, l2, domain, surf.bounded_below,
                         tolerance, gate, chunk["optimizer_codes"], chunk["hyperparameters"], chunk["schedule_codes"],
                         chunk["schedule_params"], chunk["gradient_codes"], chunk["gradient_params"], chunk["seeds"],
                         chunk["starts"], steps, False, unused_path, unused_series, unused_series.copy(),
                         unused_series.copy(), chunk["final"], chunk["results"], kernel.NO_INTERNALS)

    bounds = np.linspace(0, n, min(n, WORKERS * CHUNKS_PER_WORKER) + 1).astype(int)
    chunks = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    if len(chunks) == 1 or WORKERS == 1:
        for rows in chunks:
            run_chunk(rows)
    else:
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(run_chunk, chunks))
    return SweepResult(final[:, 0], final[:, 1], final[:, 2], results[:, kernel.R_OUTCOME],
                       results[:, kernel.R_STOP_STEP], results[:, kernel.R_MINIMUM], results[:, kernel.R_REACHED_STEP])

