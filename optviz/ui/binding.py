"""The one binding between the State and st.session_state.

Every widget reads its value from st.session_state under a fixed key.  ``hydrate`` writes a
State into those keys (first visit from the URL, presets, surface or kind changes); ``read``
turns them back into a State and never writes.  Every callback that rewrites widget values
lives here: callbacks run before the script, which is the only time that is allowed.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from optviz.engine.gradients import GRADIENT_MODES
from optviz.kinds import KINDS
from optviz.params import tidy
from optviz.presets import PRESETS
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.state import (
    MAX_RUNS,
    PAGE_FIELDS,
    STEPS,
    RunKeys,
    RunState,
    State,
    make_run,
    run_from,
    with_display,
    with_surface,
)
from optviz.ui import bridge
from optviz.ui.widgets import read_value, seed_value
from optviz.urlstate import decode, state_key
from surfaces import get_surface
from surfaces.custom import DEFAULT_EXTENT, DEFAULT_FORMULA, PREFIX, custom_key, parse_key

HYDRATED = "_hydrated"
WARNINGS = "_url_warnings"
WARNED_VIEW = "_url_warnings_view"  # the view a link's warnings are about: they go when it changes
LESSON = "_lesson"  # the preset the view came from: State.lesson (no widget)
NOTICE = "_notice"
PICKED = "_picked_point"
CUSTOM = "custom"  # the surface selectbox's entry for a typed formula
LAST_CUSTOM = "_last_custom"  # the last custom key that passed its checks: what the page shows
FORMULA_ERROR = "_formula_error"
LAST_SURFACE = "_last_surface"  # the surface the widgets were drawn for, read by on_surface_change
LAST_GOOD = "_last_good"  # the State the page last used
NEW_RUN_KINDS = ("gd", "momentum", "adam", "rmsprop", "nesterov", "adagrad")  # what run slot i starts as
assert len(NEW_RUN_KINDS) == MAX_RUNS


def run_keys(i: int) -> RunKeys:
    """The widget keys of run slot ``i`` (from 0)."""
    prefix = f"r{i}_"
    return RunKeys(
        kind=prefix + "kind",
        schedule=prefix + "schedule",
        gradient=prefix + "gradient",
        gradient_value=prefix + "gradient_value",
        hyperparameter=lambda name: f"{prefix}hp_{name}",
        schedule_param=lambda name: f"{prefix}sched_{name}",
    )


def run_panel_key(i: int) -> str:
    """The key of run slot ``i``'s expander: whether its settings are open.  A closed run's
    settings draw no widgets (each costs the browser about 1 ms on every change to another run)."""
    return f"_run{i}_panel"


def hydrate_run(i: int, run: RunState) -> None:
    keys = run_keys(i)
    st.session_state[keys.kind] = run.kind
    values = run.params
    for p in KINDS[run.kind].editable():
        seed_value(keys.hyperparameter(p.name), p, values[p.name])
    st.session_state[keys.schedule] = run.schedule
    for p in SCHEDULES[run.schedule].params:
        seed_value(keys.schedule_param(p.name), p, dict(run.schedule_params)[p.name])
    st.session_state[keys.gradient] = run.gradient
    mode = GRADIENT_MODES[run.gradient]
    if mode.param is not None:
        seed_value(keys.gradient_value, mode.param, run.gradient_value)


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
    for f in PAGE_FIELDS:
        for key, value in zip(f.widgets, f.to_widgets(getattr(state, f.name))):
            st.session_state[key] = value
    st.session_state["n_runs"] = len(state.runs)
    for i, run in enumerate(state.runs):
        hydrate_run(i, run)
    st.session_state[LESSON] = state.lesson
    st.session_state[HYDRATED] = True


def load_from_url(query: dict[str, list[str]]) -> None:
    """First visit: the URL is the durable state (session_state dies on reload)."""
    state, warnings = decode(query)
    hydrate(state)
    st.session_state[WARNINGS] = warnings
    st.session_state[WARNED_VIEW] = state_key(state)


def restore_after_page_switch() -> None:
    """Back from /network: Streamlit dropped this page's widget values on the switch, and the
    view comes back as the reader left it (LAST_GOOD), not as a traceback or the defaults."""
    if "surface" not in st.session_state and LAST_GOOD in st.session_state:
        hydrate(st.session_state[LAST_GOOD])


def _value(key: str, param, default):
    """A widget's value (float noise tidied), or ``default`` for a widget not drawn yet or out of
    range (reading never writes)."""
    if param.kind == "pair":
        if f"{key}_0" not in st.session_state or f"{key}_1" not in st.session_state:
            return default
    elif key not in st.session_state:
        return default
    try:
        return param.validate(tidy(read_value(key, param)))
    except ValueError:
        return default


class _Widgets:
    """The widgets as a source of a run's values (``run_from``): reading never writes."""

    @staticmethod
    def choice(key: str, valid, default: str) -> str:
        value = st.session_state.get(key, default)
        return value if value in valid else default

    value = staticmethod(_value)


def _last_good(surface) -> State | None:
    """The State the page last used, if it was on ``surface``: a value typed out of range keeps its
    value from there."""
    last = st.session_state.get(LAST_GOOD)
    return last if last is not None and last.surface == surface.key else None


def _read_run(i: int, surface) -> tuple[RunState, str | None]:
    last = _last_good(surface)
    previous = last.runs[i] if last is not None and i < len(last.runs) else None
    return run_from(_Widgets, run_keys(i), surface, NEW_RUN_KINDS[i], previous)


def read_run(i: int, surface) -> RunState:
    """Run slot i as its widgets hold it (a slot's widgets are seeded by the callback that shows
    it).  Values that are each in range but break a rule together (Nesterov with momentum 0)
    leave the run at its kind's defaults; ``run_problem`` says why, beside the widgets."""
    return _read_run(i, surface)[0]


def run_problem(i: int, surface) -> str | None:
    """Why run slot i's widget values were not applied, or None."""
    run, problem = _read_run(i, surface)
    if problem is None:
        return None
    return f"{problem}. Run {i + 1} uses {KINDS[run.kind].label}'s defaults until this is changed."


def read(surface_key: str | None = None) -> State:
    """The State the widgets hold, validated: a value out of range keeps the last good one (the
    State last drawn on this surface), else its default."""
    surface = get_surface(surface_key or current_surface_key())
    last = _last_good(surface)
    runs = tuple(read_run(i, surface) for i in range(int(st.session_state.get("n_runs", 1))))
    page = {}
    for f in PAGE_FIELDS:
        if not all(k in st.session_state for k in f.widgets):
            continue
        try:
            page[f.name] = f.param.validate(tidy(f.from_widgets(*(st.session_state[k] for k in f.widgets))))
        except ValueError:
            if last is not None:
                page[f.name] = getattr(last, f.name)
    kept = dict(last.surface_params) if last is not None else {}
    state = State(
        surface=surface.key,
        start=surface.start,
        steps=page.pop("steps", STEPS.default),
        runs=runs,
        surface_params=tuple((p.name, _value(f"sp_{p.name}", p, kept.get(p.name, p.default))) for p in surface.params),
    )
    state = replace(state, lesson=st.session_state.get(LESSON, ""), **page)
    if not surface.in_domain(*state.start):
        state = replace(state, start=last.start if last is not None else surface.start)
    return replace(state, quiz=min(state.quiz, state.steps))


def note_drawn(state: State) -> None:
    """Remember the State the widgets are drawn for: a surface change reads the old runs with its
    surface, and a value typed out of range next keeps its value from it."""
    st.session_state[LAST_SURFACE] = state.surface
    st.session_state[LAST_GOOD] = state


# --- callbacks: they run before the script, so they may rewrite widget values ---------------

PAGE_CHANGED = "_page_changed"


def page_changed() -> None:
    """The callback of a widget inside a fragment whose value the page reads outside it: the
    fragment that reruns after it calls ``follow_page_changes`` and the page reruns."""
    st.session_state[PAGE_CHANGED] = True


def whole_page(callback):
    """``callback``, for a widget inside a fragment, when it changes the whole view."""

    def changed(*args):
        callback(*args)
        page_changed()

    return changed


def follow_page_changes() -> None:
    if st.session_state.pop(PAGE_CHANGED, False):
        st.rerun(scope="app")


def dismiss_warnings() -> None:
    st.session_state[WARNINGS] = []


def current_warnings(state: State) -> list[str]:
    """A bad link's warnings, while the view is still the one the link opened."""
    if st.session_state.get(WARNED_VIEW) != state_key(state):
        dismiss_warnings()
    return st.session_state.get(WARNINGS) or []


def on_preset(key: str) -> None:
    hydrate(with_display(PRESETS[key].build(), read()))
    st.session_state[WARNINGS] = []  # a bad link's warnings are about a view that is gone


def on_surface_change() -> None:
    previous = st.session_state.get(LAST_SURFACE) or current_surface_key()
    old = read(previous)  # read the old State consistently, then switch
    hydrate(with_surface(old, current_surface_key()))


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
    hydrate(with_surface(read(), key))


def on_kind_change(i: int) -> None:
    surface = get_surface(current_surface_key())
    hydrate_run(i, make_run(st.session_state[run_keys(i).kind], surface))
    st.session_state[run_panel_key(i)] = True  # the run's new title is a new expander: kept open


def on_schedule_change(i: int) -> None:
    keys = run_keys(i)
    for p in SCHEDULES[st.session_state[keys.schedule]].params:
        seed_value(keys.schedule_param(p.name), p, p.default)


def on_gradient_change(i: int) -> None:
    keys = run_keys(i)
    mode = GRADIENT_MODES[st.session_state[keys.gradient]]
    if mode.param is not None:
        seed_value(keys.gradient_value, mode.param, mode.param.default)


def on_n_runs_change() -> None:
    surface = get_surface(current_surface_key())
    for i in range(int(st.session_state["n_runs"])):
        if run_keys(i).kind not in st.session_state:
            hydrate_run(i, make_run(NEW_RUN_KINDS[i], surface))


@bridge.on_tap("paths")
def on_map_tap(x: float, y: float) -> None:
    """A tap or click on the map: keep the point; it becomes the start before the widgets draw."""
    st.session_state[PICKED] = (x, y)


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
