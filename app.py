"""optviz: watch optimizers move on 2-D loss surfaces."""

import streamlit as st

import optviz
from surfaces import CATALOGUE

st.set_page_config(page_title="optviz", layout="wide")
surface = st.sidebar.selectbox("Surface", list(CATALOGUE), format_func=lambda k: CATALOGUE[k].name)
traj = optviz.simulate(surface, "adam", lr=CATALOGUE[surface].default_lr["adam"])
st.line_chart({"x": traj.path[:, 0], "y": traj.path[:, 1]})
st.write(traj.outcome.summary())
