"""Community Cloud readiness: read-only source trees, concurrent sessions, fresh installs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import optviz
from optviz.engine.simulate import RunSpec, simulate_batch

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import os, optviz; t = optviz.simulate('rosenbrock', 'adam', steps=50, lr=0.05); "
    "print(os.environ.get('NUMBA_CACHE_DIR')); print(t.outcome.kind)"
)
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "OPTVIZ_NUMBA_CACHE_BASE")}


def _copy_project(target: Path) -> Path:
    for name in ("optviz", "surfaces"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _probe(tree: Path) -> subprocess.CompletedProcess:
    env = dict(CLEAN_ENV, PYTHONPATH=str(tree))
    return subprocess.run([sys.executable, "-c", PROBE], cwd="/", env=env, capture_output=True, text=True, timeout=300)


def _read_only_view(tree: Path, mount_point: Path) -> bool:
    """A read-only bind mount (root ignores file modes, so chmod alone proves nothing as root)."""
    mount_point.mkdir()
    if os.geteuid() != 0:
        for path in [tree, *tree.rglob("*")]:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
        mount_point.rmdir()
        mount_point.symlink_to(tree)
        return True
    bound = subprocess.run(["mount", "--bind", str(tree), str(mount_point)], capture_output=True)
    if bound.returncode != 0:
        return False
    subprocess.run(["mount", "-o", "remount,bind,ro", str(mount_point)], check=True)
    return True


def test_read_only_source_tree_falls_back_to_a_temp_numba_cache(tmp_path):
    tree = _copy_project(tmp_path / "app")
    view = tmp_path / "read_only"
    if not _read_only_view(tree, view):
        pytest.skip("cannot make a read-only view of the tree here")
    try:
        assert not os.access(view / "optviz", os.W_OK)
        result = _probe(view)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(view)])
        else:
            for path in [tree, *tree.rglob("*")]:
                os.chmod(path, 0o755)
    assert result.returncode == 0, result.stderr[-2000:]
    cache_dir, outcome = result.stdout.split()[-2:]
    assert cache_dir.startswith(tempfile.gettempdir()) and "optviz-numba-cache" in cache_dir
    assert outcome in ("ran_all_steps", "converged")


def test_writable_tree_caches_in_the_project_by_fingerprint():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(CLEAN_ENV, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from optviz.numba_env import source_fingerprint

    assert result.stdout.split()[-2] == str(ROOT / ".numba_cache" / source_fingerprint())


def test_editing_an_inlined_file_changes_the_cache_folder(tmp_path):
    """Numba only notices edits to a function's own file; the fingerprint covers the rest."""
    tree = _copy_project(tmp_path / "app")
    probe = "import optviz.numba_env as e; print(e.source_fingerprint())"
    env = dict(CLEAN_ENV, PYTHONPATH=str(tree))
    before = subprocess.run([sys.executable, "-c", probe], env=env, cwd="/", capture_output=True, text=True).stdout
    with open(tree / "optviz" / "optimizers" / "adam.py", "a") as source:
        source.write("\n# an edit\n")
    after = subprocess.run([sys.executable, "-c", probe], env=env, cwd="/", capture_output=True, text=True).stdout
    assert before.strip() and before != after


def test_concurrent_sessions_get_the_same_answers_as_serial_ones():
    runs = [
        RunSpec("adam", {"lr": 0.05}),
        RunSpec("sgd", {"lr": 0.1}, gradient="minibatch", gradient_value=4, seed=3),
        RunSpec("rmsprop", {"lr": 0.01}, schedule="cosine", schedule_params={"T_max": 200}),
    ]
    expected = [t.path for t in simulate_batch("noisy_bowl", runs, 500)]
    failures: list[BaseException] = []

    def session():
        try:
            for _ in range(20):
                got = [t.path for t in simulate_batch("noisy_bowl", runs, 500)]
                assert all(np.array_equal(a, b) for a, b in zip(got, expected))
        except BaseException as err:  # noqa: BLE001 - collected and re-raised below
            failures.append(err)

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]


def test_kernels_release_the_gil():
    """nogil kernels let Streamlit sessions (threads) compute at the same time."""
    from optviz.engine.kernel import run_batch
    from optviz.engine.landscape import _loss_grid

    assert run_batch.targetoptions.get("nogil") and _loss_grid.targetoptions.get("nogil")
    assert optviz.simulate("booth", "sgd", lr=0.05).outcome.kind == "converged"


VERSIONS = ("3.11", "3.12")  # Community Cloud offers both


def _python(version: str) -> str | None:
    candidates = sorted(Path(os.path.expanduser("~/.pyenv/versions")).glob(f"{version}.*/bin/python"))
    return str(candidates[-1]) if candidates else shutil.which(f"python{version}")


def _fresh_venv(python: str, venv: Path) -> str | None:
    """``python -m venv`` and ``pip install -r requirements.txt``; pip's error, if any."""
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements.txt")],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return None if pip.returncode == 0 else pip.stderr[-3000:]


@pytest.fixture(scope="module")
def fresh_venvs(tmp_path_factory) -> dict[str, tuple[Path, str | None]]:
    """Both versions' environments, installed side by side (pip is mostly one core and the disk)."""
    pythons = {version: _python(version) for version in VERSIONS}
    with ThreadPoolExecutor(len(VERSIONS)) as pool:
        venvs = {version: tmp_path_factory.mktemp(f"venv{version}") / "venv" for version in VERSIONS}
        installs = {
            version: pool.submit(_fresh_venv, python, venvs[version]) for version, python in pythons.items() if python
        }
        return {version: (venvs[version], install.result()) for version, install in installs.items()}


@pytest.mark.parametrize("version", VERSIONS)
def test_fresh_virtualenv_with_only_requirements_starts_the_app(version, fresh_venvs):
    """What Community Cloud does: a clean environment, `pip install -r requirements.txt`, run."""
    if version not in fresh_venvs:
        if os.environ.get("CI"):
            pytest.fail(f"Python {version} not found (pyenv has it on this machine kind)")
        pytest.skip(f"Python {version} is not installed")
    venv, pip_error = fresh_venvs[version]
    assert pip_error is None, pip_error
    from optviz.serve import start_streamlit, stop

    process, url = start_streamlit(
        ROOT / "app.py",
        env={"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)},
        python=str(venv / "bin" / "python"),
    )
    try:
        import urllib.request

        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read().strip() == b"ok"
        # the script itself must run there too: AppTest inside the venv
        check = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "from streamlit.testing.v1 import AppTest; at = AppTest.from_file('app.py', "
                "default_timeout=300).run(); "
                "assert not at.exception, [e.value for e in at.exception]; print(len(at.get('plotly_chart')))",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert check.returncode == 0, check.stderr[-3000:]
        assert int(check.stdout.split()[-1]) >= 1  # the open tab: the Paths figure (map and 3-D view)
    finally:
        stop(process)
