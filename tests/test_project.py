"""project.py: finding the project folder and turning what a clerk types into council and document files, safely."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import COUNCILS, TmpProject, only_problem

from protocolc.errors import ProtocolError
from protocolc.project import Project, find_project, split_name

BAD_IDS = [
    "../../etc",
    "../councils/hexham",
    "/etc/passwd",
    "hexham.yaml",
    "Hexham",
    "hex ham",
    "",
    "-hexham",
    "a" * 65,
]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_council_folder_refuses_anything_but_a_plain_id(project: Project, bad: str) -> None:
    with pytest.raises(ProtocolError) as info:
        project.council_folder(bad)
    problem = only_problem(info.value)
    assert problem.message == f"'{bad}' is not a council id"
    assert problem.source is None
    assert problem.hint.startswith("a council id is the name of a folder in councils/")


def test_council_folder_of_a_known_council(project: Project) -> None:
    assert project.council_folder("hexham") == project.root / "councils" / "hexham"
    assert (project.council_folder("hexham") / "council.yaml").is_file()


def test_council_folder_suggests_a_close_id(project: Project) -> None:
    with pytest.raises(ProtocolError) as info:
        project.council_folder("hexam")
    problem = only_problem(info.value)
    assert problem.message == "no council 'hexam' in councils/ (did you mean 'hexham'?)"
    assert problem.hint is None


def test_council_folder_with_nothing_close(project: Project) -> None:
    with pytest.raises(ProtocolError) as info:
        project.council_folder("zzzzzz")
    problem = only_problem(info.value)
    assert problem.message == "no council 'zzzzzz' in councils/"
    assert problem.hint == "run 'protocolc list' to see the councils"


def test_council_folder_refuses_a_file_named_like_a_council(tmp_path: Path) -> None:
    (tmp_path / "councils").mkdir()
    (tmp_path / "councils" / "odd").write_text("name: x\n")
    with pytest.raises(ProtocolError) as info:
        Project(tmp_path).council_folder("odd")
    assert only_problem(info.value).message == "no council 'odd' in councils/"


def test_council_ids_skip_entries_that_are_not_id_folders(tmp_path: Path) -> None:
    councils = tmp_path / "councils"
    councils.mkdir()
    for name in ("b", "a-1", "Bad Name", ".hidden", "UPPER", "c.yaml"):
        (councils / name).mkdir()
    (councils / "notes").write_text("a file, not a council folder\n")
    assert Project(tmp_path).council_ids() == ["a-1", "b"]


def test_council_ids_without_a_councils_folder(tmp_path: Path) -> None:
    assert Project(tmp_path).council_ids() == []


def test_fixture_council_ids(project: Project) -> None:
    assert project.council_ids() == COUNCILS
    assert project.clauses == project.root / "clauses"
    assert project.councils == project.root / "councils"
    assert project.templates == project.root / "templates"


# --- document files -------------------------------------------------------------------------------


def test_document_path_of_a_known_document(project: Project) -> None:
    assert project.document_path("hexham", "protocol") == project.root / "councils" / "hexham" / "protocol.yaml"
    assert project.document_path("hexham", "protocol").is_file()


@pytest.mark.parametrize("bad", ["../council", "protocol.yaml", "Protocol", "", "-protocol", "a/b"])
def test_document_path_refuses_anything_but_a_plain_id(project: Project, bad: str) -> None:
    with pytest.raises(ProtocolError) as info:
        project.document_path("hexham", bad)
    problem = only_problem(info.value)
    assert problem.message == f"'{bad}' is not a document id"
    assert problem.source is None
    assert problem.hint.startswith("a document id is the name of a file beside council.yaml")


def test_document_path_checks_the_council_first(project: Project) -> None:
    with pytest.raises(ProtocolError) as info:
        project.document_path("hexam", "protocol")
    assert only_problem(info.value).message == "no council 'hexam' in councils/ (did you mean 'hexham'?)"


def test_document_path_suggests_a_close_document(project: Project) -> None:
    with pytest.raises(ProtocolError) as info:
        project.document_path("hexham", "protocl")
    problem = only_problem(info.value)
    assert problem.message == "council 'hexham' has no document 'protocl' (did you mean 'protocol'?)"
    assert problem.hint is None


def test_document_path_with_nothing_close_lists_the_documents(project: Project) -> None:
    with pytest.raises(ProtocolError) as info:
        project.document_path("hexham", "standing-orders")
    problem = only_problem(info.value)
    assert problem.message == "council 'hexham' has no document 'standing-orders'"
    assert problem.hint == "its documents: protocol"


def test_council_yaml_is_not_a_document(project: Project) -> None:
    with pytest.raises(ProtocolError) as info:
        project.document_path("hexham", "council")
    assert only_problem(info.value).message.startswith("council 'hexham' has no document 'council'")


def test_document_path_of_a_council_without_documents(tmp_path: Path) -> None:
    (tmp_path / "councils" / "new").mkdir(parents=True)
    (tmp_path / "councils" / "new" / "council.yaml").write_text("name: New\nkind: parish\n")
    with pytest.raises(ProtocolError) as info:
        Project(tmp_path).document_path("new", "protocol")
    problem = only_problem(info.value)
    assert problem.message == "council 'new' has no document 'protocol'"
    assert problem.hint == "its documents: none yet"


# --- names a clerk types: 'hexham' or 'hexham/protocol' ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hexham", ("hexham", None)),
        ("hexham/protocol", ("hexham", "protocol")),
        ("st-ives-2/standing-orders", ("st-ives-2", "standing-orders")),
    ],
)
def test_split_name(name: str, expected: tuple[str, str | None]) -> None:
    assert split_name(name) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Hexham",
        "hexham/",
        "/protocol",
        "hexham//protocol",
        "hexham/protocol/extra",
        "hexham/Protocol",
        "../hexham",
        "hexham/../duston",
        "hexham.yaml",
        "hexham/protocol.yaml",
        "hex ham",
        "-hexham",
        "hexham/-protocol",
        "a" * 65,
        "hexham/" + "a" * 65,
    ],
)
def test_split_name_refuses_bad_names(bad: str) -> None:
    with pytest.raises(ProtocolError) as info:
        split_name(bad)
    problem = only_problem(info.value)
    assert problem.message == f"'{bad}' is not a council or document name"
    assert problem.source is None
    assert "hexham/protocol" in problem.hint
    assert "a folder of councils/" in problem.hint


# --- finding the project -------------------------------------------------------------------------------


def test_find_project_from_a_subfolder(project: Project) -> None:
    assert find_project(start=project.root / "clauses").root == project.root
    assert find_project(start=project.root / "councils").root == project.root
    assert find_project(start=project.root / "councils" / "hexham").root == project.root


def test_find_project_from_a_deep_subfolder(tmp_path: Path) -> None:
    (tmp_path / "councils").mkdir()
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_project(start=deep).root == tmp_path.resolve()


def test_find_project_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "councils").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert find_project().root == tmp_path.resolve()


def test_find_project_nowhere(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError) as info:
        find_project(start=tmp_path)
    problem = only_problem(info.value)
    assert problem.message == (
        f"no protocolc project here: neither {tmp_path.resolve()} nor any folder above it has a councils/ folder"
    )
    assert problem.hint == "run protocolc inside a project, or give --project DIR"


def test_explicit_project_must_hold_councils(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError) as info:
        find_project(explicit=tmp_path)
    problem = only_problem(info.value)
    assert problem.message == f"{tmp_path} is not a protocolc project: it has no councils/ folder"
    assert problem.hint == "point --project at the folder that holds clauses/, councils/ and templates/"


def test_explicit_project_is_not_searched_upwards(project: Project) -> None:
    with pytest.raises(ProtocolError):
        find_project(explicit=project.root / "clauses")


def test_explicit_project_wins_over_the_current_folder(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_project(explicit=project.root).root == project.root


# --- names through the workspace: what commands accept ---------------------------------------------------------


def test_workspace_names_expand_councils_to_their_documents(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    tmp_project.write("councils/tiny/standing-orders.yaml", "versions: []\n")
    ws = tmp_project.workspace()
    assert ws.names(["tiny", "duston/protocol", "tiny/protocol"]) == [
        ("tiny", "protocol"),
        ("tiny", "standing-orders"),
        ("duston", "protocol"),
    ]
    assert ws.names(None) == [(c, "protocol") for c in COUNCILS] + [
        ("tiny", "protocol"),
        ("tiny", "standing-orders"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Hexham", "'Hexham' is not a council or document name"),
        ("hexam", "no council 'hexam' in councils/ (did you mean 'hexham'?)"),
        ("hexham/protocl", "council 'hexham' has no document 'protocl' (did you mean 'protocol'?)"),
        ("hexham/council", "council 'hexham' has no document 'council'"),
    ],
)
def test_workspace_names_refuse_what_is_not_there(tmp_project: TmpProject, name: str, message: str) -> None:
    with pytest.raises(ProtocolError) as info:
        tmp_project.workspace().names([name])
    assert only_problem(info.value).message == message


def test_workspace_names_a_council_without_documents(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/new/council.yaml", "name: New Parish Council\nkind: parish\n")
    with pytest.raises(ProtocolError) as info:
        tmp_project.workspace().names(["new"])
    problem = only_problem(info.value)
    assert problem.message == "council 'new' has no documents"
    assert problem.source is not None and problem.source.path == "councils/new/council.yaml"
    assert problem.hint == "add a document file beside its council.yaml, e.g. councils/new/protocol.yaml"
