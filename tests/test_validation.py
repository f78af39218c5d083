"""Bad input to the engine: a ValueError that names the field, the value and the range."""

from __future__ import annotations

import math

import pytest

import optviz
from optviz.engine.simulate import MAX_STEPS


@pytest.mark.parametrize(
    "kwargs,fragments",
    [
        ({"surface": "banana"}, ["unknown surface 'banana'", "rosenbrock", "noisy_bowl"]),
        ({"optimizer": "lbfgs"}, ["unknown optimizer 'lbfgs'", "adam", "adadelta"]),
        ({"schedule": "polynomial"}, ["unknown schedule 'polynomial'", "cosine", "cyclic"]),
        ({"gradient": "magic"}, ["unknown gradient mode 'magic'", "minibatch"]),
        ({"lr": 50.0}, ["lr=50.0", "[1e-06, 10]"]),
        ({"lr": -1.0}, ["lr=-1.0", "range"]),
        ({"lr": math.nan}, ["lr=nan"]),
        ({"lr": "fast"}, ["lr='fast'", "number"]),
        ({"betas": (0.9, 1.5)}, ["betas=(0.9, 1.5)", "[0, 0.9999]"]),
        ({"betas": 0.9}, ["betas=0.9", "pair"]),
        ({"amsgrad": 3}, ["amsgrad=3", "True or False"]),
        ({"momentum": 0.9}, ["optimizer 'adam' has no parameter momentum", "amsgrad"]),
        ({"start": (math.inf, 0.0)}, ["start=", "finite", "domain"]),
        ({"start": (5.0, 0.0)}, ["start=(5.0, 0.0)", "x in [-2, 2]"]),
        ({"start": "here"}, ["start='here'", "pair"]),
        ({"steps": 0}, ["steps=0", f"[1, {MAX_STEPS}]"]),
        ({"steps": MAX_STEPS + 1}, [f"steps={MAX_STEPS + 1}"]),
        ({"steps": 10.5}, ["steps=10.5", "whole number"]),
        ({"schedule": "step", "schedule_params": {"step_size": 0}}, ["step_size=0", "[1, 100000]"]),
        ({"schedule": "cosine", "schedule_params": {"T_min": 3}}, ["no parameter T_min", "T_max"]),
        ({"gradient": "minibatch", "batch_size": 4}, ["needs a finite-sum surface", "noisy_bowl"]),
        ({"noise_std": 0.5}, ["noise_std applies only to gradient='noise'"]),
        ({"gradient": "noise", "noise_std": -1.0}, ["noise_std=-1.0"]),
        ({"l2": -0.1}, ["l2", "penalty"]),
        ({"seed": -1}, ["seed=-1"]),
        ({"tolerance": 0.0}, ["tolerance=0.0"]),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, fragments):
    call = {"surface": "rosenbrock", "optimizer": "adam"}
    call.update(kwargs)
    with pytest.raises(ValueError) as info:
        optviz.simulate(**call)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_nesterov_needs_momentum_as_in_torch():
    with pytest.raises(ValueError, match="nesterov=True requires momentum > 0 and dampening = 0"):
        optviz.simulate("rosenbrock", "sgd", nesterov=True)
    with pytest.raises(ValueError, match="nesterov"):
        optviz.simulate("rosenbrock", "sgd", nesterov=True, momentum=0.9, dampening=0.1)


def test_surface_parameters_are_validated():
    with pytest.raises(ValueError, match="condition_number=5000.0 is outside its range"):
        optviz.simulate("ravine", "sgd", surface_params={"condition_number": 5000.0})
    with pytest.raises(ValueError, match="surface 'rosenbrock' has no parameter a"):
        optviz.simulate("rosenbrock", "sgd", surface_params={"a": 1})
