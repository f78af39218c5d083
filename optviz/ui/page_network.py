"""The /network page's script (run by st.navigation): small real networks."""

from optviz.ui import network_page

network_page.render()
