"""The surfaces page: optimizers moving on 2-D loss surfaces (the app's home page).

Table of contents: read the State (URL on first visit, then widgets) → draw the views and the
runs (a fragment) → draw the rest of the sidebar around them.

The views and the run settings form one fragment: a change to a run reruns only them, and
the rest of the sidebar (presets, surface, playback, quiz) stays as it is in the browser.  Any
other widget reruns the whole page, and so does a callback inside the fragment that changes
something outside it (binding.whole_page).  The fragment is drawn first: on a whole-page run
its charts reach the browser before the rest of the sidebar (each element is a message the
browser renders on arrival).
"""

from dataclasses import replace

import streamlit as st

from optviz.state import TABS
from optviz.ui import (
    binding,
    bridge,
    compute,
    ensemble_view,
    inspector_view,
    maps_view,
    pages,
    quiz_view,
    sidebar,
    views,
    warmup,
)
from optviz.ui.widgets import view_picker
from optviz.urlstate import encode

BODIES = {  # each view's body runs only while it is open
    "quiz": quiz_view.render_guessing,
    "paths": views.paths,
    "curves": views.curves,
    "inside": inspector_view.render,
    "noise": ensemble_view.render,
    "maps": maps_view.render,
    "equations": views.equations,
    "glossary": views.glossary,
    "export": views.share_and_export,
}


def render() -> None:
    if not st.session_state.get(binding.HYDRATED):
        binding.load_from_url({key: st.query_params.get_all(key) for key in st.query_params.keys()})
    binding.restore_after_page_switch()
    binding.apply_picked_point()  # before the start widgets
    maps_view.apply_pending_run_update()  # before the run widgets
    state = binding.read()

    if state.presentation:
        st.markdown(views.PRESENTATION_CSS, unsafe_allow_html=True)
    phone = views.on_phone()
    bridge.mount(phone)
    with st.sidebar:
        head, runs, tail = st.container(), st.container(), st.container()
    views_and_runs(runs, phone)
    with head:  # first in the sidebar: the way to the networks
        st.page_link(
            pages.network(),
            label="Train a real network",
            icon="🧠",
            help="Overfitting, regularisation, loss landscapes and sharpness on small networks trained on data.",
        )
        sidebar.render_head(state)
    with tail:
        sidebar.render_tail(state)


@st.fragment
def views_and_runs(runs, phone: bool) -> None:
    """Everything a run's settings change: the views, the lesson, the run settings (in ``runs``,
    a sidebar container) and the link."""
    binding.follow_page_changes()
    state = binding.read()
    binding.note_drawn(state)

    views.messages(state)
    if phone:
        views.phone_header(guessing=quiz_view.hidden(state))
    warmup.notice(state.presentation)
    view = warmup.run(lambda: compute.view_for(state), "these runs")
    if not state.presentation:  # in Presentation mode the lesson sits beside the figure (views.paths)
        views.lesson(view)

    if state.quiz and not quiz_view.hidden(state):  # revealed: the answer above the views
        quiz_view.render_results(view)
    state = replace(state, tab=view_picker("tab", TABS, views.shown_tabs(state), phone))
    BODIES[state.tab](view)
    with runs:
        sidebar.render_runs(state)
    st.query_params.from_dict(encode(state))
