"""Stage 7, the command: writes the council's files, refuses to overwrite, writes nothing on error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from protocolc.importer.command import import_command

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "import"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("clauses", "councils"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def invoke(project: Path, *args: str):
    return CliRunner().invoke(import_command, list(args), obj=project)


def files(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in (project / "councils").rglob("*") if p.is_file()}


def test_import_writes_the_pair_of_files_and_the_report(project: Path) -> None:
    result = invoke(project, str(HERE / "barsetshire.txt"), "--council", "barsetshire")
    assert result.exit_code == 0, result.output
    folder = project / "councils" / "barsetshire"
    assert sorted(p.name for p in folder.iterdir()) == ["council.yaml", "protocol.import-report.txt", "protocol.yaml"]
    assert (
        yaml.load((folder / "council.yaml").read_text(), Loader=yaml.BaseLoader)["name"] == "Barsetshire Parish Council"
    )
    assert "wrote " in result.output and "exact 9" in result.output


def test_document_option_names_the_file(project: Path) -> None:
    shutil.copytree(project / "clauses" / "protocol", project / "clauses" / "code")  # a second document type
    result = invoke(project, str(HERE / "barsetshire.txt"), "--council", "barsetshire", "--document", "code")
    assert result.exit_code == 0, result.output
    assert (project / "councils" / "barsetshire" / "code.yaml").is_file()


def test_a_document_type_the_library_lacks_is_refused(project: Path) -> None:
    result = invoke(project, str(HERE / "barsetshire.txt"), "--council", "barsetshire", "--document", "standing-orders")
    assert result.exit_code == 1
    assert "the library has no document type 'standing-orders'" in result.output
    assert not (project / "councils" / "barsetshire").exists()


def test_existing_council_is_refused_without_force(project: Path) -> None:
    before = (project / "councils" / "hexham" / "protocol.yaml").read_bytes()
    result = invoke(project, str(HERE / "barsetshire.txt"), "--council", "hexham")
    assert result.exit_code == 1
    assert "council 'hexham' already exists (councils/hexham)" in result.output
    assert "--force" in result.output
    assert (project / "councils" / "hexham" / "protocol.yaml").read_bytes() == before
    assert not (project / "councils" / "hexham" / "protocol.import-report.txt").exists()


def test_force_replaces_an_imported_council(project: Path) -> None:
    assert invoke(project, str(HERE / "barsetshire.txt"), "--council", "barsetshire").exit_code == 0
    again = invoke(project, str(HERE / "barsetshire.txt"), "--council", "barsetshire")
    assert again.exit_code == 1 and "councils/barsetshire" in again.output
    forced = invoke(project, str(HERE / "barsetshire.txt"), "--council", "barsetshire", "--force", "--report")
    assert forced.exit_code == 0 and "Exact matches with the library" in forced.output


def test_force_replaces_a_hand_written_council(project: Path) -> None:
    before = (project / "councils" / "hexham" / "protocol.yaml").read_bytes()
    result = invoke(project, str(HERE / "barsetshire.txt"), "--council", "hexham", "--force")
    assert result.exit_code == 0, result.output
    assert (project / "councils" / "hexham" / "protocol.yaml").read_bytes() != before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"%PDF-1.4\n", "the PDF cannot be read"),
        ("protocol.docx", b"just text", "name says a Word document but its content is plain text"),
        ("missing.txt", None, "cannot read"),
    ],
)
def test_errors_write_nothing(project: Path, tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    source = tmp_path / "in" / name
    source.parent.mkdir()
    if content is not None:
        source.write_bytes(content)
    before = files(project)
    result = invoke(project, str(source), "--council", "newcouncil")
    assert result.exit_code == 1
    assert message in result.output and "hint:" in result.output
    assert "Traceback" not in result.output
    assert files(project) == before


def test_bad_council_id(project: Path) -> None:
    result = invoke(project, str(HERE / "barsetshire.txt"), "--council", "../etc")
    assert result.exit_code == 1 and "is not a council id" in result.output


def test_exact_keeps_every_mark_as_written(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "tiny.txt"
    source.write_text(
        "TINY PARISH COUNCIL\nMEMBER/OFFICER RELATIONS PROTOCOL\n\n1. Introduction\n\n"
        "1.1 the aim is effective and professional working relationships characterised by mutual trust, "
        "respect and courtesy.\n\n"
        + "".join(
            f"1.{n} Paragraph {n} of the council's own rules says that the hall is booked through the clerk, "
            f"that keys are returned within {n} days, and that the chair signs the register each month.\n\n"
            for n in range(2, 9)
        ),
        encoding="utf-8",
    )
    assert invoke(project, str(source), "--council", "tiny").exit_code == 0
    tolerant = yaml.load((project / "councils" / "tiny" / "protocol.yaml").read_text(), Loader=yaml.BaseLoader)
    assert "changes" not in tolerant  # the library's capital T prints (a small share of the words): reported
    assert invoke(project, str(source), "--council", "tiny", "--force", "--exact").exit_code == 0
    exact = yaml.load((project / "councils" / "tiny" / "protocol.yaml").read_text(), Loader=yaml.BaseLoader)
    assert exact["changes"][0]["replace"] == "introduction.aim"
    assert exact["changes"][0]["text"].startswith("the aim is")
