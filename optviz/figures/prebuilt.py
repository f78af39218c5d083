"""Hand Streamlit a figure without Plotly re-validating or re-encoding it.

Constructing ``go.Figure`` from 150 animation frames costs ~180 ms even with validation off,
so figures are built as plain dicts (from our own code, never from user text) and encoded
here once (``encode``; the page keeps built JSON in a cache shared by every session).
Streamlit accepts any ``BaseFigure`` and serialises ``figure.to_dict()`` with
``plotly.io.to_json``: ``PrebuiltFigure``'s dict is an ``_EncodedDict``, and
``plotly.io.to_json`` is wrapped to return the text it carries.

Streamlit hands each new figure to ``Plotly.react`` twice: once when the chart mounts, once more
after re-parsing it (new objects, same content).  The second call is a full redraw (35-50 ms of a
slider change in headless Chromium) unless Plotly can tell nothing changed: so the encoded
layout carries no template object (its defaults are folded in: a template is compared by
identity) and a ``datarevision`` named after the content (data arrays are then not compared
by identity).
"""

from __future__ import annotations

import copy
import hashlib
import re
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


_REVISION = "optviz-content-revision"  # replaced in the text by a digest of the text around it
_PER_ITEM = {"annotationdefaults": "annotations", "shapedefaults": "shapes", "imagedefaults": "images"}
_SCENE_TRACES = {"surface", "scatter3d", "mesh3d", "cone", "streamtube", "isosurface", "volume"}
_STYLES_ONLY = {"title"}  # a template styles a chart's title, never makes one: untitled stays untitled


def _under(defaults: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` over ``defaults``, nested objects merged, as a template fills in a layout."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _under(merged[key], value)
        else:
            merged[key] = value
    return merged


def _axes(figure: dict[str, Any]) -> dict[str, set[str]]:
    """Every axis and subplot (3-D scene, polar…) of ``figure``, by the template entry that styles
    it: those its layout names, and the axes and scenes its traces use (a trace's default axis
    may have no layout entry)."""
    axes: dict[str, set[str]] = {kind: set() for kind in ("xaxis", "yaxis", "scene", "polar", "ternary", "geo")}
    for name in figure.get("layout", {}):
        kind = re.sub(r"\d+$", "", name)
        if kind in axes:
            axes[kind].add(name)
    for trace in figure.get("data", []):
        if trace.get("type") in _SCENE_TRACES:
            axes["scene"].add(trace.get("scene", "scene"))
        else:
            axes["xaxis"].add("xaxis" + trace.get("xaxis", "x")[1:])
            axes["yaxis"].add("yaxis" + trace.get("yaxis", "y")[1:])
    return axes


def fold_template(figure: dict[str, Any]) -> dict[str, Any]:
    """``figure``'s layout with its template's layout defaults written into it, the template gone:
    plotly.js draws the same.  Axis defaults go to every axis of their kind (xaxis2…), item
    defaults (annotationdefaults…) to every item."""
    layout = figure.get("layout", {})
    template = layout.get("template", {}).get("layout", {})
    folded = {k: v for k, v in layout.items() if k != "template"}
    axes = _axes(figure) if template else {}
    for key, defaults in template.items():
        if key in axes:
            for name in axes[key]:
                folded[name] = _under(defaults, folded.get(name, {}))
        elif key in _PER_ITEM:
            if folded.get(_PER_ITEM[key]):
                folded[_PER_ITEM[key]] = [_under(defaults, item) for item in folded[_PER_ITEM[key]]]
        elif key in _STYLES_ONLY and key not in folded:
            continue
        elif isinstance(defaults, dict):
            folded[key] = _under(defaults, folded.get(key, {}))
        else:
            folded.setdefault(key, defaults)
    return folded


def encode(figure: dict[str, Any]) -> Encoded:
    """The JSON Streamlit would send for ``figure`` (trace uids dropped, arrays as base64, the
    template folded in, a revision named after the content)."""
    for trace in figure.get("data", []):
        trace.pop("uid", None)
    layout = {**fold_template(figure), "datarevision": _REVISION}
    text = to_json_plotly({**figure, "layout": layout})
    stamp = f'"datarevision":"{_REVISION}"'
    text = text.replace(stamp, stamp.replace(_REVISION, hashlib.sha1(text.encode()).hexdigest()[:16]), 1)
    return Encoded(text, tuple((k, layout[k]) for k in ("width", "height") if k in layout))


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
        self._prebuilt = _EncodedDict(figure if isinstance(figure, Encoded) else encode(figure))

    def to_dict(self) -> dict[str, Any]:  # what st.plotly_chart and plotly.io serialise
        return self._prebuilt

    def to_plotly_json(self) -> dict[str, Any]:
        return self._prebuilt
