"""State ⇄ URL: round trips, and hostile query strings giving defaults plus warnings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optviz.presets import DEFAULT_PRESET, PRESETS
from optviz.state import MAX_RUNS, default_state
from optviz.urlstate import decode, encode
from surfaces import CATALOGUE
from tests.strategies import budget


def as_query(q: dict[str, str]) -> dict[str, list[str]]:
    return {k: [v] for k, v in q.items()}


def test_every_preset_round_trips_exactly():
    for preset in PRESETS.values():
        state = preset.build()
        back, warnings = decode(as_query(encode(state)))
        assert back == state and warnings == [], preset.key


def test_every_surface_default_round_trips():
    for key in CATALOGUE:
        state = default_state(key)
        assert decode(as_query(encode(state))) == (state, [])


def test_empty_query_is_the_default_preset_with_its_lesson():
    assert decode({}) == (PRESETS[DEFAULT_PRESET].build(), [])
    assert decode({})[0].lesson == DEFAULT_PRESET


def test_repeated_and_overlong_values_are_named():
    state, warnings = decode({"steps": ["100", "200"], "seed": ["1" * 500]})
    assert state.steps == 100 and state.seed == 0
    assert any("'steps' appears 2 times" in w for w in warnings)
    assert any("'seed'" in w and "characters long" in w for w in warnings)


def test_too_many_runs_are_cut_with_a_warning():
    query = {f"r{i}": ["adam"] for i in range(1, 10)}
    state, warnings = decode(query)
    assert len(state.runs) == MAX_RUNS and any("showing the first" in w for w in warnings)


def test_nesterov_without_momentum_falls_back():
    state, warnings = decode({"r1": ["nesterov"], "r1.momentum": ["0"]})
    assert state.runs[0].params["momentum"] == 0.9
    assert any("nesterov" in w for w in warnings)


def test_minibatch_on_a_surface_without_data_falls_back():
    state, warnings = decode({"surface": ["rosenbrock"], "r1": ["sgd"], "r1.gradient": ["minibatch"]})
    assert state.runs[0].gradient == "noise" and any("'r1.gradient'" in w for w in warnings)


KEYS = st.sampled_from(
    [
        "surface",
        "start",
        "steps",
        "seed",
        "l1",
        "l2",
        "speed",
        "present",
        "s.condition_number",
        "r1",
        "r1.lr",
        "r1.betas",
        "r1.momentum",
        "r1.schedule",
        "r1.schedule.T_max",
        "r1.gradient",
        "r1.gradient.value",
        "r2",
        "r7.eps",
        "r999",
        "x",
        "",
        "r0",
        "r1.",
        "__class__",
    ]
)
VALUES = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e999",
            "-1e999",
            "0",
            "-1",
            "1e-320",
            "adam",
            "sgd",
            "cosine",
            "minibatch",
            "1,2",
            "1,2,3",
            ",",
            "true",
            "None",
            "__import__('os')",
        ]
    ),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@settings(max_examples=budget(500), deadline=None)
@given(st.dictionaries(KEYS | st.text(max_size=20), st.lists(VALUES, min_size=1, max_size=3), max_size=12))
def test_any_query_decodes_to_a_valid_state(query):
    state, warnings = decode(query)
    assert 1 <= len(state.runs) <= MAX_RUNS
    assert CATALOGUE[state.surface].in_domain(*state.start)
    again, again_warnings = decode(as_query(encode(state)))
    assert again == state and again_warnings == []
    assert all(isinstance(w, str) for w in warnings)
