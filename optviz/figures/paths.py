"""The Paths view as one figure: contour map, 3-D surface and a loss strip share one time axis.

One ▶ Play and one slider drive all three: each frame moves the map's trails and markers,
the 3-D markers and the loss strip's cursor together.  Frames never redraw the whole figure:
the map and the strip move at the frame rate asked for, and the 3-D scene follows at the rate
it can draw (``animation.FOLLOW_3D_JS``, run by the page and the exported HTML).  The 3-D
panel can be left out (``show_3d``).  Titles and the legend live on the page (``legend_html``),
outside the figure, so nothing inside it can run into them; each run's map path carries
``showlegend`` for a figure shown on its own (the exported HTML).
"""

from __future__ import annotations

import math

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import (
    controls_margin,
    envelope_points,
    frame_steps,
    play_controls,
    point,
    slider_beside_buttons,
)
from optviz.figures.contour import contour_figure, run_trace_indices
from optviz.figures.landscape import Landscape
from optviz.figures.style import TEMPLATE, Sizes, marker_shape, run_style
from optviz.figures.surface3d import surface_figure
from surfaces import Minimum

# Where each panel sits, as fractions of the figure: side by side (laptop, projector) or
# stacked (phone).  The strip under the 3-D view plots loss against step with the cursor;
# without the 3-D view (FLAT) it takes the scene's place.
ARRANGEMENTS = {
    # the map a little over half the width: at 1280×720 beside the lesson it is then half the screen high
    "side": {"map": ([0.0, 0.54], [0.0, 1.0]), "scene": ([0.57, 1.0], [0.3, 1.0]), "strip": ([0.64, 1.0], [0.0, 0.2])},
    # the map last, just above ▶ Play: a student who taps it sees the map move (with the map on
    # top, Play sat ~700 px below the map's top, off a phone's screen)
    "stacked": {
        "scene": ([0.0, 1.0], [0.62, 1.0]),
        "strip": ([0.14, 1.0], [0.46, 0.56]),
        "map": ([0.0, 1.0], [0.0, 0.38]),
    },
}
FLAT = {
    "side": {"map": ARRANGEMENTS["side"]["map"], "strip": ([0.67, 1.0], [0.0, 0.9])},  # room above for its note
    # a phone without the 3-D view: the map first, the strip between it and ▶ Play
    "stacked": {"map": ([0.0, 1.0], [0.38, 1.0]), "strip": ([0.14, 1.0], [0.0, 0.24])},
}
FLOAT32_MAX = float(np.finfo(np.float32).max)
STACKED_EXTRA_PX = {True: 420, False: 140}  # the phone's figure grows by the panels under its map


NARROWEST_SIDE_PLOT = 760  # px: the plot area side by side at 1280 px (laptop with its sidebar, projector)


def slider_start(arrangement: str, font: int) -> float | None:
    """Where the slider starts, as a fraction of the plot's width: right of ▶ Play / ❚❚ Pause
    on the narrowest side-by-side figure; on a phone, its own row."""
    if arrangement == "stacked":
        return None
    return slider_beside_buttons(font, NARROWEST_SIDE_PLOT)


def paths_figure(
    landscape: Landscape,
    runs: list[Trajectory],
    labels: list[str],
    start: tuple[float, float],
    sizes: Sizes,
    frame_ms: int,
    image_uri: str | None = None,
    arrangement: str = "side",
    goals: list[tuple[Minimum, ...]] | None = None,
    show_3d: bool = True,
) -> dict:
    """``goals``: per run, the minima of what it minimises (drawn where they differ from the page's);
    ``show_3d``: with the 3-D panel (it slows ▶ Play on a weak machine: ``FOLLOW_3D_JS``)."""
    flat = contour_figure(landscape, runs, labels, start, sizes, frame_ms, image_uri, goals=goals)
    panels = [flat, surface_figure(landscape, runs, labels, start, sizes, frame_ms)] if show_3d else [flat]
    shown = frame_steps(max(t.steps for t in runs))
    strip, cursor = loss_strip(landscape, runs, sizes, shown)
    data = []
    frames = [{"name": f["name"], "data": [], "traces": []} for f in flat["frames"]]
    for panel in panels:
        for frame, own in zip(frames, panel["frames"]):
            frame["data"] += own["data"]
            frame["traces"] += [len(data) + i for i in own["traces"]]
        data += panel["data"]
    data += strip
    for frame, position in zip(frames, cursor):
        frame["data"].append(position)
        frame["traces"].append(len(data) - 1)
    legended = {run_trace_indices(r)[0] for r in range(len(runs))}  # the map paths: one entry per run
    for i, trace in enumerate(data):
        trace["showlegend"] = i in legended
    place = (ARRANGEMENTS if show_3d else FLAT)[arrangement]
    (mx, my), (tx, ty) = place["map"], place["strip"]
    layout = {
        "template": TEMPLATE,
        "font": {"size": sizes.font},
        "showlegend": False,  # the page's legend is legend_html
        "height": sizes.height + (STACKED_EXTRA_PX[show_3d] if arrangement == "stacked" else 20),
        "margin": {"l": 50, "r": 10, "t": 10, "b": controls_margin(sizes.font, slider_start(arrangement, sizes.font))},
        "hovermode": "closest",
        "clickmode": "event",
        "dragmode": "pan",
        "uirevision": landscape.surface.key,
        "xaxis": {**flat["layout"]["xaxis"], "domain": mx},
        "yaxis": {**flat["layout"]["yaxis"], "domain": my},
        "images": flat["layout"]["images"],
        "xaxis2": {
            "domain": tx,
            "anchor": "y2",
            "title": {"text": "step", "standoff": 2},
            "range": [0, int(shown[-1])],
            "fixedrange": True,
        },
        "yaxis2": {
            "domain": ty,
            "anchor": "x2",
            "title": {"text": landscape.loss_shown_label},
            "fixedrange": True,
            "nticks": 3,
            "tickfont": {"size": max(sizes.font - 4, 10)},
            **_strip_scale(landscape, *strip[-1]["y"]),
        },
        "annotations": off_scale_note(runs, labels, sizes.font),
    }
    if show_3d:
        sx, sy = place["scene"]
        layout["scene"] = {**panels[1]["layout"]["scene"], "domain": {"x": sx, "y": sy}}
    layout.update(
        play_controls(
            [f["name"] for f in frames],
            frame_ms,
            redraw=False,
            sizes_font=sizes.font,
            slider_x=slider_start(arrangement, sizes.font),
        )
    )
    return {"data": data, "layout": layout, "frames": frames}


def _strip_scale(landscape: Landscape, lo: float, hi: float) -> dict:
    """The strip's y-axis over [lo, hi], fixed (a diverged run leaves it at the top): log loss
    (above the floor) labelled at whole decades only, at most three labels."""
    if not landscape.log_scale:
        pad = 0.05 * (hi - lo) or 1.0
        return {"range": [lo - pad, hi + pad]}
    if not (lo > 0 and hi > 0):
        return {"type": "log", "dtick": 1, "exponentformat": "power"}
    low, high = math.log10(lo), math.log10(hi)
    decades = max(high - low, 1.0)
    pad = 0.05 * decades
    return {
        "type": "log",
        "dtick": max(1, math.ceil(decades / 3)),
        "exponentformat": "power",
        "range": [low - pad, high + pad],
    }


def strip_range(losses: list[np.ndarray], runs: list[Trajectory]) -> tuple[float, float]:
    """The strip's loss range: that of the runs that did not diverge, so one run's 10²⁴ does not
    flatten every other curve; every run's when all diverged."""
    kept = [v for v, t in zip(losses, runs) if t.outcome.kind != "diverged"] or losses
    finite = np.concatenate([v[np.isfinite(v)] for v in kept] + [np.array([])])
    return (float(finite.min()), float(finite.max())) if finite.size else (1e-3, 1.0)


def off_scale_note(runs: list[Trajectory], labels: list[str], font: int) -> list[dict]:
    """Above the strip, the runs whose loss leaves its top: they diverged."""
    gone = [label for t, label in zip(runs, labels) if t.outcome.kind == "diverged"]
    if not gone or len(gone) == len(runs):
        return []
    text = f"↑ {', '.join(gone)} diverged: off the scale"
    return [
        {
            "text": text,
            "xref": "x2 domain",
            "yref": "y2 domain",
            "x": 1.0,
            "y": 1.0,
            "xanchor": "right",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": max(font - 4, 10), "color": "#C00000"},
        }
    ]


def loss_strip(landscape: Landscape, runs: list[Trajectory], sizes: Sizes, shown: np.ndarray) -> tuple[list, list]:
    """Loss against step per run, and per frame the cursor's position (a vertical line)."""
    losses = [landscape.loss_shown(t.loss) for t in runs]
    lo, hi = strip_range(losses, runs)
    traces = []
    for r, loss in enumerate(losses):
        style = run_style(r)
        keep = envelope_points(loss)
        traces.append(
            {
                "type": "scatter",
                "x": keep.astype(np.int32),
                # beyond float32 a diverged run's loss would be inf, which Plotly drops: the line
                # would stop short instead of leaving the top of the strip
                "y": np.clip(loss[keep], -FLOAT32_MAX, FLOAT32_MAX).astype(np.float32),
                "mode": "lines",
                "xaxis": "x2",
                "yaxis": "y2",
                "hoverinfo": "skip",
                "line": {"color": style.color, "dash": style.dash, "width": max(sizes.line * 0.6, 1.5)},
            }
        )
    ends = point([lo, hi])
    traces.append(
        {
            "type": "scatter",
            "x": [0, 0],
            "y": ends,
            "mode": "lines",
            "xaxis": "x2",
            "yaxis": "y2",
            "hoverinfo": "skip",
            "line": {"color": "#C00000", "width": 2, "dash": "dot"},
        }
    )  # not an axis line
    cursor = [{"x": [int(s), int(s)], "y": ends} for s in shown]
    return traces, cursor


def _dash_svg(dash: str) -> str:
    return {
        "solid": "",
        "dash": "7,4",
        "dot": "2,3",
        "dashdot": "7,3,2,3",
        "longdash": "12,4",
        "longdashdot": "12,3,2,3",
    }[dash]


KEY_SYMBOLS = {"lowest minimum": "☆", "lowest minima (equal)": "☆", "other minima": "∘", "start": "◯"}


def legend_html(
    labels: list[str], font_px: int, keys: list[str] = (), own_minima: bool = False, title: str = ""
) -> str:
    """One legend for the page: each run's colour and dash, then ``keys`` (the map's symbols:
    ``Landscape.legend_keys``) and the open stars of runs that minimise something else."""
    items = [f"<b>{_escape(title)}</b>"] if title else []
    for r, label in enumerate(labels):
        style = run_style(r)
        items.append(
            f'<span class="optviz-key"><svg width="34" height="14" aria-hidden="true"><line x1="1" y1="7" x2="33" '
            f'y2="7" stroke="{style.color}" stroke-width="4" stroke-dasharray="{_dash_svg(style.dash)}"/>'
            f"{_marker_svg(style.symbol, style.color)}</svg>{_escape(label)}</span>"
        )
    items += [f'<span class="optviz-key">{KEY_SYMBOLS[key]} {key}</span>' for key in keys]
    if own_minima:
        items.append(
            '<span class="optviz-key">☆ in a run\'s colour: the minimum of what that run minimises '
            "(its weight decay or dropout)</span>"
        )
    return (
        f'<div class="optviz-legend" style="font-size:{font_px}px;display:flex;flex-wrap:wrap;gap:4px 18px;'
        f'align-items:center">{"".join(items)}</div>'
    )


def _marker_svg(symbol: str, colour: str) -> str:
    """The run's map marker on its legend line, as on the map (white edge)."""
    kind, points = marker_shape(symbol, 17, 7, 4.2)
    if kind == "circle":
        return f'<circle cx="17" cy="7" r="4.2" fill="{colour}" stroke="white" stroke-width="1"/>'
    if kind == "polygon":
        corners = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        return f'<polygon points="{corners}" fill="{colour}" stroke="white" stroke-width="1"/>'
    return "".join(
        f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" stroke="{colour}" stroke-width="2.5"/>'
        for a, b in (points[:2], points[2:])
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
