"""Catalogues: every optimizer, surface, schedule and gradient mode is one entry in one of these.

A ``Catalogue`` numbers its entries by their order (the integer codes the compiled kernel
dispatches on: nobody numbers them by hand) and looks keys up with one error message that
lists the valid keys.  ``compiled_dispatch`` turns the entries' jitted functions into one
jitted ``fn(code, ...)``: an if-chain generated from the catalogue, so adding an entry never
means editing a switch, and an unknown code reaches an explicit failure (a NaN result, which
the kernel reports as divergence at step 1) instead of falling through to a real algorithm.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields, replace
from typing import Generic, TypeVar

from optviz.jit import inlined

Entry = TypeVar("Entry")

# Every dispatcher generated below, so engine.warmup can run them as Python too.
GENERATED: list = []


class Catalogue(Mapping[str, Entry], Generic[Entry]):
    """Entries keyed by ``entry.key``, in declaration order; ``entry.code`` is set to its index."""

    def __init__(self, what: str, entries: Sequence[Entry]):
        self.what = what
        numbered = [replace(e, code=i) if "code" in {f.name for f in fields(e)} else e for i, e in enumerate(entries)]
        self._entries = {e.key: e for e in numbered}
        if len(self._entries) != len(numbered):
            raise ValueError(f"duplicate {what} keys in {[e.key for e in numbered]}")

    def __getitem__(self, key: str) -> Entry:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: object) -> Entry:
        """The entry for ``key``, or a ValueError naming the valid keys."""
        try:
            return self._entries[key]  # type: ignore[index]
        except (KeyError, TypeError):
            raise ValueError(f"unknown {self.what} {key!r}; valid: {', '.join(self._entries)}") from None


def compiled_dispatch(functions: Sequence[Callable], fallback: Callable, arity: int, name: str) -> Callable:
    """A jitted ``name(code, *args)`` that calls ``functions[code](*args)``, or ``fallback(*args)``
    for any other code (it must fail loudly: return NaN).

    The function is one flat if-chain, written from the catalogue: Numba inlines it whole, as
    it would a hand-written switch (a chain of closures compiled 4× slower, and separate calls
    ran 6× slower).  Its text holds only generated names (f0, f1, … and a0, a1, …), never user input:
    ``exec`` is how a function of any arity with a chain of any length is written once, from data.
    """
    # the text is built from these two alone (functions go in as objects, never as text): keep them inert
    if not (name.isidentifier() and not keyword.iskeyword(name) and isinstance(arity, int) and arity >= 0):
        raise ValueError(f"compiled_dispatch needs an identifier and a count, not {name!r}, {arity!r}")
    args = ", ".join(f"a{i}" for i in range(arity))
    lines = [f"def {name}(code, {args}):"]
    lines += [f"    if code == {k}:\n        return f{k}({args})" for k in range(len(functions))]
    lines.append(f"    return fallback({args})")
    namespace = {f"f{k}": fn for k, fn in enumerate(functions)} | {"fallback": fallback}
    exec(compile("\n".join(lines), f"<optviz dispatch: {name}>", "exec"), namespace)  # noqa: S102
    dispatcher = inlined(namespace[name], cached=False)  # inlined into cached callers; no file of its own
    GENERATED.append(dispatcher)
    return dispatcher
