"""The first visit after a deploy: the same kernels, interpreted, while a background process compiles them.

With an empty Numba cache the trajectory kernel takes ~31 s to compile on this machine, and
Community Cloud starts a sleeping app from scratch, so the first student after a quiet night
would stare at a spinner.  Instead the server, on its first page:

* starts ``python -m optviz.compile_cache`` (``JOB``), which compiles every kernel the page uses
  into the shared Numba cache (on the other core) and then writes a marker file;
* meanwhile runs the kernels as plain Python: each project dispatcher's ``_compile_for_args``
  (what Numba calls when it has no machine code for the arguments) returns the dispatcher's
  own Python function instead of compiling it.  It is the same code, so the numbers are the
  same (tests compare them bit for bit); a page of runs takes tenths of a second, while
  thousands of runs (the maps) wait for the compile;
* once the marker appears, lets the dispatchers compile again, which now means loading the
  fresh cache in well under a second.

Plain Python raises where compiled code returns inf or NaN (``1.0 / 0.0``, ``math.exp(1e3)``);
``run`` then waits for the compiled engine and runs again, so a diverging run is never shown
differently from how the compiled engine shows it.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba.core.registry import CPUDispatcher

from optviz import numba_env
from optviz.catalogue import GENERATED


# What the background process compiles, in the order the page needs it, with the seconds
# each stage took on this 2-core machine (for the page's "about N s").  The first stage is
# all the maps need: once it is done, the trajectory kernel alone switches to machine code.
@dataclass(frozen=True)
class Stage:
    """A stage of the compile job: its name, its seconds on this machine, and the dispatchers
    (by function name) that may switch to machine code as soon as it is done."""

    name: str
    seconds: float
    releases: tuple[str, ...] = ()


STAGES = (
    Stage("trajectory kernel", 31.0, ("run_batch",)),
    # interpreted, a network's training would take minutes: the network page waits for this stage
    Stage("network trainer", 40.0, ("train_run", "loss_at", "plane_losses", "set_gradient", "outputs_at")),
    Stage("landscape and minima", 6.5),
    Stage("custom formulas", 0.5),
)
TRAJECTORY_STAGE, NETWORK_STAGE = 0, 1
PYTHON_ERRORS = (ArithmeticError, ValueError)  # where Python raises and machine code returns inf/NaN
_lock = threading.Lock()
_interpreting = False
_process: subprocess.Popen | None = None
_started_at = 0.0
_released: set[int] = set()  # stages whose dispatchers run as machine code already


JOB = "optviz.compile_cache"  # the compile job's module: above the engine, it imports the page's State
# In the cache folder, whose name is the one freshness key of the compiled code (numba_env)
MARKER = os.path.join(numba_env.CACHE_DIR, "warm")
STATUS = MARKER + ".status"


def compiled() -> bool:
    """Whether the cache holds every kernel the page uses (for this exact source tree)."""
    return os.path.exists(MARKER)


def dispatchers() -> list[CPUDispatcher]:
    """Every Numba dispatcher in the modules compiled code can reach (importing them all)."""
    found: dict[int, CPUDispatcher] = {}
    for name in numba_env.compiled_sources():
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, CPUDispatcher):
                found[id(value)] = value
    for value in GENERATED:  # the catalogues' dispatch chains and per-optimizer steps
        found[id(value)] = value
    return list(found.values())


def _python_instead(dispatcher: CPUDispatcher, *args, **kwargs):
    return dispatcher.py_func


def interpret() -> None:
    """From now on, kernels without machine code run as Python (see the module docstring)."""
    global _interpreting
    for d in dispatchers():
        d._compile_for_args = types.MethodType(_python_instead, d)
    _interpreting = True


def _compile_again(names: tuple[str, ...] | None = None) -> None:
    """Let Numba compile (now: load from the cache) the dispatchers named, or all of them."""
    global _interpreting
    for d in dispatchers():
        if names is None or d.py_func.__name__ in names:
            d.__dict__.pop("_compile_for_args", None)
    _interpreting = names is not None


SWITCH = "OPTVIZ_BACKGROUND_COMPILE"  # "0": compile in-process, as plain Numba does (the test process)


def start() -> None:
    """Called by the page: if the cache is cold, compile in the background and interpret meanwhile."""
    global _process, _started_at
    with _lock:
        if _interpreting or _process is not None or compiled() or os.environ.get(SWITCH) == "0":
            return
        env = {**os.environ, "PYTHONPATH": numba_env._PROJECT_ROOT}
        _process = subprocess.Popen(
            [sys.executable, "-m", JOB],
            cwd=numba_env._PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _started_at = time.monotonic()
        interpret()


def _stage() -> int:
    """Index of the stage the background process is compiling (the ones before are done)."""
    try:
        with open(STATUS) as status:
            stage = json.load(status)["stage"]
    except (OSError, ValueError, KeyError):
        return 0
    names = [stage.name for stage in STAGES]
    return names.index(stage) if stage in names else 0


def interpreting() -> bool:
    """True while the background compile runs; switches to machine code as it becomes ready."""
    if not _interpreting:
        return False
    with _lock:
        if _interpreting and (compiled() or (_process is not None and _process.poll() is not None)):
            _compile_again()  # done (or the helper died: then the page compiles for itself)
        elif _interpreting:
            done = _stage()
            for index in range(done):
                if STAGES[index].releases and index not in _released:
                    _compile_again(STAGES[index].releases)
                    _released.add(index)
    return _interpreting


def stage_ready(index: int) -> bool:
    """Whether stage ``index``'s dispatchers run as machine code."""
    return not interpreting() or index in _released


def kernel_ready() -> bool:
    """Whether the trajectory kernel runs as machine code (what thousands of runs need)."""
    return stage_ready(TRAJECTORY_STAGE)


def seconds_left(stages: int = len(STAGES)) -> float:
    """About how many seconds until the first ``stages`` stages are compiled (for the page)."""
    elapsed = time.monotonic() - _started_at
    expected = sum(stage.seconds for stage in STAGES[:stages])
    left = sum(stage.seconds for stage in STAGES[_stage() : stages])
    return max(2.0, min(left, expected - elapsed + 2.0))


def wait(ready: Callable[[], bool] | None = None, timeout: float = 600.0) -> None:
    """Block until ``ready()`` (default: the whole engine is compiled) or the helper is gone."""
    ready = ready or (lambda: not interpreting())
    deadline = time.monotonic() + timeout
    while not ready() and interpreting() and time.monotonic() < deadline:
        time.sleep(0.2)


def run(compute: Callable[[], Any]) -> Any:
    """``compute()``, interpreted if need be; where Python raises and machine code would not,
    wait for the compiled engine and run again."""
    if not interpreting():
        return compute()
    try:
        with np.errstate(all="ignore"):  # SplitMix64 wraps uint64 on purpose, as compiled code does
            return compute()
    except PYTHON_ERRORS:
        wait()
        return compute()


def write_status(stage: str) -> None:
    with open(STATUS, "w") as status:
        json.dump({"stage": stage}, status)
