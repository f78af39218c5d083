"""What the network computes: one small panel per run, all animated by one ▶ Play and one slider.

Classification: the predicted probability of class 1, sigmoid(output), over a grid covering the
data, with the 0.5 boundary drawn; regression: the fitted curve.  Training points are filled,
validation points hollow.  A diverged run's panel stays at its last finite snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from optviz.figures.animation import controls_margin, play_controls, screen, slider_beside_buttons
from optviz.figures.network.common import as_figure, finite_snapshots, frame_snapshots, run_mark, wrap_parts
from optviz.figures.style import PALETTE, TEMPLATE, Sizes, run_style
from optviz.network import kernel
from optviz.network.train import TrainResult, kernel_inputs

CLASS_COLOURS = (PALETTE["blue"], PALETTE["vermillion"])
PALE = 0.6  # the probability's colours are the class colours blended this far to white: points stand out
# Grid values sent for all panels and frames together (float32 in base64): the grid
# is as fine as this allows, so six runs × 40 frames stay near 1.1 MB (JSON escapes base64's '/': ~5.75 bytes each)
GRID_BUDGET = 200_000
GRID_MAX, GRID_MIN = 64, 24
CURVE_POINTS = 200  # a regression's fitted curve: smooth at any panel width
MARGIN = 0.1  # the grid reaches this share of the data's extent beyond it
MAX_COLUMNS = 3


def _pale(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "rgb({},{},{})".format(*(round(c + (255 - c) * PALE) for c in (r, g, b)))


PROBABILITY_SCALE = [[0.0, _pale(CLASS_COLOURS[0])], [0.5, "#ffffff"], [1.0, _pale(CLASS_COLOURS[1])]]


def network_outputs(result: TrainResult, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """out[k, i]: the network's output (a logit, or the fitted value) at x[i] with weights[k]."""
    net, _ = kernel_inputs(result.network, result.data)
    out = np.empty((weights.shape[0], x.shape[0]))
    kernel.outputs_at(net, np.ascontiguousarray(x, dtype=float), np.ascontiguousarray(weights), out)
    return out


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^(−z)) without overflow for large |z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _padded(values: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = MARGIN * max(hi - lo, 1e-3)
    return lo - pad, hi + pad


def grid_points(runs: int, frames: int) -> int:
    """Points per side of the probability grid, within GRID_BUDGET for all panels and frames."""
    return int(np.clip(math.isqrt(GRID_BUDGET // max(runs * frames, 1)), GRID_MIN, GRID_MAX))


def probability_grid(result: TrainResult, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, inputs): an n × n grid over the data (training and validation) and its margin,
    inputs row-major in y then x, as a heatmap's z[j, i] reads them."""
    data = result.data
    points = np.concatenate([data.x_train, data.x_validation])
    xs, ys = np.linspace(*_padded(points[:, 0]), n), np.linspace(*_padded(points[:, 1]), n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def last_drawn_snapshot(result: TrainResult, inputs: np.ndarray, y_range: tuple[float, float] | None) -> int:
    """The index of the run's last recorded snapshot its panel can draw: the last finite one
    (all of a run that did not diverge), and for a regression (``y_range``: the panel's) the
    last before the fit first leaves the panel by more than its height (a diverging run's
    blown-up weights fit a near-vertical line)."""
    last = finite_snapshots(result) - 1
    if y_range is None or result.outcome.kind != "diverged":
        return last
    fits = network_outputs(result, inputs, result.weights[: last + 1])
    height = y_range[1] - y_range[0]
    inside = np.all((fits >= y_range[0] - height) & (fits <= y_range[1] + height), axis=1)
    outside = np.flatnonzero(~inside)
    return max(int(outside[0]) - 1, 0) if outside.size else last


def _title_lines(label: str, result: TrainResult, shown: int, chars: int) -> list[str]:
    """A panel's title wrapped to its width; a diverged run's says where, and which step it shows."""
    lines = wrap_parts(label, chars)
    if result.outcome.kind == "diverged":
        note = f"diverged at step {result.outcome.step} · shows step {result.recorded_steps[shown]}"
        lines += wrap_parts(note, chars)
    return lines


def _layout_grid(count: int, columns: int | None) -> tuple[int, int]:
    """(rows, columns) of the panels: one row up to MAX_COLUMNS runs, 4 runs as 2 × 2."""
    if columns is None:
        columns = 2 if count == 4 else min(count, MAX_COLUMNS)
    return -(-count // columns), columns


def _point_traces(result: TrainResult, sizes: Sizes, axes: dict) -> list[dict]:
    """Training points filled, validation points hollow; by class when the network classifies.
    No legend entries: the key under the title (``_key_text``) says it in one line."""
    data, classifies = result.data, result.data.dataset.classifies
    traces = []
    for split, x, y, symbol in (
        ("training", data.x_train, data.y_train, "circle"),
        ("validation", data.x_validation, data.y_validation, "circle-open"),
    ):
        groups = [(c, y > 0.5 if c else y <= 0.5) for c in (0, 1)] if classifies else [(None, np.ones(len(y), bool))]
        for c, chosen in groups:
            colour = CLASS_COLOURS[c] if classifies else "#000000"
            name = f"class {c} · {split}" if classifies else f"{split} points"
            px, py = (x[chosen, 0], x[chosen, 1]) if classifies else (x[chosen, 0], y[chosen])
            hollow = symbol.endswith("open")
            traces.append(
                {
                    "type": "scatter",
                    "x": screen(px),
                    "y": screen(py),
                    "mode": "markers",
                    "name": name + (" (hollow)" if hollow else " (filled)"),
                    "legendgroup": name,
                    "showlegend": False,
                    "hovertemplate": f"{name} point (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
                    "marker": {
                        "symbol": symbol,
                        "size": max(sizes.marker // 2 + 1, 7),
                        "color": colour,
                        "line": {"color": colour if hollow else "#ffffff", "width": 2 if hollow else 0.75},
                    },
                    **axes,
                }
            )
    return traces


def decision_figure(
    results: Sequence[TrainResult],
    labels: Sequence[str],
    *,
    frames: int = 40,
    presentation: bool = False,
    arrangement: str = "side",
    frame_ms: int = 120,
) -> go.Figure:
    """One panel per run (1–6; up to 3 columns, or one column on a phone: ``arrangement``
    "stacked") of what the network computes at ``frames`` evenly spread snapshots, under one
    ▶ Play and one slider."""
    sizes = Sizes.for_mode(presentation)
    classifies = results[0].data.dataset.classifies
    snapshots = frame_snapshots(results[0], frames)
    steps = results[0].recorded_steps[snapshots]
    n = grid_points(len(results), len(snapshots))
    rows, columns = _layout_grid(len(results), 1 if arrangement == "stacked" else None)
    data: list[dict] = []
    moving: list[int] = []
    frame_values: list[list[dict]] = [[] for _ in snapshots]
    titles: list[list[str]] = []
    title_chars = int(_panel_px(arrangement, presentation, columns) / (CHAR_FONTS * key_font(sizes)))
    if classifies:
        xs, ys, inputs = probability_grid(results[0], n)
    else:
        points = np.concatenate([results[0].data.x_train, results[0].data.x_validation])
        xs = np.linspace(*_padded(points[:, 0]), CURVE_POINTS)
        inputs = xs[:, None]
        targets = np.concatenate([results[0].data.y_train, results[0].data.y_validation])
        y_range = _padded(targets)
    x_range = (float(xs[0]), float(xs[-1]))
    if classifies:
        y_range = (float(ys[0]), float(ys[-1]))
    for r, (result, label) in enumerate(zip(results, labels)):
        suffix = "" if r == 0 else str(r + 1)
        axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        # a diverged run stays at its last snapshot whose fit can be drawn
        last = last_drawn_snapshot(result, inputs, None if classifies else y_range)
        shown = np.minimum(snapshots, last)
        outputs = network_outputs(result, inputs, result.weights[shown])
        moving.append(len(data))
        if classifies:
            probability = screen(sigmoid(outputs)).reshape(len(shown), n, n)
            data.append(
                {
                    "type": "contour",
                    "x": screen(xs),
                    "y": screen(ys),
                    "z": probability[0],
                    "zmin": 0.0,
                    "zmax": 1.0,
                    "colorscale": PROBABILITY_SCALE,
                    "contours": {"coloring": "heatmap", "start": 0.5, "end": 0.5, "size": 0.5, "showlines": True},
                    "line": {"color": "#000000", "width": max(sizes.line * 0.8, 2)},
                    "showscale": r == 0,
                    "colorbar": {
                        "title": {"text": "P(class 1)", "side": "top", "font": {"size": key_font(sizes)}},
                        "tickvals": [0, 0.5, 1],
                        "tickfont": {"size": key_font(sizes)},
                        "thickness": 12,
                        "len": 0.8,
                    },
                    "name": "P(class 1)",
                    "showlegend": False,
                    "hovertemplate": "P(class 1) = %{z:.2f} at (%{x:.2f}, %{y:.2f})<extra></extra>",
                    **axes,
                }
            )
            for k in range(len(shown)):
                frame_values[k].append({"type": "contour", "z": probability[k]})
        else:
            fitted = screen(outputs)
            style = run_style(r)
            data.append(
                {
                    "type": "scatter",
                    "x": screen(xs),
                    "y": fitted[0],
                    "mode": "lines",
                    "name": "the network's fit",
                    "showlegend": False,
                    "legendgroup": "fit",
                    "line": {"color": style.color, "width": sizes.line},
                    "hovertemplate": "fit %{y:.3g} at x = %{x:.3g}<extra></extra>",
                    **axes,
                }
            )
            for k in range(len(shown)):
                frame_values[k].append({"x": screen(xs), "y": fitted[k]})
        data += _point_traces(result, sizes, axes)
        titles.append(_title_lines(label, result, last, title_chars))

    title_lines = max(len(t) for t in titles)
    layout, key_y, colourbar_y = _panel_layout(
        len(results), rows, columns, sizes, presentation, arrangement, classifies, x_range, y_range, title_lines
    )
    annotations = [_panel_title(r, lines, sizes) for r, lines in enumerate(titles)]
    layout["annotations"] = annotations + [_key(classifies, sizes, key_y, arrangement == "stacked")]
    if colourbar_y is not None:  # a phone has no room beside the panels: the scale lies under the key
        data[0]["colorbar"].update(
            {
                "orientation": "h",
                "yref": "container",
                "y": colourbar_y,
                "yanchor": "middle",
                "x": 0.0,
                "xanchor": "left",
                "len": 0.7,
                "thickness": 10,
                "ypad": 0,
                "title": {"text": "P(class 1)", "side": "right", "font": {"size": key_font(sizes)}},
                "ticktext": ["0", "0.5: the line", "1"],
            }
        )
    frame_list = [
        {"name": str(int(step)), "data": values, "traces": moving} for step, values in zip(steps, frame_values)
    ]
    # contours redraw with each frame: Plotly keeps only scatter traces current without a redraw
    layout.update(
        play_controls(
            [f["name"] for f in frame_list],
            frame_ms,
            redraw=classifies,
            sizes_font=sizes.font,
            slider_x=_slider_start(presentation, arrangement, sizes.font),
        )
    )
    return as_figure({"data": data, "layout": layout, "frames": frame_list})


# The figure's expected width (px): panels are as tall as that width makes them at the data's
# aspect ratio, so the data is drawn near equal scale without forcing it (a forced aspect left
# empty bands between the rows at other widths); a phone's is one column.  Measured: half the
# main column at 1440 px with the sidebar open; 3/5 of it at 1280 px in Presentation mode
# (network_views.network_tab); a phone's whole width.
FIGURE_WIDTH_PX = {("side", False): 460, ("side", True): 660, ("stacked", False): 360, ("stacked", True): 360}
COLOURBAR_PX = {False: 60, True: 80}  # the colour bar and its labels, right of the panels (side by side)
ROW_PX_RANGE = {1: (200, 400), 2: (140, 260)}  # one row, or several: two rows and Play fit 1440×900
# 1280×720 in Presentation mode: the figure, Play and its slider under the page's header and tabs
PRESENTATION_HEIGHT_PX = 525
SIDE_PLOT_720P_PX = 590  # the panels' plot width at 1280×720 in Presentation mode, the narrowest side by side
STRETCH = 1.5  # Presentation mode: a panel at most this much taller than equal scale makes it
REGRESSION_ASPECT = 0.7
GAP_FONTS = 3.6  # font sizes between panel rows: each panel's title sits in the gap
TITLE_FONTS = 1.6  # the figure's title, in title font sizes
KEY_FONTS = 1.9  # the key's line (and on a phone the colour bar's), in key font sizes
PANEL_TITLE_FONTS = 1.9  # room above the top row for its panels' titles (one line), in key font sizes
LINE_FONTS = 1.25  # each further line of a panel's title, in key font sizes
CHAR_FONTS = 0.56  # a title character's width, in font sizes (a little more than the average: never too wide)
X_GAP = 0.05  # between the panels of a row (only the first shows its y tick labels)


def key_font(sizes: Sizes) -> int:
    return max(sizes.font - 2, 11)


def _key_text(classifies: bool, phone: bool) -> str:
    """One line in place of a legend: filled training points, hollow validation points, and
    (classifying) which colour is which class and what the black line is (on a phone, too
    narrow for it, the colour bar's 0.5 says that)."""
    blue, orange = CLASS_COLOURS
    if not classifies:
        return "— the network's fit   ● training   ○ validation"
    return (
        f'<span style="color:{blue}">●</span><span style="color:{orange}">●</span> training   '
        f'<span style="color:{blue}">○</span><span style="color:{orange}">○</span> validation   '
        f'<span style="color:{blue}">class 0</span> / <span style="color:{orange}">class 1</span>'
        + ("" if phone else "   — P(class 1) = 0.5")
    )


def _key(classifies: bool, sizes: Sizes, y: float, phone: bool) -> dict:
    """The key's line, its top at ``y`` (paper: above the plot area, under the title)."""
    return {
        "text": _key_text(classifies, phone),
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": y,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": key_font(sizes)},
    }


def _panel_px(arrangement: str, presentation: bool, columns: int) -> float:
    """A panel's expected width (px)."""
    width = FIGURE_WIDTH_PX[(arrangement, presentation)] - 50 - 20
    if arrangement == "side":
        width -= COLOURBAR_PX[presentation]
    return width * (1 - X_GAP * (columns - 1)) / columns


def _slider_start(presentation: bool, arrangement: str, font: int) -> float | None:
    """On a projector the slider starts right of ▶ Play / ❚❚ Pause, on their row: the row it
    saves keeps the slider and its labels on a 720p screen."""
    if not presentation or arrangement != "side":
        return None
    return slider_beside_buttons(font, SIDE_PLOT_720P_PX)


def _row_px(arrangement: str, presentation: bool, rows: int, columns: int, aspect: float, room: float) -> int:
    """A panel row's height: the panels' width times the data's aspect, within the row range and
    within ``room`` (px left for the rows in a Presentation-mode figure)."""
    panel = _panel_px(arrangement, presentation, columns)
    low, high = ROW_PX_RANGE[min(rows, 2)]
    equal = panel * aspect
    if presentation and arrangement == "side":  # the panels as tall as the projector allows
        return int(np.clip(room / rows, min(low, equal), STRETCH * equal))
    return int(np.clip(equal, low, high))


def _domains(r: int, rows: int, columns: int, plot_px: float, gap_px: float) -> tuple[list, list]:
    row, column = divmod(r, columns)
    x_gap = X_GAP
    width = (1.0 - x_gap * (columns - 1)) / columns
    x0 = column * (width + x_gap)
    height = (plot_px - gap_px * (rows - 1)) / rows / plot_px
    top = 1.0 - row * (height + gap_px / plot_px)
    return [x0, x0 + width], [max(top - height, 0.0), top]


def _panel_title(r: int, lines: list[str], sizes: Sizes) -> dict:
    """The run's marker (as on its curves) and its label, wrapped to the panel's width."""
    suffix = "" if r == 0 else str(r + 1)
    return {
        "text": f"{run_mark(r)} " + "<br>".join(lines),
        "align": "left",
        "xref": f"x{suffix} domain",
        "yref": f"y{suffix} domain",
        "x": 0.0,
        "y": 1.0,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": key_font(sizes)},
    }


def _panel_layout(
    count, rows, columns, sizes: Sizes, presentation, arrangement, classifies, x_range, y_range, title_lines=1
):
    """The layout, the key's top (container fraction) and, on a phone, the colour bar's middle.

    From the top: the title, the key (one line), on a phone the colour bar, each row of panels
    under its titles, and under the last row its axis labels, ▶ Play and the slider."""
    aspect = (y_range[1] - y_range[0]) / (x_range[1] - x_range[0]) if classifies else REGRESSION_ASPECT
    panel_titles_px = (PANEL_TITLE_FONTS + LINE_FONTS * (title_lines - 1)) * key_font(sizes)
    gap_px = GAP_FONTS * sizes.font + LINE_FONTS * (title_lines - 1) * key_font(sizes)
    title_px = sizes.title * TITLE_FONTS
    key_px = KEY_FONTS * key_font(sizes)
    colourbar_px = 2.4 * key_font(sizes) if classifies and arrangement == "stacked" else 0
    top = int(title_px + key_px + colourbar_px + panel_titles_px)
    bottom = controls_margin(sizes.font, _slider_start(presentation, arrangement, sizes.font))
    room = PRESENTATION_HEIGHT_PX - top - bottom - (rows - 1) * gap_px
    row_px = _row_px(arrangement, presentation, rows, columns, aspect, room)
    plot_px = rows * row_px + (rows - 1) * gap_px
    height = int(top + plot_px + bottom)
    layout = {
        "template": TEMPLATE,
        "title": {
            "text": "What the network computes",
            "font": {"size": sizes.title},
            "x": 0.02,
            "y": 1.0 - 0.15 * title_px / height,
            "yanchor": "top",
        },
        "font": {"size": sizes.font},
        "height": height,
        "margin": {"l": 50, "r": 20, "t": top, "b": bottom},
        "showlegend": False,
        "hovermode": "closest",
        "dragmode": "pan",
    }
    # whole numbers, never rotated: the spirals' ±0.5 ticks turned and ran into the x₁ title
    x_ticks, y_ticks = (
        {"dtick": 1 if hi - lo <= 5 else 2, "tick0": 0, "tickangle": 0} for lo, hi in (x_range, y_range)
    )
    for r in range(count):
        suffix = "" if r == 0 else str(r + 1)
        x_domain, y_domain = _domains(r, rows, columns, plot_px, gap_px)
        bottom_row = r + columns >= count
        layout[f"xaxis{suffix}"] = {
            "domain": x_domain,
            "anchor": f"y{suffix}",
            "range": list(x_range),
            "title": {"text": ("x₁" if classifies else "x") if bottom_row else "", "standoff": 2},
            "showgrid": not classifies,
            "zeroline": False,
            **x_ticks,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": y_domain,
            "anchor": f"x{suffix}",
            "range": list(y_range),
            "title": {"text": ("x₂" if classifies else "y") if r % columns == 0 else "", "standoff": 2},
            "showticklabels": r % columns == 0,  # the rows share their range: the next panel's labels sat in the gap
            "showgrid": not classifies,
            "zeroline": False,
            **y_ticks,
        }
    key_y = 1.0 + (top - title_px) / plot_px
    colourbar_y = 1.0 - (title_px + key_px + colourbar_px / 2) / height if colourbar_px else None
    return layout, key_y, colourbar_y
