"""Outcomes in words, with the curvature behind a divergence.

For plain GD on a quadratic the step is stable only while lr < 2/L, L the largest Hessian
eigenvalue; heavy-ball momentum μ raises the limit to 2(1+μ)/L.  On other surfaces L varies
from place to place, so the explanation quotes L where the run blew up.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.engine.landscape import hessian, max_curvature
from optviz.engine.trajectory import Trajectory
from optviz.kinds import KINDS
from surfaces import Minimum, Surface
from surfaces.finite_sum import dropout_solution


def stability_limit(kind_key: str, hyperparameters: dict, curvature: float) -> float | None:
    """Largest stable lr for GD / heavy-ball / Nesterov at curvature L; None for adaptive methods."""
    if KINDS[kind_key].optimizer != "sgd" or not curvature > 0 or not math.isfinite(curvature):
        return None
    mu = hyperparameters.get("momentum", 0.0)
    if hyperparameters.get("nesterov"):
        return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * curvature)
    return 2.0 * (1.0 + mu) / curvature


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def explain(traj: Trajectory, kind_key: str, surface: Surface, kernel_params: np.ndarray, minima: tuple[Minimum, ...],
            l2: float = 0.0) -> str:
    o = traj.outcome
    if o.kind == "diverged":
        return _explain_divergence(traj, kind_key, surface, kernel_params, l2)
    if o.kind == "escaped":
        return (f"Escaped at step {o.step}: it left the plotted area downhill. {surface.name} has no floor in that "
                f"direction, so leaving is the optimizer doing its job.")
    if o.kind == "converged":
        m = o.minimum
        text = f"Converged at step {o.step} to the minimum at ({_fmt(m.x)}, {_fmt(m.y)}), loss {_fmt(m.value)}."
        best = min(minima, key=lambda q: q.value) if minima else None
        if best is not None and m.value > best.value + 1e-9 * max(1.0, abs(best.value)):
            text += (f" That is a local minimum: the best one is at ({_fmt(best.x)}, {_fmt(best.y)}) with loss "
                     f"{_fmt(best.value)}.")
        return text
    if KINDS[kind_key].optimizer == "newton":
        trapped = _newton_on_a_saddle(traj, surface, kernel_params, l2)
        if trapped:
            return trapped
    return _explain_unfinished(traj, surface, minima)


def _newton_on_a_saddle(traj: Trajectory, surface: Surface, kernel_params: np.ndarray, l2: float) -> str | None:
    """Plain Newton jumps to the stationary point of its quadratic model, saddles included."""
    x, y = traj.final_point
    curvatures = np.linalg.eigvalsh(hessian(surface, kernel_params, x, y, l2))
    if not (curvatures[0] < 0 < curvatures[1]) or float(traj.grad_norm[-1]) > 1e-6 * surface.span:
        return None
    return (f"Stopped on a saddle point at ({_fmt(x)}, {_fmt(y)}): the gradient is zero there, but the curvatures "
            f"are {_fmt(curvatures[0])} and {_fmt(curvatures[1])}, so it is no minimum. Newton's step goes to the "
            f"stationary point of the fitted quadratic, whatever its kind; saddle_free (divide by |curvature|) "
            f"turns the negative curvature into a push away.")


def _explain_divergence(traj: Trajectory, kind_key: str, surface: Surface, kernel_params: np.ndarray,
                        l2: float) -> str:
    o = traj.outcome
    step = o.step
    lr = float(traj.lr[min(step, len(traj.lr)) - 1]) if len(traj.lr) else traj.hyperparameters["lr"]
    how = "the values overflowed to infinity" if o.reason == "non_finite" else "the point flew off to huge values"
    # the curvature where it was still sane: the steepest of the first few points
    look = traj.path[: max(2, min(len(traj.path), 5))]
    curvature = max(max_curvature(surface, kernel_params, x, y, l2) for x, y in look)
    limit = stability_limit(kind_key, traj.hyperparameters, curvature)
    text = f"Diverged at step {step}: {how}. "
    if limit is not None:
        text += (f"Each step overshoots where the curvature is high: L ≈ {_fmt(curvature)} near the start, so this "
                 f"method is only stable for lr below ≈ {_fmt(limit)}, and it used lr = {_fmt(lr)}. "
                 f"Try lr below ≈ {_fmt(limit)}.")
    else:
        text += (f"The lr ({_fmt(lr)}) is above the stability limit for this landscape: each step overshoots more "
                 f"than the last. Try a smaller lr.")
    return text


def _explain_unfinished(traj: Trajectory, surface: Surface, minima: tuple[Minimum, ...]) -> str:
    x, y = traj.final_point
    loss = float(traj.loss[-1])
    steps = len(traj.path) - 1
    text = f"Ran all {steps} steps and ended at ({_fmt(x)}, {_fmt(y)}) with loss {_fmt(loss)}"
    if not minima:
        return text + "."
    nearest = min(minima, key=lambda m: math.hypot(m.x - x, m.y - y))
    distance = math.hypot(nearest.x - x, nearest.y - y)
    best = min(m.value for m in minima)
    text += f", {_fmt(distance)} from the nearest minimum."
    recent = traj.path[-max(2, steps // 10):]
    still_moving = np.abs(np.diff(recent, axis=0)).sum() > 0.02 * surface.span
    if traj.gradient == "dropout" and surface.finite_sum:
        ridge = dropout_solution(surface.dataset, traj.gradient_value)
        text += (f" Dropout moved its resting point: on average it minimises the loss plus an L2 penalty, whose "
                 f"minimum is at ({_fmt(ridge[0])}, {_fmt(ridge[1])}), shrunk toward the origin; it jitters "
                 f"around that point.")
    elif traj.gradient != "exact" and distance < 0.1 * surface.span:
        text += (" The gradient noise keeps it jittering around the minimum; a smaller lr or a decaying schedule "
                 "lets it settle.")
    elif nearest.value > best + 1e-9 * max(1.0, abs(best)) and distance < 0.05 * surface.span:
        text += " It is stuck in a local minimum: without noise or momentum it cannot climb out."
    elif still_moving:
        text += " It is still making progress: more steps or a larger lr would get it there."
    elif float(traj.grad_norm[-1]) < 1e-6 * max(1.0, abs(loss)):
        if not surface.in_domain(x, y):
            text += " The gradient is zero there: it settled at a stationary point outside the plotted area."
        else:
            text += " The gradient is almost zero here: it has stalled on a flat spot."
    else:
        text += " It is crawling: the steps have become tiny. A larger lr or an adaptive method would help."
    return text
