"""Every sentence the page says about a run matches the runs: preset claims, divergence
advice and stability limits against the engine's own measured boundary."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optviz
from optviz.explain import stability_limit
from optviz.lessons import Evidence
from optviz.presets import PRESETS, lesson_for
from optviz.ui.compute import compute_runs
from optviz.urlstate import decode, encode, is_preset_view
from surfaces import get_surface, minima_of


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_claim_of_every_preset_holds(key):
    preset = PRESETS[key]
    state = preset.build()
    computed = compute_runs(state)
    evidence = Evidence(state, computed.runs, computed.goals, preset.kinds, computed.minima, tuple(computed.verdicts))
    failed = [claim.name for claim in preset.claims if not claim.judge(evidence)]
    assert not failed, f"preset {key!r}: these claims do not hold: {failed}"
    told = lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged=True)
    assert not told.changed and len(told.sentences) == len(preset.claims) + 1


def test_a_changed_view_keeps_only_the_claims_that_still_hold():
    from dataclasses import replace

    preset = PRESETS["lr_extremes"]
    state = preset.build()
    runs = list(state.runs)
    runs[0] = replace(runs[0], hyperparameters=tuple((k, 0.01 if k == "lr" else v) for k, v in runs[0].hyperparameters))
    changed = replace(state, runs=tuple(runs))
    assert not is_preset_view(changed)
    computed = compute_runs(changed)
    told = lesson_for(changed, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged=False)
    assert told.changed
    assert not any("diverges" in s for s in told.sentences)  # run 1 no longer diverges
    assert any("converges at step" in s for s in told.sentences)  # run 3 still does


def test_a_preset_link_is_its_name_and_reopens_the_lesson():
    state = PRESETS["basins"].build()
    assert encode(state) == {"preset": "basins"}
    assert decode({"preset": ["basins"]}) == (state, [])
    full = encode(state.__class__(**{**state.__dict__, "steps": 100}))
    assert full["preset"] == "basins" and full["steps"] == "100"
    reopened, warnings = decode({k: [v] for k, v in full.items()})
    assert reopened.lesson == "basins" and reopened.steps == 100 and not is_preset_view(reopened) and not warnings


def _measured_boundary(surface: str, surface_params: dict, steps: int = 300) -> float:
    """The smallest lr at which the engine's GD run diverges, bisected on a log scale with sweep."""
    lo, hi = 1e-6, 10.0
    for _ in range(5):
        lrs = np.geomspace(lo, hi, 40)
        result = optviz.sweep(
            surface, "sgd", [{"lr": float(lr)} for lr in lrs], steps=steps, surface_params=surface_params
        )
        diverged = result.is_("diverged")
        first = int(np.argmax(diverged))
        assert diverged[first] and first > 0, f"no boundary on {surface} in [{lo}, {hi}]"
        lo, hi = float(lrs[first - 1]), float(lrs[first])
    return hi


@pytest.mark.parametrize(
    "surface,surface_params", [("rosenbrock", {}), ("booth", {}), ("ravine", {"condition_number": 50.0})]
)
def test_divergence_advice_is_within_2x_of_the_measured_boundary(surface, surface_params):
    boundary = _measured_boundary(surface, surface_params)
    for factor in (5.0, 50.0, 500.0):  # well above the limit: the run blows up within a few steps
        lr = min(factor * boundary, 10.0)
        text = _explanation(surface, surface_params, lr)
        assert text.startswith("Diverged"), text
        advised = float(text.split("Try lr below ≈ ")[1].rstrip("."))
        assert boundary / 2 <= advised <= 2 * boundary, (surface, factor, advised, boundary, text)


def _explanation(surface: str, surface_params: dict, lr: float) -> str:
    from optviz.state import State, make_run

    spec = get_surface(surface)
    state = State(
        surface=spec.key,
        start=spec.start,
        steps=300,
        runs=(make_run("gd", spec, lr=lr),),
        surface_params=tuple(spec.resolve_params(surface_params).items()),
    )
    return compute_runs(state).explanations[0]


@pytest.mark.parametrize(
    "hyperparameters",
    [
        {"momentum": 0.5, "dampening": 0.5},
        {"momentum": 0.0, "weight_decay": 1.0},
        {"momentum": 0.9, "weight_decay": 0.5},
        {"momentum": 0.7, "nesterov": True},
    ],
)
def test_the_quoted_stability_limit_is_the_engines_boundary(hyperparameters):
    # Booth is a quadratic with L = 18: the theory is exact, so the boundary must agree to 1 %
    kind = "nesterov" if hyperparameters.get("nesterov") else ("momentum" if hyperparameters["momentum"] else "gd")
    limit = stability_limit(kind, dict({"momentum": 0.0}, **hyperparameters), 18.0)
    lrs = limit * np.array([0.99, 1.01])
    result = optviz.sweep(
        "booth", "sgd", [dict(hyperparameters, lr=float(lr)) for lr in lrs], steps=2000, tolerance=1e-12
    )
    assert list(result.is_("diverged")) == [False, True], (hyperparameters, limit)


def test_weight_decay_runs_are_judged_against_their_own_minimum():
    state = PRESETS["l2_vs_adamw"].build()
    computed = compute_runs(state)
    penalised, decoupled = computed.explanations[1], computed.explanations[2]
    assert "crawling" not in penalised and "of the loss plus its weight decay" in penalised
    assert "decoupled weight decay" in decoupled and "crawling" not in decoupled


def test_adaptive_methods_are_not_told_to_use_an_adaptive_method():
    for kind in ("adam", "adagrad", "rmsprop"):
        spec = get_surface("rosenbrock")
        text = _explanation_of(kind, spec, lr=1e-5, steps=200)
        assert "an adaptive method" not in text, (kind, text)


def test_a_run_thrown_off_the_map_is_told_to_lower_its_lr_not_raise_it():
    """RAdam's first steps are not divided by the gradient's size: at Adam's lr on Himmelblau it
    lands far outside the plotted area with a huge loss, without blowing up."""
    spec = get_surface("himmelblau")
    text = _explanation_of("radam", spec, lr=0.1)
    assert "Try a smaller lr" in text and "larger lr" not in text, text


def _explanation_of(kind: str, spec, **overrides) -> str:
    from optviz.state import State, make_run

    steps = overrides.pop("steps", 300)
    state = State(
        surface=spec.key,
        start=spec.start,
        steps=steps,
        runs=(make_run(kind, spec, **overrides),),
        surface_params=tuple(spec.resolve_params().items()),
    )
    return compute_runs(state).explanations[0]


def test_a_settled_centred_rmsprop_nan_is_not_blamed_on_the_lr():
    from dataclasses import replace

    from optviz.engine.trajectory import Outcome
    from optviz.explain import Objective, explain

    spec = get_surface("booth")
    run = optviz.simulate("booth", "rmsprop", steps=60, lr=1e-3, centered=True, start=(1.0, 3.0))
    # the engine's NaN stop after a run at rest: the last point becomes NaN, as torch's would
    path = np.vstack([np.repeat(run.path[:1], 20, axis=0), [[np.nan, np.nan]]])
    settled = replace(
        run,
        path=path,
        loss=np.append(np.full(20, run.loss[0]), np.nan),
        outcome=Outcome("diverged", step=20, reason="non_finite"),
    )
    text = explain(settled, "rmsprop", spec, spec.kernel_params(), Objective(minima_of(spec), 0.0, "")).text
    assert "lr is not the cause" in text and "v − ḡ²" in text


@pytest.mark.parametrize(
    "key", ["ackley", "rastrigin", "himmelblau", "beale", "booth", "matyas", "rosenbrock", "noisy_bowl"]
)
def test_listed_minima_are_minima_and_a_grid_search_finds_no_other(key):
    from optviz.engine.landscape import loss_grid, value_and_gradient

    spec = get_surface(key)
    params = spec.kernel_params()
    listed = minima_of(spec)
    for m in listed:
        assert _is_local_minimum(spec, params, m.x, m.y), (key, m)
    xs, ys, z = loss_grid(spec, params, resolution=401)
    inner = z[1:-1, 1:-1]
    local = np.ones_like(inner, dtype=bool)
    for dj in (-1, 0, 1):
        for di in (-1, 0, 1):
            if dj or di:
                local &= inner < z[1 + dj : z.shape[0] - 1 + dj, 1 + di : z.shape[1] - 1 + di]
    for j, i in zip(*np.nonzero(local)):  # polish each grid candidate with Newton: it must reach a listed one
        x, y = float(xs[i + 1]), float(ys[j + 1])
        run = optviz.simulate(key, "newton", start=(x, y), steps=100)
        if run.outcome.kind == "converged":
            continue
        fx, gx, gy = value_and_gradient(spec, params, *run.final_point)
        assert not (
            math.hypot(gx, gy) < 1e-6
            and spec.in_domain(*run.final_point)
            and _is_local_minimum(spec, params, *run.final_point)
        ), f"{key}: unlisted minimum at {run.final_point} (grid candidate ({x:.3g}, {y:.3g}))"


def _is_local_minimum(spec, params, x: float, y: float) -> bool:
    from optviz.engine.landscape import hessian, value_and_gradient

    curvatures = np.linalg.eigvalsh(hessian(spec, params, x, y))
    if np.all(np.isfinite(curvatures)):
        return curvatures[0] >= -1e-9 * max(1.0, abs(curvatures[-1]))
    value = value_and_gradient(spec, params, x, y)[0]
    return all(
        value_and_gradient(spec, params, x + 1e-4 * math.cos(a), y + 1e-4 * math.sin(a))[0] >= value
        for a in np.linspace(0, 2 * math.pi, 16, endpoint=False)
    )


def _lesson_box(at) -> str:
    return " ".join(box.value for box in at.info)


def test_the_lesson_box_follows_the_view_in_the_app():
    from tests.test_app import run_app

    at = run_app()
    at.button(key="preset_lr_extremes").click().run()
    assert "diverges at step" in _lesson_box(at) and "Changed" not in _lesson_box(at)
    assert dict(at.query_params) == {"preset": "lr_extremes"}
    at.select_slider(key="r0_hp_lr").set_value(0.01).run()  # the diverging run now converges
    box = _lesson_box(at)
    assert "Changed from the preset" in box and "diverges" not in box and "converges at step" in box
    assert at.query_params["preset"] == "lr_extremes" and at.query_params["r1.lr"] == "0.01"
    at.button(key="lesson_reset").click().run()
    assert "diverges at step" in _lesson_box(at) and "Changed" not in _lesson_box(at)


def test_the_first_views_show_a_clear_result():
    from optviz.state import default_state
    from optviz.urlstate import decode
    from surfaces.custom import DEFAULT_FORMULA, custom_key

    landing = compute_runs(decode({})[0])
    assert any(t.outcome.kind == "converged" for t in landing.runs)
    custom = compute_runs(default_state(custom_key(DEFAULT_FORMULA)))
    assert all(t.outcome.kind == "converged" for t in custom.runs), [t.outcome for t in custom.runs]


@pytest.mark.parametrize("key", ["saddle_escape", "newton_saddle"])
def test_the_step_a_run_is_said_to_leave_the_map_is_where_its_marker_crosses_the_edge(key):
    """An escaped run is stopped a map's width beyond the edge; the page must not call that step
    the one where it left the map (the saddle lesson said 222 for a marker gone at step 194)."""
    import re

    state = PRESETS[key].build()
    computed = compute_runs(state)
    surface = state.surface_spec
    told = " ".join(
        lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged=True).sentences
    )
    escaped = [(t, text) for t, text in zip(computed.runs, computed.explanations) if t.outcome.kind == "escaped"]
    assert escaped
    for t, text in escaped:
        left = int(re.search(r"left the map at step (\d+)", text).group(1))
        assert not surface.in_domain(*t.path[left]) and surface.in_domain(*t.path[left - 1])
        assert left < t.outcome.step and f"stopped at step {t.outcome.step}" in text
        assert f"step {left}" in told  # the lesson names the same step
        assert f"step {t.outcome.step}" not in told  # and not the step the engine stopped it


def test_the_rastrigin_lesson_says_when_momentum_is_off_the_map_and_how_high_its_loss_climbs():
    """Momentum's loss peaked at ~270 off the map while the lesson only said where it settled."""
    import re

    state = PRESETS["rastrigin_noise"].build()
    computed = compute_runs(state)
    surface, momentum = state.surface_spec, computed.runs[1]
    told = " ".join(
        lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged=True).sentences
    )
    found = re.search(
        r"flies off the map at step (\d+), its loss climbing to ([\d.]+); back on the map at step (\d+)", told
    )
    assert found, told
    left, peak, back = int(found.group(1)), float(found.group(2)), int(found.group(3))
    on_map = surface.in_domain(*momentum.path.T)
    assert on_map[left - 1] and not on_map[left] and not on_map[back - 1] and on_map[back:].all()
    assert peak == pytest.approx(momentum.loss.max(), rel=5e-3) and peak > 5 * momentum.loss[0]


def test_the_saddle_lesson_explains_rmsprops_head_start_with_the_first_steps_the_engine_took():
    """RMSprop off the ridge by step 3 and Adam by step 25, at the same lr, was left unexplained."""
    import re

    state = PRESETS["saddle_escape"].build()
    computed = compute_runs(state)
    told = " ".join(
        lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged=True).sentences
    )
    found = re.search(
        r"first step is (\d+)× its lr \(1/√\(1 − α\), α = ([\d.]+)\): it leaves the ridge before Adam, "
        r"whose bias correction keeps its first step at (\d+)× its lr",
        told,
    )
    assert found, told
    rmsprop, adam = computed.runs[1], computed.runs[2]
    first_step = [float(np.abs(t.path[1] - t.path[0]).max() / t.hyperparameters["lr"]) for t in (rmsprop, adam)]
    alpha = rmsprop.hyperparameters["alpha"]
    assert float(found.group(2)) == alpha and int(found.group(1)) == round(first_step[0]) == round((1 - alpha) ** -0.5)
    assert int(found.group(3)) == round(first_step[1]) == 1
