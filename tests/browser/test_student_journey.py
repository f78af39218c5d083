"""What a student and a teacher do, in a real browser against the running app."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image

from optviz.presets import DEFAULT_PRESET, PRESETS
from optviz.ui.compute import compute_runs
from tests.browser.conftest import open_view

pytestmark = pytest.mark.browser

CHARTS = ".js-plotly-plot"
PATHS = 0  # the Paths figure: contour map, 3-D surface and loss strip (figures.paths)
CONTOUR = SURFACE_3D = PATHS
HEAD_TRACE = 5  # run 1's moving marker on the map (its traces come first: see figures.contour)
LEGEND = ".optviz-legend"  # the page's one legend, titled with the surface's name


def open_app(page, url: str, query: dict | None = None):
    page.goto(url + ("/?" + urlencode(query) if query else "/"))
    page.wait_for_selector(CHARTS, timeout=90_000)
    wait_idle(page)
    return page


def wait_idle(page, settle: float = 0.6, charts: int = 1) -> None:
    """Until Streamlit has finished rerunning and the open tab's charts are drawn."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_function(f"() => document.querySelectorAll('{CHARTS}').length >= {charts}", timeout=60_000)
    time.sleep(settle)


def chart_data(page, index: int, trace: int, axis: str = "x") -> list[float]:
    return page.evaluate(f"() => Array.from(document.querySelectorAll('{CHARTS}')[{index}].data[{trace}].{axis})")


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_page_loads_without_console_errors_and_draws_map_and_surface(page, app_url):
    open_app(page, app_url, {"3d": "on"})  # the 3-D view is hidden unless asked for
    no_exception(page)
    assert page.evaluate(f"document.querySelectorAll('{CHARTS}')[{CONTOUR}].querySelectorAll('image').length") >= 1
    assert page.evaluate(f"document.querySelectorAll('{CHARTS}')[{SURFACE_3D}].querySelector('canvas') !== null")
    assert page.evaluate(f"document.querySelectorAll('{CHARTS}')[{CONTOUR}].data.length") >= 6
    assert page.console_errors == []
    # Plotly's code was fetched once: optviz.ui.preload's early import and Streamlit's own share it
    fetched = "performance.getEntriesByType('resource').filter(e => e.name.includes('/PlotlyChart.')).length"
    assert page.evaluate(f"() => [{fetched}, !!window.__optvizPlotly]") == [1, True]


def test_play_moves_the_markers_and_keeps_the_landscape(page, app_url):
    """Play runs every frame to the end with the landscape drawn throughout.

    Waits on Plotly's own frame events, not the clock: run 1 (GD) stops at step 26, so a
    check that its marker still moves some seconds after Play failed whenever playback ran
    fast (and a slow machine could fail it the other way)."""
    open_app(page, app_url)
    before = chart_data(page, CONTOUR, HEAD_TRACE)
    page.evaluate(
        f"""() => {{
        const gd = document.querySelectorAll('{CHARTS}')[{CONTOUR}];
        const seen = window.optvizPlayback = {{frames: [], done: false}};
        gd.on('plotly_animatingframe', (e) => seen.frames.push({{
            name: e.name, images: gd.querySelectorAll('image').length, head: gd.data[{HEAD_TRACE}].x[0],
        }}));
        gd.on('plotly_animated', () => {{ seen.done = true; }});
    }}"""
    )
    page.locator(".updatemenu-button").first.click()  # the contour's ▶ Play
    page.wait_for_function("() => window.optvizPlayback.done", timeout=120_000)
    seen = page.evaluate("() => window.optvizPlayback.frames")
    names = page.evaluate(
        f"() => document.querySelectorAll('{CHARTS}')[{CONTOUR}].layout.sliders[0].steps.map(s => s.label)"
    )
    assert [f["name"] for f in seen] == names  # every frame, in order, from step 0
    assert all(f["images"] >= 1 for f in seen)  # the landscape stays drawn mid-playback
    assert len({f["head"] for f in seen}) > 2  # the marker moved, frame after frame
    after = chart_data(page, CONTOUR, HEAD_TRACE), chart_data(page, CONTOUR, HEAD_TRACE, "y")
    assert after[0] != before
    path = chart_data(page, CONTOUR, HEAD_TRACE - 2), chart_data(page, CONTOUR, HEAD_TRACE - 2, "y")
    assert (after[0][0], after[1][0]) == pytest.approx((path[0][-1], path[1][-1]), abs=1e-4)  # at the path's end
    active = page.evaluate(f"() => document.querySelectorAll('{CHARTS}')[{CONTOUR}].layout.sliders[0].active")
    assert active == len(names) - 1  # the slider followed to the last step


def test_clicking_the_contour_moves_the_start_and_recomputes(page, app_url):
    open_app(page, app_url, {"surface": "himmelblau"})
    start_before = chart_data(page, CONTOUR, 2)
    plot = page.locator(CHARTS).first.locator(".nsewdrag").first
    box = plot.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.78, box["y"] + box["height"] * 0.25)
    page.wait_for_function(
        f"() => document.querySelectorAll('{CHARTS}')[0].data[2].x[0] !== {start_before[0]}", timeout=30_000
    )
    wait_idle(page)
    start = (chart_data(page, CONTOUR, 2)[0], chart_data(page, CONTOUR, 2, "y")[0])
    assert start[0] > 1.5 and start[1] > 1.0  # upper right of the [-5, 5]² map
    path_start = (chart_data(page, CONTOUR, 3)[0], chart_data(page, CONTOUR, 3, "y")[0])
    assert path_start == pytest.approx(start, abs=1e-5)
    assert float(page.locator(".st-key-start_x input").input_value()) == pytest.approx(start[0], abs=1e-3)


def test_changing_a_widget_updates_the_charts(page, app_url):
    open_app(page, app_url)
    before = chart_data(page, CONTOUR, 3)
    field = page.locator(".st-key-start_x input")
    field.fill("0.5")
    field.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('{CHARTS}')[0].data[3].x[0] === 0.5", timeout=30_000)
    assert chart_data(page, CONTOUR, 3) != before
    no_exception(page)


# Streamlit marks the elements a rerun redraws (data-stale) while it runs: record which keyed
# elements of the sidebar were marked.
WATCH_REDRAWN = """() => { window.__redrawn = new Set();
  new MutationObserver(ms => { for (const m of ms) for (const c of m.target.classList)
      if (c.startsWith('st-key-')) window.__redrawn.add(c.slice(7)); })
    .observe(document.querySelector('[data-testid="stSidebar"]'),
             {subtree: true, attributes: true, attributeFilter: ['data-stale']}); }"""


def test_a_run_change_redraws_the_views_and_the_runs_and_leaves_the_rest_of_the_sidebar(page, app_url):
    open_app(page, app_url)
    page.evaluate(WATCH_REDRAWN)
    path, link = chart_data(page, CONTOUR, 3), page.url
    page.locator(".st-key-r0_hp_lr input[type=range]").first.press("ArrowRight")
    page.wait_for_function(f"() => document.querySelectorAll('{CHARTS}')[0].data[3].x.length !== {len(path)}")
    wait_idle(page)
    redrawn = set(page.evaluate("[...window.__redrawn]"))
    assert "r0_hp_lr" in redrawn and "n_runs" in redrawn  # the runs' settings were redrawn with the charts
    assert not redrawn & {"preset_basins", "surface", "start_x", "steps", "l2", "presentation", "quiz_on"}
    assert page.url != link and "r1.lr=" in page.url  # the link follows the run
    assert page.get_by_text("Changed from the preset").count() == 1  # and so does the lesson
    no_exception(page)


def test_a_closed_runs_settings_keep_their_values_and_stay_open_when_its_optimizer_changes(page, app_url):
    open_app(page, app_url, {"surface": "himmelblau", "r1": "gd", "r2": "momentum", "r2.momentum": "0.5"})
    sidebar = page.get_by_test_id("stSidebar")
    title = sidebar.get_by_text("Run 2 · ", exact=False).first
    momentum = sidebar.locator(".st-key-r1_hp_momentum input")
    assert momentum.count() == 0  # closed: its settings draw no widgets
    title.click()
    momentum.wait_for(timeout=30_000)
    assert float(momentum.input_value()) == 0.5
    momentum.fill("0.3")
    momentum.press("Enter")
    page.wait_for_function("() => location.search.includes('r2.momentum=0.3')", timeout=30_000)
    title.click()  # closed again, then another run changes
    momentum.wait_for(state="detached", timeout=30_000)
    link = page.url
    page.locator(".st-key-r0_hp_lr input[type=range]").first.press("ArrowRight")
    page.wait_for_function(f"() => location.href !== {link!r}", timeout=30_000)
    wait_idle(page)
    assert "r2.momentum=0.3" in page.url
    title.click()
    momentum.wait_for(timeout=30_000)
    assert float(momentum.input_value()) == 0.3
    wait_idle(page)
    kind = sidebar.locator(".st-key-r1_kind input")  # type to filter the optimizers, Enter to pick
    kind.click()
    kind.press_sequentially("Nesterov")
    kind.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('r2') === 'nesterov'", timeout=30_000)
    wait_idle(page)
    assert title.inner_text().endswith("Nesterov")
    assert momentum.is_visible()  # still open under its new title
    no_exception(page)


def test_a_button_in_the_views_that_changes_the_sidebar_redraws_the_sidebar_too(page, app_url):
    open_app(page, app_url)
    page.locator(".st-key-view_3d_button button").first.click()  # beside ▶ Play; the sidebar's radio holds it
    page.get_by_role("button", name="Hide the 3-D view").wait_for()
    wait_idle(page)
    page.get_by_text("Playback and display").click()
    assert page.locator(".st-key-view_3d input[type=radio]:checked").evaluate("i => i.closest('label').innerText") == (
        "shown"
    )
    page.locator(".st-key-steps input").fill("60")  # a change outside the runs: the lesson's "Back to …" appears
    page.locator(".st-key-steps input").press("Enter")
    page.locator(".st-key-lesson_reset button").first.click()
    page.wait_for_function("() => document.querySelector('.st-key-steps input').value === '120'", timeout=30_000)
    no_exception(page)


def test_every_preset_updates_the_page(page, app_url):
    open_app(page, app_url, {"3d": "on"})  # the whole figure, kept across preset clicks (a display setting)
    for key, preset in PRESETS.items():
        page.locator(f".st-key-preset_{key} button").first.click()
        page.get_by_text(preset.title, exact=False).last.wait_for(timeout=30_000)
        expected = preset.build()
        # the caption arrives before the charts: wait until the contour shows this preset
        page.wait_for_function(
            f"() => {{ const g = document.querySelectorAll('{CHARTS}')[0]; return g && g.data && "
            f"g.data.filter(d => d.legendgroup).length === {5 * len(expected.runs)} && "
            f"document.querySelector('{LEGEND}').textContent.startsWith({expected.surface_spec.name!r}); }}",
            timeout=60_000,
        )
        wait_idle(page, settle=0.3)
        no_exception(page)
    assert page.console_errors == []


def test_share_link_reopens_the_same_view(page, app_url, browser):
    open_app(page, app_url)
    page.locator(".st-key-preset_basins button").first.click()
    page.get_by_text(PRESETS["basins"].title).last.wait_for()
    wait_idle(page)
    paths = [chart_data(page, CONTOUR, 3 + 3 * r) for r in range(3)]
    open_view(page, "Share & export")
    page.get_by_text("Share this exact view").click()
    link = page.locator('.st-key-share_link [data-testid="stCode"] code').first.inner_text().strip()
    assert link.startswith(app_url) and link.endswith("?preset=basins")  # an unchanged preset: its name
    fresh = browser.new_page(viewport={"width": 1600, "height": 1100})
    try:
        fresh.goto(link)
        fresh.wait_for_selector(CHARTS, timeout=90_000)
        wait_idle(fresh)
        assert [chart_data(fresh, CONTOUR, 3 + 3 * r) for r in range(3)] == paths
        assert fresh.locator(LEGEND).first.inner_text().startswith("Himmelblau")
        assert float(fresh.locator(".st-key-start_x input").input_value()) == PRESETS["basins"].build().start[0]
        assert fresh.get_by_text(PRESETS["basins"].title).count() >= 1  # the lesson came with the link
        assert fresh.locator('[data-testid="stAlert"]').filter(has_text="URL parameter").count() == 0
    finally:
        fresh.close()


def test_presentation_mode_enlarges_the_text(page, app_url):
    open_app(page, app_url)
    size = '() => parseFloat(getComputedStyle(document.querySelector(\'[data-testid="stMain"] '
    size += '[data-testid="stMarkdownContainer"] p\')).fontSize)'
    small_text = page.evaluate(size)
    small_chart = page.evaluate(f"document.querySelectorAll('{CHARTS}')[0].layout.font.size")
    page.get_by_text("Playback and display").click()
    page.locator(".st-key-presentation label").click()
    page.wait_for_function(
        f"() => {{ const g = document.querySelectorAll('{CHARTS}')[0]; "
        f"return g && g.layout && g.layout.font.size > {small_chart}; }}",
        timeout=30_000,
    )
    wait_idle(page)
    assert page.evaluate(size) > small_text * 1.2


def test_downloads_are_valid_files_even_clicked_in_quick_succession(page, app_url, tmp_path):
    open_app(page, app_url)
    open_view(page, "Share & export")
    page.wait_for_function("() => location.search.includes('tab=export')", timeout=60_000)  # written as the run ends
    wait_idle(page, charts=0)
    keys = ("dl_csv", "dl_html", "dl_gif", "dl_png")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    for _ in range(2):  # a teacher clicking each file without waiting: a click that reran the page lost the next
        for key in keys:
            page.locator(f".st-key-{key} button").first.click()
    deadline = time.monotonic() + 60
    while len(downloads) < 2 * len(keys) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    suffixes = sorted(Path(d.suggested_filename).suffix for d in downloads)
    assert suffixes == sorted(2 * [".csv", ".html", ".gif", ".png"])
    files = {}
    for download in downloads:
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        files["dl_" + target.suffix[1:]] = target
    rows = list(csv.DictReader(io.StringIO(files["dl_csv"].read_text())))
    points = sum(len(t.path) for t in compute_runs(PRESETS[DEFAULT_PRESET].build()).runs)  # converged runs stop
    assert len(rows) == points and {"x", "y", "loss", "lr"} <= set(rows[0])
    html = files["dl_html"].read_text()
    assert "Plotly.newPlot" in html and "Plotly.addFrames" in html
    gif = Image.open(files["dl_gif"])
    assert gif.format == "GIF" and gif.n_frames > 1 and gif.size[0] >= 800
    assert files["dl_gif"].stat().st_size <= 2_000_000  # the default view's GIF fits a slide deck
    assert Image.open(files["dl_png"]).size == (1920, 1080)
