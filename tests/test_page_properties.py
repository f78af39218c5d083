"""Random States across every control's full range, through the page's own code path."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from optviz.engine.gradients import GRADIENT_MODES
from optviz.engine.simulate import PENALTY, SEED
from optviz.figures.contour import contour_figure
from optviz.figures.curves import gradient_figure, loss_figure, lr_figure
from optviz.figures.landscape import make_landscape
from optviz.figures.style import Sizes
from optviz.figures.surface3d import surface_figure
from optviz.kinds import KINDS
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.state import MAX_RUNS, SPEED, STEPS, State, make_run
from optviz.ui.compute import compute_runs, kernel_params_for
from surfaces import CATALOGUE as SURFACES
from tests.strategies import budget, value_of, values_of
from tests.test_urlstate import KEYS, VALUES


@st.composite
def runs_for(draw, surface):
    kind = KINDS[draw(st.sampled_from(sorted(KINDS)))]
    hp = draw(values_of(kind.editable()))
    if kind.key == "nesterov":
        hp["momentum"] = max(hp["momentum"], 0.01)
    schedule = SCHEDULES[draw(st.sampled_from(sorted(SCHEDULES)))]
    modes = [m for m in GRADIENT_MODES.values() if surface.finite_sum or not m.needs_dataset]
    mode = draw(st.sampled_from(modes))
    value = draw(value_of(mode.param)) if mode.param is not None else None
    return make_run(kind.key, surface, schedule.key, draw(values_of(schedule.params)), mode.key, value, **hp)


@st.composite
def states(draw):
    surface = SURFACES[draw(st.sampled_from(sorted(SURFACES)))]
    (x0, x1), (y0, y1) = surface.domain
    return State(
        surface=surface.key,
        start=(draw(st.floats(x0, x1)), draw(st.floats(y0, y1))),
        steps=draw(st.one_of(st.just(1), st.just(STEPS.high), st.integers(1, 400))),
        runs=tuple(draw(st.lists(runs_for(surface), min_size=1, max_size=MAX_RUNS))),
        seed=draw(value_of(SEED)),
        l1=draw(st.sampled_from([0.0, PENALTY.high, 0.5])),
        l2=draw(st.sampled_from([0.0, PENALTY.high, 2.0])),
        surface_params=tuple(draw(values_of(surface.params)).items()),
        speed=draw(value_of(SPEED)),
        presentation=draw(st.booleans()),
    )


@settings(
    max_examples=budget(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(states())
def test_any_state_computes_explains_and_draws(state):
    computed = compute_runs(state)
    surface = state.surface_spec
    landscape = make_landscape(surface, kernel_params_for(state), computed.minima, state.l1, state.l2, resolution=61)
    sizes = Sizes.for_mode(state.presentation)
    figures = [
        contour_figure(landscape, computed.runs, computed.labels, state.start, sizes, state.speed, image_uri="x"),
        surface_figure(landscape, computed.runs, computed.labels, state.start, sizes, state.speed),
        loss_figure(computed.runs, computed.labels, computed.minima, sizes),
        lr_figure(computed.runs, computed.labels, sizes),
        gradient_figure(computed.runs, computed.labels, computed.minima, sizes),
    ]
    assert all(f["data"] for f in figures)
    assert len(figures[0]["frames"]) >= 2
    for traj, text in zip(computed.runs, computed.explanations):
        if traj.outcome.kind == "diverged":
            assert (
                text.startswith(
                    (
                        f"Diverged at step {traj.outcome.step}",  # or a settled centred RMSprop's NaN
                        f"Stopped at step {traj.outcome.step} with NaN",
                    )
                )
                and "lr" in text
            )
        elif traj.outcome.kind == "escaped":
            assert (
                text.startswith("Escaped: it left the map at step") and f"stopped at step {traj.outcome.step}," in text
            )
        assert text


@settings(max_examples=budget(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, min_size=1, max_size=8))
def test_hostile_urls_never_break_the_page(query):
    at = AppTest.from_file("../app.py", default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 1  # the Paths figure
