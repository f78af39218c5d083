"""Cached, bounded computation behind the page.

A view is computed once and shared by every session that opens it: the runs and the
landscape in ``st.cache_data`` (keyed by what the engine reads, the State passed along
unhashed), and each built figure's JSON in ``st.cache_resource`` (immutable text), so the
40th student opening the teacher's link costs little more than Streamlit's own floor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from optviz.engine.simulate import simulate_batch
from optviz.engine.trajectory import Trajectory
from optviz.explain import Objective, explain, objective
from optviz.figures.landscape import Landscape, image_data_uri, landscape_image, make_landscape
from optviz.figures.prebuilt import Encoded, encode
from optviz.figures.style import Sizes
from optviz.state import State
from optviz.urlstate import state_key
from surfaces import Minimum, get_surface, penalised_minima


@dataclass(frozen=True)
class Computed:
    runs: list[Trajectory]
    labels: list[str]
    explanations: list[str]
    verdicts: list[str]  # each explanation's verdict: what the lesson's claims must agree with
    minima: tuple[Minimum, ...]
    goals: list[Objective]  # what each run minimises (its own weight decay or dropout included)


@dataclass(frozen=True)
class View:
    """Everything the tabs draw from: the State, its runs, its landscape, and the keys that
    name them for the caches."""

    state: State
    computed: Computed
    landscape: Landscape
    image_uri: str
    sizes: Sizes
    engine_key: tuple  # what the engine computes: names this view's runs and every tab's own runs

    @property
    def key(self) -> tuple:
        """What this view's figures depend on: the engine's part and the settings declared
        ``figures`` (``State.figure_settings``)."""
        return (self.engine_key, self.state.figure_settings())


def compute_runs(state: State, minima: tuple[Minimum, ...] | None = None) -> Computed:
    surface = get_surface(state.surface)
    kernel_params = surface.kernel_params(dict(state.surface_params))
    if minima is None:
        minima = penalised_minima(surface, kernel_params, state.l1, state.l2)
    runs = simulate_batch(runs=state.run_specs(), minima=minima, **state.engine_args())
    labels = _distinct([r.label() for r in state.runs])
    goals = [objective(t, r.kind, surface, kernel_params, minima, state.l1, state.l2) for t, r in zip(runs, state.runs)]
    told = [explain(t, r.kind, surface, kernel_params, goal) for t, r, goal in zip(runs, state.runs, goals)]
    return Computed(runs, labels, [e.text for e in told], [e.verdict for e in told], minima, goals)


def _distinct(labels: list[str]) -> list[str]:
    """Identical settings still need telling apart in a legend."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} (#{seen[label]})")
    return out


@st.cache_data(max_entries=64, show_spinner=False)
def _runs(key: tuple, _state: State, _minima: tuple[Minimum, ...]) -> Computed:
    return compute_runs(_state, _minima)


@st.cache_data(max_entries=32, show_spinner=False)
def _landscape(surface_key: str, surface_params: tuple, l1: float, l2: float) -> tuple[Landscape, str]:
    surface = get_surface(surface_key)
    kernel_params = surface.kernel_params(dict(surface_params))
    minima = penalised_minima(surface, kernel_params, l1, l2)
    landscape = make_landscape(surface, kernel_params, minima, l1, l2)
    return landscape, image_data_uri(landscape_image(landscape))


def landscape_for(state: State) -> tuple[Landscape, str]:
    return _landscape(state.surface, state.surface_params, float(state.l1), float(state.l2))


def view_for(state: State) -> View:
    """The landscape (and its minima) first, then the runs that are judged against them."""
    landscape, image_uri = landscape_for(state)
    engine_key = state_key(state)
    computed = _runs(engine_key, state, landscape.minima)
    return View(state, computed, landscape, image_uri, Sizes.for_mode(state.presentation, state.screen), engine_key)


@st.cache_resource(max_entries=48, show_spinner=False)  # ~1 MB per view: bounded for the smallest Cloud box
def figure(name: str, key: tuple, _build: Callable[[], dict[str, Any]]) -> Encoded:
    """The JSON of figure ``name`` for ``key`` (a view's key plus the figure's own settings),
    built once for every session; ``_build`` (not hashed) must depend on nothing else."""
    return encode(_build())


def kernel_params_for(state: State) -> np.ndarray:
    return get_surface(state.surface).kernel_params(dict(state.surface_params))
