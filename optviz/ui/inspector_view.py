"""The internals inspector tab: any step of any run, its vectors and its state table."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from optviz.engine.landscape import hessian
from optviz.engine.simulate import simulate_batch
from optviz.figures.internals import MARKDOWN_COLOURS, inspector_figure
from optviz.figures.prebuilt import PrebuiltFigure
from optviz.internals import inspect_step, length_ratio
from optviz.optimizers import get_optimizer
from optviz.state import SCREEN, State
from optviz.ui import warmup
from optviz.ui.compute import View, kernel_params_for
from optviz.ui.widgets import run_picker

RUN_KEY, STEP_KEY = "inspect_run", "inspect_step"
SCREEN_HEIGHT = {screen: int(screen.removesuffix("p")) for screen in SCREEN.choices}  # "720p": 720 lines
ABOVE_THE_MAP_PX = 290  # the page's top, the tabs and this tab's controls, in Presentation mode


@st.cache_data(max_entries=16, show_spinner=False)
def _with_internals(key: tuple, run: int, _state: State):
    return simulate_batch(runs=[_state.run_specs()[run]], internals=True, **_state.engine_args())[0]


@st.fragment
def render(view: View) -> None:
    """Its own controls (run, step, directions) rerun only this panel."""
    state, computed, sizes = view.state, view.computed, view.sizes
    left, right = st.columns([1, 3])
    run = run_picker(left, "Run to inspect", RUN_KEY, computed.labels)
    traj = warmup.run(lambda: _with_internals(view.engine_key, run, state), "the inspector's numbers")
    last = len(traj.path) - 1
    if last < 1:
        st.info("This run took no step: it started on a minimum. Move the start to see one.")
        return
    if last == 1:  # a slider needs two ends
        step = 1
        right.caption("This run took a single step (it then stopped), shown below.")
    else:
        if not 1 <= int(st.session_state.get(STEP_KEY, 1)) <= last:
            st.session_state[STEP_KEY] = min(max(int(st.session_state.get(STEP_KEY, 1)), 1), last)
        step = right.slider(
            "Step",
            1,
            last,
            key=STEP_KEY,
            help="Drag, or click the handle and use the arrow keys to go one step at a time.",
        )
    h = None
    if get_optimizer(traj.optimizer).second_order:
        h = hessian(state.surface_spec, kernel_params_for(state), *traj.path[step - 1], l2=state.l2)
    inspection = inspect_step(traj, step, hessian=h)
    # on a projector the toggle goes under the step slider, saving a row for the map
    equal = (right if state.presentation else st).toggle(
        "Compare directions only (every arrow equally long)",
        key="inspect_directions",
        help="At one common scale a tiny step can vanish next to a long gradient arrow.",
    )
    if state.presentation:  # the map fits the screen's height under the tabs and controls
        sizes = replace(sizes, height=min(sizes.height, SCREEN_HEIGHT[state.screen] - ABOVE_THE_MAP_PX))
    picture_figure, scale = inspector_figure(
        view.landscape, view.image_uri, traj, run, computed.labels[run], inspection, sizes, equal_lengths=equal
    )
    picture, table = st.columns([3, 2])
    picture.plotly_chart(PrebuiltFigure(picture_figure), key="inspector_chart", theme=None)
    with table:
        st.markdown(
            f"**Step {step}** of {computed.labels[run]}: lr = {inspection.lr:.4g}  \n"
            f"θ: ({inspection.before[0]:.5g}, {inspection.before[1]:.5g}) → "
            f"({inspection.after[0]:.5g}, {inspection.after[1]:.5g})"
        )
        st.dataframe(
            [{"quantity": name, "x": x, "y": y} for name, x, y in inspection.rows],
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.NumberColumn(format="%.4g") for c in ("x", "y")},
        )
        st.markdown(inspection.note)
        key = [f":{MARKDOWN_COLOURS[a.key]}[**→ {a.label}**]" for a in inspection.arrows]
        if inspection.effective_lr:
            key.append(f":{MARKDOWN_COLOURS['glyph']}[**◌ effective lr per coordinate**] (dotted ellipse)")
        st.markdown("  \n".join(key))
        glyph = (
            " The ellipse's half-axes are the per-coordinate effective learning rates, scaled so the larger "
            "is 8 % of the plot."
            if inspection.effective_lr
            else ""
        )
        scale_text = "are drawn equally long (directions only)" if equal else f"share one scale (×{scale:.3g})"
        st.caption(f"Arrows start at θ before the step (the marker) and {scale_text}.{glyph}")
        ratio = length_ratio(inspection)
        if not equal and ratio > 20:
            st.info(
                f"The longest arrow is {ratio:.0f}× the shortest, so at one scale the short one is hard to see: "
                "switch on *Compare directions only*."
            )
