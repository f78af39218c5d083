"""Predict, then play: guesses on a map with the paths hidden, then the replay and the score."""

from __future__ import annotations

import streamlit as st

from optviz.figures.prebuilt import PrebuiltFigure
from optviz.figures.quiz import guess_figure, reveal_figure
from optviz.quiz import answers, first_steps, steps_phrase
from optviz.state import State
from optviz.ui import binding, bridge
from optviz.ui.compute import View
from optviz.ui.widgets import run_index, run_picker
from optviz.urlstate import state_key

QUIZ = "_quiz"  # {"key": what the guesses are about, "guesses": {run: (x, y)}, "revealed": bool}
GUESS_CHART = "quiz_guess_chart"
RUN_KEY = "quiz_run"


def _session(state: State) -> dict:
    """This quiz's guesses; a different view (surface, runs, N…) starts a fresh quiz."""
    key = (state_key(state), state.quiz)
    quiz = st.session_state.get(QUIZ)
    if not quiz or quiz["key"] != key:
        quiz = {"key": key, "guesses": {}, "revealed": False}
        st.session_state[QUIZ] = quiz
    return quiz


def hidden(state: State) -> bool:
    return state.quiz > 0 and not _session(state)["revealed"]


def _record(point: tuple[float, float], n_runs: int) -> None:
    quiz = st.session_state[QUIZ]
    run = run_index(RUN_KEY, n_runs)
    quiz["guesses"][run] = point
    pending = [i for i in range(n_runs) if i not in quiz["guesses"]]
    if pending:  # move on to the next run still without a guess
        st.session_state[RUN_KEY] = pending[0]


@bridge.on_tap("quiz")
def on_guess_tap(x: float, y: float) -> None:
    _record((x, y), int(st.session_state.get("n_runs", 1)))


def on_typed_guess(n_runs: int) -> None:
    _record((float(st.session_state["quiz_x"]), float(st.session_state["quiz_y"])), n_runs)


def on_reveal(revealed: bool) -> None:
    quiz = st.session_state[QUIZ]
    quiz["revealed"] = revealed
    if not revealed:
        quiz["guesses"] = {}


@st.fragment
def render_guessing(view: View) -> None:
    """Guesses rerun only this panel; Reveal reruns the page (the tabs change)."""
    binding.follow_page_changes()
    state, computed, sizes = view.state, view.computed, view.sizes
    quiz = _session(state)
    n_runs = len(state.runs)
    st.subheader(f"❓ Predict, then play: where is each run after {steps_phrase(state.quiz)}?")
    st.caption(
        "The paths are hidden. Pick a run, click or tap the map where you think it will be, and repeat for the "
        "others; then reveal. The Equations view may help."
    )
    picture, controls = st.columns([3, 2])  # Reveal beside the map: above the fold on a 720p projector
    figure = guess_figure(view.landscape, view.image_uri, state.start, quiz["guesses"], computed.labels, sizes)
    with picture.container(key="quiz_map"):  # bridge.MAPS: taps here are guesses
        st.plotly_chart(PrebuiltFigure(figure), key=GUESS_CHART, theme=None)
    with controls:
        run_picker(
            st,
            "Your guess for",
            RUN_KEY,
            computed.labels,
            help="After a click the next run without a guess is selected.",
        )
        for i, label in enumerate(computed.labels):
            guess = quiz["guesses"].get(i)
            st.markdown(f"- **{label}**: " + (f"({guess[0]:.3g}, {guess[1]:.3g})" if guess else "no guess yet"))
        with st.expander("Type a guess instead"):
            (x0, x1), (y0, y1) = state.surface_spec.domain
            st.number_input(
                "x",
                min_value=float(x0),
                max_value=float(x1),
                value=float(state.start[0]),
                key="quiz_x",
                format="%.4g",
                help=f"In [{x0:g}, {x1:g}].",
            )
            st.number_input(
                "y",
                min_value=float(y0),
                max_value=float(y1),
                value=float(state.start[1]),
                key="quiz_y",
                format="%.4g",
                help=f"In [{y0:g}, {y1:g}].",
            )
            st.button("Set this guess", key="quiz_set", on_click=on_typed_guess, args=(n_runs,))
        missing = n_runs - len(quiz["guesses"])
        st.button(
            "Reveal",
            key="quiz_reveal",
            type="primary",
            on_click=binding.whole_page(on_reveal),
            args=(True,),
            disabled=not quiz["guesses"],
            help="Show the paths and how far each guess was."
            + (f" {missing} run(s) still have no guess." if missing else ""),
        )
        if not quiz["guesses"]:
            st.caption("Reveal opens once the map has a guess.")


def render_results(view: View) -> None:
    state, computed, sizes = view.state, view.computed, view.sizes
    quiz = _session(state)
    n = state.quiz
    result = answers(computed.runs, quiz["guesses"], n)
    span = state.surface_spec.span
    st.subheader(f"❓ The answer after {steps_phrase(n)}")
    runs = [first_steps(t, n) for t in computed.runs]
    figure = reveal_figure(
        view.landscape, view.image_uri, runs, computed.labels, state.start, result, n, sizes, state.speed
    )
    st.plotly_chart(PrebuiltFigure(figure), key="quiz_reveal_chart", theme=None)
    # the table under the picture, full width: beside it the six columns were cut off
    st.dataframe(
        [
            {
                "run": label,
                "your guess": f"({a.guess[0]:.3g}, {a.guess[1]:.3g})" if a.guess else "—",
                "truth": f"({a.truth[0]:.3g}, {a.truth[1]:.3g})",
                "off by": a.distance,
                "% of the plot": None if a.distance is None else 100 * a.share_of(span),
                "note": a.status,
            }
            for label, a in zip(computed.labels, result)
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "off by": st.column_config.NumberColumn(format="%.3g"),
            "% of the plot": st.column_config.NumberColumn(format="%.0f %%"),
        },
    )
    scored = [i for i, a in enumerate(result) if a.distance is not None]
    if scored:
        best = min(scored, key=lambda i: result[i].distance)
        st.markdown(
            f"Closest guess: **{computed.labels[best]}**, off by {result[best].distance:.3g} "
            f"({100 * result[best].share_of(span):.0f} % of the plot width)."
        )
    st.button(
        "Try again", key="quiz_again", on_click=on_reveal, args=(False,), help="Hide the paths and clear the guesses."
    )
    st.divider()
