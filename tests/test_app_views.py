"""The inspector, ensemble and dropout tabs through AppTest, as a student drives them."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.presets import PRESETS
from optviz.ui.compute import compute_runs
from optviz.urlstate import encode
from tests.test_app import run_app, specs


def chart(at, title_start: str) -> dict:
    return next(s for s in specs(at) if s["layout"]["title"]["text"].startswith(title_start))


def table_rows(frame) -> dict:
    return {row["quantity"]: np.array([row["x"], row["y"]]) for _, row in frame.iterrows()}


def test_inspector_steps_through_a_run_and_its_numbers_are_the_path():
    state = PRESETS["rosenbrock_race"].build()
    at = run_app({**encode(state), "tab": "inside"})
    assert not at.exception
    at.selectbox(key="inspect_run").set_value(0).run()
    at.slider(key="inspect_step").set_value(12).run()
    assert not at.exception
    figure = chart(at, "Step 12:")
    assert len(figure["layout"]["annotations"]) >= 2  # at least −lr·g and the actual step
    path = compute_runs(state).runs[0].path
    inspector = next(d.value for d in at.dataframe if "quantity" in d.value.columns)
    np.testing.assert_allclose(table_rows(inspector)["step Δθ"], path[12] - path[11], rtol=1e-9)


def test_inspector_shows_adams_moments_and_effective_lr_glyph():
    at = run_app({"surface": "himmelblau", "r1": "adam", "r1.lr": "0.1", "tab": "inside"})
    at.slider(key="inspect_step").set_value(5).run()
    rows = table_rows(next(d.value for d in at.dataframe if "quantity" in d.value.columns))
    expected = {"first moment m", "second moment v", "m̂ (bias-corrected)", "v̂ (bias-corrected)", "effective lr"}
    assert expected <= set(rows)
    names = [d.get("name", "") for d in chart(at, "Step 5:")["data"]]
    assert any(n.startswith("effective lr per coordinate") for n in names)


def test_inspector_explains_newton_at_a_saddle():
    at = run_app({"surface": "saddle", "r1": "newton", "tab": "inside"})
    assert not at.exception
    assert any("saddle" in m.value and "uphill" in m.value for m in at.markdown)


def test_ensemble_compares_batch_sizes_and_reports_the_spread():
    at = run_app(
        {"surface": "noisy_bowl", "r1": "sgd", "r1.gradient": "minibatch", "r1.gradient.value": "10", "tab": "noise"}
    )
    at.multiselect(key="ens_values_minibatch").set_value([1, 5, 100]).run()
    assert not at.exception
    cloud = chart(at, "SGD, 30 seeds")
    assert len([d for d in cloud["data"] if d.get("showlegend", True)]) == 3
    spreads = next(d.value for d in at.dataframe if "gradient" in d.value.columns)["spread of end points (RMS)"]
    assert list(spreads) == sorted(spreads, reverse=True)


def test_ensemble_with_nothing_selected_asks_for_a_value():
    at = run_app({"tab": "noise"})
    at.multiselect(key="ens_values_noise").set_value([]).run()
    assert not at.exception and any("Pick at least one" in i.value for i in at.info)


def test_dropout_button_opens_the_bowl_and_theory_matches_the_paths():
    at = run_app({"tab": "noise"})
    at.button(key="open_noisy_bowl").click().run()
    assert at.session_state["surface"] == "noisy_bowl" and at.query_params["surface"] == "noisy_bowl"
    at.slider(key="dropout_p").set_value(0.7).run()
    assert not at.exception
    frame = next(d.value for d in at.dataframe if "w₁" in d.value.columns).set_index("")
    theory, measured = frame.loc["theory (ridge)"].to_numpy(), frame.loc["measured (average)"].to_numpy()
    least_squares = frame.loc["least squares"].to_numpy()
    assert np.linalg.norm(measured - theory) < 0.1 * np.linalg.norm(least_squares - theory)
    assert chart(at, "GD with input dropout")


def test_a_run_of_one_step_is_inspected_without_a_slider():
    at = run_app(
        {"surface": "custom:3:x**2 + y**2", "r1": "gd", "r1.lr": "0.5", "tab": "inside"}
    )  # lr = 1/L: done in one step
    assert not at.exception
    assert any("single step" in c.value for c in at.caption)
    assert chart(at, "Step 1:")


def test_run_pickers_survive_a_stale_label_from_the_browser():
    """After the runs change, the browser may send a picker's old label instead of an index."""
    for tab, key in (("inside", "inspect_run"), ("noise", "ens_run"), ("maps", "map_run")):
        at = run_app({"tab": tab, "surface": "rosenbrock"})  # runs labelled "GD lr=0.001", …
        at.session_state[key] = "GD lr=0.001"
        if tab == "maps":
            at.toggle(key="maps_on").set_value(True)
        at.run()
        assert not at.exception
        assert at.session_state[key] == 0


def test_a_tiny_step_next_to_a_long_gradient_can_be_compared_by_direction():
    at = run_app({"surface": "rosenbrock", "r1": "adam", "r1.lr": "0.05", "tab": "inside"})
    at.slider(key="inspect_step").set_value(10).run()
    assert any("Compare directions only" in i.value for i in at.info)  # Adam's step is far shorter than lr·g
    at.toggle(key="inspect_directions").set_value(True).run()
    figure = chart(at, "Step 10: directions only")
    lengths = [np.hypot(a["x"] - a["ax"], a["y"] - a["ay"]) for a in figure["layout"]["annotations"]]
    assert max(lengths) == pytest.approx(min(lengths))
