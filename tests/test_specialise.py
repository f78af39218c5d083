"""A pair's own kernel computes exactly what the shared kernel computes, and large jobs get it.

``engine.specialise`` compiles the trajectory kernel again for one (optimizer, surface) pair,
for speed; nothing a user sees may change.  These tests run the same batches through both
kernels and compare every array bit for bit, and follow a large sweep from the shared kernel,
through the background compile, to its pair's kernel.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from numba import njit

import optviz
from optviz.engine import kernel, specialise, warmup
from optviz.engine.simulate import RunSpec, new_record, prepare
from optviz.optimizers import CATALOGUE as OPTIMIZERS
from optviz.optimizers import optimizer_update

# Each pair also varies what stays shared: schedules, sampled gradients, penalties, Newton's
# whole step and Hessian, a custom formula.
PAIRS = {
    "adam on rosenbrock, cosine schedule, noisy gradient": (
        "rosenbrock",
        [RunSpec("adam", {"lr": 0.02}, "cosine", {"T_max": 150}, "noise", 0.5, seed=3, start=(-1.5, 2.5))],
        dict(l2=0.01),
    ),
    "newton on himmelblau": (
        "himmelblau",
        [RunSpec("newton", {}, start=(0.5, 0.5)), RunSpec("newton", {"lr": 0.5}, start=(-4.0, 4.0))],
        {},
    ),
    "sgd with momentum, mini-batches and L1 on the noisy bowl": (
        "noisy_bowl",
        [RunSpec("sgd", {"lr": 0.05, "momentum": 0.9}, gradient="minibatch", gradient_value=8, seed=11)],
        dict(l1=0.05),
    ),
    "rprop on a custom formula": ("custom:3:x**2 + 3*sin(y)**2", [RunSpec("rprop", {"lr": 0.05})], {}),
}


def _run(run_batch, batch, steps):
    out = new_record(batch.size, steps, internals=True)
    run_batch(batch.problem, batch.runs, out)
    return out


@pytest.mark.parametrize("name", list(PAIRS))
def test_a_pair_kernel_computes_exactly_what_the_shared_kernel_does(name):
    surface, runs, penalties = PAIRS[name]
    steps = 300
    batch = prepare(surface, runs, steps, **penalties)
    own = specialise.pair_kernel(int(batch.runs.optimizer_codes[0]), int(batch.problem.surface_code))
    assert own is not kernel.run_batch
    shared, specialised = _run(kernel.run_batch, batch, steps), _run(own, batch, steps)
    assert shared.results[:, kernel.R_POINTS].min() > 5  # the runs really ran
    np.testing.assert_array_equal(shared.results, specialised.results)
    np.testing.assert_array_equal(shared.final, specialised.final)
    for r, points in enumerate(shared.results[:, kernel.R_POINTS]):  # the rows each run kept
        for field in ("path", "loss", "grad_norm", "internals"):
            np.testing.assert_array_equal(
                getattr(shared, field)[r, :points], getattr(specialised, field)[r, :points], err_msg=field
            )
        np.testing.assert_array_equal(shared.lrs[r, : points - 1], specialised.lrs[r, : points - 1])


@njit(cache=True)
def _one_update(code, hp):
    return optimizer_update(code, 1.0, 0.5, 0.1, 1, hp, 0.1, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_a_specialised_function_runs_its_pairs_maths_whatever_code_it_is_given():
    hp = np.zeros(8)
    hp[:2] = 0.1, 0.0  # SGD: lr, momentum
    sgd = OPTIMIZERS["sgd"].code
    for_sgd = specialise.rebound(_one_update, {"optimizer": sgd}, "sgd")
    assert for_sgd(sgd, hp) == _one_update(sgd, hp)
    assert for_sgd(OPTIMIZERS["adam"].code, hp) == _one_update(sgd, hp)  # the chain is gone
    unknown = specialise.rebound(_one_update, {"optimizer": 10_000}, "unknown")
    assert math.isnan(unknown(sgd, hp)[0])  # an unknown entry still fails loudly
    assert specialise.rebound(_one_update, {"surface": 0}, "none") is _one_update  # nothing to replace


@pytest.fixture
def background(monkeypatch):
    """Background compiles allowed (as on a deployed server), and no pair kernels left behind."""
    monkeypatch.setenv(warmup.SWITCH, "1")
    monkeypatch.setattr(specialise, "_ready", {})
    monkeypatch.setattr(specialise, "_compiling", {})
    monkeypatch.setattr(specialise, "_failed", set())


def test_a_large_sweep_moves_to_its_pairs_kernel_once_the_background_compile_is_done(background):
    side = 48
    xs = np.linspace(-1.8, 1.8, side)
    starts = np.stack(np.meshgrid(xs, xs + 1.0), -1).reshape(-1, 2)
    assert side * side * 300 >= specialise.SPECIALISE_FROM

    def sweep():
        return optviz.sweep("rosenbrock", "adam", [{"lr": 0.01}], starts=starts, steps=300)

    small = prepare("rosenbrock", [RunSpec("adam", {})], 300)
    mixed = prepare("rosenbrock", [RunSpec("adam", {})] * 3000 + [RunSpec("sgd", {})], 300)
    assert specialise.kernel_for(small) is kernel.run_batch and specialise.kernel_for(mixed) is kernel.run_batch
    assert not specialise._compiling  # neither asks for a compile

    first = sweep()  # on the shared kernel; starts the pair's compile in the background
    ((pair, process),) = specialise._compiling.items()
    assert sweep().outcome.shape == first.outcome.shape and len(specialise._compiling) == 1  # one compile per pair
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert process.returncode == 0
    batch = prepare("rosenbrock", [RunSpec("adam", {"lr": 0.01})], 300, starts=starts)
    own = specialise.kernel_for(batch)
    assert own is not kernel.run_batch and specialise._ready == {pair: own}
    with specialise.shared_kernel_only():  # what the bench compares it with
        assert specialise.kernel_for(batch) is kernel.run_batch
    assert specialise.kernel_for(batch) is own
    second = sweep()
    # the sweep ran on it, loaded from what the background process compiled (nothing compiled here)
    assert sum(own.stats.cache_hits.values()) == 1 and not sum(own.stats.cache_misses.values())
    for name in ("final_x", "final_y", "final_loss", "outcome", "stop_step", "minimum_index", "reached_step"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name), err_msg=name)


def test_a_failed_background_compile_leaves_jobs_on_the_shared_kernel(background, monkeypatch):
    class Failed:
        returncode = 1

        def poll(self):
            return 1

    started = []
    monkeypatch.setattr(specialise, "_start", lambda *pair: started.append(pair) or Failed())
    batch = prepare("booth", [RunSpec("adagrad", {})], 300, starts=np.zeros((2000, 2)))
    for _ in range(3):
        assert specialise.kernel_for(batch) is kernel.run_batch
    assert len(started) == 1  # tried once, not on every job
