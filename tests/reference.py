"""Pure-NumPy transcriptions of torch.optim's documented algorithms: the test oracle.

Written from the pseudocode in the torch.optim docs, one vector at a time and without any
optviz code, so the engine is checked against an independent reading of the algorithm.
"""

from __future__ import annotations

import math

import numpy as np


def run(optimizer: str, grad_fn, w0, steps: int, lrs, loss_fn=None, **hp) -> np.ndarray:
    """Path of ``steps`` updates from w0, using lrs[t-1] at step t; returns (steps+1, 2).
    ``loss_fn(w)`` gives the loss a step may read (state["loss"]: the Polyak step's)."""
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    state: dict = {}
    for t in range(1, steps + 1):
        if loss_fn is not None:
            state["loss"] = float(loss_fn(w))
        g = np.asarray(grad_fn(w), dtype=np.float64)
        w = STEPS[optimizer](w, g, lrs[t - 1], t, state, **hp)
        path.append(w.copy())
    return np.array(path)


def sgd(w, g, lr, t, st, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if weight_decay:
        g = g + weight_decay * w
    if momentum:
        st["b"] = g.copy() if t == 1 else momentum * st["b"] + (1 - dampening) * g
        g = g + momentum * st["b"] if nesterov else st["b"]
    return w - lr * g


def adagrad(w, g, lr, t, st, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    st.setdefault("sum", np.full_like(w, initial_accumulator_value))
    if weight_decay:
        g = g + weight_decay * w
    clr = lr / (1 + (t - 1) * lr_decay)
    st["sum"] = st["sum"] + g * g
    return w - clr * g / (np.sqrt(st["sum"]) + eps)


def rmsprop(w, g, lr, t, st, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    st.setdefault("v", np.zeros_like(w)), st.setdefault("g_ave", np.zeros_like(w)), st.setdefault("b", np.zeros_like(w))
    if weight_decay:
        g = g + weight_decay * w
    st["v"] = alpha * st["v"] + (1 - alpha) * g * g
    v = st["v"]
    if centered:
        st["g_ave"] = alpha * st["g_ave"] + (1 - alpha) * g
        v = v - st["g_ave"] ** 2
    if momentum > 0:
        st["b"] = momentum * st["b"] + g / (np.sqrt(v) + eps)
        return w - lr * st["b"]
    return w - lr * g / (np.sqrt(v) + eps)


def _weight_decayed(w, g, lr, weight_decay, decoupled):
    """torch's two weight decays: shrink the weights (AdamW) or add λ·w to the gradient (none when λ = 0)."""
    if not weight_decay:
        return w, g
    if decoupled:
        return w - lr * weight_decay * w, g
    return w, g + weight_decay * w


def _moments(st, g, b1, b2):
    st["m"] = b1 * st["m"] + (1 - b1) * g
    st["v"] = b2 * st["v"] + (1 - b2) * g * g


def adam(w, g, lr, t, st, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    b1, b2 = betas
    st.setdefault("m", np.zeros_like(w)), st.setdefault("v", np.zeros_like(w)), st.setdefault("vmax", np.zeros_like(w))
    w, g = _weight_decayed(w, g, lr, weight_decay, decoupled)
    _moments(st, g, b1, b2)
    m_hat = st["m"] / (1 - b1**t)
    if amsgrad:
        st["vmax"] = np.maximum(st["vmax"], st["v"])
        v_hat = st["vmax"] / (1 - b2**t)
    else:
        v_hat = st["v"] / (1 - b2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw(w, g, lr, t, st, weight_decay=0.01, **kw):
    return adam(w, g, lr, t, st, weight_decay=weight_decay, decoupled=True, **kw)


def nadam(
    w, g, lr, t, st, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False
):
    b1, b2 = betas
    st.setdefault("m", np.zeros_like(w)), st.setdefault("v", np.zeros_like(w)), st.setdefault("mu_prod", 1.0)
    w, g = _weight_decayed(w, g, lr, weight_decay, decoupled_weight_decay)
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    st["mu_prod"] *= mu
    _moments(st, g, b1, b2)
    v_hat = st["v"] / (1 - b2**t)
    denom = np.sqrt(v_hat) + eps
    return (
        w
        - lr * (1 - mu) * g / ((1 - st["mu_prod"]) * denom)
        - lr * mu_next * st["m"] / ((1 - st["mu_prod"] * mu_next) * denom)
    )


def adadelta(w, g, lr, t, st, rho=0.9, eps=1e-6, weight_decay=0.0):
    st.setdefault("v", np.zeros_like(w)), st.setdefault("u", np.zeros_like(w))
    if weight_decay:
        g = g + weight_decay * w
    st["v"] = rho * st["v"] + (1 - rho) * g * g
    dx = np.sqrt(st["u"] + eps) / np.sqrt(st["v"] + eps) * g
    st["u"] = rho * st["u"] + (1 - rho) * dx * dx
    return w - lr * dx


def adamax(w, g, lr, t, st, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    st.setdefault("m", np.zeros_like(w)), st.setdefault("u", np.zeros_like(w))
    if weight_decay:
        g = g + weight_decay * w
    st["m"] = b1 * st["m"] + (1 - b1) * g
    st["u"] = np.maximum(b2 * st["u"], np.abs(g) + eps)
    return w - lr * st["m"] / ((1 - b1**t) * st["u"])


def lion(w, g, lr, t, st, betas=(0.9, 0.99), weight_decay=0.0):
    """Chen et al. (2023), Algorithm 1 (decoupled weight decay)."""
    b1, b2 = betas
    st.setdefault("m", np.zeros_like(w))
    update = np.sign(b1 * st["m"] + (1 - b1) * g)
    w = w - lr * (update + weight_decay * w)
    st["m"] = b2 * st["m"] + (1 - b2) * g
    return w


def radam(w, g, lr, t, st, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False):
    """Liu et al. (2020) as in the torch.optim.RAdam docs."""
    b1, b2 = betas
    st.setdefault("m", np.zeros_like(w)), st.setdefault("v", np.zeros_like(w))
    w, g = _weight_decayed(w, g, lr, weight_decay, decoupled_weight_decay)
    _moments(st, g, b1, b2)
    m_hat = st["m"] / (1 - b1**t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho_t > 5:
        l_t = math.sqrt(1 - b2**t) / (np.sqrt(st["v"]) + eps)
        r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return w - lr * m_hat * l_t * r_t
    return w - lr * m_hat


def rprop(w, g, lr, t, st, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    """Riedmiller & Braun (1993) as in the torch.optim.Rprop docs (a flipped sign skips the step)."""
    eta_minus, eta_plus = etas
    low, high = step_sizes
    st.setdefault("prev", np.zeros_like(w)), st.setdefault("eta", np.full_like(w, lr))
    product = st["prev"] * g
    grown = np.minimum(st["eta"] * eta_plus, high)
    shrunk = np.maximum(st["eta"] * eta_minus, low)
    st["eta"] = np.where(product > 0, grown, np.where(product < 0, shrunk, st["eta"]))
    g = np.where(product < 0, 0.0, g)
    st["prev"] = g
    return w - st["eta"] * np.sign(g)


def polyak(w, g, lr, t, st, f_star=0.0, c=0.5):
    """Polyak's step size, capped at lr (SPS_max): min((f − f*)/(c‖g‖²), lr), 0 at or below f*."""
    squared = float(g @ g)
    gap = st["loss"] - f_star
    size = min(gap / (c * squared), lr) if squared > 0 and gap > 0 else 0.0
    return w - size * g


STEPS = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "nadam": nadam,
    "adadelta": adadelta,
    "adamax": adamax,
    "lion": lion,
    "radam": radam,
    "rprop": rprop,
    "polyak": polyak,
}


def schedule_lr(key: str, lr: float, k: int, **p) -> float:
    """Closed forms of the lr after k scheduler steps (torch.optim.lr_scheduler)."""
    if key == "constant":
        return lr
    if key == "step":
        return lr * p["gamma"] ** (k // p["step_size"])
    if key == "exponential":
        return lr * p["gamma"] ** k
    if key == "cosine":
        return p["eta_min"] + (lr - p["eta_min"]) * (1 + math.cos(math.pi * k / p["T_max"])) / 2
    if key == "warmup_cosine":
        w = p["warmup_steps"]
        if k < w:
            return lr * (p["start_factor"] + (1 - p["start_factor"]) * k / w)
        return p["eta_min"] + (lr - p["eta_min"]) * (1 + math.cos(math.pi * (k - w) / p["T_max"])) / 2
    if key == "inverse_time":
        return lr / (1 + p["decay_rate"] * k)
    if key == "cyclic":
        s = p["step_size_up"]
        phase = (k % (2 * s)) / s  # 0..2 within a cycle
        return lr + (p["max_lr"] - lr) * (phase if phase <= 1 else 2 - phase)
    raise KeyError(key)
