"""torch.optim.Adagrad: each coordinate's step shrinks with its gradient history."""

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
    lr_param(1e-2),
    Param("lr_decay", 0.0, 0.0, 1.0, help="Shrinks lr as γ/(1+(t−1)·η) over steps.", latex=r"\eta"),
    weight_decay_param(),
    Param(
        "initial_accumulator_value",
        0.0,
        0.0,
        10.0,
        help="Starting value of the sum of squared gradients.",
        latex=r"\tau",
    ),
    eps_param(1e-10),
)
SLOT = slots(PARAMS)


@inlined
def initial(hp):
    return hp[SLOT.initial_accumulator_value], 0.0, 0.0


@inlined
def prepare(t, lr, hp, p1, p2, p3):
    return p1, p2, p3, lr / (1.0 + (t - 1) * hp[SLOT.lr_decay]), 0.0, 0.0, 0.0


@inlined
def update(w, g, lr, t, hp, clr, k1, k2, k3, state_sum, b, c):
    weight_decay = hp[SLOT.weight_decay]
    d = g + weight_decay * w if weight_decay != 0.0 else g
    state_sum += d * d
    return w - clr * (d / (math.sqrt(state_sum) + hp[SLOT.eps])), state_sum, b, c


def inspect(view: StepView) -> Reading:
    decayed = view.lr / (1.0 + (view.step - 1) * view.hp["lr_decay"])
    total = view.state["sum"]
    return Reading(
        rows=(("sum of squares G", total),),
        effective=decayed / (np.sqrt(total) + view.hp["eps"]),
        note="AdaGrad's per-coordinate lr only shrinks: G adds up every squared gradient so far.",
    )


SPEC = Optimizer(
    key="adagrad",
    name="AdaGrad",
    family="adagrad",
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
&\tilde\gamma \leftarrow \gamma / \left(1 + (t-1)\,\eta\right) \\
&s_t \leftarrow s_{t-1} + g_t^2 \qquad (s_0 = \tau) \\
&\theta_t \leftarrow \theta_{t-1} - \tilde\gamma\, \frac{g_t}{\sqrt{s_t} + \epsilon}
\end{aligned}""",
    intuition="AdaGrad gives every coordinate its own step size: it divides by the root of the "
    "sum of all squared gradients seen so far. Steep coordinates get small steps, flat "
    "ones large steps. Because the sum only grows, the steps keep shrinking, which is "
    "great for sparse features and too cautious for long runs.",
    reference="Duchi, Hazan & Singer (2011); torch.optim.Adagrad.",
    update=update,
    prepare=prepare,
    initial=initial,
    inspect=inspect,
    state_names=("sum",),
    map_axis=MapAxis("lr_decay", 0.0, 0.1),
    torch_class="Adagrad",
    crawl_advice="AdaGrad divides by the sum of every squared gradient so far, so its steps only "
    "shrink. A larger lr, or RMSprop/Adam (which forget old gradients), would help.",
)
