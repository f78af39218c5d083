"""What the network figures share: sizes, the snapshots frames show, diverged runs, log axes."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from optviz.figures.animation import evenly
from optviz.figures.style import run_style
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
    """Indices of up to ``frames`` recorded snapshots a whole stride apart, the first and the last included."""
    return evenly(len(result.recorded_steps) - 1, max(1, frames - 1))


# each run's marker (style.SYMBOLS) as a character, for titles and keys in text
SYMBOL_CHARS = {"circle": "●", "square": "■", "diamond": "◆", "triangle-up": "▲", "x": "✕", "cross": "✚"}


def run_mark(r: int) -> str:
    """The run's marker, in its colour: ties a panel's title to the run's curves and best-validation marker."""
    style = run_style(r)
    return f'<span style="color:{style.color}">{SYMBOL_CHARS.get(style.symbol, "■")}</span>'


def wrap_parts(text: str, chars: int, separator: str = " · ") -> list[str]:
    """``text`` in lines of at most ``chars`` characters, broken only after a separator (a run's
    label is "Adam · lr 0.003 · dropout 0.5"); a part longer than a line gets its own line."""
    parts = text.split(separator)
    lines = [parts[0]]
    for part in parts[1:]:
        joined = f"{lines[-1]}{separator}{part}"
        if len(joined) <= chars:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines


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


# a legend's room (px; Plotly wraps it at the plot area's width) beside the decision panels at
# 1440 px with the sidebar open, at 1280 px in Presentation mode, and on a phone
LEGEND_WIDTH_PX = {"laptop": 370, "presentation": 320, "phone": 250}
WIDE_LEGEND_WIDTH_PX = {"laptop": 880, "presentation": 1000, "phone": 250}  # a chart the page's whole width


def screen_name(presentation: bool, phone: bool) -> str:
    return "phone" if phone else "presentation" if presentation else "laptop"


LEGEND_ENTRY_PX = 46  # an entry's symbol and gaps


def legend_rows(names: Sequence[str], font: int, width: float) -> int:
    """Rows a horizontal legend of ``names`` wraps to in ``width`` px (entries packed left to
    right, each its text at ~0.58 font sizes a character plus its symbol).  A name's HTML (a run's
    coloured marker) is markup, not width."""
    rows, used = 1, 0.0
    for name in names:
        entry = LEGEND_ENTRY_PX + 0.58 * font * len(re.sub(r"<[^>]*>", "", name))
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows
