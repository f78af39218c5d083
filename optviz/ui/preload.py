"""The page's first element: it starts the browser loading Plotly's code while the server
imports and computes the first view.

Streamlit fetches its Plotly chart code (a ~4.7 MB chunk) only when the first chart arrives,
about a second into a cold start; parsing it then delayed the first chart by as much again.
Imported here, at the top of the first message, it loads in parallel: the first chart came
0.7 s sooner (`python -m optviz.bench browser`).  The JavaScript is fixed text; Python passes it
only the chunk's file name, read from the installed Streamlit.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HOST = "preload_host"  # hidden by views.PAGE_CSS: the component draws nothing
CHUNKS = sorted(Path(st.__file__).parent.glob("static/static/js/PlotlyChart.*.js"))

_JS = """
export default function ({ data }) {
  if (window.__optvizPlotly || !data.chunk) return;
  const script = document.querySelector('script[src*="/static/js/"]');  // Streamlit's own entry point
  if (script) window.__optvizPlotly = import(script.src.replace(/[^/]*$/, data.chunk)).catch(() => null);
}
"""
_COMPONENT = st.components.v2.component("optviz_preload", js=_JS)


def mount() -> None:
    """Put the preloader on the page (a no-op in the browser after the first time)."""
    if CHUNKS:  # another Streamlit may name its chunk otherwise: then the chart loads it as usual
        with st.container(key=HOST):
            _COMPONENT(key="preload", data={"chunk": CHUNKS[-1].name})
