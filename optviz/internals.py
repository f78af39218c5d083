"""What happens inside one optimizer step: the vectors and the state behind it.

Reads the per-step log that the kernel keeps when asked (``simulate_batch(internals=True)``):
row t holds the gradient used by step t and each coordinate's state buffers after it.  Each
optimizer's own ``inspect`` (beside its update rule) turns that into the numbers shown, named
as in torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optviz.engine import kernel
from optviz.engine.trajectory import Trajectory
from optviz.optimizers import get_optimizer
from optviz.optimizers.spec import StepView

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


_STATE_COLUMNS = ((kernel.I_AX, kernel.I_AY), (kernel.I_BX, kernel.I_BY), (kernel.I_CX, kernel.I_CY))
_PRODUCT_COLUMNS = (kernel.I_P1, kernel.I_P2, kernel.I_P3)


def step_view(traj: Trajectory, step: int, hessian: np.ndarray | None = None) -> StepView:
    """Step ``step`` of a logged run, with each buffer and running product under its optimizer's names."""
    spec = get_optimizer(traj.optimizer)
    row, prev = traj.internals[step], traj.internals[step - 1]
    named = list(zip(spec.state_names, _STATE_COLUMNS))
    return StepView(
        hp=traj.hyperparameters,
        step=step,
        lr=float(traj.lr[step - 1]),
        gradient=np.array([row[kernel.I_GX], row[kernel.I_GY]]),
        state={name: np.array([row[x], row[y]]) for name, (x, y) in named},
        before={name: np.array([prev[x], prev[y]]) for name, (x, y) in named},
        products={name: float(row[col]) for name, col in zip(spec.product_names, _PRODUCT_COLUMNS)},
        actual=traj.path[step] - traj.path[step - 1],
        hessian=hessian,
    )


def inspect_step(traj: Trajectory, step: int, hessian: np.ndarray | None = None) -> Inspection:
    """The internals of step ``step`` (1 … len(path) − 1); ``hessian`` at the point before it, for Newton."""
    if traj.internals is None:
        raise ValueError("this trajectory was computed without internals (simulate_batch(..., internals=True))")
    last = len(traj.path) - 1
    if not 1 <= step <= last:
        raise ValueError(f"step must be in [1, {last}], not {step}")
    view = step_view(traj, step, hessian)
    reading = get_optimizer(traj.optimizer).inspect(view)
    rows = [("gradient g", view.gradient), *reading.rows, ("step Δθ", view.actual)]
    arrows = [Arrow("gradient", "−lr·g: the plain gradient step", tuple(view.plain))]
    if reading.memory is not None:
        arrows.append(Arrow("memory", reading.memory[0], tuple(reading.memory[1])))
    arrows.append(Arrow("step", "actual step", tuple(view.actual)))
    if reading.effective is not None:
        rows.append(("effective lr", reading.effective))
    before, after = traj.path[step - 1], traj.path[step]
    return Inspection(
        step=step,
        before=tuple(map(float, before)),
        after=tuple(map(float, after)),
        lr=view.lr,
        arrows=tuple(Arrow(a.key, a.label, (float(a.vector[0]), float(a.vector[1]))) for a in arrows),
        effective_lr=None if reading.effective is None else (float(reading.effective[0]), float(reading.effective[1])),
        rows=tuple((name, float(value[0]), float(value[1])) for name, value in rows),
        note=reading.note,
    )


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
