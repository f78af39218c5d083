"""The public entry points: validate, pack for the kernel, run, unpack into Trajectories."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from optviz.engine import kernel
from optviz.engine.landscape import convergence_gate, penalised_minima
from optviz.engine.trajectory import DIVERGENCE_REASONS, OUTCOME_NAMES, Outcome, Trajectory
from optviz.optimizers import MAX_PACKED as MAX_HP
from optviz.optimizers import get_optimizer, pack_hyperparameters, resolve_hyperparameters
from optviz.params import Param
from optviz.schedules import MAX_PACKED as MAX_SP
from optviz.schedules import get_schedule, pack_schedule, resolve_schedule
from surfaces import CATALOGUE as SURFACES
from surfaces.finite_sum import N_POINTS
from surfaces import Surface, get_surface

MAX_STEPS = 1_000_000
PENALTY = Param("penalty", 0.0, 0.0, 100.0, help="Regularisation strength.")
SEED = Param("seed", 0, 0, 2**32 - 1, kind="int", help="Seed of the run's random stream.")


@dataclass(frozen=True)
class GradientMode:
    key: str
    code: int
    param: Param | None
    needs_dataset: bool
    help: str
    torch: str = ""  # the same gradient in a PyTorch training loop ({value}: the mode's parameter)


GRADIENT_MODES: dict[str, GradientMode] = {m.key: m for m in (
    GradientMode("exact", kernel.EXACT, None, False, "The true gradient of the whole loss: full-batch gradient descent."),
    GradientMode("noise", kernel.NOISE, Param("noise_std", 1.0, 0.0, 1000.0, help="σ of Gaussian noise added to each gradient coordinate."),
                 False, "The true gradient plus Gaussian noise of standard deviation σ.",
                 "# after loss.backward(), each step: for p in params: p.grad += {value} * torch.randn_like(p.grad)"),
    GradientMode("minibatch", kernel.MINIBATCH, Param("batch_size", 10, 1, N_POINTS, kind="int", help="Data points per step (B)."),
                 True, "The gradient of B data points drawn without replacement each step (real SGD).",
                 "# each step: the loss of {value} rows drawn without replacement, "
                 "e.g. DataLoader(data, batch_size={value}, shuffle=True)"),
    GradientMode("dropout", kernel.DROPOUT, Param("dropout", 0.3, 0.0, 0.95, help="Probability p of dropping each input feature."),
                 True, "Full-data gradient with input features dropped with probability p and survivors scaled by 1/(1−p).",
                 "# each step: the full data through torch.nn.Dropout(p={value}) on the inputs (survivors ×1/(1−p))"),
)}


def get_gradient_mode(key: str) -> GradientMode:
    try:
        return GRADIENT_MODES[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown gradient mode {key!r}; valid: {', '.join(GRADIENT_MODES)}") from None


def resolve_gradient(surface: Surface, key: str, value: Any) -> tuple[GradientMode, Any]:
    """The gradient mode and its validated parameter (None for exact); refuses data sampling
    on a surface that has no data."""
    mode = get_gradient_mode(key)
    if mode.needs_dataset and not surface.finite_sum:
        finite = [k for k, s in SURFACES.items() if s.finite_sum]
        raise ValueError(f"gradient={mode.key!r} samples data terms; it needs a finite-sum surface "
                         f"({', '.join(finite)}), not {surface.key!r}")
    if mode.param is None:
        return mode, None
    return mode, mode.param.validate(mode.param.default if value is None else value)


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


def _check_start(surface: Surface, start: Any) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start={start!r} must be a pair of numbers (x, y)") from None
    (x0, x1), (y0, y1) = surface.domain
    if not (math.isfinite(x) and math.isfinite(y) and surface.in_domain(x, y)):
        raise ValueError(f"start={start!r} must be finite and inside the {surface.key} domain "
                         f"x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]")
    return x, y


def _check_steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps={steps!r} must be a whole number in [1, {MAX_STEPS}]")
    return int(steps)


def simulate_batch(surface: str, runs: Sequence[RunSpec], steps: int, *, l1: float = 0.0, l2: float = 0.0,
                   surface_params: dict[str, Any] | None = None, tolerance: float | None = None,
                   record: bool = True, ungated: bool = False, internals: bool = False,
                   minima: tuple | None = None) -> list[Trajectory]:
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
    surf = get_surface(surface)
    steps = _check_steps(steps)
    l1 = PENALTY.validate(l1, "l1")
    l2 = PENALTY.validate(l2, "l2")
    kernel_params = surf.kernel_params(surface_params)
    if tolerance is None:
        tolerance = 1e-3 * surf.span
    elif not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance > 0):
        raise ValueError(f"tolerance={tolerance!r} must be a positive number")
    if not runs:
        raise ValueError("runs must hold at least one RunSpec")
    if minima is None:
        minima = penalised_minima(surf, kernel_params, l1, l2)

    n = len(runs)
    opt_codes = np.empty(n, np.int64)
    hp = np.zeros((n, MAX_HP))
    sched_codes = np.empty(n, np.int64)
    sp = np.zeros((n, max(MAX_SP, 1)))
    grad_codes = np.empty(n, np.int64)
    grad_values = np.zeros(n)
    seeds = np.empty(n, np.uint64)
    starts = np.empty((n, 2))
    resolved = []
    for r, run in enumerate(runs):
        opt = get_optimizer(run.optimizer)
        values = resolve_hyperparameters(opt, run.hyperparameters)
        packed = pack_hyperparameters(opt, values)
        sched = get_schedule(run.schedule)
        sched_values = resolve_schedule(sched, run.schedule_params)
        packed_sched = pack_schedule(sched, sched_values)
        mode, gvalue = resolve_gradient(surf, run.gradient, run.gradient_value)
        opt_codes[r] = opt.code
        hp[r, :len(packed)] = packed
        sched_codes[r] = sched.code
        sp[r, :len(packed_sched)] = packed_sched
        grad_codes[r] = mode.code
        grad_values[r] = 0.0 if gvalue is None else float(gvalue)
        seeds[r] = SEED.validate(run.seed)
        starts[r] = _check_start(surf, surf.start if run.start is None else run.start)
        resolved.append((opt.key, values, sched.key, sched_values, mode.key, gvalue, int(seeds[r])))

    length = steps + 1 if record else 1
    path = np.zeros((n, length, 2))
    loss = np.zeros((n, length))
    lrs = np.zeros((n, max(length - 1, 1)))
    grad_norm = np.zeros((n, length))
    final = np.zeros((n, 3))
    results = np.zeros((n, kernel.N_INT_RESULTS), np.int64)
    log = np.full((n, length, kernel.N_INTERNALS), np.nan) if internals and record else kernel.NO_INTERNALS
    minima_xy = np.array([[m.x, m.y] for m in minima], dtype=np.float64).reshape(-1, 2)
    (x0, x1), (y0, y1) = surf.domain
    gate = math.inf if ungated else convergence_gate(surf, kernel_params, minima, tolerance, l1, l2)
    kernel.run_batch(surf.code, kernel_params, surf.dataset, minima_xy, l1, l2,
                     np.array([x0, x1, y0, y1]), surf.bounded_below, float(tolerance), gate,
                     opt_codes, hp, sched_codes, sp, grad_codes, grad_values, seeds, starts, steps, record,
                     path, loss, lrs, grad_norm, final, results, log)

    trajectories = []
    for r in range(n):
        outcome_code, stop, nearest, points, reason, reached = (int(v) for v in results[r])
        outcome = Outcome(
            kind=OUTCOME_NAMES[outcome_code],
            step=None if outcome_code == kernel.RAN_ALL else stop,
            minimum_index=nearest if nearest >= 0 else None,
            minimum=minima[nearest] if nearest >= 0 else None,
            reason=DIVERGENCE_REASONS[reason],
            reached_step=reached if reached >= 0 else None,
        )
        opt_key, values, sched_key, sched_values, mode_key, gvalue, seed = resolved[r]
        if record:
            kept = slice(0, points)
            run_path, run_loss = path[r, kept].copy(), loss[r, kept].copy()
            run_lr, run_gn = lrs[r, :max(points - 1, 0)].copy(), grad_norm[r, kept].copy()
            if outcome.reason == "non_finite":  # the failing step's lr was used too
                run_lr = lrs[r, :points].copy()
        else:
            run_path, run_loss = final[r, None, :2].copy(), final[r, None, 2].copy()
            run_lr, run_gn = np.zeros(0), np.zeros(0)
        trajectories.append(Trajectory(
            surface=surf.key, optimizer=opt_key, hyperparameters=values, schedule=sched_key,
            schedule_params=sched_values, gradient=mode_key, gradient_value=gvalue, seed=seed,
            steps=steps, path=run_path, loss=run_loss, lr=run_lr, grad_norm=run_gn,
            outcome=outcome, final_loss=float(final[r, 2]),
            internals=log[r, :points].copy() if log.shape[0] else None,
        ))
    return trajectories


def simulate(surface: str, optimizer: str, start: tuple[float, float] | None = None, steps: int = 300, *,
             schedule: str = "constant", schedule_params: dict[str, Any] | None = None,
             gradient: str = "exact", noise_std: float | None = None, batch_size: int | None = None,
             dropout: float | None = None, seed: int = 0, l1: float = 0.0, l2: float = 0.0,
             surface_params: dict[str, Any] | None = None, tolerance: float | None = None,
             **hyperparameters: Any) -> Trajectory:
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
    run = RunSpec(optimizer=optimizer, hyperparameters=hyperparameters, schedule=schedule,
                  schedule_params=schedule_params or {}, gradient=gradient,
                  gradient_value=given.get(gradient), seed=seed, start=start)
    return simulate_batch(surface, [run], steps, l1=l1, l2=l2, surface_params=surface_params,
                          tolerance=tolerance)[0]
