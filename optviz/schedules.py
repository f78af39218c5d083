"""Learning-rate schedules with torch.optim.lr_scheduler semantics.

The lr used at step t (t = 1, 2, …) is the value after t−1 ``scheduler.step()`` calls;
the kernel receives ``k = t − 1``.  Each schedule is declared once: parameters, the LaTeX of
its closed form and the torch code that produces the same sequence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from numba import njit

from optviz.params import Param, pack, resolve

CONSTANT, STEP, EXPONENTIAL, COSINE, WARMUP_COSINE, INVERSE_TIME, CYCLIC = range(7)


@dataclass(frozen=True)
class Schedule:
    key: str
    name: str
    code: int
    params: tuple[Param, ...]
    formula: str
    torch_equivalent: str
    help: str


_T_MAX = Param("T_max", 300, 1, 100_000, kind="int", help="Steps from the peak lr down to eta_min (half a cosine period).",
               latex=r"T_{max}")
_ETA_MIN = Param("eta_min", 0.0, 0.0, 10.0, help="The lowest lr the cosine reaches.", latex=r"\eta_{min}")

CATALOGUE: dict[str, Schedule] = {s.key: s for s in (
    Schedule("constant", "Constant", CONSTANT, (), r"\gamma_k = \gamma",
             "no scheduler", "The same lr at every step."),
    Schedule("step", "Step decay", STEP, (
        Param("step_size", 100, 1, 100_000, kind="int", help="Multiply lr by gamma every step_size steps."),
        Param("gamma", 0.1, 0.0, 1.0, help="Factor applied at each drop.", latex=r"g"),
    ), r"\gamma_k = \gamma\, g^{\lfloor k / \text{step\_size} \rfloor}",
        "StepLR(opt, step_size, gamma)", "Drops the lr by a factor every few steps: fast early progress, then fine-tuning."),
    Schedule("exponential", "Exponential decay", EXPONENTIAL, (
        Param("gamma", 0.99, 0.0, 1.0, help="Factor applied every step.", latex=r"g"),
    ), r"\gamma_k = \gamma\, g^{k}", "ExponentialLR(opt, gamma)", "Shrinks the lr by the same factor every step."),
    Schedule("cosine", "Cosine annealing", COSINE, (_T_MAX, _ETA_MIN),
             r"\gamma_k = \eta_{min} + \tfrac12(\gamma-\eta_{min})\left(1+\cos\tfrac{\pi k}{T_{max}}\right)",
             "CosineAnnealingLR(opt, T_max, eta_min)",
             "Glides the lr down along half a cosine: slow at first, fastest in the middle, gentle at the end."),
    Schedule("warmup_cosine", "Linear warm-up, then cosine", WARMUP_COSINE, (
        Param("warmup_steps", 30, 1, 100_000, kind="int", help="Steps of linear warm-up."),
        Param("start_factor", 1.0 / 3.0, 1e-3, 1.0, help="Fraction of lr at step 1 (torch LinearLR's default is 1/3)."),
        _T_MAX, _ETA_MIN,
    ), r"\gamma_k = \begin{cases}\gamma\left(s + (1-s)\tfrac{k}{W}\right) & k < W \\ "
       r"\eta_{min} + \tfrac12(\gamma-\eta_{min})\left(1+\cos\tfrac{\pi (k-W)}{T_{max}}\right) & k \ge W\end{cases}",
        "SequentialLR(opt, [LinearLR(opt, start_factor, total_iters=W), CosineAnnealingLR(opt, T_max, eta_min)], milestones=[W])",
        "Starts small so early, badly-scaled steps cannot blow up, then anneals like cosine."),
    Schedule("inverse_time", "Inverse-time decay", INVERSE_TIME, (
        Param("decay_rate", 0.01, 0.0, 10.0, help="k in lr/(1 + k·t).", latex=r"k"),
    ), r"\gamma_k = \frac{\gamma}{1 + k_{decay}\, k}", "LambdaLR(opt, lambda k: 1 / (1 + decay_rate * k))",
        "The classic Robbins–Monro decay that makes SGD's noise average out."),
    Schedule("cyclic", "Cyclic (triangular)", CYCLIC, (
        Param("max_lr", 0.1, 1e-6, 10.0, scale="log", help="Peak of each cycle; the run's lr is the base_lr."),
        Param("step_size_up", 50, 1, 100_000, kind="int",
              help="Steps from base_lr up to max_lr (torch's default is 2000, too long for a 2-D demo)."),
    ), r"\gamma_k = \gamma + (\gamma_{max}-\gamma)\max\left(0,\,1-\left|\tfrac{k}{S} - 2c + 1\right|\right),\ c = \left\lfloor 1 + \tfrac{k}{2S}\right\rfloor",
        "CyclicLR(opt, base_lr=lr, max_lr, step_size_up, mode='triangular', cycle_momentum=False)",
        "Sweeps the lr up and down between lr and max_lr: the high phases can jump out of narrow basins."),
)}
MAX_PACKED = max(sum(p.width for p in s.params) for s in CATALOGUE.values()) or 1


def get_schedule(key: str) -> Schedule:
    try:
        return CATALOGUE[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown schedule {key!r}; valid: {', '.join(CATALOGUE)}") from None


def resolve_schedule(schedule: Schedule, given: dict[str, Any] | None) -> dict[str, Any]:
    return resolve(schedule.params, given or {}, f"schedule {schedule.key!r}")


def pack_schedule(schedule: Schedule, values: dict[str, Any]) -> list[float]:
    return pack(schedule.params, values)


@njit(cache=True, inline="always")
def _cosine(base_lr, eta_min, k, t_max):
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * k / t_max)) / 2.0


@njit(cache=True, inline="always")
def scheduled_lr(code, base_lr, k, sp):
    """lr after k scheduler steps, ``sp`` holding the schedule's packed parameters."""
    if code == CONSTANT:
        return base_lr
    if code == STEP:
        return base_lr * math.pow(sp[1], float(k // int(sp[0])))  # libm pow, as Python: see engine.warmup
    if code == EXPONENTIAL:
        return base_lr * math.pow(sp[0], float(k))
    if code == COSINE:
        return _cosine(base_lr, sp[1], k, sp[0])
    if code == WARMUP_COSINE:
        warmup = int(sp[0])
        if k < warmup:
            return base_lr * (sp[1] + (1.0 - sp[1]) * k / warmup)
        return _cosine(base_lr, sp[3], k - warmup, sp[2])
    if code == INVERSE_TIME:
        return base_lr / (1.0 + sp[0] * k)
    # CYCLIC, triangular: torch's CyclicLR formula with step_size_down = step_size_up
    total = 2.0 * sp[1]
    cycle = math.floor(1.0 + k / total)
    x = 1.0 + k / total - cycle
    scale = x / 0.5 if x <= 0.5 else (x - 1.0) / (0.5 - 1.0)
    return base_lr + (sp[0] - base_lr) * scale
