"""Per-step curves: loss, learning rate, gradient norm and distance to the nearest minimum."""

from __future__ import annotations

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.figures.style import Sizes, base_layout, run_style
from surfaces import Minimum

TINY = 1e-300


def _line(r: int, label: str, y: np.ndarray, sizes: Sizes, x: np.ndarray | None = None, **extra) -> dict:
    style = run_style(r)
    x = np.arange(len(y)) if x is None else x
    return {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": label, "legendgroup": f"run{r}",
            "line": {"color": style.color, "dash": style.dash, "width": sizes.line}, **extra}


def _layout(sizes: Sizes, title: str, y_title: str, log: bool) -> dict:
    layout = base_layout(sizes, title)
    layout.update({
        "height": int(sizes.height * 0.62),
        "xaxis": {"title": {"text": "step"}},
        "yaxis": {"title": {"text": y_title}, "type": "log" if log else "linear", "exponentformat": "power"},
        "hovermode": "x unified",
    })
    return layout


def loss_figure(runs: list[Trajectory], labels: list[str], minima: tuple[Minimum, ...], sizes: Sizes) -> dict:
    """Loss above the best minimum on a log axis; plain loss where there is no minimum."""
    if minima:
        best = min(m.value for m in minima)
        data = [_line(r, lab, np.maximum(t.loss - best, TINY), sizes) for r, (t, lab) in enumerate(zip(runs, labels))]
        layout = _layout(sizes, "Loss", "loss − f* (log)", log=True)
    else:
        data = [_line(r, lab, t.loss, sizes) for r, (t, lab) in enumerate(zip(runs, labels))]
        layout = _layout(sizes, "Loss", "loss", log=False)
    return {"data": data, "layout": layout}


def lr_figure(runs: list[Trajectory], labels: list[str], sizes: Sizes) -> dict:
    data = [_line(r, lab, t.lr, sizes, x=np.arange(1, len(t.lr) + 1)) for r, (t, lab) in enumerate(zip(runs, labels))]
    positive = all(np.all(t.lr > 0) for t in runs)
    return {"data": data, "layout": _layout(sizes, "Learning rate used at each step", "lr", log=positive)}


def nearest_minimum_distance(traj: Trajectory, minima: tuple[Minimum, ...]) -> np.ndarray | None:
    if not minima:
        return None
    points = np.array([[m.x, m.y] for m in minima])
    diff = traj.path[:, None, :] - points[None, :, :]
    return np.sqrt((diff ** 2).sum(axis=2)).min(axis=1)


def gradient_figure(runs: list[Trajectory], labels: list[str], minima: tuple[Minimum, ...], sizes: Sizes) -> dict:
    """Gradient norm (solid axis) and distance to the nearest minimum (second panel)."""
    data = []
    for r, (t, lab) in enumerate(zip(runs, labels)):
        data.append(_line(r, lab, np.maximum(t.grad_norm, TINY), sizes, xaxis="x", yaxis="y"))
        dist = nearest_minimum_distance(t, minima)
        if dist is not None:
            data.append(_line(r, lab, np.maximum(dist, TINY), sizes, xaxis="x2", yaxis="y2", showlegend=False))
    layout = _layout(sizes, "Gradient norm ‖∇f‖ and distance to the nearest minimum", "‖∇f‖ (log)", log=True)
    if minima:
        layout.update({
            "xaxis": {"domain": [0, 0.46], "title": {"text": "step"}},
            "xaxis2": {"domain": [0.54, 1], "title": {"text": "step"}, "anchor": "y2"},
            "yaxis2": {"type": "log", "title": {"text": "distance (log)"}, "anchor": "x2", "exponentformat": "power"},
        })
    return {"data": data, "layout": layout}
