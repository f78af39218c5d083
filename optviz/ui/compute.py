"""Cached, bounded computation behind the page (pure functions of the State's key)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from optviz.engine.landscape import penalised_minima
from optviz.engine.simulate import simulate_batch
from optviz.engine.trajectory import Trajectory
from optviz.explain import explain
from optviz.figures.landscape import Landscape, image_data_uri, landscape_image, make_landscape
from optviz.state import State
from optviz.urlstate import decode, state_key
from surfaces import Minimum, get_surface


@dataclass(frozen=True)
class Computed:
    runs: list[Trajectory]
    labels: list[str]
    explanations: list[str]
    minima: tuple[Minimum, ...]


@st.cache_data(max_entries=64, show_spinner=False)
def _runs(key: tuple[tuple[str, str], ...]) -> Computed:
    state, _ = decode({k: [v] for k, v in key})
    return compute_runs(state)


def compute_runs(state: State) -> Computed:
    surface = get_surface(state.surface)
    surface_params = dict(state.surface_params)
    runs = simulate_batch(state.surface, state.run_specs(), state.steps, l1=state.l1, l2=state.l2,
                          surface_params=surface_params)
    kernel_params = surface.kernel_params(surface_params)
    minima = penalised_minima(surface, kernel_params, state.l1, state.l2)
    labels = _distinct([r.label() for r in state.runs])
    explanations = [explain(t, r.kind, surface, kernel_params, minima, state.l2) for t, r in zip(runs, state.runs)]
    return Computed(runs, labels, explanations, minima)


def _distinct(labels: list[str]) -> list[str]:
    """Identical settings still need telling apart in a legend."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} (#{seen[label]})")
    return out


@st.cache_data(max_entries=32, show_spinner=False)
def _landscape(surface_key: str, surface_params: tuple, l1: float, l2: float) -> tuple[Landscape, str]:
    surface = get_surface(surface_key)
    kernel_params = surface.kernel_params(dict(surface_params))
    minima = penalised_minima(surface, kernel_params, l1, l2)
    landscape = make_landscape(surface, kernel_params, minima, l1, l2)
    return landscape, image_data_uri(landscape_image(landscape))


def runs_for(state: State) -> Computed:
    return _runs(state_key(state))


def landscape_for(state: State) -> tuple[Landscape, str]:
    return _landscape(state.surface, state.surface_params, float(state.l1), float(state.l2))


def kernel_params_for(state: State) -> np.ndarray:
    return get_surface(state.surface).kernel_params(dict(state.surface_params))
