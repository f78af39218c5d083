"""Downloads for notebooks and the web: trajectories as CSV and the animation as standalone
HTML (plotly.js embedded, plays offline, fills the window).  Pictures for slides: slides.py."""

from __future__ import annotations

import csv
import io
from typing import Any

import plotly.io as pio

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import FOLLOW_3D_JS
from optviz.figures.style import TEMPLATE
from optviz.kinds import RunKind


def _hyperparameter_columns(t: Trajectory) -> dict[str, Any]:
    """One column per hyperparameter, named ``hp.<torch name>`` (the step's own ``lr`` column is
    the scheduled value); a pair (Adam's betas) is two, ``hp.betas[0]`` and ``hp.betas[1]``."""
    columns = {}
    for name, value in t.hyperparameters.items():
        if isinstance(value, (tuple, list)):
            columns.update({f"hp.{name}[{i}]": v for i, v in enumerate(value)})
        else:
            columns[f"hp.{name}"] = value
    return columns


def trajectories_csv(runs: list[Trajectory], labels: list[str], kinds: list[RunKind]) -> str:
    """Every point of every run, with what made the run: its kind (GD, Momentum, …), the torch
    optimizer, one column per hyperparameter (blank where a run has none), schedule and gradient."""
    settings = [_hyperparameter_columns(t) for t in runs]
    names = list(dict.fromkeys(name for columns in settings for name in columns))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["run", "label", "kind", "torch_optimizer", *names, "schedule", "gradient", "gradient_value"]
        + ["step", "x", "y", "loss", "lr", "grad_norm", "outcome"]
    )
    for r, (t, label, kind, columns) in enumerate(zip(runs, labels, kinds, settings), start=1):
        about = [r, label, kind.label, kind.spec.torch_class or kind.spec.name]
        about += [columns.get(name, "") for name in names]
        about += [t.schedule, t.gradient, "" if t.gradient_value is None else t.gradient_value]
        for step in range(len(t.path)):
            lr = repr(float(t.lr[step - 1])) if 0 < step <= len(t.lr) else ""
            writer.writerow(
                about
                + [
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
    the browser window (responsive), titled, with the figure's legend (one entry per run:
    clicking one hides that run in every panel) and its 3-D view following ▶ Play as the
    page's does (``FOLLOW_3D_JS``)."""
    figure = dict(figure)
    layout = {k: v for k, v in figure["layout"].items() if k not in ("height", "width")}
    figure["layout"] = dict(
        layout,
        template=TEMPLATE,
        autosize=True,
        title={"text": title, "x": 0.02, "y": 0.98, "yanchor": "top"},
        showlegend=True,
        legend={"orientation": "h", "x": 0.02, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
        margin={**layout.get("margin", {}), "t": 100},
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
        post_script=f"({FOLLOW_3D_JS})(document.getElementById('{{plot_id}}'));",
    )
