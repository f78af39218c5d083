"""What happens inside one optimizer step: the vectors and the state behind it.

Reads the per-step log that the kernel keeps when asked (``simulate_batch(internals=True)``):
row t holds the gradient used by step t and each coordinate's state buffers after it.  Every
number shown is computed from that log with the optimizer's own formulas, named as in torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optviz.engine import kernel
from optviz.engine.trajectory import Trajectory

Pair = tuple[float, float]


@dataclass(frozen=True)
class Arrow:
    key: str
    label: str
    vector: Pair


@dataclass(frozen=True)
class Inspection:
    """Step ``step`` of a run: from ``before`` to ``after`` with learning rate ``lr``."""

    step: int
    before: Pair
    after: Pair
    lr: float
    arrows: tuple[Arrow, ...]  # gradient step, memory (momentum / first moment), actual step
    effective_lr: Pair | None  # per-coordinate lr/(√v̂+ε) for adaptive methods
    rows: tuple[tuple[str, float, float], ...]  # (quantity, x value, y value): the state table
    note: str


def _pair(row: np.ndarray, x_col: int, y_col: int) -> np.ndarray:
    return np.array([row[x_col], row[y_col]])


def inspect_step(traj: Trajectory, step: int, hessian: np.ndarray | None = None) -> Inspection:
    """The internals of step ``step`` (1 … len(path) − 1); ``hessian`` at the point before it, for Newton."""
    if traj.internals is None:
        raise ValueError("this trajectory was computed without internals (simulate_batch(..., internals=True))")
    last = len(traj.path) - 1
    if not 1 <= step <= last:
        raise ValueError(f"step must be in [1, {last}], not {step}")
    hp = traj.hyperparameters
    row, prev = traj.internals[step], traj.internals[step - 1]
    g = _pair(row, kernel.I_GX, kernel.I_GY)
    a, a_prev = _pair(row, kernel.I_AX, kernel.I_AY), _pair(prev, kernel.I_AX, kernel.I_AY)
    b, b_prev = _pair(row, kernel.I_BX, kernel.I_BY), _pair(prev, kernel.I_BX, kernel.I_BY)
    c = _pair(row, kernel.I_CX, kernel.I_CY)
    p1, p2, p3 = row[kernel.I_P1], row[kernel.I_P2], row[kernel.I_P3]
    lr = float(traj.lr[step - 1])
    before, after = traj.path[step - 1], traj.path[step]
    actual = after - before
    plain = -lr * g
    rows: list[tuple[str, np.ndarray]] = [("gradient g", g)]
    memory: tuple[str, np.ndarray] | None = None
    effective = None
    note = ""
    opt = traj.optimizer

    if opt == "sgd":
        if hp["momentum"]:
            rows.append(("momentum buffer b", a))
            memory = ("momentum: actual − (−lr·g)", actual - plain)
            note = "The step is the gradient step plus what the momentum buffer carries over from earlier steps."
        else:
            note = "Plain (S)GD: the step is exactly −lr·g."
    elif opt in ("adam", "adamw", "nadam", "adamax"):
        beta1, beta2 = hp["betas"]
        m, v = a, b
        if opt == "nadam":
            m_hat = m / (1.0 - p3)  # p3: the running product of the μ schedule
            v_hat = v / (1.0 - p2)
        elif opt == "adamax":
            m_hat = m / (1.0 - p1)
            v_hat = v * v  # u, the infinity norm, plays √v̂'s part
        else:
            m_hat = m / (1.0 - p1)
            v_hat = (c if hp.get("amsgrad") else v) / (1.0 - p2)
        root = np.sqrt(v_hat)
        effective = lr / (root + (0.0 if opt == "adamax" else hp["eps"]))
        rows += [("first moment m", m), ("u = max(β₂u, |g|+ε)" if opt == "adamax" else "second moment v", v),
                 ("m̂ (bias-corrected)", m_hat)]
        if opt != "adamax":
            rows.append(("v̂ (bias-corrected)", v_hat))
        memory = ("−lr·m̂: the averaged gradient", -lr * m_hat)
        note = (f"Each coordinate moves by m̂ times its own learning rate lr/(√v̂+ε): the ellipse. "
                f"β₁={beta1:g} averages gradients (momentum), β₂={beta2:g} their squares (the scale).")
    elif opt == "adagrad":
        clr = lr / (1.0 + (step - 1) * hp["lr_decay"])
        effective = clr / (np.sqrt(a) + hp["eps"])
        rows.append(("sum of squares G", a))
        note = "AdaGrad's per-coordinate lr only shrinks: G adds up every squared gradient so far."
    elif opt == "rmsprop":
        rows.append(("square average v", a))
        scale = a - b * b if hp["centered"] else a
        if hp["centered"]:
            rows.append(("gradient average ḡ", b))
        effective = lr / (np.sqrt(scale) + hp["eps"])
        if hp["momentum"]:
            rows.append(("momentum buffer", c))
            memory = ("momentum: actual − lr·g/(√v+ε)", actual + effective * g)
        note = "RMSprop divides each coordinate by the root of a forgetting average of its squared gradients."
    elif opt == "adadelta":
        rows += [("E[g²]", a), ("E[Δθ²]", b)]
        effective = lr * np.sqrt(b_prev + hp["eps"]) / np.sqrt(a + hp["eps"])
        note = "Adadelta's per-coordinate lr is the ratio of recent step sizes to recent gradient sizes."
    elif opt == "lion":
        beta1, _ = hp["betas"]
        interpolated = beta1 * a_prev + (1.0 - beta1) * g
        rows += [("momentum m", a), ("c = β₁m + (1−β₁)g", interpolated),
                 ("update sign(c)", np.sign(interpolated))]
        memory = ("−lr·c: before taking the sign", -lr * interpolated)
        note = "Lion keeps only the sign of c: every coordinate moves by exactly lr (plus weight decay)."
    elif opt == "newton" and hessian is not None:
        rows += [("Hessian row ∂/∂x", hessian[0]), ("Hessian row ∂/∂y", hessian[1])]
        curvatures = np.linalg.eigvalsh(hessian)
        shape = "a saddle: one curvature is negative" if curvatures[0] < 0 < curvatures[1] else (
            "a bowl" if curvatures[0] > 0 else "a dome or a flat region")
        note = (f"Curvatures {curvatures[0]:.3g} and {curvatures[1]:.3g}: locally {shape}. Newton jumps to the "
                f"stationary point of this quadratic model" + (
                    ", which here is uphill along the negative curvature." if curvatures[0] < 0 else "."))
    rows.append(("step Δθ", actual))
    arrows = [Arrow("gradient", "−lr·g: the plain gradient step", tuple(plain))]
    if memory is not None:
        arrows.append(Arrow("memory", memory[0], tuple(memory[1])))
    arrows.append(Arrow("step", "actual step", tuple(actual)))
    if effective is not None:
        rows.append(("effective lr", effective))
    return Inspection(
        step=step, before=tuple(map(float, before)), after=tuple(map(float, after)), lr=lr,
        arrows=tuple(Arrow(a.key, a.label, (float(a.vector[0]), float(a.vector[1]))) for a in arrows),
        effective_lr=None if effective is None else (float(effective[0]), float(effective[1])),
        rows=tuple((name, float(value[0]), float(value[1])) for name, value in rows), note=note)


def arrow_scale(inspection: Inspection, span: float, longest: float = 0.2) -> float:
    """One factor for every arrow, so the longest is ``longest`` × the plotted span."""
    lengths = [math.hypot(*a.vector) for a in inspection.arrows]
    peak = max(lengths, default=0.0)
    return longest * span / peak if peak > 0 and math.isfinite(peak) else 1.0


def length_ratio(inspection: Inspection) -> float:
    """Longest over shortest non-zero arrow: above ~20 the short ones vanish at a common scale."""
    lengths = [math.hypot(*a.vector) for a in inspection.arrows]
    lengths = [v for v in lengths if v > 0 and math.isfinite(v)]
    return max(lengths) / min(lengths) if lengths else 1.0
