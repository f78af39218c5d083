"""The warm-up's compile job: ``python -m optviz.compile_cache``, started by ``engine.warmup``.

It calls each kernel the page uses once, so Numba compiles it into the shared cache, reports
each stage as it starts (the page says how long is left), and finally writes the marker that
tells the page's processes to switch to machine code.  It lives above the engine, not in it,
since it builds the page's default State and landscape to compile exactly what the page runs.
"""

from __future__ import annotations

import os

from optviz.engine import warmup
from optviz.engine.landscape import hessian, value_and_gradient
from optviz.engine.simulate import simulate_batch
from optviz.figures.landscape import make_landscape
from optviz.network.planes import plane
from optviz.network.sharpness import sharpness_along
from optviz.network.train import NetRun, Setup, train_runs
from optviz.state import default_state
from surfaces import get_surface, penalised_minima


def compile_network() -> None:
    """The network page's kernels: training, the planes' losses and the Hessian's products."""
    results = train_runs(Setup(steps=3, n_points=20, hidden=(2,)), [NetRun("adam", batch_size=4, dropout=0.1)])
    plane(results, "pca", resolution=5)
    sharpness_along(results[0], 1)


def compile_everything() -> None:
    """Call each kernel the page uses once, so Numba compiles it into the cache."""

    state = default_state()
    surface = state.surface_spec
    params = surface.kernel_params(dict(state.surface_params))
    warmup.write_status(warmup.STAGES[0].name)
    simulate_batch(state.surface, state.run_specs(), 5)
    warmup.write_status(warmup.STAGES[1].name)
    compile_network()
    warmup.write_status(warmup.STAGES[2].name)
    minima = penalised_minima(surface, params, 0.0, 0.0)
    make_landscape(surface, params, minima)
    penalised_minima(surface, params, 0.1, 0.1)
    hessian(surface, params, 0.5, 0.5)
    value_and_gradient(surface, params, 0.5, 0.5)
    warmup.write_status(warmup.STAGES[3].name)
    get_surface("custom:2:x**2 + sin(y)")


if __name__ == "__main__":
    os.nice(10)  # visitors first: the compile takes the CPU they leave
    compile_everything()
    with open(warmup.MARKER, "w") as marker:
        marker.write("compiled\n")
