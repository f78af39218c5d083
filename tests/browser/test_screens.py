"""The screens that matter: a laptop, a projector in Presentation mode (1280×720 and
1920×1080) and a phone.

Geometry, not pixels: the boxes of the legend, toolbar, plot area, play buttons and slider
thumb must not overlap, for 1, 3 and 6 runs.  Every run saves a screenshot of each screen
under artifacts/screens/, so anyone can look.
"""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import urlencode

import pytest

from optviz.state import default_state, make_run
from optviz.ui.binding import NEW_RUN_KINDS
from optviz.urlstate import encode
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

SCREENS = ROOT / "artifacts" / "screens"
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/130.0 Mobile Safari/537.36")
VIEWPORTS = {
    "laptop-1440x900": ({"viewport": {"width": 1440, "height": 900}}, {}),
    "projector-1280x720": ({"viewport": {"width": 1280, "height": 720}}, {"present": "1"}),
    "projector-1920x1080": ({"viewport": {"width": 1920, "height": 1080}}, {"present": "1", "screen": "1080p"}),
    "phone-390x844": ({"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                       "device_scale_factor": 2, "user_agent": PHONE_AGENT}, {}),
}
BOXES = """() => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  const g = document.querySelector('.js-plotly-plot');
  return {legend: box(document.querySelector('.optviz-legend')), toolbar: box(g.querySelector('.modebar')),
          plot: box(g.querySelector('.nsewdrag')), buttons: [...g.querySelectorAll('.updatemenu-button')].map(box),
          thumb: box(g.querySelector('.slider-grip-rect')),
          viewport: [0, 0, window.innerWidth, window.innerHeight]};
}"""


def runs_query(n: int, extra: dict) -> dict:
    state = default_state("himmelblau")
    state = replace(state, runs=tuple(make_run(k, state.surface_spec) for k in NEW_RUN_KINDS[:n]))
    return {**encode(state), **extra}


def overlaps(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def open_screen(browser, app_url, name: str, query: dict):
    options, extra = VIEWPORTS[name]
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(f"{app_url}/?{urlencode({**query, **extra})}")
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    time.sleep(1.0)
    return context, page


@pytest.mark.parametrize("runs", [1, 3, 6])
@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_nothing_overlaps_and_the_slider_thumb_shows(browser, app_url, name, runs):
    context, page = open_screen(browser, app_url, name, runs_query(runs, {}))
    try:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}-{runs}-runs.png"))
        b = page.evaluate(BOXES)
        assert b["legend"] and b["plot"] and b["thumb"], b
        assert not overlaps(b["legend"], b["plot"]) and not overlaps(b["legend"], b["toolbar"])
        for button in b["buttons"]:
            assert not overlaps(button, b["thumb"]), ("a play button covers the slider's thumb", button, b["thumb"])
            assert not overlaps(button, b["plot"])
        assert b["thumb"][0] >= 0 and b["thumb"][2] <= b["viewport"][2]  # the thumb is on screen horizontally
        if name.startswith("projector"):  # the map and its Play fit the projector without scrolling
            height = b["viewport"][3]
            assert b["plot"][3] <= height and all(button[3] <= height for button in b["buttons"]), b
        if name == "projector-1920x1080":  # the map takes most of the screen's height
            assert b["plot"][3] - b["plot"][1] >= 0.55 * 1080, b
    finally:
        context.close()


def test_one_play_moves_the_map_and_the_surface_together(browser, app_url):
    context, page = open_screen(browser, app_url, "laptop-1440x900", {"preset": "basins"})
    try:
        page.locator(".updatemenu-button").first.click()
        time.sleep(4)
        page.locator(".updatemenu-button").nth(1).click()  # pause, then compare the two views' markers
        time.sleep(0.5)
        shown = page.evaluate("""() => { const g = document.querySelector('.js-plotly-plot');
            const head = g.data.findIndex(d => d.type === 'scatter' && d.mode === 'markers' && d.legendgroup === 'run0');
            const marker3d = g.data.findIndex(d => d.type === 'scatter3d' && d.mode === 'markers' && d.legendgroup === 'run0');
            return [g.data[head].x[0], g.data[head].y[0], g.data[marker3d].x[0], g.data[marker3d].y[0],
                    g.layout.sliders[0].active]; }""")
        assert shown[4] > 0, "playing moved the slider"
        assert shown[0] == pytest.approx(shown[2], abs=1e-4) and shown[1] == pytest.approx(shown[3], abs=1e-4)
    finally:
        context.close()
