"""Load, bounded and on loopback: 8 concurrent sessions changing widgets, zero errors allowed.

The sessions speak Streamlit's websocket protocol (tests/browser/streamlit_client.py), so
the 2 cores go to the server rather than to 8 software WebGL renderers; meanwhile one real
browser page keeps changing a widget and must keep getting redrawn charts.  Latency is from
sending the change to the script finishing with all figures sent.  Figures are printed at
the end of the run and saved to artifacts/load.json; the RSS goal (600 MB) is reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from optviz.engine.warmup import SWITCH
from optviz.serve import CHROMIUM_FLAGS, StreamlitClient, peak_rss_mb, start_streamlit, stop
from tests.browser.conftest import ARTIFACTS, CHROMIUM, ROOT, require_chromium

pytestmark = pytest.mark.browser

SESSIONS = int(os.environ.get("OPTVIZ_LOAD_SESSIONS", 8))
SECONDS = float(os.environ.get("OPTVIZ_LOAD_SECONDS", 60))
FIGURES: dict = {}
LAST_STEP = (
    "() => { const g = document.querySelectorAll('.js-plotly-plot')[0]; "
    "return g && g.layout && g.layout.sliders ? g.layout.sliders[0].steps.at(-1).label : null; }"
)


async def protocol_session(url: str, index: int, deadline: float, latencies: list, errors: list) -> None:
    try:
        async with StreamlitClient(url) as client:
            await client.rerun()
            steps = 100 + 37 * index
            while time.monotonic() < deadline:
                steps = 100 + (steps + 1 - 100) % 400
                latencies.append(await client.rerun({"steps": steps}))
            errors.extend(f"session {index}: {e}" for e in client.exceptions)
    except Exception as err:  # noqa: BLE001 - every failure is counted
        errors.append(f"session {index}: {type(err).__name__}: {err}")


async def browser_watcher(url: str, deadline: float, redraws: list, errors: list) -> None:
    """A student's page during the load: each change must still come back drawn."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: errors.append(f"browser: {e}"))
        page.on("console", lambda m: errors.append(f"browser console: {m.text}") if m.type == "error" else None)
        await page.goto(url)
        await page.wait_for_selector(".st-key-steps input", timeout=180_000)  # the sidebar is drawn last
        steps = 200
        while time.monotonic() < deadline:
            steps += 1
            started = time.perf_counter()
            field = page.locator(".st-key-steps input")
            await field.fill(str(steps), timeout=120_000)
            await field.press("Enter")
            try:
                await page.wait_for_function(f"() => ({LAST_STEP})() === '{steps}'", timeout=120_000)
                redraws.append(time.perf_counter() - started)
            except Exception as err:  # noqa: BLE001
                errors.append(f"browser: steps={steps} never redrawn ({err})")
            if await page.locator('[data-testid="stException"]').count():
                errors.append("browser: the page shows an exception")
        await browser.close()


async def drive(url: str) -> tuple[list[float], list[float], list[str]]:
    latencies: list[float] = []
    redraws: list[float] = []
    errors: list[str] = []
    async with StreamlitClient(url) as warm_up:  # steady state: kernels compiled (cold start is benched)
        await warm_up.rerun(timeout=600)
    deadline = time.monotonic() + SECONDS
    await asyncio.gather(
        browser_watcher(url, deadline, redraws, errors),
        *(protocol_session(url, i, deadline, latencies, errors) for i in range(SESSIONS)),
    )
    return latencies, redraws, errors


def percentiles_ms(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    values = sorted(values)
    return round(1e3 * statistics.median(values), 1), round(1e3 * values[int(0.95 * (len(values) - 1))], 1)


def test_concurrent_sessions_changing_widgets():
    require_chromium()
    process, url = start_streamlit(ROOT / "app.py", env={SWITCH: "1"})
    try:
        # its own thread: a sync Playwright session elsewhere in this run owns this thread's loop
        with ThreadPoolExecutor(1) as pool:
            latencies, redraws, errors = pool.submit(asyncio.run, drive(url)).result()
        rss = peak_rss_mb(process.pid)
        alive = process.poll() is None
    finally:
        stop(process)
    p50, p95 = percentiles_ms(latencies)
    browser_p50, _ = percentiles_ms(redraws)
    FIGURES.update(
        {
            "sessions": SESSIONS,
            "seconds": SECONDS,
            "changes": len(latencies),
            "errors": len(errors),
            "change_to_figures_p50_ms": p50,
            "change_to_figures_p95_ms": p95,
            "browser_redraw_p50_ms_under_load": browser_p50,
            "browser_changes": len(redraws),
            "server_peak_rss_mb": round(rss, 1),
            "rss_goal_mb": 600,
        }
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "load.json").write_text(json.dumps(FIGURES, indent=2))
    assert alive, "the server died under load"
    assert not errors, errors[:5]
    assert len(latencies) >= 4 * SESSIONS and redraws
