"""A counter-based random stream (SplitMix64) owned by each run.

Each run carries its own 64-bit state, so results do not depend on which thread ran it or
on Numba's global generator: the same seed gives the same path, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.jit import inlined

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@inlined
def next_u64(state):
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@inlined
def uniform(state):
    """A float in [0, 1)."""
    return float(next_u64(state) >> np.uint64(11)) * _TO_UNIT


@inlined
def below(state, n):
    """An integer in [0, n)."""
    return min(int(uniform(state) * n), n - 1)


@inlined
def standard_normal(state):
    """Box–Muller; 1 − u keeps the log argument in (0, 1]."""
    u1 = 1.0 - uniform(state)
    u2 = uniform(state)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
