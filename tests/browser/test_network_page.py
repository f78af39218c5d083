"""The /network page at the three screens its users have (a laptop at 1440×900, a projector at
1280×720 in Presentation mode, a phone at 390×844 with touch), by geometry, not pixels: the
boxes (getBoundingClientRect) of each chart's title, legend, key, plot areas, colour bars and
axis titles must not overlap; at 1280×720 the teacher sees the decision panels, their ▶ Play
and the curves without scrolling; on a phone nothing is wider than the screen.  One server and
one browser context per screen for the module (test_screens' fixtures).  Screenshots of each
screen land in artifacts/screens/network-*.png, for anyone to look at.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from optviz.netlessons import NET_PRESETS
from tests.browser.conftest import open_view
from tests.browser.test_screens import SCREENS, VIEWPORTS, overlaps
from tests.browser.test_screens import screens as screens  # a fixture

pytestmark = pytest.mark.browser

NAMES = ["laptop-1440x900", "projector-1280x720", "phone-390x844"]

# Every drawn chart's parts, each a [left, top, right, bottom] box (null when absent or empty)
GEOMETRY = """() => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  const all = (g, s) => [...g.querySelectorAll(s)].map(box).filter(b => b);
  const charts = [...document.querySelectorAll('.js-plotly-plot')].map(g => ({
    title: (g.layout.title && g.layout.title.text) || '', gtitle: box(g.querySelector('.gtitle')),
    legend: box(g.querySelector('.legend')), plots: all(g, '.nsewdrag'),
    buttons: all(g, '.updatemenu-button'), chart: box(g),
    // the key and notes, not the panels' own titles (a run's marker, a space, its label: they sit
    // on their panel's top edge by design), nor a diverged run's arrow at its loss leaving the axis
    notes: [...g.querySelectorAll('.annotation')]
      .filter(a => !/^[●■◆▲✕✚] /.test(a.textContent) && !a.querySelector('.annotation-arrow-g path'))
      .map(box).filter(b => b),
    axis_titles: all(g, '.g-xtitle, .g-x2title, .g-ytitle, .g-y2title'),
    colorbars: [...g.querySelectorAll('.colorbar')].map(c => ({
      fill: box(c.querySelector('.cbfill')), title: box(c.querySelector('.cbtitle')), whole: box(c)})),
  }));
  const main = document.querySelector('[data-testid="stMain"]');
  const overflow = key => { const e = document.querySelector('.st-key-' + key);
                            return e ? e.scrollWidth - e.clientWidth : null; };
  return {charts, width: window.innerWidth, height: window.innerHeight,
          page_width: Math.max(document.documentElement.scrollWidth, main ? main.scrollWidth : 0),
          results_overflow: overflow('net_results'), honesty_overflow: overflow('net_honesty'),
          heading: box(document.querySelector('.st-key-net_header h2, .st-key-net_header h3')),
          link: box(document.querySelector('.st-key-net_header [data-testid="stPageLink-NavLink"]')),
          header: box(document.querySelector('.st-key-net_header')),
          exceptions: document.querySelectorAll('[data-testid="stException"]').length}; }"""


def open_network(context, app_url: str, name: str, query: dict):
    page = context.new_page()
    page.goto(f"{app_url}/network?{urlencode({**query, **VIEWPORTS[name][1]})}")
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=120_000)
    settle(page)
    return page


def settle(page, seconds: float = 1.0) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    time.sleep(seconds)


def chart(g: dict, words: str) -> dict:
    return next(c for c in g["charts"] if words in c["title"])


def assert_parts_apart(c: dict) -> None:
    """A chart's title, legend, notes, colour bars, axis titles and plot areas: none over another."""
    plots, notes, axis_titles = c["plots"], c["notes"], c["axis_titles"]
    apart = [(c["gtitle"], c["legend"]), *((c["gtitle"], n) for n in notes), *((c["legend"], n) for n in notes)]
    apart += [(part, plot) for plot in plots for part in (c["gtitle"], c["legend"], *notes)]
    for bar in c["colorbars"]:
        apart.append((bar["title"], bar["fill"]))  # a phone's horizontal bar had its title drawn over it
        apart += [(bar["whole"], other) for other in (*plots, *axis_titles, c["gtitle"], c["legend"], *notes)]
    apart += [(button, plot) for button in c["buttons"] for plot in plots]
    for a, b in apart:
        assert not overlaps(a, b), (c["title"], a, b, c)


def assert_fits_the_width(g: dict) -> None:
    assert g["page_width"] <= g["width"] + 1, g  # nothing scrolls sideways
    for c in g["charts"]:
        assert c["chart"][2] <= g["width"] + 1 and c["gtitle"][2] <= g["width"] + 1, c  # no title runs off


def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"network-{name}.png"))


@pytest.mark.parametrize("name", NAMES)
def test_the_decision_panels_and_curves_fit_each_screen(screens, app_url, name):
    page = open_network(screens(name), app_url, name, {"preset": "overfitting"})
    try:
        shoot(page, name)
        g = page.evaluate(GEOMETRY)
        assert g["exceptions"] == 0
        decision, curves = chart(g, "What the network computes"), chart(g, "Train against validation")
        assert len(decision["plots"]) == 2 and decision["colorbars"], decision
        for c in (decision, curves):
            assert_parts_apart(c)
        panels, play = decision["plots"], decision["buttons"][0]
        assert all(p[3] < play[1] for p in panels), decision  # ▶ Play under the panels
        if name.startswith("laptop"):  # under the overfitting lesson's long text, ▶ Play still shows whole
            assert play[3] <= g["height"], (play, g["height"])
        if name.startswith("projector"):  # the teacher's slide, without scrolling
            height = g["height"]
            assert play[3] <= height and all(p[3] <= height for p in panels + curves["plots"]), g
            assert decision["chart"][3] <= height, decision  # the slider and its step labels too
            assert all(p[3] - p[1] >= 0.3 * height for p in panels), decision  # the legend left the panels room
        if name.startswith("phone"):
            assert_fits_the_width(g)
            assert g["results_overflow"] <= 1, g
        else:  # the link to the surfaces on the title's line, at the header's right
            heading, link, header = g["heading"], g["link"], g["header"]
            assert abs((heading[1] + heading[3]) / 2 - (link[1] + link[3]) / 2) <= 8, g
            assert header[2] - link[2] <= 4, g
    finally:
        page.close()


def test_play_runs_the_decision_panels_to_their_last_frame(screens, app_url):
    name = "projector-1280x720"
    page = open_network(screens(name), app_url, name, {"preset": "overfitting"})
    try:
        page.locator(".js-plotly-plot .updatemenu-button").first.click()  # the decision figure's ▶ Play
        page.wait_for_function(
            """() => { const g = document.querySelector('.js-plotly-plot'), s = g.layout.sliders[0];
                       return s.active === s.steps.length - 1; }""",
            timeout=120_000,
        )
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


TABS = {"landscape": ("Landscape", "on the plane"), "sharpness": ("Sharpness", "Sharpness")}


@pytest.mark.parametrize("tab", list(TABS))
@pytest.mark.parametrize("name", NAMES)
def test_the_landscape_and_sharpness_tabs_draw_apart_and_fit(screens, app_url, name, tab):
    label, words = TABS[tab]
    page = open_network(screens(name), app_url, name, {"preset": "overfitting"})
    try:
        open_view(page, label)
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g.layout.title
                && (g.layout.title.text || '').includes({words!r}) && g.querySelector('.nsewdrag'))""",
            timeout=120_000,
        )
        settle(page)
        shoot(page, f"{name}-{tab}")
        g = page.evaluate(GEOMETRY)
        assert g["exceptions"] == 0
        for c in g["charts"]:
            assert_parts_apart(c)
        if tab == "landscape":
            landscape = chart(g, "on the plane")
            assert len(landscape["plots"]) == 2, landscape  # the map and the loss strip
            if not name.startswith("phone"):
                assert landscape["colorbars"], landscape
            assert g["honesty_overflow"] is not None, "the honesty table is in its keyed container"
        if name.startswith("phone"):
            assert_fits_the_width(g)
            assert g["honesty_overflow"] is None or g["honesty_overflow"] <= 1, g  # its rows are blocks
    finally:
        page.close()


@pytest.mark.parametrize("preset", list(NET_PRESETS))
def test_every_lesson_opens(screens, app_url, preset):
    name = "laptop-1440x900"
    page = open_network(screens(name), app_url, name, {"preset": preset})
    try:
        g = page.evaluate(GEOMETRY)
        assert g["exceptions"] == 0
        decision = chart(g, "What the network computes")
        assert len(decision["plots"]) == len(NET_PRESETS[preset].build().runs), decision
        assert_parts_apart(decision)
        assert page.locator(".st-key-net_lesson").count() == 1
    finally:
        page.close()
