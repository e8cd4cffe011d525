"""Shared fixtures: the real project, a loaded workspace, and throw-away copies of the project to edit."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from protocolc import api
from protocolc.errors import ProtocolError
from protocolc.load import load_council, load_library
from protocolc.model import Council, Document, Library
from protocolc.project import Project, find_project
from protocolc.resolve import resolve

REPO = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = ("clauses", "councils", "templates")
COUNCILS = ["cottingham", "duston", "hexham", "langport", "mumbles"]

# The head of a small council file; tests append 'sections:' / 'changes:' to it.
TINY = """\
name: Tiny Parish Council
kind: parish
numbering:
  sections: "1."
  clauses: "1.1"
  items: a)
versions:
  - version: "1"
    adopted: 2024-01-15
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.md from the current sources instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.update_goldens = config.getoption("--update-goldens")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def update_goldens(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.update_goldens)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def project() -> Project:
    return find_project(explicit=Path(__file__).parents[1])


@pytest.fixture(scope="session")
def workspace(project: Project) -> api.Workspace:
    return api.Workspace.open(project)


def problem_messages(exc: ProtocolError) -> list[str]:
    return [p.message for p in exc.problems]


def only_problem(exc: ProtocolError):
    """The single problem an error carries (fails the test if there are more)."""
    assert len(exc.problems) == 1, [str(p) for p in exc.problems]
    return exc.problems[0]


def find_problem(exc: ProtocolError, message: str):
    """The problem with exactly this message (fails the test, listing them all, if there is none)."""
    for problem in exc.problems:
        if problem.message == message:
            return problem
    raise AssertionError(f"no problem {message!r} among: {[str(p) for p in exc.problems]}")


def line_of(path: Path, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after `start` containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@dataclass
class TmpProject:
    """A copy of the project's sources in a temporary folder, free to edit."""

    root: Path

    @property
    def project(self) -> Project:
        return find_project(explicit=self.root)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, text: str) -> Path:
        """Overwrite any source file (e.g. 'clauses/roles.yaml') with dedented text."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def council_file(self, council_id: str, text: str) -> Path:
        """Overwrite (or create) councils/<id>.yaml with the given text."""
        return self.write(f"councils/{council_id}.yaml", text)

    def tiny(self, tail: str = "", council_id: str = "tiny") -> Path:
        """A small council file: TINY followed by the dedented tail (its 'sections:' and 'changes:')."""
        return self.council_file(council_id, TINY + textwrap.dedent(tail))

    def library(self) -> Library:
        return load_library(self.root)

    def council(self, council_id: str = "tiny") -> Council:
        return load_council(self.root / "councils" / f"{council_id}.yaml", self.root, self.library())

    def document(self, council_id: str = "tiny") -> Document:
        library = self.library()
        return resolve(library, load_council(self.root / "councils" / f"{council_id}.yaml", self.root, library))

    def workspace(self) -> api.Workspace:
        return api.Workspace.open(self.project)

    def markdown(self, council_id: str = "tiny") -> str:
        ws = self.workspace()
        return ws.renderer.markdown_text(ws.document(council_id))

    def html(self, council_id: str = "tiny") -> str:
        ws = self.workspace()
        return ws.renderer.html_text(ws.document(council_id))


def copy_project(target: Path) -> TmpProject:
    for folder in SOURCE_FOLDERS:
        shutil.copytree(REPO / folder, target / folder)
    return TmpProject(target)


@pytest.fixture
def tmp_project(tmp_path: Path) -> TmpProject:
    return copy_project(tmp_path / "project")
