"""The inspector's picture: one step of one run, with its vectors and per-coordinate lr."""

from __future__ import annotations

import math

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import screen
from optviz.figures.contour import map_layout, minima_trace
from optviz.figures.landscape import Landscape
from optviz.figures.style import PALETTE, Sizes, base_layout, run_style
from optviz.internals import Inspection, arrow_scale

ARROW_COLOURS = {"gradient": PALETTE["vermillion"], "memory": PALETTE["blue"], "step": PALETTE["black"]}
GLYPH_COLOUR = PALETTE["green"]
# the nearest colours Streamlit's Markdown knows, for the key beside the figure
MARKDOWN_COLOURS = {"gradient": "red", "memory": "blue", "step": "gray", "glyph": "green"}
ARROW_FRACTION = 0.2  # the longest arrow (or every arrow, for directions) as a share of the span
GLYPH_FRACTION = 0.08  # the larger effective-lr semi-axis, as a share of the plotted span


def inspector_figure(
    landscape: Landscape,
    image_uri: str,
    traj: Trajectory,
    run_index: int,
    label: str,
    inspection: Inspection,
    sizes: Sizes,
    equal_lengths: bool = False,
) -> tuple[dict, float]:
    """(figure, arrow scale): the path so far, arrows from the point before the step, the lr ellipse.

    ``equal_lengths`` draws every arrow equally long, to compare directions when one is tiny."""
    span = landscape.surface.span
    scale = arrow_scale(inspection, span, ARROW_FRACTION)
    style = run_style(run_index)
    upto = traj.path[: inspection.step + 1]
    x, y = inspection.before
    data = [
        {
            "type": "scatter",
            "x": screen(upto[:, 0]),
            "y": screen(upto[:, 1]),
            "mode": "lines+markers",
            "name": f"{label}: steps 0–{inspection.step}",
            "hoverinfo": "skip",
            "line": {"color": style.color, "width": sizes.line},
            "marker": {"size": sizes.marker // 2},
        },
        minima_trace(landscape, sizes),
    ]
    annotations = []
    for arrow in inspection.arrows:
        colour = ARROW_COLOURS[arrow.key]
        length = math.hypot(*arrow.vector)
        factor = ARROW_FRACTION * span / length if equal_lengths and length > 0 else scale
        dx, dy = arrow.vector[0] * factor, arrow.vector[1] * factor
        annotations.append(
            {
                "x": x + dx,
                "y": y + dy,
                "ax": x,
                "ay": y,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 3,
                "arrowsize": 1.2,
                "arrowwidth": sizes.line * 1.2,
                "arrowcolor": colour,
                "text": "",
            }
        )
        # a legend entry per arrow (annotations have none)
        data.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "name": arrow.label,
                "line": {"color": colour, "width": sizes.line * 1.2},
            }
        )
    if inspection.effective_lr is not None:
        ex, ey = inspection.effective_lr
        peak = max(ex, ey)
        if peak > 0 and np.isfinite(peak):
            angle = np.linspace(0, 2 * np.pi, 73)
            rx, ry = GLYPH_FRACTION * span * ex / peak, GLYPH_FRACTION * span * ey / peak
            data.append(
                {
                    "type": "scatter",
                    "x": screen(x + rx * np.cos(angle)),
                    "y": screen(y + ry * np.sin(angle)),
                    "mode": "lines",
                    "name": f"effective lr per coordinate (x: {ex:.3g}, y: {ey:.3g})",
                    "hoverinfo": "skip",
                    "line": {"color": GLYPH_COLOUR, "width": sizes.line, "dash": "dot"},
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [x],
            "y": [y],
            "mode": "markers",
            "name": f"θ before step {inspection.step}",
            "hovertemplate": "(%{x:.5g}, %{y:.5g})<extra></extra>",
            "marker": {
                "symbol": style.symbol,
                "size": sizes.marker + 4,
                "color": style.color,
                "line": {"color": "#ffffff", "width": 2},
            },
        }
    )
    how = "directions only (equal lengths)" if equal_lengths else f"arrows drawn ×{scale:.3g}, to one common scale"
    layout = base_layout(sizes, f"Step {inspection.step}: {how}")
    layout.update(map_layout(landscape, image_uri))
    # the key is written beside the figure: a legend here would take the room the map needs
    layout.update({"annotations": annotations, "hovermode": "closest", "dragmode": "pan", "showlegend": False})
    layout["margin"] = {**layout["margin"], "t": 50 + 2 * sizes.font}
    return {"data": data, "layout": layout}, scale
