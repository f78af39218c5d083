"""Predict, then play, through AppTest: hidden paths, guesses, the reveal and the score."""

from __future__ import annotations

import math

from optviz.presets import PRESETS
from optviz.state import replace
from optviz.ui.compute import compute_runs
from optviz.urlstate import decode, encode
from tests.test_app import animated, run_app, specs


def guess(at, x, y):
    at.number_input(key="quiz_x").set_value(x)
    at.number_input(key="quiz_y").set_value(y)
    return at.button(key="quiz_set").click().run()


def test_a_quiz_link_hides_the_paths_and_scores_the_guesses():
    state = replace(PRESETS["basins"].build(), quiz=12)
    at = run_app(encode(state))
    assert not at.exception and not at.warning
    assert at.button_group(key="tab").options[0] == "Quiz"
    assert len(specs(at)) == 1 and not any(d.get("legendgroup") for d in specs(at)[0]["data"])  # no paths anywhere
    assert at.button(key="quiz_reveal").disabled
    guess(at, 1.0, 1.0)
    assert at.session_state["quiz_run"] == 1  # moved on to the next run
    guess(at, -2.0, 2.5)
    at.button(key="quiz_reveal").click().run()
    assert not at.exception
    reveal = specs(at)[0]
    assert animated(reveal) and reveal["layout"]["title"]["text"].startswith("The first 12 steps")
    truth = compute_runs(state).runs[0].path[12]
    table = next(d.value for d in at.dataframe if "off by" in d.value.columns)
    assert math.isclose(table["off by"][0], math.hypot(1.0 - truth[0], 1.0 - truth[1]), rel_tol=1e-9)
    assert table["your guess"][2] == "—"  # run 3 got no guess
    assert "Paths & results" in at.button_group(key="tab").options
    at.button(key="quiz_again").click().run()
    assert at.button_group(key="tab").options[0] == "Quiz" and at.button(key="quiz_reveal").disabled  # guesses cleared


def test_the_teacher_turns_a_preset_into_a_quiz_link():
    at = run_app()
    at.button(key="preset_saddle_escape").click().run()
    at.toggle(key="quiz_on").set_value(True).run()
    at.number_input(key="quiz_steps").set_value(30).run()
    assert not at.exception
    shown, warnings = decode({k: [at.query_params[k]] for k in at.query_params})
    assert shown == replace(PRESETS["saddle_escape"].build(), quiz=30, tab="quiz") and not warnings
    assert at.button_group(key="tab").options[0] == "Quiz"


def test_bad_quiz_values_in_a_link_warn_by_name():
    at = run_app({"quiz": "-3"})
    assert not at.exception and any("'quiz'" in w.value for w in at.warning)
    assert at.query_params.get("quiz", "0") == "0"  # a preset's short link leaves out what equals the preset
    at = run_app({"quiz": "250", "steps": "100"})
    assert any("'quiz'" in w.value and "at most steps=100" in w.value for w in at.warning)
    assert at.query_params["quiz"] == "100"


def test_a_one_step_quiz_says_step_not_steps():
    state = replace(PRESETS["basins"].build(), quiz=1)
    at = run_app(encode(state))
    assert at.subheader[0].value.endswith("after 1 step?")
    guess(at, 1.0, 1.0)
    at.button(key="quiz_reveal").click().run()
    assert specs(at)[0]["layout"]["title"]["text"].startswith("The first step:")
    assert any(s.value.endswith("The answer after 1 step") for s in at.subheader)
    assert not any("1 steps" in text for text in (s.value for s in at.subheader))
