"""The engine against real torch.optim and torch.optim.lr_scheduler (skipped without torch).

.ci/run installs the local CPU wheel when the machine has it; elsewhere the NumPy
transcription in test_optimizers.py remains the oracle.
"""

from __future__ import annotations

import numpy as np
import pytest

import optviz
from optviz.engine.landscape import value_and_gradient
from optviz.optimizers import CATALOGUE
from optviz.schedules import CATALOGUE as SCHEDULES
from surfaces import get_surface
from tests.test_optimizers import CASES

torch = pytest.importorskip("torch")

TORCH_CLASSES = {key: spec.torch_class for key, spec in CATALOGUE.items() if spec.torch_class}


def torch_path(optimizer, surface, start, steps, lr, options, make_scheduler=None):
    params = surface.kernel_params()
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_CLASSES[optimizer])([w], lr=lr, **options)
    scheduler = make_scheduler(opt) if make_scheduler else None
    path, lrs = [w.detach().numpy().copy()], []
    for _ in range(steps):
        _, gx, gy = value_and_gradient(surface, params, *w.detach().numpy())
        w.grad = torch.tensor([gx, gy], dtype=torch.float64)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler:
            scheduler.step()
        path.append(w.detach().numpy().copy())
    return np.array(path), np.array(lrs)


@pytest.fixture
def float64_default():
    """torch keeps NAdam's running μ-product in the default dtype (float32 unless changed);
    optviz computes in float64 throughout, which torch matches once the default is float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("optimizer,options", [(o, kw) for o, kw in CASES if o in TORCH_CLASSES])
def test_paths_match_torch(optimizer, options, float64_default):
    surface = get_surface("himmelblau")
    lr = surface.default_lr.get(CATALOGUE[optimizer].family, CATALOGUE[optimizer].param("lr").default)
    traj = optviz.simulate("himmelblau", optimizer, steps=100, lr=lr, **options)
    expected, _ = torch_path(optimizer, surface, surface.start, 100, lr, options)
    np.testing.assert_allclose(traj.path, expected[: len(traj.path)], rtol=1e-10, atol=1e-12)


SCHEDULER_CASES = {
    "step": ({"step_size": 7, "gamma": 0.5}, lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5)),
    "exponential": ({"gamma": 0.97}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.97)),
    "cosine": ({"T_max": 40, "eta_min": 0.001}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 40, 0.001)),
    "warmup_cosine": (
        {"warmup_steps": 10, "start_factor": 0.1, "T_max": 50, "eta_min": 0.0},
        lambda o: torch.optim.lr_scheduler.SequentialLR(
            o,
            [
                torch.optim.lr_scheduler.LinearLR(o, 0.1, total_iters=10),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, 50, 0.0),
            ],
            milestones=[10],
        ),
    ),
    "inverse_time": ({"decay_rate": 0.1}, lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda k: 1 / (1 + 0.1 * k))),
    "cyclic": (
        {"max_lr": 0.2, "step_size_up": 9},
        lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=9, cycle_momentum=False),
    ),
}


def test_every_schedule_is_checked_against_torch():
    assert set(SCHEDULER_CASES) | {"constant"} == set(SCHEDULES)


@pytest.mark.parametrize("schedule", sorted(SCHEDULER_CASES))
def test_schedules_match_torch(schedule):
    params, make = SCHEDULER_CASES[schedule]
    surface = get_surface("booth")
    traj = optviz.simulate(
        "booth", "sgd", steps=100, lr=0.01, momentum=0.5, schedule=schedule, schedule_params=params, tolerance=1e-300
    )
    expected_path, expected_lrs = torch_path("sgd", surface, surface.start, 100, 0.01, {"momentum": 0.5}, make)
    np.testing.assert_allclose(traj.lr, expected_lrs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(traj.path, expected_path, rtol=1e-10, atol=1e-12)
