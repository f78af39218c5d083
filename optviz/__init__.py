"""optviz: watch optimizers move on 2-D loss surfaces and train small networks.

The public API is loaded lazily so that ``import surfaces`` (which configures Numba via
``optviz.numba_env``) does not import the engine in a cycle.
"""

from __future__ import annotations

import importlib

from optviz import numba_env  # noqa: F401  (before any numba kernel is decorated)

_PUBLIC = {
    "simulate": "optviz.engine.simulate",
    "simulate_batch": "optviz.engine.simulate",
    "RunSpec": "optviz.engine.simulate",
    "sweep": "optviz.engine.sweep",
    "SweepResult": "optviz.engine.sweep",
    "Trajectory": "optviz.engine.trajectory",
    "Outcome": "optviz.engine.trajectory",
    "train": "optviz.network.train",
    "train_runs": "optviz.network.train",
    "Setup": "optviz.network.train",
    "NetRun": "optviz.network.train",
    "TrainResult": "optviz.network.train",
    "plane": "optviz.network.planes",
    "Plane": "optviz.network.planes",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'optviz' has no attribute {name!r}")
