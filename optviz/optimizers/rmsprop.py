"""torch.optim.RMSprop: AdaGrad with a forgetting average, optional momentum and centring."""

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
    lerp,
    lr_param,
    slots,
    weight_decay_param,
)

PARAMS = (
    lr_param(1e-2),
    Param(
        "alpha",
        0.99,
        0.0,
        0.9999,
        help="Smoothing constant of the running average of squared gradients.",
        latex=r"\alpha",
    ),
    eps_param(1e-8),
    weight_decay_param(),
    Param("momentum", 0.0, 0.0, 0.999, help="Momentum applied to the rescaled step.", latex=r"\mu"),
    Param(
        "centered",
        False,
        kind="bool",
        help="Divide by an estimate of the gradient's variance instead of its raw second moment.",
    ),
)
SLOT = slots(PARAMS)


@inlined
def update(w, g, lr, t, hp, k0, k1, k2, k3, square_avg, grad_avg, buf):
    alpha, eps, weight_decay, momentum = hp[SLOT.alpha], hp[SLOT.eps], hp[SLOT.weight_decay], hp[SLOT.momentum]
    d = g + weight_decay * w if weight_decay != 0.0 else g
    square_avg = alpha * square_avg + (1.0 - alpha) * d * d
    if hp[SLOT.centered] != 0.0:
        grad_avg = lerp(grad_avg, d, 1.0 - alpha)
        avg = math.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = math.sqrt(square_avg) + eps
    if momentum > 0.0:
        buf = momentum * buf + d / avg
        return w - lr * buf, square_avg, grad_avg, buf
    return w - lr * (d / avg), square_avg, grad_avg, buf


def inspect(view: StepView) -> Reading:
    hp, square = view.hp, view.state["square_avg"]
    rows = [("square average v", square)]
    scale = square - view.state["grad_avg"] ** 2 if hp["centered"] else square
    if hp["centered"]:
        rows.append(("gradient average ḡ", view.state["grad_avg"]))
    effective = view.lr / (np.sqrt(scale) + hp["eps"])
    memory = None
    if hp["momentum"]:
        rows.append(("momentum buffer", view.state["momentum_buffer"]))
        memory = ("momentum: actual − lr·g/(√v+ε)", view.actual + effective * view.gradient)
    return Reading(
        rows=tuple(rows),
        memory=memory,
        effective=effective,
        note="RMSprop divides each coordinate by the root of a forgetting average of its squared gradients.",
    )


SPEC = Optimizer(
    key="rmsprop",
    name="RMSprop",
    family="rmsprop",
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
&v_t \leftarrow \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\
&\tilde v_t \leftarrow v_t \\
&\textbf{if centered}: \ g^{ave}_t \leftarrow \alpha\, g^{ave}_{t-1} + (1-\alpha)\, g_t,\ \
  \tilde v_t \leftarrow v_t - (g^{ave}_t)^2 \\
&\textbf{if } \mu > 0: \ b_t \leftarrow \mu\, b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),\ \
  \theta_t \leftarrow \theta_{t-1} - \gamma\, b_t \\
&\textbf{else}: \ \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
\end{aligned}""",
    intuition="RMSprop also scales each coordinate by its recent gradient size, but it keeps a "
    "decaying average instead of a growing sum, so old gradients are forgotten. The step "
    "size does not die out, and it adapts when the landscape changes under it "
    "(non-stationary problems).",
    reference="Hinton, Coursera lecture 6e (2012); Graves (2013) centred form; torch.optim.RMSprop.",
    update=update,
    inspect=inspect,
    state_names=("square_avg", "grad_avg", "momentum_buffer"),
    map_axis=MapAxis("alpha", 0.5, 0.999),
    torch_class="RMSprop",
)
