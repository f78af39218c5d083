"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

Not part of torch.optim; names and defaults follow the paper's reference implementation
(lr=1e-4, betas=(0.9, 0.99), decoupled weight_decay=0).  Every coordinate moves by exactly
lr per step (the sign of an interpolated momentum), so Lion's lr is typically 3–10× smaller
than Adam's.
"""

from __future__ import annotations

from numba import njit

from optviz.optimizers.spec import Optimizer, keep_products, Param, lr_param, weight_decay_param

LION = 8

SPEC = Optimizer(
    key="lion", name="Lion", code=LION, family="adam", decoupled_weight_decay=True,
    params=(
        lr_param(1e-4),
        Param("betas", (0.9, 0.99), 0.0, 0.9999, kind="pair",
              help="β₁ mixes momentum and gradient for the step's sign; β₂ is the momentum's own decay.",
              latex=r"\beta_1,\beta_2"),
        weight_decay_param(0.0, decoupled=True),
    ),
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
)


prepare = keep_products


@njit(cache=True, inline="always")
def update(w, g, lr, t, hp, k0, k1, k2, k3, exp_avg, b, c):
    beta1, beta2, weight_decay = hp[1], hp[2], hp[3]
    mixed = beta1 * exp_avg + (1.0 - beta1) * g
    sign = 1.0 if mixed > 0.0 else (-1.0 if mixed < 0.0 else 0.0)
    w = w * (1.0 - lr * weight_decay) - lr * sign
    return w, beta2 * exp_avg + (1.0 - beta2) * g, b, c
