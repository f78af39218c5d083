"""Quiz pictures: the map to click guesses on, and the replay that compares them with the truth."""

from __future__ import annotations

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import rounded
from optviz.figures.contour import (
    HOVER_GRID,
    contour_figure,
    hover_grid_trace,
    map_layout,
    minima_trace,
    run_trace_indices,
    start_trace,
)
from optviz.figures.landscape import Landscape
from optviz.figures.style import Sizes, base_layout, run_style
from optviz.quiz import Answer, Point

GROWN_POINTS = 200


def _guess_traces(guesses: dict[int, Point], labels: list[str], sizes: Sizes) -> list[dict]:
    traces = []
    for i, (x, y) in sorted(guesses.items()):
        style = run_style(i)
        traces.append(
            {
                "type": "scatter",
                "x": [x],
                "y": [y],
                "mode": "markers+text",
                "text": ["?"],
                "textposition": "top center",
                "textfont": {"size": sizes.font + 4, "color": style.color},
                "name": f"your guess: {labels[i]}",
                "hovertemplate": "guess (%{x:.3g}, %{y:.3g})<extra></extra>",
                "marker": {
                    "symbol": f"{style.symbol}-open",
                    "size": sizes.marker + 8,
                    "color": style.color,
                    "line": {"width": 3, "color": style.color},
                },
            }
        )
    return traces


def guess_figure(
    landscape: Landscape, image_uri: str, start: Point, guesses: dict[int, Point], labels: list[str], sizes: Sizes
) -> dict:
    data = [
        hover_grid_trace(landscape, HOVER_GRID, "click: guess here"),
        minima_trace(landscape, sizes, hover=False),
        start_trace(start, sizes, hover=False),
    ]
    data += _guess_traces(guesses, labels, sizes)
    # untitled: the page's heading above it asks the question (a title took a sixth of a projector's height)
    layout = base_layout(sizes, "")
    layout["margin"]["t"] = 16 + 2 * sizes.font  # the legend's row
    layout["height"] = sizes.height - 2 * sizes.font  # under the heading and its hint, the x axis fits 720p
    layout.update(map_layout(landscape, image_uri))
    layout["yaxis"]["constraintoward"] = "top"  # on a narrow screen the square map sits under its legend
    layout.update(
        {"hovermode": "closest", "dragmode": False, "clickmode": "event", "uirevision": landscape.surface.key}
    )
    return {"data": data, "layout": layout}


def reveal_figure(
    landscape: Landscape,
    image_uri: str,
    runs: list[Trajectory],
    labels: list[str],
    start: Point,
    answers: list[Answer],
    n: int,
    sizes: Sizes,
    frame_ms: int,
) -> dict:
    """The replay of the first n steps, with each guess joined to the truth by a dashed line.  It
    opens at step 0 and ▶ draws each path as it goes: drawn whole up front, the paths told the
    answer before the replay."""
    figure = contour_figure(landscape, runs, labels, start, sizes, frame_ms, image_uri)
    _grow_paths(figure, runs, landscape.surface.domain)
    guesses = {i: a.guess for i, a in enumerate(answers) if a.guess is not None}
    extra = _guess_traces(guesses, labels, sizes)
    for i, answer in enumerate(answers):
        if answer.guess is None:
            continue
        (gx, gy), (tx, ty) = answer.guess, answer.truth
        extra.append(
            {
                "type": "scatter",
                "x": [gx, tx],
                "y": [gy, ty],
                "mode": "lines",
                "showlegend": False,
                "hovertemplate": f"off by {answer.distance:.3g}<extra></extra>",
                "line": {"color": run_style(i).color, "width": sizes.line, "dash": "dash"},
            }
        )
    figure["data"] = figure["data"] + extra  # after the animated traces: frames address runs by index
    first = "The first step" if n == 1 else f"The first {n} steps"
    figure["layout"]["title"]["text"] = f"{first}: press ▶ to watch them reach your guesses"
    return figure


def _grow_paths(figure: dict, runs: list[Trajectory], domain) -> None:
    """Each run's line holds only its start, and every frame's trail is the path so far (at most
    GROWN_POINTS points of it: a frame per step of a long quiz would resend the whole path)."""
    spans = [hi - lo for lo, hi in domain]
    coordinates = [(rounded(t.path[:, 0], spans[0]), rounded(t.path[:, 1], spans[1])) for t in runs]
    stride = max(1, -(-max(len(x) for x, _ in coordinates) // GROWN_POINTS))
    for r, (x, y) in enumerate(coordinates):
        line = figure["data"][run_trace_indices(r)[0]]
        line["x"], line["y"] = x[:1], y[:1]
    for frame in figure["frames"]:
        step = int(frame["name"])
        for r, (x, y) in enumerate(coordinates):
            end = min(step, len(x) - 1)
            kept = [*range(0, end, stride), end]
            trail = frame["traces"].index(run_trace_indices(r)[1])
            frame["data"][trail] = {"x": [x[i] for i in kept], "y": [y[i] for i in kept]}
