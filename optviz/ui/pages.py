"""The app's two pages, for st.navigation and for the links between them.

Each page is a small script (st.navigation runs it as the page, AppTest can switch to it), so
opening one page does not import the other's modules.
"""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
SURFACES = st.Page(HERE / "page_surfaces.py", title="optviz — optimizers, visible", icon="📉", default=True)
NETWORK = st.Page(HERE / "page_network.py", title="optviz — train a real network", icon="🧠", url_path="network")
PAGES = [SURFACES, NETWORK]
