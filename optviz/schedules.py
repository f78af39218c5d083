"""Learning-rate schedules with torch.optim.lr_scheduler semantics.

The lr used at step t (t = 1, 2, …) is the value after t−1 ``scheduler.step()`` calls;
the kernel receives ``k = t − 1``.  Each schedule is declared once: parameters, the LaTeX of
its closed form and the torch code that produces the same sequence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optviz.catalogue import Catalogue, compiled_dispatch
from optviz.jit import inlined
from optviz.params import Param, pack, resolve, slots


@dataclass(frozen=True)
class Schedule:
    """``lr(base_lr, k, sp)`` is the jitted lr after k scheduler steps, ``sp`` the packed params."""

    key: str
    name: str
    params: tuple[Param, ...]
    lr: Any
    formula: str
    torch_equivalent: str
    help: str
    code: int = -1


_T_MAX = Param(
    "T_max",
    300,
    1,
    100_000,
    kind="int",
    help="Steps from the peak lr down to eta_min (half a cosine period).",
    latex=r"T_{max}",
)
_ETA_MIN = Param("eta_min", 0.0, 0.0, 10.0, help="The lowest lr the cosine reaches.", latex=r"\eta_{min}")
STEP_PARAMS = (
    Param("step_size", 100, 1, 100_000, kind="int", help="Multiply lr by gamma every step_size steps."),
    Param("gamma", 0.1, 0.0, 1.0, help="Factor applied at each drop.", latex=r"g"),
)
EXPONENTIAL_PARAMS = (Param("gamma", 0.99, 0.0, 1.0, help="Factor applied every step.", latex=r"g"),)
COSINE_PARAMS = (_T_MAX, _ETA_MIN)
WARMUP_PARAMS = (
    Param("warmup_steps", 30, 1, 100_000, kind="int", help="Steps of linear warm-up."),
    Param("start_factor", 1.0 / 3.0, 1e-3, 1.0, help="Fraction of lr at step 1 (torch LinearLR's default is 1/3)."),
    _T_MAX,
    _ETA_MIN,
)
INVERSE_PARAMS = (Param("decay_rate", 0.01, 0.0, 10.0, help="k in lr/(1 + k·t).", latex=r"k"),)
CYCLIC_PARAMS = (
    Param("max_lr", 0.1, 1e-6, 10.0, scale="log", help="Peak of each cycle; the run's lr is the base_lr."),
    Param(
        "step_size_up",
        50,
        1,
        100_000,
        kind="int",
        help="Steps from base_lr up to max_lr (torch's default is 2000, too long for a 2-D demo).",
    ),
)
STEP_SLOT, EXPONENTIAL_SLOT, COSINE_SLOT = slots(STEP_PARAMS), slots(EXPONENTIAL_PARAMS), slots(COSINE_PARAMS)
WARMUP_SLOT, INVERSE_SLOT, CYCLIC_SLOT = slots(WARMUP_PARAMS), slots(INVERSE_PARAMS), slots(CYCLIC_PARAMS)


@inlined
def _cosine(base_lr, eta_min, k, t_max):
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * k / t_max)) / 2.0


@inlined
def constant_lr(base_lr, k, sp):
    return base_lr


@inlined
def step_lr(base_lr, k, sp):
    # libm pow, as Python: see engine.warmup
    return base_lr * math.pow(sp[STEP_SLOT.gamma], float(k // int(sp[STEP_SLOT.step_size])))


@inlined
def exponential_lr(base_lr, k, sp):
    return base_lr * math.pow(sp[EXPONENTIAL_SLOT.gamma], float(k))


@inlined
def cosine_lr(base_lr, k, sp):
    return _cosine(base_lr, sp[COSINE_SLOT.eta_min], k, sp[COSINE_SLOT.T_max])


@inlined
def warmup_cosine_lr(base_lr, k, sp):
    warmup, start = int(sp[WARMUP_SLOT.warmup_steps]), sp[WARMUP_SLOT.start_factor]
    if k < warmup:
        return base_lr * (start + (1.0 - start) * k / warmup)
    return _cosine(base_lr, sp[WARMUP_SLOT.eta_min], k - warmup, sp[WARMUP_SLOT.T_max])


@inlined
def inverse_time_lr(base_lr, k, sp):
    return base_lr / (1.0 + sp[INVERSE_SLOT.decay_rate] * k)


@inlined
def cyclic_lr(base_lr, k, sp):
    """torch's CyclicLR, triangular, with step_size_down = step_size_up."""
    total = 2.0 * sp[CYCLIC_SLOT.step_size_up]
    cycle = math.floor(1.0 + k / total)
    x = 1.0 + k / total - cycle
    scale = x / 0.5 if x <= 0.5 else (x - 1.0) / (0.5 - 1.0)
    return base_lr + (sp[CYCLIC_SLOT.max_lr] - base_lr) * scale


@inlined
def _unknown_schedule(base_lr, k, sp):
    return math.nan


CATALOGUE: Catalogue[Schedule] = Catalogue(
    "schedule",
    [
        Schedule(
            "constant", "Constant", (), constant_lr, r"\gamma_k = \gamma", "no scheduler", "The same lr at every step."
        ),
        Schedule(
            "step",
            "Step decay",
            STEP_PARAMS,
            step_lr,
            r"\gamma_k = \gamma\, g^{\lfloor k / \text{step\_size} \rfloor}",
            "StepLR(opt, step_size, gamma)",
            "Drops the lr by a factor every few steps: fast early progress, then fine-tuning.",
        ),
        Schedule(
            "exponential",
            "Exponential decay",
            EXPONENTIAL_PARAMS,
            exponential_lr,
            r"\gamma_k = \gamma\, g^{k}",
            "ExponentialLR(opt, gamma)",
            "Shrinks the lr by the same factor every step.",
        ),
        Schedule(
            "cosine",
            "Cosine annealing",
            COSINE_PARAMS,
            cosine_lr,
            r"\gamma_k = \eta_{min} + \tfrac12(\gamma-\eta_{min})\left(1+\cos\tfrac{\pi k}{T_{max}}\right)",
            "CosineAnnealingLR(opt, T_max, eta_min)",
            "Glides the lr down along half a cosine: slow at first, fastest in the middle, gentle at the end.",
        ),
        Schedule(
            "warmup_cosine",
            "Linear warm-up, then cosine",
            WARMUP_PARAMS,
            warmup_cosine_lr,
            r"\gamma_k = \begin{cases}\gamma\left(s + (1-s)\tfrac{k}{W}\right) & k < W \\ "
            r"\eta_{min} + \tfrac12(\gamma-\eta_{min})\left(1+\cos\tfrac{\pi (k-W)}{T_{max}}\right) & k \ge "
            r"W\end{cases}",
            "SequentialLR(opt, [LinearLR(opt, start_factor, total_iters=W), CosineAnnealingLR(opt, T_max, "
            "eta_min)], milestones=[W])",
            "Starts small so early, badly-scaled steps cannot blow up, then anneals like cosine.",
        ),
        Schedule(
            "inverse_time",
            "Inverse-time decay",
            INVERSE_PARAMS,
            inverse_time_lr,
            r"\gamma_k = \frac{\gamma}{1 + k_{decay}\, k}",
            "LambdaLR(opt, lambda k: 1 / (1 + decay_rate * k))",
            "The classic Robbins–Monro decay that makes SGD's noise average out.",
        ),
        Schedule(
            "cyclic",
            "Cyclic (triangular)",
            CYCLIC_PARAMS,
            cyclic_lr,
            r"\gamma_k = \gamma + (\gamma_{max}-\gamma)\max\left(0,\,1-\left|\tfrac{k}{S} - 2c + 1\right|\right),\ "
            r"c = \left\lfloor 1 + \tfrac{k}{2S}\right\rfloor",
            "CyclicLR(opt, base_lr=lr, max_lr, step_size_up, mode='triangular', cycle_momentum=False)",
            "Sweeps the lr up and down between lr and max_lr: the high phases can jump out of narrow basins.",
        ),
    ],
)
MAX_PACKED = max(sum(p.width for p in s.params) for s in CATALOGUE.values()) or 1
get_schedule = CATALOGUE.lookup
# scheduled_lr(code, base_lr, k, sp): the lr after k scheduler steps
scheduled_lr = compiled_dispatch([s.lr for s in CATALOGUE.values()], _unknown_schedule, 3, "scheduled_lr")


def resolve_schedule(schedule: Schedule, given: dict[str, Any] | None) -> dict[str, Any]:
    return resolve(schedule.params, given or {}, f"schedule {schedule.key!r}")


def pack_schedule(schedule: Schedule, values: dict[str, Any]) -> list[float]:
    return pack(schedule.params, values)
