"""The viewer's display settings survive a lesson, and a quiz hides its answer until Reveal."""

from __future__ import annotations

import dataclasses
import json

import pytest

from optviz.params import Param
from optviz.presets import PRESETS
from optviz.quiz import truth_after
from optviz.state import PAGE_FIELDS, default_state, with_display
from optviz.ui.compute import compute_runs
from optviz.urlstate import LESSON_KEY, decode, encode
from tests.test_app import run_app, specs

DISPLAY = [f for f in PAGE_FIELDS if f.display]


def another(p: Param):
    """A valid value of ``p`` other than its default."""
    if p.kind == "bool":
        return not p.default
    if p.kind == "choice":
        return next(c for c in p.choices if c != p.default)
    return (p.low + p.high) // 2 if p.kind == "int" else (p.low + p.high) / 2


def test_display_fields_are_the_view_only_ones_a_lesson_does_not_set():
    assert {f.name for f in DISPLAY} >= {"presentation", "speed", "quiz", "screen"}
    assert all(not f.engine for f in DISPLAY) and "tab" not in {f.name for f in DISPLAY}
    viewer = dataclasses.replace(default_state(), **{f.name: another(f.param) for f in DISPLAY}, tab="curves")
    for preset in PRESETS.values():
        shown = with_display(preset.build(), viewer)
        for f in DISPLAY:
            expected = min(getattr(viewer, f.name), shown.steps) if f.name == "quiz" else getattr(viewer, f.name)
            assert getattr(shown, f.name) == expected, (preset.key, f.name)
        assert shown.tab == preset.build().tab  # the lesson opens on its own picture


def test_every_preset_click_keeps_presentation_speed_quiz_and_every_display_setting():
    viewer = {**{f.url: another(f.param) for f in DISPLAY}, "quiz": 15}  # a quiz every preset's runs can ask
    query = {k: str(int(v) if isinstance(v, bool) else v) for k, v in viewer.items()}
    at = run_app(query)
    assert not at.exception
    for key, preset in PRESETS.items():
        at.button(key=f"preset_{key}").click().run()
        assert not at.exception, key
        link = {k: at.query_params[k] for k in at.query_params}
        assert link[LESSON_KEY] == key and "surface" not in link, (key, link)  # still the preset's short link
        shown, warnings = decode({k: [v] for k, v in link.items()})
        assert not warnings
        assert dataclasses.replace(shown, tab=preset.build().tab) == with_display(preset.build(), shown)  # quiz: tab
        for f in DISPLAY:
            assert getattr(shown, f.name) == viewer[f.url], (key, f.name)
        assert link["present"] == "1"


def _answer_texts(state, n: int) -> set[str]:
    """How the page would write where each run is after n steps or ends (coordinates, losses)."""
    texts = set()
    for t in compute_runs(state).runs:
        (x, y), _ = truth_after(t, n)
        values = [x, y, float(t.path[-1, 0]), float(t.path[-1, 1]), float(t.loss[-1])]
        for v in values:
            texts |= {f"{v:.3g}", f"{v:.4g}", f"{v:.2f}"}
    shown_elsewhere = {f"{c:.3g}" for c in state.start} | {f"{c:.4g}" for c in state.start}
    # "3", "0.5" or "0.00" is everywhere: only numbers with three significant digits tell
    return {s for s in texts - shown_elsewhere if sum(ch.isdigit() for ch in s.lstrip("-0.")) >= 3}


def _page_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader", "latex", "code"):
        parts += [e.value for e in at.get(kind) if not e.value.startswith("<style>")]  # CSS is not read
    parts += [e.value.to_csv() for e in [*at.dataframe, *at.table]]
    parts += [json.dumps(s["layout"].get("title", "")) for s in specs(at)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("key", list(PRESETS))
def test_a_quiz_hides_every_number_of_its_answer_until_reveal(key):
    quiz = 20
    state = dataclasses.replace(PRESETS[key].build(), quiz=quiz)
    at = run_app(encode(state))
    assert not at.exception
    text = _page_text(at)
    leaks = sorted(s for s in _answer_texts(state, quiz) if s in text)
    assert not leaks, (key, leaks)
    assert not at.dataframe and not any("<table>" in m.value for m in at.markdown)  # no results table
    lesson = [i.value for i in at.info if PRESETS[key].title in i.value]
    assert lesson and all("after Reveal" in v for v in lesson)
    at.number_input(key="quiz_x").set_value(float(state.start[0])).run()
    at.button(key="quiz_set").click().run()
    at.button(key="quiz_reveal").click().run()
    assert not at.exception
    assert any(PRESETS[key].title in i.value and "after Reveal" not in i.value for i in at.info)  # the lesson


def test_the_reveal_opens_at_step_0_and_play_draws_the_paths():
    state = dataclasses.replace(PRESETS["basins"].build(), quiz=30)
    at = run_app(encode(state))
    at.button(key="quiz_set").click().run()
    at.button(key="quiz_reveal").click().run()
    reveal = specs(at)[0]
    assert "press ▶" in reveal["layout"]["title"]["text"]
    runs = [r for r in reveal["data"] if r.get("legendgroup") and r.get("showlegend", True)]  # each run's line
    assert runs and all(len(r["x"]) == 1 for r in runs)  # only the start before ▶
    trails = [d["x"] for d in reveal["frames"][-1]["data"] if len(d["x"]) > 1]
    steps = [min(30, len(t.path) - 1) + 1 for t in compute_runs(state).runs]
    assert [len(x) for x in trails] == steps  # the last frame: every step up to 30 (or the run's end)
