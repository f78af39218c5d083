"""optviz: watch optimizers move on 2-D loss surfaces, and train small real networks.

Two pages (optviz.ui.pages): the surfaces (home, optviz.ui.surfaces_page) and /network
(optviz.ui.network_page).  This entry point sets what both share, then runs the page asked for.
"""

import streamlit as st

from optviz.ui import preload

preload.mount()  # first: the browser loads Plotly's code while the modules below import

from optviz.ui import warmup  # noqa: E402

warmup.begin()  # a fresh deploy starts compiling in the background while the page's modules import

from optviz.ui import pages, views  # noqa: E402

projector = st.query_params.get("present") == "1"  # Presentation mode opens with the sidebar out of the way
st.set_page_config(
    page_title="optviz — optimizers, visible",
    page_icon="📉",
    layout="wide",
    initial_sidebar_state="collapsed" if projector else "auto",
)
st.markdown(views.PAGE_CSS, unsafe_allow_html=True)
st.navigation(pages.all_pages(), position="hidden").run()
