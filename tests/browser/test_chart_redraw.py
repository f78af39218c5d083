"""A chart Streamlit hands to Plotly a second time redraws nothing, and a changed one redraws.

Streamlit mounts each new chart with ``Plotly.newPlot`` and then calls ``Plotly.react`` again
with a re-parsed copy of the same figure.  The page's encoded figures (``prebuilt.encode``)
let Plotly see that second copy as unchanged; a figure whose content changed must still be
drawn anew, never left showing the old runs.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import numpy as np
import plotly.io as pio
import pytest

from optviz.figures.paths import paths_figure
from optviz.figures.prebuilt import encode
from optviz.figures.style import Sizes
from optviz.presets import PRESETS
from optviz.ui.compute import _landscape as cached_landscape
from optviz.ui.compute import compute_runs

# calcdata is Plotly's computed picture: a full redraw replaces it, an unchanged figure keeps it
HANDED_TWICE = """async ([first, again, changed]) => {
  const gd = document.createElement('div');
  document.body.appendChild(gd);
  await Plotly.newPlot(gd, JSON.parse(first));
  const drawn = gd.calcdata;
  await Plotly.react(gd, JSON.parse(again));
  const keptOnSecondHanding = gd.calcdata === drawn;
  await Plotly.react(gd, JSON.parse(changed));
  return {keptOnSecondHanding, redrawnWhenChanged: gd.calcdata !== drawn,
          shownPaths: gd._fullData.filter(t => t.type === 'scatter' && t.xaxis === 'x' && t.name && t.mode === 'lines')
            .map(t => [t.name, Array.from(t.x)])};
}"""


def _encoded_paths(state, show_3d: bool):
    computed = compute_runs(state)
    landscape, uri = cached_landscape.__wrapped__(state.surface, state.surface_params, state.l1, state.l2)
    sizes = Sizes.for_mode(False)
    return encode(paths_figure(landscape, computed.runs, computed.labels, state.start, sizes, 60, uri, show_3d=show_3d))


@pytest.mark.parametrize("show_3d", [False, True])
def test_a_figure_handed_again_keeps_its_drawing_and_a_changed_one_is_redrawn(browser, tmp_path, show_3d):
    state = PRESETS["rosenbrock_race"].build()
    first_run = state.runs[0]
    slower = replace(first_run, hyperparameters=tuple({**first_run.params, "lr": first_run.params["lr"] / 2}.items()))
    first, changed = (_encoded_paths(s, show_3d) for s in (state, replace(state, runs=(slower, *state.runs[1:]))))
    assert json.loads(first.text)["layout"]["datarevision"] != json.loads(changed.text)["layout"]["datarevision"]
    html = tmp_path / "plotly.html"
    html.write_text(pio.to_html({"data": [], "layout": {}}, include_plotlyjs=True, full_html=True))
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(html.as_uri())
        result = page.evaluate(HANDED_TWICE, [first.text, first.text, changed.text])
    finally:
        page.close()
    assert result["keptOnSecondHanding"]
    assert result["redrawnWhenChanged"]
    shown = dict(result["shownPaths"])  # each run's path on the map as Plotly now draws it, by label
    assert slower.label() in shown and first_run.label() not in shown
    on_map = [t for t in json.loads(changed.text)["data"] if t["type"] == "scatter" and t.get("xaxis", "x") == "x"]
    expected = next(t for t in on_map if t.get("name") == slower.label() and t.get("mode") == "lines")
    assert shown[slower.label()] == pytest.approx(_decoded(expected["x"]))


def _decoded(values):
    """A trace's array as plotly.py encodes it (a list, or base64 typed data)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return values
