"""Lessons as claims the engine checks.

A claim is a sentence with the predicate that justifies it: ``Claim.says(evidence)`` returns
the sentence, numbers filled in from the computed runs, when the claim holds, else None.  A
preset's caption is written only from claims that hold, so it cannot contradict its picture,
and the same claims re-judge the view after the user changes it.

A claim also declares, for each run it speaks of, the verdicts of that run's explanation
(``explain.VERDICTS``) its sentence agrees with: a claim whose run is explained otherwise is not
said, so the lesson box and the results table never disagree about a run.  Every sentence must
make sense alone (no "Still,", "too", "that cap"): a changed view keeps only some of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from optviz.engine.trajectory import Trajectory
from optviz.explain import VERDICTS, Objective, sane_curvature, stability_limit
from optviz.kinds import KINDS
from optviz.state import State
from surfaces import Minimum


class NotApplicable(Exception):
    """The view no longer has the run a claim talks about (fewer runs, or another kind)."""


def fmt(value: float) -> str:
    return f"{value:.3g}"


@dataclass(frozen=True)
class Evidence:
    """The computed runs of a view, read the way claims talk about them.

    ``kinds`` are the run kinds the lesson was written for: a claim about run i applies only
    while run i is still of that kind.
    """

    state: State
    runs: list[Trajectory]
    goals: list[Objective]  # what each run minimises
    kinds: tuple[str, ...]
    page_minima: tuple[Minimum, ...]  # the minima of the page's loss (its L1/L2 included)
    verdicts: tuple[str, ...]  # each run's explanation's verdict
    read: set[int] = field(default_factory=set, compare=False)  # the runs a claim has looked at

    def run(self, i: int) -> Trajectory:
        if i >= len(self.runs) or i >= len(self.kinds) or self.state.runs[i].kind != self.kinds[i]:
            raise NotApplicable(i)
        self.read.add(i)
        return self.runs[i]

    def name(self, i: int) -> str:
        self.run(i)
        return KINDS[self.kinds[i]].label

    def hp(self, i: int, name: str):
        return self.run(i).hyperparameters[name]

    def lr(self, i: int) -> str:
        return f"{self.hp(i, 'lr'):g}"

    def converged(self, i: int) -> int | None:
        o = self.run(i).outcome
        return o.step if o.kind == "converged" else None

    def escaped(self, i: int) -> int | None:
        o = self.run(i).outcome
        return o.step if o.kind == "escaped" else None

    def left_map(self, i: int) -> int | None:
        """The step at which run i's marker leaves the map (None if it never does)."""
        return self.run(i).first_outside(self.state.surface_spec)

    def diverged(self, i: int) -> int | None:
        o = self.run(i).outcome
        return o.step if o.kind == "diverged" else None

    def minima(self, i: int) -> tuple[Minimum, ...]:
        self.run(i)
        return self.goals[i].minima

    def distances(self, i: int) -> np.ndarray:
        """Distance of every point of run i to the nearest minimum of what it minimises."""
        path, minima = self.run(i).path, self.minima(i)
        if not minima:
            raise NotApplicable(i)
        return np.min([np.hypot(path[:, 0] - m.x, path[:, 1] - m.y) for m in minima], axis=0)

    def distance(self, i: int) -> float:
        return float(self.distances(i)[-1])

    def jitter(self, i: int, last: int = 100) -> float:
        """Mean distance from the minimum over the last ``last`` points: how far noise keeps it.
        A sentence quoting it adds NOT_THE_TABLES_DISTANCE."""
        return float(self.distances(i)[-last:].mean())

    def basin(self, i: int) -> Minimum | None:
        o = self.run(i).outcome
        return o.minimum if o.kind == "converged" else None

    def first(self, i: int, predicate: Callable[[float, float], bool]) -> int | None:
        """The first step after which the point satisfies ``predicate``."""
        for step, (x, y) in enumerate(self.run(i).path):
            if predicate(x, y):
                return step
        return None

    def step_lengths(self, i: int) -> np.ndarray:
        return np.hypot(*np.diff(self.run(i).path, axis=0).T)

    def final_loss(self, i: int) -> float:
        return float(self.run(i).loss[-1])

    def stability_limit(self, i: int) -> float:
        """The largest stable lr at the curvature where run i started."""
        t = self.run(i)
        surface = self.state.surface_spec
        curvature = sane_curvature(t, surface, surface.kernel_params(dict(self.state.surface_params)), self.state.l2)
        limit = stability_limit(self.kinds[i], t.hyperparameters, curvature)
        if limit is None:
            raise NotApplicable(i)
        return limit


# What a sentence quoting an average distance (``Evidence.jitter``) adds, so that it and the
# results table's different number for the same run do not look contradictory
NOT_THE_TABLES_DISTANCE = "(the results table gives instead the distance at each run's last step)"

# Verdicts a sentence can agree with (see the module docstring)
CONVERGES = frozenset({"converged"})
DIVERGES = frozenset({"diverged"})
LEAVES = frozenset({"escaped"})
SLOW = frozenset({"crawling", "progressing"})  # "crawls", "creeps"
JITTERS = frozenset({"jittering"})
UNSETTLED = frozenset({"jittering", "bouncing", "progressing"})  # "never settles", "hops"
STOPPED_SHORT = frozenset(VERDICTS) - {"converged", "reached", "diverged", "failed", "escaped"}


@dataclass(frozen=True)
class Claim:
    """``name`` says what is claimed (for tests and reviews); ``says`` returns the sentence
    when it holds, else a falsy value; ``about`` maps each run the claim looks at to the
    verdicts its sentence agrees with."""

    name: str
    says: Callable[[Evidence], str | None]
    about: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def read(self, evidence: Evidence) -> tuple[str | None, set[int]]:
        """The sentence (None if the claim does not hold) and the runs the claim looked at."""
        reading = replace(evidence, read=set())
        try:
            sentence = self.says(reading) or None
        except NotApplicable:
            sentence = None
        return sentence, reading.read

    def judge(self, evidence: Evidence) -> str | None:
        """The sentence, if the claim holds and every run it speaks of is explained as it declares
        (a run it declares nothing for counts as disagreeing: tests require a declaration)."""
        sentence, runs = self.read(evidence)
        if sentence and all(i in self.about and evidence.verdicts[i] in self.about[i] for i in runs):
            return sentence
        return None


def where(m: Minimum) -> str:
    return f"({fmt(m.x)}, {fmt(m.y)})"


def point(x: float, y: float) -> str:
    return f"({fmt(x)}, {fmt(y)})"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.0f}×" if b > 0 and math.isfinite(a / b) else "far"
