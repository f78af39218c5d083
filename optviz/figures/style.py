"""Run styles and sizes shared by every view, so a run looks the same everywhere.

Colours are the Okabe–Ito palette (distinguishable with colour-blindness); each run also has
its own dash and marker so the views read in greyscale and on a washed-out projector.
"""

from __future__ import annotations

from dataclasses import dataclass

OKABE_ITO = ("#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross")
SYMBOLS_3D = ("circle", "square", "diamond", "cross", "x", "circle-open")
TEMPLATE = "plotly_white"  # explicit: Streamlit's placeholder template renders nearly black when exported


@dataclass(frozen=True)
class RunStyle:
    color: str
    dash: str
    symbol: str
    symbol_3d: str


def run_style(index: int) -> RunStyle:
    i = index % len(OKABE_ITO)
    return RunStyle(OKABE_ITO[i], DASHES[i], SYMBOLS[i], SYMBOLS_3D[i])


@dataclass(frozen=True)
class Sizes:
    font: int
    title: int
    line: float
    marker: int
    height: int

    @staticmethod
    def for_mode(presentation: bool) -> "Sizes":
        if presentation:
            return Sizes(font=22, title=28, line=5.0, marker=20, height=760)
        return Sizes(font=14, title=18, line=2.5, marker=12, height=560)


def base_layout(sizes: Sizes, title: str) -> dict:
    return {
        "template": TEMPLATE,
        "title": {"text": title, "font": {"size": sizes.title}},
        "font": {"size": sizes.font},
        "height": sizes.height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 40},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": sizes.font}},
    }
