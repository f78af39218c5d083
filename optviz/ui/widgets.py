"""One widget per declared Param, so every control is generated from the same declaration."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from optviz.params import Param

_MANTISSAS = (1.0, 2.0, 5.0)
VIEW_PICKER = "views"  # the container around a page's row of views


def log_grid(low: float, high: float) -> list[float]:
    """1-2-5 steps per decade between low and high, as users think of learning rates."""
    values = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in _MANTISSAS:
            v = float(f"{m}e{exponent}")
            if low <= v <= high:
                values.append(v)
    return values


def _step(p: Param) -> float:
    span = p.high - p.low
    return 10.0 ** math.floor(math.log10(span / 100.0)) if span > 0 else 0.01


def seed_value(key: str, p: Param, value: Any) -> None:
    """Put ``value`` where the widget for ``p`` under ``key`` will read it."""
    if p.kind == "pair":
        st.session_state[f"{key}_0"], st.session_state[f"{key}_1"] = float(value[0]), float(value[1])
    elif p.kind == "int":
        st.session_state[key] = int(value)
    elif p.kind == "bool":
        st.session_state[key] = bool(value)
    else:
        st.session_state[key] = float(value)


def read_value(key: str, p: Param) -> Any:
    if p.kind == "pair":
        return (st.session_state[f"{key}_0"], st.session_state[f"{key}_1"])
    return st.session_state[key]


def param_widget(key: str, p: Param, label: str | None = None, container=st, in_use: Any = None) -> None:
    """Render the widget for ``p``; its value lives in st.session_state[key].  Number boxes take
    any number, and one outside ``p``'s range gets a message under the box that names the field,
    the allowed range and ``in_use``, the value the page uses instead."""
    label = label or p.name
    helptext = p.help + (f" Range {p.range_text()}." if p.kind != "bool" else "")
    if p.kind == "bool":
        container.checkbox(label, key=key, help=helptext)
    elif p.kind == "pair":
        left, right = container.columns(2)
        for i, column in enumerate((left, right)):
            column.number_input(f"{label}[{i}]", step=0.001, format="%.4g", key=f"{key}_{i}", help=helptext)
    elif p.kind == "int":
        container.number_input(label, step=1, key=key, help=helptext)
    elif p.scale == "log" and p.low > 0:
        current = st.session_state.get(key, p.default)
        options = sorted(set(log_grid(p.low, p.high)) | {float(current)})
        container.select_slider(
            label,
            options=options,
            key=key,
            format_func=lambda v: f"{v:g}",
            help=helptext + " Log scale: use ← → to step.",
        )
    else:
        container.number_input(label, step=_step(p), format="%.4g", key=key, help=helptext)
    rejected(container, label, p, read_value(key, p), in_use)


def rejected(container, label: str, p: Param, value: Any, in_use: Any) -> None:
    """Say, next to the field, why a typed value is not applied."""
    try:
        p.validate(value)
    except ValueError:
        shown = ", ".join(f"{v:g}" for v in value) if isinstance(value, tuple) else f"{value:g}"
        using = "" if in_use is None else f"; using {format_number(in_use)}"
        container.error(f"{label} = {shown} is outside {p.range_text()}{using}.", icon="⚠️")


def format_number(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def run_index(key: str, n_runs: int) -> int:
    """The run a picker points at, reset to run 1 when the runs changed under it
    (the browser can hand back the old label instead of an index)."""
    value = st.session_state.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n_runs:
        st.session_state[key] = value = 0
    return value


def run_picker(container, label: str, key: str, labels: list[str], **kwargs) -> int:
    """A selectbox over run indices, shown by their legend labels.  When the labels change (a map
    cell loaded new settings) the choice is sent again: the browser holds the chosen option's
    text and otherwise keeps showing the old run's label."""
    index = run_index(key, len(labels))
    drawn = f"_{key}_labels"
    if st.session_state.get(drawn) != labels:
        st.session_state[drawn] = list(labels)
        st.session_state[key] = index
    return container.selectbox(label, range(len(labels)), key=key, format_func=lambda i: labels[i], **kwargs)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>~$])")  # the ones that format mid-sentence


def plain(text: str) -> str:
    """Text shown exactly as typed: Streamlit renders messages as Markdown, where
    ``__class__`` would turn bold and lose its underscores."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def view_picker(key: str, labels: Mapping[str, str], shown: Sequence[str] | None = None, phone: bool = False) -> str:
    """The row of views above a page's pictures (Paths, Curves, …); returns the open one's id.
    On a phone the row scrolls sideways, as tabs do, instead of taking four rows above the map.

    One segmented control, not st.tabs, with only the open view's body drawn: st.tabs re-rendered
    its panels' frame on every rerun (a slider change, alternated in one browser: 257 -> 237 ms)."""
    shown = list(shown or labels)
    if st.session_state.get(key) not in shown:  # first visit, or a view a quiz now hides
        st.session_state[key] = shown[0]
    with st.container(key=VIEW_PICKER):  # styled by views.PAGE_CSS
        return st.segmented_control(
            "View",
            shown,
            key=key,
            format_func=labels.__getitem__,
            required=True,
            label_visibility="collapsed",
            wrap=not phone,
        )
