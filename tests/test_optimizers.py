"""Every optimizer and option against the NumPy transcription of torch's algorithm."""

from __future__ import annotations

import numpy as np
import pytest

import optviz
from optviz.engine.landscape import value_and_gradient
from optviz.optimizers import CATALOGUE
from surfaces import get_surface
from tests import reference

OPTION_SETS = {
    "sgd": [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.9, "dampening": 0.5},
        {"momentum": 0.5, "weight_decay": 0.1},
    ],
    "adagrad": [{}, {"lr_decay": 0.01, "initial_accumulator_value": 0.5, "weight_decay": 0.05}],
    "rmsprop": [{}, {"centered": True}, {"momentum": 0.9}, {"centered": True, "momentum": 0.5, "weight_decay": 0.1}],
    "adam": [{}, {"amsgrad": True}, {"weight_decay": 0.1}, {"betas": (0.3, 0.9)}],
    "adamw": [{}, {"weight_decay": 0.2, "amsgrad": True}],
    "nadam": [
        {},
        {"weight_decay": 0.1},
        {"weight_decay": 0.1, "decoupled_weight_decay": True},
        {"momentum_decay": 0.01},
    ],
    "adadelta": [{}, {"rho": 0.5, "weight_decay": 0.1}],
    "adamax": [{}, {"weight_decay": 0.1}, {"betas": (0.6, 0.99)}],
    "lion": [{}, {"weight_decay": 0.1, "betas": (0.5, 0.9)}],
    "radam": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}, {"betas": (0.5, 0.9)}],
    "rprop": [{}, {"etas": (0.3, 1.5)}, {"step_sizes": (1e-3, 0.05)}],
    "polyak": [{}, {"c": 1.0, "f_star": -0.5}, {"c": 2.0}],
}
CASES = [(opt, options) for opt, sets in OPTION_SETS.items() for options in sets]


def test_every_optimizer_has_reference_cases():
    # Newton needs the Hessian, so its eigh-based reference lives in test_newton.py
    assert set(OPTION_SETS) | {"newton"} == set(CATALOGUE)


# Rosenbrock amplifies one-ulp rounding differences exponentially, so it is compared over
# fewer steps; the tamer surfaces over 150.
STEPS = {"himmelblau": 150, "noisy_bowl": 150, "rosenbrock": 40}


@pytest.mark.parametrize("surface_key", sorted(STEPS))
@pytest.mark.parametrize(
    "optimizer,options", CASES, ids=[f"{o}-{i}" for o, s in OPTION_SETS.items() for i in range(len(s))]
)
def test_path_matches_torch_algorithm(surface_key, optimizer, options):
    surface = get_surface(surface_key)
    params = surface.kernel_params()
    lr = surface.default_lr.get(CATALOGUE[optimizer].family, CATALOGUE[optimizer].param("lr").default)
    steps = STEPS[surface_key]
    traj = optviz.simulate(surface_key, optimizer, steps=steps, lr=lr, **options)
    expected = reference.run(
        optimizer,
        lambda w: value_and_gradient(surface, params, *w)[1:],
        surface.start,
        steps,
        np.full(steps, lr),
        loss_fn=lambda w: value_and_gradient(surface, params, *w)[0],
        **options,
    )
    n = len(traj.path)
    np.testing.assert_allclose(traj.path, expected[:n], rtol=1e-9, atol=1e-12 * surface.span)
    assert traj.hyperparameters["lr"] == lr


def test_defaults_are_torch_defaults():
    expected = {
        "sgd": {"lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False},
        "adagrad": {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10},
        "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": False},
        "adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False},
        "adamw": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False},
        "nadam": {
            "lr": 2e-3,
            "betas": (0.9, 0.999),
            "eps": 1e-8,
            "weight_decay": 0,
            "momentum_decay": 4e-3,
            "decoupled_weight_decay": False,
        },
        "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0},
        "adamax": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0},
        "radam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "decoupled_weight_decay": False},
        "rprop": {"lr": 1e-2, "etas": (0.5, 1.2), "step_sizes": (1e-6, 50)},
    }
    for key, defaults in expected.items():
        assert {p.name: p.default for p in CATALOGUE[key].params} == defaults, key
    # Lion is not in torch: the paper's reference defaults
    assert {p.name: p.default for p in CATALOGUE["lion"].params} == {
        "lr": 1e-4,
        "betas": (0.9, 0.99),
        "weight_decay": 0.0,
    }


def test_lr_is_log_scaled_everywhere():
    for spec in CATALOGUE.values():
        assert spec.params[0].name == "lr" and spec.params[0].scale == "log"


def test_equations_mention_every_hyperparameter_symbol():
    for spec in CATALOGUE.values():
        for p in spec.params:
            if p.latex:
                first = p.latex.split(",")[0]
                assert first in spec.equations, (spec.key, p.name)
