"""Run styles and sizes shared by every view, so a run looks the same everywhere.

Colours are the Okabe–Ito palette (distinguishable with colour-blindness); each run also has
its own dash and marker so the views read in greyscale and on a washed-out projector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.io as pio

# The Okabe–Ito palette by name: every colour any view draws comes from here.
PALETTE = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "pink": "#CC79A7",
    "black": "#000000",
}
COLOUR_NAMES = {colour: name for name, colour in PALETTE.items()}
# Runs, ordered so the first runs differ most on a washed-out projector (orange and vermillion are 5th apart).
OKABE_ITO = tuple(PALETTE[name] for name in ("orange", "blue", "green", "pink", "vermillion", "sky blue"))
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross")
SYMBOLS_3D = ("circle", "square", "diamond", "cross", "x", "circle-open")
# An explicit template object (not the name: plotly.js only understands objects; names are a
# Python-side convenience).  Exported files then look the same as the page, never the
# near-black placeholder template Streamlit installs.  Layout part only: 2.8 kB per figure.
TEMPLATE = {"layout": pio.templates["plotly_white"].layout.to_plotly_json()}


def marker_shape(symbol: str, x: float, y: float, r: float) -> tuple[str, list[tuple[float, float]]]:
    """A run's map marker (``SYMBOLS``) centred on (x, y), for the drawings outside Plotly (the
    page legend's SVG, the slide stills): ("circle", [centre]) of radius r, ("polygon", corners)
    or ("strokes", [end, end, end, end]): two bars, for "x" and "cross"."""
    if symbol == "circle":
        return "circle", [(x, y)]
    if symbol == "square":
        return "polygon", [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    if symbol == "diamond":
        return "polygon", [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    if symbol == "triangle-up":
        return "polygon", [(x, y - r * 1.3), (x + r * 1.2, y + r), (x - r * 1.2, y + r)]
    turn = 45 if symbol == "x" else 0
    ends = []
    for angle in (turn, turn + 90):
        dx, dy = r * 1.3 * math.cos(math.radians(angle)), r * 1.3 * math.sin(math.radians(angle))
        ends += [(x - dx, y - dy), (x + dx, y + dy)]
    return "strokes", ends


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """ "#E69F00" → (230, 159, 0)."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


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
    def for_mode(presentation: bool, screen: str = "720p") -> Sizes:
        """Laptop sizes, or a projector's: 720p fits map (half the screen's height) and Play in
        1280×720 under the tabs, the lesson and legend beside them (views.paths);
        1080p lets the map take most of a 1920×1080 screen."""
        if presentation and screen == "1080p":
            return Sizes(font=22, title=28, line=5.5, marker=20, height=820)
        if presentation:
            return Sizes(font=20, title=26, line=5.0, marker=18, height=560)
        return Sizes(font=14, title=18, line=2.5, marker=12, height=560)


def base_layout(sizes: Sizes, title: str) -> dict:
    return {
        "template": TEMPLATE,
        "title": {"text": title, "font": {"size": sizes.title}, "y": 0.99, "yanchor": "top", "x": 0.02},
        "font": {"size": sizes.font},
        "height": sizes.height,
        "margin": {"l": 60, "r": 20, "t": 40 + 5 * sizes.font, "b": 40},
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.01,
            "x": 0,
            "font": {"size": sizes.font},
            "bgcolor": "rgba(255,255,255,0.7)",
        },
    }
