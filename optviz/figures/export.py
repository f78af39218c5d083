"""Downloads for notebooks and the web: trajectories as CSV and the animation as standalone
HTML (plotly.js embedded, plays offline, fills the window).  Pictures for slides: slides.py."""

from __future__ import annotations

import csv
import io

import plotly.io as pio

from optviz.engine.trajectory import Trajectory
from optviz.figures.style import TEMPLATE


def trajectories_csv(runs: list[Trajectory], labels: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["run", "label", "optimizer", "step", "x", "y", "loss", "lr", "grad_norm", "outcome"])
    for r, (t, label) in enumerate(zip(runs, labels), start=1):
        for step in range(len(t.path)):
            lr = repr(float(t.lr[step - 1])) if 0 < step <= len(t.lr) else ""
            writer.writerow(
                [
                    r,
                    label,
                    t.optimizer,
                    step,
                    repr(float(t.path[step, 0])),
                    repr(float(t.path[step, 1])),
                    repr(float(t.loss[step])),
                    lr,
                    repr(float(t.grad_norm[step])),
                    t.outcome.kind,
                ]
            )
    return out.getvalue()


def standalone_html(figure: dict, title: str) -> str:
    """Self-contained HTML (~5 MB: plotly.js inlined) with an explicit light template, sized to
    the browser window (responsive) and titled."""
    figure = dict(figure)
    layout = {k: v for k, v in figure["layout"].items() if k not in ("height", "width")}
    figure["layout"] = dict(
        layout,
        template=TEMPLATE,
        autosize=True,
        title={"text": title, "x": 0.02, "y": 0.98, "yanchor": "top"},
        margin={**layout.get("margin", {}), "t": 60},
    )
    return pio.to_html(
        figure,
        include_plotlyjs=True,
        full_html=True,
        validate=False,
        auto_play=False,
        default_width="100%",
        default_height="100vh",
        config={"responsive": True},
    )
