"""torch.optim.RAdam: Adam whose adaptive step is switched on only once its variance estimate is
reliable, and then rectified (Liu et al., 2020).

Bias corrections use running products β^t, as Adam's do (see ``adam``).
"""

from __future__ import annotations

import math

import numpy as np

from optviz.jit import inlined
from optviz.optimizers.adam import BETA1_AXIS
from optviz.optimizers.spec import (
    Optimizer,
    Param,
    Reading,
    StepView,
    betas_param,
    eps_param,
    lr_param,
    moments,
    slots,
    weight_decay_param,
    weight_decayed,
)

PARAMS = (
    lr_param(1e-3),
    betas_param(),
    eps_param(1e-8),
    weight_decay_param(),
    Param(
        "decoupled_weight_decay",
        False,
        kind="bool",
        help="Apply weight decay as AdamW does (shrink the weights) instead of adding λ·w to the gradient.",
    ),
)
SLOT = slots(PARAMS)


def rectification(step: int, beta2: float, beta2_power: float) -> tuple[float, float]:
    """(ρ_t, r_t): the length of the approximated moving average and, where ρ_t > 5, the
    rectification of the adaptive step (else r_t = 0: the step is plain momentum)."""
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho = rho_inf - 2.0 * step * beta2_power / (1.0 - beta2_power)
    if rho <= 5.0:
        return rho, 0.0
    return rho, math.sqrt((rho - 4.0) * (rho - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho))


_rectification = inlined(rectification)


@inlined
def prepare(t, lr, hp, beta1_power, beta2_power, p3):
    beta1_power *= hp[SLOT.betas]
    beta2_power *= hp[SLOT.betas + 1]
    _, rect = _rectification(t, hp[SLOT.betas + 1], beta2_power)
    return beta1_power, beta2_power, p3, 1.0 - beta1_power, math.sqrt(1.0 - beta2_power), rect, 0.0


@inlined
def update(w, g, lr, t, hp, bias_correction1, bias_correction2_sqrt, rect, k3, exp_avg, exp_avg_sq, c):
    w, g = weight_decayed(w, g, lr, hp[SLOT.weight_decay], hp[SLOT.decoupled_weight_decay] != 0.0)
    exp_avg, exp_avg_sq = moments(exp_avg, exp_avg_sq, g, hp[SLOT.betas], hp[SLOT.betas + 1])
    corrected = exp_avg / bias_correction1
    if rect > 0.0:
        adaptive = bias_correction2_sqrt / (math.sqrt(exp_avg_sq) + hp[SLOT.eps])
        return w - corrected * lr * adaptive * rect, exp_avg, exp_avg_sq, c
    return w - corrected * lr, exp_avg, exp_avg_sq, c


def inspect(view: StepView) -> Reading:
    beta2_power = view.products["beta2_power"]
    rho, rect = rectification(view.step, view.hp["betas"][1], beta2_power)
    m_hat = view.state["exp_avg"] / (1.0 - view.products["beta1_power"])
    v_hat = view.state["exp_avg_sq"] / (1.0 - beta2_power)
    rows = (
        ("first moment m", view.state["exp_avg"]),
        ("second moment v", view.state["exp_avg_sq"]),
        ("m̂ (bias-corrected)", m_hat),
        ("v̂ (bias-corrected)", v_hat),
    )
    if rect == 0.0:
        return Reading(
            rows=rows,
            memory=("−lr·m̂: the averaged gradient", -view.lr * m_hat),
            effective=np.full(2, view.lr),
            note=f"ρ_t = {rho:.3g} ≤ 5: too few steps for a reliable second moment, so RAdam steps by "
            f"lr·m̂ alone, like SGD on an averaged gradient, not divided by the gradient's size.",
        )
    return Reading(
        rows=rows,
        memory=("−lr·m̂: the averaged gradient", -view.lr * m_hat),
        effective=view.lr * rect * np.sqrt(1.0 - beta2_power) / (np.sqrt(view.state["exp_avg_sq"]) + view.hp["eps"]),
        note=f"ρ_t = {rho:.3g} > 5: Adam's per-coordinate scale is on, damped by the rectification "
        f"r_t = {rect:.3g}. r_t depends only on the step count and β₂, not on the gradients: with "
        f"β₂ = 0.999 it is 0.03 at step 6, 0.37 at step 300 and near 1 only after thousands of steps.",
    )


SPEC = Optimizer(
    key="radam",
    name="RAdam",
    family=None,  # torch's lr on every surface
    params=PARAMS,  # torch's lr everywhere: see the intuition
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\textbf{if } \lambda \ne 0: \ \textbf{if decoupled}: \theta_{t-1} \leftarrow \theta_{t-1} - \gamma\lambda\theta_{t-1}
  \ \textbf{else}: g_t \leftarrow g_t + \lambda\theta_{t-1} \\
&m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\quad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
&\hat m_t \leftarrow m_t / (1-\beta_1^t),\quad
 \rho_\infty \leftarrow \tfrac{2}{1-\beta_2} - 1,\quad \rho_t \leftarrow
  \rho_\infty - \tfrac{2t\beta_2^t}{1-\beta_2^t} \\
&\textbf{if } \rho_t > 5: \ r_t \leftarrow
  \sqrt{\tfrac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}},\ \
  \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t\, r_t\, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \\
&\textbf{else}: \ \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t
\end{aligned}""",
    intuition="RAdam fixes Adam's shaky start: in the first steps the average of squared gradients rests on "
    "too few samples, so dividing by it gives erratic steps. RAdam takes plain steps of lr·m̂ (the "
    "averaged gradient, not divided by its size) until the estimate is long enough (ρ_t > 5: the first "
    "5 steps with β₂ = 0.999), then switches Adam's scaling on, multiplied by r_t. r_t depends only on "
    "the step count: 0.03 at step 6, 0.37 at step 300, near 1 only after thousands of steps, so here "
    "RAdam's steps stay well below Adam's. Because the first steps are not divided by the gradient's "
    "size, RAdam starts at torch's lr (0.001): at the larger lr a surface suggests for Adam, step 1 "
    "on Himmelblau is already (1.4, 2.2) long and the run flies off.",
    reference="Liu et al. (2020), On the Variance of the Adaptive Learning Rate and Beyond; torch.optim.RAdam.",
    update=update,
    prepare=prepare,
    inspect=inspect,
    torch_class="RAdam",
    state_names=("exp_avg", "exp_avg_sq"),
    product_names=("beta1_power", "beta2_power"),
    map_axis=BETA1_AXIS,
)
