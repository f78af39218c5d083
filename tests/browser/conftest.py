"""A real app and a real Chromium: the server on a loopback port, one browser per module.

Screenshots of failing tests land in artifacts/browser/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optviz.engine.warmup import SWITCH
from optviz.serve import CHROMIUM_FLAGS, chromium_path, start_streamlit, stop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = chromium_path()
# a page's row of views (optviz.ui.widgets.view_picker): a radio group named "View"
VIEWS = '[role="radiogroup"][aria-label="View"]'


def open_view(page, label: str) -> None:
    page.get_by_role("radiogroup", name="View").get_by_role("radio", name=label).click()


SERVER_LOG = ARTIFACTS / "server.log"


@pytest.fixture(scope="session")
def app_url():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    process, url = start_streamlit(
        ROOT / "app.py", env={SWITCH: "1"}, log=SERVER_LOG
    )  # a real server warms up as deployed
    yield url
    stop(process)


def require_chromium() -> None:
    """Skip on a developer machine without Chromium; in CI its absence is a failure."""
    pytest.importorskip("playwright")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with apt")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    if getattr(request.node, "failed", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed = True
        if SERVER_LOG.exists():  # what the server said is often the cause (CI keeps only this output)
            report.sections.append(
                ("server log, last 40 lines", "".join(SERVER_LOG.read_text().splitlines(True)[-40:]))
            )


def pytest_terminal_summary(terminalreporter):
    from tests.browser.test_load import FIGURES

    if FIGURES:
        terminalreporter.write_sep("-", "load figures (8 sessions changing widgets, loopback)")
        terminalreporter.write_line(", ".join(f"{k}={v}" for k, v in FIGURES.items()))
