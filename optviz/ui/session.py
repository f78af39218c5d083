"""Widget values ⇄ State.

Every widget reads its value from st.session_state under a fixed key.  ``hydrate`` writes a
State into those keys (first visit from the URL, presets, surface or kind changes);
``state_from_widgets`` reads them back into a validated State after the sidebar has run.
"""

from __future__ import annotations

import streamlit as st

from optviz.engine.simulate import GRADIENT_MODES, PENALTY, SEED
from optviz.kinds import KINDS
from optviz.presets import PRESETS
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.state import MAX_RUNS, QUIZ, SPEED, STEPS, RunState, State, make_run, with_surface
from optviz.ui.widgets import read_value, seed_value
from optviz.urlstate import decode
from surfaces import get_surface
from surfaces.custom import DEFAULT_EXTENT, DEFAULT_FORMULA, PREFIX, custom_key, parse_key

HYDRATED = "_hydrated"
WARNINGS = "_url_warnings"
CAPTION = "_preset_caption"
NOTICE = "_notice"
PICKED = "_picked_point"
CUSTOM = "custom"  # the surface selectbox's entry for a typed formula
LAST_CUSTOM = "_last_custom"  # the last custom key that passed its checks: what the page shows
FORMULA_ERROR = "_formula_error"
LAST_SURFACE = "_last_surface"  # the surface the widgets were drawn for, read by on_surface_change
QUIZ_DEFAULT_STEPS = 20
NEW_RUN_KINDS = ("gd", "momentum", "adam", "rmsprop", "nesterov", "adagrad")  # what run slot i starts as
assert len(NEW_RUN_KINDS) == MAX_RUNS


def run_key(i: int, name: str) -> str:
    return f"r{i}_{name}"


def hp_key(i: int, name: str) -> str:
    return run_key(i, f"hp_{name}")


def sched_key(i: int, name: str) -> str:
    return run_key(i, f"sched_{name}")


def hydrate_run(i: int, run: RunState) -> None:
    kind = KINDS[run.kind]
    st.session_state[run_key(i, "kind")] = run.kind
    values = run.params
    for p in kind.editable():
        seed_value(hp_key(i, p.name), p, values[p.name])
    st.session_state[run_key(i, "schedule")] = run.schedule
    for p in SCHEDULES[run.schedule].params:
        seed_value(sched_key(i, p.name), p, dict(run.schedule_params)[p.name])
    st.session_state[run_key(i, "gradient")] = run.gradient
    mode = GRADIENT_MODES[run.gradient]
    if mode.param is not None:
        seed_value(run_key(i, "gradient_value"), mode.param, run.gradient_value)


def current_surface_key() -> str:
    """The surface the page shows: a catalogue key, or the last valid custom formula."""
    choice = st.session_state["surface"]
    if choice != CUSTOM:
        return choice
    return st.session_state.get(LAST_CUSTOM) or custom_key(DEFAULT_FORMULA, DEFAULT_EXTENT)


def _hydrate_surface_choice(key: str) -> None:
    st.session_state.setdefault("custom_formula", DEFAULT_FORMULA)
    st.session_state.setdefault("custom_extent", DEFAULT_EXTENT)
    if key.startswith(PREFIX):
        formula, extent = parse_key(key)
        st.session_state["surface"] = CUSTOM
        st.session_state["custom_formula"], st.session_state["custom_extent"] = formula, extent
        st.session_state[LAST_CUSTOM] = key
        st.session_state[FORMULA_ERROR] = None
    else:
        st.session_state["surface"] = key


def hydrate(state: State) -> None:
    surface = state.surface_spec
    _hydrate_surface_choice(state.surface)
    for p in surface.params:
        seed_value(f"sp_{p.name}", p, dict(state.surface_params)[p.name])
    st.session_state["start_x"], st.session_state["start_y"] = map(float, state.start)
    st.session_state["steps"] = state.steps
    st.session_state["seed"] = state.seed
    st.session_state["l1"], st.session_state["l2"] = float(state.l1), float(state.l2)
    st.session_state["speed"] = state.speed
    st.session_state["presentation"] = state.presentation
    st.session_state["quiz_on"] = state.quiz > 0
    st.session_state["quiz_steps"] = state.quiz or min(QUIZ_DEFAULT_STEPS, state.steps)
    st.session_state["n_runs"] = len(state.runs)
    for i, run in enumerate(state.runs):
        hydrate_run(i, run)
    st.session_state[HYDRATED] = True


def load_from_url(query: dict[str, list[str]]) -> None:
    """First visit: the URL is the durable state (session_state dies on reload)."""
    state, warnings = decode(query)
    hydrate(state)
    st.session_state[WARNINGS] = warnings


def run_from_widgets(i: int, surface) -> RunState:
    kind_key = st.session_state.get(run_key(i, "kind"), "adam")
    kind = KINDS[kind_key]
    if hp_key(i, "lr") not in st.session_state:  # a run slot never shown before
        hydrate_run(i, make_run(kind_key, surface))
    hp = {p.name: read_value(hp_key(i, p.name), p) for p in kind.editable()}
    schedule = SCHEDULES[st.session_state.get(run_key(i, "schedule"), "constant")]
    for p in schedule.params:
        if sched_key(i, p.name) not in st.session_state:
            seed_value(sched_key(i, p.name), p, p.default)
    sched_values = {p.name: read_value(sched_key(i, p.name), p) for p in schedule.params}
    gradient = st.session_state.get(run_key(i, "gradient"), "exact")
    mode = GRADIENT_MODES[gradient]
    value = None
    if mode.param is not None:
        value_key = run_key(i, "gradient_value")
        if value_key not in st.session_state or not _fits(st.session_state[value_key], mode.param):
            seed_value(value_key, mode.param, mode.param.default)
        value = read_value(value_key, mode.param)
    return make_run(kind_key, surface, schedule.key, sched_values, gradient, value, **hp)


def _fits(value, param) -> bool:
    try:
        param.validate(value)
        return True
    except ValueError:
        return False


def state_from_widgets(surface_key: str | None = None) -> State:
    surface = get_surface(surface_key or current_surface_key())
    runs = tuple(run_from_widgets(i, surface) for i in range(int(st.session_state["n_runs"])))
    steps = STEPS.validate(st.session_state["steps"])
    return State(
        surface=surface.key,
        start=(float(st.session_state["start_x"]), float(st.session_state["start_y"])),
        steps=steps,
        runs=runs,
        seed=SEED.validate(st.session_state["seed"]),
        l1=PENALTY.validate(st.session_state["l1"], "l1"),
        l2=PENALTY.validate(st.session_state["l2"], "l2"),
        surface_params=tuple((p.name, read_value(f"sp_{p.name}", p)) for p in surface.params),
        speed=SPEED.validate(st.session_state["speed"]),
        presentation=bool(st.session_state["presentation"]),
        quiz=_quiz_steps(steps),
    )


def _quiz_steps(steps: int) -> int:
    if not st.session_state.get("quiz_on"):
        return 0
    return min(QUIZ.validate(st.session_state.get("quiz_steps", QUIZ_DEFAULT_STEPS)), steps)


# --- callbacks: they run before the script, so they may rewrite widget values ---------------

def on_preset(key: str) -> None:
    preset = PRESETS[key]
    hydrate(preset.build())
    st.session_state[CAPTION] = (preset.title, preset.caption)


def on_surface_change() -> None:
    previous = st.session_state.get(LAST_SURFACE) or current_surface_key()
    old = state_from_widgets(previous)  # read the old State consistently, then switch
    hydrate(with_surface(old, current_surface_key()))
    st.session_state[CAPTION] = None


def on_formula_change() -> None:
    """A typed formula or extent: switch to it if it passes every check, else say why and keep the last."""
    key = custom_key(str(st.session_state["custom_formula"]), float(st.session_state["custom_extent"]))
    try:
        get_surface(key)
    except ValueError as err:
        st.session_state[FORMULA_ERROR] = str(err)
        return
    switch_surface(key)


def switch_surface(key: str) -> None:
    """Load another surface keeping the runs' kinds (a callback, or called from one)."""
    hydrate(with_surface(state_from_widgets(), key))
    st.session_state[CAPTION] = None


def on_kind_change(i: int) -> None:
    surface = get_surface(current_surface_key())
    hydrate_run(i, make_run(st.session_state[run_key(i, "kind")], surface))


def on_gradient_change(i: int) -> None:
    mode = GRADIENT_MODES[st.session_state[run_key(i, "gradient")]]
    if mode.param is not None:
        seed_value(run_key(i, "gradient_value"), mode.param, mode.param.default)


def on_n_runs_change() -> None:
    surface = get_surface(current_surface_key())
    for i in range(int(st.session_state["n_runs"])):
        if run_key(i, "kind") not in st.session_state:
            hydrate_run(i, make_run(NEW_RUN_KINDS[i], surface))


def on_chart_select(chart_key: str) -> None:
    """Contour click: keep the point at once (a redrawn chart forgets its selection)."""
    try:
        points = list(st.session_state[chart_key]["selection"]["points"])
    except (KeyError, TypeError):
        points = []
    for point in points:
        x, y = point.get("x"), point.get("y")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            st.session_state[PICKED] = (float(x), float(y))
            return


def apply_picked_point() -> None:
    """Move the start to a clicked point; runs before the start widgets are drawn."""
    picked = st.session_state.pop(PICKED, None)
    if picked is None:
        return
    x, y = picked
    surface = get_surface(current_surface_key())
    if surface.in_domain(x, y):
        st.session_state["start_x"], st.session_state["start_y"] = x, y
        st.session_state[NOTICE] = f"Start moved to ({x:.3g}, {y:.3g}); the paths were recomputed from there."


