"""One-click lecture scenarios: each sets the whole State and states its lesson as claims.

``intro`` frames the setting (true by construction of the preset); everything a preset says
about what happens is a ``Claim`` checked against the computed runs (tests/test_presets.py
runs every preset and fails on a claim that does not hold).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from optviz.explain import VERDICTS
from optviz.lessons import (
    CONVERGES,
    DIVERGES,
    JITTERS,
    LEAVES,
    NOT_THE_TABLES_DISTANCE,
    SLOW,
    STOPPED_SHORT,
    UNSETTLED,
    Claim,
    Evidence,
    fmt,
    point,
    ratio,
    where,
)
from optviz.state import MAX_RUNS, State, make_run
from surfaces import get_surface, minima_of
from surfaces.finite_sum import N_POINTS


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    intro: str
    claims: tuple[Claim, ...]
    build_state: Callable[[], State]

    def build(self) -> State:
        return replace(self.build_state(), lesson=self.key)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(r.kind for r in self.build_state().runs)


def _state(surface_key: str, runs, steps: int = 300, start=None, **extra) -> State:
    surface = get_surface(surface_key)
    return State(
        surface=surface.key,
        start=start or surface.start,
        steps=steps,
        runs=tuple(make_run(kind, surface, **kw) for kind, kw in runs),
        surface_params=tuple(surface.resolve_params(extra.pop("surface_params", {})).items()),
        **extra,
    )


# --- claims shared by several presets ------------------------------------------------------


def converges(i: int, how: str = "") -> Claim:
    return Claim(
        f"run {i + 1} converges",
        lambda e: e.converged(i) and f"{e.name(i)} (lr = {e.lr(i)}){how} converges at step {e.converged(i)}.",
        {i: CONVERGES},
    )


RAVINE_STEEPNESS = 100.0  # the ravine preset's condition number: its curvature across / along


def _last_step_gain(e: Evidence, i: int) -> float:
    """The fraction of its distance to the minimum run i's last step took off."""
    d = e.distances(i)
    return float(1 - d[-1] / d[-2])


def _off_ridge(e: Evidence, i: int) -> int | None:
    return e.first(i, lambda x, y: abs(y) > 0.5)


def _first_step_in_lrs(e: Evidence, i: int) -> float:
    """Run i's first step along its longer coordinate, in units of its lr."""
    return float(np.abs(e.run(i).path[1] - e.run(i).path[0]).max() / e.hp(i, "lr"))


def _distinct_basins(e: Evidence, runs: tuple[int, ...]) -> str | None:
    ends = [e.basin(i) for i in runs]
    if None in ends or len({(m.x, m.y) for m in ends}) < len(runs):
        return None
    return (
        "From the same start they end in different basins: "
        + ", ".join(f"{e.name(i)} at {where(m)}" for i, m in zip(runs, ends))
        + ". The optimizer decides where training ends, not only how fast."
    )


def _off_map_until(e: Evidence, i: int) -> int | None:
    """The step from which run i stays on the map after leaving it (None: it never left, or never came back)."""
    outside = np.flatnonzero(~e.state.surface_spec.in_domain(*e.run(i).path.T))
    if not outside.size or outside[-1] == len(e.run(i).path) - 1:
        return None
    return int(outside[-1]) + 1


def _visited_dimples(e: Evidence, i: int) -> int:
    """How many different local minima run i was nearest to (each minimum's dimple) after its first steps."""
    path, minima = e.run(i).path[10:], e.minima(i)
    nearest = np.argmin([np.hypot(path[:, 0] - m.x, path[:, 1] - m.y) for m in minima], axis=0)
    return len(set(nearest.tolist()))


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "lr_extremes",
            "Learning rate: too high vs too low",
            "Same GD, three learning rates on Booth's bowl, whose curvature is the same everywhere.",
            (
                Claim(
                    "lr above 2/L diverges",
                    lambda e: (
                        e.diverged(0)
                        and e.hp(0, "lr") > e.stability_limit(0)
                        and f"lr = {e.lr(0)} is above the stability limit 2/L ≈ {fmt(e.stability_limit(0))}: "
                        f"each step overshoots further, and it diverges at step {e.diverged(0)}."
                    ),
                    {0: DIVERGES},
                ),
                Claim(
                    "a tiny lr crawls",
                    lambda e: (
                        not e.converged(1)
                        and not e.diverged(1)
                        and e.distance(1) > 2
                        and f"lr = {e.lr(1)} is safe but crawls: after {e.state.steps} steps it is still "
                        f"{fmt(e.distance(1))} from the minimum."
                    ),
                    {1: SLOW},
                ),
                converges(2, " reaches the minimum: it"),
            ),
            lambda: _state("booth", [("gd", {"lr": 0.12}), ("gd", {"lr": 0.0005}), ("gd", {"lr": 0.05})], steps=200),
        ),
        Preset(
            "momentum_ravine",
            "Momentum in a ravine",
            f"A narrow valley, {RAVINE_STEEPNESS:g} times steeper across than along. The steep direction caps the "
            f"lr plain GD can use.",
            (
                Claim(
                    "GD creeps along the floor even near its cap",
                    lambda e: (
                        not e.converged(0)
                        and e.distance(0) > 1
                        and 0.5 * e.stability_limit(0) < e.hp(0, "lr") < e.stability_limit(0)
                        and "GD is stable only below lr = 2/L, L the steepest curvature: "
                        f"here ≈ {fmt(e.stability_limit(0))}. Even at "
                        f"lr = {e.lr(0)}, {e.hp(0, 'lr') / e.stability_limit(0):.0%} of that limit, each step takes "
                        f"only {_last_step_gain(e, 0):.1%} off its distance to the minimum along the valley's nearly "
                        f"flat floor: after {e.state.steps} steps it is still {fmt(e.distance(0))} away."
                    ),
                    {0: SLOW},
                ),
                Claim(
                    "momentum converges with at most GD's lr",
                    lambda e: (
                        e.converged(1)
                        and not e.converged(0)
                        and e.hp(1, "lr") <= e.hp(0, "lr")
                        and f"Momentum (μ = {e.hp(1, 'momentum'):g}), "
                        + ("with GD's lr" if e.hp(1, "lr") == e.hp(0, "lr") else f"at a smaller lr = {e.lr(1)}")
                        + f", adds up the steps that agree, along the floor, and gets there at step {e.converged(1)}."
                    ),
                    {0: STOPPED_SHORT, 1: CONVERGES},
                ),
                Claim(
                    "Nesterov converges sooner than momentum with the same lr and μ",
                    lambda e: (
                        e.converged(2)
                        and e.converged(1)
                        and e.converged(2) < e.converged(1)
                        and (e.hp(2, "lr"), e.hp(2, "momentum")) == (e.hp(1, "lr"), e.hp(1, "momentum"))
                        and f"With momentum's lr and μ, Nesterov looks one step ahead and converges sooner, at step "
                        f"{e.converged(2)}."
                    ),
                    {1: CONVERGES, 2: CONVERGES},
                ),
            ),
            # GD at 80 % of its cap zig-zags across the valley for a few steps and still creeps along
            # it; momentum and Nesterov need a lower lr (Nesterov's own cap is about 0.0136 here)
            lambda: _state(
                "ravine",
                [
                    ("gd", {"lr": 0.016}),
                    ("momentum", {"lr": 0.01, "momentum": 0.9}),
                    ("nesterov", {"lr": 0.01, "momentum": 0.9}),
                ],
                steps=100,
                surface_params={"condition_number": RAVINE_STEEPNESS},
            ),
        ),
        Preset(
            "saddle_escape",
            "Escaping a saddle",
            "All three start next to the ridge of the saddle x² − y², with the same lr = 0.02. Near the ridge the "
            "slope along y is almost flat.",
            (
                Claim(
                    "the adaptive methods leave the ridge at least 3× sooner than GD",
                    lambda e: (
                        all(_off_ridge(e, i) for i in range(3))
                        and 3 * max(_off_ridge(e, 1), _off_ridge(e, 2)) <= _off_ridge(e, 0)
                        and f"GD's step along y is lr × gradient, so it needs {_off_ridge(e, 0)} steps to get 0.5 "
                        f"away from the ridge. RMSprop and Adam divide by the gradient's size, so their steps do "
                        f"not shrink where the slope is flat: they are 0.5 away by steps {_off_ridge(e, 1)} and "
                        f"{_off_ridge(e, 2)}."
                    ),
                    {0: LEAVES, 1: LEAVES, 2: LEAVES},
                ),
                Claim(
                    "RMSprop starts with 1/√(1 − α) times its lr, Adam with its lr",
                    lambda e: (
                        _off_ridge(e, 1)
                        and _off_ridge(e, 2)
                        and _off_ridge(e, 1) < _off_ridge(e, 2)
                        and abs(_first_step_in_lrs(e, 1) * (1 - e.hp(1, "alpha")) ** 0.5 - 1) < 0.01
                        and abs(_first_step_in_lrs(e, 2) - 1) < 0.01
                        and e.hp(1, "lr") == e.hp(2, "lr")
                        and f"RMSprop's average of squared gradients starts at zero, so its first step is "
                        f"{_first_step_in_lrs(e, 1):.0f}× its lr (1/√(1 − α), α = {e.hp(1, 'alpha'):g}): it leaves the "
                        f"ridge before Adam, whose bias correction keeps its first step at "
                        f"{_first_step_in_lrs(e, 2):.0f}× its lr."
                    ),
                    {1: LEAVES, 2: LEAVES},
                ),
                Claim(
                    "GD crosses the steep outer part faster than Adam",
                    lambda e: (
                        all(_off_ridge(e, i) and e.left_map(i) for i in (0, 2))
                        and e.left_map(0) - _off_ridge(e, 0) < e.left_map(2) - _off_ridge(e, 2)
                        and f"Away from the ridge the slope steepens and GD's steps grow with it: from 0.5 away "
                        f"to the map's edge GD takes {e.left_map(0) - _off_ridge(e, 0)} steps, Adam "
                        f"{e.left_map(2) - _off_ridge(e, 2)}."
                    ),
                    {0: LEAVES, 2: LEAVES},
                ),
                Claim(
                    "GD leaves the map last",
                    lambda e: (
                        all(e.left_map(i) for i in range(3))
                        and e.left_map(0) > max(e.left_map(1), e.left_map(2))
                        and f"RMSprop leaves the map at step {e.left_map(1)}, Adam at step {e.left_map(2)} and GD "
                        f"only at step {e.left_map(0)}: adaptive steps matter most where gradients are tiny."
                    ),
                    {0: LEAVES, 1: LEAVES, 2: LEAVES},
                ),
            ),
            lambda: _state(
                "saddle", [("gd", {"lr": 0.02}), ("rmsprop", {"lr": 0.02}), ("adam", {"lr": 0.02})], steps=300
            ),
        ),
        Preset(
            "newton_saddle",
            "Second order: Newton at a saddle",
            "Newton's method uses the curvature too, and jumps to where the slope of its fitted quadratic is zero: "
            "on x² − y² that is the saddle itself.",
            (
                Claim(
                    "plain Newton stops on the saddle",
                    lambda e: (
                        not e.escaped(0)
                        and e.run(0).final_point[0] ** 2 + e.run(0).final_point[1] ** 2 < 1e-12
                        and f"Plain Newton lands on the saddle at {point(*e.run(0).final_point)} and stays: the "
                        f"gradient is zero there."
                    ),
                    {0: frozenset({"on_saddle"})},
                ),
                Claim(
                    "saddle-free Newton leaves",
                    lambda e: (
                        e.hp(1, "saddle_free")
                        and e.left_map(1)
                        and f"Saddle-free Newton divides by the size of the curvature, ignoring its sign, so the "
                        f"downhill direction pushes it away: it leaves the map at step {e.left_map(1)}."
                    ),
                    {1: LEAVES},
                ),
                Claim(
                    "Adam leaves without a Hessian",
                    lambda e: e.left_map(2) and f"Adam, using only gradients, leaves the map at step {e.left_map(2)}.",
                    {2: LEAVES},
                ),
            ),
            lambda: _state(
                "saddle", [("newton", {}), ("newton", {"saddle_free": True}), ("adam", {"lr": 0.05})], steps=100
            ),
        ),
        Preset(
            "dropout_shrinks",
            "Dropout acts like L2",
            "Full-data gradient steps on the least-squares bowl, without and with input dropout p = 0.5.",
            (
                converges(0, " without dropout reaches the least-squares minimum: it"),
                Claim(
                    "dropout settles at the shrunken ridge solution",
                    lambda e: (
                        e.run(1).gradient == "dropout"
                        and e.jitter(1) < 0.25 * _ridge_shift(e)
                        and f"The dropout run settles, jittering, around {where(e.minima(1)[0])} (the open star in "
                        f"its colour): the minimum of the loss plus an L2 penalty, {fmt(_ridge_shift(e))} away "
                        f"from the least-squares minimum. The Noise & dropout view draws the theory."
                    ),
                    {0: CONVERGES, 1: JITTERS},
                ),
            ),
            lambda: _state(
                "noisy_bowl",
                [("gd", {"lr": 0.5}), ("sgd", {"lr": 0.5, "gradient": "dropout", "gradient_value": 0.5})],
                steps=400,
                seed=2,
            ),
        ),
        Preset(
            "minibatch_noise",
            "Noisy gradients: GD vs mini-batch SGD",
            f"A real least-squares loss over {N_POINTS} data points. Full-batch GD uses all of them every step; SGD "
            f"with batch size B = 1, 10 and 50 draws that many at random, so its gradient is cheap but noisy.",
            (
                converges(0, " walks smoothly down and"),
                Claim(
                    "smaller batches jitter more",
                    lambda e: (
                        e.jitter(1) > e.jitter(2) > e.jitter(3) > 0
                        and not any(e.converged(i) for i in (1, 2, 3))
                        and f"The SGD runs never settle: over their last 100 steps they stay on average "
                        f"{fmt(e.jitter(1))} (B = 1), {fmt(e.jitter(2))} (B = 10) and {fmt(e.jitter(3))} "
                        f"(B = 50) from the minimum {NOT_THE_TABLES_DISTANCE}. Smaller batches are cheaper per "
                        f"step but noisier."
                    ),
                    {1: UNSETTLED, 2: UNSETTLED, 3: UNSETTLED},
                ),
            ),
            lambda: _state(
                "noisy_bowl",
                [
                    ("gd", {"lr": 0.5}),
                    ("sgd", {"lr": 0.5, "gradient_value": 1}),
                    ("sgd", {"lr": 0.5, "gradient_value": 10}),
                    ("sgd", {"lr": 0.5, "gradient_value": 50}),
                ],
                steps=300,
                seed=2,
            ),
        ),
        Preset(
            "rosenbrock_race",
            "GD, momentum, RMSprop and Adam on Rosenbrock",
            "Finding the banana valley is easy; following its nearly flat floor is hard.",
            (
                Claim(
                    "GD crawls along the floor",
                    lambda e: (
                        not e.converged(0)
                        and e.distance(0) > 1
                        and f"The steep walls force GD to a tiny lr ({e.lr(0)}): it crawls, and after "
                        f"{e.state.steps} steps is still {fmt(e.distance(0))} from the minimum."
                    ),
                    {0: SLOW},
                ),
                Claim(
                    "momentum converges with GD's lr",
                    lambda e: (
                        e.converged(1)
                        and e.hp(1, "lr") == e.hp(0, "lr")
                        and f"Momentum, with GD's lr, builds up speed and converges at step {e.converged(1)}."
                    ),
                    {0: STOPPED_SHORT | CONVERGES, 1: CONVERGES},
                ),
                Claim(
                    "Adam converges",
                    lambda e: (
                        e.converged(3)
                        and f"Adam scales each coordinate's step by its own gradient history and converges at step "
                        f"{e.converged(3)}."
                    ),
                    {3: CONVERGES},
                ),
                Claim(
                    "RMSprop ends closer than GD",
                    lambda e: (
                        not e.converged(2)
                        and e.distance(2) < e.distance(0)
                        and f"RMSprop ends {fmt(e.distance(2))} from the minimum, closer than GD."
                    ),
                    {0: STOPPED_SHORT, 2: STOPPED_SHORT},
                ),
            ),
            lambda: _state(
                "rosenbrock",
                [
                    ("gd", {"lr": 1e-3}),
                    ("momentum", {"lr": 1e-3, "momentum": 0.9}),
                    ("rmsprop", {"lr": 0.01}),
                    ("adam", {"lr": 0.05}),
                ],
                steps=1500,
            ),
        ),
        Preset(
            "adagrad_memory",
            "AdaGrad's steps only shrink",
            "AdaGrad divides each step by the root of the sum of all squared gradients so far; RMSprop by a decaying "
            "average of them, which for its first ~100 steps (1/(1 − α)) acts like AdaGrad with a 10× larger lr.",
            (
                Claim(
                    "the first steps are alike",
                    lambda e: (
                        abs(e.step_lengths(0)[:10].mean() / e.step_lengths(1)[:10].mean() - 1) < 0.1
                        and f"AdaGrad with lr = {e.lr(0)} and RMSprop with lr = {e.lr(1)} start alike: about "
                        f"{fmt(e.step_lengths(0)[:10].mean())} per step."
                    ),
                    {0: frozenset(VERDICTS), 1: frozenset(VERDICTS)},
                ),
                Claim(
                    "AdaGrad's steps shrink at least 50×",
                    lambda e: (
                        e.step_lengths(0)[:10].mean() > 50 * e.step_lengths(0)[-50:].mean()
                        and not e.converged(0)
                        and f"AdaGrad never forgets a gradient, so its steps only shrink (its last 50 are "
                        f"{ratio(e.step_lengths(0)[:10].mean(), e.step_lengths(0)[-50:].mean())} shorter than its "
                        f"first): it crawls, and ends {fmt(e.distance(0))} from the minimum."
                    ),
                    {0: SLOW},
                ),
                Claim(
                    "RMSprop keeps going and converges",
                    lambda e: (
                        e.converged(1)
                        and not e.converged(0)
                        and f"RMSprop forgets old gradients, so its steps recover as the slope flattens: it "
                        f"converges at step {e.converged(1)}."
                    ),
                    {0: STOPPED_SHORT, 1: CONVERGES},
                ),
            ),
            lambda: _state("booth", [("adagrad", {"lr": 1.0}), ("rmsprop", {"lr": 0.1})], steps=450),
        ),
        Preset(
            "schedules",
            "Schedules: constant vs step vs cosine",
            "Mini-batch SGD (B = 5) with the same starting lr = 0.6, three schedules.",
            (
                Claim(
                    "the decayed runs settle at least 2× closer",
                    lambda e: (
                        2 * max(e.jitter(1, 50), e.jitter(2, 50)) < e.jitter(0, 50)
                        and f"A constant lr keeps jittering: over the last 50 steps it stays on average "
                        f"{fmt(e.jitter(0, 50))} from the minimum. Dropping the lr in steps or along a cosine "
                        f"lets the noise die out: {fmt(e.jitter(1, 50))} and {fmt(e.jitter(2, 50))} on average "
                        f"over the same steps {NOT_THE_TABLES_DISTANCE}."
                    ),
                    {0: JITTERS, 1: JITTERS | CONVERGES, 2: JITTERS | CONVERGES},
                ),
                Claim(
                    "the schedules end with a small lr",
                    lambda e: (
                        e.run(1).schedule == "step"
                        and e.run(2).schedule == "cosine"
                        and f"By the end the step schedule has cut the lr to {fmt(float(e.run(1).lr[-1]))} and the "
                        f"cosine to {fmt(float(e.run(2).lr[-1]))} (the Curves view plots them)."
                    ),
                    {1: frozenset(VERDICTS), 2: frozenset(VERDICTS)},
                ),
            ),
            lambda: _state(
                "noisy_bowl",
                [
                    ("sgd", {"lr": 0.6, "gradient_value": 5}),
                    (
                        "sgd",
                        {
                            "lr": 0.6,
                            "gradient_value": 5,
                            "schedule": "step",
                            "schedule_params": {"step_size": 100, "gamma": 0.3},
                        },
                    ),
                    (
                        "sgd",
                        {
                            "lr": 0.6,
                            "gradient_value": 5,
                            "schedule": "cosine",
                            "schedule_params": {"T_max": 400, "eta_min": 0.0},
                        },
                    ),
                ],
                steps=400,
                seed=3,
            ),
        ),
        Preset(
            "l2_vs_adamw",
            "L2 penalty (Adam) vs decoupled weight decay (AdamW)",
            "Adam's weight decay λ = 0.5 adds λw to the gradient: it minimises the loss plus λ/2‖w‖². AdamW shrinks "
            "the weights directly instead.",
            (
                converges(0, " without weight decay reaches the least-squares minimum: it"),
                Claim(
                    "Adam with weight decay reaches the penalised minimum",
                    lambda e: (
                        e.hp(1, "weight_decay") > 0
                        and e.distance(1) < 1e-3
                        and f"Adam with weight decay λ = {e.hp(1, 'weight_decay'):g} stops at the minimum of the "
                        f"loss plus λ/2‖w‖², {point(*e.run(1).final_point)} (the open star in its colour)."
                    ),
                    {1: frozenset({"converged", "reached"})},
                ),
                Claim(
                    "AdamW ends somewhere else",
                    lambda e: (
                        _apart(e, 1, 2) > 0.1
                        and e.hp(2, "weight_decay") == e.hp(1, "weight_decay")
                        and f"AdamW with the same λ = {e.hp(2, 'weight_decay'):g} ends elsewhere, at "
                        f"{point(*e.run(2).final_point)}: with an adaptive step, decoupled decay is not an L2 "
                        f"penalty."
                    ),
                    {1: frozenset({"converged", "reached"}), 2: frozenset({"resting"})},
                ),
            ),
            lambda: _state(
                "noisy_bowl",
                [
                    ("adam", {"lr": 0.05}),
                    ("adam", {"lr": 0.05, "weight_decay": 0.5}),
                    ("adamw", {"lr": 0.05, "weight_decay": 0.5}),
                ],
                steps=600,
            ),
        ),
        Preset(
            "regularization",
            "An L1 penalty reshapes the landscape",
            "An L1 penalty of 20 is added to the loss itself: the contours change and the minimum (star) moves.",
            (
                Claim(
                    "the L1 minimum sits on an axis",
                    lambda e: (
                        e.state.l1 > 0
                        and len(e.page_minima) == 1
                        and min(abs(e.page_minima[0].x), abs(e.page_minima[0].y)) < 1e-6
                        and f"The minimum moves from {_unpenalised(e)} to {where(e.page_minima[0])}, exactly onto "
                        f"an axis: L1 favours sparse solutions."
                    ),
                ),
                Claim(
                    "every run converges to the L1 minimum",
                    lambda e: (
                        len(e.page_minima) == 1
                        and all(e.converged(i) for i in range(len(e.runs)))
                        and f"Every optimizer converges to the minimum at {where(e.page_minima[0])}: "
                        + ", ".join(f"{e.name(i)} at step {e.converged(i)}" for i in range(len(e.runs)))
                        + "."
                    ),
                    {i: CONVERGES for i in range(MAX_RUNS)},
                ),
            ),
            lambda: _state("booth", [("gd", {"lr": 0.02}), ("adam", {"lr": 0.3})], steps=300, l1=20.0),
        ),
        Preset(
            "basins",
            "Local minima and basins on Himmelblau",
            "Four equally deep valleys; three optimizers from one start (GD and momentum with the same lr).",
            (
                Claim(
                    "the three runs end in three different basins",
                    lambda e: _distinct_basins(e, (0, 1, 2)),
                    {0: CONVERGES, 1: CONVERGES, 2: CONVERGES},
                ),
            ),
            lambda: _state(
                "himmelblau",
                [("gd", {"lr": 0.01}), ("momentum", {"lr": 0.01, "momentum": 0.9}), ("adam", {"lr": 0.1})],
                steps=120,  # the last run stops at step 95: Play and the GIF end soon after
                start=(0.3, 3.9),
            ),
        ),
        Preset(
            "rastrigin_noise",
            "Noise and momentum on Rastrigin",
            "An egg-crate of local minima around the global one at the centre.",
            (
                Claim(
                    "GD stops in a local minimum",
                    lambda e: (
                        e.converged(0)
                        and e.basin(0).value > 1
                        and f"GD stops in a local dimple at step {e.converged(0)}, with loss {fmt(e.basin(0).value)}."
                    ),
                    {0: CONVERGES},
                ),
                Claim(
                    "heavy momentum flies off the map before it settles",
                    lambda e: (
                        _off_map_until(e, 1)
                        and e.converged(1)
                        and e.converged(1) > _off_map_until(e, 1)
                        and f"Momentum with μ = {e.hp(1, 'momentum'):g} builds up so much speed that it flies off "
                        f"the map at step {e.left_map(1)}, its loss climbing to {fmt(float(e.run(1).loss.max()))}"
                        f"; back on the map at step {_off_map_until(e, 1)}, it converges at step {e.converged(1)}."
                    ),
                    {1: CONVERGES},
                ),
                Claim(
                    "heavy momentum rolls into a deeper dimple",
                    lambda e: (
                        e.converged(1)
                        and e.converged(0)
                        and e.basin(1).value < e.basin(0).value
                        and f"Heavy momentum (μ = {e.hp(1, 'momentum'):g}) rolls over ridges into a deeper dimple "
                        f"than GD's, loss {fmt(e.basin(1).value)}."
                    ),
                    {0: CONVERGES, 1: CONVERGES},
                ),
                Claim(
                    "noisy SGD hops between dimples",
                    lambda e: (
                        not e.converged(2)
                        and _visited_dimples(e, 2) >= 2
                        and f"Noisy SGD hops between dimples ({_visited_dimples(e, 2)} visited) and keeps jittering."
                    ),
                    {2: UNSETTLED},
                ),
                Claim(
                    "none finds the global minimum",
                    lambda e: (
                        all(min(abs(x), abs(y)) > 0.5 for x, y in (e.run(i).final_point for i in range(3)))
                        and "None of them is guaranteed to find the global minimum at the centre, and here none does."
                    ),
                    {i: frozenset(VERDICTS) - {"failed"} for i in range(3)},
                ),
            ),
            lambda: _state(
                "rastrigin",
                [
                    ("gd", {"lr": 2e-3}),
                    ("momentum", {"lr": 5e-3, "momentum": 0.98}),
                    ("sgd", {"lr": 2e-3, "gradient_value": 60.0}),
                ],
                steps=500,
                seed=3,
            ),
        ),
    )
}
DEFAULT_PRESET = "basins"  # what a visit without a link opens


def _ridge_shift(e: Evidence) -> float:
    ridge, least_squares = e.minima(1)[0], e.minima(0)[0]
    return float(((ridge.x - least_squares.x) ** 2 + (ridge.y - least_squares.y) ** 2) ** 0.5)


def _unpenalised(e: Evidence) -> str:
    return " and ".join(where(m) for m in minima_of(e.state.surface_spec, dict(e.state.surface_params)))


def _apart(e: Evidence, i: int, j: int) -> float:
    (xi, yi), (xj, yj) = e.run(i).final_point, e.run(j).final_point
    return float(((xi - xj) ** 2 + (yi - yj) ** 2) ** 0.5)


@dataclass(frozen=True)
class Lesson:
    title: str
    sentences: tuple[str, ...]
    changed: bool  # the view is no longer the preset's: only the claims that still hold are shown


def lesson_for(state: State, runs, goals, page_minima, verdicts, unchanged: bool) -> Lesson | None:
    """The lesson of the preset the view came from, written from the claims that hold now and
    agree with the runs' explanations (``verdicts``)."""
    preset = PRESETS.get(state.lesson)
    if preset is None:
        return None
    evidence = Evidence(state, runs, goals, preset.kinds, page_minima, tuple(verdicts))
    held = tuple(s for s in (c.judge(evidence) for c in preset.claims) if s)
    return Lesson(preset.title, ((preset.intro,) if unchanged else ()) + held, not unchanged)
