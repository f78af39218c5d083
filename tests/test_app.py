"""The page through Streamlit's AppTest: presets, URL, clicks, widgets and payload."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from optviz.presets import PRESETS
from optviz.ui import binding
from optviz.urlstate import decode, encode

APP = "../app.py"  # AppTest resolves it against this file
PAYLOAD_BUDGET = 300_000  # bytes of the Paths figure's JSON (map, 3-D, loss strip): what a view change sends


def run_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def animated(spec: dict) -> bool:
    return len(spec.get("frames", [])) > 1 and spec["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return run_app({"3d": "on"})  # the whole Paths figure: the 3-D view is one click away (test_app_view_3d)


def test_one_figure_and_one_slider_drive_the_map_the_surface_and_the_loss_strip(default_app):
    at = default_app
    assert not at.exception, [e.value for e in at.exception]
    paths = specs(at)[0]
    assert len(at.get("plotly_chart")) == 1 and animated(paths)
    assert len(paths["layout"]["sliders"]) == 1 and len(paths["layout"]["updatemenus"]) == 1
    assert paths["layout"]["images"][0]["layer"] == "below"  # the landscape stays during playback
    kinds = [d["type"] for d in paths["data"]]
    moved = {kinds[i] for i in paths["frames"][1]["traces"]}
    assert "surface" in kinds and moved == {"scatter", "scatter3d"}  # each frame moves map and 3-D markers
    cursor = len(paths["data"]) - 1  # the loss strip's cursor, last: each frame puts it at the frame's step
    assert paths["data"][cursor]["xaxis"] == "x2" and paths["frames"][-1]["traces"][-1] == cursor
    assert paths["frames"][-1]["data"][-1]["x"][0] == int(paths["frames"][-1]["name"])


def test_default_payload_is_within_budget(default_app):
    paths = default_app.get("plotly_chart")[0].proto.spec
    assert len(paths) <= PAYLOAD_BUDGET
    for frame in specs(default_app)[0]["frames"]:  # frames carry the runs' moving traces, never the landscape
        assert min(frame["traces"]) >= 3 and len(frame["data"]) == len(frame["traces"])


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_renders_animated_figures(default_app, key):
    at = default_app
    at.button(key=f"preset_{key}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    state = PRESETS[key].build()
    assert at.session_state["surface"] == state.surface
    assert at.session_state["n_runs"] == len(state.runs)
    paths = specs(at)[0]
    assert animated(paths)
    per_run = 3 + 2  # map: full path, trail, head; 3-D: full path, marker
    assert len([d for d in paths["data"] if d.get("legendgroup")]) == per_run * len(state.runs)
    assert any(PRESETS[key].title in info.value for info in at.info)


def test_url_reproduces_the_view():
    state = PRESETS["minibatch_noise"].build()
    at = run_app(encode(state))
    assert not at.exception and not at.warning
    # the page wrote back the State it rebuilt from its widgets: the same as the link's
    shown, warnings = decode({k: [at.query_params[k]] for k in at.query_params})
    assert shown == state and not warnings
    assert at.session_state["surface"] == "noisy_bowl"
    assert at.session_state["n_runs"] == 4
    assert at.session_state["r3_gradient_value"] == 50
    assert (at.session_state["start_x"], at.session_state["start_y"]) == state.start


def test_bad_url_values_fall_back_with_a_warning_naming_them():
    at = run_app(
        {"surface": "rosenbrock", "steps": "1e999", "r1": "adam", "r1.lr": "NaN", "zzz": "1", "r1.betas": "0.9"}
    )
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    for name in ("'steps'", "'r1.lr'", "'zzz'", "'r1.betas'"):
        assert name in text
    assert at.session_state["steps"] == 300 and at.session_state["r0_hp_lr"] == 0.05


def test_injected_chart_selection_sets_the_start(default_app):
    at = default_app
    at.button(key="preset_basins").click().run()
    before = specs(at)[0]["data"][2]
    at.session_state[binding.PICKED] = (1.5, -1.0)
    at.run()
    assert (at.session_state["start_x"], at.session_state["start_y"]) == (1.5, -1.0)
    contour = specs(at)[0]
    assert contour["data"][2]["x"] == [1.5] and before["x"] != [1.5]
    run_path = contour["data"][3]
    assert _first_point(run_path) == (1.5, -1.0)


def _first_point(trace: dict) -> tuple[float, float]:
    import base64

    import numpy as np

    def decode_axis(v):
        if isinstance(v, dict):
            return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return np.asarray(v)

    return float(decode_axis(trace["x"])[0]), float(decode_axis(trace["y"])[0])


def test_a_click_outside_the_domain_is_ignored(default_app):
    at = default_app
    start = (at.session_state["start_x"], at.session_state["start_y"])
    at.session_state[binding.PICKED] = (1e9, 0.0)
    at.run()
    assert not at.exception
    assert (at.session_state["start_x"], at.session_state["start_y"]) == start


def test_changing_a_runs_optimizer_changes_the_figures():
    at = run_app()
    before = at.get("plotly_chart")[0].proto.spec
    at.selectbox(key="r0_kind").set_value("rmsprop").run()
    assert not at.exception
    after = at.get("plotly_chart")[0].proto.spec
    assert before != after
    assert "RMSprop" in after and at.session_state["r0_hp_alpha"] == 0.99


def test_changing_surface_resets_start_and_learning_rates():
    at = run_app()
    at.selectbox(key="surface").set_value("booth").run()
    assert not at.exception
    assert (at.session_state["start_x"], at.session_state["start_y"]) == (-6.0, -8.0)
    assert at.session_state["r0_hp_lr"] == 0.05  # Booth's suggestion for GD


def test_presentation_mode_enlarges_fonts():
    at = run_app()
    small = specs(at)[0]["layout"]["font"]["size"]
    at.toggle(key="presentation").set_value(True).run()
    assert specs(at)[0]["layout"]["font"]["size"] > small


def results_rows(at: AppTest) -> list[dict[str, str]]:
    """The results table (HTML in a markdown element): one {column: text} per run."""
    import html
    import re

    table = next(m.value for m in at.markdown if "<table>" in m.value and "final loss" in m.value)
    columns = [html.unescape(c) for c in re.findall(r"<th>(.*?)</th>", table)]
    rows = re.findall(r"<tr>(<td>.*?)</tr>", table)
    return [dict(zip(columns, (html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)))) for row in rows]


def test_huge_losses_read_as_numbers_in_the_table():
    at = run_app({"surface": "rosenbrock", "r1": "gd", "r1.lr": "0.5"})  # diverges within a few steps
    shown = results_rows(at)[0]["final loss"]
    assert shown in ("inf", "nan") or "e+" in shown, shown  # never a cut-off mantissa
    assert float(shown) > 1e6 or shown in ("inf", "nan")


def test_a_sampled_run_that_ran_all_steps_shows_no_bare_step_to_converge():
    at = run_app({"preset": "minibatch_noise"})
    rows = results_rows(at)
    sampled = [row for row in rows if row["outcome"] == "ran all steps"]
    assert sampled, rows  # the preset's SGD runs keep moving
    for row in sampled:
        cell = row["steps to converge"]
        assert cell == "—" or cell.startswith("first within reach at "), cell


def test_pytorch_code_names_the_gradient_mode_and_each_source_once():
    from optviz.state import make_run
    from optviz.ui.views import torch_code
    from surfaces import get_surface

    bowl = get_surface("noisy_bowl")
    gd, sgd, dropout = (
        make_run(k, bowl, gradient=g, gradient_value=v)
        for k, g, v in (("gd", "exact", None), ("sgd", "minibatch", 20), ("sgd", "dropout", 0.4))
    )
    assert "batch_size=20" in torch_code(sgd) and "Dropout(p=0.4)" in torch_code(dropout)
    assert len({torch_code(gd), torch_code(sgd), torch_code(dropout)}) == 3
    at = run_app({"r1": "adam", "tab": "equations"})
    adam_captions = [c.value for c in at.caption if "Kingma" in c.value]
    assert adam_captions and all(c.count("Kingma") == 1 for c in adam_captions)


def test_saddle_free_newton_is_named_in_the_legend():
    from optviz.state import make_run
    from surfaces import get_surface

    saddle = get_surface("saddle")
    assert "saddle-free" in make_run("newton", saddle, saddle_free=True).label()
    assert "saddle-free" not in make_run("newton", saddle).label()


def test_a_rejected_number_says_why_next_to_the_field():
    at = run_app({"surface": "himmelblau"})
    at.number_input(key="steps").set_value(0).run()
    at.number_input(key="start_x").set_value(100.0).run()
    assert not at.exception
    messages = [e.value for e in at.sidebar.error]
    assert any("steps = 0 is outside [1, 2000]; using 300" in m for m in messages), messages
    assert any("start x = 100 is outside Himmelblau's [-5, 5]" in m for m in messages), messages
    assert at.query_params["steps"] == "300"  # the page kept a valid value and says which
    at.number_input(key="steps").set_value(50).run()
    assert not any("steps =" in e.value for e in at.sidebar.error) and at.query_params["steps"] == "50"


def test_a_bad_links_warnings_can_be_dismissed_and_go_when_the_view_changes():
    at = run_app({"surface": "rosenbrock", "zzz": "1"})
    assert any("'zzz'" in w.value for w in at.warning)
    at.run()
    assert any("'zzz'" in w.value for w in at.warning)  # still the view the link opened
    at.button(key="dismiss_warnings").click().run()
    assert not at.warning
    at = run_app({"surface": "rosenbrock", "zzz": "1"})
    at.number_input(key="steps").set_value(120).run()
    assert not any("'zzz'" in w.value for w in at.warning)  # the user moved on


def test_the_first_chart_does_not_wait_for_pandas():
    """pandas (with pyarrow) took ~0.3 s of a cold start; the default page's tables do without it."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    probe = (
        "import sys; from streamlit.testing.v1 import AppTest; "
        f"at = AppTest.from_file({str(root / 'app.py')!r}, default_timeout=120).run(); "
        "assert not at.exception, at.exception; assert at.get('plotly_chart'); "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
