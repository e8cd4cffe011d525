"""The route without make: build protocolc's wheel, install it into a fresh virtual environment, run it there.

This is what the README's "Installing without make" gives a user: `pip wheel --no-deps -w DIR .`, then
`pip install DIR/protocolc-*.whl` in a new virtual environment (its dependencies from PyPI, through pip's cache),
then `protocolc ...` or `python -m protocolc ...`. Every command runs in a folder outside the repository, with the
environment's own Python and nothing of this checkout on its path, so the wheel alone must be enough.

The `installed` fixture builds and installs once for the module (about a minute, mostly pip fetching); each test
then runs one command with `installed.run(...)`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import COUNCILS, REPO, SOURCE_FOLDERS

pytestmark = pytest.mark.slow

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PYPROJECT["version"]
# What is never copied into the folder the wheel is built from: outputs, environments, caches, git.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "node_modules", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"
)


def name(requirement: str) -> str:
    """A requirement's project name, normalised: 'Jinja2>=3.1.6,<4' -> 'jinja2'."""
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


@dataclass(frozen=True)
class Installed:
    """protocolc installed from its wheel into a fresh virtual environment."""

    wheel: Path
    venv: Path
    work: Path  # an empty folder outside the repository, where commands run by default
    build_log: str  # what `pip wheel` printed

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command of the environment (`protocolc`, `python`, ...) as a user with it activated would."""
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        command = [str(self.venv / "bin" / args[0]), *args[1:]]
        return subprocess.run(
            command, cwd=cwd or self.work, env=env, capture_output=True, text=True, check=False, timeout=300
        )


def pip(*args: str, python: Path | str = sys.executable, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(python), "-m", "pip", *args, "--disable-pip-version-check"]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so setuptools' build/ and *.egg-info never land in the checkout (build/ is protocolc's).
    source = base / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCES, symlinks=True)
    dist = base / "dist"
    log = pip("wheel", "--no-deps", "--wheel-dir", str(dist), str(source), cwd=base)
    [wheel] = dist.glob("protocolc-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip("install", "--quiet", str(wheel), python=venv / "bin" / "python", cwd=base)
    work = base / "work"
    work.mkdir()
    return Installed(wheel=wheel, venv=venv, work=work, build_log=log.stdout + log.stderr)


# --- the wheel -------------------------------------------------------------------------------------------------------


def test_the_wheel_builds_without_setuptools_warnings(installed: Installed) -> None:
    assert installed.wheel.name == f"protocolc-{VERSION}-py3-none-any.whl"
    assert "deprecated" not in installed.build_log.lower(), installed.build_log


def test_the_wheel_holds_the_package_its_commands_and_its_metadata(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"protocolc-{VERSION}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode("utf-8")
        entry_points = wheel.read(f"{info}/entry_points.txt").decode("utf-8")
    assert {"protocolc/__init__.py", "protocolc/__main__.py", "protocolc/cli.py"} <= names
    assert not [name for name in names if name.startswith(("tests/", "bench/", "councils/", "scripts/"))]
    assert "[console_scripts]\nprotocolc = protocolc.cli:main" in entry_points
    assert "License-Expression: MIT" in metadata
    assert "Requires-Python: >=3.11" in metadata
    requires = [line.split(":", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    run_time = {name(r) for r in requires if "extra ==" not in r}
    assert run_time == {name(r) for r in PYPROJECT["dependencies"]}


# --- running it ------------------------------------------------------------------------------------------------------


def test_it_runs_from_the_environment_not_from_this_checkout(installed: Installed) -> None:
    result = installed.run("python", "-c", "import protocolc; print(protocolc.__file__)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(installed.venv), result.stdout


def test_python_m_protocolc_version(installed: Installed) -> None:
    result = installed.run("python", "-m", "protocolc", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"version {VERSION}")


def test_protocolc_help(installed: Installed) -> None:
    result = installed.run("protocolc", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: protocolc [OPTIONS] COMMAND [ARGS]...")
    for command in ("build", "check", "diff", "list", "status"):
        assert f"\n  {command} " in result.stdout


def test_installed_protocolc_builds_a_council_like_the_checkout(installed: Installed) -> None:
    """The project's sources, copied out; the installed protocolc builds them into the same Markdown."""
    project = installed.work / "councils-repo"
    for folder in SOURCE_FOLDERS:
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, project / folder)
    result = installed.run("protocolc", "build", COUNCILS[0], "--format", "md", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    built = (project / "build" / COUNCILS[0] / "protocol.md").read_text(encoding="utf-8")
    assert built == (REPO / "tests" / "golden" / f"{COUNCILS[0]}.md").read_text(encoding="utf-8")
