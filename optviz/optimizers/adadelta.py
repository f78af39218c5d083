"""torch.optim.Adadelta: steps sized by the ratio of past step and gradient magnitudes."""

from __future__ import annotations

import math

import numpy as np

from optviz.jit import inlined
from optviz.optimizers.spec import (
    MapAxis,
    Optimizer,
    Param,
    Reading,
    StepView,
    eps_param,
    lr_param,
    slots,
    weight_decay_param,
)

PARAMS = (
    lr_param(1.0),
    Param("rho", 0.9, 0.0, 0.9999, help="Decay rate of both running averages.", latex=r"\rho"),
    eps_param(1e-6),
    weight_decay_param(),
)
SLOT = slots(PARAMS)


@inlined
def update(w, g, lr, t, hp, k0, k1, k2, k3, square_avg, acc_delta, c):
    rho, eps, weight_decay = hp[SLOT.rho], hp[SLOT.eps], hp[SLOT.weight_decay]
    d = g + weight_decay * w if weight_decay != 0.0 else g
    square_avg = rho * square_avg + (1.0 - rho) * d * d
    delta = math.sqrt(acc_delta + eps) / math.sqrt(square_avg + eps) * d
    acc_delta = rho * acc_delta + (1.0 - rho) * delta * delta
    return w - lr * delta, square_avg, acc_delta, c


def inspect(view: StepView) -> Reading:
    eps = view.hp["eps"]
    return Reading(
        rows=(("E[g²]", view.state["square_avg"]), ("E[Δθ²]", view.state["acc_delta"])),
        effective=view.lr * np.sqrt(view.before["acc_delta"] + eps) / np.sqrt(view.state["square_avg"] + eps),
        note="Adadelta's per-coordinate lr is the ratio of recent step sizes to recent gradient sizes.",
    )


SPEC = Optimizer(
    key="adadelta",
    name="Adadelta",
    family="adadelta",
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
&v_t \leftarrow \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\
&\Delta x_t \leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
&u_t \leftarrow \rho\, u_{t-1} + (1-\rho)\, \Delta x_t^2 \\
&\theta_t \leftarrow \theta_{t-1} - \gamma\, \Delta x_t
\end{aligned}""",
    intuition="Adadelta sizes each step by the ratio of recent step sizes to recent gradient "
    "sizes, so the units work out and lr can stay at 1. It starts very cautiously "
    "(the step history begins at zero, so eps sets the first steps) and speeds up.",
    reference="Zeiler (2012); torch.optim.Adadelta.",
    update=update,
    inspect=inspect,
    state_names=("square_avg", "acc_delta"),
    map_axis=MapAxis("rho", 0.5, 0.999),
    torch_class="Adadelta",
)
