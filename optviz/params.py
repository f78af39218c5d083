"""Declared hyperparameters: one record drives validation, widgets, URL codec and docs."""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One tunable value, declared once.

    ``kind`` is "float", "int", "bool", "pair" (two floats, e.g. Adam's ``betas``) or
    "choice" (one of ``choices``).
    ``scale`` is "log" where users think in orders of magnitude (learning rates, eps).
    The range is closed: ``low <= value <= high``.
    """

    name: str
    default: Any
    low: float = 0.0
    high: float = 1.0
    kind: str = "float"
    scale: str = "linear"
    help: str = ""
    latex: str = ""
    choices: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        """How many float slots the value takes in a packed kernel vector."""
        return 2 if self.kind == "pair" else 1

    def range_text(self) -> str:
        if self.kind == "bool":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return f"[{_fmt(self.low)}, {_fmt(self.high)}]"

    def validate(self, value: Any, owner: str = "") -> Any:
        """Return ``value`` coerced to this parameter's kind, or raise ValueError."""
        where = f"{owner} " if owner else ""
        if self.kind == "bool":
            if isinstance(value, (bool, int)) and value in (0, 1):
                return bool(value)
            raise ValueError(f"{where}{self.name}={value!r} must be True or False")
        if self.kind == "choice":
            if value in self.choices:
                return value
            raise ValueError(f"{where}{self.name}={value!r} must be {self.range_text()}")
        if self.kind == "pair":
            try:
                first, second = value
            except (TypeError, ValueError):
                raise ValueError(
                    f"{where}{self.name}={value!r} must be a pair of numbers, each in {self.range_text()}"
                ) from None
            return (self._check_number(first, where), self._check_number(second, where, value))
        if self.kind == "int":
            return self._check_whole(value, where)
        return self._check_number(value, where)

    def _check_whole(self, value: Any, where: str) -> int:
        whole = None
        if isinstance(value, int) and not isinstance(value, bool):
            whole = value
        elif isinstance(value, float) and math.isfinite(value) and value == int(value):
            whole = int(value)
        elif hasattr(value, "__index__") and not isinstance(value, bool):
            whole = int(value.__index__())
        if whole is None:
            raise ValueError(f"{where}{self.name}={value!r} must be a whole number in {self.range_text()}")
        if not (self.low <= whole <= self.high):
            raise ValueError(f"{where}{self.name}={value!r} is outside its range {self.range_text()}")
        return whole

    def _check_number(self, value: Any, where: str, shown: Any = None) -> float:
        shown = value if shown is None else shown
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise ValueError(f"{where}{self.name}={shown!r} must be a number in {self.range_text()}")
        number = float(value)
        if not math.isfinite(number) or not (self.low <= number <= self.high):
            raise ValueError(f"{where}{self.name}={shown!r} is outside its range {self.range_text()}")
        return number


SIGNIFICANT_DIGITS = 12


def tidy(value: Any) -> Any:
    """``value`` with each float kept to 12 significant digits: a typed 0.3 stays exactly 0.3, and
    a widget's step arithmetic noise (-7.000000000000002) goes, so the value in use and the share
    link's short text are the same number."""
    if isinstance(value, tuple):
        return tuple(tidy(v) for v in value)
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def _fmt(x: float) -> str:
    return str(x) if isinstance(x, int) else f"{x:g}"


def pack(params: tuple[Param, ...], values: dict[str, Any]) -> list[float]:
    """Flatten validated values in declaration order, as the kernels read them."""
    flat: list[float] = []
    for p in params:
        v = values[p.name]
        if p.kind == "pair":
            flat.extend(float(x) for x in v)
        else:
            flat.append(float(v))
    return flat


def slots(params: tuple[Param, ...]):
    """Each parameter's offset in the packed vector, by name (a pair's second value is at +1).

    Compiled code reads ``hp[SLOT.eps]``: a named constant derived from the declaration, so
    reordering or adding a parameter cannot shift what a kernel reads.
    """
    offsets, at = {}, 0
    for p in params:
        offsets[p.name] = at
        at += p.width
    return namedtuple("Slots", list(offsets))(**offsets)


def resolve(params: tuple[Param, ...], given: dict[str, Any], owner: str) -> dict[str, Any]:
    """Defaults overlaid with ``given``, every value validated; unknown names refused."""
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"{owner} has no parameter {', '.join(unknown)}; valid: {', '.join(known) or 'none'}")
    return {p.name: p.validate(given.get(p.name, p.default), owner) for p in params}
