"""Static network charts: train against validation, sharpness against 2/lr, the straight line."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from optviz.figures.animation import envelope_points
from optviz.figures.curves import FLOAT32_MAX, decade_axis, positive
from optviz.figures.network.common import (
    LEGEND_WIDTH_PX,
    WIDE_LEGEND_WIDTH_PX,
    as_figure,
    diverged_title,
    legend_on_top,
    legend_rows,
    run_indices,
    screen_name,
    spans_decades,
)
from optviz.figures.style import TEMPLATE, Sizes, run_style
from optviz.network.train import TrainResult

SPLIT_DASHES = {"training": "solid", "validation": "dash"}
KEY_COLOUR = "#555555"  # the legend's entries that explain a line style, not a run
PRESENTATION_HEIGHT_PX = 580  # 1280×720 in Presentation mode: the whole chart under the header and tabs
PHONE_TITLE_CHARS = 34  # a title's line on a phone (the sharpness chart's ran off its right edge)


def _series(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A long series thinned to what a chart's width shows, beyond float32 as gaps."""
    y = np.asarray(y, dtype=float)
    keep = envelope_points(y)
    shown = y[keep]
    return np.asarray(x)[keep], np.where(np.abs(shown) < FLOAT32_MAX, shown, np.nan).astype(np.float32)


def _key(name: str, dash: str, sizes: Sizes, axes: dict | None = None) -> dict:
    """A legend entry for a line style (training solid, validation dashed), drawing nothing."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "lines",
        "name": name,
        "line": {"color": KEY_COLOUR, "dash": dash, "width": sizes.line},
        **(axes or {}),
    }


def _best_key(sizes: Sizes) -> dict:
    """The legend's entry for the markers on the loss curves (in place of a note that overlapped
    the legend's second row at 1280×720)."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": "best validation",
        "marker": {
            "symbol": "circle",
            "size": sizes.marker,
            "color": "#ffffff",
            "line": {"color": "#000000", "width": 1.5},
        },
    }


def _layout(sizes: Sizes, title: str, height: int, names: Sequence[str], screen: str, wide: bool = False) -> dict:
    """The title (on a phone wrapped to its width), under it the legend (``names``, as many rows
    as they wrap to), then the plot.  ``wide``: the chart takes the page's whole width."""
    legend_font = max(sizes.font - 2, 11)
    lines = textwrap.wrap(title, PHONE_TITLE_CHARS) if screen == "phone" else [title]
    title_px = sizes.title * (1.8 + 1.3 * (len(lines) - 1))
    rows = legend_rows(names, legend_font, (WIDE_LEGEND_WIDTH_PX if wide else LEGEND_WIDTH_PX)[screen])
    height += int(title_px - sizes.title * 1.8)
    return {
        "template": TEMPLATE,
        # Plotly sets a wrapped title's first line where a one-line title's would be: its top was cut off
        "title": {
            "text": "<br>".join(lines),
            "font": {"size": sizes.title},
            "y": 0.99 - 1.3 * sizes.title * (len(lines) - 1) / height,
            "yanchor": "top",
            "x": 0.02,
        },
        "font": {"size": sizes.font},
        "height": height,
        "margin": {
            "l": 70,
            "r": 20,
            "t": int(title_px + rows * (1.2 * legend_font + 15) + 8),
            "b": 40 + 2 * sizes.font,
        },
        "legend": {**legend_on_top(legend_font), "yref": "container", "y": 1 - title_px / height, "yanchor": "top"},
        "hovermode": "closest",
    }


def _names(data: list[dict]) -> list[str]:
    return [t["name"] for t in data if t.get("showlegend", True)]


def _loss_axis(traces: list[dict]) -> dict:
    """Logarithmic, labelled at whole decades, when the losses span more than two decades."""
    return decade_axis(traces) if spans_decades(*(t["y"] for t in traces)) else {}


def curves_figure(
    results: Sequence[TrainResult], labels: Sequence[str], *, presentation: bool = False, phone: bool = False
) -> go.Figure:
    """Loss against step (training solid, validation dashed, each run's best validation step
    marked: where early stopping stops), and the accuracy below it when the network classifies."""
    sizes = Sizes.for_mode(presentation)
    classifies = results[0].data.dataset.classifies
    loss_axes = {"xaxis": "x", "yaxis": "y"}
    accuracy_axes = {"xaxis": "x2", "yaxis": "y2"}
    data = [_key("training", "solid", sizes), _key("validation", "dash", sizes), _best_key(sizes)]
    loss_lines, accuracy_lines, best_markers = [], [], []
    for r, (result, label) in enumerate(zip(results, labels)):
        style = run_style(r)
        steps = np.arange(len(result.train_loss))
        name = diverged_title(label, result)
        for split, loss, accuracy in (
            ("training", result.train_loss, result.train_accuracy),
            ("validation", result.validation_loss, result.validation_accuracy),
        ):
            line = {"color": style.color, "dash": SPLIT_DASHES[split], "width": sizes.line}
            first = split == "training"
            x, y = _series(steps, loss)
            loss_lines.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": y,
                    "mode": "lines",
                    "name": name,
                    "legendgroup": f"run{r}",
                    "showlegend": first,
                    "line": line,
                    "hovertemplate": f"{label}<br>{split} loss %{{y:.4g}} at step %{{x}}<extra></extra>",
                    **loss_axes,
                }
            )
            if classifies:
                x, y = _series(steps, accuracy)
                accuracy_lines.append(
                    {
                        "type": "scatter",
                        "x": x,
                        "y": y,
                        "mode": "lines",
                        "name": name,
                        "legendgroup": f"run{r}",
                        "showlegend": False,
                        "line": line,
                        "hovertemplate": f"{label}<br>{split} accuracy %{{y:.1%}} at step %{{x}}<extra></extra>",
                        **accuracy_axes,
                    }
                )
        best = result.best_validation_step
        value = float(result.validation_loss[best])
        best_markers.append(
            {
                "type": "scatter",
                "x": [best],
                "y": [value],
                "mode": "markers",
                "name": f"{label}: best validation",
                "legendgroup": f"run{r}",
                "showlegend": False,
                "marker": {
                    "symbol": style.symbol,
                    "size": sizes.marker + 2,
                    "color": style.color,
                    "line": {"color": "#000000", "width": 1.5},
                },
                "hovertemplate": f"{label}<br>best validation loss {value:.4g} at step {best} (early stopping)"
                "<extra></extra>",
                **loss_axes,
            }
        )
    data += loss_lines + accuracy_lines + best_markers
    height = int(sizes.height * (1.0 if classifies else 0.62)) + 60
    if presentation:  # 1280×720: beside the decision panels, under the header and tabs, whole
        height = min(height, PRESENTATION_HEIGHT_PX)
    layout = _layout(sizes, "Train against validation", height, _names(data), screen_name(presentation, phone))
    split_at = 0.42 if classifies else 0.0
    layout["xaxis"] = {
        "domain": [0, 1],
        "anchor": "y",
        "title": {"text": "" if classifies else "step"},
        "showticklabels": not classifies,
    }
    layout["yaxis"] = {"domain": [split_at, 1.0], "title": {"text": "loss"}, **_loss_axis(loss_lines)}
    if classifies:
        layout["yaxis"]["domain"] = [split_at + 0.06, 1.0]
        layout["xaxis2"] = {"domain": [0, 1], "anchor": "y2", "matches": "x", "title": {"text": "step"}}
        layout["yaxis2"] = {"domain": [0, split_at], "title": {"text": "accuracy"}, "tickformat": ".0%"}
    return as_figure({"data": data, "layout": layout})


def sharpness_figure(
    series: Sequence[tuple[np.ndarray, np.ndarray]],
    lrs: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    presentation: bool = False,
    runs: Sequence[int] | None = None,
    phone: bool = False,
) -> go.Figure:
    """Each run's sharpness (top Hessian eigenvalue, ``sharpness.sharpness_along``) against step,
    and its 2/lr as a dashed line over the steps (flat for a constant lr, moving with a schedule):
    full-batch GD is stable only while the sharpness stays below 2/lr.  ``runs``: each shown
    run's index in the page's list (its colour), when only some are shown."""
    sizes = Sizes.for_mode(presentation)
    data = [
        {**_key("sharpness", "solid", sizes), "mode": "lines+markers", "marker": {"color": KEY_COLOUR}},
        _key("2/lr", "dash", sizes),
    ]
    curves, limits = [], []
    for r, (steps, values), lr, label in zip(run_indices(len(labels), runs), series, lrs, labels):
        style = run_style(r)
        curves.append(
            {
                "type": "scatter",
                "x": np.asarray(steps),
                "y": np.asarray(values, dtype=float),
                "mode": "lines+markers",
                "name": label,
                "legendgroup": f"run{r}",
                "line": {"color": style.color, "width": sizes.line},
                "marker": {"symbol": style.symbol, "color": style.color, "size": max(sizes.marker - 4, 6)},
                "hovertemplate": f"{label}<br>sharpness %{{y:.4g}} at step %{{x}}<extra></extra>",
            }
        )
        lr = np.asarray(lr, dtype=float)
        x, y = _series(np.arange(1, len(lr) + 1), 2.0 / lr)  # lrs[t-1] is step t's lr
        limits.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines",
                "name": f"2/lr, {label}",
                "legendgroup": f"run{r}",
                "showlegend": False,
                "line": {"color": style.color, "dash": "dash", "width": max(sizes.line * 0.8, 1.5)},
                "hovertemplate": f"{label}<br>2/lr = %{{y:.4g}} at step %{{x}}<extra></extra>",
            }
        )
    data += limits + curves
    log = spans_decades(*(t["y"] for t in data[2:]))
    layout = _layout(
        sizes,
        "Sharpness (top Hessian eigenvalue) against 2/lr",
        int(sizes.height * 0.75),
        _names(data),
        screen_name(presentation, phone),
        wide=True,
    )
    layout["xaxis"] = {"title": {"text": "step"}}
    layout["yaxis"] = {"title": {"text": "sharpness"}, **(decade_axis(data[2:]) if log else {})}
    if log:
        for trace in data[2:]:
            trace["y"] = positive(trace["y"])
    return as_figure({"data": data, "layout": layout})


def line_figure(
    alpha: np.ndarray,
    losses: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    presentation: bool = False,
    runs: Sequence[int] | None = None,
    phone: bool = False,
) -> go.Figure:
    """Goodfellow et al. 2015: the training (solid) and validation (dashed) loss along the
    straight line θ(α) = (1 − α)θ₀ + α·θ_end from the start (α = 0) to each run's end (α = 1);
    ``losses[r]`` is ``planes.line``'s (points, 2) array for the r-th label."""
    sizes = Sizes.for_mode(presentation)
    alpha = np.asarray(alpha, dtype=float)
    data = [_key("training", "solid", sizes), _key("validation", "dash", sizes)]
    lines = []
    for r, run_losses, label in zip(run_indices(len(labels), runs), losses, labels):
        style = run_style(r)
        for column, split in enumerate(SPLIT_DASHES):
            lines.append(
                {
                    "type": "scatter",
                    "x": alpha,
                    "y": np.asarray(run_losses)[:, column],
                    "mode": "lines",
                    "name": label,
                    "legendgroup": f"run{r}",
                    "showlegend": column == 0,
                    "line": {"color": style.color, "dash": SPLIT_DASHES[split], "width": sizes.line},
                    "hovertemplate": f"{label}<br>{split} loss %{{y:.4g}} at α = %{{x:.2f}}<extra></extra>",
                }
            )
    data += lines
    log = spans_decades(*(t["y"] for t in lines))
    layout = _layout(
        sizes,
        "The straight line from the start to each end",
        int(sizes.height * 0.7),
        _names(data),
        screen_name(presentation, phone),
        wide=True,
    )
    layout["margin"]["t"] += int(1.6 * sizes.font)  # "start" and "end" over the plot, under the legend
    layout["xaxis"] = {"title": {"text": "α  (θ = (1 − α)·θ₀ + α·θ_end)"}, "zeroline": False}
    layout["yaxis"] = {"title": {"text": "loss"}, **(decade_axis(lines) if log else {})}
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": a,
            "x1": a,
            "y0": 0,
            "y1": 1,
            "line": {"color": KEY_COLOUR, "dash": "dot", "width": 1.5},
        }
        for a in (0.0, 1.0)
    ]
    layout["annotations"] = [
        {
            "text": text,
            "xref": "x",
            "yref": "paper",
            "x": a,
            "y": 1.0,
            "xanchor": "center",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": sizes.font, "color": KEY_COLOUR},
        }
        for a, text in ((0.0, "start"), (1.0, "end"))
    ]
    return as_figure({"data": data, "layout": layout})
