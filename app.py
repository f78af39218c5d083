"""optviz: watch optimizers move on 2-D loss surfaces.

Table of contents: read the State (URL on first visit, then widgets) → run the engine
(cached) → draw the views → draw the sidebar → write the State back into the URL.

The sidebar is drawn last: every widget's value is already in st.session_state when the
script starts, and sending the charts before ~75 sidebar elements gets them to the browser
sooner (each element is a websocket message the browser renders on arrival).
"""

import streamlit as st

from optviz.figures.style import Sizes
from optviz.ui import compute, ensemble_view, inspector_view, maps_view, quiz_view, session, sidebar, views
from optviz.urlstate import encode

st.set_page_config(page_title="optviz — optimizers, visible", page_icon="📉", layout="wide")

if not st.session_state.get(session.HYDRATED):
    session.load_from_url({key: st.query_params.get_all(key) for key in st.query_params.keys()})

session.apply_picked_point()
maps_view.apply_pending_run_update()
state = session.state_from_widgets()

if state.presentation:
    st.markdown(views.PRESENTATION_CSS, unsafe_allow_html=True)
sizes = Sizes.for_mode(state.presentation)

views.messages()
with st.spinner("Computing trajectories…"):
    computed = compute.runs_for(state)
    landscape, image_uri = compute.landscape_for(state)

hidden = quiz_view.hidden(state)  # a quiz shows only what does not give the answer away
if state.quiz and not hidden:
    quiz_view.render_results(state, computed, landscape, image_uri, sizes)
EXPLORE = ["▶ Paths & results", "📈 Curves", "🔬 Inside a step", "🎲 Noise & dropout", "🗺 Maps"]
names = (["❓ Quiz"] if hidden else EXPLORE) + ["∑ Equations & intuition", "📖 Glossary",
                                                 "🔗 Share" if hidden else "⬇ Export & share"]
tabs = dict(zip(names, st.tabs(names)))
if hidden:
    with tabs["❓ Quiz"]:
        quiz_view.render_guessing(state, computed, landscape, image_uri, sizes)
else:
    with tabs["▶ Paths & results"]:
        contour, _ = views.animations(state, computed, landscape, image_uri, sizes)
        views.results_table(computed)
    with tabs["📈 Curves"]:
        views.curves(computed, sizes)
    with tabs["🔬 Inside a step"]:
        inspector_view.render(state, computed, landscape, image_uri, sizes)
    with tabs["🎲 Noise & dropout"]:
        ensemble_view.render(state, computed, landscape, image_uri, sizes)
    with tabs["🗺 Maps"]:
        maps_view.render(state, sizes)
with tabs["∑ Equations & intuition"]:
    views.equations(state)
with tabs["📖 Glossary"]:
    views.glossary()
with tabs[names[-1]]:
    views.share_link(state)
    if not hidden:
        views.exports(state, computed, landscape, contour)

sidebar.render()
st.query_params.from_dict(encode(state))
