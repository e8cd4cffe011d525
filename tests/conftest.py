"""Shared fixtures: a fixture project under tests/fixtures/project (a frozen copy of the library and the five
seed councils, so the library can change without changing the unit tests), the real project for the
acceptance tests (goldens, fidelity), and throw-away copies of the fixture project to edit."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from protocolc import api
from protocolc.errors import ProtocolError
from protocolc.formats import FORMATS, Job
from protocolc.layout import lay_out
from protocolc.load import load_council, load_library
from protocolc.model import Council, Document, Library
from protocolc.project import Project, find_project

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"
SOURCE_FOLDERS = ("clauses", "councils")
COUNCILS = ["cottingham", "duston", "hexham", "langport", "mumbles"]  # the five seed councils, named explicitly
FACTS = ("name", "kind", "clerk", "contact", "county_association", "terms")

# The head of a small document file; tests append 'sections:' / 'changes:' to it.
TINY = """\
numbering:
  levels: ["1.", "1.1", "a)"]
versions:
  - version: "1"
    adopted: 2024-01-15
"""
TINY_COUNCIL = """\
name: Tiny Parish Council
kind: parish
"""


def split_legacy(text: str) -> tuple[str, str]:
    """A one-file council (facts and document together) -> (council.yaml text, document text).

    Top-level blocks whose key is a fact go to council.yaml; everything else, comments included, stays.
    """
    council: list[str] = []
    document: list[str] = []
    target = document
    for line in text.splitlines(keepends=True):
        key = line.split(":", 1)[0] if line[:1].isalpha() and ":" in line else None
        if key is not None:
            target = council if key in FACTS else document
        target.append(line)
    return "".join(council), "".join(document)


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
    """The fixture project: unit tests read it, never edit it (use tmp_project to edit)."""
    return find_project(explicit=FIXTURE)


@pytest.fixture(scope="session")
def real_project() -> Project:
    """This repository's own library and councils: for the acceptance tests that name the seed councils."""
    return find_project(explicit=REPO)


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

    def council_file(self, council_id: str, text: str, document: str = "protocol") -> Path:
        """Write a council given as one file (facts and document together) as council.yaml and the document file.

        Returns the document file. Facts missing from `text` come from TINY_COUNCIL.
        """
        text = textwrap.dedent(text)
        facts, body = split_legacy(text)
        if "name:" not in facts and "kind:" not in facts:
            facts = TINY_COUNCIL + facts
        self.write(f"councils/{council_id}/council.yaml", facts)
        return self.write(f"councils/{council_id}/{document}.yaml", body)

    def tiny(self, tail: str = "", council_id: str = "tiny") -> Path:
        """A small council: TINY_COUNCIL's facts and a document of TINY followed by the dedented tail.

        Facts in the tail (e.g. 'terms:') go to council.yaml after TINY_COUNCIL's; the document file is returned.
        """
        facts, body = split_legacy(textwrap.dedent(tail))
        self.write(f"councils/{council_id}/council.yaml", TINY_COUNCIL + facts)
        return self.write(f"councils/{council_id}/protocol.yaml", TINY + body)

    def library(self) -> Library:
        return load_library(self.root)

    def council(self, council_id: str = "tiny") -> Council:
        return load_council(self.root / "councils" / council_id, self.root, self.library())

    def document(self, council_id: str = "tiny", document_id: str = "protocol") -> Document:
        return self.workspace().document(council_id, document_id)

    def workspace(self) -> api.Workspace:
        return api.Workspace.open(self.project)

    def render(self, fmt: str, council_id: str = "tiny") -> str:
        ws = self.workspace()
        return Job(lay_out(ws.document(council_id)), ws.templates, FORMATS).output(fmt).decode("utf-8")

    def markdown(self, council_id: str = "tiny") -> str:
        return self.render("md", council_id)

    def html(self, council_id: str = "tiny") -> str:
        return self.render("html", council_id)


def copy_project(target: Path, source: Path = FIXTURE) -> TmpProject:
    """A copy of the fixture project (or of another project's clauses/ and councils/) to edit."""
    for folder in SOURCE_FOLDERS:
        shutil.copytree(source / folder, target / folder)
    return TmpProject(target)


@pytest.fixture
def tmp_project(tmp_path: Path) -> TmpProject:
    return copy_project(tmp_path / "project")
