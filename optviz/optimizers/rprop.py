"""torch.optim.Rprop: resilient backpropagation, which ignores the gradient's size (Riedmiller &
Braun, 1993).  Each coordinate keeps its own step size, grown while the gradient keeps its sign
and cut when it flips.  ``lr`` is only the initial step size, as in torch.
"""

from __future__ import annotations

from optviz.jit import inlined
from optviz.optimizers.spec import MapAxis, Optimizer, Param, Reading, StepView, lr_param, slots

PARAMS = (
    lr_param(1e-2),
    Param(
        "etas",
        (0.5, 1.2),
        1e-3,
        10.0,
        kind="pair",
        help="(η₋, η₊): the factors a step size is multiplied by when the gradient flips sign, and while it keeps it.",
        latex=r"\eta_-,\eta_+",
    ),
    Param(
        "step_sizes",
        (1e-6, 50.0),
        0.0,
        1000.0,
        kind="pair",
        help="(Γmin, Γmax): the smallest and largest step size allowed.",
        latex=r"\Gamma_{min},\Gamma_{max}",
    ),
)
SLOT = slots(PARAMS)


@inlined
def initial(hp):
    """No previous gradient yet; every step size starts at lr."""
    return 0.0, hp[SLOT.lr], 0.0


@inlined
def update(w, g, lr, t, hp, k0, k1, k2, k3, prev, step_size, c):
    eta_minus, eta_plus = hp[SLOT.etas], hp[SLOT.etas + 1]
    agreement = g * prev
    factor = eta_plus if agreement > 0.0 else (eta_minus if agreement < 0.0 else 1.0)
    step_size = min(max(step_size * factor, hp[SLOT.step_sizes]), hp[SLOT.step_sizes + 1])
    if factor == eta_minus:  # the sign flipped: skip this step and forget the gradient (torch's rule)
        g = 0.0
    sign = 1.0 if g > 0.0 else (-1.0 if g < 0.0 else 0.0)
    return w - sign * step_size, g, step_size, c


def _what_happened(agreement: float) -> str:
    if agreement > 0:
        return "kept its gradient's sign, so its step size was multiplied by η₊ (up to Γmax)"
    if agreement < 0:
        return "saw its gradient flip sign, so its step size was multiplied by η₋ (down to Γmin) and it stood still"
    return "had no previous gradient to compare with (the first step, or just after a flip), so its step size stayed"


def inspect(view: StepView) -> Reading:
    eta_minus, eta_plus = view.hp["etas"]
    agreement = view.gradient * view.before["prev"]
    what = "; ".join(f"{axis} {_what_happened(a)}" for axis, a in zip("xy", agreement))
    return Reading(
        rows=(
            ("previous gradient", view.before["prev"]),
            ("step size", view.state["step_size"]),
            ("update −sign(g)·step (0 after a flip)", view.actual),
        ),
        effective=view.state["step_size"],
        note=f"Rprop uses only the gradient's sign: each coordinate moves by its own step size. Here {what} "
        f"(η₋ = {eta_minus:g}, η₊ = {eta_plus:g}).",
    )


SPEC = Optimizer(
    key="rprop",
    name="Rprop",
    family=None,  # torch's lr on every surface: Rprop adapts its own steps
    params=PARAMS,
    equations=r"""
\begin{aligned}
&g_t \leftarrow \nabla f(\theta_{t-1}),\quad g_0 \leftarrow 0,\quad \eta_0 \leftarrow
  \gamma \ \text{(per coordinate)} \\
&\textbf{if } g_{t-1} g_t > 0: \ \eta_t \leftarrow \min(\eta_{t-1}\,\eta_+,\ \Gamma_{max}) \\
&\textbf{else if } g_{t-1} g_t < 0: \ \eta_t \leftarrow \max(\eta_{t-1}\,\eta_-,\ \Gamma_{min}),\ \ g_t \leftarrow 0 \\
&\textbf{else}: \ \eta_t \leftarrow \eta_{t-1} \\
&\theta_t \leftarrow \theta_{t-1} - \eta_t\, \operatorname{sign}(g_t) \qquad
  (g_t \text{ is kept as the next step's } g_{t-1})
\end{aligned}""",
    intuition="Rprop throws away the gradient's size and keeps only its sign. Each coordinate has its own step "
    "size: it is multiplied by η₊ (1.2) while the slope keeps pointing the same way and by η₋ (0.5) "
    "when the sign flips (the minimum was overshot), within [Γmin, Γmax]. Steep walls and flat "
    "valleys are crossed alike, which suits full-batch problems; noisy mini-batch signs confuse it.",
    reference="Riedmiller & Braun (1993); torch.optim.Rprop.",
    update=update,
    initial=initial,
    inspect=inspect,
    torch_class="Rprop",
    state_names=("prev", "step_size"),
    map_axis=MapAxis("etas", 1.0, 2.0, index=1, symbol="η₊"),
    crawl_advice="its step sizes have shrunk toward step_sizes[0] (Γmin). lr only sets the first "
    "steps; a larger Γmin or η₊ would help.",
)
