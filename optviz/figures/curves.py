"""Per-step curves: loss, learning rate, gradient norm and distance to the nearest minimum."""

from __future__ import annotations

import math

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import envelope_points
from optviz.figures.style import Sizes, base_layout, run_style
from surfaces import Minimum

FLOAT32_MAX = float(np.finfo(np.float32).max)


def _line(r: int, label: str, y: np.ndarray, sizes: Sizes, x: np.ndarray | None = None, **extra) -> dict:
    """One run's curve, thinned to what a chart's width shows (envelope_points keeps the spikes)."""
    style = run_style(r)
    y = np.asarray(y, dtype=float)
    x = np.arange(len(y)) if x is None else np.asarray(x)
    keep = envelope_points(y)
    shown = y[keep]
    shown = np.where(np.abs(shown) < FLOAT32_MAX, shown, np.nan).astype(np.float32)  # beyond float32: a gap
    return {
        "type": "scatter",
        "x": x[keep],
        "y": shown,
        "mode": "lines",
        "name": label,
        "legendgroup": f"run{r}",
        "showlegend": False,
        "line": {"color": style.color, "dash": style.dash, "width": sizes.line},
        **extra,
    }


def positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zero or below (reached exactly) become gaps, not 1e-300."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)


def decade_axis(traces: list[dict]) -> dict:
    """A log axis labelled only at whole decades (10⁻³, 10⁰, …), at most about six of them:
    the minor 2s and 5s read as wrong numbers."""
    values = np.concatenate([np.asarray(t["y"], dtype=float) for t in traces] + [np.array([])])
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return {"type": "log", "exponentformat": "power"}
    span = math.log10(values.max()) - math.log10(values.min())
    return {
        "type": "log",
        "exponentformat": "power",
        "dtick": max(1, math.ceil(span / 6)),
        "minor": {"showgrid": False},
    }


def _layout(sizes: Sizes, title: str, y_title: str, traces: list[dict], log: bool) -> dict:
    layout = base_layout(sizes, title)
    layout.update(
        {
            "height": int(sizes.height * 0.62) + (40 if sizes.font > 14 else 0),
            "showlegend": False,  # the page shows one legend for all the curves
            "margin": {"l": 70, "r": 20, "t": 30 + 2 * sizes.title, "b": 40 + 2 * sizes.font},
            "xaxis": {"title": {"text": "step"}},
            "yaxis": {"title": {"text": y_title}, **(decade_axis(traces) if log else {})},
            "hovermode": "x unified",
        }
    )
    return layout


def loss_figure(runs: list[Trajectory], labels: list[str], minima: tuple[Minimum, ...], sizes: Sizes) -> dict:
    """Loss above the best minimum on a log axis; plain loss where there is no minimum."""
    if minima:
        best = min(m.value for m in minima)
        data = [_line(r, lab, positive(t.loss - best), sizes) for r, (t, lab) in enumerate(zip(runs, labels))]
        return {"data": data, "layout": _layout(sizes, "Loss above the minimum", "loss − f*", data, log=True)}
    data = [_line(r, lab, t.loss, sizes) for r, (t, lab) in enumerate(zip(runs, labels))]
    return {"data": data, "layout": _layout(sizes, "Loss", "loss", data, log=False)}


def lr_figure(runs: list[Trajectory], labels: list[str], sizes: Sizes) -> dict:
    data = [_line(r, lab, t.lr, sizes, x=np.arange(1, len(t.lr) + 1)) for r, (t, lab) in enumerate(zip(runs, labels))]
    positive = all(np.all(t.lr > 0) for t in runs)
    return {"data": data, "layout": _layout(sizes, "Learning rate at each step", "lr", data, log=positive)}


def nearest_minimum_distance(traj: Trajectory, minima: tuple[Minimum, ...]) -> np.ndarray | None:
    if not minima:
        return None
    points = np.array([[m.x, m.y] for m in minima])
    diff = traj.path[:, None, :] - points[None, :, :]
    return np.sqrt((diff**2).sum(axis=2)).min(axis=1)


def gradient_figure(runs: list[Trajectory], labels: list[str], minima: tuple[Minimum, ...], sizes: Sizes) -> dict:
    """The gradient's length ‖∇f‖ at each step."""
    data = [_line(r, lab, positive(t.grad_norm), sizes) for r, (t, lab) in enumerate(zip(runs, labels))]
    return {"data": data, "layout": _layout(sizes, "Gradient norm ‖∇f‖", "‖∇f‖", data, log=True)}


def distance_figure(
    runs: list[Trajectory], labels: list[str], goals: list[tuple[Minimum, ...]], sizes: Sizes
) -> dict | None:
    """Distance from each run to the nearest minimum of what it minimises; None without minima."""
    data = []
    for r, (t, lab, minima) in enumerate(zip(runs, labels, goals)):
        dist = nearest_minimum_distance(t, minima)
        if dist is not None:
            data.append(_line(r, lab, positive(dist), sizes))
    if not data:
        return None
    return {"data": data, "layout": _layout(sizes, "Distance to the nearest minimum", "distance", data, log=True)}
