"""Outcomes in words, judged against what each run actually minimises.

For GD on a quadratic the step is stable only while lr < 2/L, L the largest Hessian
eigenvalue; momentum, dampening and weight decay move that limit (``Optimizer.stability``).
On other surfaces L varies from place to place, so the advice reads L where the run was
still sane: its start and the rest of its path inside the plotted area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optviz.engine.landscape import hessian, max_curvature
from optviz.engine.trajectory import Trajectory
from optviz.kinds import KINDS
from surfaces import Minimum, Surface, penalised_minima
from surfaces.finite_sum import dropout_solution


@dataclass(frozen=True)
class Explanation:
    """What the page says about one run: ``verdict``, one of ``VERDICTS`` (the fact a lesson's
    claims about the run must agree with), and ``text``, the words the results table shows."""

    verdict: str
    text: str


# How a run ended or behaves: one word per way ``explain`` can describe it
VERDICTS = (
    "failed",
    "diverged",
    "escaped",
    "converged",
    "on_saddle",
    "resting",
    "unjudged",
    "jittering",
    "reached",
    "stuck",
    "overshot",
    "bouncing",
    "progressing",
    "stationary",
    "stalled",
    "crawling",
)


@dataclass(frozen=True)
class Objective:
    """What one run minimises: the page's loss plus its own coupled weight decay, or, for
    dropout, the ridge problem it solves on average.  ``minima`` are that objective's."""

    minima: tuple[Minimum, ...]
    l2: float  # the total L2 strength in it (page L2 plus coupled weight decay)
    what: str  # "" for the page's loss, else how it differs, for sentences


def objective(
    traj: Trajectory,
    kind_key: str,
    surface: Surface,
    kernel_params: np.ndarray,
    page_minima: tuple[Minimum, ...],
    l1: float,
    l2: float,
) -> Objective:
    if traj.gradient == "dropout" and surface.finite_sum and not (l1 or l2):
        x, y = dropout_solution(surface.dataset, traj.gradient_value)
        return Objective((Minimum(float(x), float(y), float("nan"), "dropout's ridge"),), l2, " of dropout's ridge")
    decay = KINDS[kind_key].spec.objective_l2(traj.hyperparameters)
    if not decay:
        return Objective(page_minima, l2, "")
    return Objective(
        penalised_minima(surface, kernel_params, l1, l2 + decay), l2 + decay, " of the loss plus its weight decay"
    )


def stability_limit(kind_key: str, hyperparameters: dict, curvature: float) -> float | None:
    """Largest stable lr at curvature L, where the optimizer has a closed form (SGD family)."""
    bound = KINDS[kind_key].spec.stability
    if bound is None or not (curvature > 0 and math.isfinite(curvature)):
        return None
    return bound(hyperparameters, curvature)


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _point(x: float, y: float, span: float) -> str:
    """(x, y) to 3 digits; a coordinate within rounding of 0 next to the map's size is 0, not 1.58e-30."""
    return "(" + ", ".join(_fmt(0.0 if abs(v) < 1e-12 * span else v) for v in (x, y)) + ")"


def explain(
    traj: Trajectory, kind_key: str, surface: Surface, kernel_params: np.ndarray, goal: Objective
) -> Explanation:
    o = traj.outcome
    if o.kind == "diverged":
        return Explanation("diverged", _explain_divergence(traj, kind_key, surface, kernel_params, goal.l2))
    if o.kind == "failed":
        return Explanation(
            "failed",
            f"The engine failed on this run ({o.reason}), so only its start is shown; the other runs are "
            f"unaffected. This is a bug in optviz: please report this page's link.",
        )
    if o.kind == "escaped":
        return Explanation(
            "escaped",
            f"Escaped: it left the map at step {traj.first_outside(surface)} going downhill, and was "
            f"stopped at step {o.step}, a map's width beyond the edge. {surface.name} has no floor in that "
            f"direction, so leaving is the optimizer doing its job.",
        )
    if o.kind == "converged":
        m = o.minimum
        text = f"Converged at step {o.step} to the minimum at ({_fmt(m.x)}, {_fmt(m.y)}), loss {_fmt(m.value)}."
        best = min(goal.minima, key=lambda q: q.value) if goal.minima else None
        if best is not None and m.value > best.value + 1e-9 * max(1.0, abs(best.value)):
            text += (
                f" That is a local minimum: the best one is at ({_fmt(best.x)}, {_fmt(best.y)}) with loss "
                f"{_fmt(best.value)}."
            )
        return Explanation("converged", text)
    if KINDS[kind_key].spec.second_order:
        trapped = _newton_on_a_saddle(traj, surface, kernel_params, goal.l2)
        if trapped:
            return Explanation("on_saddle", trapped)
    return _explain_unfinished(traj, kind_key, surface, goal)


def _newton_on_a_saddle(traj: Trajectory, surface: Surface, kernel_params: np.ndarray, l2: float) -> str | None:
    """Plain Newton jumps to the stationary point of its quadratic model, saddles included."""
    x, y = traj.final_point
    curvatures = np.linalg.eigvalsh(hessian(surface, kernel_params, x, y, l2))
    if not (curvatures[0] < 0 < curvatures[1]) or float(traj.grad_norm[-1]) > 1e-6 * surface.span:
        return None
    return (
        f"Stopped on a saddle point at ({_fmt(x)}, {_fmt(y)}): the gradient is zero there, but the curvatures "
        f"are {_fmt(curvatures[0])} and {_fmt(curvatures[1])}, so it is no minimum. Newton's step goes to the "
        f"stationary point of the fitted quadratic, whatever its kind; saddle-free Newton (dividing by |curvature|) "
        f"turns the negative curvature into a push away."
    )


def sane_curvature(traj: Trajectory, surface: Surface, kernel_params: np.ndarray, l2: float) -> float:
    """The largest curvature along the part of the path that was still sane: the start, and
    every finite point inside the plotted area before the blow-up."""
    points = [p for p in traj.path[:-1] if np.all(np.isfinite(p)) and surface.in_domain(*p)] or [traj.path[0]]
    return max(max_curvature(surface, kernel_params, x, y, l2) for x, y in points)


def _came_to_rest(traj: Trajectory, surface: Surface) -> bool:
    """The last finite stretch barely moved: what blew up was arithmetic, not the step size."""
    finite = traj.path[np.all(np.isfinite(traj.path), axis=1)]
    if len(finite) < 12:
        return False
    return float(np.abs(np.diff(finite[-10:], axis=0)).max()) < 1e-6 * surface.span


def _explain_divergence(traj: Trajectory, kind_key: str, surface: Surface, kernel_params: np.ndarray, l2: float) -> str:
    o = traj.outcome
    step = o.step
    lr = float(traj.lr[min(step, len(traj.lr)) - 1]) if len(traj.lr) else traj.hyperparameters["lr"]
    if o.reason == "non_finite" and traj.hyperparameters.get("centered") and _came_to_rest(traj, surface):
        x, y = traj.path[-2]
        return (
            f"Stopped at step {step} with NaN after coming to rest near ({_fmt(x)}, {_fmt(y)}). Centred "
            f"RMSprop divides by √(v − ḡ²), the spread of recent gradients; once the run stands still every "
            f"gradient is the same, v − ḡ² cancels to zero or a rounding error below it, and the square root "
            f"gives NaN (torch.optim's RMSprop does the same). The lr is not the cause: the run had already "
            f"settled. A larger eps, or centered off, avoids it."
        )
    how = "the values overflowed to infinity" if o.reason == "non_finite" else "the point flew off to huge values"
    curvature = sane_curvature(traj, surface, kernel_params, l2)
    limit = stability_limit(kind_key, traj.hyperparameters, curvature)
    text = f"Diverged at step {step}: {how}. "
    if limit is not None:
        text += (
            f"Each step overshoots: the curvature reaches L ≈ {_fmt(curvature)} along its path before it "
            f"blew up, so this method is only stable for lr below ≈ {_fmt(limit)}, and it used lr = {_fmt(lr)}. "
            f"Try lr below ≈ {_fmt(limit)}."
        )
    else:
        text += (
            f"Its lr ({_fmt(lr)}) is too large for this landscape: each step overshoots more than the last. "
            f"Try a smaller lr."
        )
    return text


def _explain_unfinished(traj: Trajectory, kind_key: str, surface: Surface, goal: Objective) -> Explanation:
    x, y = traj.final_point
    loss = float(traj.loss[-1])
    steps = len(traj.path) - 1
    text = f"Ran all {steps} steps and ended at {_point(x, y, surface.span)} with loss {_fmt(loss)}"
    spec = KINDS[kind_key].spec
    if spec.decouples(traj.hyperparameters) and traj.hyperparameters.get("weight_decay"):
        return Explanation(
            "resting",
            text + ". Its decoupled weight decay pulls every weight toward the origin each step, apart from the "
            "gradient; it heads for where that pull balances its step, which is no minimum of the loss.",
        )
    if not goal.minima:
        return Explanation("unjudged", text + ".")
    nearest = min(goal.minima, key=lambda m: math.hypot(m.x - x, m.y - y))
    distance = math.hypot(nearest.x - x, nearest.y - y)
    best = min(m.value for m in goal.minima)
    text += f", {_fmt(distance)} from the nearest minimum{goal.what}."
    window = max(2, steps // 10)
    recent = traj.path[-window:]
    still_moving = np.abs(np.diff(recent, axis=0)).sum() > 0.02 * surface.span
    descending = float(traj.loss[-1]) < float(traj.loss[-window])
    if traj.gradient == "dropout" and surface.finite_sum:
        verdict, said = (
            "jittering",
            f"Dropout moved its resting point: on average it minimises the loss plus an L2 penalty, whose "
            f"minimum is at ({_fmt(nearest.x)}, {_fmt(nearest.y)}), shrunk toward the origin; it jitters "
            f"around that point.",
        )
    elif traj.gradient != "exact" and distance < 0.1 * surface.span:
        if traj.schedule != "constant":
            settle = f"its schedule has lowered the lr to {_fmt(float(traj.lr[-1]))}, which shrinks the jitter."
        else:
            settle = "a smaller lr or a decaying schedule lets it settle."
        verdict, said = "jittering", f"The gradient noise keeps it jittering around the minimum; {settle}"
    elif distance < 1e-3 * surface.span:
        verdict, said = "reached", "It has reached that minimum."
    elif (
        not math.isnan(nearest.value)
        and nearest.value > best + 1e-9 * max(1.0, abs(best))
        and distance < 0.05 * surface.span
    ):
        verdict, said = "stuck", "It is stuck in a local minimum: without noise or momentum it cannot climb out."
    elif not surface.in_domain(x, y) and loss > float(traj.loss[0]):
        verdict, said = (
            "overshot",
            "It overshot out of the plotted area and ends with a higher loss than where it started: its lr is "
            "too large for this landscape, though not large enough to blow up. Try a smaller lr.",
        )
    elif still_moving and not descending:
        verdict, said = (
            "bouncing",
            "It keeps moving without lowering the loss: it is bouncing around, a sign that its lr is too large. "
            "Try a smaller lr.",
        )
    elif still_moving:
        verdict, said = "progressing", "It is still making progress: more steps or a larger lr would get it there."
    elif float(traj.grad_norm[-1]) < 1e-6 * max(1.0, abs(loss)) and not surface.in_domain(x, y):
        verdict, said = (
            "stationary",
            "The gradient is zero there: it settled at a stationary point outside the plotted area.",
        )
    elif float(traj.grad_norm[-1]) < 1e-6 * max(1.0, abs(loss)):
        verdict, said = "stalled", "The gradient is almost zero here: it has stalled on a flat spot."
    else:
        verdict, said = "crawling", f"It is crawling: {spec.crawl_advice}"
    return Explanation(verdict, f"{text} {said}")
