"""The public entry points: validate, pack for the kernel, run, unpack into Trajectories."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optviz.engine import kernel, warmup
from optviz.engine.gradients import GRADIENT_MODES, resolve_gradient
from optviz.engine.landscape import convergence_gate
from optviz.engine.trajectory import DIVERGENCE_REASONS, OUTCOME_NAMES, Outcome, Trajectory
from optviz.optimizers import MAX_PACKED as MAX_HP
from optviz.optimizers import Optimizer, get_optimizer, pack_hyperparameters, resolve_hyperparameters
from optviz.params import Param
from optviz.schedules import MAX_PACKED as MAX_SP
from optviz.schedules import get_schedule, pack_schedule, resolve_schedule
from surfaces import Minimum, Surface, get_surface, penalised_minima

MAX_STEPS = 1_000_000
PENALTY = Param("penalty", 0.0, 0.0, 100.0, help="Regularisation strength.")
SEED = Param("seed", 0, 0, 2**32 - 1, kind="int", help="Seed of the run's random stream.")


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: an optimizer with its settings, a start and a random seed.

    ``gradient_value`` is the mode's parameter (noise_std, batch_size or dropout); None
    means the mode's default.
    """

    optimizer: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    schedule: str = "constant"
    schedule_params: dict[str, Any] = field(default_factory=dict)
    gradient: str = "exact"
    gradient_value: float | None = None
    seed: int = 0
    start: tuple[float, float] | None = None


@dataclass(frozen=True)
class Settings:
    """A run's optimizer and schedule, resolved against their declarations (defaults filled in)."""

    optimizer: Optimizer
    values: dict[str, Any]
    schedule: str
    schedule_values: dict[str, Any]


def pack_settings(optimizer: str, hyperparameters, schedule: str, schedule_params, columns, r: int) -> Settings:
    """Validate run r's optimizer and schedule settings and write them, packed, into the
    kernel's per-run ``columns`` (optimizer_codes, hyperparameters, schedule_codes, schedule_params):
    the one way a run's settings reach either engine (surfaces and networks)."""
    opt = get_optimizer(optimizer)
    values = resolve_hyperparameters(opt, hyperparameters)
    packed = pack_hyperparameters(opt, values)
    sched = get_schedule(schedule)
    sched_values = resolve_schedule(sched, schedule_params)
    packed_sched = pack_schedule(sched, sched_values)
    columns.optimizer_codes[r] = opt.code
    columns.hyperparameters[r, : len(packed)] = packed
    columns.schedule_codes[r] = sched.code
    columns.schedule_params[r, : len(packed_sched)] = packed_sched
    return Settings(opt, values, sched.key, sched_values)


def _pair(start: Any) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start={start!r} must be a pair of numbers (x, y)") from None
    return x, y


def _as_starts(surface: Surface, runs: Sequence[RunSpec], starts: Any) -> np.ndarray:
    """The (n, 2) start points: ``starts`` if given, else each run's own (or the surface's)."""
    if starts is None:
        starts = [surface.start if run.start is None else _pair(run.start) for run in runs]
    xy = np.asarray(starts, dtype=float).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.domain
    inside = surface.in_domain(xy[:, 0], xy[:, 1])  # NaN is not inside
    if not inside.all():
        bad = xy[~inside][0]
        raise ValueError(
            f"start=({float(bad[0])!r}, {float(bad[1])!r}) must be finite and inside the {surface.key} "
            f"domain x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]"
        )
    return xy


def _check_steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps={steps!r} must be a whole number in [1, {MAX_STEPS}]")
    return int(steps)


@dataclass(frozen=True)
class Batch:
    """A validated batch, packed for ``kernel.run_batch``: ``resolved`` holds each distinct
    run's settings as the Trajectory reports them."""

    surface: Surface
    problem: kernel.Problem
    runs: kernel.Runs
    resolved: list[tuple]
    minima: tuple[Minimum, ...]

    @property
    def size(self) -> int:
        return len(self.runs.starts)


def prepare(
    surface: str,
    runs: Sequence[RunSpec],
    steps: int,
    *,
    l1: float = 0.0,
    l2: float = 0.0,
    surface_params: dict[str, Any] | None = None,
    tolerance: float | None = None,
    ungated: bool = False,
    minima: tuple | None = None,
    starts: Any = None,
) -> Batch:
    """Validate and pack a batch: the one way into the kernel, for ``simulate_batch`` and ``sweep``.

    ``starts`` (an (n, 2) array) overrides the runs' own starts; ``runs`` and starts are
    broadcast against each other when one of them has length 1.
    """
    surf = get_surface(surface)
    steps = _check_steps(steps)
    l1 = PENALTY.validate(l1, "l1")
    l2 = PENALTY.validate(l2, "l2")
    kernel_params = surf.kernel_params(surface_params)
    if tolerance is None:
        tolerance = 1e-3 * surf.span
    elif isinstance(tolerance, bool) or not (
        isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance > 0
    ):
        raise ValueError(f"tolerance={tolerance!r} must be a positive number")
    if not runs:
        raise ValueError("runs must hold at least one RunSpec")
    xy = _as_starts(surf, runs, starts)
    n = max(len(runs), len(xy))
    if len(runs) not in (1, n) or len(xy) not in (1, n):
        raise ValueError(f"runs ({len(runs)}) and starts ({len(xy)}) must have one entry per run or one in all")
    if minima is None:
        minima = penalised_minima(surf, kernel_params, l1, l2)

    k = len(runs)
    columns = kernel.Runs(
        np.empty(k, np.int64),
        np.zeros((k, MAX_HP)),
        np.empty(k, np.int64),
        np.zeros((k, max(MAX_SP, 1))),
        np.empty(k, np.int64),
        np.zeros(k),
        np.empty(k, np.uint64),
        xy,
    )
    resolved = []
    for r, run in enumerate(runs):
        settings = pack_settings(run.optimizer, run.hyperparameters, run.schedule, run.schedule_params, columns, r)
        mode, gvalue = resolve_gradient(surf, run.gradient, run.gradient_value)
        columns.gradient_codes[r] = mode.code
        columns.gradient_params[r] = 0.0 if gvalue is None else float(gvalue)
        columns.seeds[r] = SEED.validate(run.seed)
        resolved.append(
            (settings.optimizer.key, settings.values, settings.schedule, settings.schedule_values, mode.key, gvalue)
            + (int(columns.seeds[r]),)
        )
    # writable, C-ordered copies for every batch: one compiled signature
    packed_runs = kernel.Runs(*(np.array(np.broadcast_to(c, (n, *c.shape[1:])), order="C") for c in columns))
    (x0, x1), (y0, y1) = surf.domain
    minima_xy = np.array([[m.x, m.y] for m in minima], dtype=np.float64).reshape(-1, 2)
    gate = math.inf if ungated else convergence_gate(surf, kernel_params, minima, tolerance, l1, l2)
    problem = kernel.Problem(
        surf.code,
        kernel_params,
        surf.dataset,
        minima_xy,
        float(l1),
        float(l2),
        np.array([x0, x1, y0, y1], dtype=np.float64),
        bool(surf.bounded_below),
        float(tolerance),
        float(gate),
        steps,
    )
    return Batch(surf, problem, packed_runs, resolved, tuple(minima))


def new_record(n: int, steps: int, record: bool = True, internals: bool = False) -> kernel.Record:
    """Where n runs of ``steps`` steps write: every step when ``record``, else only their ends."""
    length = steps + 1 if record else 1
    # one block for the per-step series: above 4 MB NumPy asks the kernel for huge pages, so
    # a long run's fresh memory costs a few page faults instead of thousands
    sizes = (n * length * 2, n * length, n * max(length - 1, 1), n * length)
    block = np.empty(sum(sizes))
    path, loss, lrs, grad_norm = np.split(block, np.cumsum(sizes)[:-1])
    return kernel.Record(
        record,
        path.reshape(n, length, 2),
        loss.reshape(n, length),
        lrs.reshape(n, -1),
        grad_norm.reshape(n, length),
        np.zeros((n, 3)),
        np.zeros((n, kernel.N_INT_RESULTS), np.int64),
        np.full((n, length, kernel.N_INTERNALS), np.nan) if internals and record else kernel.NO_INTERNALS,
    )


def run_kernel(problem: kernel.Problem, runs: kernel.Runs, out: kernel.Record) -> dict[int, str]:
    """``kernel.run_batch``, guarded: the engine is written never to raise (jit.py), but should it,
    each run is tried alone and those that still raise end as "failed", at their start, with the
    error in words (returned by run index), so one run's bug takes neither the others nor the page down.
    While the warm-up interprets, Python's own errors go to ``warmup.run``, which waits for machine code."""
    try:
        kernel.run_batch(problem, runs, out)
        return {}
    except Exception:  # noqa: BLE001 - tried run by run below
        if warmup.interpreting():
            raise
    failed = {}
    for r in range(runs.starts.shape[0]):
        try:
            kernel.integrate(r, problem, runs, out)
        except Exception as error:  # noqa: BLE001 - becomes this run's outcome
            failed[r] = f"{type(error).__name__}: {error}"
            x, y = runs.starts[r]
            out.final[r] = x, y, math.nan
            out.results[r] = kernel.FAILED, 0, -1, 1, kernel.NOT_DIVERGED, -1
            if out.keep_steps:
                out.path[r, 0] = x, y
                out.loss[r, 0] = out.grad_norm[r, 0] = math.nan
    return failed


def simulate_batch(
    surface: str,
    runs: Sequence[RunSpec],
    steps: int,
    *,
    l1: float = 0.0,
    l2: float = 0.0,
    surface_params: dict[str, Any] | None = None,
    tolerance: float | None = None,
    record: bool = True,
    ungated: bool = False,
    internals: bool = False,
    minima: tuple | None = None,
) -> list[Trajectory]:
    """Run many optimizers on one surface in a single compiled call.

    Args:
      surface: a key of ``surfaces.CATALOGUE`` or a ``custom:<extent>:<formula>`` key.
      runs: one RunSpec per run.
      steps: optimizer steps per run, at most ``MAX_STEPS``.
      l1, l2: penalty λ₁‖w‖₁ + λ₂/2‖w‖² added to the objective itself.
      surface_params: the surface's own parameters (e.g. the ravine's condition_number).
      tolerance: distance to a minimum that counts as converged (default 1e-3 × domain span).
      record: keep every step (False keeps only the end, for large sweeps).
      ungated: scan the minima every step instead of only where the gradient is small
        (for tests: results must not change).
      internals: also keep each step's gradient and optimizer state (Trajectory.internals).
      minima: the penalised minima, when the caller has them already (else found here).
    Returns:
      One Trajectory per run, in order.  Without ``record`` the path holds just the final point.
    Raises:
      ValueError: an unknown key or a value outside its declared range, named in the message.
    """
    batch = prepare(
        surface,
        runs,
        steps,
        l1=l1,
        l2=l2,
        surface_params=surface_params,
        tolerance=tolerance,
        ungated=ungated,
        minima=minima,
    )
    steps, minima, n = batch.problem.steps, batch.minima, batch.size
    out = new_record(n, steps, record, internals)
    failed = run_kernel(batch.problem, batch.runs, out)
    path, loss, lrs, grad_norm, final, results, log = out[1:]
    surf, resolved = batch.surface, batch.resolved

    trajectories = []
    for r in range(n):
        outcome_code, stop, nearest, points, reason, reached = (int(v) for v in results[r])
        outcome = Outcome(
            kind=OUTCOME_NAMES[outcome_code],
            step=None if outcome_code == kernel.RAN_ALL else stop,
            minimum_index=nearest if nearest >= 0 else None,
            minimum=minima[nearest] if nearest >= 0 else None,
            reason=failed[r] if r in failed else DIVERGENCE_REASONS[reason],
            reached_step=reached if reached >= 0 else None,
        )
        opt_key, values, sched_key, sched_values, mode_key, gvalue, seed = resolved[r]
        if record:
            # views of the batch's arrays; copied only when most of a run's rows are unused
            own = (lambda a: a.copy()) if 2 * points < path.shape[1] else (lambda a: a)
            kept = slice(0, points)
            run_path, run_loss = own(path[r, kept]), own(loss[r, kept])
            run_lr, run_gn = own(lrs[r, : max(points - 1, 0)]), own(grad_norm[r, kept])
            if outcome.reason == "non_finite":  # the failing step's lr was used too
                run_lr = own(lrs[r, :points])
        else:
            run_path, run_loss = final[r, None, :2].copy(), final[r, None, 2].copy()
            run_lr, run_gn = np.zeros(0), np.zeros(0)
        trajectories.append(
            Trajectory(
                surface=surf.key,
                optimizer=opt_key,
                hyperparameters=values,
                schedule=sched_key,
                schedule_params=sched_values,
                gradient=mode_key,
                gradient_value=gvalue,
                seed=seed,
                steps=steps,
                path=run_path,
                loss=run_loss,
                lr=run_lr,
                grad_norm=run_gn,
                outcome=outcome,
                final_loss=float(final[r, 2]),
                internals=log[r, :points].copy() if log.shape[0] else None,
            )
        )
    return trajectories


def simulate(
    surface: str,
    optimizer: str,
    start: tuple[float, float] | None = None,
    steps: int = 300,
    *,
    schedule: str = "constant",
    schedule_params: dict[str, Any] | None = None,
    gradient: str = "exact",
    noise_std: float | None = None,
    batch_size: int | None = None,
    dropout: float | None = None,
    seed: int = 0,
    l1: float = 0.0,
    l2: float = 0.0,
    surface_params: dict[str, Any] | None = None,
    tolerance: float | None = None,
    **hyperparameters: Any,
) -> Trajectory:
    """Run one optimizer on one surface.

    Args:
      surface: surface key, e.g. "rosenbrock".
      optimizer: torch.optim name in lower case: "sgd", "adam", "rmsprop", …
      start: (x, y) inside the surface's domain; default the surface's suggested start.
      steps: number of optimizer steps (1 … MAX_STEPS).
      schedule, schedule_params: an lr schedule (torch.optim.lr_scheduler semantics).
      gradient: "exact", "noise" (with noise_std), "minibatch" (with batch_size) or
        "dropout" (with dropout); the last two need a finite-sum surface.
      seed: seed of the run's random stream (noise, batches, dropout masks).
      l1, l2: penalties added to the objective.
      **hyperparameters: the optimizer's own, with torch's names and defaults.
    Returns:
      A Trajectory; divergence is an outcome, never an exception.
    """
    given = {"noise": noise_std, "minibatch": batch_size, "dropout": dropout}
    for mode_key, value in given.items():
        if value is not None and mode_key != gradient:
            param = GRADIENT_MODES[mode_key].param
            raise ValueError(f"{param.name} applies only to gradient={mode_key!r}, not {gradient!r}")
    run = RunSpec(
        optimizer=optimizer,
        hyperparameters=hyperparameters,
        schedule=schedule,
        schedule_params=schedule_params or {},
        gradient=gradient,
        gradient_value=given.get(gradient),
        seed=seed,
        start=start,
    )
    return simulate_batch(surface, [run], steps, l1=l1, l2=l2, surface_params=surface_params, tolerance=tolerance)[0]
