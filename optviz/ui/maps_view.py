"""The map tabs: stability (lr × a second hyperparameter) and basins of attraction."""

from __future__ import annotations

from functools import partial

import streamlit as st

from optviz.figures.maps import basin_figure, stability_figure
from optviz.figures.prebuilt import PrebuiltFigure
from optviz.kinds import KINDS
from optviz.maps import basin_map, stability_map
from optviz.state import State, make_run
from optviz.ui import binding, warmup
from optviz.ui.compute import View
from optviz.ui.widgets import run_picker
from surfaces import get_surface

STABILITY_KEY = "stability_chart"
PENDING = "_pending_run_update"


@st.cache_data(max_entries=16, show_spinner=False)
def _stability(key: tuple, run: int, _state: State):
    return stability_map(_state, _state.runs[run])


@st.cache_data(max_entries=16, show_spinner=False)
def _basins(key: tuple, run: int, _state: State):
    return basin_map(_state, _state.runs[run])


def on_stability_select(run: int, second_name: str, pair_index) -> None:
    try:
        point = st.session_state[STABILITY_KEY]["selection"]["points"][0]
        lr, second = float(point["customdata"][0]), float(point["y"])
    except (KeyError, IndexError, TypeError, ValueError):
        return
    st.session_state[PENDING] = (run, lr, second_name, pair_index, second)


def apply_pending_run_update() -> None:
    """A clicked map cell becomes the run's settings (before the widgets are drawn)."""
    pending = st.session_state.pop(PENDING, None)
    if pending is None:
        return
    run, lr, name, pair_index, second = pending
    lr, second = float(f"{lr:.3g}"), float(f"{second:.3g}")  # a cell is a neighbourhood: keep the digits that matter
    surface = get_surface(binding.current_surface_key())
    keys = binding.run_keys(run)
    kind = KINDS[st.session_state.get(keys.kind, binding.NEW_RUN_KINDS[run])]
    plane = kind.stability_kind()
    if plane is not kind:  # GD and SGD keep momentum at 0: the cell is a run of the kind whose plane they were shown
        binding.hydrate_run(run, make_run(plane.key, surface, lr=lr, **{name: second}))
    else:
        st.session_state[keys.hyperparameter("lr")] = lr
        suffix = "" if pair_index is None else f"_{pair_index}"
        st.session_state[keys.hyperparameter(name) + suffix] = second
    st.session_state[binding.NOTICE] = f"Run {run + 1} now uses lr={lr:.3g}, {name}={second:.3g}."


@st.fragment
def render(view: View) -> None:
    """The maps' own controls rerun only this panel; a clicked cell reruns the page."""
    binding.follow_page_changes()
    state = view.state
    st.toggle(
        "Compute the maps",
        key="maps_on",
        help="Thousands of runs per map, on every core. Right after a deploy the maps wait for the engine's "
        "background compile (about 30 s from the server's start); after that a map takes about a second.",
    )
    if not st.session_state.get("maps_on"):
        st.caption(
            "Stability map: which learning rates and momenta converge, diverge or crawl, with the theory "
            "line on quadratics. Basins: which minimum each start point reaches. Switch on to compute."
        )
        return
    warmup.compiled("the maps")
    labels = [f"Run {i + 1}: {r.label()}" for i, r in enumerate(state.runs)]
    stability, basins = st.tabs(["Stability map", "Basins of attraction"], key="map_kind", on_change="rerun")
    if stability.open:
        with stability:
            stability_panel(view, labels)
    if basins.open:
        with basins:
            basins_panel(view, labels)


def stability_panel(view: View, labels: list[str]) -> None:
    state, sizes = view.state, view.sizes
    run = run_picker(st, "Run to map", "map_run", labels)
    kind = KINDS[state.runs[run].kind]
    plane = kind.stability_kind()
    name, pair_index = plane.spec.map_axis.name, plane.spec.map_axis.index
    with st.spinner("Sweeping 2,304 runs…"):
        smap = _stability(view.engine_key, run, state)
    params = state.runs[run].params
    current_second = params.get(name, 0.0) if pair_index is None else params[name][pair_index]
    if plane is not kind:
        st.caption(
            f"{kind.label} has no {name}; the map shows the {plane.label} plane "
            f"({plane.legend.get(name, name)} = 0 is the bottom row)."
        )
    figure = stability_figure(
        smap,
        f"{kind.label} on {state.surface_spec.name}: where does it converge?",
        (params["lr"], current_second),
        sizes,
        run_number=run + 1,
    )
    st.plotly_chart(
        PrebuiltFigure(figure),
        key=STABILITY_KEY,
        selection_mode="points",
        theme=None,
        on_select=binding.whole_page(partial(on_stability_select, run, name, pair_index)),
    )
    text = (
        f"Each cell is a full {state.steps}-step run from the current start. Colour: final loss above the "
        f"best (darker is better); orange: diverged. Click a cell to load those settings into run {run + 1}."
    )
    if smap.bound_lr is not None:
        text += (
            " The dashed line is theory for a quadratic: heavy-ball momentum is stable for "
            "lr < 2(1+μ) / ((1−τ)(L+λ)) (dampening τ, weight decay λ; GD is μ = 0), Nesterov for "
            "lr < 2(1+μ) / ((1+2μ)(L+λ)). The orange region starts right at it."
        )
    st.caption(text)


def basins_panel(view: View, labels: list[str]) -> None:
    state = view.state
    st.caption(
        "Every start point of the map, run to the end: its colour is the minimum it reaches. "
        "Compare how two optimizers carve up the same landscape."
    )
    columns = st.columns(min(len(state.runs), 2))
    for i, column in enumerate(columns):
        with column, st.spinner("Sweeping 9,216 starts…"):
            figure = basin_figure(_basins(view.engine_key, i, state), labels[i], view.sizes, state.start)
            st.plotly_chart(PrebuiltFigure(figure), key=f"basin_chart_{i}", theme=None)
