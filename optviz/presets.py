"""One-click lecture scenarios: each sets the whole State and says what to look for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from optviz.state import State, make_run
from surfaces import get_surface


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    caption: str
    build: Callable[[], State]


def _state(surface_key: str, runs, steps: int = 300, start=None, **extra) -> State:
    surface = get_surface(surface_key)
    return State(surface=surface.key, start=start or surface.start, steps=steps,
                 runs=tuple(make_run(kind, surface, **kw) for kind, kw in runs),
                 surface_params=tuple(surface.resolve_params(extra.pop("surface_params", {})).items()), **extra)


PRESETS: dict[str, Preset] = {p.key: p for p in (
    Preset("lr_extremes", "Learning rate: too high vs too low",
           "Same GD, three learning rates on a bowl with curvature L = 18: lr = 0.12 is above 2/L ≈ 0.11 and "
           "each step overshoots further until it diverges; lr = 0.002 is safe but crawls; lr = 0.05 gets there.",
           lambda: _state("booth", [("gd", {"lr": 0.12}), ("gd", {"lr": 0.002}), ("gd", {"lr": 0.05})], steps=200)),
    Preset("momentum_ravine", "Momentum in a ravine",
           "A narrow valley (κ = 50). GD must keep lr < 2/50 to stay stable across it, so it creeps along the "
           "floor; momentum accumulates the consistent downhill direction and damps the zig-zag across.",
           lambda: _state("ravine", [("gd", {"lr": 0.02}), ("momentum", {"lr": 0.02, "momentum": 0.9}),
                                     ("nesterov", {"lr": 0.02, "momentum": 0.9})],
                          steps=300, surface_params={"condition_number": 50.0})),
    Preset("saddle_escape", "Escaping a saddle",
           "Started next to the ridge of x² − y², GD's steps along y are as tiny as the gradient there, so it "
           "crawls for hundreds of steps; RMSprop and Adam divide by the gradient's size and leave at full speed.",
           lambda: _state("saddle", [("gd", {"lr": 0.01}), ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.05})],
                          steps=600)),
    Preset("newton_saddle", "Second order: Newton at a saddle",
           "Newton's method fits a quadratic and jumps to its stationary point, which on x² − y² is the saddle "
           "itself: plain Newton lands there and stays. Saddle-free Newton divides by |curvature| and leaves; "
           "Adam leaves too, without any Hessian.",
           lambda: _state("saddle", [("newton", {}), ("newton", {"saddle_free": True}), ("adam", {"lr": 0.05})],
                          steps=100)),
    Preset("dropout_shrinks", "Dropout acts like L2",
           "Full-data gradient steps on the least-squares bowl, without and with input dropout p = 0.5. The "
           "dropout run settles, jittering, at a shrunken solution: on average dropout adds an L2 penalty (the "
           "Noise & dropout tab draws the theory).",
           lambda: _state("noisy_bowl", [("gd", {"lr": 0.1}),
                                         ("sgd", {"lr": 0.1, "gradient": "dropout", "gradient_value": 0.5})],
                          steps=400, seed=2)),
    Preset("minibatch_noise", "Noisy gradients: GD vs mini-batch SGD",
           "On a real least-squares loss, full-batch GD walks smoothly; SGD with B = 1, 10 and 50 data points per "
           "step takes cheap, noisy steps. Smaller batches jitter more and never quite settle.",
           lambda: _state("noisy_bowl", [("gd", {"lr": 0.1}), ("sgd", {"lr": 0.1, "gradient_value": 1}),
                                         ("sgd", {"lr": 0.1, "gradient_value": 10}),
                                         ("sgd", {"lr": 0.1, "gradient_value": 50})], steps=200, seed=1)),
    Preset("rosenbrock_race", "Adam vs RMSprop vs SGD on Rosenbrock",
           "Finding the banana valley is easy, following it is hard. GD and momentum need a tiny lr to survive "
           "the steep walls, so they crawl along the flat floor; the adaptive methods rescale and keep moving.",
           lambda: _state("rosenbrock", [("gd", {"lr": 1e-3}), ("momentum", {"lr": 1e-3, "momentum": 0.9}),
                                         ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.05})], steps=800)),
    Preset("schedules", "Schedules: constant vs step vs cosine",
           "Mini-batch SGD with the same starting lr. A constant lr keeps jittering around the minimum; dropping "
           "it in steps or along a cosine lets the noise die out so the run settles.",
           lambda: _state("noisy_bowl", [
               ("sgd", {"lr": 0.3, "gradient_value": 5}),
               ("sgd", {"lr": 0.3, "gradient_value": 5, "schedule": "step",
                        "schedule_params": {"step_size": 100, "gamma": 0.2}}),
               ("sgd", {"lr": 0.3, "gradient_value": 5, "schedule": "cosine",
                        "schedule_params": {"T_max": 400, "eta_min": 0.0}})], steps=400, seed=3)),
    Preset("l2_vs_adamw", "L2 penalty (Adam) vs decoupled weight decay (AdamW)",
           "Both use weight decay 0.5. Adam adds it to the gradient, where the adaptive scaling divides it away "
           "on steep coordinates; AdamW shrinks every weight by the same factor. They end at different points.",
           lambda: _state("noisy_bowl", [("adam", {"lr": 0.05}), ("adam", {"lr": 0.05, "weight_decay": 0.5}),
                                         ("adamw", {"lr": 0.05, "weight_decay": 0.5})], steps=600)),
    Preset("regularization", "L1 and L2 reshape the landscape",
           "An L1 penalty of 20 is added to the loss itself: the contours change and the minimum (star) moves "
           "from (1, 3) exactly onto the y-axis, as L1 favours sparse solutions. Every optimizer now heads there.",
           lambda: _state("booth", [("gd", {"lr": 0.02}), ("adam", {"lr": 0.3})], steps=300, l1=20.0)),
    Preset("basins", "Local minima and basins on Himmelblau",
           "Four equally deep minima. From the same start, GD, momentum and Adam end in different basins: the "
           "optimizer decides where training ends, not only how fast.",
           lambda: _state("himmelblau", [("gd", {"lr": 0.01}), ("momentum", {"lr": 0.01, "momentum": 0.9}),
                                         ("adam", {"lr": 0.3})], steps=400, start=(-0.3, -0.9))),
    Preset("rastrigin_noise", "Noise and momentum on Rastrigin",
           "An egg-crate of local minima. GD stops in the nearest dimple (loss ≈ 18). Heavy momentum rolls over "
           "two ridges into a deeper one; noisy SGD hops between dimples and keeps jittering. Neither is "
           "guaranteed to find the global minimum at the centre.",
           lambda: _state("rastrigin", [("gd", {"lr": 2e-3}), ("momentum", {"lr": 5e-3, "momentum": 0.98}),
                                        ("sgd", {"lr": 2e-3, "gradient_value": 40.0})], steps=500, seed=1)),
)}
DEFAULT_PRESET = "rosenbrock_race"
