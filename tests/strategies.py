"""Hypothesis strategies built from the declared parameters, so new entries are covered."""

from __future__ import annotations

import math
import os

from hypothesis import strategies as st

from optviz.params import Param


def budget(examples: int) -> int:
    """A property test's number of examples, times ``OPTVIZ_PROPERTY_BUDGET`` (default 1): the
    suite stays quick, and a long random search before a stop is one variable away (README)."""
    return examples * max(1, int(os.environ.get("OPTVIZ_PROPERTY_BUDGET", "1")))


def value_of(p: Param):
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "int":
        return st.integers(int(p.low), int(min(p.high, 10**6)))
    if p.scale == "log" and p.low > 0:
        number = st.floats(math.log10(p.low), math.log10(p.high)).map(lambda e: min(max(10.0**e, p.low), p.high))
    else:
        number = st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
    return st.tuples(number, number) if p.kind == "pair" else number


def values_of(params: tuple[Param, ...]):
    return st.fixed_dictionaries({p.name: value_of(p) for p in params})
