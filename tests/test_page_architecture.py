"""How the page meets a class: only the open tab runs, a view is built once for everyone,
the tab is in the link, and the page's state is declared once."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from optviz.presets import PRESETS
from optviz.state import PAGE_FIELDS, START, VIEW_ONLY_URL_KEYS, PageField, State, default_state
from optviz.ui import binding, ensemble_view, inspector_view, maps_view, views
from optviz.ui.compute import View
from optviz.urlstate import decode, encode, state_key
from surfaces import get_surface
from tests.test_app import run_app, specs


@pytest.fixture
def calls(monkeypatch):
    """Count what the hidden tabs would compute."""
    counted: Counter = Counter()

    def counting(module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            counted[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(inspector_view, "_with_internals")
    counting(ensemble_view, "_ensemble")
    counting(maps_view, "_stability")
    counting(maps_view, "_basins")
    counting(views, "loss_figure")
    return counted


def test_hidden_tabs_compute_nothing(calls):
    at = run_app(encode(PRESETS["minibatch_noise"].build()))
    at.session_state["maps_on"] = True  # even with the maps switched on, a closed tab costs nothing
    at.run()
    assert not at.exception
    assert sum(calls.values()) == 0, calls
    assert len(at.get("plotly_chart")) == 1  # the open tab's Paths figure, nothing else
    at.session_state["tab"] = "inside"
    at.run()
    assert calls["_with_internals"] == 1 and calls["_ensemble"] == 0 and calls["_stability"] == 0


def test_a_link_with_a_tab_opens_it_and_the_link_follows_the_tabs():
    at = run_app({"tab": "curves"})
    assert not at.exception
    titles = [s["layout"]["title"]["text"] for s in specs(at)]
    assert len(titles) == 4 and not any("▶" in str(s.get("layout", {}).get("updatemenus", "")) for s in specs(at))
    assert at.query_params["tab"] == "curves"
    at.button_group(key="tab").set_value("equations").run()  # the reader picks another view
    assert at.query_params["tab"] == "equations" and not at.get("plotly_chart")


def test_a_bad_tab_in_a_link_warns_and_opens_the_first():
    at = run_app({"tab": "secrets"})
    assert any("'tab'" in w.value for w in at.warning)
    assert at.query_params.get("tab", "paths") == "paths" and len(at.get("plotly_chart")) == 1


def test_a_view_is_built_once_for_every_session(monkeypatch):
    built: Counter = Counter()
    original = views.paths_figure

    def counting(*args, **kwargs):
        built["paths"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(views, "paths_figure", counting)
    query = {**encode(PRESETS["momentum_ravine"].build()), "seed": "4242"}  # a view no other test opens
    first, second = run_app(query), run_app(query)  # two students, one link
    assert built["paths"] == 1
    assert first.get("plotly_chart")[0].proto.spec == second.get("plotly_chart")[0].proto.spec


def test_every_page_field_round_trips_through_the_link():
    declared = {f.name for f in PAGE_FIELDS}
    structured = {"surface", "runs", "surface_params", "lesson"}  # each has a codec of its own
    assert declared | structured == {f.name for f in dataclasses.fields(State)}
    state = dataclasses.replace(
        default_state("himmelblau"),
        start=(1.25, -0.5),
        steps=123,
        seed=7,
        l1=0.5,
        l2=0.25,
        speed=120,
        presentation=True,
        screen="1080p",
        quiz=12,
        tab="noise",
    )
    decoded, warnings = decode({k: [v] for k, v in encode(state).items()})
    assert decoded == state and not warnings


def test_only_what_the_engine_reads_is_in_the_cache_key_and_the_engine_reads_it():
    state = default_state()
    for f in PAGE_FIELDS:
        changed = dataclasses.replace(state, **{f.name: _another_value(f)})
        assert (state_key(changed) == state_key(state)) == (not f.engine), f.name
        assert (changed.engine_args(changed.runs[0]) == state.engine_args(state.runs[0])) == (not f.engine), f.name
    assert set(VIEW_ONLY_URL_KEYS) == {"speed", "present", "screen", "3d", "quiz", "tab"}


def test_the_figure_key_is_what_the_fields_declare_figures_depend_on():
    def figure_key(state):
        return View(state, None, None, "", None, state_key(state)).key

    state = default_state()
    for f in PAGE_FIELDS:
        changed = dataclasses.replace(state, **{f.name: _another_value(f)})
        assert (figure_key(changed) == figure_key(state)) == (not f.figures), f.name
    assert {f.name for f in PAGE_FIELDS if not f.figures} == {"quiz", "tab"}
    with pytest.raises(ValueError, match="depend on what the engine reads"):
        PageField("start", "start", START, ("start_x", "start_y"), figures=False)


def _another_value(field):
    return {
        "start": (0.5, 0.5),
        "steps": 17,
        "seed": 3,
        "l1": 0.1,
        "l2": 0.2,
        "speed": 200,
        "presentation": True,
        "screen": "1080p",
        "view_3d": "on",
        "quiz": 5,
        "tab": "maps",
    }[field.name]


def test_reading_the_widgets_never_writes_them(monkeypatch):
    state = PRESETS["saddle_escape"].build()
    fake: dict = {}
    monkeypatch.setattr(binding.st, "session_state", fake)
    binding.hydrate(state)
    for key in [k for k in fake if k.startswith("r1_")]:  # a run slot whose widgets were never drawn
        del fake[key]
    before = dict(fake)
    read = binding.read()
    assert fake == before
    assert read.runs[0] == state.runs[0] and read.start == state.start and read.steps == state.steps


def test_a_link_and_the_widgets_read_a_run_alike(monkeypatch):
    """Nesterov with momentum 0 breaks a rule, so both keep Nesterov's defaults and say why;
    the values that were fine (the schedule, its step) are kept by both."""
    surface = get_surface("rosenbrock")
    query = {
        "surface": "rosenbrock",
        "r1": "nesterov",
        "r1.momentum": "0",
        "r1.schedule": "step",
        "r1.schedule.step_size": "40",
    }
    decoded, warnings = decode({k: [v] for k, v in query.items()})
    fake: dict = {}
    monkeypatch.setattr(binding.st, "session_state", fake)
    keys = binding.run_keys(0)
    fake.update({keys.kind: "nesterov", keys.hyperparameter("momentum"): 0.0, keys.schedule: "step"})
    fake[keys.schedule_param("step_size")] = 40
    assert binding.read_run(0, surface) == decoded.runs[0]
    assert dict(decoded.runs[0].schedule_params)["step_size"] == 40 and decoded.runs[0].params["momentum"] == 0.9
    assert any("URL parameters of run 1" in w and "nesterov" in w for w in warnings)
    assert "Run 1 uses Nesterov's defaults" in binding.run_problem(0, surface)


def test_gradient_modes_are_answered_in_one_place():
    from optviz.kinds import KINDS
    from surfaces import get_surface

    bowl, rosenbrock = get_surface("noisy_bowl"), get_surface("rosenbrock")
    assert KINDS["gd"].gradient_modes(bowl) == ("exact",)
    assert "minibatch" in KINDS["sgd"].gradient_modes(bowl) and "minibatch" not in KINDS["sgd"].gradient_modes(
        rosenbrock
    )
    decoded, warnings = decode({"surface": ["rosenbrock"], "r1": ["sgd"], "r1.gradient": ["minibatch"]})
    assert decoded.runs[0].gradient == "noise" and any("r1.gradient" in w for w in warnings)


def test_values_that_conflict_say_why_beside_the_run_and_the_page_stays():
    at = run_app({"r1": "nesterov"})
    at.number_input(key="r0_hp_momentum").set_value(0.0).run()  # in range, but Nesterov needs momentum > 0
    assert not at.exception
    assert any("momentum" in e.value and "Run 1 uses Nesterov's defaults" in e.value for e in at.error)
    assert at.query_params["r1.momentum"] == "0.9" and len(at.get("plotly_chart")) == 1


def test_the_installed_streamlit_has_the_plotly_chunk_the_page_preloads():
    """Else the preload is silently off and a cold start waits ~0.7 s longer for the first chart."""
    from optviz.ui import preload

    assert len(preload.CHUNKS) == 1 and preload.CHUNKS[0].stat().st_size > 1_000_000
