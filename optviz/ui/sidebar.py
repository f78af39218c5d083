"""The sidebar: presets, surface, start, runs and playback, all generated from declarations.

Each part draws into the container it is called in (surfaces_page puts them in the sidebar):
the runs are redrawn on their own, with the charts, when only a run changes."""

from __future__ import annotations

import streamlit as st

from optviz.engine.gradients import GRADIENT_MODES
from optviz.engine.simulate import PENALTY, SEED
from optviz.figures.style import COLOUR_NAMES, DASHES, OKABE_ITO
from optviz.kinds import KINDS
from optviz.presets import PRESETS
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.state import APP_MAX_STEPS, MAX_RUNS, SCREEN, SPEED, STEPS, VIEW_3D, State
from optviz.ui import binding
from optviz.ui.widgets import format_number, param_widget, plain
from surfaces import CATALOGUE as SURFACES
from surfaces.custom import EXTENT_RANGE, parse_key
from surfaces.formula import ALLOWED, MAX_LENGTH


def render_presets() -> None:
    with st.expander("🎓 Lecture presets", expanded=True):
        for key, preset in PRESETS.items():
            st.button(
                preset.title,
                key=f"preset_{key}",
                on_click=binding.on_preset,
                args=(key,),
                width="stretch",
                help=preset.intro,
            )


def render_surface(state: State) -> None:
    st.selectbox(
        "Surface",
        [*SURFACES, binding.CUSTOM],
        key="surface",
        on_change=binding.on_surface_change,
        format_func=lambda k: SURFACES[k].name if k in SURFACES else "✏️ Custom formula…",
    )
    if st.session_state["surface"] == binding.CUSTOM:
        render_formula()
    surface = state.surface_spec
    with st.expander("Formula and why it is interesting"):
        st.latex(surface.formula)
        st.caption(surface.story)
    for p in surface.params:
        param_widget(f"sp_{p.name}", p)
    (x0, x1), (y0, y1) = surface.domain
    left, right = st.columns(2)
    left.number_input(
        "start x",
        step=0.1,
        format="%.4g",
        key="start_x",
        help=f"Where every run starts, in [{x0:g}, {x1:g}]. Or click on the contour map.",
    )
    right.number_input(
        "start y",
        step=0.1,
        format="%.4g",
        key="start_y",
        help=f"Where every run starts, in [{y0:g}, {y1:g}]. Or click on the contour map.",
    )
    for name, value, (low, high) in (
        ("start x", st.session_state.get("start_x"), (x0, x1)),
        ("start y", st.session_state.get("start_y"), (y0, y1)),
    ):
        if isinstance(value, (int, float)) and not low <= value <= high:
            st.error(
                f"{name} = {value:g} is outside {surface.name}'s [{low:g}, {high:g}]; using the start "
                f"{format_number(state.start)}.",
                icon="⚠️",
            )
            break
    st.caption("Tip: click anywhere on the contour map to start there.")
    param_widget("steps", STEPS, "steps", in_use=state.steps)


def render_formula() -> None:
    st.text_input(
        "Formula f(x, y)",
        key="custom_formula",
        max_chars=MAX_LENGTH,
        on_change=binding.on_formula_change,
        help=f"Press Enter to apply. Allowed: {ALLOWED}. Nothing you type is run as code.",
    )
    low, high = EXTENT_RANGE
    st.number_input(
        "Plotted square: x and y in [−R, R], R =",
        min_value=low,
        max_value=high,
        step=0.5,
        key="custom_extent",
        on_change=binding.on_formula_change,
        format="%g",
        help=f"Half-width R of the plotted square, in [{low:g}, {high:g}].",
    )
    error = st.session_state.get(binding.FORMULA_ERROR)
    if error:
        last = st.session_state.get(binding.LAST_CUSTOM)
        shown = f" Still showing {parse_key(last)[0]}." if last else ""
        st.error(plain(f"{error}.{shown}"), icon="✏️")  # a FormulaError is a clause, like every ValueError


def render_regularization(state: State) -> None:
    with st.expander("Regularization (added to the loss)"):
        st.caption("λ₁‖w‖₁ + λ₂/2‖w‖² reshape the landscape for every run; the star marks the shifted minimum.")
        param_widget("l1", PENALTY, "L1 penalty λ₁", in_use=state.l1)
        param_widget("l2", PENALTY, "L2 penalty λ₂", in_use=state.l2)


def render_run(i: int, state: State) -> None:
    """Run slot ``i``'s settings in an expander, drawn only while it is open.  Its title names the
    optimizer, not its values: a new title is a new expander, which the browser rebuilds (the
    slider being stepped with ← → would lose the keyboard)."""
    surface, run, keys = state.surface_spec, state.runs[i], binding.run_keys(i)
    colour = OKABE_ITO[i]
    panel = st.expander(
        f"Run {i + 1} · {COLOUR_NAMES[colour]}, {DASHES[i]} · {KINDS[run.kind].label}",
        expanded=i == 0,
        key=binding.run_panel_key(i),
        on_change="rerun",
    )
    if not panel.open:  # Streamlit forgets the value of a widget a rerun does not draw: written back
        binding.hydrate_run(i, run)
        return
    with panel:
        st.selectbox(
            "Optimizer",
            list(KINDS),
            key=keys.kind,
            format_func=lambda k: KINDS[k].label,
            on_change=binding.on_kind_change,
            args=(i,),
            help=KINDS[run.kind].blurb,
        )
        problem = binding.run_problem(i, surface)
        if problem:
            st.error(plain(problem), icon="⚠️")
        for p in KINDS[run.kind].editable():
            param_widget(keys.hyperparameter(p.name), p, in_use=run.params[p.name])
        st.selectbox(
            "Learning-rate schedule",
            list(SCHEDULES),
            key=keys.schedule,
            format_func=lambda k: SCHEDULES[k].name,
            help=SCHEDULES[run.schedule].help,
            on_change=binding.on_schedule_change,
            args=(i,),
        )
        for p in SCHEDULES[run.schedule].params:
            param_widget(keys.schedule_param(p.name), p, in_use=dict(run.schedule_params).get(p.name))
        modes = KINDS[run.kind].gradient_modes(surface)
        if len(modes) == 1:
            st.caption(f"Gradient: {modes[0]} — that is what makes it {KINDS[run.kind].label}.")
        else:
            st.selectbox(
                "Gradient",
                modes,
                key=keys.gradient,
                on_change=binding.on_gradient_change,
                args=(i,),
                help=" · ".join(f"{k}: {GRADIENT_MODES[k].help}" for k in modes),
            )
            mode = GRADIENT_MODES[run.gradient]
            if mode.param is not None:
                param_widget(keys.gradient_value, mode.param, in_use=run.gradient_value)


def render_runs(state: State) -> None:
    st.subheader("Runs")
    st.number_input(
        "Number of runs",
        min_value=1,
        max_value=MAX_RUNS,
        step=1,
        key="n_runs",
        on_change=binding.on_n_runs_change,
        help=f"Compare up to {MAX_RUNS} optimizers at once.",
    )
    for i in range(len(state.runs)):
        render_run(i, state)
    param_widget("seed", SEED, "random seed", in_use=state.seed)


VIEW_3D_LABELS = {"off": "hidden", "on": "shown", "auto": "auto"}


def render_playback(state: State) -> None:
    with st.expander("Playback and display", expanded=False):
        param_widget("speed", SPEED, "ms per frame", in_use=state.speed)
        st.toggle(
            "Presentation mode (projector)", key="presentation", help="Larger fonts, thicker lines and bigger markers."
        )
        st.radio(
            "Projector screen",
            SCREEN.choices,
            key="screen",
            horizontal=True,
            help=SCREEN.help,
            disabled=not state.presentation,
        )
        st.radio(
            "3-D view beside the map",
            VIEW_3D.choices,
            key="view_3d",
            horizontal=True,
            format_func=VIEW_3D_LABELS.get,
            help=f"{VIEW_3D.help} Hidden, ▶ Play runs at full speed on any machine.",
        )


def render_quiz(state: State) -> None:
    with st.expander("❓ Predict, then play (quiz)", expanded=bool(st.session_state.get("quiz_on"))):
        st.toggle(
            "Quiz mode: hide the paths",
            key="quiz_on",
            help="Students click where they think each run will be, then reveal. The share link keeps it.",
        )
        steps = state.steps
        st.number_input(
            "Guess the position after N steps",
            min_value=1,
            max_value=APP_MAX_STEPS,
            step=1,
            key="quiz_steps",
            help=f"N in [1, steps]; the runs have {steps} steps.",
        )
        if int(st.session_state["quiz_steps"]) > steps:
            st.caption(f"N is larger than the run ({steps} steps): the quiz asks for the end point.")


def render_head(state: State) -> None:
    """Above the runs: what the page is, the presets, the surface and where the runs start."""
    st.title("optviz")
    st.caption("Watch optimizers move on loss surfaces. torch.optim semantics, names and defaults.")
    render_presets()
    render_surface(state)


def render_tail(state: State) -> None:
    """Below the runs: what every run shares (the penalty), playback and the quiz."""
    render_regularization(state)
    render_playback(state)
    render_quiz(state)
