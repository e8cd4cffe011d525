"""`make build` and `make test` set-up (Makefile, scripts/venv.sh): the Python check, remaking a wrong .venv, and
which packages each installs.

A Python older than 3.11 is played by a wrapper around this Python that reports version 3.10.13 to the version
check, so the tests run wherever the suite does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

VENV_SH = REPO / "scripts" / "venv.sh"
FAKE_VERSION = "(3, 10, 13, 'final', 0)"


def base_python() -> str:
    """The real interpreter behind this test run's virtual environment."""
    return str(Path(getattr(sys, "_base_executable", sys.executable)).resolve())


def old_python(path: Path) -> Path:
    """A `python` that claims to be 3.10.13 to any `-c` code it runs (and really runs that code)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = -c ]; then exec {base_python()} -c "import sys; sys.version_info = {FAKE_VERSION}\n$2"; fi\n'
        f'exec {base_python()} "$@"\n',
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MFLAGS"}}
    return env


def venv_sh(project: Path, python: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(project / "scripts" / "venv.sh"), str(python), str(project / ".venv"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=environment(),
        cwd=project,
    )


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A project with venv.sh and a one-module package with no dependencies, so installing it takes seconds."""
    root = tmp_path / "tiny"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(VENV_SH, root / "scripts" / "venv.sh")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "tinyproject"\nversion = "1"\nrequires-python = ">=3.11"\n\n'
        '[tool.setuptools]\npy-modules = ["tinyproject"]\n',
        encoding="utf-8",
    )
    (root / "tinyproject.py").write_text("GREETING = 'hello'\n", encoding="utf-8")
    return root


def venv_version(project: Path) -> str:
    python = project / ".venv" / "bin" / "python"
    code = "import sys, tinyproject; print('%d.%d' % sys.version_info[:2], tinyproject.GREETING)"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd="/").stdout.strip()


# --- the Python check ----------------------------------------------------------------------------------------------


def test_a_python_older_than_3_11_stops_with_one_line_before_anything_is_made(tiny: Path) -> None:
    result = venv_sh(tiny, old_python(tiny.parent / "bin" / "python3.10"))
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "needs Python 3.11 or newer" in line and "is Python 3.10.13" in line
    assert "make build PYTHON=" in line
    assert not (tiny / ".venv").exists()


def test_a_missing_python_stops_with_one_line(tiny: Path) -> None:
    result = venv_sh(tiny, "no-such-python3.11")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "no Python called 'no-such-python3.11'" in line and "PYTHON=" in line
    assert not (tiny / ".venv").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_build_with_an_old_python_stops_before_building(tmp_path: Path) -> None:
    """The real Makefile: the check runs first, so neither the system libraries nor protocolc build are reached."""
    python = old_python(tmp_path / "python3.10")
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "build", f"PYTHON={python}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=environment(),
    )
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert "needs Python 3.11 or newer" in lines[0] and "is Python 3.10.13" in lines[0]
    assert "protocolc build" not in result.stdout + result.stderr
    assert "system-deps" not in result.stdout + result.stderr


# --- remaking a wrong .venv --------------------------------------------------------------------------------------


@pytest.mark.slow  # makes two virtual environments and runs pip three times
def test_a_wrong_venv_is_made_again_and_pip_runs_only_when_pyproject_changes(tiny: Path) -> None:
    venv = tiny / ".venv"
    old_python(venv / "bin" / "python")
    (venv / "bin" / "python3.10").touch()
    result = venv_sh(tiny, base_python())
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv was made by Python 3.10.13, older than 3.11; making it again" in result.stdout
    assert "installing" in result.stdout
    assert not (venv / "bin" / "python3.10").exists()
    assert venv_version(tiny) == "{}.{} hello".format(*sys.version_info[:2])

    # Done once: the next run has nothing to do and says nothing.
    again = venv_sh(tiny, base_python())
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")

    # A changed pyproject.toml installs again into the same .venv.
    pyproject = tiny / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('version = "1"', 'version = "2"'), "utf-8")
    changed = venv_sh(tiny, base_python())
    assert changed.returncode == 0, changed.stderr
    assert "installing" in changed.stdout and "making it again" not in changed.stdout
    assert len(list(venv.glob(".installed-run-*"))) == 1

    # A .venv whose Python has gone (upgraded or removed) is made again too.
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").symlink_to(tiny / "python3.12-since-removed")
    gone = venv_sh(tiny, base_python())
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert ".venv has no working Python" in gone.stdout
    assert venv_version(tiny) == "{}.{} hello".format(*sys.version_info[:2])


# --- what each target installs -----------------------------------------------------------------------------------

# pypdf is not among them: it is a run-time dependency (protocolc import reads PDFs).
TEST_ONLY = {"pytest", "hypothesis", "jsonschema", "ruff", "playwright", "pdfua", "check-jsonschema"}


def requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        name = requirement.split(";")[0]
        for mark in "<>=!~[ ":
            name = name.split(mark)[0]
        names.add(name.lower())
    return names


def test_build_installs_run_time_dependencies_and_test_adds_the_test_extra() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    run_time = requirement_names(pyproject["dependencies"])
    assert "weasyprint" in run_time and not run_time & TEST_ONLY
    assert requirement_names(pyproject["optional-dependencies"]["test"]) >= TEST_ONLY


def make_dry_run(target: str) -> list[str]:
    """The commands `make TARGET` would run, in order (make -n runs none of them)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(REPO), target, "PYTHON=python3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=environment(),
    )
    return result.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_build_installs_no_extra_and_make_test_the_test_extra_before_testing() -> None:
    build = make_dry_run("build")
    assert build[0] == 'sh scripts/venv.sh "python3" .venv'  # the Python check comes first
    assert not any(" test" in line for line in build)
    test = make_dry_run("test")
    extra = test.index('sh scripts/venv.sh "python3" .venv test')
    assert extra < test.index("sh scripts/test-deps.sh") < test.index(".venv/bin/python -m pytest")


def test_pyproject_license_is_an_spdx_expression() -> None:
    """The string form: setuptools (>= 77) prints a deprecation block for the old `{ text = ... }` table."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in pyproject["build-system"]["requires"])


def test_vscode_recommends_the_yaml_extension_that_reads_the_schemas() -> None:
    """VS Code offers redhat.vscode-yaml on opening the folder; it reads each file's `$schema=` modeline."""
    extensions = json.loads((REPO / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert extensions == {"recommendations": ["redhat.vscode-yaml"]}
