"""The inspector's picture: one step of one run, with its vectors and per-coordinate lr."""

from __future__ import annotations

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import screen
from optviz.figures.contour import map_layout
from optviz.figures.landscape import Landscape
from optviz.figures.style import Sizes, base_layout, run_style
from optviz.internals import Inspection, arrow_scale

ARROW_COLOURS = {"gradient": "#D55E00", "memory": "#0072B2", "step": "#000000"}
GLYPH_FRACTION = 0.08  # the larger effective-lr semi-axis, as a share of the plotted span


def inspector_figure(landscape: Landscape, image_uri: str, traj: Trajectory, run_index: int, label: str,
                     inspection: Inspection, sizes: Sizes) -> tuple[dict, float]:
    """(figure, arrow scale): the path so far, arrows from the point before the step, the lr ellipse."""
    span = landscape.surface.span
    scale = arrow_scale(inspection, span)
    style = run_style(run_index)
    upto = traj.path[: inspection.step + 1]
    x, y = inspection.before
    data = [
        {"type": "scatter", "x": screen(upto[:, 0]), "y": screen(upto[:, 1]), "mode": "lines+markers",
         "name": f"{label}: steps 0–{inspection.step}", "hoverinfo": "skip",
         "line": {"color": style.color, "width": sizes.line}, "marker": {"size": sizes.marker // 2}},
        {"type": "scatter", "x": [m.x for m in landscape.minima], "y": [m.y for m in landscape.minima],
         "mode": "markers", "name": "minimum", "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
         "marker": {"symbol": "star", "size": sizes.marker + 6, "color": "#ffffff",
                    "line": {"color": "#000000", "width": 1.5}}},
    ]
    annotations = []
    for arrow in inspection.arrows:
        colour = ARROW_COLOURS[arrow.key]
        dx, dy = arrow.vector[0] * scale, arrow.vector[1] * scale
        annotations.append({"x": x + dx, "y": y + dy, "ax": x, "ay": y, "xref": "x", "yref": "y", "axref": "x",
                            "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowsize": 1.2,
                            "arrowwidth": sizes.line * 1.2, "arrowcolor": colour, "text": ""})
        # a legend entry per arrow (annotations have none)
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines", "name": arrow.label,
                     "line": {"color": colour, "width": sizes.line * 1.2}})
    if inspection.effective_lr is not None:
        ex, ey = inspection.effective_lr
        peak = max(ex, ey)
        if peak > 0 and np.isfinite(peak):
            angle = np.linspace(0, 2 * np.pi, 73)
            rx, ry = GLYPH_FRACTION * span * ex / peak, GLYPH_FRACTION * span * ey / peak
            data.append({"type": "scatter", "x": screen(x + rx * np.cos(angle)), "y": screen(y + ry * np.sin(angle)),
                         "mode": "lines", "name": f"effective lr per coordinate (x: {ex:.3g}, y: {ey:.3g})",
                         "hoverinfo": "skip", "line": {"color": "#009E73", "width": sizes.line, "dash": "dot"}})
    data.append({"type": "scatter", "x": [x], "y": [y], "mode": "markers", "name": f"θ before step {inspection.step}",
                 "hovertemplate": "(%{x:.5g}, %{y:.5g})<extra></extra>",
                 "marker": {"symbol": style.symbol, "size": sizes.marker + 4, "color": style.color,
                            "line": {"color": "#ffffff", "width": 2}}})
    layout = base_layout(sizes, f"Step {inspection.step}: arrows drawn ×{scale:.3g}, to one common scale")
    layout.update(map_layout(landscape, image_uri))
    layout.update({"annotations": annotations, "hovermode": "closest", "dragmode": "pan",
                   "legend": {**layout["legend"], "y": -0.12, "yanchor": "top"}})
    layout["margin"] = {**layout["margin"], "b": 40 + 6 * sizes.font}
    return {"data": data, "layout": layout}, scale
