"""Every catalogue entry is complete, numbered once, and reached by its own code.

The kernel reaches optimizers, surfaces, schedules and gradient modes through chains generated
from the catalogues; these tests call each entry's own function directly and through its chain
and compare, so a chain that routed one code to another entry's maths would fail here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.catalogue import compiled_dispatch
from optviz.engine import gradients
from optviz.engine.simulate import RunSpec, simulate_batch
from optviz.internals import inspect_step
from optviz.optimizers import CATALOGUE as OPTIMIZERS
from optviz.optimizers import (
    SECOND_ORDER,
    WHOLE_VECTOR,
    optimizer_initial,
    optimizer_prepare,
    optimizer_step,
    optimizer_update,
    optimizer_vector_step,
    optimizer_whole_step,
)
from optviz.params import pack, resolve
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.schedules import scheduled_lr
from surfaces import CATALOGUE as SURFACES
from surfaces import get_surface
from surfaces.compiled import CUSTOM_CODE, data_term_gradient, surface_hessian, surface_value_grad

UNKNOWN = 10_000


@pytest.mark.parametrize(
    "catalogue",
    [OPTIMIZERS, SURFACES, SCHEDULES, gradients.GRADIENT_MODES],
    ids=["optimizers", "surfaces", "schedules", "gradient modes"],
)
def test_codes_are_the_catalogue_order(catalogue):
    assert [entry.code for entry in catalogue.values()] == list(range(len(catalogue)))


def test_unknown_keys_are_refused_naming_the_valid_ones():
    for lookup, what in (
        (OPTIMIZERS.lookup, "optimizer"),
        (SCHEDULES.lookup, "schedule"),
        (get_surface, "surface"),
        (gradients.get_gradient_mode, "gradient mode"),
    ):
        with pytest.raises(ValueError, match=f"unknown {what} 'nope'; valid: "):
            lookup("nope")


def _packed(spec, **given):
    values = resolve(spec.params, given, spec.key)
    hp = np.zeros(8)
    flat = pack(spec.params, values)
    hp[: len(flat)] = flat
    return hp


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_each_optimizer_code_runs_its_own_update(key):
    spec = OPTIMIZERS[key]
    hp = _packed(spec)
    assert (
        optimizer_initial(spec.code, hp) == spec.initial(hp)
        if spec.initial
        else optimizer_initial(spec.code, hp) == (0.0, 0.0, 0.0)
    )
    assert SECOND_ORDER[spec.code] == spec.second_order
    whole_step_args = (0.3, -0.2, 2.0, 0.1, -1.0, 0.5, hp)
    prepare_args = (3, 0.01, hp, 0.9, 0.8, 0.7)
    prepared = optimizer_prepare(spec.code, *prepare_args)
    update_args = (1.0, 0.3, 0.01, 3, hp, *prepared[3:], 0.2, 0.1, 0.05)
    if spec.second_order:
        assert optimizer_whole_step(spec.code, *whole_step_args) == spec.whole_step(*whole_step_args)
        assert all(math.isnan(v) for v in optimizer_update(spec.code, 1.0, 0.3, 0.5, 3, hp, *[0.1] * 7)[:1])
        return
    assert WHOLE_VECTOR[spec.code] == spec.whole_vector
    chained, own = _vector_step_result(optimizer_step, spec.code, hp), _vector_step_result(spec.vector_step, None, hp)
    if spec.whole_vector:  # its own vector step, in both chains; no per-coordinate update
        assert chained == own == _vector_step_result(optimizer_vector_step, spec.code, hp)
        assert math.isnan(optimizer_update(spec.code, *update_args)[0])
        return
    # the generated vector step is prepare, then update on each coordinate
    stepped = [spec.update(w, g, 0.01, 3, hp, *prepared[3:], *buffers) for w, g, buffers in VECTOR_CASE]
    assert chained[0] == [s[0] for s in stepped] and chained[2] == list(prepared[:3])
    assert all(math.isnan(v) for v in _vector_step_result(optimizer_vector_step, spec.code, hp)[0])
    assert prepared == (spec.prepare(*prepare_args) if spec.prepare else (0.9, 0.8, 0.7, 0, 0, 0, 0))
    assert optimizer_update(spec.code, *update_args) == spec.update(*update_args)
    assert all(math.isnan(v) for v in optimizer_whole_step(spec.code, *whole_step_args))


VECTOR_CASE = ((1.0, 0.3, (0.2, 0.1, 0.05)), (-2.0, -0.7, (0.1, 0.3, 0.02)))


def _vector_step_result(step, code, hp) -> tuple[list[float], list[list[float]], list[float]]:
    """(weights, buffers, products) after one vector step from VECTOR_CASE at t = 3, lr 0.01,
    products (0.9, 0.8, 0.7), loss 1.5; ``code`` None calls ``step`` directly."""
    if step is None:
        return [], [], []
    w = np.array([case[0] for case in VECTOR_CASE])
    g = np.array([case[1] for case in VECTOR_CASE])
    state = np.array([case[2] for case in VECTOR_CASE]).T.copy()  # a row per buffer
    products = np.array([0.9, 0.8, 0.7])
    args = (w, g, 1.5, 0.01, 3, hp, state, products)
    step(*args) if code is None else step(code, *args)
    return w.tolist(), state.T.tolist(), products.tolist()


def test_an_unknown_optimizer_code_fails_loudly():
    hp = np.zeros(8)
    assert math.isnan(optimizer_update(UNKNOWN, 1.0, 0.3, 0.01, 3, hp, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0, 0.0)[0])
    assert all(math.isnan(v) for v in optimizer_prepare(UNKNOWN, 1, 0.01, hp, 1.0, 1.0, 1.0)[3:])
    assert all(math.isnan(v) for v in optimizer_initial(UNKNOWN, hp))


@pytest.mark.parametrize("key", list(SURFACES))
def test_each_surface_code_runs_its_own_functions(key):
    surface = SURFACES[key]
    p = surface.kernel_params()
    x, y = surface.start
    assert surface_value_grad(surface.code, x, y, p) == surface.value_grad(x, y, p)
    assert surface_hessian(surface.code, x, y, p) == surface.hessian(x, y, p)
    if surface.data_term is not None:
        row = tuple(float(v) for v in surface.dataset[3])
        assert data_term_gradient(surface.code, x, y, row) == surface.data_term(x, y, row)


def test_custom_formulas_take_the_code_after_the_catalogue():
    surface = get_surface("custom:2:x**2 + 3*y")
    assert surface.code == CUSTOM_CODE == len(SURFACES)
    p = surface.kernel_params()
    assert surface_value_grad(surface.code, 0.5, 1.0, p) == pytest.approx((3.25, 1.0, 3.0))


def test_an_unknown_surface_code_fails_loudly():
    assert all(math.isnan(v) for v in surface_value_grad(UNKNOWN, 0.5, 0.5, np.zeros(1)))
    assert all(math.isnan(v) for v in surface_hessian(UNKNOWN, 0.5, 0.5, np.zeros(1)))


@pytest.mark.parametrize("key", list(SCHEDULES))
def test_each_schedule_code_runs_its_own_lr(key):
    schedule = SCHEDULES[key]
    sp = np.zeros(4)
    flat = pack(schedule.params, resolve(schedule.params, {}, key))
    sp[: len(flat)] = flat
    for k in (0, 7, 120):
        assert scheduled_lr(schedule.code, 0.1, k, sp) == schedule.lr(0.1, k, sp)
    assert math.isnan(scheduled_lr(UNKNOWN, 0.1, 3, sp))


@pytest.mark.parametrize("key", list(gradients.GRADIENT_MODES))
def test_each_gradient_mode_code_runs_its_own_sampler(key):
    mode = gradients.GRADIENT_MODES[key]
    surface = get_surface("noisy_bowl")
    data = surface.dataset
    value = 0.0 if mode.param is None else float(mode.param.default)

    def sample(via_chain: bool):
        rng, order = np.array([12345], dtype=np.uint64), np.arange(len(data))
        args = (0.3, -0.4, 1.5, -2.0, value, surface.code, data, rng, order)
        return gradients._sample(mode.code, *args) if via_chain else mode.sample(*args)

    assert sample(True) == sample(False)
    assert math.isnan(
        gradients._sample(
            UNKNOWN,
            0.3,
            -0.4,
            1.5,
            -2.0,
            value,
            surface.code,
            data,
            np.array([1], dtype=np.uint64),
            np.arange(len(data)),
        )[0]
    )


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_each_optimizer_declares_what_the_page_reads(key):
    """The widgets, maps, inspector and PyTorch snippet read these; a new entry must fill them."""
    spec = OPTIMIZERS[key]
    names = {p.name: p for p in spec.params}
    axis = spec.map_axis
    assert axis.name in names and axis.low < axis.high
    assert (axis.index is None) == (names[axis.name].kind != "pair")
    assert spec.torch_class or "{args}" in spec.torch_note
    assert len(spec.state_names) <= 3 and len(spec.product_names) <= 3
    assert (spec.update is None) == (spec.second_order or spec.whole_vector) and spec.inspect is not None
    run = RunSpec(key, {"lr": get_surface("himmelblau").default_lr.get(spec.family, names["lr"].default)})
    (traj,) = simulate_batch("himmelblau", [run], 12, internals=True)
    hessian = np.eye(2) if spec.second_order else None
    for step in range(1, len(traj.path)):
        inspection = inspect_step(traj, step, hessian=hessian)
        assert inspection.note and inspection.rows[0][0] == "gradient g"
        assert all(np.isfinite([x, y]).all() for _, x, y in inspection.rows)


def test_a_dispatch_chain_is_written_only_from_an_identifier_and_a_count():
    for name, arity in (("f(); import os", 1), ("class", 1), ("chain", "1): pass\nimport os #")):
        with pytest.raises(ValueError, match="identifier"):
            compiled_dispatch([], lambda *a: 0.0, arity, name)


@pytest.mark.parametrize("key", list(gradients.GRADIENT_MODES))
def test_a_gradient_mode_with_a_parameter_names_it_in_legends(key):
    """Legends and the noise tab's panels write the mode's value as "B=10", "σ=0.5", …"""
    mode = gradients.GRADIENT_MODES[key]
    assert bool(mode.legend) == (mode.param is not None), key
