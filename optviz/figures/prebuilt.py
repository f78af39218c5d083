"""Hand Streamlit a figure without Plotly re-validating or re-encoding it.

Constructing ``go.Figure`` from 150 animation frames costs ~180 ms even with validation off,
so figures are built as plain dicts (from our own code, never from user text).  Streamlit
accepts any ``BaseFigure`` and serialises ``figure.to_dict()`` with ``plotly.io.to_json``;
``PrebuiltFigure`` returns the dict we built.  A figure already encoded (the page keeps
built JSON in a cache shared by every session) skips the encoding too: its dict is an
``_EncodedDict`` and ``plotly.io.to_json`` is wrapped to return the text it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.json import to_json_plotly


@dataclass(frozen=True)
class Encoded:
    """A figure's JSON text, and the layout sizes Streamlit reads before sending it."""

    text: str
    sizes: tuple[tuple[str, Any], ...]


def encode(figure: dict[str, Any]) -> Encoded:
    """The JSON Streamlit would send for ``figure`` (trace uids dropped, arrays as base64)."""
    for trace in figure.get("data", []):
        trace.pop("uid", None)
    layout = figure.get("layout", {})
    return Encoded(to_json_plotly(figure), tuple((k, layout[k]) for k in ("width", "height") if k in layout))


class _EncodedDict(dict):
    def __init__(self, encoded: Encoded):
        super().__init__(data=[], layout=dict(encoded.sizes))
        self.text = encoded.text


_plain_to_json = pio.to_json


def _to_json(fig, *args, **kwargs):
    if isinstance(fig, _EncodedDict):
        return fig.text
    return _plain_to_json(fig, *args, **kwargs)


pio.to_json = _to_json


class PrebuiltFigure(go.Figure):
    def __init__(self, figure: dict[str, Any] | Encoded):
        super().__init__()
        self._prebuilt = _EncodedDict(figure) if isinstance(figure, Encoded) else figure

    def to_dict(self) -> dict[str, Any]:  # what st.plotly_chart and plotly.io serialise
        return self._prebuilt

    def to_plotly_json(self) -> dict[str, Any]:
        return self._prebuilt
