"""What the network figures share: sizes, the snapshots frames show, diverged runs, log axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from optviz.network.train import TrainResult

LOG_ABOVE_DECADES = 2  # a loss axis turns logarithmic when its values span more than this many decades


def as_figure(built: dict) -> go.Figure:
    """The plain dict the builders make, as a Figure (validation off: the dict is ours, and
    validating 40 frames costs more than building them)."""
    return go.Figure(built, skip_invalid=False, _validate=False)


def finite_snapshots(result: TrainResult) -> int:
    """How many of the run's recorded weight snapshots are finite: all, or those before it diverged."""
    return int(np.isfinite(result.weights).all(axis=1).sum())


def frame_snapshots(result: TrainResult, frames: int) -> np.ndarray:
    """Indices of up to ``frames`` recorded snapshots, evenly spread, the first and the last included."""
    count = len(result.recorded_steps)
    return np.unique(np.linspace(0, count - 1, max(2, min(frames, count))).round().astype(int))


def diverged_title(label: str, result: TrainResult) -> str:
    if result.outcome.kind == "diverged":
        return f"{label}: diverged at step {result.outcome.step}"
    return label


def spans_decades(*series: np.ndarray) -> bool:
    """True when the finite positive values span more than LOG_ABOVE_DECADES decades."""
    values = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series] + [np.array([])])
    values = values[np.isfinite(values) & (values > 0)]
    return values.size > 0 and math.log10(values.max() / values.min()) > LOG_ABOVE_DECADES


def legend_on_top(font: int) -> dict:
    """A horizontal legend under the title, above the plots (it wraps on a narrow screen)."""
    return {
        "orientation": "h",
        "yanchor": "bottom",
        "y": 1.0,
        "x": 0,
        "font": {"size": font},
        "bgcolor": "rgba(255,255,255,0.7)",
    }


def run_indices(count: int, given: Sequence[int] | None) -> list[int]:
    """Each shown run's index in the page's run list: its colour, dash and symbol (``run_style``)."""
    return list(range(count)) if given is None else [int(r) for r in given]
