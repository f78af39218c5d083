"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

Not part of torch.optim; names and defaults follow the paper's reference implementation
(lr=1e-4, betas=(0.9, 0.99), decoupled weight_decay=0).  Every coordinate moves by exactly
lr per step (the sign of an interpolated momentum), so Lion's lr is typically 3–10× smaller
than Adam's.
"""

from __future__ import annotations

import numpy as np

from optviz.jit import inlined
from optviz.optimizers.spec import MapAxis, Optimizer, Param, Reading, StepView, lr_param, slots, weight_decay_param

PARAMS = (
    lr_param(1e-4),
    Param(
        "betas",
        (0.9, 0.99),
        0.0,
        0.9999,
        kind="pair",
        help="β₁ mixes momentum and gradient for the step's sign; β₂ is the momentum's own decay.",
        latex=r"\beta_1,\beta_2",
    ),
    weight_decay_param(0.0, decoupled=True),
)
SLOT = slots(PARAMS)


@inlined
def update(w, g, lr, t, hp, k0, k1, k2, k3, exp_avg, b, c):
    beta1, beta2 = hp[SLOT.betas], hp[SLOT.betas + 1]
    mixed = beta1 * exp_avg + (1.0 - beta1) * g
    sign = 1.0 if mixed > 0.0 else (-1.0 if mixed < 0.0 else 0.0)
    w = w * (1.0 - lr * hp[SLOT.weight_decay]) - lr * sign
    return w, beta2 * exp_avg + (1.0 - beta2) * g, b, c


def inspect(view: StepView) -> Reading:
    beta1, _ = view.hp["betas"]
    interpolated = beta1 * view.before["exp_avg"] + (1.0 - beta1) * view.gradient
    return Reading(
        rows=(
            ("momentum m", view.state["exp_avg"]),
            ("c = β₁m + (1−β₁)g", interpolated),
            ("update sign(c)", np.sign(interpolated)),
        ),
        memory=("−lr·c: before taking the sign", -view.lr * interpolated),
        note="Lion keeps only the sign of c: every coordinate moves by exactly lr (plus weight decay).",
    )


SPEC = Optimizer(
    key="lion",
    name="Lion",
    family="adam",
    decoupled_weight_decay=True,
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&c_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
&\theta_t \leftarrow \theta_{t-1} - \gamma\left(\operatorname{sign}(c_t) + \lambda\,\theta_{t-1}\right) \\
&m_t \leftarrow \beta_2 m_{t-1} + (1-\beta_2)\, g_t
\end{aligned}""",
    intuition="Lion keeps only the sign of a momentum-smoothed gradient: every coordinate takes a step of "
    "exactly lr, like signSGD with memory. It ignores how steep the slope is, so it cannot explode "
    "on steep walls, and it is cheap (one buffer), but it wobbles by about lr around a minimum.",
    reference="Chen et al. (2023), Symbolic Discovery of Optimization Algorithms; not in torch.optim.",
    update=update,
    inspect=inspect,
    state_names=("exp_avg",),
    map_axis=MapAxis("betas", 0.0, 0.99, index=0, symbol="β₁"),
    torch_class=None,
    torch_note="# Lion is not in torch.optim; the paper's reference implementation takes\nopt = Lion(params, {args})",
)
