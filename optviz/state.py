"""The one immutable State behind the page: widgets produce it, the URL encodes it,
the engine and the figures consume it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from optviz.engine.simulate import GRADIENT_MODES, MAX_STEPS, PENALTY, SEED, RunSpec
from optviz.kinds import KINDS, get_kind
from optviz.optimizers import resolve_hyperparameters
from optviz.params import Param
from optviz.schedules import get_schedule, resolve_schedule
from surfaces import Surface, get_surface

MAX_RUNS = 6
APP_MAX_STEPS = 2000  # what the page animates; the engine itself allows MAX_STEPS
STEPS = Param("steps", 300, 1, APP_MAX_STEPS, kind="int", help="Optimizer steps per run.")
SPEED = Param("speed", 60, 10, 1000, kind="int", help="Milliseconds per animation frame (smaller is faster).")
QUIZ = Param(
    "quiz",
    0,
    0,
    APP_MAX_STEPS,
    kind="int",
    help="Predict, then play: students guess where each run is after this many steps (0: no quiz).",
)
QUIZ_DEFAULT_STEPS = 20  # what the quiz box offers before a quiz is switched on
START = Param(
    "start", (0.0, 0.0), -1e12, 1e12, kind="pair", help="Where every run starts (inside the surface's domain)."
)
PRESENTATION = Param("present", False, kind="bool", help="Projector layout: larger text, thicker lines.")
SCREEN = Param(
    "screen",
    "720p",
    kind="choice",
    choices=("720p", "1080p"),
    help="The projector's resolution in Presentation mode: 1280×720 or 1920×1080.",
)
# The page's tabs: the id the share link uses, and the label the page shows (bodies: app.py).
TABS = {
    "quiz": "❓ Quiz",
    "paths": "▶ Paths & results",
    "curves": "📈 Curves",
    "inside": "🔬 Inside a step",
    "noise": "🎲 Noise & dropout",
    "maps": "🗺 Maps",
    "equations": "∑ Equations & intuition",
    "glossary": "📖 Glossary",
    "export": "🔗 Share & export",
}
TAB = Param("tab", "paths", kind="choice", choices=tuple(TABS), help="The open tab.")
assert APP_MAX_STEPS <= MAX_STEPS


def tab_id(label: str) -> str:
    """The id of the tab shown as ``label`` (the tabs widget holds labels)."""
    return next((k for k, v in TABS.items() if v == label), TAB.default)


Items = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class RunState:
    """One run: a kind (GD, Adam, …), its hyperparameters, schedule and gradient mode."""

    kind: str
    hyperparameters: Items
    schedule: str = "constant"
    schedule_params: Items = ()
    gradient: str = "exact"
    gradient_value: float | int | None = None

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.hyperparameters)

    def label(self) -> str:
        """Short legend text that tells same-kind runs apart, e.g. "Adam lr=0.1"."""
        kind = KINDS[self.kind]
        hp = self.params
        parts = [kind.label]
        if self.kind in ("momentum", "nesterov"):
            parts.append(f"μ={hp['momentum']:g}")
        if self.gradient == "minibatch":
            parts.append(f"B={self.gradient_value}")
        elif self.gradient == "noise":
            parts.append(f"σ={self.gradient_value:g}")
        elif self.gradient == "dropout":
            parts.append(f"dropout p={self.gradient_value:g}")
        if hp.get("saddle_free"):
            parts.append("saddle-free")
        parts.append(f"lr={hp['lr']:g}")
        if hp.get("weight_decay"):
            parts.append(f"wd={hp['weight_decay']:g}")
        if self.schedule != "constant":
            parts.append(get_schedule(self.schedule).key)
        return " ".join(parts)

    def to_spec(self, seed: int, start: tuple[float, float]) -> RunSpec:
        return RunSpec(
            optimizer=KINDS[self.kind].optimizer,
            hyperparameters=self.params,
            schedule=self.schedule,
            schedule_params=dict(self.schedule_params),
            gradient=self.gradient,
            gradient_value=self.gradient_value,
            seed=seed,
            start=start,
        )


@dataclass(frozen=True)
class State:
    surface: str
    start: tuple[float, float]
    steps: int
    runs: tuple[RunState, ...]
    seed: int = SEED.default
    l1: float = PENALTY.default
    l2: float = PENALTY.default
    surface_params: Items = ()
    speed: int = SPEED.default
    presentation: bool = PRESENTATION.default
    screen: str = SCREEN.default  # the projector's resolution, in Presentation mode
    quiz: int = QUIZ.default  # hide the paths and ask for guesses after this many steps (0: off)
    tab: str = TAB.default
    lesson: str = ""  # the preset this view came from ("" if none): its lesson is re-judged on this view

    @property
    def surface_spec(self) -> Surface:
        return get_surface(self.surface)

    def run_specs(self) -> list[RunSpec]:
        return [run.to_spec(self.seed, self.start) for run in self.runs]


def _same(value: Any) -> tuple:
    return (value,)


def _first(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class PageField:
    """A page-wide value of the State, declared once.

    Drives the URL codec (``url``, ``param``), the cache key (``engine``: the engine reads
    it, so it is part of what a computed view depends on) and the widget binding: the
    values of ``widgets`` come from ``to_widgets(value)`` and go back via ``from_widgets``.
    """

    name: str  # the State attribute
    url: str
    param: Param
    widgets: tuple[str, ...]
    engine: bool = True
    to_widgets: Callable[[Any], tuple] = _same
    from_widgets: Callable[..., Any] = _first


PAGE_FIELDS: tuple[PageField, ...] = (
    PageField(
        "start",
        "start",
        START,
        ("start_x", "start_y"),
        to_widgets=lambda v: (float(v[0]), float(v[1])),
        from_widgets=lambda x, y: (float(x), float(y)),
    ),
    PageField("steps", "steps", STEPS, ("steps",)),
    PageField("seed", "seed", SEED, ("seed",)),
    PageField("l1", "l1", replace(PENALTY, name="l1"), ("l1",), to_widgets=lambda v: (float(v),)),
    PageField("l2", "l2", replace(PENALTY, name="l2"), ("l2",), to_widgets=lambda v: (float(v),)),
    PageField("speed", "speed", SPEED, ("speed",), engine=False),
    PageField("presentation", "present", PRESENTATION, ("presentation",), engine=False),
    PageField("screen", "screen", SCREEN, ("screen",), engine=False),
    PageField(
        "quiz",
        "quiz",
        QUIZ,
        ("quiz_on", "quiz_steps"),
        engine=False,
        to_widgets=lambda n: (n > 0, n or QUIZ_DEFAULT_STEPS),
        from_widgets=lambda on, n: int(n) if on else 0,
    ),
    PageField("tab", "tab", TAB, ("tab",), engine=False, to_widgets=lambda t: (TABS[t],), from_widgets=tab_id),
)
VIEW_ONLY_URL_KEYS = tuple(f.url for f in PAGE_FIELDS if not f.engine)


def make_run(
    kind_key: str,
    surface: Surface,
    schedule: str = "constant",
    schedule_params: dict | None = None,
    gradient: str | None = None,
    gradient_value: Any = None,
    **hyperparameters: Any,
) -> RunState:
    """A validated RunState: the kind's defaults for ``surface`` overlaid with the arguments."""
    kind = get_kind(kind_key)
    values = kind.default_hyperparameters(surface)
    values.update(hyperparameters)
    values.update(kind.fixed)
    values = resolve_hyperparameters(kind.spec, values)
    requested = gradient or kind.default_gradient(surface)
    mode = GRADIENT_MODES[requested if requested in kind.gradient_modes(surface) else kind.default_gradient(surface)]
    if mode.key != requested:  # not offered here (no data to sample, or GD): the kind's own default
        gradient_value = None
    value = None
    if mode.param is not None:
        value = mode.param.validate(mode.param.default if gradient_value is None else gradient_value)
    sched = get_schedule(schedule)
    sched_values = resolve_schedule(sched, schedule_params)
    return RunState(
        kind=kind.key,
        hyperparameters=tuple(values.items()),
        schedule=sched.key,
        schedule_params=tuple(sched_values.items()),
        gradient=mode.key,
        gradient_value=value,
    )


def default_state(surface_key: str = "rosenbrock") -> State:
    surface = get_surface(surface_key)
    runs = (make_run("gd", surface), make_run("momentum", surface), make_run("adam", surface))
    return State(
        surface=surface.key,
        start=surface.start,
        steps=STEPS.default,
        runs=runs,
        surface_params=tuple(surface.resolve_params().items()),
    )


def with_surface(state: State, surface_key: str) -> State:
    """Switch surface: its start and suggested learning rates, the same kinds of run."""
    surface = get_surface(surface_key)
    runs = tuple(
        make_run(
            r.kind,
            surface,
            r.schedule,
            dict(r.schedule_params),
            r.gradient,
            r.gradient_value,
            **{k: v for k, v in r.hyperparameters if k != "lr"},
        )
        for r in state.runs
    )
    return replace(
        state,
        surface=surface.key,
        start=surface.start,
        runs=runs,
        surface_params=tuple(surface.resolve_params().items()),
        lesson="",
    )


def validate_globals(state: State) -> State:
    """Raise ValueError naming the field if a page-wide value is out of range."""
    surface = get_surface(state.surface)
    surface.resolve_params(dict(state.surface_params))
    for f in PAGE_FIELDS:
        f.param.validate(getattr(state, f.name))
    if not surface.in_domain(*state.start):
        raise ValueError(f"start={state.start} is outside the {surface.key} domain")
    if state.quiz > state.steps:
        raise ValueError(f"quiz: guess after at most steps={state.steps} steps, not {state.quiz}")
    if not 1 <= len(state.runs) <= MAX_RUNS:
        raise ValueError(f"runs: between 1 and {MAX_RUNS} runs, not {len(state.runs)}")
    return state
