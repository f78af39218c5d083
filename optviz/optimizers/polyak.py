"""The Polyak step (Polyak 1987; capped, as SPS_max of Loizou et al. 2021).

Not in torch.optim.  Its step size reads the loss at w and the whole gradient's norm:
γ_t = min((f(w) − f*) / (c‖g‖²), γ_max).  On a function whose lowest value f* is known it
picks the step a line search would only estimate; a wrong f* makes it stop short (too high)
or overshoot (too low).  It is one module because the optimizer contract gives a step the
whole weight vector and the loss (``spec.vector_step``).
"""

from __future__ import annotations

import numpy as np

from optviz.jit import inlined
from optviz.optimizers.spec import MapAxis, Optimizer, Param, Reading, StepView, slots

PARAMS = (
    Param(
        "lr",
        1.0,
        1e-6,
        10.0,
        scale="log",
        help="γ_max: the largest step size the Polyak rule may take (it caps steps where ‖g‖ is tiny).",
        latex=r"\gamma_{max}",
    ),
    Param(
        "f_star",
        0.0,
        -1e6,
        1e6,
        help="f*: the lowest loss the rule aims for. 0 suits a loss that cannot go below 0 "
        "(cross-entropy, squared error, most test surfaces).",
        latex=r"f^*",
    ),
    Param("c", 0.5, 0.01, 10.0, help="c: divides the Polyak step; 0.5 is SPS's choice, 1 Polyak's own.", latex="c"),
)
SLOT = slots(PARAMS)


@inlined
def vector_step(w, g, loss, lr, t, hp, state, products):
    squared = 0.0
    for i in range(g.shape[0]):
        squared += g[i] * g[i]
    gap = loss - hp[SLOT.f_star]
    size = 0.0
    if squared > 0.0 and gap > 0.0:  # at or below f*, or where g = 0, it does not move
        size = min(gap / (hp[SLOT.c] * squared), lr)
    products[0] = size  # the step size taken, for the inspector
    for i in range(w.shape[0]):
        w[i] = w[i] - size * g[i]


def inspect(view: StepView) -> Reading:
    size = view.products["step_size"]
    capped = size >= view.lr * (1 - 1e-12)
    return Reading(
        rows=(("step size γ_t (both coordinates)", np.full(2, size)),),
        effective=np.full(2, size),
        note=(
            f"The Polyak step size this step is {size:.3g}"
            + (", held at the cap γ_max." if capped else ": (f − f*) / (c‖g‖²), below the cap.")
            + " It is one number for the whole vector: the loss above f* divided by the squared gradient."
        ),
    )


SPEC = Optimizer(
    key="polyak",
    name="Polyak step",
    family=None,
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\gamma_t \leftarrow \min\left(\frac{f(\theta_{t-1}) - f^*}{c\,\lVert g_t \rVert^2},\ \gamma_{max}\right) \\
&\theta_t \leftarrow \theta_{t-1} - \gamma_t\, g_t
\end{aligned}""",
    intuition="The Polyak step asks how far the loss is above its lowest value f* and takes the step that "
    "would close that gap if the loss were a straight line: far above f* it strides, near f* it tiptoes. "
    "It needs no lr tuning when f* is known (0 for most losses), but it reads the loss and the whole "
    "gradient, not one coordinate at a time.",
    reference="Polyak (1987), Introduction to Optimization; capped as SPS_max in Loizou et al. (2021), "
    "Stochastic Polyak Step-size for SGD; not in torch.optim.",
    vector_step=vector_step,
    inspect=inspect,
    product_names=("step_size",),
    map_axis=MapAxis("c", 0.05, 2.0),
    torch_class=None,
    torch_note="# The Polyak step is not in torch.optim; per step, with {args}:\n"
    "# gamma = min((loss.item() - f_star) / (c * g.pow(2).sum()), lr); p -= gamma * g for every p",
)
