"""Pick a writable Numba cache directory before any kernel is decorated.

Numba chooses a cache locator when a ``cache=True`` function is *decorated*, so this
module must run before ``surfaces`` or the engine are imported.  A read-only source
tree (some hosts mount the app read-only) would otherwise fail with
"no locator available".
"""

from __future__ import annotations

import os
import sys
import tempfile

_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _source_tree_writable() -> bool:
    for package in ("optviz", "surfaces"):
        folder = os.path.join(_PROJECT_ROOT, package)
        pycache = os.path.join(folder, "__pycache__")
        target = pycache if os.path.isdir(pycache) else folder
        if not os.access(target, os.W_OK):
            return False
    return True


def fallback_cache_dir() -> str:
    """A per-user folder under the temp dir (another user's folder there may not be writable)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    preferred = os.path.join(tempfile.gettempdir(), f"optviz-numba-cache-{uid}")
    try:
        os.makedirs(preferred, exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="optviz-numba-cache-")


def configure() -> str | None:
    """Set NUMBA_CACHE_DIR when the user has not and the source tree is read-only.

    Returns the directory chosen, or None when Numba's default (``__pycache__``) is used.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    if _source_tree_writable():
        return None
    cache_dir = fallback_cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = cache_dir
    if "numba" in sys.modules:  # imported already: the env var was read, set config too
        sys.modules["numba"].config.CACHE_DIR = cache_dir
    return cache_dir


CACHE_DIR = configure()
