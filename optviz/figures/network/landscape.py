"""The network's loss landscape on a plane: contour map, optional 3-D surface and a loss strip,
all under one ▶ Play and one slider, arranged as the surfaces' Paths figure (``figures.paths``).

A plane is a 2-D slice of an N-dimensional weight space: each run's path is drawn at its
projection, and the strip sets the training loss on the real path (solid) against the loss at
the projection (dotted), so the figure says how far it can be trusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import sequential

from optviz.figures.animation import TRAIL_FRAMES, controls_margin, play_controls, rounded, screen
from optviz.figures.landscape import WHITE_BLEND, banded_rgb, image_data_uri
from optviz.figures.network.common import as_figure, diverged_title, frame_snapshots, legend_on_top, spans_decades
from optviz.figures.paths import ARRANGEMENTS, FLAT, STACKED_EXTRA_PX, slider_start
from optviz.figures.style import TEMPLATE, Sizes, hex_rgb, run_style
from optviz.figures.surface3d import CAMERA_EYE, LIFT, bilinear
from optviz.network.planes import Plane
from optviz.network.train import TrainResult

IMAGE_PIXELS = 241  # the map's image per side: the plane's grid (41 by default) interpolated, smooth bands
HOVER_GRID = 21  # hover read-outs per side
STRIP_KEY = "#555555"
PROJECTOR_MAP_PX = 380  # in Presentation mode at 1280×720: over half the screen, with Play still on it
TITLE_DROP = 0.6  # title sizes between the figure's top and the title's


def _colour_scale() -> list:
    """banded_rgb's colours (Viridis blended towards white) as a Plotly scale, for the colour bar."""
    colours = [hex_rgb(c) for c in sequential.Viridis]
    return [
        [i / (len(colours) - 1), "rgb({},{},{})".format(*(round(v * (1 - WHITE_BLEND) + 255 * WHITE_BLEND) for v in c))]
        for i, c in enumerate(colours)
    ]


def _log_loss(values: np.ndarray) -> np.ndarray:
    """log₁₀ of the loss: the colours and heights (losses on a plane span decades)."""
    values = np.asarray(values, dtype=float)
    return np.log10(np.where(values > 0, values, np.nan))


def captured_name(label: str, captured: float) -> str:
    """A run's legend name with the share of its movement the plane holds."""
    return label if math.isnan(captured) else f"{label} ({captured:.0%} of its path in the plane)"


SUPERSCRIPTS = str.maketrans("-0123456789.", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹·")


def decade_label(exponent: float) -> str:
    """10 to the exponent, as the colour bar labels it: 10⁻², 1, 10³."""
    return "1" if exponent == 0 else f"10{str(exponent).translate(SUPERSCRIPTS)}"


def _map_image(plane: Plane, shown: np.ndarray) -> tuple[str, float, float]:
    """The banded map as a PNG data URI, and its colour range (log₁₀ loss) as banded_rgb spans it."""
    alphas, betas = plane.alphas, plane.betas
    centres = (np.arange(IMAGE_PIXELS) + 0.5) / IMAGE_PIXELS
    px = alphas[0] + centres * (alphas[-1] - alphas[0])
    py = betas[-1] - centres * (betas[-1] - betas[0])  # row 0 at the top
    gx, gy = np.meshgrid(px, py)
    filled = np.nan_to_num(shown, nan=np.nanmax(shown) if np.isfinite(shown).any() else 0.0)
    fine = bilinear(alphas, betas, filled, gx.ravel(), gy.ravel()).reshape(gx.shape)
    finite = shown[np.isfinite(shown)]
    lo, hi = np.percentile(finite, [0.0, 98.0]) if finite.size else (0.0, 1.0)  # banded_rgb's range
    return image_data_uri(Image.fromarray(banded_rgb(fine), "RGB")), float(lo), float(hi if hi > lo else lo + 1)


def _run_end(plane: Plane, results: Sequence[TrainResult]) -> int:
    """The run whose end a random plane is centred on."""
    origin = plane.directions.origin
    return next((r for r, res in enumerate(results) if np.array_equal(res.final_weights, origin)), 0)


def landscape_figure(
    plane: Plane,
    labels: Sequence[str],
    *,
    results: Sequence[TrainResult],
    which: str = "train",
    frames: int = 40,
    presentation: bool = False,
    show_3d: bool = False,
    arrangement: str = "side",
    frame_ms: int = 120,
) -> go.Figure:
    """The training (``which="train"``) or validation loss on ``plane``, each run's projected path
    with a marker moving along it, and the strip of its real against its projected training loss,
    against step (``results`` give the steps).  ``arrangement``: "side" or "stacked" (a phone)."""
    sizes = Sizes.for_mode(presentation)
    if presentation and arrangement == "side":  # 720p: map, strip and Play on one screen under the tabs
        sizes = replace(sizes, height=PROJECTOR_MAP_PX)
    grid = plane.train if which == "train" else plane.validation
    shown = _log_loss(grid)
    uri, lo, hi = _map_image(plane, shown)
    snapshots = frame_snapshots(results[0], frames)
    frame_names = [str(int(s)) for s in results[0].recorded_steps[snapshots]]
    a_span, b_span = plane.alphas[-1] - plane.alphas[0], plane.betas[-1] - plane.betas[0]
    ix = np.unique(np.linspace(0, len(plane.alphas) - 1, HOVER_GRID).round().astype(int))
    iy = np.unique(np.linspace(0, len(plane.betas) - 1, HOVER_GRID).round().astype(int))
    loss_name = "training loss" if which == "train" else "validation loss"
    decades = list(range(math.ceil(lo), math.floor(hi) + 1)) or [round((lo + hi) / 2, 1)]
    data: list[dict] = [
        {
            "type": "heatmap",  # invisible: hover read-outs, and the colour bar of the image beneath
            "x": screen(plane.alphas[ix]),
            "y": screen(plane.betas[iy]),
            "z": screen(shown[np.ix_(iy, ix)]),
            "customdata": screen(grid[np.ix_(iy, ix)]),
            "opacity": 0,
            "zmin": lo,
            "zmax": hi,
            "colorscale": _colour_scale(),
            "showscale": arrangement == "side",
            "colorbar": {
                "x": ARRANGEMENTS["side"]["map"][0][1] + 0.005,
                "xanchor": "left",
                "thickness": 10,
                "len": 0.7,
                "tickvals": decades,
                "ticktext": [decade_label(k) for k in decades],
            },
            "showlegend": False,
            "name": loss_name,
            "hovertemplate": f"{loss_name} %{{customdata:.4g}} at a = %{{x:.3g}}, b = %{{y:.3g}}<extra></extra>",
        }
    ]
    moving: list[int] = []
    frame_data: list[list[dict]] = [[] for _ in snapshots]
    paths = [p for p in plane.paths if p is not None]
    if paths:  # drawn after the runs (below), so the markers at step 0 do not hide it; first in the legend
        start = paths[0][0]
        start_marker = _marker_trace(start[0], start[1], "start (every run's)", "circle-open", "#000000", sizes, 8)
        start_marker["legendrank"] = 1
    else:  # a random plane holds no path: only its centre, the end it is drawn around
        r = _run_end(plane, results)
        data.append(
            _marker_trace(
                0.0, 0.0, f"end of {labels[r]}: the plane's centre", run_style(r).symbol, run_style(r).color, sizes, 6
            )
        )
    for r, (path, label) in enumerate(zip(plane.paths, labels)):
        if path is None:
            continue
        style = run_style(r)
        name = captured_name(diverged_title(label, results[r]), plane.captured[r])
        heads = np.minimum(snapshots, len(path) - 1)
        a, b = rounded(path[:, 0], a_span), rounded(path[:, 1], b_span)
        data.append(
            {
                "type": "scatter",
                "x": screen(path[:, 0]),
                "y": screen(path[:, 1]),
                "mode": "lines",
                "name": name,
                "legendgroup": f"run{r}",
                "hoverinfo": "skip",
                "opacity": 0.85,
                # solid: a dashed path on a small map broke into blobs; colour and marker tell runs apart
                "line": {"color": style.color, "width": sizes.line},
            }
        )
        moving += [len(data), len(data) + 1]
        data.append(
            {
                "type": "scatter",
                "x": a[: heads[0] + 1],
                "y": b[: heads[0] + 1],
                "mode": "lines",
                "showlegend": False,
                "legendgroup": f"run{r}",
                "hoverinfo": "skip",
                "line": {"color": style.color, "width": sizes.line * 1.6},
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": [a[heads[0]]],
                "y": [b[heads[0]]],
                "mode": "markers",
                "showlegend": False,
                "legendgroup": f"run{r}",
                "marker": {
                    "symbol": style.symbol,
                    "size": sizes.marker + 4,
                    "color": style.color,
                    "line": {"color": "#ffffff", "width": 2},
                },
                "hovertemplate": f"{label}<br>a = %{{x:.3g}}, b = %{{y:.3g}}<extra></extra>",
            }
        )
        for k, head in enumerate(heads):
            tail = heads[max(0, k - TRAIL_FRAMES)]
            frame_data[k] += [{"x": a[tail : head + 1], "y": b[tail : head + 1]}, {"x": [a[head]], "y": [b[head]]}]
    if paths:
        data.append(start_marker)
    if show_3d:
        scene_traces, scene_moving = _scene(plane, shown, lo, hi, snapshots, labels, sizes)
        for k, trace_frames in enumerate(scene_moving):
            frame_data[k] += trace_frames
        moving += [len(data) + i for i in range(len(scene_traces)) if scene_traces[i].get("_moving")]
        data += [{k: v for k, v in t.items() if k != "_moving"} for t in scene_traces]
    strip, cursor, strip_axis = _strip(plane, results, labels, sizes, snapshots)
    data += strip
    moving.append(len(data) - 1)
    for k, position in enumerate(cursor):
        frame_data[k].append(position)
    layout = _layout(plane, labels, sizes, which, arrangement, show_3d, strip_axis, uri)
    layout.update(
        play_controls(
            frame_names, frame_ms, redraw=False, sizes_font=sizes.font, slider_x=slider_start(arrangement, sizes.font)
        )
    )
    frame_list = [{"name": name, "data": fd, "traces": moving} for name, fd in zip(frame_names, frame_data)]
    return as_figure({"data": data, "layout": layout, "frames": frame_list})


def _marker_trace(x: float, y: float, name: str, symbol: str, colour: str, sizes: Sizes, grow: int) -> dict:
    return {
        "type": "scatter",
        "x": [x],
        "y": [y],
        "mode": "markers",
        "name": name,
        "hovertemplate": f"{name}<extra></extra>",
        "marker": {
            "symbol": symbol,
            "size": sizes.marker + grow,
            "color": colour,
            "line": {"width": 3, "color": colour},
        },
    }


def _scene(plane: Plane, shown: np.ndarray, lo: float, hi: float, snapshots, labels, sizes: Sizes):
    """The 3-D surface (log₁₀ loss) with each path lying on it; per frame, each run's marker."""
    height = np.clip(np.nan_to_num(shown, nan=hi), lo, hi)
    lift = LIFT * (hi - lo)
    traces = [
        {
            "type": "surface",
            "x": screen(plane.alphas),
            "y": screen(plane.betas),
            "z": screen(height),
            "colorscale": "Viridis",
            "showscale": False,
            "hoverinfo": "skip",
            "name": "loss surface",
            "showlegend": False,
        }
    ]
    per_frame: list[list[dict]] = [[] for _ in snapshots]
    for r, path in enumerate(plane.paths):
        if path is None:
            continue
        style = run_style(r)
        z = bilinear(plane.alphas, plane.betas, height, path[:, 0], path[:, 1]) + lift
        heads = np.minimum(snapshots, len(path) - 1)
        traces.append(
            {
                "type": "scatter3d",
                "x": screen(path[:, 0]),
                "y": screen(path[:, 1]),
                "z": screen(z),
                "mode": "lines",
                "showlegend": False,
                "legendgroup": f"run{r}",
                "hoverinfo": "skip",
                "line": {"color": style.color, "width": sizes.line * 2.2},  # solid: WebGL dashes are dots
            }
        )
        traces.append(
            {
                "type": "scatter3d",
                "x": screen(path[heads[0] : heads[0] + 1, 0]),
                "y": screen(path[heads[0] : heads[0] + 1, 1]),
                "z": screen(z[heads[0] : heads[0] + 1]),
                "mode": "markers",
                "showlegend": False,
                "legendgroup": f"run{r}",
                "hovertemplate": f"{labels[r]}<extra></extra>",
                "marker": {"symbol": style.symbol_3d, "size": sizes.marker * 0.7, "color": style.color},
                "_moving": True,
            }
        )
        for k, head in enumerate(heads):
            per_frame[k].append(
                {"type": "scatter3d", "x": [float(path[head, 0])], "y": [float(path[head, 1])], "z": [float(z[head])]}
            )
    return traces, per_frame


def _strip(plane: Plane, results: Sequence[TrainResult], labels, sizes: Sizes, snapshots):
    """Per run, the training loss on its real path (solid) and at its projection (dotted) against
    step; per frame, the cursor (a vertical line) at the frame's step."""
    traces = []
    for r, (real, projected) in enumerate(zip(plane.real_loss, plane.projected_loss)):
        style = run_style(r)
        finite = np.isfinite(results[r].weights).all(axis=1)
        steps = results[r].recorded_steps[finite]
        for values, dash, what in ((real, "solid", "on its path"), (projected, "dot", "at its projection")):
            if np.isnan(values).all():
                continue
            traces.append(
                {
                    "type": "scatter",
                    "x": steps,
                    "y": screen(values),
                    "mode": "lines",
                    "xaxis": "x2",
                    "yaxis": "y2",
                    "showlegend": False,
                    "legendgroup": f"run{r}",
                    "line": {"color": style.color, "dash": dash, "width": max(sizes.line * 0.7, 1.5)},
                    "hovertemplate": f"{labels[r]}<br>training loss {what} %{{y:.4g}} at step %{{x}}<extra></extra>",
                }
            )
    values = np.concatenate([np.asarray(t["y"], dtype=float) for t in traces])
    values = values[np.isfinite(values)]
    lo, hi = (float(values.min()), float(values.max())) if values.size else (1e-3, 1.0)
    log = spans_decades(values)
    axis = {"type": "log", "exponentformat": "power", "dtick": 1} if log else {}
    ends = [lo, hi]
    traces.append(
        {
            "type": "scatter",
            "x": [0, 0],
            "y": ends,
            "mode": "lines",
            "xaxis": "x2",
            "yaxis": "y2",
            "showlegend": False,
            "hoverinfo": "skip",
            "line": {"color": "#C00000", "width": 2, "dash": "dot"},
        }
    )
    steps = results[0].recorded_steps[snapshots]
    return traces, [{"x": [int(s), int(s)], "y": ends} for s in steps], axis


def _layout(plane, labels, sizes: Sizes, which, arrangement, show_3d, strip_axis, uri) -> dict:
    place = (ARRANGEMENTS if show_3d else FLAT)[arrangement]
    (mx, my), (tx, ty) = place["map"], place["strip"]
    a0, a1, b0, b1 = plane.alphas[0], plane.alphas[-1], plane.betas[0], plane.betas[-1]
    dimensions = plane.directions.origin.shape[0]
    what = "Training" if which == "train" else "Validation"
    phone = arrangement == "stacked"
    heading = f"{what} loss on the plane" + ("<br>" if phone else " ") + f"«{plane.kind.name}»"
    slice_note = f"a 2-D slice of the {dimensions}-dimensional weight space:" + ("<br>" if phone else " ")
    one_line = sizes.height == PROJECTOR_MAP_PX  # the projector's: the caption under the map says the rest
    title = (
        f"{heading}: a 2-D slice of {dimensions} dimensions"
        if one_line
        else f"{heading}<br><span style='font-size:{sizes.font}px'>{slice_note}paths are drawn at their "
        "projections</span>"
    )
    # a phone's legend is one name a row; elsewhere the names laid end to end over ~900 px rows
    names = sum(len(label) + 34 for label in labels)
    legend_rows = len(labels) + 1 if phone else max(1, math.ceil(names * 0.55 * (sizes.font - 2) / 900))
    title_lines = 4 if phone else 1 if one_line else 2
    top = int(sizes.title * (1.4 * title_lines + TITLE_DROP) + legend_rows * 2.1 * (sizes.font - 2) + 16)
    height = sizes.height + (STACKED_EXTRA_PX[show_3d] if arrangement == "stacked" else 20) + top
    layout = {
        "template": TEMPLATE,
        "title": {
            "text": title,
            "font": {"size": sizes.title},
            "x": 0.02,
            "yref": "container",
            "y": 1.0 - TITLE_DROP * sizes.title / height,  # a two-line title's top line was cut at y = 1
            "yanchor": "top",
            "pad": {"t": 6},
        },
        "font": {"size": sizes.font},
        "height": height,
        "margin": {
            "l": 60,
            "r": 10 if phone else int(sizes.font * 4.2) + 10,  # the strip's labels on its right
            "t": top,
            "b": controls_margin(sizes.font, slider_start(arrangement, sizes.font)),
        },
        "legend": {
            **legend_on_top(max(sizes.font - 2, 11)),
            "yref": "container",
            "y": 1.0 - sizes.title * (1.4 * title_lines + TITLE_DROP) / height,
            "yanchor": "top",
        },
        "hovermode": "closest",
        "dragmode": "pan",
        "uirevision": f"{plane.kind.key}:{which}",
        "xaxis": {
            "domain": mx,
            "range": [a0, a1],
            "title": {"text": "a: distance along direction 1"},
            "showgrid": False,
            "zeroline": False,
            "constrain": "domain",
        },
        "yaxis": {
            "domain": my,
            "range": [b0, b1],
            "title": {"text": "b: along direction 2"},
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
        "images": [
            {
                "source": uri,
                "xref": "x",
                "yref": "y",
                "x": a0,
                "y": b1,
                "sizex": a1 - a0,
                "sizey": b1 - b0,
                "sizing": "stretch",
                "layer": "below",
            }
        ],
        "xaxis2": {"domain": tx, "anchor": "y2", "title": {"text": "step", "standoff": 2}, "fixedrange": True},
        "yaxis2": {
            "domain": ty,
            "anchor": "x2",
            # beside the map, the strip's labels on its right: on its left they ran into the colour bar
            "side": "left" if phone else "right",
            "title": {"text": "training loss"},
            "fixedrange": True,
            "nticks": 4,
            "tickfont": {"size": max(sizes.font - 4, 10)},
            **strip_axis,
        },
        "annotations": [
            {
                "text": "on the path — · at its projection ···",
                "xref": "x2 domain",
                "yref": "y2 domain",
                "x": 1.0,
                "y": 1.0,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": max(sizes.font - 3, 10), "color": STRIP_KEY},
            }
        ],
    }
    if show_3d:
        sx, sy = place["scene"]
        ticks = {"nticks": 4, "tickfont": {"size": min(max(sizes.font - 2, 11), 15)}}
        layout["scene"] = {
            "domain": {"x": sx, "y": sy},
            "xaxis": {"title": {"text": "a"}, **ticks},
            "yaxis": {"title": {"text": "b"}, **ticks},
            "zaxis": {"title": {"text": "log₁₀ loss"}, "nticks": 4},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
            "camera": {"eye": CAMERA_EYE},
        }
    return layout
