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
# High enough to look into narrow valleys (Rosenbrock's trench hid the paths from a 25° eye), low
# enough that a surface still reads as 3-D.
CAMERA_EYE = {"x": 0.75, "y": -1.15, "z": 1.85}


def camera_eye(runs: list[Trajectory], surface) -> dict:
    """CAMERA_EYE, mirrored in x and y to the side the runs head for from their start (their last
    points on the map), so the slope they go down faces the camera: the saddle's runs went down
    its far side, behind the ridge, and vanished halfway."""
    (x0, x1), (y0, y1) = surface.domain
    heading = np.zeros(2)
    for t in runs:
        on_map = np.flatnonzero(surface.in_domain(t.path[:, 0], t.path[:, 1]))
        if on_map.size:
            heading += (t.path[on_map[-1]] - t.path[0]) / (x1 - x0, y1 - y0)
    eye = dict(CAMERA_EYE)
    for axis, towards in zip("xy", heading):
        if towards and np.sign(towards) != np.sign(eye[axis]):
            eye[axis] = -eye[axis]
    return eye


def box_mean(values: np.ndarray, axis: int, centres: np.ndarray, half: int) -> np.ndarray:
    """The mean of ``values`` over ±``half`` indices around each of ``centres`` along ``axis``
    (fewer at the edges): a coarse mesh that averages what lies between its vertices instead of
    sampling it, so a trench narrower than the mesh spacing (Rosenbrock's, in log height) is a
    smooth groove, not a sawtooth of vertices that happen to fall in it or on its wall."""
    moved = np.moveaxis(values, axis, 0)
    sums = np.concatenate([np.zeros((1,) + moved.shape[1:]), np.cumsum(moved, axis=0)])
    lo = np.clip(centres - half, 0, len(moved) - 1)
    hi = np.clip(centres + half, 0, len(moved) - 1) + 1
    return np.moveaxis((sums[hi] - sums[lo]) / (hi - lo)[(...,) + (None,) * (moved.ndim - 1)], 0, axis)


def drawn_mesh(landscape: Landscape, n: int, z_lo: float, z_hi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The surface as drawn: display heights, clipped to [z_lo, z_hi] (one range for the mesh and
    everything on it), box-averaged onto about n×n vertices that include the domain's edges."""
    ix = np.unique(np.linspace(0, len(landscape.xs) - 1, n).round().astype(int))
    iy = np.unique(np.linspace(0, len(landscape.ys) - 1, n).round().astype(int))
    fine = np.clip(np.nan_to_num(landscape.display(landscape.z), nan=z_hi, posinf=z_hi), z_lo, z_hi)
    half_x = int(np.diff(ix).max())
    half_y = int(np.diff(iy).max())
    return landscape.xs[ix], landscape.ys[iy], box_mean(box_mean(fine, 1, ix, half_x), 0, iy, half_y)


def bilinear(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """z[j, i] on the grid (xs, ys), interpolated at the points (x, y) (clamped to the grid)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    fx = np.interp(np.nan_to_num(x), xs, np.arange(len(xs)))
    fy = np.interp(np.nan_to_num(y), ys, np.arange(len(ys)))
    i = np.minimum(fx.astype(int), len(xs) - 2)
    j = np.minimum(fy.astype(int), len(ys) - 2)
    tx, ty = fx - i, fy - j
    bottom = z[j, i] * (1 - tx) + z[j, i + 1] * tx
    top = z[j + 1, i] * (1 - tx) + z[j + 1, i + 1] * tx
    return bottom * (1 - ty) + top * ty


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
    shown_z = landscape.display(landscape.z)
    finite = shown_z[np.isfinite(shown_z)]
    # log heights are already compressed; a linear surface (the saddle) is clipped at its extremes
    z_lo = float(finite.min()) if landscape.log_scale else float(np.percentile(finite, 0.5))
    z_hi = float(finite.max()) if landscape.log_scale else float(np.percentile(finite, 99.5))
    lift = LIFT * (z_hi - z_lo)
    xs, ys, zd = drawn_mesh(landscape, MESH, z_lo, z_hi)

    def height(x, y, values):
        """On the drawn surface or above it: the averaged mesh spans a narrow trench higher
        than its floor, and a path at the floor's true height would vanish under it."""
        true = np.clip(landscape.display(values), z_lo, z_hi)
        return np.maximum(true, bilinear(xs, ys, zd, x, y)) + lift

    def on_surface(traj: Trajectory) -> np.ndarray:
        """Heights, NaN off the plotted domain: WebGL does not clip to the axis ranges, and
        a diverging run would otherwise draw a wall across the scene."""
        x, y = traj.path[:, 0], traj.path[:, 1]
        return np.where(surface.in_domain(x, y), height(x, y, traj.loss), np.nan)

    lowest = [m in landscape.lowest_minima for m in landscape.minima]

    start_loss = float(runs[0].loss[0])  # every run starts at the same point
    data = [
        {
            "type": "surface",
            "x": screen(xs),
            "y": screen(ys),
            "z": screen(zd),
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
            "z": height(
                [m.x for m in landscape.minima], [m.y for m in landscape.minima], [m.value for m in landscape.minima]
            ),
            "mode": "markers",
            "name": "minimum",
            # as on the map: the lowest a small white diamond, the others dots (WebGL draws each
            # marker as a flat tile facing the camera: Rastrigin's 121 diamonds covered its surface)
            "marker": {
                "symbol": ["diamond" if low else "circle" for low in lowest],
                "size": [sizes.marker * 0.6 if low else max(sizes.marker * 0.2, 2.5) for low in lowest],
                "color": ["#ffffff" if low else "#202020" for low in lowest],
                "line": {"color": "#000", "width": 1},
            },
        },
        {
            "type": "scatter3d",
            "x": [start[0]],
            "y": [start[1]],
            "z": height([start[0]], [start[1]], [start_loss]),
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
            # solid: WebGL draws a dashed 3-D line as a hairline of dots (the saddle showed GD alone);
            # colour and the marker's symbol tell the runs apart
            {"color": style.color, "width": sizes.line * 2.2},
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
                "camera": {"eye": camera_eye(runs, surface)},
            },
            # a constant uirevision keeps the user's camera while playing and across reruns
            "uirevision": surface.key,
        }
    )
    layout["margin"] = {**layout["margin"], "b": controls_margin(sizes.font)}
    layout.update(play_controls([f["name"] for f in frames], frame_ms, redraw=True, sizes_font=sizes.font))
    return {"data": data, "layout": layout, "frames": frames}
