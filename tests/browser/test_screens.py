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

from optviz.presets import PRESETS
from optviz.state import default_state, make_run
from optviz.ui.binding import NEW_RUN_KINDS
from optviz.urlstate import encode
from tests.browser.conftest import ROOT, VIEWS

pytestmark = pytest.mark.browser

SCREENS = ROOT / "artifacts" / "screens"
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
)
VIEWPORTS = {
    "laptop-1440x900": ({"viewport": {"width": 1440, "height": 900}}, {}),
    "projector-1280x720": ({"viewport": {"width": 1280, "height": 720}}, {"present": "1"}),
    "projector-1920x1080": ({"viewport": {"width": 1920, "height": 1080}}, {"present": "1", "screen": "1080p"}),
    "phone-390x844": (
        {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 2,
            "user_agent": PHONE_AGENT,
        },
        {},
    ),
}
BOXES = """() => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  const g = document.querySelector('.js-plotly-plot');
  return {legend: box(document.querySelector('.optviz-legend')), toolbar: box(g.querySelector('.modebar')),
          plot: box(g.querySelector('.nsewdrag')), buttons: [...g.querySelectorAll('.updatemenu-button')].map(box),
          thumb: box(g.querySelector('.slider-grip-rect')),
          viewport: [0, 0, window.innerWidth, window.innerHeight],
          views_cut: (t => t.scrollWidth - t.clientWidth)(document.querySelector('VIEWS'))};
}""".replace("VIEWS", VIEWS)


def runs_query(n: int, extra: dict) -> dict:
    state = default_state("himmelblau")
    state = replace(state, runs=tuple(make_run(k, state.surface_spec) for k in NEW_RUN_KINDS[:n]))
    return {**encode(state), **extra}


def overlaps(a, b) -> bool:
    return (
        a is not None and b is not None and a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
    )


def open_screen(browser, app_url, name: str, query: dict):
    context = browser.new_context(**VIEWPORTS[name][0])
    return context, open_page(context, app_url, name, query)


@pytest.fixture(scope="module")
def screens(browser):
    """One browser context per screen for the tests that only look: each loads Streamlit's and
    Plotly's scripts once, as a returning visitor's browser does, instead of once per test."""
    contexts = {}

    def context_for(name: str):
        if name not in contexts:
            contexts[name] = browser.new_context(**VIEWPORTS[name][0])
        return contexts[name]

    yield context_for
    for context in contexts.values():
        context.close()


def open_page(context, app_url, name: str, query: dict):
    page = context.new_page()
    page.goto(f"{app_url}/?{urlencode({**query, **VIEWPORTS[name][1]})}")
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    time.sleep(1.0)
    return page


@pytest.mark.parametrize("runs", [1, 3, 6])
@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_nothing_overlaps_and_the_slider_thumb_shows(screens, app_url, name, runs):
    page = open_page(screens(name), app_url, name, runs_query(runs, {}))
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
        if name.startswith("phone"):  # the toolbar would cover the titles at this width: hidden until gestures are on
            assert b["toolbar"] is None, b
        if name.startswith("projector"):  # the map and its Play fit the projector without scrolling; every tab shows
            assert b["views_cut"] <= 1, b
            height = b["viewport"][3]
            assert b["plot"][3] <= height and all(button[3] <= height for button in b["buttons"]), b
        if name == "projector-1920x1080":  # the map takes most of the screen's height
            assert b["plot"][3] - b["plot"][1] >= 0.55 * 1080, b
    finally:
        page.close()


def test_one_play_moves_the_map_and_the_surface_together(browser, app_url):
    """The map moves frame by frame; the 3-D scene follows as fast as it draws and is in step on Pause."""
    context, page = open_screen(browser, app_url, "laptop-1440x900", {"preset": "basins", "3d": "on"})
    try:
        page.evaluate("""() => { const g = document.querySelector('.js-plotly-plot');
            window.optvizStopped = false;
            const stop = () => { window.optvizStopped = true; };
            g.on('plotly_animationinterrupted', stop); g.on('plotly_animated', stop); }""")
        page.locator(".updatemenu-button").first.click()
        # a few frames in, however slow the machine: Plotly's slider follows each frame drawn
        page.wait_for_function(
            "() => document.querySelector('.js-plotly-plot').layout.sliders[0].active >= 5", timeout=60_000
        )
        page.locator(".updatemenu-button").nth(1).click()  # pause, then compare the two views' markers
        page.wait_for_function("() => window.optvizStopped", timeout=30_000)
        # the 3-D scene as drawn (it follows Play between frames, and once more on Pause), not only its data
        in_step = """() => { const g = document.querySelector('.js-plotly-plot');
            const drawn = Object.values(g._fullLayout.scene._scene.traces).find(
                t => t.data.mode === 'markers' && t.data.legendgroup === 'run0').data;
            const head = g.data.find(d => d.type === 'scatter' && d.mode === 'markers' && d.legendgroup === 'run0');
            return g.layout.sliders[0].active > 0 && Math.abs(drawn.x[0] - head.x[0]) < 1e-4
                && Math.abs(drawn.y[0] - head.y[0]) < 1e-4; }"""
        page.wait_for_function(in_step, timeout=30_000)
    finally:
        context.close()


# null while a new figure replaces the old one (Streamlit remounts a chart whose figure changed)
START = (
    "() => { const g = document.querySelector('.js-plotly-plot');"
    " return g && g.data ? [g.data[2].x[0], g.data[2].y[0]] : null; }"
)
# The data point under a fraction (fx, fy) of the map's plot area, from the drawn box and the axis ranges
UNDER = """([fx, fy]) => { const g = document.querySelector('.js-plotly-plot');
  const r = g.querySelector('.nsewdrag').getBoundingClientRect();
  const xr = g._fullLayout.xaxis.range, yr = g._fullLayout.yaxis.range;
  return {px: [r.left + fx * r.width, r.top + fy * r.height],
          x: xr[0] + fx * (xr[1] - xr[0]), y: yr[1] - fy * (yr[1] - yr[0]), per_px: (xr[1] - xr[0]) / r.width}; }"""
SCROLLED = """() => Math.max(window.scrollY, ...[...document.querySelectorAll(
  '[data-testid="stMain"], [data-testid="stAppViewContainer"]')].map(e => e.scrollTop))"""


def settle(page, seconds: float = 1.0) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    time.sleep(seconds)


def wait_start_moved(page, before) -> list[float]:
    page.wait_for_function(f"() => (s => s !== null && s[0] !== {before[0]})(({START})())", timeout=30_000)
    settle(page)
    return page.evaluate(START)


@pytest.mark.parametrize("name", ["laptop-1440x900", "phone-390x844"])
def test_a_click_or_tap_starts_exactly_where_it_lands(browser, app_url, name):
    """Within two pixels of the point pressed (the old pick grid snapped to cells ~0.36 wide)."""
    context, page = open_screen(browser, app_url, name, {"surface": "himmelblau"})
    try:
        for fraction in ((0.63, 0.41), (0.27, 0.81)):
            target, before = page.evaluate(UNDER, list(fraction)), page.evaluate(START)
            (page.touchscreen.tap if name.startswith("phone") else page.mouse.click)(*target["px"])
            start = wait_start_moved(page, before)
            assert (
                abs(start[0] - target["x"]) <= 2 * target["per_px"]
                and abs(start[1] - target["y"]) <= 2 * target["per_px"]
            )
    finally:
        context.close()


def swipe(page, x: float, y: float, dy: float) -> None:
    """A one-finger vertical swipe through Chromium's real touch pipeline."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + dy * k / 10}]})
        time.sleep(0.016)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    time.sleep(0.8)


def test_on_a_phone_a_swipe_over_a_chart_scrolls_the_page_and_taps_are_not_swipes(browser, app_url):
    # the 3-D view shown (a phone hides it by default): a swipe over it must scroll too
    context, page = open_screen(browser, app_url, "phone-390x844", {"surface": "himmelblau", "3d": "on"})
    try:
        start = page.evaluate(START)
        for part in (".nsewdrag", ".gl-container canvas, canvas"):  # the map, then the 3-D view
            box = page.locator(f".js-plotly-plot {part}").first.bounding_box()
            page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
            time.sleep(0.3)
            box = page.locator(f".js-plotly-plot {part}").first.bounding_box()
            y = min(box["y"] + box["height"] * 0.6, 800)
            swipe(page, box["x"] + box["width"] / 2, y, -250)
            assert page.evaluate(SCROLLED) > 150, f"a swipe starting on {part} did not scroll the page"
        settle(page)
        assert page.evaluate(START) == start, "a swipe moved the start as if it were a tap"
        page.locator(".st-key-chart_gestures label").tap()  # now one finger pans the map instead
        settle(page)
        page.locator(".js-plotly-plot .nsewdrag").first.scroll_into_view_if_needed()  # the map is last, above Play
        time.sleep(0.3)
        box, before = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box(), page.evaluate(SCROLLED)
        swipe(page, box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6, -250)
        moved = abs(page.evaluate(SCROLLED) - before)
        assert moved < 50, "with gestures on, a swipe on the map should pan it, not scroll"
    finally:
        context.close()


def test_the_phone_layout_follows_the_screen_not_the_browser_name(browser, app_url):
    """A desktop browser at phone width stacks the panels; a phone's browser at laptop width does not."""
    narrow = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    wide = browser.new_context(viewport={"width": 1440, "height": 900}, user_agent=PHONE_AGENT)
    try:
        for context, arrangement in ((narrow, "stacked"), (wide, "side")):
            page = context.new_page()
            page.goto(f"{app_url}/?surface=himmelblau")
            page.wait_for_selector(f".st-key-paths_{arrangement} .js-plotly-plot .nsewdrag", timeout=90_000)
    finally:
        narrow.close()
        wide.close()


def test_on_a_phone_a_preset_tap_folds_the_sidebar_over_its_result(browser, app_url):
    context, page = open_screen(browser, app_url, "phone-390x844", {"surface": "himmelblau"})
    try:
        sidebar_right = "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right"
        page.locator('[data-testid="stExpandSidebarButton"]').tap()
        page.wait_for_function(f"() => ({sidebar_right})() > 200", timeout=10_000)
        page.get_by_role("button", name="Momentum in a ravine").tap()
        page.wait_for_function(f"() => ({sidebar_right})() <= 0", timeout=10_000)
        lesson = page.locator(".st-key-lesson")
        lesson.wait_for(timeout=60_000)
        assert lesson.is_visible() and "Momentum in a ravine" in lesson.inner_text()
    finally:
        context.close()


def test_on_a_720p_projector_the_quiz_map_and_reveal_fit_the_screen(browser, app_url):
    """A teacher guesses with the class and reveals without scrolling."""
    query = {**encode(replace(PRESETS["basins"].build(), quiz=12)), "present": "1"}
    context = browser.new_context(**VIEWPORTS["projector-1280x720"][0])
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?{urlencode(query)}")
        page.wait_for_selector(".st-key-quiz_map .js-plotly-plot .nsewdrag", timeout=90_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        plot = page.locator(".st-key-quiz_map .nsewdrag").bounding_box()
        axis = page.locator(".st-key-quiz_map .xtitle").bounding_box()
        reveal = page.get_by_role("button", name="Reveal", exact=True).bounding_box()
        assert all(box["y"] + box["height"] <= 720 for box in (plot, axis, reveal)), (plot, axis, reveal)
        assert plot["height"] >= 0.5 * 720, plot  # the map is the picture, not a thumbnail
    finally:
        context.close()


def test_on_a_phone_a_quiz_points_to_the_map_not_to_play(browser, app_url):
    """Before Reveal there is no ▶ Play: the phone's top hint says where to guess instead."""
    query = encode(replace(PRESETS["basins"].build(), quiz=12))
    context = browser.new_context(**VIEWPORTS["phone-390x844"][0])
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?{urlencode(query)}")
        page.get_by_text("Scroll down to the map, tap your guesses, then Reveal.").wait_for(timeout=90_000)
        assert page.get_by_text("Scroll down to ▶ Play").count() == 0
    finally:
        context.close()


def test_on_a_phone_the_views_row_fades_where_it_scrolls_and_its_last_view_clears_the_fade(screens, app_url):
    page = open_page(screens("phone-390x844"), app_url, "phone-390x844", {})
    try:
        row = page.locator(VIEWS)
        shown = row.evaluate(
            """(g) => { const fade = getComputedStyle(g).maskImage || getComputedStyle(g).webkitMaskImage;
                        g.scrollLeft = g.scrollWidth;
                        const last = [...g.querySelectorAll('button')].pop().getBoundingClientRect();
                        return {fade, scrolls: g.scrollWidth > g.clientWidth,
                                clear: g.getBoundingClientRect().right - last.right}; }"""
        )
        assert shown["scrolls"] and "gradient" in shown["fade"], shown  # more views than fit: the edge says so
        assert shown["clear"] >= 30, shown  # scrolled to the end, "Share & export" is not under the fade
    finally:
        page.close()


@pytest.mark.parametrize("path", ["", "network"])
def test_on_a_phone_the_first_line_clears_the_header_bar(screens, app_url, path):
    context = screens("phone-390x844")
    page = context.new_page()
    try:
        page.goto(f"{app_url}/{path}")
        page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=120_000)
        tops = page.evaluate(
            """() => {
              const header = document.querySelector('[data-testid="stHeader"]').getBoundingClientRect();
              const first = [...document.querySelectorAll('[data-testid="stMain"] p, [data-testid="stMain"] h1, '
                  + '[data-testid="stMain"] h2, [data-testid="stMain"] h3')]
                .map(e => e.getBoundingClientRect()).find(r => r.height > 0);
              return {header: header.bottom, first: first.top};
            }"""
        )
        assert tops["first"] >= tops["header"] - 1, tops  # no line of text under the bar with »
    finally:
        page.close()
