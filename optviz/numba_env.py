"""Pick the Numba cache directory before any kernel is decorated.

Two problems with Numba's default (``__pycache__`` beside each source file):

* Numba invalidates a cached function only when *its own* file changes.  The trajectory
  kernel inlines surfaces, optimizers and schedules from other files, so editing one of
  those would leave a stale kernel running the old code.  The cache therefore lives in a
  folder named by a fingerprint of every source file that holds compiled code.
* A read-only source tree (some hosts mount the app read-only) fails with "no locator
  available"; then the cache goes to a per-user temp folder.

Numba chooses its cache locator when a ``cache=True`` function is *decorated*, so this
module must run before ``surfaces`` or the engine are imported.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile

_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGES = ("optviz", "surfaces")


def source_fingerprint() -> str:
    """Hash of every project file that defines compiled code (and the Numba version)."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for folder, dirs, files in sorted(os.walk(os.path.join(_PROJECT_ROOT, package))):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as source:
                        text = source.read()
                    if b"njit" in text:
                        digest.update(name.encode() + b"\0" + text)
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
    cache_dir = os.path.join(base, source_fingerprint())
    if not _writable(cache_dir):
        cache_dir = os.path.join(fallback_cache_dir(), source_fingerprint())
        os.makedirs(cache_dir, exist_ok=True)
    os.environ["OPTVIZ_NUMBA_CACHE_BASE"] = base  # child processes derive the same folder
    os.environ["NUMBA_CACHE_DIR"] = cache_dir
    if "numba" in sys.modules:  # imported already: the env var was read, set config too
        sys.modules["numba"].config.CACHE_DIR = cache_dir
    return cache_dir


CACHE_DIR = configure()
