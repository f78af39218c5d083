"""The app's two pages, for st.navigation and for the links between them.

Each page is a small script (st.navigation runs it as the page, AppTest can switch to it), so
opening one page does not import the other's modules.  A page is made afresh in each script
run: st.Page reads the running script's context, and st.navigation marks the page it runs.
"""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent


def surfaces() -> st.Page:
    return st.Page(HERE / "page_surfaces.py", title="optviz — optimizers, visible", icon="📉", default=True)


def network() -> st.Page:
    return st.Page(HERE / "page_network.py", title="optviz — train a real network", icon="🧠", url_path="network")


def all_pages() -> list[st.Page]:
    return [surfaces(), network()]
