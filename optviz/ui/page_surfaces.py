"""The home page's script (run by st.navigation): optimizers on 2-D surfaces."""

from optviz.ui import surfaces_page

surfaces_page.render()
