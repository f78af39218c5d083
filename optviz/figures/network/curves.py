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
    run_mark,
    screen_name,
    spans_decades,
)
from optviz.figures.style import TEMPLATE, Sizes, run_style
from optviz.network.train import TrainResult

SPLIT_DASHES = {"training": "solid", "validation": "dash"}
KEY_COLOUR = "#555555"  # the legend's entries that explain a line style, not a run
PRESENTATION_HEIGHT_PX = (
    530  # 1280×720 in Presentation mode: the whole chart (its step axis too) under the header and tabs
)
LINEAR_BELOW_DECADES = 1.5  # validation losses spanning less: a linear loss axis, so their rise shows
HEADROOM = 0.08  # above the highest loss of the runs that did not diverge (a share of the axis)
PHONE_TITLE_CHARS = 34  # a title's line on a phone (the sharpness chart's ran off its right edge)


def _series(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A long series thinned to what a chart's width shows, beyond float32 as gaps."""
    y = np.asarray(y, dtype=float)
    keep = envelope_points(y)
    shown = y[keep]
    return np.asarray(x)[keep], np.where(np.abs(shown) < FLOAT32_MAX, shown, np.nan).astype(np.float32)


def dash_of(style: str, width: float) -> str:
    """A line style as a pixel pattern short enough that the legend's 30 px sample shows two
    dashes (Plotly's "dash" at a projector's width showed one stub)."""
    return style if style == "solid" else f"{round(2 * width)}px,{round(1.4 * width)}px"


def _key(name: str, dash: str, sizes: Sizes, axes: dict | None = None) -> dict:
    """A legend entry for a line style (training solid, validation dashed), drawing nothing."""
    width = max(sizes.line * 0.8, 2)
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "lines",
        "name": name,
        "line": {"color": KEY_COLOUR, "dash": dash_of(dash, width), "width": width},
        **(axes or {}),
    }


def _best_key(runs: Sequence[int]) -> dict:
    """The legend's entry for the markers on the loss curves (in place of a note that overlapped
    the legend's second row at 1280×720): each marked run's own marker in its colour, as
    drawn, and no symbol of its own (one circle read as the only marker)."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": "".join(run_mark(r) for r in runs) + " best validation",
        "marker": {"size": 1, "opacity": 0, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
    }


def marks_best(result: TrainResult) -> bool:
    """A run's best validation step is marked unless it diverged with its best at step 0 (it
    never improved: "best" would only mark its start)."""
    return result.outcome.kind != "diverged" or result.best_validation_step > 0


def _power(value: float) -> str:
    """4.5×10¹² as Plotly text."""
    if not np.isfinite(value):
        return "∞"
    exponent = int(np.floor(np.log10(abs(value)))) if value else 0
    if abs(exponent) < 4:
        return f"{value:.3g}"
    return f"{value / 10**exponent:.2g}×10<sup>{exponent}</sup>"


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


def curves_figure(
    results: Sequence[TrainResult], labels: Sequence[str], *, presentation: bool = False, phone: bool = False
) -> go.Figure:
    """Loss against step (training solid, validation dashed, each run's best validation step
    marked: where early stopping stops), and the accuracy below it when the network classifies.
    Full-batch runs are drawn thin over the mini-batch ones (whose noise hid them);
    a diverged run's loss leaves an axis scaled to the other runs, with its last value noted."""
    sizes = Sizes.for_mode(presentation)
    classifies = results[0].data.dataset.classifies
    loss_axes = {"xaxis": "x", "yaxis": "y"}
    accuracy_axes = {"xaxis": "x2", "yaxis": "y2"}
    marked = [r for r, result in enumerate(results) if marks_best(result)]
    data = [_key("training", "solid", sizes), _key("validation", "dash", sizes)]
    if marked:
        data.append(_best_key(marked))
    loss_lines, accuracy_lines, best_markers = [], [], []
    # drawn in this order: mini-batch runs first, the full-batch (smooth) ones on top
    order = sorted(range(len(results)), key=lambda r: results[r].run.batch_size is None)
    noisy = any(result.run.batch_size is not None for result in results)
    for r in order:
        result, label = results[r], labels[r]
        style = run_style(r)
        steps = np.arange(len(result.train_loss))
        name = diverged_title(label, result)
        # thin, on top of the noisy runs, a full-batch run shows where they run under it
        width = sizes.line * (0.5 if result.run.batch_size is None and noisy else 1.0)
        for split, loss, accuracy in (
            ("training", result.train_loss, result.train_accuracy),
            ("validation", result.validation_loss, result.validation_accuracy),
        ):
            line = {"color": style.color, "dash": dash_of(SPLIT_DASHES[split], width), "width": width}
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
                    "legendrank": 1000 + r,
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
        if r not in marked:
            continue
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
        "title": {"text": "" if classifies else "step", "standoff": 4},
        "showticklabels": not classifies,
    }
    loss_axis, off_axis = loss_axis_of(results, sizes)
    layout["yaxis"] = {"domain": [split_at, 1.0], "title": {"text": "loss"}, **loss_axis}
    layout["annotations"] = off_axis
    if classifies:
        layout["yaxis"]["domain"] = [split_at + 0.06, 1.0]
        layout["xaxis2"] = {"domain": [0, 1], "anchor": "y2", "matches": "x", "title": {"text": "step", "standoff": 4}}
        layout["yaxis2"] = {
            "domain": [0, split_at],
            "title": {"text": "accuracy"},
            "tickformat": ".0%",
            "range": _accuracy_range(results),
        }
    return as_figure({"data": data, "layout": layout})


def _accuracy_range(results: Sequence[TrainResult]) -> list[float]:
    """The accuracy axis from below its lowest value to 100%, its lowest tick label clear of
    the axis's bottom (where it touched the step axis's "0")."""
    values = np.concatenate([np.concatenate([r.train_accuracy, r.validation_accuracy]) for r in results])
    values = values[np.isfinite(values)]
    low = float(values.min()) if values.size else 0.0
    span = 1.0 - low
    return [low - 0.15 * max(span, 0.1), 1.0 + 0.05 * max(span, 0.1)]


def loss_axis_of(results: Sequence[TrainResult], sizes: Sizes) -> tuple[dict, list[dict]]:
    """The loss axis, and a note for each diverged run whose loss leaves it.

    Scaled to the runs that did not diverge (a diverged run's 10¹⁵ flattened the others' fall),
    with HEADROOM above; logarithmic when all the losses span more than two decades and the
    validation losses more than LINEAR_BELOW_DECADES (else a linear axis shows an overfitting
    run's validation loss turning up, squeezed at the top of a log axis)."""
    kept = [r for r in results if r.outcome.kind != "diverged"] or list(results)
    train = np.concatenate([r.train_loss for r in kept])
    validation = np.concatenate([r.validation_loss for r in kept])
    both = np.concatenate([train, validation])
    finite = both[np.isfinite(both) & (both > 0)]
    if not finite.size:
        return {}, []
    valid = validation[np.isfinite(validation) & (validation > 0)]
    valid_decades = np.log10(valid.max() / valid.min()) if valid.size else 0.0
    log = spans_decades(both) and valid_decades > LINEAR_BELOW_DECADES
    low, high = float(finite.min()), float(finite.max())
    if log:
        top = np.log10(high) + HEADROOM * np.log10(high / low) / (1 - HEADROOM)
        axis = {**decade_axis([{"y": finite}]), "range": [np.log10(low) - 0.1, top]}
        ceiling = 10**top
    else:
        ceiling = high / (1 - HEADROOM)
        axis = {"range": [0, ceiling], "rangemode": "tozero"}
    notes = []
    for r, result in enumerate(results):
        if result.outcome.kind != "diverged" or any(k is result for k in kept):
            continue
        loss = result.train_loss
        above = np.flatnonzero(~(loss <= ceiling))
        if not above.size:
            continue
        last = result.final_step
        notes.append(
            {
                "text": f"→ {_power(float(loss[last]))} at step {last}, its last finite loss",
                "x": int(above[0]),
                "y": float(np.log10(ceiling)) if log else ceiling,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "yanchor": "top",
                "ax": 24,
                "ay": 2 * sizes.font,
                "showarrow": True,
                "arrowhead": 2,
                "arrowcolor": run_style(r).color,
                "font": {"size": max(sizes.font - 2, 11), "color": run_style(r).color},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    return axis, notes


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
