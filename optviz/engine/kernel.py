"""The compiled trajectory loop.

One ``@njit`` function integrates a whole batch of runs; every surface, optimizer, schedule
and gradient mode is reached through integer codes (see ``dispatch``), so it compiles once.
No fastmath: it would delete the NaN/inf checks that detect divergence.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from optviz.engine.dispatch import (
    optimizer_initial_buffer, optimizer_prepare, optimizer_update, surface_hessian, surface_value_grad,
)
from optviz.engine.rng import below, standard_normal, uniform
from optviz.optimizers import newton
from optviz.optimizers.spec import length
from optviz.schedules import scheduled_lr

# Gradient modes
EXACT, NOISE, MINIBATCH, DROPOUT = 0, 1, 2, 3
# Outcomes
RAN_ALL, CONVERGED, DIVERGED, ESCAPED = 0, 1, 2, 3
# Why a run diverged
NOT_DIVERGED, NON_FINITE, BEYOND_BOUND = 0, 1, 2
# Divergence bound: this many domain spans away from the centre
BOUND_SPANS = 1.0e4
# Layout of the per-run integer results
R_OUTCOME, R_STOP_STEP, R_MINIMUM, R_POINTS, R_REASON, R_REACHED_STEP = 0, 1, 2, 3, 4, 5
N_INT_RESULTS = 6
# Columns of the optional per-step internals log: the gradient the optimizer saw, its
# per-coordinate buffers after the step, and its running products
(I_GX, I_GY, I_AX, I_BX, I_CX, I_AY, I_BY, I_CY, I_P1, I_P2, I_P3) = range(11)
N_INTERNALS = 11
NO_INTERNALS = np.zeros((0, 1, N_INTERNALS))


@njit(cache=True, inline="always")
def all_finite(a, b, c, d, e):
    """x − x is 0 for finite x and NaN for inf or NaN: one branch instead of five."""
    return (a - a) + (b - b) + (c - c) + (d - d) + (e - e) == 0.0


norm2 = length  # ‖(a, b)‖: one sqrt, rescaled only when the squares overflow


@njit(cache=True, inline="always")
def penalised(code, x, y, p, l1, l2):
    f, gx, gy = surface_value_grad(code, x, y, p)
    if l1 != 0.0:
        f += l1 * (abs(x) + abs(y))
        gx += l1 * np.sign(x)
        gy += l1 * np.sign(y)
    if l2 != 0.0:
        f += 0.5 * l2 * (x * x + y * y)
        gx += l2 * x
        gy += l2 * y
    return f, gx, gy


@njit(cache=True, inline="always")
def _minimum_within(x, y, minima, tol2):
    """Index of the first minimum closer than sqrt(tol2), or −1."""
    for m in range(minima.shape[0]):
        dx = x - minima[m, 0]
        dy = y - minima[m, 1]
        if dx * dx + dy * dy < tol2:
            return m
    return -1


@njit(cache=True, inline="always")
def _minibatch_gradient(x, y, data, batch, order, rng):
    """Mean gradient of B distinct data terms (partial Fisher–Yates over ``order``)."""
    n = data.shape[0]
    gx = 0.0
    gy = 0.0
    for k in range(batch):
        j = k + below(rng, n - k)
        order[k], order[j] = order[j], order[k]
        i = order[k]
        r = data[i, 0] * x + data[i, 1] * y - data[i, 2]
        gx += r * data[i, 0]
        gy += r * data[i, 1]
    return gx / batch, gy / batch


@njit(cache=True, inline="always")
def _dropout_gradient(x, y, data, drop, rng):
    """Full-data gradient with each feature dropped with probability p, survivors scaled 1/(1−p)."""
    n = data.shape[0]
    keep = 1.0 / (1.0 - drop)
    gx = 0.0
    gy = 0.0
    for i in range(n):
        a1 = data[i, 0] * keep if uniform(rng) >= drop else 0.0
        a2 = data[i, 1] * keep if uniform(rng) >= drop else 0.0
        r = a1 * x + a2 * y - data[i, 2]
        gx += r * a1
        gy += r * a2
    return gx / n, gy / n


@njit(cache=True, inline="always")
def _log_internals(internals, r, t, ux, uy, ax, bx, cx, ay, by, cy, p1, p2, p3):
    row = internals[r, t]
    row[I_GX], row[I_GY] = ux, uy
    row[I_AX], row[I_BX], row[I_CX] = ax, bx, cx
    row[I_AY], row[I_BY], row[I_CY] = ay, by, cy
    row[I_P1], row[I_P2], row[I_P3] = p1, p2, p3


@njit(cache=True, nogil=True, error_model="numpy")
def integrate(r, surface_code, surface_params, data, minima, l1, l2, domain, bounded_below, tolerance, gate,
              optimizer_codes, hyperparameters, schedule_codes, schedule_params,
              gradient_codes, gradient_params, seeds, starts, steps, record,
              path, loss, lrs, grad_norm, final, results, internals):
    """Integrate run r of a batch (see ``run_batch`` for the arguments).

    Everything a run writes is indexed by r and its scratch (random stream, mini-batch order)
    is its own, so runs can go in parallel.
    """
    x_lo, x_hi, y_lo, y_hi = domain[0], domain[1], domain[2], domain[3]
    span = max(x_hi - x_lo, y_hi - y_lo)
    mid_x, mid_y = 0.5 * (x_lo + x_hi), 0.5 * (y_lo + y_hi)
    bound = BOUND_SPANS * span
    tol2 = tolerance * tolerance
    gate2 = gate * gate
    rng = np.empty(1, dtype=np.uint64)
    order = np.arange(max(data.shape[0], 1))
    opt = optimizer_codes[r]
    hp = hyperparameters[r]
    sched = schedule_codes[r]
    sp = schedule_params[r]
    mode = gradient_codes[r]
    gparam = gradient_params[r]
    rng[0] = np.uint64(seeds[r])
    log_internals = internals.shape[0] > 0
    # optimizer state per coordinate (a, b, c) and per run (p1, p2, p3): see optimizers.spec
    ax = ay = optimizer_initial_buffer(opt, hp)
    bx = by = cx = cy = 0.0
    p1 = p2 = p3 = 1.0
    wx, wy = starts[r, 0], starts[r, 1]
    f, gx, gy = penalised(surface_code, wx, wy, surface_params, l1, l2)
    outcome, stop, nearest, points, reason = RAN_ALL, steps, -1, steps + 1, NOT_DIVERGED
    reached = -1
    stop_when_reached = mode == EXACT
    last_x, last_y, last_f = wx, wy, f
    if record:
        path[r, 0, 0], path[r, 0, 1] = wx, wy
        loss[r, 0] = f
        grad_norm[r, 0] = norm2(gx, gy)
    if log_internals:
        _log_internals(internals, r, 0, 0.0, 0.0, ax, bx, cx, ay, by, cy, p1, p2, p3)
    hit = _minimum_within(wx, wy, minima, tol2)
    if hit >= 0:
        reached, nearest = 0, hit
        if stop_when_reached:
            outcome, stop, points = CONVERGED, 0, 1
    t = 1
    while outcome == RAN_ALL and t <= steps:
        if mode == NOISE:
            ux = gx + gparam * standard_normal(rng)
            uy = gy + gparam * standard_normal(rng)
        elif mode == MINIBATCH or mode == DROPOUT:
            if mode == MINIBATCH:
                sx, sy = _minibatch_gradient(wx, wy, data, int(gparam), order, rng)
            else:
                sx, sy = _dropout_gradient(wx, wy, data, gparam, rng)
            # the data term is sampled; the penalty is part of the objective, exactly
            _, px, py = penalised(surface_code, wx, wy, surface_params, 0.0, 0.0)
            ux = gx - px + sx
            uy = gy - py + sy
        else:
            ux, uy = gx, gy
        lr = scheduled_lr(sched, hp[0], t - 1, sp)
        if record:
            lrs[r, t - 1] = lr
        if opt == newton.NEWTON:  # the one method that needs the whole 2×2 Hessian, not coordinates
            hxx, hxy, hyy = surface_hessian(surface_code, wx, wy, surface_params)
            dx, dy = newton.step(ux, uy, hxx + l2, hxy, hyy + l2, lr, hp)
            wx, wy = wx + dx, wy + dy
        else:
            p1, p2, p3, k0, k1, k2, k3 = optimizer_prepare(opt, t, lr, hp, p1, p2, p3)
            wx, ax, bx, cx = optimizer_update(opt, wx, ux, lr, t, hp, k0, k1, k2, k3, ax, bx, cx)
            wy, ay, by, cy = optimizer_update(opt, wy, uy, lr, t, hp, k0, k1, k2, k3, ay, by, cy)
        if log_internals:
            _log_internals(internals, r, t, ux, uy, ax, bx, cx, ay, by, cy, p1, p2, p3)
        f, gx, gy = penalised(surface_code, wx, wy, surface_params, l1, l2)
        if not all_finite(wx, wy, f, gx, gy):
            outcome, stop, points, reason = DIVERGED, t, t, NON_FINITE
            break
        last_x, last_y, last_f = wx, wy, f
        if record:
            path[r, t, 0], path[r, t, 1] = wx, wy
            loss[r, t] = f
            grad_norm[r, t] = norm2(gx, gy)
        if abs(wx - mid_x) > bound or abs(wy - mid_y) > bound:
            outcome, stop, points, reason = DIVERGED, t, t + 1, BEYOND_BOUND
        elif not bounded_below and (wx < x_lo - span or wx > x_hi + span
                                    or wy < y_lo - span or wy > y_hi + span):
            outcome, stop, points = ESCAPED, t, t + 1
        elif gx * gx + gy * gy <= gate2:
            hit = _minimum_within(wx, wy, minima, tol2)
            if hit >= 0:
                if reached < 0:
                    reached, nearest = t, hit
                if stop_when_reached:
                    outcome, stop, points = CONVERGED, t, t + 1
        t += 1
    final[r, 0], final[r, 1], final[r, 2] = last_x, last_y, last_f
    results[r, R_OUTCOME] = outcome
    results[r, R_STOP_STEP] = stop
    results[r, R_MINIMUM] = nearest
    results[r, R_POINTS] = points
    results[r, R_REASON] = reason
    results[r, R_REACHED_STEP] = reached


@njit(cache=True, nogil=True)
def run_batch(surface_code, surface_params, data, minima, l1, l2, domain, bounded_below, tolerance, gate,
              optimizer_codes, hyperparameters, schedule_codes, schedule_params,
              gradient_codes, gradient_params, seeds, starts, steps, record,
              path, loss, lrs, grad_norm, final, results, internals):
    """Integrate R runs on one surface, one after another.

    Per-run inputs are indexed by run r (codes, packed hyperparameters, seeds, starts).
    With ``record`` the per-step arrays are filled (path[r, t], loss[r, t], lrs[r, t-1],
    grad_norm[r, t] of the exact penalised gradient); otherwise only ``final`` (x, y, loss)
    and ``results`` (outcome, stop step, minimum index, points kept, divergence reason, step
    a minimum was first reached).  A non-empty ``internals`` (R, steps + 1, N_INTERNALS) also
    receives each step's gradient and optimizer state, for the inspector.  Exact-gradient runs
    stop when they reach a minimum; stochastic runs only note it and keep going, since noise
    can carry them out again.
    ``gate`` bounds the gradient norm anywhere within ``tolerance`` of a minimum, so the scan
    over minima is skipped where the gradient is larger (see landscape.convergence_gate).
    """
    for r in range(starts.shape[0]):
        integrate(r, surface_code, surface_params, data, minima, l1, l2, domain, bounded_below, tolerance, gate,
                  optimizer_codes, hyperparameters, schedule_codes, schedule_params, gradient_codes,
                  gradient_params, seeds, starts, steps, record, path, loss, lrs, grad_norm, final, results, internals)
