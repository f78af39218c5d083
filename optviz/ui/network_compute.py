"""The network page's computations, cached and shared by every session that opens the same view.

A class opening one lesson link trains it once: the runs (by the state's engine key), each
landscape plane (by its plane key) and the sharpness series are held in ``st.cache_resource``
(immutable results of our own code), bounded by entry counts that fit a small Cloud box.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.engine import warmup
from optviz.netstate import NetState
from optviz.network.planes import Plane, line, plane
from optviz.network.sharpness import sharpness_along
from optviz.network.train import TrainResult, train_runs
from optviz.ui import warmup as warmup_ui

SHARPNESS_POINTS = 40
# parameters × points: a large network gets fewer points (each costs ∝ its size); the lessons' get 40
SHARPNESS_BUDGET = 50_000


def wait_for_compiled_trainer() -> None:
    """A cold deploy compiles in the background: interpreted, a training would take minutes."""
    warmup_ui.begin()  # the one start per server process (app.py has called it already)
    if not warmup.stage_ready(warmup.NETWORK_STAGE):
        left = warmup.seconds_left(stages=warmup.NETWORK_STAGE + 1)
        with st.spinner(f"The app has just restarted: compiling the network trainer, about {left:.0f} s more…"):
            warmup.wait(lambda: warmup.stage_ready(warmup.NETWORK_STAGE))


@st.cache_resource(max_entries=12, show_spinner=False)  # ≤ ~3 MB a view for the lessons' networks
def _trained(key: tuple, _state: NetState) -> list[TrainResult]:
    return train_runs(_state.setup(), _state.net_runs(), record_every=_state.record_every(), record_batches=False)


def trained(state: NetState) -> list[TrainResult]:
    return _trained(state.engine_key(), state)


@st.cache_resource(max_entries=24, show_spinner=False)
def _plane(key: tuple, _results: list[TrainResult], kind: str, first: int, second: int, resolution: int) -> Plane:
    return plane(_results, kind, first_run=first, second_run=second, resolution=resolution)


def landscape_plane(state: NetState, results: list[TrainResult]) -> Plane:
    last = len(results) - 1
    first, second = min(state.plane_run - 1, last), min(state.plane_other - 1, last)
    if second == first:
        second = (first + 1) % len(results)
    return _plane(state.engine_key(), results, state.plane, first, second, state.resolution)


def sharpness_points(results: list[TrainResult]) -> int:
    return int(np.clip(SHARPNESS_BUDGET // results[0].network.n_params, 8, SHARPNESS_POINTS))


@st.cache_resource(max_entries=12, show_spinner=False)
def _sharpness(key: tuple, _results: list[TrainResult]) -> list[tuple[np.ndarray, np.ndarray]]:
    points = sharpness_points(_results)
    return [sharpness_along(result, points) for result in _results]


def sharpness(state: NetState, results: list[TrainResult]) -> list[tuple[np.ndarray, np.ndarray]]:
    return _sharpness(state.engine_key(), results)


@st.cache_resource(max_entries=12, show_spinner=False)
def _lines(key: tuple, _results: list[TrainResult]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [line(result) for result in _results]


def lines(state: NetState, results: list[TrainResult]) -> list[tuple[np.ndarray, np.ndarray]]:
    return _lines(state.engine_key(), results)
