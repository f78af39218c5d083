"""Any declared-valid input gives finite arrays or a flagged outcome, never an exception."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import optviz
from optviz.engine.gradients import GRADIENT_MODES
from optviz.optimizers import CATALOGUE as OPTIMIZERS
from optviz.schedules import CATALOGUE as SCHEDULES
from surfaces import CATALOGUE as SURFACES
from tests.strategies import budget, value_of, values_of


@st.composite
def simulations(draw):
    surface = SURFACES[draw(st.sampled_from(sorted(SURFACES)))]
    optimizer = OPTIMIZERS[draw(st.sampled_from(sorted(OPTIMIZERS)))]
    hp = draw(values_of(optimizer.params))
    if optimizer.key == "sgd" and hp["nesterov"] and (hp["momentum"] == 0 or hp["dampening"] != 0):
        hp["dampening"] = 0.0
        hp["momentum"] = max(hp["momentum"], 0.1)
    schedule = SCHEDULES[draw(st.sampled_from(sorted(SCHEDULES)))]
    modes = [m for m in GRADIENT_MODES.values() if surface.finite_sum or not m.needs_dataset]
    mode = draw(st.sampled_from(modes))
    (x0, x1), (y0, y1) = surface.domain
    kwargs = dict(
        start=(draw(st.floats(x0, x1)), draw(st.floats(y0, y1))),
        steps=draw(st.integers(1, 400)),
        schedule=schedule.key,
        schedule_params=draw(values_of(schedule.params)),
        gradient=mode.key,
        seed=draw(st.integers(0, 2**32 - 1)),
        l1=draw(st.sampled_from([0.0, 0.01, 1.0, 100.0])),
        l2=draw(st.sampled_from([0.0, 0.1, 10.0, 100.0])),
        surface_params=draw(values_of(surface.params)),
    )
    if mode.param is not None:
        kwargs[mode.param.name] = draw(value_of(mode.param))
    return surface.key, optimizer.key, kwargs, hp


@settings(max_examples=budget(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simulations())
# found by a fresh clone's random run: Ackley's Hessian a denormal-squared distance from its cone tip raised
@example(
    (
        "ackley",
        "newton",
        dict(start=(0.0, 9.309547070819639e-151), steps=1, gradient="noise", noise_std=0.0, seed=0),
        dict(lr=1.0, damping=0.0, max_step=1.0),
    )
)
def test_any_valid_input_runs(case):
    surface, optimizer, kwargs, hp = case
    traj = optviz.simulate(surface, optimizer, **kwargs, **hp)
    n = len(traj.path)
    assert 1 <= n <= kwargs["steps"] + 1
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.loss)) and np.all(np.isfinite(traj.grad_norm))
    assert len(traj.loss) == len(traj.grad_norm) == n
    assert traj.outcome.kind in {"converged", "diverged", "escaped", "ran_all_steps"}
    if traj.outcome.kind == "ran_all_steps":
        assert n == kwargs["steps"] + 1 and len(traj.lr) == kwargs["steps"]
    else:
        assert 0 <= traj.outcome.step <= kwargs["steps"]
        assert traj.outcome.summary()
