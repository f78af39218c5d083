"""The network page's figures: pure functions from training results to Plotly figures."""

from optviz.figures.network.curves import curves_figure, line_figure, sharpness_figure
from optviz.figures.network.decision import decision_figure
from optviz.figures.network.landscape import landscape_figure

__all__ = ["curves_figure", "decision_figure", "landscape_figure", "line_figure", "sharpness_figure"]
