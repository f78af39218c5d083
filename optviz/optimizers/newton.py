"""Damped Newton's method: the second-order contrast to every first-order optimizer here.

Not part of torch.optim (it needs the Hessian, which torch.optim never sees).  The step is
−lr·(H + λI)⁻¹g computed in H's eigenbasis, capped at ``max_step``; ``saddle_free`` uses |H|
(Dauphin et al., 2014), which turns Newton's attraction to saddles into repulsion.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.jit import inlined
from optviz.optimizers.spec import MapAxis, Optimizer, Param, Reading, StepView, length, lr_param, slots

PARAMS = (
    lr_param(1.0),
    Param(
        "damping",
        1e-3,
        0.0,
        100.0,
        help="λ added to every curvature (Levenberg–Marquardt): large λ turns Newton into GD with lr/λ.",
        latex=r"\lambda",
    ),
    Param(
        "max_step",
        1.0,
        1e-3,
        100.0,
        scale="log",
        help="Longest step allowed (trust region): where the curvature is near zero, H⁻¹g is huge.",
        latex=r"\Delta",
    ),
    Param(
        "saddle_free",
        False,
        kind="bool",
        help="Divide by |curvature| instead of curvature, so negative curvature pushes away from saddles.",
    ),
)
SLOT = slots(PARAMS)


@inlined
def newton_step(gx, gy, hxx, hxy, hyy, lr, hp):
    """The damped, capped Newton step (dx, dy) for gradient g and Hessian H."""
    damping, max_step = hp[SLOT.damping], hp[SLOT.max_step]
    half = 0.5 * (hxx + hyy)
    radius = math.sqrt(0.25 * (hxx - hyy) * (hxx - hyy) + hxy * hxy)
    h1, h2 = half + radius, half - radius
    if radius == 0.0:
        u1x, u1y = 1.0, 0.0
    elif abs(h1 - hxx) >= abs(h1 - hyy):  # the better-conditioned form of the eigenvector
        n = length(hxy, h1 - hxx)
        u1x, u1y = hxy / n, (h1 - hxx) / n
    else:
        n = length(h1 - hyy, hxy)
        u1x, u1y = (h1 - hyy) / n, hxy / n
    u2x, u2y = -u1y, u1x
    if hp[SLOT.saddle_free] != 0.0:
        h1, h2 = abs(h1), abs(h2)
    g1 = u1x * gx + u1y * gy
    g2 = u2x * gx + u2y * gy
    c1 = -lr * g1 / (h1 + damping) if g1 != 0.0 else 0.0
    c2 = -lr * g2 / (h2 + damping) if g2 != 0.0 else 0.0
    if not (math.isfinite(c1) and math.isfinite(c2)):  # zero curvature: a step of the cap, downhill
        c1 = -math.copysign(max_step, g1) if not math.isfinite(c1) else 0.0
        c2 = -math.copysign(max_step, g2) if not math.isfinite(c2) else 0.0
    size = math.sqrt(c1 * c1 + c2 * c2)
    if size > max_step:
        c1 *= max_step / size
        c2 *= max_step / size
    return c1 * u1x + c2 * u2x, c1 * u1y + c2 * u2y


def inspect(view: StepView) -> Reading:
    h = view.hessian
    if h is None:
        return Reading()
    curvatures = np.linalg.eigvalsh(h)
    shape = (
        "a saddle: one curvature is negative"
        if curvatures[0] < 0 < curvatures[1]
        else ("a bowl" if curvatures[0] > 0 else "a dome or a flat region")
    )
    return Reading(
        rows=(("Hessian row ∂/∂x", h[0]), ("Hessian row ∂/∂y", h[1])),
        note=f"Curvatures {curvatures[0]:.3g} and {curvatures[1]:.3g}: locally {shape}. Newton jumps to "
        f"the stationary point of this quadratic model"
        + (", which here is uphill along the negative curvature." if curvatures[0] < 0 else "."),
    )


SPEC = Optimizer(
    key="newton",
    name="Newton",
    family=None,  # torch has no Newton; its lr of 1 is the full Newton step on every surface
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}),\quad H_t \leftarrow
  \nabla^2 f(\theta_{t-1}) = \textstyle\sum_i h_i\, u_i u_i^\top \\
&\textbf{if saddle\_free}: h_i \leftarrow |h_i| \\
&d_t \leftarrow -\gamma \textstyle\sum_i \dfrac{u_i^\top g_t}{h_i + \lambda}\, u_i \\
&\textbf{if } \lVert d_t\rVert > \Delta: d_t \leftarrow \Delta\, d_t / \lVert d_t\rVert \\
&\theta_t \leftarrow \theta_{t-1} + d_t
\end{aligned}""",
    intuition="Newton's method fits a quadratic bowl to the surface at the current point and jumps to its "
    "bottom: on a true quadratic it lands on the minimum in one step, whatever the condition number. "
    "But it jumps to the stationary point of the fitted quadratic, whatever kind it is: where a "
    "curvature is negative (a saddle) the step goes uphill along it, so plain Newton is attracted "
    "to saddle points. Saddle-free Newton divides by |curvature| and leaves them; damping λ and the "
    "step cap keep near-flat directions from producing huge jumps.",
    reference="Damped Newton / Levenberg–Marquardt; Dauphin et al. (2014) saddle-free Newton; not in torch.optim.",
    whole_step=newton_step,
    inspect=inspect,
    map_axis=MapAxis("damping", 0.0, 10.0),
    torch_class=None,
    torch_note="# Newton needs the Hessian, which torch.optim never sees: per step, with {args},\n"
    "# H = torch.autograd.functional.hessian(f, w); h, U = torch.linalg.eigh(H)\n"
    "# d = -lr * U @ ((U.T @ g) / (h + damping)), capped at max_step",
)
