"""The maps, inspector, noise, quiz and custom-formula views, driven in a real browser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.browser.conftest import VIEWS, open_view
from tests.browser.test_student_journey import CHARTS, no_exception, open_app, wait_idle

pytestmark = pytest.mark.browser

SETTLED = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
FIND = (
    "(prefix) => Array.from(document.querySelectorAll('" + CHARTS + "'))"
    ".findIndex(g => g.layout && g.layout.title && g.layout.title.text.startsWith(prefix))"
)


def wait_chart(page, prefix: str, timeout: int = 90_000) -> int:
    """The index of the chart titled ``prefix…``, once the rerun that drew it has finished
    (the charts of a tab just closed leave the page only then)."""
    page.wait_for_function(f"(prefix) => ({FIND})(prefix) >= 0", arg=prefix, timeout=timeout)
    page.wait_for_function(SETTLED, timeout=timeout)
    page.wait_for_function(f"(prefix) => ({FIND})(prefix) >= 0", arg=prefix, timeout=timeout)
    return page.evaluate(FIND, prefix)


def click_data_point(page, index: int, x: float, y: float) -> None:
    """Click where data (x, y) is drawn in chart ``index`` (Plotly's own axis mapping)."""
    plot = page.locator(CHARTS).nth(index)
    box = plot.locator(".nsewdrag").first.bounding_box()
    px, py = plot.evaluate("(g, xy) => [g._fullLayout.xaxis.d2p(xy[0]), g._fullLayout.yaxis.d2p(xy[1])]", [x, y])
    page.mouse.click(box["x"] + px, box["y"] + py)


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_a_clicked_stability_cell_becomes_the_run(page, app_url):
    open_app(page, app_url, {"surface": "booth", "r1": "gd", "r1.lr": "0.01"})
    open_view(page, "Maps")
    page.locator(".st-key-maps_on label").click()
    index = wait_chart(page, "GD on Booth", timeout=240_000)  # a cold first use waits for the background compile
    wait_idle(page, charts=1)
    click_data_point(page, index, -1.0, 0.5)  # lr = 0.1, momentum 0.5 (GD is shown on the Momentum plane)
    page.wait_for_function("() => new URLSearchParams(location.search).get('r1') === 'momentum'", timeout=120_000)
    wait_idle(page, charts=1)
    lr = float(query(page)["r1.lr"])
    assert 0.08 < lr < 0.125 and abs(float(query(page)["r1.momentum"]) - 0.5) < 0.03
    no_exception(page)


def test_basins_compare_two_optimizers_side_by_side(page, app_url):
    open_app(page, app_url, {"surface": "himmelblau", "r1": "gd", "r2": "adam"})
    open_view(page, "Maps")
    page.locator(".st-key-maps_on label").click()
    page.get_by_role("tab", name="Basins of attraction").click()
    first, second = wait_chart(page, "Run 1", timeout=240_000), wait_chart(page, "Run 2")
    heat = "(i) => document.querySelectorAll('" + CHARTS + "')[i].data[0].z.length"
    assert page.evaluate(heat, first) > 10 and page.evaluate(heat, second) > 10
    no_exception(page)


def test_the_inspector_steps_with_the_keyboard(page, app_url):
    open_app(page, app_url, {"surface": "himmelblau", "r1": "momentum"})
    open_view(page, "Inside a step")
    index = wait_chart(page, "Step 1:")
    arrows = page.evaluate("(i) => document.querySelectorAll('" + CHARTS + "')[i].layout.annotations.length", index)
    assert arrows == 3  # −lr·g, the momentum part, the actual step
    page.locator(".st-key-inspect_step input[type=range]").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_chart(page, "Step 4:", timeout=30_000)
    no_exception(page)


def test_noise_tab_draws_the_ensemble_and_opens_dropout(page, app_url):
    open_app(page, app_url)
    open_view(page, "Noise & dropout")
    wait_chart(page, "GD, 30 seeds")
    wait_chart(page, "Loss above the minimum over the seeds")
    page.locator(".st-key-open_noisy_bowl button").click()
    wait_chart(page, "GD with input dropout")
    assert query(page)["surface"] == "noisy_bowl"
    no_exception(page)


def test_a_quiz_link_takes_a_clicked_guess_and_reveals(page, app_url):
    page.goto(app_url + "/?" + urlencode({"surface": "himmelblau", "quiz": "10", "r1": "gd"}))  # one chart only
    page.get_by_text("where is each run after 10 steps?").wait_for(timeout=90_000)
    page.locator(".st-key-quiz_map " + CHARTS).wait_for(timeout=90_000)  # the guessing map: the heading asks
    page.wait_for_function(SETTLED, timeout=60_000)
    index = page.evaluate(
        "(s) => Array.from(document.querySelectorAll(s)).indexOf(document.querySelector('.st-key-quiz_map ' + s))",
        CHARTS,
    )
    legend = "() => Array.from(document.querySelectorAll('" + CHARTS + "')).flatMap(g => g.data.map(d => d.name))"
    assert not any(name and name.startswith("GD") for name in page.evaluate(legend))  # the path is hidden
    click_data_point(page, index, 2.0, 1.5)
    page.wait_for_function(
        legend.replace("() =>", "() => (") + ").some(n => n && n.startsWith('your guess'))", timeout=30_000
    )
    page.wait_for_function(SETTLED, timeout=60_000)
    reveal = page.get_by_role("button", name="Reveal", exact=True)
    page.wait_for_function("() => !document.querySelector('.st-key-quiz_reveal button[disabled]')")
    reveal.click()
    wait_chart(page, "The first 10 steps")
    page.get_by_text("Closest guess").wait_for(timeout=30_000)  # the results may land after the chart
    assert page.get_by_text("Closest guess").count() == 1
    no_exception(page)


def test_typing_a_formula_redraws_and_a_bad_one_says_why(page, app_url):
    open_app(page, app_url, {"surface": "custom:3:x**2 + y**2"})
    field = page.locator(".st-key-custom_formula input")
    field.fill("(x - 1)**2 + 3*sin(y)**2")
    field.press("Enter")
    page.wait_for_function(
        "() => (new URLSearchParams(location.search).get('surface') || '').includes('sin(y)')", timeout=60_000
    )
    wait_idle(page)
    field.fill("x.__class__")
    field.press("Enter")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Allowed")
    alert.wait_for(timeout=30_000)
    assert "__class__" in alert.inner_text()
    assert "sin(y)" in query(page)["surface"]  # the page keeps the last good formula
    no_exception(page)


def test_a_link_with_a_tab_opens_on_that_tab_and_the_link_follows(page, app_url):
    open_app(page, app_url, {"surface": "booth", "tab": "curves"})
    selected = page.locator(f'{VIEWS} [aria-checked="true"]')
    assert "Curves" in selected.inner_text()
    wait_chart(page, "Loss")  # the curves are drawn; the paths tab did not run
    assert page.locator(CHARTS).count() == 4  # loss, lr, gradient norm, distance
    open_view(page, "Glossary")
    page.wait_for_function("() => location.search.includes('tab=glossary')", timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    assert page.locator(CHARTS).count() == 0 and query(page)["surface"] == "booth"
    no_exception(page)
