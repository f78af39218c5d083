"""The first visit after a deploy runs the kernels uncompiled: the numbers must be the compiled ones, bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

from optviz.engine import warmup
from optviz.engine.simulate import RunSpec, simulate_batch
from optviz.kinds import KINDS
from optviz.schedules import CATALOGUE as SCHEDULES
from surfaces import CATALOGUE as SURFACES
from surfaces import get_surface

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = 60
CUSTOM = "custom:3:x**2 + 3*sin(y) + 0.1*x*y"


def batches() -> list[tuple[str, list[RunSpec], float]]:
    """Every surface with every kind of run, a schedule each, every gradient mode, and penalties."""
    from optviz.state import make_run

    out = []
    schedules = [k for k in SCHEDULES if k != "constant"]
    for s, key in enumerate([*SURFACES, CUSTOM]):
        surface = get_surface(key)
        specs = []
        for i, kind in enumerate(KINDS):
            for gradient in KINDS[kind].gradient_modes(surface):
                run = make_run(
                    kind, surface, schedules[(i + s) % len(schedules)] if i % 2 else "constant", gradient=gradient
                )
                specs.append(run.to_spec(seed=i, start=surface.start))
        out.append((key, specs, 0.05 if s % 3 == 0 else 0.0))
    return out


INTERPRETED = textwrap.dedent("""
    import sys, numpy as np
    from optviz.engine import warmup
    warmup.interpret()
    from optviz.engine.kernel import run_batch
    from optviz.engine.simulate import simulate_batch
    from tests.test_warmup import STEPS, batches
    arrays = {}
    with np.errstate(all="ignore"):
        for b, (surface, specs, penalty) in enumerate(batches()):
            for r, t in enumerate(simulate_batch(surface, specs, STEPS, l1=penalty, l2=penalty, internals=True)):
                arrays[f"{b}_{r}_path"], arrays[f"{b}_{r}_loss"] = t.path, t.loss
                arrays[f"{b}_{r}_internals"] = t.internals
    assert not run_batch.signatures, "something compiled: this was meant to be the interpreted engine"
    np.savez(sys.argv[1], **arrays)
""")


def test_interpreted_engine_matches_the_compiled_one_bit_for_bit(tmp_path):
    out = tmp_path / "interpreted.npz"
    done = subprocess.run(
        [sys.executable, "-c", INTERPRETED, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    interpreted = np.load(out)
    compared = 0
    for b, (surface, specs, penalty) in enumerate(batches()):
        for r, t in enumerate(simulate_batch(surface, specs, STEPS, l1=penalty, l2=penalty, internals=True)):
            for name, array in (("path", t.path), ("loss", t.loss), ("internals", t.internals)):
                np.testing.assert_array_equal(
                    interpreted[f"{b}_{r}_{name}"], array, err_msg=f"{surface} run {r} ({specs[r].optimizer}) {name}"
                )
            compared += 1
    assert compared > 150


def test_the_page_waits_for_the_compiled_engine_where_python_would_raise(monkeypatch):
    """Plain Python raises where machine code returns inf: then ``run`` waits and runs again."""
    attempts = []

    def overflowing():
        attempts.append(warmup.interpreting())
        if len(attempts) == 1:
            raise OverflowError("math range error")
        return "compiled result"

    state = {"interpreting": True}
    monkeypatch.setattr(warmup, "interpreting", lambda: state["interpreting"])
    monkeypatch.setattr(warmup, "wait", lambda timeout=600.0: state.update(interpreting=False))
    assert warmup.run(overflowing) == "compiled result"
    assert attempts == [True, False]


def test_the_page_compiles_the_trajectory_kernel_among_its_dispatchers():
    assert any(d.py_func.__name__ == "run_batch" for d in warmup.dispatchers())


def test_while_warming_up_the_page_says_so_and_still_draws(monkeypatch):
    from tests.test_app import run_app

    monkeypatch.setattr(warmup, "start", lambda: None)
    monkeypatch.setattr(warmup, "interpreting", lambda: True)
    monkeypatch.setattr(warmup, "seconds_left", lambda stages=None: 21.0)
    at = run_app({"seed": "77"})  # a view no other test computed
    assert not at.exception
    notice = next(c.value for c in at.caption if "warming up" in c.value)
    assert "about 21 s" in notice and "same results" in notice
    assert len(at.get("plotly_chart")) == 1
