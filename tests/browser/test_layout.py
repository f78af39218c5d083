"""Issue 21's layout, by geometry (getBoundingClientRect), not pixels: at 1280×720 in
Presentation mode every preset's map is at least half the screen high with ▶ Play, the lesson
and the legend above the fold, and the results table's text as large as the explanations; on a
phone the map comes first, ▶ Play is within one screen of the map's top and the results table
does not scroll sideways."""

from __future__ import annotations

import pytest

from optviz.presets import PRESETS
from tests.browser.conftest import VIEWS
from tests.browser.test_screens import open_page
from tests.browser.test_screens import screens as screens  # a fixture

pytestmark = pytest.mark.browser

GEOMETRY = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const g = document.querySelector('.js-plotly-plot'), results = document.querySelector('.st-key-results');
  const table = results.querySelector('table'), said = results.querySelector('[data-testid="stMarkdownContainer"] p');
  const lesson = document.querySelector('.st-key-lesson'), legend = document.querySelector('.optviz-legend');
  return {map: box(g.querySelector('.nsewdrag')), strip: box(g.querySelectorAll('.nsewdrag')[1]),
          lesson: lesson ? box(lesson) : null, legend: box(legend),
          views: box(document.querySelector('[data-testid="stMain"] VIEWS')),
          play: box(g.querySelector('.updatemenu-button')),
          buttons: [...g.querySelectorAll('.updatemenu-button')].map(box),
          height: window.innerHeight, results_overflow: results.scrollWidth - results.clientWidth,
          table_overflow: table.scrollWidth - table.getBoundingClientRect().width,
          table_px: getComputedStyle(table.querySelector('td')).fontSize,
          said_px: getComputedStyle(said).fontSize}; }""".replace("VIEWS", VIEWS)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_at_720p_the_map_is_half_the_screen_high_with_play_lesson_and_legend_above_the_fold(screens, app_url, preset):
    """The teacher's whole slide without scrolling: the map, its Play and Pause, the lesson and the legend."""
    page = open_page(screens("projector-1280x720"), app_url, "projector-1280x720", {"preset": preset})
    try:
        g = page.evaluate(GEOMETRY)
        assert g["map"][3] - g["map"][1] >= g["height"] / 2, g
        assert g["map"][3] <= g["height"] and all(button[3] <= g["height"] for button in g["buttons"]), g
        assert g["lesson"][3] <= g["height"], g  # and the lesson beside it
        assert g["legend"][3] <= g["height"], g  # and the legend under the lesson (saddle, L2 vs AdamW fell off)
        assert g["views"][1] <= 0.05 * g["height"], g  # no empty band above the views (it was ~90 px)
        assert g["table_px"] == g["said_px"], g  # the table's text as large as the explanations under it
    finally:
        page.close()


@pytest.mark.parametrize("preset", ["basins", "l2_vs_adamw", "rosenbrock_race"])
def test_on_a_phone_the_map_comes_first_play_is_one_screen_under_its_top_and_the_table_fits(screens, app_url, preset):
    page = open_page(screens("phone-390x844"), app_url, "phone-390x844", {"preset": preset})
    try:
        g = page.evaluate(GEOMETRY)
        assert g["map"][3] < g["strip"][1], g  # the map first, then the loss strip
        assert g["play"][3] - g["map"][1] <= g["height"], g  # scrolled to the map, ▶ shows with it
        assert g["results_overflow"] <= 1 and g["table_overflow"] <= 1, g
    finally:
        page.close()


INSPECTOR = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const chart = document.querySelector('.st-key-inspector_chart .js-plotly-plot')
    || [...document.querySelectorAll('.js-plotly-plot')].pop();
  const table = [...document.querySelectorAll('[data-testid="stDataFrame"]')].pop();
  return {map: box(chart.querySelector('.nsewdrag')), table: box(table), height: window.innerHeight}; }"""


def test_at_720p_inside_a_step_fits_its_map_and_state_table_on_the_screen(screens, app_url):
    page = open_page(
        screens("projector-1280x720"), app_url, "projector-1280x720", {"preset": "l2_vs_adamw", "tab": "inside"}
    )
    try:
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        g = page.evaluate(INSPECTOR)
        assert g["map"][3] <= g["height"] and g["table"][3] <= g["height"], g
        assert g["table"][0] >= g["map"][2], g  # beside the map, not under it
    finally:
        page.close()


def test_at_720p_the_sidebar_still_opens_from_the_header_over_the_page(screens, app_url):
    """The header's bar is see-through in Presentation mode at 720p: its » must still take the click."""
    page = open_page(screens("projector-1280x720"), app_url, "projector-1280x720", {"preset": "basins"})
    try:
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function(
            """() => { const r = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
                       return r.left >= 0 && r.width > 200; }""",
            timeout=30_000,
        )
    finally:
        page.close()
