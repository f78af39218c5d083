"""Predict, then play: where each run really is after N steps, and how far a guess was."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from optviz.engine.trajectory import Trajectory

Point = tuple[float, float]


@dataclass(frozen=True)
class Answer:
    guess: Point | None
    truth: Point
    status: str  # where the truth comes from, e.g. "after 20 steps" or "converged at step 7 and stayed"
    distance: float | None  # guess to truth, in x-y units

    def share_of(self, span: float) -> float | None:
        return None if self.distance is None else self.distance / span


def steps_phrase(n: int) -> str:
    """ "1 step", "20 steps": how the quiz names its N."""
    return "1 step" if n == 1 else f"{n} steps"


def truth_after(traj: Trajectory, n: int) -> tuple[Point, str]:
    """The run's position after n steps; a run that stopped earlier is where it stopped."""
    last = len(traj.path) - 1
    if last >= n:
        x, y = traj.path[n]
        return (float(x), float(y)), f"after {steps_phrase(n)}"
    x, y = traj.path[-1]
    kind, step = traj.outcome.kind, traj.outcome.step
    why = {
        "converged": f"converged at step {step} and stays there",
        "diverged": f"diverged at step {step}: last finite point shown",
        "escaped": f"escaped at step {step}, a map's width beyond the edge",
    }.get(kind, f"stopped at step {last}")
    return (float(x), float(y)), why


def answers(runs: list[Trajectory], guesses: dict[int, Point], n: int) -> list[Answer]:
    out = []
    for i, traj in enumerate(runs):
        truth, status = truth_after(traj, n)
        guess = guesses.get(i)
        distance = None if guess is None else math.hypot(guess[0] - truth[0], guess[1] - truth[1])
        out.append(Answer(guess, truth, status, distance))
    return out


def first_steps(traj: Trajectory, n: int) -> Trajectory:
    """The run cut after step n, for replaying just the part the quiz asked about."""
    keep = min(n, len(traj.path) - 1) + 1
    return replace(
        traj,
        steps=min(traj.steps, n),
        path=traj.path[:keep],
        loss=traj.loss[:keep],
        lr=traj.lr[: keep - 1],
        grad_norm=traj.grad_norm[:keep],
        internals=None if traj.internals is None else traj.internals[:keep],
    )
