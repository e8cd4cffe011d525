"""project.py: finding the project folder and turning what a clerk types into a council file, safely."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import only_problem

from protocolc.errors import ProtocolError
from protocolc.project import Project, find_project


@pytest.mark.parametrize(
    "bad",
    ["../../etc", "../councils/hexham", "/etc/passwd", "hexham.yaml", "Hexham", "hex ham", "", "-hexham", "a" * 65],
)
def test_council_path_refuses_anything_but_a_plain_id(project: Project, bad: str):
    with pytest.raises(ProtocolError) as info:
        project.council_path(bad)
    problem = only_problem(info.value)
    assert problem.message == f"'{bad}' is not a council id"
    assert problem.source is None
    assert problem.hint.startswith("a council id is the name of a file in councils/ without '.yaml'")


def test_council_path_of_a_known_council(project: Project):
    assert project.council_path("hexham") == project.root / "councils" / "hexham.yaml"
    assert project.council_path("hexham").is_file()


def test_council_path_suggests_a_close_id(project: Project):
    with pytest.raises(ProtocolError) as info:
        project.council_path("hexam")
    problem = only_problem(info.value)
    assert problem.message == "no council 'hexam' in councils/ (did you mean 'hexham'?)"
    assert problem.hint is None


def test_council_path_with_nothing_close(project: Project):
    with pytest.raises(ProtocolError) as info:
        project.council_path("zzzzzz")
    problem = only_problem(info.value)
    assert problem.message == "no council 'zzzzzz' in councils/"
    assert problem.hint == "run 'protocolc list' to see the councils"


def test_council_path_refuses_a_folder_named_like_a_council(tmp_path: Path):
    (tmp_path / "councils" / "odd.yaml").mkdir(parents=True)
    with pytest.raises(ProtocolError):
        Project(tmp_path).council_path("odd")


def test_council_ids_skip_files_that_are_not_ids(tmp_path: Path):
    councils = tmp_path / "councils"
    councils.mkdir()
    for name in ("b.yaml", "a-1.yaml", "Bad Name.yaml", ".hidden.yaml", "notes.txt", "UPPER.yaml"):
        (councils / name).write_text("name: x\n")
    assert Project(tmp_path).council_ids() == ["a-1", "b"]


def test_real_council_ids(project: Project):
    assert project.council_ids() == ["cottingham", "duston", "hexham", "langport", "mumbles"]
    assert project.clauses == project.root / "clauses"
    assert project.templates == project.root / "templates"


def test_find_project_from_a_subfolder(project: Project):
    assert find_project(start=project.root / "clauses").root == project.root
    assert find_project(start=project.root / "councils").root == project.root


def test_find_project_from_a_deep_subfolder(tmp_path: Path):
    (tmp_path / "councils").mkdir()
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_project(start=deep).root == tmp_path.resolve()


def test_find_project_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "councils").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert find_project().root == tmp_path.resolve()


def test_find_project_nowhere(tmp_path: Path):
    with pytest.raises(ProtocolError) as info:
        find_project(start=tmp_path)
    problem = only_problem(info.value)
    assert problem.message == (
        f"no protocolc project here: neither {tmp_path.resolve()} nor any folder above it has a councils/ folder"
    )
    assert problem.hint == "run protocolc inside a project, or give --project DIR"


def test_explicit_project_must_hold_councils(tmp_path: Path):
    with pytest.raises(ProtocolError) as info:
        find_project(explicit=tmp_path)
    problem = only_problem(info.value)
    assert problem.message == f"{tmp_path} is not a protocolc project: it has no councils/ folder"
    assert problem.hint == "point --project at the folder that holds clauses/, councils/ and templates/"


def test_explicit_project_is_not_searched_upwards(project: Project):
    with pytest.raises(ProtocolError):
        find_project(explicit=project.root / "clauses")


def test_explicit_project_wins_over_the_current_folder(project: Project, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_project(explicit=project.root).root == project.root
