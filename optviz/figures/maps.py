"""Stability maps and basins of attraction as heatmaps, with invisible click targets on top
(Plotly returns no selection for clicks on heatmaps)."""

from __future__ import annotations

import numpy as np

from optviz.figures.style import PALETTE, Sizes, base_layout
from optviz.maps import BasinMap, StabilityMap

DIVERGED_COLOUR = "#D55E00"
BASIN_COLOURS = tuple(PALETTE[name] for name in ("blue", "orange", "green", "pink", "sky blue", "yellow"))


def _decade_ticks(low: float, high: float) -> dict:
    exps = list(range(int(np.floor(low)), int(np.ceil(high)) + 1))
    return {"tickvals": exps, "ticktext": [f"1e{e}" if e not in (0, 1) else ("1" if e == 0 else "10") for e in exps]}


def stability_figure(
    smap: StabilityMap, title: str, current: tuple[float, float], sizes: Sizes, run_number: int = 1
) -> dict:
    lx = np.log10(smap.lrs)
    r = smap.result
    floor = np.nanmin(np.where(r.is_("diverged"), np.nan, r.final_loss))
    quality = np.log10(np.maximum(r.final_loss - floor, 1e-16))
    quality = np.where(r.is_("diverged"), np.nan, quality)
    diverged = np.where(r.is_("diverged"), 1.0, np.nan)
    gx, gy = np.meshgrid(lx, smap.seconds)
    data = [
        {
            "type": "heatmap",
            "x": lx,
            "y": smap.seconds,
            "z": quality,
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "log₁₀(final loss − best)"}},
            "hoverinfo": "skip",
            "name": "final loss",
        },
        {
            "type": "heatmap",
            "x": lx,
            "y": smap.seconds,
            "z": diverged,
            "showscale": False,
            "hoverinfo": "skip",
            "colorscale": [[0, DIVERGED_COLOUR], [1, DIVERGED_COLOUR]],
            "name": "diverged",
        },
        {
            "type": "scatter",
            "x": gx.ravel(),
            "y": gy.ravel(),
            "mode": "markers",
            "showlegend": False,
            "marker": {"size": 10, "opacity": 0},
            "name": "pick",
            "customdata": np.column_stack([10 ** gx.ravel(), r.outcome.ravel(), r.final_loss.ravel()]),
            "hovertemplate": f"lr=%{{customdata[0]:.3g}}<br>{smap.second_name}=%{{y:.3g}}<br>"
            f"final loss %{{customdata[2]:.3g}}<extra>click: load into run {run_number}</extra>",
        },
        {
            "type": "scatter",
            "x": [np.log10(current[0])],
            "y": [current[1]],
            "mode": "markers",
            "name": "this run",
            "marker": {
                "symbol": "star",
                "size": sizes.marker + 8,
                "color": "#ffffff",
                "line": {"color": "#000", "width": 2},
            },
        },
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "name": "diverged",
            "marker": {"symbol": "square", "size": sizes.marker, "color": DIVERGED_COLOUR},
        },
    ]
    if smap.bound_lr is not None:
        # black dashes on a white halo: seen on dark cells, orange cells and the legend's white background
        theory = {"type": "scatter", "x": np.log10(smap.bound_lr), "y": smap.seconds, "mode": "lines"}
        theory.update(legendgroup="theory", hoverinfo="skip")
        data.append({**theory, "showlegend": False, "line": {"color": "#ffffff", "width": sizes.line + 5}})
        data.append(
            {
                **theory,
                "name": "theory: stable below this lr",
                "line": {"color": "#000000", "width": sizes.line + 1, "dash": "dash"},
            }
        )
    layout = base_layout(sizes, title)
    layout.update(
        {
            "xaxis": {
                "title": {"text": "learning rate (log)"},
                **_decade_ticks(lx[0], lx[-1]),
                "range": [lx[0], lx[-1]],
            },
            "yaxis": {"title": {"text": smap.second_name}, "range": [smap.seconds[0], smap.seconds[-1]]},
            "hovermode": "closest",
            "clickmode": "event+select",
            "dragmode": False,
        }
    )
    return {"data": data, "layout": layout}


def basin_categories(bmap: BasinMap) -> np.ndarray:
    """−2 diverged or escaped, −1 did not settle, k: reached minimum k."""
    r = bmap.result
    cats = np.where(r.minimum_index >= 0, r.minimum_index, -1).astype(float)
    cats[r.is_("diverged") | r.is_("escaped")] = -2
    return cats


def basin_figure(bmap: BasinMap, title: str, sizes: Sizes, start: tuple[float, float]) -> dict:
    cats = basin_categories(bmap)
    shown = [int(k) for k in np.unique(cats[cats >= 0])][: len(BASIN_COLOURS)]
    index = {k: i for i, k in enumerate(shown)}
    z = np.full(cats.shape, np.nan)
    for k, i in index.items():
        z[cats == k] = i
    n = max(len(shown), 1)
    scale = []
    for i in range(n):
        scale += [[i / n, BASIN_COLOURS[i]], [(i + 1) / n, BASIN_COLOURS[i]]]
    data = [
        {
            "type": "heatmap",
            "x": bmap.xs,
            "y": bmap.ys,
            "z": z,
            "zmin": -0.5,
            "zmax": n - 0.5,
            "colorscale": scale,
            "showscale": False,
            "hoverinfo": "skip",
            "name": "basins",
        },
        {
            "type": "heatmap",
            "x": bmap.xs,
            "y": bmap.ys,
            "z": np.where(cats == -2, 1.0, np.nan),
            "colorscale": [[0, "#222222"], [1, "#222222"]],
            "showscale": False,
            "hoverinfo": "skip",
        },
        {
            "type": "heatmap",
            "x": bmap.xs,
            "y": bmap.ys,
            "z": np.where(cats == -1, 1.0, np.nan),
            "colorscale": [[0, "#dddddd"], [1, "#dddddd"]],
            "showscale": False,
            "hoverinfo": "skip",
        },
    ]
    for k in shown:
        m = bmap.minima[k]
        data.append(
            {
                "type": "scatter",
                "x": [m.x],
                "y": [m.y],
                "mode": "markers",
                "name": f"reaches ({m.x:.3g}, {m.y:.3g})",
                "marker": {
                    "symbol": "star",
                    "size": sizes.marker + 6,
                    "color": BASIN_COLOURS[index[k]],
                    "line": {"color": "#000", "width": 1.5},
                },
            }
        )
    for colour, label, count in (
        ("#222222", "diverged / escaped", (cats == -2).sum()),
        ("#dddddd", "did not settle", (cats == -1).sum()),
    ):
        if count:
            data.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "markers",
                    "name": label,
                    "marker": {"symbol": "square", "size": sizes.marker, "color": colour},
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [start[0]],
            "y": [start[1]],
            "mode": "markers",
            "name": "current start",
            "marker": {"symbol": "circle-open", "size": sizes.marker + 6, "color": "#000", "line": {"width": 3}},
        }
    )
    layout = base_layout(sizes, title)
    layout.update(
        {
            "xaxis": {"title": {"text": "start x"}, "constrain": "domain"},
            "yaxis": {"title": {"text": "start y"}, "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
            "height": int(sizes.height * 0.9),
        }
    )
    return {"data": data, "layout": layout}
