"""Training a small network: validate, pack for the kernel, train every run in one call, unpack.

``train`` is one run; ``train_runs`` trains several runs of one ``Setup`` from the same
initial weights, with the same mini-batch order and dropout masks, so a comparison is fair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optviz.engine.simulate import PENALTY, pack_settings
from optviz.engine.trajectory import DIVERGENCE_REASONS, OUTCOME_NAMES, Outcome
from optviz.network import kernel
from optviz.network.data import Split, draw
from optviz.network.model import Network, network
from optviz.optimizers import MAX_PACKED as MAX_HP
from optviz.optimizers import get_optimizer
from optviz.params import Param
from optviz.schedules import MAX_PACKED as MAX_SP

MAX_STEPS = 20_000
MAX_RUNS = 6
STEPS = Param("steps", 500, 1, MAX_STEPS, kind="int", help="Optimizer steps per run.")
BATCH = Param("batch_size", 16, 1, 2000, kind="int", help="Training rows per step; None is the full batch.")
DROPOUT = Param("dropout", 0.0, 0.0, 0.9, help="Probability of dropping each hidden unit while training.")
RECORD_EVERY = Param("record_every", 1, 1, MAX_STEPS, kind="int", help="Keep the weights every this many steps.")


@dataclass(frozen=True)
class Setup:
    """What every run of a comparison shares: the data, the network and its initial weights."""

    dataset: str = "moons"
    n_points: int | None = None
    noise: float | None = None
    validation: float = 0.5
    seed: int = 0
    hidden: Sequence[int] | int = (16, 16)
    activation: str = "tanh"
    steps: int = 500


@dataclass(frozen=True)
class NetRun:
    """One run: an optimizer with its settings, the lr schedule, the batch size (None: full
    batch) and its regularisation: λ₁‖w‖₁ + λ₂/2‖w‖² on the objective, dropout on hidden units."""

    optimizer: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    schedule: str = "constant"
    schedule_params: dict[str, Any] = field(default_factory=dict)
    batch_size: int | None = None
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0


@dataclass(frozen=True)
class TrainResult:
    """One trained run.

    ``weights[k]`` are the flat weights after step ``recorded_steps[k]`` (torch's parameter
    order, see ``model``); rows after a divergence are NaN.  The losses are the data loss
    on the whole training and validation sets, without penalties or dropout, at steps
    0…steps (NaN after a divergence); the accuracies likewise (NaN for regression).
    ``lrs[t-1]`` is step t's lr.  ``batches[t-1]`` are the training rows step t used (−1
    pads a short last batch of an epoch), or None for the full batch.
    """

    network: Network
    data: Split
    run: NetRun
    hyperparameters: dict[str, Any]
    schedule_params: dict[str, Any]
    recorded_steps: np.ndarray
    weights: np.ndarray
    train_loss: np.ndarray
    validation_loss: np.ndarray
    train_accuracy: np.ndarray
    validation_accuracy: np.ndarray
    lrs: np.ndarray
    batches: np.ndarray | None
    outcome: Outcome

    @property
    def final_step(self) -> int:
        """The last step with finite weights."""
        return self.outcome.step - 1 if self.outcome.kind == "diverged" else len(self.train_loss) - 1

    @property
    def best_validation_step(self) -> int:
        """Where early stopping would stop: the step of the lowest validation loss."""
        return int(np.nanargmin(self.validation_loss[: self.final_step + 1]))

    @property
    def final_weights(self) -> np.ndarray:
        finite = np.isfinite(self.weights).all(axis=1)
        return self.weights[np.flatnonzero(finite)[-1]]


def _check_runs(runs: Sequence[NetRun]) -> None:
    if not 1 <= len(runs) <= MAX_RUNS:
        raise ValueError(f"runs must hold 1 to {MAX_RUNS} runs, not {len(runs)}")


def _seeds(seed: int) -> np.ndarray:
    """The two random streams of a run: mini-batch order and dropout masks."""
    return np.random.SeedSequence([seed, 0xBA7C4]).generate_state(2, np.uint64)


def _pack(net: Network, split: Split, runs: Sequence[NetRun]):
    k = len(runs)
    columns = kernel.NetRuns(
        np.empty(k, np.int64),
        np.zeros((k, MAX_HP)),
        np.empty(k, np.int64),
        np.zeros((k, max(MAX_SP, 1))),
        np.zeros(k),
        np.zeros(k),
        np.zeros(k),
        np.zeros(k, np.int64),
    )
    resolved = []
    for r, run in enumerate(runs):
        if get_optimizer(run.optimizer).second_order:
            raise ValueError(
                f"optimizer {run.optimizer!r} is a 2-D method (it inverts the 2×2 Hessian of a surface); "
                "on a network choose a first-order optimizer"
            )
        settings = pack_settings(run.optimizer, run.hyperparameters, run.schedule, run.schedule_params, columns, r)
        columns.l1[r] = PENALTY.validate(run.l1, "l1")
        columns.l2[r] = PENALTY.validate(run.l2, "l2")
        columns.dropout[r] = DROPOUT.validate(run.dropout, "")
        if columns.dropout[r] > 0 and not net.hidden:
            raise ValueError("dropout acts on hidden units: give the network a hidden layer, or set dropout=0")
        columns.batch_sizes[r] = 0 if run.batch_size is None else BATCH.validate(run.batch_size, "")
        resolved.append((settings.values, settings.schedule_values))
    return columns, resolved


def kernel_inputs(net: Network, split: Split) -> tuple[kernel.Net, kernel.Data]:
    sizes, weights, biases = net.layout()
    task = kernel.TASKS.index(split.dataset.task)
    return kernel.Net(sizes, weights, biases, net.activation.code, task), kernel.Data(
        split.x_train, split.y_train, split.x_validation, split.y_validation
    )


def recorded_steps(steps: int, every: int) -> np.ndarray:
    """The steps whose weights are kept: 0, every, 2·every, …, and the last."""
    kept = np.arange(0, steps + 1, every)
    return kept if kept[-1] == steps else np.append(kept, steps)


def train_runs(
    setup: Setup, runs: Sequence[NetRun], record_every: int = 1, record_batches: bool = True
) -> list[TrainResult]:
    """Train every run of ``runs`` on ``setup``; ValueError names any field out of range."""
    _check_runs(runs)
    steps = STEPS.validate(setup.steps, "")
    every = RECORD_EVERY.validate(record_every, "")
    split = draw(setup.dataset, setup.n_points, setup.noise, setup.validation, setup.seed)
    net = network(split.dataset.inputs, setup.hidden, setup.activation)
    columns, resolved = _pack(net, split, runs)
    kept = recorded_steps(steps, every)
    k, n = len(runs), net.n_params
    width = int(columns.batch_sizes.max()) if record_batches else 0
    out = kernel.NetRecord(
        every,
        np.full((k, len(kept), n), np.nan),
        *(np.full((k, steps + 1), np.nan) for _ in range(4)),
        np.full((k, steps), np.nan),
        np.full((k, steps if width else 0, width), -1, np.int64),
        np.zeros((k, 3), np.int64),
    )
    knet, kdata = kernel_inputs(net, split)
    w0 = net.initial_weights(setup.seed)
    seeds = _seeds(setup.seed)
    for r in range(k):
        kernel.train_run(r, knet, kdata, w0, steps, seeds, columns, out)
    results = []
    for r, run in enumerate(runs):
        kind, stop, reason = (int(v) for v in out.results[r])
        diverged = OUTCOME_NAMES[kind] == "diverged"
        outcome = Outcome(OUTCOME_NAMES[kind], stop if diverged else None, reason=DIVERGENCE_REASONS[reason])
        results.append(
            TrainResult(
                net,
                split,
                run,
                resolved[r][0],
                resolved[r][1],
                kept,
                out.weights[r],
                out.train_loss[r],
                out.validation_loss[r],
                out.train_accuracy[r],
                out.validation_accuracy[r],
                out.lrs[r],
                out.batches[r] if width and columns.batch_sizes[r] else None,
                outcome,
            )
        )
    return results


def train(
    dataset: str,
    optimizer: str,
    *,
    steps: int = 500,
    hidden: Sequence[int] | int = (16, 16),
    activation: str = "tanh",
    batch_size: int | None = None,
    seed: int = 0,
    n_points: int | None = None,
    noise: float | None = None,
    validation: float = 0.5,
    l1: float = 0.0,
    l2: float = 0.0,
    dropout: float = 0.0,
    schedule: str = "constant",
    schedule_params: dict[str, Any] | None = None,
    record_every: int = 1,
    **hyperparameters: Any,
) -> TrainResult:
    """Train a small network on ``dataset`` with ``optimizer`` (torch.optim's rules and names).

    Args:
      dataset: moons, circles, spirals, xor, blobs (2-D classification) or sine (1-D regression).
      optimizer: a first-order optimizer's key (Newton is a 2-D method and is refused).
      steps: optimizer steps, at most ``MAX_STEPS``.
      hidden: the hidden layers' widths, 0 to 3 layers of 1 to 64 units.
      activation: tanh, relu or sigmoid.
      batch_size: rows per step, drawn without replacement within each epoch; None is the full batch.
      seed: seeds the data, the initial weights (torch's nn.Linear rule), the batches and dropout.
      n_points, noise: the dataset's size and noise (None: the dataset's own defaults).
      validation: the share of points held out.
      l1, l2: the penalty λ₁‖w‖₁ + λ₂/2‖w‖² added to the training objective.
      dropout: the probability of dropping each hidden unit while training (torch.nn.Dropout).
      schedule, schedule_params: an lr schedule with torch.optim.lr_scheduler's semantics.
      record_every: keep the weights every this many steps (and the last).
      hyperparameters: the optimizer's own (lr, momentum, betas, weight_decay, ...).
    Raises:
      ValueError: an unknown name or a value outside its range, named in the message.
    """
    run = NetRun(optimizer, hyperparameters, schedule, schedule_params or {}, batch_size, l1, l2, dropout)
    setup = Setup(dataset, n_points, noise, validation, seed, hidden, activation, steps)
    return train_runs(setup, [run], record_every)[0]
