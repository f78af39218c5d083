"""The compiled trajectory loop.

One compiled function integrates a whole batch of runs; every surface, optimizer, schedule
and gradient mode is reached through its catalogue code, so it compiles once.
No fastmath: it would delete the NaN/inf checks that detect divergence.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optviz.engine.gradients import EXACT_AT, IS_EXACT, sampled_gradient
from optviz.engine.trajectory import DIVERGENCE_REASONS, OUTCOME_NAMES
from optviz.jit import compiled, inlined
from optviz.optimizers import (
    LR_SLOT,
    SECOND_ORDER,
    WHOLE_VECTOR,
    optimizer_initial,
    optimizer_prepare,
    optimizer_update,
    optimizer_vector_step,
    optimizer_whole_step,
)
from optviz.optimizers.spec import length
from optviz.schedules import scheduled_lr
from surfaces.compiled import penalised, surface_hessian

# Outcomes and why a run diverged: indices of the names a Trajectory reports
RAN_ALL, CONVERGED, DIVERGED, ESCAPED, FAILED = (
    OUTCOME_NAMES.index(k) for k in ("ran_all_steps", "converged", "diverged", "escaped", "failed")
)
NOT_DIVERGED, NON_FINITE, BEYOND_BOUND = (DIVERGENCE_REASONS.index(k) for k in (None, "non_finite", "beyond_bound"))
# Divergence bound: this many domain spans away from the centre
BOUND_SPANS = 1.0e4
# Layout of the per-run integer results
R_OUTCOME, R_STOP_STEP, R_MINIMUM, R_POINTS, R_REASON, R_REACHED_STEP = range(6)
N_INT_RESULTS = 6
# Columns of the optional per-step internals log: the gradient the optimizer saw, its
# per-coordinate buffers after the step, and its running products
(I_GX, I_GY, I_AX, I_BX, I_CX, I_AY, I_BY, I_CY, I_P1, I_P2, I_P3) = range(11)
N_INTERNALS = 11
NO_INTERNALS = np.zeros((0, 1, N_INTERNALS))


class Problem(NamedTuple):
    """What every run of a batch shares: the surface, its data and minima, the penalties, the
    domain (x0, x1, y0, y1) and when a run counts as converged (see ``run_batch``)."""

    surface_code: int
    surface_params: np.ndarray
    data: np.ndarray
    minima: np.ndarray
    l1: float
    l2: float
    domain: np.ndarray
    bounded_below: bool
    tolerance: float
    gate: float
    steps: int


class Runs(NamedTuple):
    """Per-run inputs, indexed by run r."""

    optimizer_codes: np.ndarray
    hyperparameters: np.ndarray
    schedule_codes: np.ndarray
    schedule_params: np.ndarray
    gradient_codes: np.ndarray
    gradient_params: np.ndarray
    seeds: np.ndarray
    starts: np.ndarray


class Record(NamedTuple):
    """Where runs write: per-step arrays when ``keep_steps``, else only ``final`` and ``results``."""

    keep_steps: bool
    path: np.ndarray
    loss: np.ndarray
    lrs: np.ndarray
    grad_norm: np.ndarray
    final: np.ndarray
    results: np.ndarray
    internals: np.ndarray


@inlined
def all_finite(a, b, c, d, e):
    """x − x is 0 for finite x and NaN for inf or NaN: one branch instead of five."""
    return (a - a) + (b - b) + (c - c) + (d - d) + (e - e) == 0.0


@inlined
def _minimum_within(x, y, minima, tol2):
    """Index of the first minimum closer than sqrt(tol2), or −1."""
    for m in range(minima.shape[0]):
        dx = x - minima[m, 0]
        dy = y - minima[m, 1]
        if dx * dx + dy * dy < tol2:
            return m
    return -1


@inlined
def _log_internals(internals, r, t, ux, uy, ax, bx, cx, ay, by, cy, p1, p2, p3):
    row = internals[r, t]
    row[I_GX], row[I_GY] = ux, uy
    row[I_AX], row[I_BX], row[I_CX] = ax, bx, cx
    row[I_AY], row[I_BY], row[I_CY] = ay, by, cy
    row[I_P1], row[I_P2], row[I_P3] = p1, p2, p3


@compiled(nogil=True)
def integrate(r, problem, runs, out):
    """Integrate run r of a batch (see ``run_batch``).

    Everything a run writes is indexed by r and its scratch (random stream, mini-batch order)
    is its own, so runs can go in parallel.
    """
    code, params, data, l1, l2 = problem.surface_code, problem.surface_params, problem.data, problem.l1, problem.l2
    x_lo, x_hi, y_lo, y_hi = problem.domain[0], problem.domain[1], problem.domain[2], problem.domain[3]
    steps, minima, bounded_below = problem.steps, problem.minima, problem.bounded_below
    record, path, loss, lrs, grad_norm, internals = (
        out.keep_steps,
        out.path,
        out.loss,
        out.lrs,
        out.grad_norm,
        out.internals,
    )
    span = max(x_hi - x_lo, y_hi - y_lo)
    mid_x, mid_y = 0.5 * (x_lo + x_hi), 0.5 * (y_lo + y_hi)
    bound = BOUND_SPANS * span
    tol2 = problem.tolerance * problem.tolerance
    gate2 = problem.gate * problem.gate
    rng = np.empty(1, dtype=np.uint64)
    rng[0] = np.uint64(runs.seeds[r])
    order = np.arange(max(data.shape[0], 1))
    opt = runs.optimizer_codes[r]
    second_order = SECOND_ORDER[opt]
    whole_vector = WHOLE_VECTOR[opt]
    hp = runs.hyperparameters[r]
    sched = runs.schedule_codes[r]
    sp = runs.schedule_params[r]
    mode = runs.gradient_codes[r]
    value = runs.gradient_params[r]
    log_internals = internals.shape[0] > 0
    # optimizer state per coordinate (a, b, c) and per run (p1, p2, p3): see optimizers.spec
    ax, bx, cx = optimizer_initial(opt, hp)
    ay, by, cy = ax, bx, cx
    p1 = p2 = p3 = 1.0
    if whole_vector:  # its vector step works on arrays: the weights, gradient, buffers and products
        vector, gradient, state, products = np.empty(2), np.empty(2), np.empty((3, 2)), np.ones(3)
        state[0, :], state[1, :], state[2, :] = ax, bx, cx
    wx, wy = runs.starts[r, 0], runs.starts[r, 1]
    f, gx, gy = penalised(code, wx, wy, params, l1, l2)
    outcome, stop, nearest, points, reason = RAN_ALL, steps, -1, steps + 1, NOT_DIVERGED
    reached = -1
    exact = IS_EXACT[mode] or value == EXACT_AT[mode]
    stop_when_reached = exact  # noise can carry a sampled run out of a minimum again
    last_x, last_y, last_f = wx, wy, f
    if record:
        path[r, 0, 0], path[r, 0, 1] = wx, wy
        loss[r, 0] = f
        grad_norm[r, 0] = length(gx, gy)
    if log_internals:
        _log_internals(internals, r, 0, 0.0, 0.0, ax, bx, cx, ay, by, cy, p1, p2, p3)
    hit = _minimum_within(wx, wy, minima, tol2)
    if hit >= 0:
        reached, nearest = 0, hit
        if stop_when_reached:
            outcome, stop, points = CONVERGED, 0, 1
    t = 1
    while outcome == RAN_ALL and t <= steps:
        if exact:
            ux, uy = gx, gy
        else:
            ux, uy = sampled_gradient(mode, wx, wy, gx, gy, value, code, l1, l2, data, rng, order)
        lr = scheduled_lr(sched, hp[LR_SLOT], t - 1, sp)
        if record:
            lrs[r, t - 1] = lr
        if second_order:  # steps both coordinates at once, from the whole 2×2 Hessian
            hxx, hxy, hyy = surface_hessian(code, wx, wy, params)
            dx, dy = optimizer_whole_step(opt, ux, uy, hxx + l2, hxy, hyy + l2, lr, hp)
            wx, wy = wx + dx, wy + dy
        elif whole_vector:  # the n = 2 case of a step that reads the whole vector and the loss at it
            vector[0], vector[1], gradient[0], gradient[1] = wx, wy, ux, uy
            optimizer_vector_step(opt, vector, gradient, f, lr, t, hp, state, products)
            wx, wy = vector[0], vector[1]
            ax, bx, cx, ay, by, cy = state[0, 0], state[1, 0], state[2, 0], state[0, 1], state[1, 1], state[2, 1]
            p1, p2, p3 = products[0], products[1], products[2]
        else:
            p1, p2, p3, k0, k1, k2, k3 = optimizer_prepare(opt, t, lr, hp, p1, p2, p3)
            wx, ax, bx, cx = optimizer_update(opt, wx, ux, lr, t, hp, k0, k1, k2, k3, ax, bx, cx)
            wy, ay, by, cy = optimizer_update(opt, wy, uy, lr, t, hp, k0, k1, k2, k3, ay, by, cy)
        if log_internals:
            _log_internals(internals, r, t, ux, uy, ax, bx, cx, ay, by, cy, p1, p2, p3)
        f, gx, gy = penalised(code, wx, wy, params, l1, l2)
        if not all_finite(wx, wy, f, gx, gy):
            outcome, stop, points, reason = DIVERGED, t, t, NON_FINITE
            break
        last_x, last_y, last_f = wx, wy, f
        if record:
            path[r, t, 0], path[r, t, 1] = wx, wy
            loss[r, t] = f
            grad_norm[r, t] = length(gx, gy)
        if abs(wx - mid_x) > bound or abs(wy - mid_y) > bound:
            outcome, stop, points, reason = DIVERGED, t, t + 1, BEYOND_BOUND
        elif not bounded_below and (wx < x_lo - span or wx > x_hi + span or wy < y_lo - span or wy > y_hi + span):
            outcome, stop, points = ESCAPED, t, t + 1
        elif gx * gx + gy * gy <= gate2:
            hit = _minimum_within(wx, wy, minima, tol2)
            if hit >= 0:
                if reached < 0:
                    reached, nearest = t, hit
                if stop_when_reached:
                    outcome, stop, points = CONVERGED, t, t + 1
        t += 1
    out.final[r, 0], out.final[r, 1], out.final[r, 2] = last_x, last_y, last_f
    results = out.results[r]
    results[R_OUTCOME], results[R_STOP_STEP], results[R_MINIMUM] = outcome, stop, nearest
    results[R_POINTS], results[R_REASON], results[R_REACHED_STEP] = points, reason, reached


@compiled(nogil=True)
def run_batch(problem, runs, out):
    """Integrate R runs on one surface, one after another.

    Per-run inputs are indexed by run r (codes, packed hyperparameters, seeds, starts).
    With ``out.keep_steps`` the per-step arrays are filled (path[r, t], loss[r, t], lrs[r, t-1],
    grad_norm[r, t] of the exact penalised gradient); otherwise only ``final`` (x, y, loss)
    and ``results`` (outcome, stop step, minimum index, points kept, divergence reason, step
    a minimum was first reached).  A non-empty ``internals`` (R, steps + 1, N_INTERNALS) also
    receives each step's gradient and optimizer state, for the inspector.  Exact-gradient runs
    stop when they reach a minimum; stochastic runs only note it and keep going, since noise
    can carry them out again.
    ``gate`` bounds the gradient norm anywhere within ``tolerance`` of a minimum, so the scan
    over minima is skipped where the gradient is larger (see landscape.convergence_gate).
    """
    for r in range(runs.starts.shape[0]):
        integrate(r, problem, runs, out)
