"""The animated contour view: landscape image, minima, start, and one path per run."""

from __future__ import annotations

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import (
    controls_margin,
    drawn_points,
    frame_positions,
    frame_steps,
    path_and_head,
    play_controls,
    rounded,
    screen,
)
from optviz.figures.landscape import Landscape, image_data_uri, landscape_image
from optviz.figures.style import Sizes, base_layout, run_style
from surfaces import Minimum

HOVER_GRID = 28  # hover read-out cells per side (clicks land to the pixel: ui.bridge)
GRID_TRACE, MINIMA_TRACE, START_TRACE = 0, 1, 2
STATIC_TRACES = 3
TRACES_PER_RUN = 3  # full path (static), trail, head
# A diverged run's overshoots paint a band of lines over the map (on a phone Booth's lr = 0.12
# hid the lr = 0.05 path under it): its whole path is faint, its moving trail full strength
DIVERGED_PATH_OPACITY = 0.3


def run_trace_indices(run: int) -> tuple[int, int, int]:
    first = STATIC_TRACES + TRACES_PER_RUN * run
    return first, first + 1, first + 2


def hover_grid_trace(landscape: Landscape, per_side: int, action: str) -> dict:
    """A transparent heatmap over the map: hover read-outs of the loss anywhere on it.  One
    image, not per_side² SVG markers, so it costs a replayed frame almost nothing; clicks and
    taps are read to the pixel by ui.bridge, not snapped to its cells."""
    gx, gy, gz = landscape.coarse(per_side)
    return {
        "type": "heatmap",
        "x": screen(gx),
        "y": screen(gy),
        "z": screen(gz),
        "opacity": 0,
        "showscale": False,
        "zsmooth": False,
        "name": "landscape",
        "showlegend": False,
        "hovertemplate": f"loss ≈ %{{z:.4g}} near (%{{x:.2f}}, %{{y:.2f}})<extra>{action}</extra>",
    }


def minima_trace(landscape: Landscape, sizes: Sizes, hover: bool = True) -> dict:
    """The lowest minimum as a white star, other local minima as small white dots (an egg-crate
    of stars hid the map); ``hover=False`` leaves the hover read-out to the grid beneath."""
    lowest = [m in landscape.lowest_minima for m in landscape.minima]
    return {
        "type": "scatter",
        "x": [m.x for m in landscape.minima],
        "y": [m.y for m in landscape.minima],
        "mode": "markers",
        "name": "minimum",
        **({"hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>"} if hover else {"hoverinfo": "skip"}),
        "marker": {
            "symbol": ["star" if low else "circle" for low in lowest],
            "size": [sizes.marker + 6 if low else max(sizes.marker // 2, 6) for low in lowest],
            "color": "#ffffff",
            "line": {"color": "#000000", "width": 1.5},
        },
    }


def outline_of(trace: dict) -> dict:
    """Markers as outlines only: drawn over the runs' markers, a minimum stays visible without
    hiding a run that ends on it (a filled star covered Adam's marker at the minimum)."""
    marker = trace["marker"]
    symbols = marker["symbol"] if isinstance(marker["symbol"], list) else [marker["symbol"]]
    return {
        **trace,
        "marker": {**marker, "symbol": [f"{s}-open" for s in symbols], "color": "#000000", "line": {"width": 1.5}},
    }


def head_sizes(sizes: Sizes, runs: int) -> list[int]:
    """Each run's marker size: the first biggest, each later one (drawn on top) smaller, so markers
    on one point nest like rings and every run still shows (L2 vs AdamW's three end points; GD
    under noisy SGD on Rastrigin).  Never offset: a marker stays on its run's true position."""
    step = min(4, 12 // max(runs - 1, 1))
    return [sizes.marker + 4 + step * (runs - 1 - r) for r in range(runs)]


def goal_traces(goals: list[tuple[Minimum, ...]], page_minima: tuple[Minimum, ...], sizes: Sizes) -> list[dict]:
    """An open star in a run's colour where what it minimises (weight decay, dropout) has its
    own minimum, away from the page's."""
    traces = []
    for r, minima in enumerate(goals):
        own = [m for m in minima if m not in page_minima]
        if own:
            traces.append(
                {
                    "type": "scatter",
                    "x": [m.x for m in own],
                    "y": [m.y for m in own],
                    "mode": "markers",
                    "name": "its own minimum",
                    "hovertemplate": "minimum of what this run minimises (%{x:.4g}, %{y:.4g})<extra></extra>",
                    "showlegend": False,
                    "marker": {
                        "symbol": "star-open",
                        "size": sizes.marker + 8,
                        "color": run_style(r).color,
                        "line": {"width": 3},
                    },
                }
            )
    return traces


def start_trace(start: tuple[float, float], sizes: Sizes, hover: bool = True) -> dict:
    """The common start of every run: an open black ring."""
    return {
        "type": "scatter",
        "x": [start[0]],
        "y": [start[1]],
        "mode": "markers",
        "name": "start",
        **({"hovertemplate": "start (%{x:.4g}, %{y:.4g})<extra></extra>"} if hover else {"hoverinfo": "skip"}),
        "marker": {
            "symbol": "circle-open",
            "size": sizes.marker + 8,
            "color": "#000000",
            "line": {"width": 3, "color": "#000000"},
        },
    }


def map_layout(landscape: Landscape, image_uri: str | None = None) -> dict:
    """Equal-scale x/y axes over the surface's domain, with the banded landscape image below."""
    (x0, x1), (y0, y1) = landscape.surface.domain
    return {
        "xaxis": {
            "range": [x0, x1],
            "title": {"text": "x"},
            "showgrid": False,
            "zeroline": False,
            "constrain": "domain",
        },
        "yaxis": {
            "range": [y0, y1],
            "title": {"text": "y"},
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
        "images": [
            {
                "source": image_uri or image_data_uri(landscape_image(landscape)),
                "xref": "x",
                "yref": "y",
                "x": x0,
                "y": y1,
                "sizex": x1 - x0,
                "sizey": y1 - y0,
                "sizing": "stretch",
                "layer": "below",
            }
        ],
    }


def contour_figure(
    landscape: Landscape,
    runs: list[Trajectory],
    labels: list[str],
    start: tuple[float, float],
    sizes: Sizes,
    frame_ms: int,
    image_uri: str | None = None,
    show_paths: bool = True,
    goals: list[tuple[Minimum, ...]] | None = None,
) -> dict:
    """Figure dict; ``image_uri`` may be passed in when the caller caches the landscape image."""
    surface = landscape.surface
    data = [
        hover_grid_trace(landscape, HOVER_GRID, "click: start here"),
        minima_trace(landscape, sizes),
        start_trace(start, sizes),
    ]
    shown = frame_steps(max(t.steps for t in runs))
    xy = [(screen(t.path[:, 0]), screen(t.path[:, 1])) for t in runs]
    spans = tuple(hi - lo for lo, hi in surface.domain)
    positions = [frame_positions(t, shown) for t in runs]
    head_size = head_sizes(sizes, len(runs))
    for r, label in enumerate(labels):
        style = run_style(r)
        (x, y), (tail, head) = xy[r], positions[r][0]
        path, head_marker = path_and_head(
            "scatter",
            {"x": x, "y": y},
            drawn_points(x, y, extents=spans),
            head,
            label,
            r,
            {"color": style.color, "dash": style.dash, "width": sizes.line},
            {
                "symbol": style.symbol,
                "size": head_size[r],
                "color": style.color,
                "line": {"color": "#ffffff", "width": 2},
            },
            visible=True if show_paths else "legendonly",
            opacity=DIVERGED_PATH_OPACITY if runs[r].outcome.kind == "diverged" else 0.9,
        )
        trail = {
            "type": "scatter",
            "x": x[tail],
            "y": y[tail],
            "mode": "lines",
            "showlegend": False,
            "legendgroup": f"run{r}",
            "hoverinfo": "skip",
            "line": {"color": style.color, "width": sizes.line * 1.6},
        }
        head_marker["hovertemplate"] = f"{label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>"
        data += [path, trail, head_marker]
    # drawn last, as outlines, so run markers never hide where the minima are nor the minima a run
    data.append({**outline_of(minima_trace(landscape, sizes, hover=False)), "showlegend": False})
    # and the start's ring again over the runs' markers, which all sit on it at step 0 (the legend's ◯)
    data.append({**start_trace(start, sizes, hover=False), "showlegend": False})
    data += goal_traces(goals or [], landscape.minima, sizes)
    frames = []
    moving = [i for r in range(len(runs)) for i in run_trace_indices(r)[1:]]
    # each point's coordinates as short numbers once per run; frames then only pick them
    short = [(rounded(x, spans[0]), rounded(y, spans[1])) for x, y in xy]
    for k, step in enumerate(shown):
        frame_data = []
        for (x, y), run_positions in zip(short, positions):
            tail, head = run_positions[k]
            frame_data.append(
                {"x": [x[i] for i in tail], "y": [y[i] for i in tail]}
            )  # a frame's traces keep their type
            frame_data.append({"x": [x[head]], "y": [y[head]]})
        frames.append({"name": str(int(step)), "data": frame_data, "traces": moving})

    layout = base_layout(sizes, f"{surface.name}: paths on the contour map")
    layout.update(map_layout(landscape, image_uri))
    layout.update({"hovermode": "closest", "dragmode": "pan", "uirevision": surface.key, "clickmode": "event"})
    layout["margin"] = {**layout["margin"], "b": controls_margin(sizes.font)}
    layout.update(play_controls([f["name"] for f in frames], frame_ms, redraw=False, sizes_font=sizes.font))
    return {"data": data, "layout": layout, "frames": frames}
