"""Typed input: a value out of range keeps the last good one, and the share link carries no float noise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from optviz.params import tidy
from optviz.presets import DEFAULT_PRESET, PRESETS
from optviz.state import START, replace
from optviz.ui import binding
from optviz.ui.compute import compute_runs
from optviz.urlstate import decode, encode, format_value, parse_value
from tests.test_app import run_app


def in_use(at):
    return at.session_state[binding.LAST_GOOD]


def test_a_value_typed_out_of_range_keeps_the_last_good_one_and_says_so():
    at = run_app({"surface": "rosenbrock"})
    at.number_input(key="steps").set_value(150).run()
    at.number_input(key="steps").set_value(5000).run()
    assert not at.exception
    assert in_use(at).steps == 150 and at.query_params["steps"] == "150"
    assert any("steps = 5000 is outside [1, 2000]; using 150." in e.value for e in at.error)
    at.session_state[binding.run_panel_key(1)] = True  # run 2's settings open, as a click on its title does
    at.run()
    at.number_input(key="r1_hp_momentum").set_value(0.5).run()
    at.number_input(key="r1_hp_momentum").set_value(3.0).run()
    assert in_use(at).runs[1].params["momentum"] == 0.5
    assert any("momentum = 3 is outside [0, 0.999]; using 0.5." in e.value for e in at.error)
    at.number_input(key="start_x").set_value(-1.5).run()
    at.number_input(key="start_x").set_value(99.0).run()
    assert in_use(at).start[0] == -1.5
    assert any("start x = 99 is outside" in e.value and "using the start (-1.5," in e.value for e in at.error)


def test_widget_float_noise_stays_out_of_the_link_and_the_link_computes_the_same_runs():
    at = run_app({"preset": DEFAULT_PRESET})
    at.number_input(key="start_x").set_value(-1.0000000000000002).run()
    assert at.query_params["start"].startswith("-1.0,")
    shown, warnings = decode({k: [at.query_params[k]] for k in at.query_params})
    assert not warnings and shown == replace(in_use(at), tab=shown.tab)
    assert compute_runs(shown).runs[0].path.tobytes() == compute_runs(in_use(at)).runs[0].path.tobytes()


def test_a_link_of_typed_values_is_unchanged_by_tidying():
    for preset in PRESETS.values():
        state = preset.build()
        assert decode({k: [v] for k, v in encode(state).items()})[0] == state


@given(st.floats(-1e12, 1e12, allow_nan=False))
def test_link_numbers_are_short_and_decode_to_the_number_in_use(x):
    text = format_value(x)
    assert len(text) <= len("-1.23456789012e-300")
    number = parse_value(f"{text},{text}", START)
    assert number == (tidy(x), tidy(x)) and tidy(tidy(x)) == tidy(x)
    assert tidy(0.1) == 0.1 and tidy(-7.000000000000002) == -7.0 and format_value(0.30000000000000004) == "0.3"


def test_a_closed_runs_settings_keep_their_values_and_show_them_when_opened():
    """Only open runs draw their widgets; a closed run's values survive changes to the others."""
    at = run_app({"surface": "himmelblau", "r1": "gd", "r2": "momentum", "r2.momentum": "0.5"})
    assert not [w for w in at.number_input if w.key and w.key.startswith("r1_")]
    at.session_state[binding.run_panel_key(1)] = True  # a click on its title
    at.run()
    assert at.number_input(key="r1_hp_momentum").value == 0.5
    at.number_input(key="r1_hp_momentum").set_value(0.3).run()
    at.session_state[binding.run_panel_key(1)] = False
    for lr in (0.02, 0.05, 0.1):
        at.select_slider(key="r0_hp_lr").set_value(lr).run()
    assert in_use(at).runs[1].params["momentum"] == 0.3 and at.query_params["r2.momentum"] == "0.3"
    at.session_state[binding.run_panel_key(1)] = True
    at.run()
    assert at.number_input(key="r1_hp_momentum").value == 0.3
    at.selectbox(key="r1_kind").set_value("nesterov").run()  # a new title: the settings stay open
    assert at.number_input(key="r1_hp_momentum").value is not None and not at.exception
