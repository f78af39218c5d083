"""The one way the project compiles code: ``compiled`` and ``inlined`` (Numba's ``njit`` with
the project's options).  Every kernel and helper uses them, so each rule below holds everywhere.

**Division by zero** and other floating-point errors give IEEE results (±inf, NaN), as NumPy
does, never an exception (Numba's ``error_model="numpy"``; its default, "python", raises
ZeroDivisionError from compiled code).  The trajectory kernel checks every step's weights, loss
and gradient for finiteness, so such a step ends the run as *diverged*, with its step and
reason: a student sees it and reads why, and the page stays up.

**Cache.** ``cache=True`` always; importing this module first sets the cache folder, whose name
is the fingerprint of every module compiled code can reach (``optviz.numba_env``).

**No fastmath**: it would delete the NaN/inf checks that detect divergence.

**Interpreted and compiled results are bit-identical.**  On a cold start the page runs these
same functions as plain Python while the compile runs in the background (``optviz.engine.warmup``),
and tests compare the two bit for bit.  So write arithmetic that CPython and Numba round alike:

* ``math.pow(a, b)`` or a running product, never ``a ** b`` on floats (Numba may turn an
  integer power into multiplies where CPython calls libm's pow);
* ``optimizers.spec.length(a, b)`` for a 2-vector's norm, never ``math.hypot`` (CPython's own
  hypot rounds differently from libm's);
* plain ``+ - * /``, ``math.sqrt``, ``abs``, ``min``/``max`` and comparisons are exact in both.

A division by zero is the one place the two differ (Python raises): ``warmup.run`` then waits
for the compiled engine and runs again, so the page shows the compiled outcome.
"""

from __future__ import annotations

from collections.abc import Callable

from numba import njit

from optviz import numba_env  # noqa: F401  (sets the cache folder before anything is decorated)

ERROR_MODEL = "numpy"


def compiled(function: Callable | None = None, **options):
    """``@compiled`` or ``@compiled(nogil=True, ...)``: a cached, compiled function."""
    decorate = njit(cache=True, error_model=ERROR_MODEL, **options)
    return decorate if function is None else decorate(function)


def inlined(function: Callable, cached: bool = True) -> Callable:
    """A small helper Numba inlines into its callers (the catalogues' entries and chains).
    Code generated at run time has no source file to cache against: ``cached=False``."""
    return njit(cache=cached, inline="always", error_model=ERROR_MODEL)(function)
