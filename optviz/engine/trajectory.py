"""What a run returns: its path, per-step diagnostics and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surfaces import Minimum, Surface

OUTCOME_NAMES = ("ran_all_steps", "converged", "diverged", "escaped", "failed")
DIVERGENCE_REASONS = (None, "non_finite", "beyond_bound")


@dataclass(frozen=True)
class Outcome:
    """How a run ended.

    ``kind`` is "converged", "diverged", "escaped" or "ran_all_steps".  ``step`` is the step
    whose update produced the stop (None when all steps ran).  ``minimum`` is the minimum a
    converged run reached.  ``reason`` says why a run diverged: "non_finite" (a NaN or inf
    appeared) or "beyond_bound" (it left a box 10⁴ domain-widths wide).  "failed" means the engine
    itself raised on this run (a bug, never an expected outcome); ``reason`` then holds the error.
    A stochastic run does not stop at a minimum (noise can carry it out again): it ends as
    "ran_all_steps" with ``reached_step`` and ``minimum`` saying when and where it first
    came within tolerance of one.
    """

    kind: str
    step: int | None = None
    minimum_index: int | None = None
    minimum: Minimum | None = None
    reason: str | None = None
    reached_step: int | None = None

    def summary(self) -> str:
        if self.kind == "converged":
            where = f" at ({self.minimum.x:.4g}, {self.minimum.y:.4g})" if self.minimum else ""
            return f"converged at step {self.step}{where}"
        if self.kind == "diverged":
            why = "the values became infinite or NaN" if self.reason == "non_finite" else "it flew off to huge values"
            return f"diverged at step {self.step}: {why}"
        if self.kind == "failed":
            return f"failed: the engine raised {self.reason}; only the start is shown"
        if self.kind == "escaped":
            return (
                f"escaped at step {self.step}: a map's width beyond the plotted area, downhill, where the loss "
                f"has no floor"
            )
        if self.reached_step is not None and self.minimum is not None:
            return (
                f"ran all steps; first reached the minimum at ({self.minimum.x:.4g}, {self.minimum.y:.4g}) "
                f"at step {self.reached_step}"
            )
        return "ran all steps"


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer run.

    ``path`` has shape (n, 2): the start, then the point after each step, up to the stop
    (n = steps + 1 when all steps ran).  ``loss`` and ``grad_norm`` (of the exact, penalised
    gradient) are per point; ``lr`` is the learning rate used by each of the n − 1 steps.
    """

    surface: str
    optimizer: str
    hyperparameters: dict[str, Any]
    schedule: str
    schedule_params: dict[str, Any]
    gradient: str
    gradient_value: float | None
    seed: int
    steps: int
    path: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    grad_norm: np.ndarray
    outcome: Outcome
    final_loss: float = field(default=float("nan"))
    internals: np.ndarray | None = None  # (n, kernel.N_INTERNALS) when asked for: see kernel

    def first_outside(self, surface: Surface) -> int | None:
        """The first step whose point is off ``surface``'s map: where the marker leaves it (an
        escaped run is stopped only a map's width beyond it)."""
        outside = np.flatnonzero(~surface.in_domain(self.path[:, 0], self.path[:, 1]))
        return int(outside[0]) if outside.size else None

    @property
    def final_point(self) -> tuple[float, float]:
        return float(self.path[-1, 0]), float(self.path[-1, 1])
