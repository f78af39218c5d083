"""The network page's state: what a link to /network holds, each field declared once.

``NET_FIELDS`` are the page-wide values and ``RUN_FIELDS`` each run's; the link codec
(``netlink``), the widgets (``ui.network_page``) and the cache keys all read these tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from optviz.engine.simulate import PENALTY
from optviz.kinds import KINDS
from optviz.network.data import CATALOGUE as DATASETS
from optviz.network.data import NOISE, POINTS, SEED, VALIDATION
from optviz.network.model import ACTIVATIONS, MAX_HIDDEN_LAYERS, UNITS, Network, network
from optviz.network.planes import PLANES, RESOLUTION
from optviz.network.train import DROPOUT, MAX_RUNS, NetRun, Setup
from optviz.optimizers.spec import lr_param
from optviz.params import Param
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.schedules import get_schedule, resolve_schedule
from optviz.state import PRESENTATION, SPEED, VIEW_3D

PAGE_MAX_STEPS = 3000  # the page keeps every step's losses and SNAPSHOTS weights per run
SNAPSHOTS = 200  # weight snapshots kept per run for the planes and the animation (memory stays bounded)
NETWORK_KINDS = tuple(k for k, kind in KINDS.items() if not kind.spec.second_order)


@dataclass(frozen=True)
class NetField:
    """A page-wide value: ``engine`` when training reads it (part of the cache key), ``display``
    when it is the viewer's setting (a preset click keeps it)."""

    name: str
    url: str
    param: Param
    label: str
    engine: bool = True
    display: bool = False


def _choice(name: str, default: str, choices, help: str) -> Param:
    return Param(name, default, kind="choice", choices=tuple(choices), help=help)


NET_FIELDS = (
    NetField("dataset", "data", _choice("dataset", "moons", DATASETS, "What the network learns."), "Dataset"),
    NetField("n_points", "points", POINTS, "Points"),
    NetField("noise", "noise", NOISE, "Noise"),
    NetField("validation", "val", VALIDATION, "Held out for validation"),
    NetField("seed", "seed", SEED, "Seed"),
    NetField(
        "layers", "layers", Param("layers", 2, 0, MAX_HIDDEN_LAYERS, kind="int", help="Hidden layers."), "Hidden layers"
    ),
    NetField("units", "units", UNITS, "Units per hidden layer"),
    NetField(
        "activation", "act", _choice("activation", "tanh", ACTIVATIONS, "The hidden units' nonlinearity."), "Activation"
    ),
    NetField(
        "steps", "steps", Param("steps", 600, 10, PAGE_MAX_STEPS, kind="int", help="Optimizer steps per run."), "Steps"
    ),
    NetField(
        "plane",
        "plane",
        _choice("plane", "pca", PLANES, "Which 2-D slice of the weight space the landscape shows."),
        "Plane",
        engine=False,
    ),
    NetField(
        "plane_run",
        "plane.run",
        Param("plane.run", 1, 1, MAX_RUNS, kind="int", help="The run whose end the plane is drawn through."),
        "Through the end of run",
        engine=False,
    ),
    NetField(
        "plane_other",
        "plane.other",
        Param("plane.other", 2, 1, MAX_RUNS, kind="int", help="The second run whose end the plane goes through."),
        "And the end of run",
        engine=False,
    ),
    NetField(
        "landscape",
        "landscape",
        _choice("landscape", "train", ("train", "validation"), "The loss the landscape shows."),
        "Landscape",
        engine=False,
    ),
    NetField("resolution", "res", RESOLUTION, "Grid points per side", engine=False),
    NetField("presentation", "present", PRESENTATION, "Presentation mode", engine=False, display=True),
    NetField("speed", "speed", SPEED, "ms per frame", engine=False, display=True),
    NetField("view_3d", "3d", VIEW_3D, "3-D view", engine=False, display=True),
)
BATCH = Param("batch", 0, 0, 2000, kind="int", help="Training rows per step; 0 is the full batch (gradient descent).")
WEIGHT_DECAY = Param("wd", 0.0, 0.0, 1.0, help="The optimizer's own weight decay (torch's weight_decay).")


@dataclass(frozen=True)
class RunField:
    name: str
    url: str  # the key after "r<i>." (the kind is "r<i>" itself)
    param: Param
    label: str


RUN_FIELDS = (
    RunField("lr", "lr", lr_param(0.01), "Learning rate"),
    RunField("batch", "batch", BATCH, "Batch size (0 = full batch)"),
    RunField(
        "l1",
        "l1",
        replace(PENALTY, name="l1", help="L1 penalty λ₁‖w‖₁ on the objective: pulls weights to 0."),
        "L1 penalty",
    ),
    RunField(
        "l2",
        "l2",
        replace(PENALTY, name="l2", help="L2 penalty λ₂/2‖w‖² on the objective: shrinks weights."),
        "L2 penalty",
    ),
    RunField("dropout", "dropout", DROPOUT, "Dropout"),
    RunField("weight_decay", "wd", WEIGHT_DECAY, "Weight decay"),
    RunField(
        "schedule",
        "schedule",
        _choice("schedule", "constant", SCHEDULES, "How the lr changes over training."),
        "lr schedule",
    ),
)


@dataclass(frozen=True)
class NetRunChoice:
    """One run as the page sets it: a run kind (GD, SGD, Momentum, Adam, …) and its settings."""

    kind: str = "adam"
    lr: float = 0.01
    batch: int = 0
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    weight_decay: float = 0.0
    schedule: str = "constant"

    @property
    def batch_size(self) -> int:
        """Rows per step, 0 for the full batch: GD is full-batch by definition."""
        return 0 if KINDS[self.kind].exact_only else self.batch

    def to_run(self) -> NetRun:
        kind = KINDS[self.kind]
        hp = {p.name: p.default for p in kind.spec.params} | kind.defaults | kind.fixed | {"lr": self.lr}
        if "weight_decay" in hp:
            hp["weight_decay"] = self.weight_decay
        schedule = get_schedule(self.schedule)
        return NetRun(
            kind.optimizer,
            hp,
            schedule.key,
            resolve_schedule(schedule, {}),
            batch_size=self.batch_size or None,
            l1=self.l1,
            l2=self.l2,
            dropout=self.dropout,
        )

    def label(self) -> str:
        """The legend's words: the kind, its lr and what sets it apart."""
        parts = [KINDS[self.kind].label, f"lr {self.lr:g}"]
        if self.batch_size:
            parts.append(f"batch {self.batch_size}")
        for name, value in (("L1", self.l1), ("L2", self.l2), ("wd", self.weight_decay), ("dropout", self.dropout)):
            if value:
                parts.append(f"{name} {value:g}")
        if self.schedule != "constant":
            parts.append(SCHEDULES[self.schedule].name.lower())
        return " · ".join(parts)


@dataclass(frozen=True)
class NetState:
    dataset: str = "moons"
    n_points: int = 200
    noise: float = 0.25
    validation: float = 0.5
    seed: int = 0
    layers: int = 2
    units: int = 16
    activation: str = "tanh"
    steps: int = 600
    plane: str = "pca"
    plane_run: int = 1
    plane_other: int = 2
    landscape: str = "train"
    resolution: int = 41
    presentation: bool = False
    speed: int = 60
    view_3d: str = "off"
    runs: tuple[NetRunChoice, ...] = field(default_factory=lambda: (NetRunChoice("gd", lr=0.5), NetRunChoice("adam")))
    preset: str = ""

    def setup(self) -> Setup:
        hidden = (self.units,) * self.layers
        return Setup(
            self.dataset, self.n_points, self.noise, self.validation, self.seed, hidden, self.activation, self.steps
        )

    def network(self) -> Network:
        return network(DATASETS[self.dataset].inputs, (self.units,) * self.layers, self.activation)

    def net_runs(self) -> list[NetRun]:
        return [run.to_run() for run in self.runs]

    def labels(self) -> list[str]:
        return [run.label() for run in self.runs]

    def engine_key(self) -> tuple:
        """What the training depends on: the shared cache's key."""
        return tuple(getattr(self, f.name) for f in NET_FIELDS if f.engine) + (self.runs,)

    def plane_key(self) -> tuple:
        return self.engine_key() + tuple(getattr(self, f.name) for f in NET_FIELDS if f.name.startswith("plane"))

    def record_every(self) -> int:
        return max(1, -(-self.steps // SNAPSHOTS))

    def with_display_of(self, other: NetState) -> NetState:
        """This state with ``other``'s display settings (a preset click keeps the viewer's)."""
        return replace(self, **{f.name: getattr(other, f.name) for f in NET_FIELDS if f.display})
