"""A newcomer's first hour: `pip install .` gives a package that imports from anywhere, and the
README's set-up commands, Python example and bench commands are the ones that work."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGES = ("optviz", "surfaces")
APP_COMMAND = "pip install -r requirements.txt && streamlit run app.py"
TEST_COMMAND = "pip install -r requirements-dev.txt && python -m pytest -q"
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "OPTVIZ_NUMBA_CACHE_BASE")}


def _modules(tree: Path) -> set[str]:
    return {
        path.relative_to(tree).as_posix()
        for package in PACKAGES
        for path in (tree / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip install .` would install, built from a copy (a build in the clone leaves
    build/ and *.egg-info behind)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    # offline and in seconds when this environment has setuptools; else pip fetches it, as `pip install .` does
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, str(source), "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return next(out.glob("optviz-*.whl"))


def test_the_wheel_holds_every_module_and_no_tests(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.endswith(".py")}
    assert shipped == _modules(ROOT), shipped ^ _modules(ROOT)


def test_the_installed_package_imports_and_runs_from_another_folder(wheel, tmp_path):
    """Every module imports from the installed copy with the clone out of sight (cwd /), and a
    run works there; interpreted (NUMBA_DISABLE_JIT), so the test does not pay a compile.  The
    two page scripts are compiled, not imported: importing one draws its page, and /network's
    would train its lesson's networks interpreted (four minutes)."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (  # a page script runs its page when imported: found and compiled, not run
        "import importlib, importlib.util, os, pkgutil, optviz, surfaces\n"
        "for p in (optviz, surfaces):\n"
        "    for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'):\n"
        "        if m.name.startswith('optviz.ui.page_'):\n"
        "            origin = importlib.util.find_spec(m.name).origin\n"
        "            compile(open(origin).read(), origin, 'exec')\n"
        "        else:\n"
        "            importlib.import_module(m.name)\n"
        "t = optviz.simulate('rosenbrock', 'adam', steps=20, lr=0.05)\n"
        "print(optviz.__file__, os.environ['NUMBA_CACHE_DIR'], t.outcome.kind)\n"
    )
    env = dict(CLEAN_ENV, PYTHONPATH=str(target), NUMBA_DISABLE_JIT="1")
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd="/", env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    module, cache_dir, outcome = result.stdout.split()[-3:]
    assert Path(module) == target / "optviz" / "__init__.py"
    assert os.access(cache_dir, os.W_OK)  # a writable Numba cache, wherever the package landed
    assert outcome == "ran_all_steps"


def test_the_package_needs_what_requirements_txt_lists():
    """pyproject's dependencies and requirements.txt (what Community Cloud installs) agree."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    required = {line.split("#")[0].strip() for line in lines} - {""}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) == required


def test_the_readme_opens_with_what_optviz_is_then_the_two_commands():
    intro, _, rest = README.partition("```bash")
    assert "optviz" in intro and "![" in intro  # what it is, for whom, and a screenshot, first
    image = ROOT / re.search(r"!\[[^\]]*\]\(([^)]+)\)", intro).group(1)
    assert image.is_file() and image.stat().st_size < 300_000
    commands = re.findall(r"```bash\n(.*?)\n```", README, re.S)[:2]
    assert commands == [APP_COMMAND, TEST_COMMAND]
    assert "&& python -m pytest -q" in (ROOT / ".ci" / "run").read_text()  # CI runs the same suite


def test_the_readme_python_examples_run_as_written():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


def test_every_bench_command_in_the_readme_names_a_real_section():
    from optviz.bench import SECTIONS

    named = re.findall(r"python -m optviz\.bench((?: [a-z-]+)*)", README)
    assert named
    for sections in named:
        assert set(sections.split()) <= set(SECTIONS), sections
