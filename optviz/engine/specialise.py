"""One (optimizer, surface) pair's own trajectory kernel, for jobs large enough to feel the difference.

The kernel reaches every optimizer and surface through the catalogues' chains, so one
compile serves every pair.  The price is speed: with a dozen optimizers and surfaces inlined
into one loop, Adam on Rosenbrock runs ~1.6× a hand-written kernel, where the same loop with
only that pair's functions runs ~1.2× (measured, bit-identical paths).  So for a large job
this module compiles the same source again with each optimizer and surface chain replaced by
the pair's own function (``rebound``).  Each copy has its own name, and so its own Numba cache
entry.

One pair takes seconds to compile, so that happens in a background process (as in
``engine.warmup``), at a low priority, the first time a job of ``SPECIALISE_FROM`` run-steps
or more uses the pair; until its kernel is in the cache, jobs run on the shared kernel.
With ``OPTVIZ_BACKGROUND_COMPILE=0`` (the tests) nothing starts in the background; ``compile_now``
compiles a pair in-process.
The schedules and gradient modes stay chains: they cost little, and every pair needs them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import types
from collections.abc import Callable

from numba import njit
from numba.core.registry import CPUDispatcher

from optviz import numba_env
from optviz.catalogue import DIRECT
from optviz.engine import kernel, warmup

# Run-steps (runs × steps) from which a job asks for its pair's own kernel, about 20 ms of
# work: the maps' sweeps (48² × 300, 96² × 300) do, a page of a few runs does not.
SPECIALISE_FROM = 200_000
# The catalogues a pair fixes; the others stay chains.
FIXED = ("optimizer", "surface")
_lock = threading.Lock()
_ready: dict[tuple[int, int], CPUDispatcher] = {}
_compiling: dict[tuple[int, int], subprocess.Popen] = {}
_failed: set[tuple[int, int]] = set()


def rebound(
    dispatcher: CPUDispatcher, codes: dict[str, int], suffix: str, memo: dict[int, CPUDispatcher] | None = None
) -> CPUDispatcher:
    """``dispatcher`` compiled again with every chain of a catalogue in ``codes`` replaced by
    that code's own function, in it and in the project functions it calls (by global name).
    Returns ``dispatcher`` itself when nothing it reaches needs replacing."""
    memo = {} if memo is None else memo
    if id(dispatcher) in memo:
        return memo[id(dispatcher)]
    memo[id(dispatcher)] = dispatcher  # the kernels do not recurse; this only guards the walk
    py_func = dispatcher.py_func
    replaced = {}
    for name in py_func.__code__.co_names:
        value = py_func.__globals__.get(name)
        chain = DIRECT.get(id(value))
        if chain is not None:
            what, direct, fallback = chain
            if what in codes:
                code = codes[what]
                replaced[name] = direct[code] if 0 <= code < len(direct) else fallback
        elif isinstance(value, CPUDispatcher) and value.py_func.__module__.split(".")[0] in warmup.PACKAGES:
            copy = rebound(value, codes, suffix, memo)
            if copy is not value:
                replaced[name] = copy
    if not replaced:
        return dispatcher
    function = types.FunctionType(
        py_func.__code__,
        {**py_func.__globals__, **replaced},
        py_func.__name__,
        py_func.__defaults__,
        py_func.__closure__,
    )
    function.__qualname__ = f"{py_func.__qualname__}__{suffix}"  # its own cache entry
    function.__module__, function.__doc__ = py_func.__module__, py_func.__doc__
    options = {k: v for k, v in dispatcher.targetoptions.items() if k != "nopython"}  # njit implies it
    memo[id(dispatcher)] = copy = njit(cache=True, **options)(function)
    return copy


def pair_kernel(optimizer_code: int, surface_code: int) -> CPUDispatcher:
    """``kernel.run_batch`` for runs that all use this optimizer on this surface."""
    return rebound(
        kernel.run_batch, dict(zip(FIXED, (optimizer_code, surface_code))), f"o{optimizer_code}s{surface_code}"
    )


def _pair(batch) -> tuple[int, int] | None:
    codes = batch.runs.optimizer_codes
    return (int(codes[0]), int(batch.problem.surface_code)) if codes.min() == codes.max() else None


def kernel_for(batch) -> Callable:
    """The kernel to run ``batch`` on: its pair's own once compiled, else the shared one; a
    large batch of one pair starts that compile in the background."""
    pair = _pair(batch)
    if pair is None:
        return kernel.run_batch
    with _lock:
        if pair in _ready:
            return _ready[pair]
        process = _compiling.get(pair)
        if process is not None and process.poll() is not None:
            del _compiling[pair]
            if process.returncode == 0:
                _ready[pair] = pair_kernel(*pair)  # loads from the cache the process filled
                return _ready[pair]
            _failed.add(pair)
        big = batch.size * batch.problem.steps >= SPECIALISE_FROM
        allowed = os.environ.get(warmup.SWITCH) != "0" and not warmup.interpreting()
        if big and allowed and pair not in _compiling and pair not in _failed:
            _compiling[pair] = _start(*pair)
    return kernel.run_batch


@contextlib.contextmanager
def shared_kernel_only():
    """Within it, every job runs on the shared kernel (to compare the two)."""
    with _lock:
        ready = dict(_ready)
        _ready.clear()
    try:
        yield
    finally:
        with _lock:
            _ready.update(ready)


def _start(optimizer_code: int, surface_code: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": numba_env._PROJECT_ROOT}
    return subprocess.Popen(
        [sys.executable, "-m", "optviz.engine.specialise", str(optimizer_code), str(surface_code)],
        cwd=numba_env._PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def compile_now(optimizer: str, surface: str) -> CPUDispatcher:
    """Compile (or load from the cache) the pair's kernel in this process and use it from now on."""
    from optviz.engine.simulate import RunSpec, new_record, prepare

    batch = prepare(surface, [RunSpec(optimizer, {})], 2)
    pair = _pair(batch)
    run = pair_kernel(*pair)
    run(batch.problem, batch.runs, new_record(batch.size, 2))
    with _lock:
        _ready[pair] = run
    return run


def main(optimizer_code: int, surface_code: int) -> None:
    """The background process: compile one pair's kernel into the shared cache."""
    from optviz.optimizers import CATALOGUE as OPTIMIZERS
    from surfaces import CATALOGUE as SURFACES
    from surfaces.compiled import CUSTOM_CODE

    optimizer = list(OPTIMIZERS)[optimizer_code]
    surface = "custom:2:x**2 + y**2" if surface_code == CUSTOM_CODE else list(SURFACES)[surface_code]
    compile_now(optimizer, surface)


if __name__ == "__main__":
    os.nice(10)  # visitors first
    main(int(sys.argv[1]), int(sys.argv[2]))
