"""The animated 3-D view: the landscape as a surface with the paths lying on it."""

from __future__ import annotations

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import (
    controls_margin,
    drawn_points,
    frame_positions,
    frame_steps,
    path_and_head,
    play_controls,
    point,
    screen,
)
from optviz.figures.landscape import Landscape
from optviz.figures.style import Sizes, base_layout, run_style

MESH = 45  # plotly.js re-triangulates the mesh on every redraw
STATIC_TRACES = 3  # surface, minima, start
TRACES_PER_RUN = 2  # full path (static), moving marker
LIFT = 0.02  # raise paths by this fraction of the height range so the surface does not hide them


def surface_figure(
    landscape: Landscape,
    runs: list[Trajectory],
    labels: list[str],
    start: tuple[float, float],
    sizes: Sizes,
    frame_ms: int,
) -> dict:
    surface = landscape.surface
    (x0, x1), (y0, y1) = surface.domain
    xs, ys, z = landscape.coarse(MESH)
    zd = landscape.display(z)
    finite = zd[np.isfinite(zd)]
    # log heights are already compressed; a linear surface (the saddle) is clipped at its extremes
    z_lo = float(finite.min()) if landscape.log_scale else float(np.percentile(finite, 0.5))
    z_hi = float(finite.max()) if landscape.log_scale else float(np.percentile(finite, 99.5))
    lift = LIFT * (z_hi - z_lo)

    def height(values):
        return np.clip(landscape.display(values), z_lo, z_hi) + lift

    def on_surface(traj: Trajectory) -> np.ndarray:
        """Heights, NaN off the plotted domain: WebGL does not clip to the axis ranges, and
        a diverging run would otherwise draw a wall across the scene."""
        return np.where(surface.in_domain(traj.path[:, 0], traj.path[:, 1]), height(traj.loss), np.nan)

    start_loss = float(runs[0].loss[0])  # every run starts at the same point
    data = [
        {
            "type": "surface",
            "x": screen(xs),
            "y": screen(ys),
            "z": screen(np.clip(zd, z_lo, z_hi)),
            "colorscale": "Viridis",
            "showscale": False,
            "opacity": 1.0,
            "name": "loss surface",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter3d",
            "x": [m.x for m in landscape.minima],
            "y": [m.y for m in landscape.minima],
            "z": height([m.value for m in landscape.minima]),
            "mode": "markers",
            "name": "minimum",
            "marker": {
                "symbol": "diamond",
                "size": sizes.marker * 0.6,
                "color": "#ffffff",
                "line": {"color": "#000", "width": 2},
            },
        },
        {
            "type": "scatter3d",
            "x": [start[0]],
            "y": [start[1]],
            "z": height([start_loss]),
            "mode": "markers",
            "name": "start",
            "marker": {"symbol": "circle-open", "size": sizes.marker * 0.7, "color": "#000000"},
        },
    ]
    shown = frame_steps(max(t.steps for t in runs))
    xyz = [(screen(t.path[:, 0]), screen(t.path[:, 1]), screen(on_surface(t))) for t in runs]
    heads = [[head for _, head in frame_positions(t, shown)] for t in runs]
    for r, label in enumerate(labels):
        style = run_style(r)
        (x, y, z), head = xyz[r], heads[r][0]
        data += path_and_head(
            "scatter3d",
            {"x": x, "y": y, "z": z},
            drawn_points(x, y, z, extents=(x1 - x0, y1 - y0, z_hi - z_lo + 2 * lift)),
            head,
            label,
            r,
            {"color": style.color, "dash": style.dash, "width": sizes.line * 2.2},
            {
                "symbol": style.symbol_3d,
                "size": sizes.marker * 0.7,
                "color": style.color,
                "line": {"color": "#fff", "width": 2},
            },
            opacity=0.8,
        )
    # Frames move only the markers: the contour map carries the trails, and 3-D trails cost
    # ~125 kB per view change for little that the full paths do not already show.
    moving = [STATIC_TRACES + TRACES_PER_RUN * r + 1 for r in range(len(runs))]
    frames = []
    for k, step in enumerate(shown):
        frame_data = [
            {
                "x": point(x[run_heads[k] : run_heads[k] + 1]),
                "y": point(y[run_heads[k] : run_heads[k] + 1]),
                "z": point(z[run_heads[k] : run_heads[k] + 1]),
            }
            for (x, y, z), run_heads in zip(xyz, heads)
        ]
        frames.append({"name": str(int(step)), "data": frame_data, "traces": moving})

    layout = base_layout(sizes, f"{surface.name}: the same runs on the surface")
    axis_font = {"size": sizes.font}
    # few, and capped: on a projector the 3-D panel is small and big tilted labels pile into the titles
    ticks = {"nticks": 4, "tickfont": {"size": min(max(sizes.font - 2, 11), 15)}}
    layout.update(
        {
            "scene": {
                "xaxis": {"range": [x0, x1], "title": {"text": "x", "font": axis_font}, **ticks},
                "yaxis": {"range": [y0, y1], "title": {"text": "y", "font": axis_font}, **ticks},
                "zaxis": {
                    "range": [z_lo, z_hi + 2 * lift],
                    "title": {"text": "height", "font": axis_font},
                    "nticks": 4,
                    "showticklabels": False,
                },
                "aspectmode": "manual",
                "aspectratio": {"x": 1, "y": (y1 - y0) / (x1 - x0), "z": 0.6},
                "camera": {"eye": {"x": 1.4, "y": -1.5, "z": 1.0}},
            },
            # a constant uirevision keeps the user's camera while playing and across reruns
            "uirevision": surface.key,
        }
    )
    layout["margin"] = {**layout["margin"], "b": controls_margin(sizes.font)}
    layout.update(play_controls([f["name"] for f in frames], frame_ms, redraw=True, sizes_font=sizes.font))
    return {"data": data, "layout": layout, "frames": frames}
