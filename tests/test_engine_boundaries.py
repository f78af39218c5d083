"""What keeps the compiled engine honest: one freshness key that follows every module compiled
code can reach, one way to compile (with its error model), and an import graph in layers."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from optviz import jit, numba_env
from optviz.engine import warmup

ROOT = Path(numba_env._PROJECT_ROOT)
# From the bottom up: a module may import from its own layer or the ones below, never above.
LAYERS = (
    ("optviz.numba_env", "optviz.jit", "optviz.params", "optviz.catalogue", "optviz.glossary"),
    ("surfaces",),
    ("optviz.schedules", "optviz.optimizers"),
    ("optviz.engine", "optviz.network"),
    (
        "optviz.kinds",
        "optviz.explain",
        "optviz.internals",
        "optviz.quiz",
        "optviz.state",
        "optviz.lessons",
        "optviz.presets",
        "optviz.urlstate",
        "optviz.maps",
        "optviz.ensemble",
        "optviz.netstate",
        "optviz.netlessons",
        "optviz.netlink",
    ),
    ("optviz.figures",),
    ("optviz.ui", "optviz.compile_cache", "optviz.bench", "optviz.serve"),
)


def layer_of(module: str) -> int:
    if module == "optviz":
        return 0  # the package itself only sets up the cache and names the public API
    found = [
        (len(prefix), i)
        for i, layer in enumerate(LAYERS)
        for prefix in layer
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert found, f"{module} is in no layer: add it to LAYERS"
    return max(found)[1]


def graph() -> dict[str, set[str]]:
    return {m: numba_env.project_imports(ROOT, m, packages_too=False) for m in numba_env.all_modules(ROOT)}


def test_the_import_graph_has_no_cycle():
    imports = graph()
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(imports[module]):
            if state.get(imported) == "open":
                cycle = trail[trail.index(imported) :] + [module, imported]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if imported not in state:
                visit(imported, trail + [module])
        state[module] = "done"

    for module in sorted(imports):
        if module not in state:
            visit(module, [])


def test_no_module_imports_from_a_higher_layer():
    upward = [
        f"{m} (layer {layer_of(m)}) imports {i} (layer {layer_of(i)})"
        for m, imported in graph().items()
        for i in imported
        if layer_of(i) > layer_of(m)
    ]
    assert not upward, "\n".join(upward)


def test_the_compiled_modules_and_everything_they_read_are_in_the_cache_key():
    sources = set(numba_env.compiled_sources())
    homes = {d.py_func.__module__ for d in warmup.dispatchers()} - {None}  # None: the generated chains
    assert homes and homes <= sources
    # modules the old key missed: constants and helpers the kernel reads (engine.sweep and warmup
    # only call the kernel from Python, so their edits cannot make a compiled kernel stale)
    for module in (
        "optviz.engine.trajectory",
        "optviz.params",
        "surfaces.base",
        "surfaces.formula",
        "optviz.schedules",
        "optviz.catalogue",
    ):
        assert module in sources
    assert not any(m.startswith(("optviz.ui", "optviz.figures.", "optviz.state")) for m in sources), (
        "the page's own modules are not compiled code: editing them must not throw the compiled cache away"
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for package in numba_env.PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_editing_any_module_compiled_code_reaches_changes_the_cache_key(tree):
    before = numba_env.source_fingerprint(tree)
    assert before == numba_env.source_fingerprint(tree)
    modules = numba_env.compiled_sources(tree)
    assert len(modules) > 30
    for module in modules:
        path = tree.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        text, stamp = path.read_bytes(), path.stat()
        path.write_bytes(text + b"\nEDITED = 1\n")
        try:
            assert numba_env.source_fingerprint(tree) != before, f"editing {module} kept the cache key"
        finally:
            path.write_bytes(text)
            os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        assert numba_env.source_fingerprint(tree) == before


def test_swapping_two_outcome_names_changes_the_cache_key(tree):
    """The issue's reproduction: a reordered constant, read by the kernel from a module with no compiled code."""
    before = numba_env.source_fingerprint(tree)
    path = tree / "optviz" / "engine" / "trajectory.py"
    text = path.read_text()
    swapped = text.replace('("ran_all_steps", "converged", "diverged"', '("ran_all_steps", "diverged", "converged"')
    assert swapped != text
    path.write_text(swapped)
    try:
        assert numba_env.source_fingerprint(tree) != before
    finally:
        path.write_text(text)


def test_the_warm_up_marker_lives_under_the_one_key():
    assert os.path.dirname(warmup.MARKER) == numba_env.CACHE_DIR  # the folder is named by the key (test_deploy)


def test_everything_compiles_through_optviz_jit_with_its_error_model():
    """Division by zero gives inf/NaN (a diverged run), never a ZeroDivisionError: one decorator says so."""
    direct = [
        str(p.relative_to(ROOT))
        for package in numba_env.PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if p.name != "jit.py" and re.search(r"\bnjit\b|numba\.jit\b", p.read_text())
    ]
    assert not direct, f"compile through optviz.jit, not numba.njit: {direct}"
    for dispatcher in warmup.dispatchers():
        assert dispatcher.targetoptions.get("error_model") == jit.ERROR_MODEL, dispatcher.py_func.__qualname__
        assert not dispatcher.targetoptions.get("fastmath"), dispatcher.py_func.__qualname__
