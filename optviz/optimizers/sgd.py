"""torch.optim.SGD: plain GD, heavy-ball momentum and Nesterov momentum."""

from __future__ import annotations

from numba import njit

from optviz.optimizers.spec import Optimizer, keep_products, Param, lr_param, weight_decay_param

SGD = 0


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


SPEC = Optimizer(
    key="sgd", name="SGD", code=SGD, family="sgd",
    params=(
        lr_param(1e-3),
        Param("momentum", 0.0, 0.0, 0.999, help="Fraction of the previous step carried into this one (μ).",
              latex=r"\mu"),
        Param("dampening", 0.0, 0.0, 1.0, help="Shrinks how much of the new gradient enters the momentum buffer (τ).",
              latex=r"\tau"),
        weight_decay_param(),
        Param("nesterov", False, kind="bool",
              help="Look ahead: use the gradient plus the momentum step (needs momentum > 0 and dampening = 0)."),
    ),
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}) \\
&\textbf{if } \lambda \ne 0:\ g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
&\textbf{if } \mu \ne 0: \\
&\quad b_t \leftarrow \begin{cases} g_t & t = 1 \\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1 \end{cases} \\
&\quad g_t \leftarrow \begin{cases} g_t + \mu\, b_t & \text{nesterov} \\ b_t & \text{otherwise} \end{cases} \\
&\theta_t \leftarrow \theta_{t-1} - \gamma\, g_t
\end{aligned}""",
    intuition="Gradient descent steps straight down the local slope. With momentum it keeps a "
              "running sum of past steps, like a heavy ball: directions that agree add up, so it "
              "rolls along ravines and over small bumps, while directions that flip sign cancel. "
              "Nesterov evaluates the correction one step ahead, which damps the overshoot.",
    reference="Polyak (1964) heavy ball; Sutskever et al. (2013) Nesterov form; torch.optim.SGD.",
    stability=stability_limit,
)


prepare = keep_products


@njit(cache=True, inline="always")
def update(w, g, lr, t, hp, k0, k1, k2, k3, buf, b, c):
    momentum, dampening, weight_decay, nesterov = hp[1], hp[2], hp[3], hp[4]
    d = g + weight_decay * w if weight_decay != 0.0 else g
    if momentum != 0.0:
        buf = momentum * buf + (1.0 - dampening) * d if t > 1 else d
        d = d + momentum * buf if nesterov != 0.0 else buf
    return w - lr * d, buf, b, c
