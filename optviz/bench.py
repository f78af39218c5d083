"""Speed and size budgets: ``python -m optviz.bench``.

Prints medians and ratios from one run (the machine is shared and noisy), so compare the
ratios rather than absolute times.  Sections: engine speed, cold start, sweep, page payload and
response time, browser vs a one-chart page, a classroom of 40 sessions vs the one-chart page,
and a first visit with an empty Numba cache.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

from optviz.engine.minimal import minimal_adam_rosenbrock

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = Path(PROJECT_ROOT) / "app.py"
STEPS = 200_000
# The minimal kernel's ns/step on this machine when nothing else ran (issue 12's measurement)
QUIET_MINIMAL_NS = 33.5
BENCH_LR = {"sgd": 1e-4, "adadelta": 1.0}


def beside(fn, reference, repeats: int) -> tuple[float, float, float]:
    """fn and reference timed alternately: (median seconds of fn, of reference, median ratio).
    Each ratio is of two runs a moment apart, so the machine's drift (2× on this shared box
    within minutes) cancels out of it."""
    pairs = [(median_seconds(fn, 1), median_seconds(reference, 1)) for _ in range(repeats)]
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(a / b for a, b in pairs),
    )


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numpy_adam_rosenbrock(start, steps, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    w = np.array(start, dtype=float)
    m = np.zeros(2)
    v = np.zeros(2)
    path = np.empty((steps + 1, 2))
    path[0] = w
    for t in range(1, steps + 1):
        r = w[1] - w[0] ** 2
        g = np.array([-2.0 * (1.0 - w[0]) - 400.0 * w[0] * r, 200.0 * r])
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w = w - lr / (1 - beta1**t) * m / (np.sqrt(v) / math.sqrt(1 - beta2**t) + eps)
        path[t] = w
    return path


def bench_engine(repeats: int) -> dict[str, float]:
    """Every optimizer on Rosenbrock through ``optviz.simulate``, each timed alternately with the
    minimal kernel (``engine.minimal``), so the ratio is of two runs a moment apart."""
    import optviz
    from optviz.engine.kernel import run_batch
    from optviz.engine.simulate import RunSpec, new_record, prepare
    from optviz.optimizers import CATALOGUE

    start = (-1.5, 2.5)
    print(f"\n== Engine: ns/step on Rosenbrock, {STEPS:,} steps, median of {repeats} (optviz.simulate, end to end) ==")
    print("  the minimal Adam kernel is timed beside each figure (the machine's speed drifts); ratios are to it")
    print(f"  {'optimizer':<10} {'optviz':>22} {'minimal':>9}")
    path = np.empty((STEPS + 1, 2))
    minimal = lambda: minimal_adam_rosenbrock(start[0], start[1], STEPS, 1e-3, 0.9, 0.999, 1e-8, path)  # noqa: E731
    minimal()
    figures = {}
    for key in CATALOGUE:
        lr = BENCH_LR.get(key, 1e-3)
        run = lambda key=key, lr=lr: optviz.simulate("rosenbrock", key, start, STEPS, lr=lr, tolerance=1e-300)
        assert run().outcome.kind == "ran_all_steps", key
        seconds, reference, ratio = beside(run, minimal, repeats)
        ns, reference_ns = seconds / STEPS * 1e9, reference / STEPS * 1e9
        figures.update({key: ns, f"{key}_over_minimal": ratio})
        print(f"  {key:<10} {ns:7.1f} ns/step ({ratio:4.2f}x)   {reference_ns:6.1f}")
    # the kernel alone, writing into the same arrays each time as the minimal kernel does:
    # what simulate adds is validation and ~8 MB of fresh arrays per call
    batch = prepare("rosenbrock", [RunSpec("adam", {"lr": 1e-3})], STEPS, tolerance=1e-300, starts=[start])
    out = new_record(1, STEPS)
    alone, _, figures["adam_kernel_alone_over_minimal"] = beside(
        lambda: run_batch(batch.problem, batch.runs, out), minimal, repeats
    )
    figures["adam_kernel_alone"] = alone / STEPS * 1e9
    figures["minimal_numba_adam"] = median_seconds(minimal, repeats) / STEPS * 1e9
    numpy_steps = 20_000
    figures["numpy_adam"] = (
        median_seconds(lambda: numpy_adam_rosenbrock(start, numpy_steps, 1e-3), 3) / numpy_steps * 1e9
    )
    print(f"  plain NumPy Adam loop     {figures['numpy_adam']:7.1f} ns/step ({numpy_steps:,} steps)")
    print(
        f"  Adam / minimal kernel = {figures['adam_over_minimal']:.2f}x end to end, "
        f"{figures['adam_kernel_alone_over_minimal']:.2f}x for the kernel alone (arrays reused, as the minimal "
        f"kernel does); NumPy / optviz Adam = {figures['numpy_adam'] / figures['adam']:.0f}x"
    )
    return figures


FIRST_RUN = (
    "import time; t0 = time.perf_counter(); import optviz; "
    "optviz.simulate('rosenbrock', 'adam', steps=300, lr=0.05); "
    "print(time.perf_counter() - t0)"
)


def _first_run_seconds(cache_dir: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(OPTVIZ_NUMBA_CACHE_BASE=cache_dir, PYTHONPATH=PROJECT_ROOT)  # see optviz.numba_env
    out = subprocess.run(
        [sys.executable, "-c", FIRST_RUN], env=env, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def bench_cold_start(repeats: int) -> dict[str, float]:
    print("\n== Cold start: new process, import optviz + first 300-step run ==")
    with tempfile.TemporaryDirectory() as empty:
        no_cache = _first_run_seconds(empty)  # compiles everything and fills the cache
        warm = statistics.median(_first_run_seconds(empty) for _ in range(repeats))
    print(f"  without Numba cache (compiles) {no_cache:6.2f} s")
    print(f"  with warm Numba cache          {warm:6.2f} s  (median of {repeats}; target <= 1.5 s)")
    return {"cold_no_cache_s": no_cache, "cold_warm_cache_s": warm}


def _app_test():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(os.path.join(PROJECT_ROOT, "app.py"), default_timeout=120)


def bench_page(repeats: int) -> dict[str, float]:
    """Payload of the default view, and server time from a widget change to figures ready."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    at = _app_test().run()  # warm: compiled kernels, imports
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    paths = len(specs[0])
    print("\n== Page: default view (the default preset) ==")
    print(
        f"  figure JSON: Paths (map, 3-D, loss strip, one animation) {paths / 1e3:.0f} kB (target <= 300 kB); "
        f"all charts {sum(map(len, specs)) / 1e6:.2f} MB"
    )
    lrs = [float(f"{m}e-{e}") for e in (2, 3) for m in (1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5)]
    times = []
    for lr in lrs[: max(repeats * 3, 9)]:
        at.session_state["r2_hp_lr"] = lr  # a value never seen: the engine really runs
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    median = statistics.median(times)
    print(
        f"  widget change -> figures ready (server side, uncached run): median {median * 1e3:.0f} ms over "
        f"{len(times)} changes (target <= 150 ms)"
    )
    return {"payload_animated_bytes": paths, "change_to_figures_ms": median * 1e3}


def bench_sweep(repeats: int) -> dict[str, float]:
    """optviz.sweep over a 256×256 grid of starts, 300 steps, every run running all its steps."""
    import optviz
    from optviz.engine.sweep import WORKERS

    xs = np.linspace(-2.0, 2.0, 256)
    ys = np.linspace(-1.0, 3.0, 256)
    starts = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    grid = dict(starts=starts, steps=300, tolerance=1e-300)
    run = lambda: optviz.sweep("rosenbrock", "adam", [{"lr": 1e-3}], **grid)  # noqa: E731
    path = np.empty((STEPS + 1, 2))
    minimal = lambda: minimal_adam_rosenbrock(-1.5, 2.5, STEPS, 1e-3, 0.9, 0.999, 1e-8, path)  # noqa: E731
    run_steps = 65536 * 300
    print("\n== Sweep: 256x256 starts x 300 steps (Adam on Rosenbrock, all steps run) ==")
    assert run().is_("ran_all_steps").all()
    seconds, minimal_seconds, ratio = beside(run, minimal, repeats)
    minimal_ns = minimal_seconds / STEPS * 1e9
    per_worker_ns = seconds * WORKERS / run_steps * 1e9
    per_worker_over_minimal = ratio * WORKERS / run_steps * STEPS  # per worker over the minimal kernel's ns/step
    # the 0.25 s target was set when the minimal kernel ran at QUIET_MINIMAL_NS on this machine
    at_quiet = per_worker_over_minimal * QUIET_MINIMAL_NS * run_steps / WORKERS / 1e9
    print(
        f"  median {seconds:.3f} s; per worker ({WORKERS} threads) {per_worker_ns:.1f} ns per run-step = "
        f"{per_worker_over_minimal:.2f}x the minimal Adam kernel timed beside it ({minimal_ns:.1f} ns/step); "
        f"at its quiet {QUIET_MINIMAL_NS} ns/step: {at_quiet:.3f} s (target <= 0.25 s)"
    )
    return {
        "sweep_256x256x300_s": seconds,
        "sweep_at_quiet_s": at_quiet,
        "sweep_per_worker_over_minimal": per_worker_over_minimal,
    }


MINIMAL_PAGE = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

n = st.slider("points", 10, 500, 100, key="points")
x = np.linspace(0, 10, n)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(x))), key="chart")
"""
# What to press for "a slider change", and how to tell the chart was redrawn after it.
SLIDER = {"optviz": ".st-key-r0_hp_lr input[type=range]", "minimal": ".st-key-points input[type=range]"}
CHART_SIGNATURE = (
    "() => { const g = document.querySelector('.js-plotly-plot'); "
    "return g && g._fullData ? JSON.stringify(g._fullData.map(d => [d.name, d._length])) : null; }"
)
# When the page last changed: an idle page (either one) changes nothing, so after a change the
# last DOM mutation marks the page settled (every element redrawn, every chart drawn).
WATCH_CHANGES = """() => { window.__optvizChanged = performance.now();
  new MutationObserver(() => { window.__optvizChanged = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); }"""


def _open_page(browser, script: Path) -> tuple:
    """Start a server for ``script`` and open it: (server, page, bytes received so far, measures).
    The cold start is the time from starting the server to the first chart drawn."""
    from optviz.serve import start_streamlit

    started = time.perf_counter()
    process, url = start_streamlit(script, wait=False)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    received = {"http": 0, "ws": 0}
    page.on(
        "response", lambda r: received.__setitem__("http", received["http"] + len(r.body() or b"")) if r.ok else None
    )
    page.on(
        "websocket", lambda ws: ws.on("framereceived", lambda p: received.__setitem__("ws", received["ws"] + len(p)))
    )
    _goto_when_up(page, url, started)
    page.wait_for_function(f"() => ({CHART_SIGNATURE})() !== null", timeout=180_000)
    cold = time.perf_counter() - started
    time.sleep(1.0)
    page.evaluate(WATCH_CHANGES)
    measures = {"cold_s": cold, "first_page_http_kb": received["http"] / 1e3, "first_page_ws_kb": received["ws"] / 1e3}
    return process, page, received, measures


def _change(page, slider_selector: str, received: dict) -> dict[str, float]:
    """One slider press to a value this page has not shown yet: ms until the chart is redrawn,
    ms until the page has settled, websocket kB until the page is quiet again."""
    slider = page.locator(slider_selector).first
    before = page.evaluate(f"({CHART_SIGNATURE})()")
    sent_before = received["ws"]
    page.bring_to_front()
    slider.focus()
    pressed = page.evaluate("performance.now()")
    t0 = time.perf_counter()
    slider.press("ArrowRight")
    page.wait_for_function(f"() => ({CHART_SIGNATURE})() !== {json.dumps(before)}", timeout=60_000)
    ms = 1e3 * (time.perf_counter() - t0)
    _wait_quiet(page, received, 1.5)
    settled = page.evaluate("window.__optvizChanged") - pressed
    return {"change_ms": ms, "settled_ms": settled, "change_ws_kb": (received["ws"] - sent_before) / 1e3}


def _measure_round(browser, scripts: dict[str, Path], repeats: int) -> dict[str, dict[str, float]]:
    """Both pages up at once, their slider changes alternated one by one (ABBA…), so a drift of
    this machine's speed falls on both sides alike."""
    from optviz.serve import stop

    opened = {}
    try:
        for side, script in scripts.items():  # cold starts one after the other, never overlapping
            opened[side] = _open_page(browser, script)
        changes = {side: [] for side in scripts}
        order = list(scripts)
        for i in range(repeats):
            for side in order if i % 2 == 0 else order[::-1]:
                _, page, received, _ = opened[side]
                changes[side].append(_change(page, SLIDER[side], received))
        return {
            side: {
                **opened[side][3],
                **{name: statistics.median(c[name] for c in changes[side]) for name in changes[side][0]},
                "changes": changes[side],
            }
            for side in scripts
        }
    finally:
        for process, page, _, _ in opened.values():
            page.close()
            stop(process)


def _goto_when_up(page, url: str, started: float, limit: float = 180.0) -> None:
    """Open ``url`` as soon as the server started at ``started`` answers."""
    while True:
        try:
            page.goto(url, timeout=5000)
            return
        except Exception:  # noqa: BLE001 - the server is still starting
            if time.perf_counter() - started > limit:
                raise
            time.sleep(0.1)


def _wait_quiet(page, received: dict, quiet: float, limit: float = 30.0) -> None:
    """Until no websocket bytes arrived for ``quiet`` seconds (messages of one rerun can be 0.6 s apart).
    Playwright delivers events only while it is called, hence page.wait_for_timeout, not time.sleep."""
    deadline = time.perf_counter() + limit
    last, since = received["ws"], time.perf_counter()
    while time.perf_counter() - since < quiet and time.perf_counter() < deadline:
        page.wait_for_timeout(100)
        if received["ws"] != last:
            last, since = received["ws"], time.perf_counter()


def warm_numba_cache() -> None:
    """What the server's background warm-up leaves behind (the kernels compiled, its marker
    written), so sections that compare against a warm start measure one."""
    from optviz.engine import warmup

    subprocess.run(
        [sys.executable, "-m", warmup.JOB],
        cwd=PROJECT_ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": PROJECT_ROOT},
        capture_output=True,
    )


BROWSER_ROUNDS = 5  # a change time drifts with this shared machine: more rounds, steadier medians
POOLED = ("change_ms", "settled_ms")  # a change's times: the median of every round's changes together


def _over_rounds(rounds: list[dict]) -> dict[str, float]:
    """One page's figures over every round: the times of every change pooled, the other figures
    the median of its rounds'."""
    once = ("cold_s", "first_page_http_kb", "first_page_ws_kb", "change_ws_kb")
    return {
        **{key: statistics.median(measured[key] for measured in rounds) for key in once},
        **{name: statistics.median(c[name] for m in rounds for c in m["changes"]) for name in POOLED},
    }


def bench_browser(repeats: int) -> dict[str, float]:
    """optviz against a minimal one-chart page, both started and driven the same way.  Each round
    starts both servers (the cold starts), then alternates their slider changes one by one.  A
    change is timed until the chart is redrawn and until the page has settled (its last DOM
    change), each the median over every round's changes."""
    warm_numba_cache()
    from playwright.sync_api import sync_playwright

    from optviz.serve import CHROMIUM_FLAGS, chromium_path

    print("\n== Browser: optviz vs a minimal one-chart Streamlit page (same server flags, same browser) ==")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        minimal_script = Path(tmp) / "minimal_page.py"
        minimal_script.write_text(MINIMAL_PAGE)
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        scripts = {"minimal": minimal_script, "optviz": APP}
        rounds = []  # which page starts first alternates too
        for r in range(BROWSER_ROUNDS):
            ordered = scripts if r % 2 == 0 else dict(reversed(scripts.items()))
            measured = _measure_round(browser, ordered, repeats)
            rounds.append((measured["minimal"], measured["optviz"]))
        browser.close()
    minimal, optviz_page = (_over_rounds([r[side] for r in rounds]) for side in (0, 1))
    for name, label, goal in (  # issue 21's goals
        ("cold_s", "process start -> first chart drawn", 1.5),
        ("change_ms", "slider change -> chart redrawn", None),
        ("settled_ms", "slider change -> page settled", 3.0),
    ):
        ratio = optviz_page[name] / minimal[name]
        unit = "s" if name == "cold_s" else "ms"
        each = " ".join(f"{o[name] / m[name]:.2f}x" for m, o in rounds)
        aim = f"goal <= {goal}x; " if goal else ""
        print(
            f"  {label:<36} optviz {optviz_page[name]:7.2f} {unit}  minimal {minimal[name]:7.2f} {unit}  "
            f"ratio {ratio:.2f}x ({aim}{BROWSER_ROUNDS} rounds: {each})"
        )
    print(
        f"  {'websocket bytes per slider change':<36} optviz {optviz_page['change_ws_kb']:7.0f} kB  minimal "
        f"{minimal['change_ws_kb']:7.0f} kB  (goal <= 300 kB)"
    )
    for key, label in (
        ("first_page_http_kb", "first page over HTTP"),
        ("first_page_ws_kb", "first page over websocket"),
    ):
        print(f"  {label:<36} optviz {optviz_page[key]:7.0f} kB  minimal {minimal[key]:7.0f} kB")
    return {**{f"optviz_{k}": v for k, v in optviz_page.items()}, **{f"minimal_{k}": v for k, v in minimal.items()}}


# A bare page animating a 2-D Plotly figure as optviz's default view does: the same frame count
# and ms per frame, three runs' paths drawn once and their markers moved, no full redraws.
BARE_ANIMATION = """
import json
import streamlit as st

figure = json.loads(FIGURE)
st.plotly_chart(figure, key="chart")
"""
PLAY_SECONDS = 8
# Per animation frame (requestAnimationFrame), for PLAY_SECONDS: each change of the slider's step,
# as the issue measured it.  Frames per second between the first and the last change (a Play that
# ends early is not counted idle).
PLAY_RATE = """(seconds) => new Promise(resolve => {
  const g = document.querySelector('.js-plotly-plot'), seen = [], t0 = performance.now();
  let last = g.layout.sliders[0].active;
  const tick = () => {
    const now = performance.now(), active = g.layout.sliders[0].active;
    if (active !== last) { seen.push(now); last = active; }
    if (now - t0 < seconds * 1000) requestAnimationFrame(tick);
    else resolve(seen.length > 1 ? (seen.length - 1) / ((seen[seen.length - 1] - seen[0]) / 1000) : 0);
  };
  requestAnimationFrame(tick);
})"""


def bare_animation_figure(frames: int, frame_ms: int) -> dict:
    """Three spiralling paths drawn once and their markers moved by ``frames`` frames, with
    optviz's Play button and slider."""
    from optviz.figures.animation import play_controls

    t = np.linspace(0, 1, frames)
    paths = [(np.cos(6 * t + r) * (1 - t), np.sin(6 * t + r) * (1 - t)) for r in range(3)]
    data = [{"type": "scatter", "x": x.tolist(), "y": y.tolist(), "mode": "lines"} for x, y in paths]
    data += [{"type": "scatter", "x": [x[0]], "y": [y[0]], "mode": "markers"} for x, y in paths]
    frame_list = [
        {"name": str(k), "data": [{"x": [x[k]], "y": [y[k]]} for x, y in paths], "traces": [3, 4, 5]}
        for k in range(frames)
    ]
    layout = {"height": 600, "xaxis": {"range": [-1, 1]}, "yaxis": {"range": [-1, 1]}, "margin": {"b": 120}}
    layout.update(play_controls([f["name"] for f in frame_list], frame_ms, redraw=False, sizes_font=14))
    return {"data": data, "layout": layout, "frames": frame_list}


def _play_rate(page) -> float:
    """Press ▶ Play (the first Plotly button) and count frames drawn as the issue did."""
    page.locator(".updatemenu-button").first.click()
    return page.evaluate(PLAY_RATE, PLAY_SECONDS)


def bench_play(repeats: int) -> dict[str, float]:
    """▶ Play's frame rate at 1440×900 in headless Chromium: optviz's default view (3-D shown,
    3-D hidden) and its exported HTML, each beside a bare page animating a 2-D figure of the same
    frame count (Streamlit page, HTML file)."""
    import logging

    import plotly.io as pio
    from playwright.sync_api import sync_playwright

    from optviz.figures.animation import frame_steps
    from optviz.figures.export import standalone_html
    from optviz.figures.paths import paths_figure
    from optviz.figures.prebuilt import encode
    from optviz.figures.style import Sizes
    from optviz.serve import CHROMIUM_FLAGS, chromium_path, start_streamlit, stop
    from optviz.state import default_state
    from optviz.ui.compute import compute_runs, landscape_for

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    warm_numba_cache()
    state = default_state()
    frames = len(frame_steps(state.steps))
    bare = bare_animation_figure(frames, state.speed)
    computed = compute_runs(state)
    landscape, uri = landscape_for(state)

    def exported(show_3d: bool) -> str:
        sizes = Sizes.for_mode(state.presentation, state.screen)
        args = (landscape, computed.runs, computed.labels, state.start, sizes, state.speed, uri)
        return standalone_html(paths_figure(*args, show_3d=show_3d), "optviz")

    load = os.getloadavg()[0]
    print(
        f"\n== Play: frames/s at 1440x900, headless Chromium, {frames} frames of {state.speed} ms "
        f"({1000 / state.speed:.1f}/s asked), median of {repeats} x {PLAY_SECONDS} s; load {load:.1f} on "
        f"{os.cpu_count()} cores =="
    )
    rates: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        files = {
            "bare_html": pio.to_html(bare, include_plotlyjs=True, validate=False, auto_play=False),
            "optviz_html": exported(True),
            "optviz_html_flat": exported(False),
        }
        urls = {}
        for name, html in files.items():
            path = Path(tmp) / f"{name}.html"
            path.write_text(html)
            urls[name] = path.as_uri()
        bare_script = Path(tmp) / "bare_animation.py"
        bare_script.write_text(BARE_ANIMATION.replace("FIGURE", repr(encode(bare).text)))
        servers = [start_streamlit(bare_script), start_streamlit(APP)]
        (_, urls["bare_page"]), (_, optviz_url) = servers
        urls.update(optviz_page=f"{optviz_url}/?3d=on", optviz_page_flat=optviz_url)
        try:
            for _ in range(repeats):  # alternately, so the machine's drift falls on every page alike
                for name, url in urls.items():
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.goto(url)
                    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=180_000)
                    page.wait_for_timeout(1500)  # settled: Streamlit's last messages, the 3-D scene
                    rates.setdefault(name, []).append(_play_rate(page))
                    page.close()
        finally:
            for process, _ in servers:
                stop(process)
            browser.close()
    median = {name: statistics.median(values) for name, values in rates.items()}
    rows = (
        ("optviz page, 3-D shown (?3d=on)", "optviz_page", "bare_page"),
        ("optviz page, 3-D hidden (default)", "optviz_page_flat", "bare_page"),
        ("exported HTML, 3-D shown", "optviz_html", "bare_html"),
        ("exported HTML, 3-D hidden", "optviz_html_flat", "bare_html"),
    )
    for label, name, reference in rows:
        print(
            f"  {label:<40} {median[name]:5.1f} frames/s  bare {median[reference]:5.1f}  "
            f"ratio {median[name] / median[reference]:.2f}x (goal >= 0.7x)"
        )
    return {f"{name}_fps": value for name, value in median.items()} | {"load": load}


CLASS_SIZE = 40
ARRIVAL_GAP_S = 0.1
# The widget each student changes twice, and the values (new ones for every student, as a class would pick).
CLASSROOM_WIDGET = {
    "optviz": ("steps", lambda i, k: 301 + 2 * i + k),
    "minimal": ("points", lambda i, k: 101 + 2 * i + k),
    # the network lesson's class follows the teacher: everyone trains longer, to the same two lengths
    "network": ("net.steps", lambda i, k: (1200, 1500)[k]),
}


async def _classroom(url: str, page: str) -> dict[str, float]:
    from optviz.serve import StreamlitClient

    path, query = NETWORK_LINK if page == "network" else ("", "")
    async with StreamlitClient(url, path, query) as teacher:  # the teacher opened the link first: all is warm
        await teacher.rerun(timeout=600)
    widget, value = CLASSROOM_WIDGET[page]
    loads: list[float] = []
    changes: list[float] = []
    errors: list[str] = []

    async def student(i: int) -> None:
        await asyncio.sleep(i * ARRIVAL_GAP_S)
        try:
            async with StreamlitClient(url, path, query) as client:
                loads.append(await client.rerun(timeout=600))
                for k in range(2):
                    changes.append(await client.rerun({widget: value(i, k)}, timeout=600))
                errors.extend(client.exceptions)
        except Exception as err:  # noqa: BLE001 - counted, not raised
            errors.append(f"{type(err).__name__}: {err}")

    await asyncio.gather(*(student(i) for i in range(CLASS_SIZE)))
    if errors:
        print(f"  {page}: {len(errors)} errors, e.g. {errors[0]}")
    ordered = sorted(changes)
    return {
        "slowest_page_s": max(loads),
        "median_page_s": statistics.median(loads),
        "change_p50_s": statistics.median(ordered),
        "change_p95_s": ordered[int(0.95 * (len(ordered) - 1))],
        "errors": len(errors),
    }


def bench_classroom(repeats: int) -> dict[str, float]:
    """40 websocket sessions open one link 0.1 s apart, then each changes a widget twice."""
    from optviz.serve import peak_rss_mb, start_streamlit, stop

    warm_numba_cache()
    print(
        f"\n== Classroom: {CLASS_SIZE} sessions open one link {ARRIVAL_GAP_S} s apart, then change a widget "
        "twice each =="
    )
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        minimal_script = Path(tmp) / "minimal_page.py"
        minimal_script.write_text(MINIMAL_PAGE)
        for page, script in (("minimal", minimal_script), ("optviz", APP), ("network", APP)):
            process, url = start_streamlit(script)
            try:
                result = asyncio.run(_classroom(url, page))
                result["peak_rss_mb"] = peak_rss_mb(process.pid)
            finally:
                stop(process)
            figures[page] = result
    rows = (
        ("slowest page finished", "slowest_page_s", "s", 3.0),
        ("median page finished", "median_page_s", "s", None),
        ("widget change p50", "change_p50_s", "s", None),
        ("widget change p95", "change_p95_s", "s", 1.5),
        ("server peak RSS", "peak_rss_mb", "MB", 600),
        ("errors", "errors", "", 0),
    )
    for label, key, unit, goal in rows:
        goal_text = f"  (goal <= {goal} {unit})" if goal is not None else ""
        print(
            f"  {label:<24} optviz {figures['optviz'][key]:8.2f} {unit:<2}  /network lesson "
            f"{figures['network'][key]:8.2f} {unit:<2}  one-chart page {figures['minimal'][key]:8.2f} {unit}{goal_text}"
        )
    return {f"{page}_{k}": v for page, result in figures.items() for k, v in result.items()}


NETWORK_LINK = ("network", "preset=overfitting")


def bench_network(repeats: int) -> dict[str, float]:
    """optviz.train against torch.optim on the same training; a 41×41 landscape plane."""
    from optviz.network.planes import plane
    from optviz.network.train import NetRun, Setup, train_runs

    try:
        import torch

        from optviz.network.torch_mirror import train_in_torch
    except ImportError:
        torch = None
    print(
        "\n== Network: 2-16-16-1 tanh on two moons (200 points, half held out), Adam 1000 steps, "
        "both losses every step; torch.optim on one thread, float64, the same rows =="
    )
    setup = Setup("moons", n_points=200, validation=0.5, hidden=(16, 16), activation="tanh", steps=1000)
    figures: dict[str, float] = {}
    for name, batch in (("full batch", None), ("batch 16", 16)):
        run = [NetRun("adam", {"lr": 0.01}, batch_size=batch)]
        result = train_runs(setup, run)[0]
        ours = partial(train_runs, setup, run)
        if torch is None:
            figures[f"{name} optviz_s"] = median_seconds(ours, repeats)
            print(f"  {name:<11} optviz {figures[f'{name} optviz_s'] * 1e3:7.1f} ms  (torch not installed)")
            continue
        torch.set_num_threads(1)
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            optviz_s, torch_s, ratio = beside(ours, partial(train_in_torch, result), repeats)
        finally:
            torch.set_default_dtype(previous)
        figures.update({f"{name} optviz_s": optviz_s, f"{name} torch_s": torch_s, f"{name} speedup": 1 / ratio})
        print(
            f"  {name:<11} optviz {optviz_s * 1e3:7.1f} ms  torch.optim {torch_s * 1e3:7.1f} ms  "
            f"optviz {1 / ratio:5.1f}x faster  (goal >= 10x)"
        )
    runs = [NetRun("sgd", {"lr": 0.5}), NetRun("adam", {"lr": 0.01}), NetRun("sgd", {"lr": 0.1}, batch_size=16)]
    results = train_runs(setup, runs, record_every=5)
    figures["plane_s"] = median_seconds(lambda: plane(results, "pca", resolution=41), repeats)
    print(
        f"  41x41 plane of training and validation loss, 3 runs' paths projected: {figures['plane_s']:.3f} s "
        "(goal <= 0.3 s)"
    )
    return figures


MAP_TITLE = (
    "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g.layout && g.layout.title && "
    "String(g.layout.title.text || '').includes('converge?'))"
)


def bench_first_visit(repeats: int) -> dict[str, float]:
    """A fresh deploy: empty Numba cache, one browser; time to the first chart, then to the Maps."""
    from playwright.sync_api import sync_playwright

    from optviz.serve import CHROMIUM_FLAGS, chromium_path, start_streamlit, stop

    print("\n== First visit after a deploy: empty Numba cache, Chromium ==")
    with tempfile.TemporaryDirectory() as empty, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        started = time.perf_counter()
        process, url = start_streamlit(APP, env={"OPTVIZ_NUMBA_CACHE_BASE": empty}, wait=False)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            _goto_when_up(page, url, started, limit=300)
            page.wait_for_function(f"() => ({CHART_SIGNATURE})() !== null", timeout=300_000)
            first_chart = time.perf_counter() - started
            page.get_by_role("radiogroup", name="View").get_by_role("radio", name="Maps").click()
            toggle = page.locator(".st-key-maps_on label")
            toggle.wait_for(timeout=120_000)
            clicked = time.perf_counter()
            toggle.click()
            page.wait_for_function(MAP_TITLE, timeout=600_000)
            maps = time.perf_counter() - clicked
            since_start = time.perf_counter() - started
        finally:
            stop(process)
            browser.close()
    print(f"  process start -> first chart drawn   {first_chart:6.1f} s  (goal <= 10 s)")
    print(
        f"  then Maps switched on -> map drawn   {maps:6.1f} s  (goal <= 20 s; {since_start:.0f} s after the "
        "process started)"
    )
    return {"first_chart_s": first_chart, "maps_s": maps}


SECTIONS = {
    "engine": bench_engine,
    "network": bench_network,
    "cold": bench_cold_start,
    "sweep": bench_sweep,
    "page": bench_page,
    "browser": bench_browser,
    "play": bench_play,
    "classroom": bench_classroom,
    "first-visit": bench_first_visit,
}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(prog="python -m optviz.bench", description=__doc__)
    parser.add_argument("sections", nargs="*", help=f"which to run (default all): {', '.join(SECTIONS)}")
    parser.add_argument("--repeats", type=int, default=5, help="repeats per median (default 5)")
    args = parser.parse_args(argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    args.sections = args.sections or list(SECTIONS)
    return {name: SECTIONS[name](args.repeats) for name in args.sections}


if __name__ == "__main__":
    main()
