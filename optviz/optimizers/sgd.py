"""torch.optim.SGD: plain GD, heavy-ball momentum and Nesterov momentum."""

from __future__ import annotations

from optviz.jit import inlined
from optviz.optimizers.spec import MapAxis, Optimizer, Param, Reading, StepView, lr_param, slots, weight_decay_param


def stability_limit(hp: dict, curvature: float) -> float:
    """Largest stable lr on a quadratic of top curvature L.

    Weight decay λ adds λ to every curvature; dampening τ scales the gradient entering the
    buffer by 1 − τ.  Heavy ball μ is stable while lr·(1−τ)(L+λ) < 2(1+μ); Nesterov (τ = 0)
    while lr·(L+λ) < 2(1+μ)/(1+2μ).  Plain GD is μ = 0: lr < 2/(L+λ).
    """
    mu = hp.get("momentum", 0.0)
    stiffness = curvature + hp.get("weight_decay", 0.0)
    if hp.get("nesterov"):
        return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * stiffness)
    damped = (1.0 - hp.get("dampening", 0.0)) if mu else 1.0
    return 2.0 * (1.0 + mu) / (damped * stiffness) if damped > 0 else float("inf")


def nesterov_needs_momentum(values: dict) -> str | None:
    if values["nesterov"] and (values["momentum"] <= 0 or values["dampening"] != 0):
        return "nesterov=True requires momentum > 0 and dampening = 0 (as in torch)"
    return None


PARAMS = (
    lr_param(1e-3),
    Param("momentum", 0.0, 0.0, 0.999, help="Fraction of the previous step carried into this one (μ).", latex=r"\mu"),
    Param(
        "dampening",
        0.0,
        0.0,
        1.0,
        help="Shrinks how much of the new gradient enters the momentum buffer (τ).",
        latex=r"\tau",
    ),
    weight_decay_param(),
    Param(
        "nesterov",
        False,
        kind="bool",
        help="Look ahead: use the gradient plus the momentum step (needs momentum > 0 and dampening = 0).",
    ),
)
SLOT = slots(PARAMS)


@inlined
def update(w, g, lr, t, hp, k0, k1, k2, k3, buf, b, c):
    momentum, dampening, weight_decay = hp[SLOT.momentum], hp[SLOT.dampening], hp[SLOT.weight_decay]
    d = g + weight_decay * w if weight_decay != 0.0 else g
    if momentum != 0.0:
        buf = momentum * buf + (1.0 - dampening) * d if t > 1 else d
        d = d + momentum * buf if hp[SLOT.nesterov] != 0.0 else buf
    return w - lr * d, buf, b, c


def inspect(view: StepView) -> Reading:
    if not view.hp["momentum"]:
        return Reading(note="Plain (S)GD: the step is exactly −lr·g.")
    return Reading(
        rows=(("momentum buffer b", view.state["momentum_buffer"]),),
        memory=("momentum: actual − (−lr·g)", view.actual - view.plain),
        note="The step is the gradient step plus what the momentum buffer carries over from earlier steps.",
    )


# torch.optim.SGD's algorithm, line by line; GD, Momentum and Nesterov (optviz.kinds) each show their own lines
_GRADIENT = r"""&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\"""
_BUFFER = r"b_t \leftarrow \begin{cases} g_t & t = 1 \\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1 \end{cases} \\"
_LOOK_AHEAD = r"\begin{cases} g_t + \mu\, b_t & \text{nesterov} \\ b_t & \text{otherwise} \end{cases}"
_MOMENTUM = rf"""&\textbf{{if }} \mu \ne 0: \\
&\quad {_BUFFER}
&\quad g_t \leftarrow {_LOOK_AHEAD} \\"""
_STEP = r"&\theta_t \leftarrow \theta_{t-1} - \gamma\, g_t"


def _rule(*lines: str) -> str:
    return "\n\\begin{aligned}\n" + "\n".join(lines) + "\n\\end{aligned}"


PLAIN_RULE = _rule(_GRADIENT, _STEP)
HEAVY_BALL_RULE = _rule(_GRADIENT, f"&{_BUFFER}", r"&g_t \leftarrow b_t \\", _STEP)
NESTEROV_RULE = _rule(_GRADIENT, f"&{_BUFFER}", r"&g_t \leftarrow g_t + \mu\, b_t \\", _STEP)


SPEC = Optimizer(
    key="sgd",
    name="SGD",
    family="sgd",
    params=PARAMS,
    equations=_rule(_GRADIENT, _MOMENTUM, _STEP),
    intuition="Gradient descent steps straight down the local slope. With momentum it keeps a "
    "running sum of past steps, like a heavy ball: directions that agree add up, so it "
    "rolls along ravines and over small bumps, while directions that flip sign cancel. "
    "Nesterov evaluates the correction one step ahead, which damps the overshoot.",
    reference="Polyak (1964) heavy ball; Sutskever et al. (2013) Nesterov form; torch.optim.SGD.",
    stability=stability_limit,
    update=update,
    inspect=inspect,
    state_names=("momentum_buffer",),
    map_axis=MapAxis("momentum", 0.0, 0.99),
    torch_class="SGD",
    constraint=nesterov_needs_momentum,
    crawl_advice="the steps have become tiny. A larger lr, momentum or an adaptive method would help.",
)
