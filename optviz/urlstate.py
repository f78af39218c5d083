"""State ⇄ URL query parameters.

Every value is written explicitly (not only non-defaults), so a shared link reproduces the
view even if a later version changes a default.  Decoding never raises: a bad or unknown
parameter falls back to its default and yields a warning that names it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from optviz.kinds import KINDS
from optviz.params import Param, tidy
from optviz.presets import DEFAULT_PRESET, PRESETS
from optviz.state import MAX_RUNS, PAGE_FIELDS, VIEW_ONLY_URL_KEYS, RunKeys, RunState, State, default_state, run_from
from surfaces import get_surface

MAX_VALUE_LENGTH = 240  # a custom surface: "custom:<extent>:" and a formula of up to 200 characters
_RUN_KEY = re.compile(r"^r([1-9][0-9]{0,2})(?:\.(.+))?$")
LESSON_KEY = "preset"  # the preset a view came from; alone (plus view settings) it is the whole link
GLOBAL_KEYS = {"surface", LESSON_KEY, *(f.url for f in PAGE_FIELDS)}
DEFAULT_KIND = "adam"  # a run whose kind is missing or unknown


def run_keys(i: int) -> RunKeys:
    """The query keys of run ``i`` (from 1)."""
    prefix = f"r{i}"
    return RunKeys(
        kind=prefix,
        schedule=f"{prefix}.schedule",
        gradient=f"{prefix}.gradient",
        gradient_value=f"{prefix}.gradient.value",
        hyperparameter=lambda name: f"{prefix}.{name}",
        schedule_param=lambda name: f"{prefix}.schedule.{name}",
    )


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (tuple, list)):
        return ",".join(format_value(v) for v in value)
    if isinstance(value, float):
        return repr(tidy(value))
    return str(value)


def encode(state: State) -> dict[str, str]:
    """The query of a link to ``state``: an unchanged preset's view is its name (and any
    view settings that differ); any other view is written out in full."""
    q = _all_values(state)
    if not state.lesson:
        return q
    preset_query = _all_values(PRESETS[state.lesson].build())
    if _engine_part(q) == _engine_part(preset_query):
        return {LESSON_KEY: state.lesson, **{k: q[k] for k in VIEW_ONLY_URL_KEYS if q[k] != preset_query[k]}}
    return {**q, LESSON_KEY: state.lesson}


def _all_values(state: State) -> dict[str, str]:
    q = {"surface": state.surface, **{f.url: format_value(getattr(state, f.name)) for f in PAGE_FIELDS}}
    for name, value in state.surface_params:
        q[f"s.{name}"] = format_value(value)
    for i, run in enumerate(state.runs, start=1):
        keys = run_keys(i)
        q[keys.kind] = run.kind
        for name, value in run.hyperparameters:
            if name not in KINDS[run.kind].fixed:
                q[keys.hyperparameter(name)] = format_value(value)
        q[keys.schedule] = run.schedule
        for name, value in run.schedule_params:
            q[keys.schedule_param(name)] = format_value(value)
        q[keys.gradient] = run.gradient
        if run.gradient_value is not None:
            q[keys.gradient_value] = format_value(run.gradient_value)
    return q


def _engine_part(query: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in query.items() if k not in VIEW_ONLY_URL_KEYS))


def state_key(state: State) -> tuple[tuple[str, str], ...]:
    """Hashable description of what the engine computes (view-only settings and the lesson left out)."""
    return _engine_part(_all_values(state))


def is_preset_view(state: State) -> bool:
    """The view is still exactly the preset's it came from (view settings aside)."""
    return bool(state.lesson) and state_key(state) == state_key(PRESETS[state.lesson].build())


def parse_value(text: str, param: Param) -> Any:
    """Text → a value of ``param``'s kind, validated; ValueError names the parameter."""
    if param.kind == "bool":
        lowered = text.strip().lower()
        if lowered in ("1", "true"):
            return True
        if lowered in ("0", "false"):
            return False
        raise ValueError(f"{param.name}={text!r} must be 1 or 0")
    if param.kind == "choice":
        return param.validate(text)
    if param.kind == "pair":
        parts = text.split(",")
        if len(parts) != 2:
            raise ValueError(f"{param.name}={text!r} must be two numbers separated by a comma")
        return param.validate(tuple(_number(p, param) for p in parts))
    return param.validate(_number(text, param))


def _number(text: str, param: Param) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{param.name}={text!r} must be a number in {param.range_text()}") from None
    if param.kind == "int" and math.isfinite(value) and value == int(value):
        return int(value)
    return tidy(value)


class QueryReader:
    """Reads values out of the query, collecting warnings and remembering what was used."""

    def __init__(self, query: Mapping[str, Sequence[str]]):
        self.query = query
        self.used: set[str] = set()
        self.warnings: list[str] = []

    def text(self, key: str) -> str | None:
        values = self.query.get(key)
        if not values:
            return None
        self.used.add(key)
        if len(values) > 1:
            self.warnings.append(f"URL parameter {key!r} appears {len(values)} times; using the first.")
        value = values[0]
        if len(value) > MAX_VALUE_LENGTH:
            self.warnings.append(
                f"URL parameter {key!r} is {len(value)} characters long (at most "
                f"{MAX_VALUE_LENGTH}); using the default."
            )
            return None
        return value

    def value(self, key: str, param: Param, default: Any) -> Any:
        text = self.text(key)
        if text is None:
            return default
        try:
            return parse_value(text, param)
        except ValueError as err:
            self.warn(key, text, f"{err}; using {format_value(default)}")
            return default

    def choice(self, key: str, valid: Mapping[str, Any], default: str) -> str:
        text = self.text(key)
        if text is None:
            return default
        if text in valid:
            return text
        self.warn(key, text, f"must be one of {', '.join(valid)}; using {default}")
        return default

    def warn(self, key: str, text: str, why: str) -> None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        self.warnings.append(f"URL parameter {key!r} = {shown!r} ignored: {why}.")


def decode(query: Mapping[str, Sequence[str]]) -> tuple[State, list[str]]:
    """The State a URL describes, and a warning for everything that had to fall back."""
    read = QueryReader(query)
    state = _base(read)
    surface = state.surface_spec
    surface_params = tuple(
        (p.name, read.value(f"s.{p.name}", p, v)) for p, (_, v) in zip(surface.params, state.surface_params)
    )
    runs = _decode_runs(read, surface) or state.runs
    fields = {f.name: read.value(f.url, f.param, getattr(state, f.name)) for f in PAGE_FIELDS}
    state = replace(state, runs=runs, surface_params=surface_params, **fields)
    if not surface.in_domain(*state.start):
        (x0, x1), (y0, y1) = surface.domain
        read.warn(
            "start",
            format_value(state.start),
            f"must be 'x,y' inside x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]; using {format_value(surface.start)}",
        )
        state = replace(state, start=surface.start)
    if state.quiz > state.steps:
        read.warn("quiz", str(state.quiz), f"must be at most steps={state.steps}; using {state.steps}")
        state = replace(state, quiz=state.steps)
    for key in sorted(set(query) - read.used):
        if not (key in GLOBAL_KEYS or _RUN_KEY.match(key) or key.startswith("s.")):
            read.warnings.append(f"URL parameter {key!r} is unknown and was ignored.")
        else:
            read.warnings.append(f"URL parameter {key!r} does not apply here and was ignored.")
    return state, read.warnings


def _base(read: QueryReader) -> State:
    """What the link's values apply to: its preset's view, or the default view of its surface.
    A link with neither opens the default preset."""
    lesson = read.text(LESSON_KEY) or ""
    if lesson and lesson not in PRESETS:
        read.warn(LESSON_KEY, lesson, f"must be one of {', '.join(PRESETS)}")
        lesson = ""
    surface_text = read.text("surface")
    if surface_text is None:
        return PRESETS[lesson or DEFAULT_PRESET].build()
    try:
        surface_key = get_surface(surface_text).key
    except ValueError as err:  # an unknown name, or a custom formula that fails its checks
        surface_key = PRESETS[lesson].build().surface if lesson else "rosenbrock"
        read.warn("surface", surface_text, f"{err}; using {surface_key}")
    if lesson and PRESETS[lesson].build().surface == surface_key:
        return PRESETS[lesson].build()
    return default_state(surface_key)


def _decode_runs(read: QueryReader, surface) -> tuple[RunState, ...]:
    indices = sorted({int(m.group(1)) for key in read.query if (m := _RUN_KEY.match(key))})
    if len(indices) > MAX_RUNS:
        read.warnings.append(f"URL asks for {len(indices)} runs; showing the first {MAX_RUNS}.")
        indices = indices[:MAX_RUNS]
    runs = []
    for i in indices:
        keys = run_keys(i)
        if read.query.get(keys.kind) is None:
            read.warnings.append(f"URL parameter {keys.kind!r} (the kind of run {i}) is missing; using {DEFAULT_KIND}.")
        run, problem = run_from(read, keys, surface, DEFAULT_KIND)
        if problem is not None:
            read.warnings.append(f"URL parameters of run {i}: {problem}; using {KINDS[run.kind].label}'s defaults.")
        runs.append(run)
    return tuple(runs)
