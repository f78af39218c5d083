"""NetState ⇄ the /network link's query parameters.

As on the surfaces page: an unchanged lesson's link is its name (plus the viewer's display
settings that differ); any other view is written out in full, every value explicit.  Decoding
never raises: a bad or unknown parameter falls back and yields a warning that names it and
its range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from optviz.kinds import KINDS
from optviz.netlessons import DEFAULT_NET_PRESET, NET_PRESETS
from optviz.netstate import NET_FIELDS, NETWORK_KINDS, RUN_FIELDS, NetRunChoice, NetState
from optviz.network.data import get_dataset
from optviz.network.train import MAX_RUNS
from optviz.urlstate import LESSON_KEY, QueryReader, format_value

_RUN_KEY = re.compile(r"^r([1-9][0-9]{0,2})(?:\.(.+))?$")
NETWORK_KIND_CHOICES = {key: KINDS[key] for key in NETWORK_KINDS}


def _all_values(state: NetState) -> dict[str, str]:
    q = {f.url: format_value(getattr(state, f.name)) for f in NET_FIELDS}
    for i, run in enumerate(state.runs, start=1):
        q[f"r{i}"] = run.kind
        for f in RUN_FIELDS:
            q[f"r{i}.{f.url}"] = format_value(getattr(run, f.name))
    return q


def _view_keys() -> set[str]:
    return {f.url for f in NET_FIELDS if not f.engine}


def _engine_part(query: dict[str, str]) -> tuple[tuple[str, str], ...]:
    views = _view_keys()
    return tuple(sorted((k, v) for k, v in query.items() if k not in views))


def is_preset_view(state: NetState) -> bool:
    """The training is still exactly the lesson's (view settings aside)."""
    if not state.preset:
        return False
    return _engine_part(_all_values(state)) == _engine_part(_all_values(NET_PRESETS[state.preset].build()))


def encode(state: NetState) -> dict[str, str]:
    q = _all_values(state)
    if not state.preset:
        return q
    preset_query = _all_values(NET_PRESETS[state.preset].build())
    if _engine_part(q) == _engine_part(preset_query):
        return {LESSON_KEY: state.preset, **{k: q[k] for k in sorted(_view_keys()) if q[k] != preset_query[k]}}
    return {**q, LESSON_KEY: state.preset}


def decode(query: Mapping[str, Sequence[str]]) -> tuple[NetState, list[str]]:
    """The NetState a link describes, and a warning for everything that had to fall back."""
    read = QueryReader(query)
    lesson = read.text(LESSON_KEY) or ""
    if lesson and lesson not in NET_PRESETS:
        read.warn(LESSON_KEY, lesson, f"must be one of {', '.join(NET_PRESETS)}")
        lesson = ""
    base = NET_PRESETS[lesson or DEFAULT_NET_PRESET].build()
    if not lesson and any(f.url in query for f in NET_FIELDS if f.engine):
        base = replace(base, preset="")  # a link written out in full is its own view
    values = {f.name: read.value(f.url, f.param, getattr(base, f.name)) for f in NET_FIELDS}
    if "data" in read.used and values["dataset"] != base.dataset:  # a new dataset: its own size and noise
        spec = get_dataset(values["dataset"])
        for name, own in (("n_points", spec.points), ("noise", spec.noise)):
            if not any(f.name == name and f.url in read.used for f in NET_FIELDS):
                values[name] = own
    runs = _decode_runs(read, base) or base.runs
    state = replace(base, runs=runs, **values)
    for key in sorted(set(query) - read.used):
        known = key in {f.url for f in NET_FIELDS} | {LESSON_KEY} or _RUN_KEY.match(key)
        read.warnings.append(
            f"URL parameter {key!r} does not apply here and was ignored."
            if known
            else f"URL parameter {key!r} is unknown and was ignored."
        )
    return state, read.warnings


def _decode_runs(read: QueryReader, base: NetState) -> tuple[NetRunChoice, ...]:
    indices = sorted({int(m.group(1)) for key in read.query if (m := _RUN_KEY.match(key))})
    if len(indices) > MAX_RUNS:
        read.warnings.append(f"URL asks for {len(indices)} runs; showing the first {MAX_RUNS}.")
        indices = indices[:MAX_RUNS]
    runs = []
    for position, i in enumerate(indices):
        default = base.runs[position] if position < len(base.runs) else NetRunChoice()
        kind_text = read.text(f"r{i}")
        kind = default.kind
        if kind_text in NETWORK_KIND_CHOICES:
            kind = kind_text
        elif kind_text is not None:
            why = (
                "Newton is a 2-D method (it inverts a surface's 2×2 Hessian), not one for a network"
                if kind_text in KINDS
                else f"must be one of {', '.join(NETWORK_KIND_CHOICES)}"
            )
            read.warn(f"r{i}", kind_text, f"{why}; using {KINDS[kind].label}")
        values = {f.name: read.value(f"r{i}.{f.url}", f.param, getattr(default, f.name)) for f in RUN_FIELDS}
        runs.append(NetRunChoice(kind, **values))
    return tuple(runs)
