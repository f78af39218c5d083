"""Pick the Numba cache directory before any kernel is decorated, named by one freshness key.

Two problems with Numba's default (``__pycache__`` beside each source file):

* Numba invalidates a cached function only when *its own* file changes.  The trajectory
  kernel inlines surfaces, optimizers and schedules from other files and reads constants
  (outcome codes, hyperparameter slots) from modules that define no compiled code at all, so
  editing one of those would leave a stale kernel running the old code.  The cache therefore
  lives in a folder named by ``source_fingerprint``: a hash of every module that compiled code
  can reach, found by walking the imports from each module that compiles (``compiled_sources``).
  The warm-up's "all compiled" marker lives in the same folder, so there is one key.
* A read-only source tree (some hosts mount the app read-only) fails with "no locator
  available"; then the cache goes to a per-user temp folder.

Numba chooses its cache locator when a ``cache=True`` function is *decorated*, so this
module must run before ``surfaces`` or the engine are imported (``optviz.jit`` imports it).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("optviz", "surfaces")
JIT_MODULE = "optviz.jit"  # every module that compiles code imports it (tests/test_engine_boundaries.py)
# An import statement, parenthesised names included: (from-module, names) or (None, modules)
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]+))", re.M)


def _module_file(root: Path, name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] not in PACKAGES:
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def project_imports(root: Path, name: str, packages_too: bool = True) -> set[str]:
    """The project modules ``name`` imports anywhere in its text (functions' own imports too).

    ``from a import b`` names module ``a.b`` when there is one, else ``a``.  With ``packages_too``
    the packages on the way count as well (importing ``a.b.c`` runs ``a`` and ``a.b`` first): what
    the fingerprint needs; without, only what the statements name (for the import graph's cycles).
    """
    path = _module_file(root, name)
    if path is None:
        return set()
    found = set()
    for source, names, plain in _IMPORT.findall(path.read_text(encoding="utf-8")):
        items = re.sub(r"#[^\n]*|[()]", "", names or plain).split(",")
        words = [item.split()[0] for item in items if item.strip()]  # "a as b" imports a
        if source:
            modules = [f"{source}.{w}" for w in words if _module_file(root, f"{source}.{w}")]
            found.update(modules if len(modules) == len(words) else [source, *modules])
        else:
            found.update(words)
    if packages_too:
        found |= {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 1)}
    return {m for m in found if m != name and _module_file(root, m) is not None}


def all_modules(root: Path) -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def compiled_sources(root: str | Path = _PROJECT_ROOT) -> list[str]:
    """Every module that compiled code can reach: the modules that compile (they import
    ``optviz.jit``) and, transitively, every project module they import."""
    root = Path(root)
    graph = {name: project_imports(root, name) for name in all_modules(root)}
    reached = {name for name, imports in graph.items() if JIT_MODULE in imports or name == JIT_MODULE}
    todo = list(reached)
    while todo:
        for imported in graph.get(todo.pop(), ()):
            if imported not in reached:
                reached.add(imported)
                todo.append(imported)
    return sorted(reached)


def source_fingerprint(root: str | Path = _PROJECT_ROOT) -> str:
    """The freshness key: the text, size and modification time of every module in
    ``compiled_sources`` and the Numba version.  Numba's own index checks each file's time
    and size, so a touched file gets a fresh folder too rather than a half-stale one."""
    root = Path(root)
    digest = hashlib.sha256()
    for name in compiled_sources(root):
        path = _module_file(root, name)
        info = path.stat()
        digest.update(f"{name}:{info.st_mtime_ns}:{info.st_size}\0".encode() + path.read_bytes())
    try:
        from importlib.metadata import version

        digest.update(version("numba").encode())
    except Exception:  # noqa: BLE001 - the fingerprint still covers our sources
        pass
    return digest.hexdigest()[:16]


def _writable(folder: str) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def fallback_cache_dir() -> str:
    """A per-user folder under the temp dir (another user's folder there may not be writable)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    preferred = os.path.join(tempfile.gettempdir(), f"optviz-numba-cache-{uid}")
    return preferred if _writable(preferred) else tempfile.mkdtemp(prefix="optviz-numba-cache-")


def configure() -> str:
    """Set NUMBA_CACHE_DIR to <base>/<fingerprint> and return it.

    <base> is the user's NUMBA_CACHE_DIR if set, else ``.numba_cache`` in the project when
    writable, else a per-user temp folder.
    """
    base = os.environ.get("OPTVIZ_NUMBA_CACHE_BASE") or os.environ.get("NUMBA_CACHE_DIR")
    if not base:
        local = os.path.join(_PROJECT_ROOT, ".numba_cache")
        base = local if _writable(local) else fallback_cache_dir()
    key = source_fingerprint()
    cache_dir = os.path.join(base, key)
    if not _writable(cache_dir):
        cache_dir = os.path.join(fallback_cache_dir(), key)
        os.makedirs(cache_dir, exist_ok=True)
    os.environ["OPTVIZ_NUMBA_CACHE_BASE"] = base  # child processes derive the same folder
    os.environ["NUMBA_CACHE_DIR"] = cache_dir
    if "numba" in sys.modules:  # imported already: the env var was read, set config too
        sys.modules["numba"].config.CACHE_DIR = cache_dir
    return cache_dir


CACHE_DIR = configure()
