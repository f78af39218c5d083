"""The one immutable State behind the page: widgets produce it, the URL encodes it,
the engine and the figures consume it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from optviz.engine.simulate import GRADIENT_MODES, MAX_STEPS, PENALTY, SEED, RunSpec
from optviz.kinds import KINDS, get_kind
from optviz.optimizers import resolve_hyperparameters
from optviz.params import Param
from optviz.schedules import CATALOGUE as SCHEDULES
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
# Hidden unless asked for: drawn in software WebGL (no GPU on most school laptops and on phones) the
# 3-D scene made a change of view settle ~3x slower and the first chart ~1 s later (python -m optviz.bench browser)
VIEW_3D = Param(
    "3d",
    "off",
    kind="choice",
    choices=("off", "on", "auto"),
    help="The 3-D surface beside the map: hidden (the default), shown, or auto (shown on a laptop, hidden in "
    "Presentation mode and on a phone).",
)
# The page's tabs: the id the share link uses, and the label the page shows (bodies: app.py).
TABS = {
    "quiz": "❓ Quiz",
    "paths": "🧭 Paths & results",  # not ▶: that is Play
    "curves": "📈 Curves",
    "inside": "🔬 Inside a step",
    "noise": "🎲 Noise & dropout",
    "maps": "🗺 Maps",
    "equations": "∑ Equations & intuition",
    "glossary": "📖 Glossary",
    "export": "🔗 Share & export",
}
# The tabs a quiz still hiding its answer shows beside its own: none of them draws a run
QUIZ_SAFE_TABS = ("equations", "glossary", "export")
TAB = Param("tab", "paths", kind="choice", choices=tuple(TABS), help="The open tab.")
assert APP_MAX_STEPS <= MAX_STEPS


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
        parts += [f"{symbol}={hp[name]:g}" for name, symbol in kind.legend.items()]
        mode = GRADIENT_MODES[self.gradient]
        if mode.legend:
            parts.append(f"{mode.legend}={self.gradient_value:g}")
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
    view_3d: str = VIEW_3D.default  # the Paths figure's 3-D panel: "off", "on" or "auto" (see VIEW_3D)
    quiz: int = QUIZ.default  # hide the paths and ask for guesses after this many steps (0: off)
    tab: str = TAB.default
    lesson: str = ""  # the preset this view came from ("" if none): its lesson is re-judged on this view

    @property
    def surface_spec(self) -> Surface:
        return get_surface(self.surface)

    def run_specs(self) -> list[RunSpec]:
        return [run.to_spec(self.seed, self.start) for run in self.runs]

    def engine_args(self, run: RunState | None = None) -> dict[str, Any]:
        """The keyword arguments an engine call takes from this view: what every ``simulate_batch``
        reads (its ``runs`` aside), or, given ``run``, everything a ``sweep`` of that run reads
        besides its grid."""
        args = {
            "surface": self.surface,
            "steps": self.steps,
            "l1": self.l1,
            "l2": self.l2,
            "surface_params": dict(self.surface_params),
        }
        if run is None:
            return args
        spec = run.to_spec(self.seed, self.start)
        return {
            **args,
            "optimizer": spec.optimizer,
            "schedule": spec.schedule,
            "schedule_params": spec.schedule_params,
            "gradient": spec.gradient,
            "gradient_value": spec.gradient_value,
            "seed": spec.seed,
            "start": spec.start,
        }

    def figure_settings(self) -> tuple[tuple[str, Any], ...]:
        """The page-wide values figures read besides what the engine computed (``PageField.figures``)."""
        return tuple((f.name, getattr(self, f.name)) for f in PAGE_FIELDS if f.figures and not f.engine)


def _same(value: Any) -> tuple:
    return (value,)


def _first(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class PageField:
    """A page-wide value of the State, declared once.

    Drives the URL codec (``url``, ``param``), the cache keys (``engine``: the engine reads
    it, so it is part of what a computed view depends on; ``figures``: the figures depend on
    it, which every engine field is through the runs) and the widget binding: the values of
    ``widgets`` come from ``to_widgets(value)`` and go back via ``from_widgets``.  A view-only
    field is the viewer's display setting (``display``: a preset click keeps it) unless
    ``set_by_lesson`` says a lesson chooses it.
    """

    name: str  # the State attribute
    url: str
    param: Param
    widgets: tuple[str, ...]
    engine: bool = True
    figures: bool = True
    set_by_lesson: bool = False
    to_widgets: Callable[[Any], tuple] = _same
    from_widgets: Callable[..., Any] = _first

    def __post_init__(self):
        if self.engine and not self.figures:
            raise ValueError(
                f"page field {self.name!r}: the figures draw the runs, so they depend on what the engine reads"
            )

    @property
    def display(self) -> bool:
        """How the viewer shows the page, not what the lesson is: it survives a preset click."""
        return not self.engine and not self.set_by_lesson


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
    # figures depend on it: the Paths figure is built with or without its 3-D panel
    PageField("view_3d", "3d", VIEW_3D, ("view_3d",), engine=False),
    PageField(
        "quiz",
        "quiz",
        QUIZ,
        ("quiz_on", "quiz_steps"),
        engine=False,
        figures=False,
        to_widgets=lambda n: (n > 0, n or QUIZ_DEFAULT_STEPS),
        from_widgets=lambda on, n: int(n) if on else 0,
    ),
    # a lesson opens on its own picture: "Show me" in the glossary, or a preset clicked on Curves, shows the paths
    PageField("tab", "tab", TAB, ("tab",), engine=False, figures=False, set_by_lesson=True),
)
VIEW_ONLY_URL_KEYS = tuple(f.url for f in PAGE_FIELDS if not f.engine)


def with_display(lesson: State, viewer: State) -> State:
    """``lesson`` shown with ``viewer``'s display settings (``PageField.display``): a preset sets
    the lesson, not the teacher's Presentation mode, speed or quiz."""
    shown = replace(lesson, **{f.name: getattr(viewer, f.name) for f in PAGE_FIELDS if f.display})
    return replace(shown, quiz=min(shown.quiz, shown.steps))


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


@dataclass(frozen=True)
class RunKeys:
    """Where one run's values are named in a source of values (a link's query, the widgets)."""

    kind: str
    schedule: str
    gradient: str
    gradient_value: str
    hyperparameter: Callable[[str], str]
    schedule_param: Callable[[str], str]


class RunValues(Protocol):
    """A source of named values: each read gives ``default`` for a value absent or out of range."""

    def choice(self, key: str, valid: Mapping[str, Any], default: str) -> str: ...

    def value(self, key: str, param: Param, default: Any) -> Any: ...


def run_from(
    values: RunValues, keys: RunKeys, surface: Surface, default_kind: str, previous: RunState | None = None
) -> tuple[RunState, str | None]:
    """The run ``values`` hold under ``keys``, and why its hyperparameters were not applied (or None).

    Each value falls back on its own: to ``previous`` (the run's last good values on ``surface``)
    while the run keeps its kind, else to its kind's default for ``surface``, or its schedule's or
    gradient mode's.  Hyperparameters that are each in range but break a rule together (Nesterov
    with momentum 0) leave the run at its kind's defaults."""
    kind = KINDS[values.choice(keys.kind, KINDS, default_kind)]
    defaults = previous if previous is not None and previous.kind == kind.key else make_run(kind.key, surface)
    hp = {p.name: values.value(keys.hyperparameter(p.name), p, defaults.params[p.name]) for p in kind.editable()}
    schedule = SCHEDULES[values.choice(keys.schedule, SCHEDULES, defaults.schedule)]
    kept = dict(defaults.schedule_params) if defaults.schedule == schedule.key else {}
    sched_values = {
        p.name: values.value(keys.schedule_param(p.name), p, kept.get(p.name, p.default)) for p in schedule.params
    }
    offered = {k: GRADIENT_MODES[k] for k in kind.gradient_modes(surface)}
    mode = GRADIENT_MODES[values.choice(keys.gradient, offered, defaults.gradient)]
    value = None
    if mode.param is not None:
        fallback = defaults.gradient_value if defaults.gradient == mode.key else mode.param.default
        value = values.value(keys.gradient_value, mode.param, fallback)
    try:
        return make_run(kind.key, surface, schedule.key, sched_values, mode.key, value, **hp), None
    except ValueError as err:
        return make_run(kind.key, surface, schedule.key, sched_values, mode.key, value), str(err)


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
