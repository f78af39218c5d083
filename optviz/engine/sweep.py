"""Many runs across all cores, keeping only how each ended.

The runs are split into chunks that Python threads hand to the same compiled ``run_batch``
the page uses (it releases the GIL).  One kernel serves both paths: a Numba ``parallel=True``
twin took a further ~50 s to compile on a fresh deploy, and its ``workqueue`` threading layer
aborts the server when two sessions enter it at once (GUIDE).  Each run owns its random
stream, so the split changes no result.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from optviz.engine import kernel
from optviz.engine.simulate import RunSpec, prepare, run_kernel
from optviz.engine.trajectory import OUTCOME_NAMES

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

    def reshape(self, *shape: int) -> SweepResult:
        return SweepResult(**{f.name: getattr(self, f.name).reshape(shape) for f in fields(self)})

    def is_(self, kind: str) -> np.ndarray:
        return self.outcome == OUTCOME_NAMES.index(kind)


def sweep(
    surface: str,
    optimizer: str,
    grid_params: Sequence[dict[str, Any]] = ({},),
    starts=None,
    start: tuple[float, float] | None = None,
    steps: int = 300,
    *,
    schedule: str = "constant",
    schedule_params: dict | None = None,
    gradient: str = "exact",
    gradient_value=None,
    seed: int = 0,
    l1: float = 0.0,
    l2: float = 0.0,
    surface_params: dict | None = None,
    tolerance: float | None = None,
) -> SweepResult:
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
    if starts is None:
        starts = None if start is None else [start]
    grid = [
        RunSpec(optimizer, dict(p), schedule, dict(schedule_params or {}), gradient, gradient_value, seed)
        for p in grid_params
    ]
    if max(len(grid), 1 if starts is None else len(np.asarray(starts, dtype=float).reshape(-1, 2))) > MAX_SWEEP_RUNS:
        raise ValueError(f"a sweep of more than {MAX_SWEEP_RUNS} runs is too large")
    batch = prepare(
        surface, grid, steps, l1=l1, l2=l2, surface_params=surface_params, tolerance=tolerance, starts=starts
    )
    n = batch.size
    final = np.zeros((n, 3))
    results = np.zeros((n, kernel.N_INT_RESULTS), np.int64)

    def run_chunk(rows: slice) -> None:
        # the same argument types as simulate_batch (C-ordered, writable): one compiled signature
        size = rows.stop - rows.start
        unused_series = np.zeros((size, 1))
        out = kernel.Record(
            False,
            np.zeros((size, 1, 2)),
            unused_series,
            unused_series,
            unused_series,
            final[rows],
            results[rows],
            kernel.NO_INTERNALS,
        )
        run_kernel(batch.problem, kernel.Runs(*(column[rows] for column in batch.runs)), out)

    bounds = np.linspace(0, n, min(n, WORKERS * CHUNKS_PER_WORKER) + 1).astype(int)
    chunks = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    if len(chunks) == 1 or WORKERS == 1:
        for rows in chunks:
            run_chunk(rows)
    else:
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(run_chunk, chunks))
    return SweepResult(
        final[:, 0],
        final[:, 1],
        final[:, 2],
        results[:, kernel.R_OUTCOME],
        results[:, kernel.R_STOP_STEP],
        results[:, kernel.R_MINIMUM],
        results[:, kernel.R_REACHED_STEP],
    )
