"""Custom formulas through the page: typed, shared by link, refused with a pointer."""

from __future__ import annotations

import re

from optviz.urlstate import decode
from surfaces.custom import custom_key
from tests.test_app import run_app, specs


def shown(element) -> str:
    """The text a reader sees: the page escapes Markdown so that typed text shows exactly."""
    return re.sub(r"\\(.)", r"\1", element.value)


def _shown_state(at):
    return decode({k: [at.query_params[k]] for k in at.query_params})


def test_typing_a_formula_switches_the_page_and_the_link():
    at = run_app()
    at.selectbox(key="surface").set_value("custom").run()
    assert not at.exception and not at.error
    at.text_input(key="custom_formula").set_value("(x - 1)**2 + 2*(y + 0.5)**2").run()
    assert not at.exception and not at.error
    state, warnings = _shown_state(at)
    assert state.surface == custom_key("(x - 1)**2 + 2*(y + 0.5)**2", 3.0) and not warnings
    assert "(x - 1)**2" in at.query_params["surface"]
    minimum = next(d for d in specs(at)[0]["data"] if d.get("name") == "minimum")
    assert abs(minimum["x"][0] - 1.0) < 1e-6 and abs(minimum["y"][0] + 0.5) < 1e-6  # found numerically


def test_a_hostile_formula_is_refused_with_a_pointer_and_the_page_keeps_working():
    at = run_app()
    at.selectbox(key="surface").set_value("custom").run()
    good = at.query_params["surface"]
    at.text_input(key="custom_formula").set_value("x**2 + __import__('os').system('true')").run()
    assert not at.exception
    message = " ".join(shown(e) for e in at.error)
    assert "formula" in message and "__import__" in message and "Allowed" in message
    assert at.query_params["surface"] == good  # still the last valid formula
    assert len(at.get("plotly_chart")) == 1  # the Paths figure is still drawn
    # and a correction clears the error
    at.text_input(key="custom_formula").set_value("x**2 + y**2").run()
    assert not at.error and "x**2 + y**2" in at.query_params["surface"]


def test_a_formula_that_is_undefined_on_the_square_names_the_point():
    at = run_app()
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="custom_formula").set_value("log(x)").run()
    assert not at.exception
    assert "(x, y) =" in " ".join(shown(e) for e in at.error)


def test_a_shared_custom_link_reopens_the_formula():
    key = custom_key("sin(x) * cos(y) + 0.05*(x**2 + y**2)", 5.0)
    at = run_app({"surface": key, "r1": "adam", "r1.lr": "0.1"})
    assert not at.exception and not at.warning
    assert at.session_state["surface"] == "custom"
    assert at.session_state["custom_formula"] == "sin(x) * cos(y) + 0.05*(x**2 + y**2)"
    assert at.session_state["custom_extent"] == 5.0
    assert _shown_state(at)[0].surface == key


def test_a_bad_formula_in_a_link_warns_and_falls_back():
    at = run_app({"surface": "custom:3:x.__class__"})
    assert not at.exception
    text = " ".join(shown(w) for w in at.warning)
    assert "'surface'" in text and "x.__class__" in text and "attribute" in text.lower()
    assert at.session_state["surface"] == "rosenbrock"


def test_every_formula_message_is_a_sentence():
    at = run_app({"surface": "custom:3:x**2 + y**2"})
    for bad in ("log(x)", "x.__class__", "2x +", "x" * 201, "exp(exp(exp(x)))", "x**2 + q"):
        at.text_input(key="custom_formula").set_value(bad).run()
        message = shown(next(e for e in at.error if "formula" in e.value))
        assert re.search(r"[^.]\. Still showing x\*\*2 \+ y\*\*2\.$", message), message
    for bad in ("custom:3:log(x)", "custom:3:x.__class__"):
        text = " ".join(shown(w) for w in run_app({"surface": bad}).warning)
        assert ".;" not in text and ".." not in text and text.endswith("."), text
