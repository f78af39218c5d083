"""Ensemble pictures: a cloud of seeds on the map, and the loss band over the seeds."""

from __future__ import annotations

import numpy as np

from optviz.ensemble import Ensemble
from optviz.figures.animation import screen
from optviz.figures.contour import map_layout
from optviz.figures.curves import decade_axis, positive
from optviz.figures.landscape import Landscape
from optviz.figures.style import OKABE_ITO, Sizes, base_layout, hex_rgb

CLOUD_OPACITY = 0.55
CLOUD_POINTS = 100  # per seed: a faint cloud needs no more, and K seeds × 2 settings add up


def _joined(paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All seeds as one line trace, NaN-separated, at most CLOUD_POINTS points per seed (payload)."""
    keep = np.unique(np.linspace(0, paths.shape[1] - 1, min(paths.shape[1], CLOUD_POINTS)).astype(int))
    paths = paths[:, keep]
    k, n, _ = paths.shape
    gap = np.full((k, 1, 2), np.nan)
    joined = np.concatenate([paths, gap], axis=1).reshape(k * (n + 1), 2)
    return screen(joined[:, 0]), screen(joined[:, 1])


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = hex_rgb(colour)
    return f"rgba({r},{g},{b},{alpha})"


def cloud_figure(
    landscape: Landscape,
    image_uri: str,
    ensembles: list[Ensemble],
    labels: list[str],
    sizes: Sizes,
    title: str,
    marks: tuple[tuple[str, float, float, str], ...] = (),
    curve: tuple[str, np.ndarray] | None = None,
) -> dict:
    """Every seed's path, faint, and its end point; ``marks`` are (name, x, y, marker symbol),
    ``curve`` a named (m, 2) polyline drawn over them (e.g. theory's solution as p grows)."""
    data = []
    for i, (ens, label) in enumerate(zip(ensembles, labels)):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        x, y = _joined(ens.paths)
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines",
                "name": label,
                "legendgroup": label,
                "hoverinfo": "skip",
                "opacity": CLOUD_OPACITY,
                "line": {"color": colour, "width": 1.5},
            }
        )
        final = ens.paths[:, -1]
        data.append(
            {
                "type": "scatter",
                "x": screen(final[:, 0]),
                "y": screen(final[:, 1]),
                "mode": "markers",
                "name": f"{label}: end points",
                "legendgroup": label,
                "showlegend": False,
                "hovertemplate": "end (%{x:.4g}, %{y:.4g})<extra></extra>",
                "marker": {"color": colour, "size": sizes.marker // 2 + 2, "line": {"color": "#fff", "width": 1}},
            }
        )
    if curve is not None:
        name, points = curve
        data.append(
            {
                "type": "scatter",
                "x": screen(points[:, 0]),
                "y": screen(points[:, 1]),
                "mode": "lines",
                "name": name,
                "hoverinfo": "skip",
                "line": {"color": "#000000", "width": sizes.line, "dash": "dot"},
            }
        )
    for name, x, y, symbol in marks:
        data.append(
            {
                "type": "scatter",
                "x": [x],
                "y": [y],
                "mode": "markers",
                "name": name,
                "hovertemplate": f"{name} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
                "marker": {
                    "symbol": symbol,
                    "size": sizes.marker + 8,
                    "color": "#ffffff",
                    "line": {"color": "#000000", "width": 2},
                },
            }
        )
    layout = base_layout(sizes, title)
    layout.update(map_layout(landscape, image_uri))
    layout.update({"hovermode": "closest", "dragmode": "pan"})
    return {"data": data, "layout": layout}


def loss_band_figure(ensembles: list[Ensemble], labels: list[str], sizes: Sizes, floor: float) -> dict:
    """Median loss above ``floor`` (log axis) with the 10–90 % band of the seeds around it."""
    data = []
    for i, (ens, label) in enumerate(zip(ensembles, labels)):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        low, median, high = (positive(q - floor) for q in ens.loss_band)
        steps = np.arange(len(median))
        data.append(
            {
                "type": "scatter",
                "x": steps,
                "y": screen(low),
                "mode": "lines",
                "legendgroup": label,
                "showlegend": False,
                "hoverinfo": "skip",
                "line": {"width": 0, "color": colour},
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": steps,
                "y": screen(high),
                "mode": "lines",
                "legendgroup": label,
                "fill": "tonexty",
                "fillcolor": _rgba(colour, 0.2),
                "name": f"{label}: 10–90 %",
                "hoverinfo": "skip",
                "line": {"width": 0, "color": colour},
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": steps,
                "y": screen(median),
                "mode": "lines",
                "legendgroup": label,
                "name": f"{label}: median",
                "line": {"color": colour, "width": sizes.line},
                "hovertemplate": "step %{x}: median %{y:.3g}<extra></extra>",
            }
        )
    layout = base_layout(sizes, "Loss above the minimum over the seeds: median and 10–90 % band")
    layout.update(
        {
            "xaxis": {"title": {"text": "step"}},
            "yaxis": {"title": {"text": "loss − minimum"}, **decade_axis(data)},
            "hovermode": "x unified",
        }
    )
    return {"data": data, "layout": layout}
