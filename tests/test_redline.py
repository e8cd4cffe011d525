"""`protocolc redline`: a document's proposed changes as a council paper (issue 13 item 4, issue 14 item 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TmpProject

from protocolc import redline
from protocolc.cli import main

OLD, NEW = "serve only so long as", "serve only for as long as"


def run(tmp: TmpProject, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(tmp.root), *args])
    return result.exit_code, result.output


def edit_library(tmp: TmpProject, old: str = OLD, new: str = NEW) -> None:
    path = tmp.path("clauses/protocol/roles.yaml")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def require(what: str) -> str:
    """A program's path; fails when CI is set and it is missing, skips elsewhere."""
    path = shutil.which(what)
    if path is None:
        message = f"{what} is not installed: `make test-deps` (sh scripts/test-deps.sh, as root) installs it"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so the redline checks cannot be skipped", pytrace=False)
        pytest.skip(message)
    return path


def test_tokens_mark_punctuation_apart_from_words() -> None:
    assert redline.tokens("the Council.") == ["the", " ", "Council", "."]
    runs = redline.runs("reports to the Council", "reports to the Council.")
    assert runs == (redline.Run("equal", "reports to the Council"), redline.Run("insert", "."))
    runs = redline.runs("the Clerk’s duty", "the Clerk’s duties")
    assert [r for r in runs if r.op != "equal"] == [redline.Run("delete", "duty"), redline.Run("insert", "duties")]


def test_markdown_redline_of_a_library_edit(tmp_project: TmpProject, tmp_path: Path) -> None:
    edit_library(tmp_project)
    code, out = run(tmp_project, "redline", "hexham", "--format", "md")
    assert code == 0, out
    path = tmp_project.path("build/hexham/protocol.redline.md")
    assert "build/hexham/protocol.redline.md" in out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Hexham Town Council: Member/Officer Relations Protocol\n")
    assert "**Changes proposed to version 1.0, adopted December 2020**" in text  # no minute recorded: no minute part
    assert "serve only <del>so</del><ins>for as</ins> long as" in text
    assert "## **2** Roles of Councillors and Officers" in text  # printed number and heading for context
    assert "roles.electorate" not in text and "hexham." not in text  # never internal ids
    assert "| inserted | <ins>1.1</ins> | <ins>—</ins> |  | <ins>draft: not yet adopted</ins> |" in text
    assert text.rstrip().endswith(
        "The paragraph after 2.1 reworded; version 1.1 added in the version table (not yet adopted)."
    )
    # only the changed clause by default, the whole document with --full
    assert "Mutual respect between Councillors" not in text
    full = tmp_path / "full.md"
    code, _ = run(tmp_project, "redline", "hexham", "--format", "md", "--full", "-o", str(full))
    assert code == 0
    whole = full.read_text(encoding="utf-8")
    assert "Mutual respect between Councillors" in whole and "<del>so</del><ins>for as</ins>" in whole
    assert whole.count("## **2** Roles of Councillors and Officers") == 1  # each section heading once
    assert "## **5** When Things go Wrong" in whole


def edit_council(tmp: TmpProject, old: str, new: str) -> None:
    path = tmp.path("councils/hexham/protocol.yaml")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


CHAIRS_OLD = "political composition of the authority."
CHAIRS_NEW = "political composition of the Council."
ADDED = """      - id: hexham.training
        heading: Training
        text: Councillors and officers are offered training in this Protocol every year.
      - id: hexham.officers
"""


def test_numbered_clauses_added_removed_and_reworded(tmp_project: TmpProject) -> None:
    edit_council(tmp_project, CHAIRS_OLD, CHAIRS_NEW)
    edit_council(tmp_project, "      - id: hexham.officers\n", ADDED)
    edit_council(
        tmp_project,
        "      - id: hexham.mutual-respect\n        numbered: false\n"
        "        text: Mutual respect between Councillors and officers is essential to good local government.\n",
        "",
    )
    code, out = run(tmp_project, "redline", "hexham", "--format", "html")
    assert code == 0, out
    page = tmp_project.path("build/hexham/protocol.redline.html").read_text(encoding="utf-8")
    assert '<p class="council">Hexham Town Council</p>' in page
    assert "<h1>Member/Officer Relations Protocol</h1>" in page
    # the word changes, the full stop is not marked
    assert "composition of the <del>authority</del><ins>Council</ins>." in page
    assert "<strong><ins>Training</ins></strong> <ins>Councillors and officers are offered training" in page
    assert "<del>Mutual respect between Councillors and officers is essential to good local government.</del>" in page
    assert "text-decoration: line-through" in page and "text-decoration: underline" in page
    assert "hexham.chairs" not in page and "hexham.training" not in page
    minutes = page.split("Changes for the minutes</h2>")[1]
    assert (
        "The paragraph after 2.1 removed; 2.3 reworded; 2.4 added; 2.4 renumbered 2.5; "
        "version 1.1 added in the version table (not yet adopted)." in minutes
    ), minutes


def test_from_to_two_adopted_versions(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    code, out = run(tmp_project, "adopt", "hexham", "--minute", "45/26", "--date", "2026-05-12")
    assert code == 0, out
    code, out = run(tmp_project, "redline", "hexham", "--from", "1.0", "--to", "1.1", "--format", "md")
    assert code == 0, out
    text = tmp_project.path("build/hexham/protocol.redline.md").read_text(encoding="utf-8")
    assert "version 1.1, adopted 12 May 2026 (minute 45/26)" in text
    assert "<del>so</del><ins>for as</ins>" in text
    # the draft now matches 1.1: nothing proposed
    code, out = run(tmp_project, "redline", "hexham", "--format", "md")
    assert code == 0, out
    text = tmp_project.path("build/hexham/protocol.redline.md").read_text(encoding="utf-8")
    assert "Changes proposed to version 1.1, adopted 12 May 2026 (minute 45/26)" in text
    assert "No clause has changed." in text


def test_unknown_version_is_an_error_with_a_hint(tmp_project: TmpProject) -> None:
    code, out = run(tmp_project, "redline", "hexham", "--from", "7.3")
    assert code == 1
    assert "hexham/protocol has no adopted version '7.3' (adopted versions: 1.0)" in out
    assert "hint:" in out and "--from 1.0" in out
    assert "Traceback" not in out


def test_document_without_snapshot_is_a_clear_message(tmp_project: TmpProject) -> None:
    for path in tmp_project.path("councils/hexham/adopted/protocol").glob("*.yaml"):
        path.unlink()
    code, out = run(tmp_project, "redline", "hexham")
    assert code == 1
    assert "hexham/protocol has no adopted snapshot to compare the draft with" in out
    assert "protocolc snapshot hexham/protocol" in out
    assert not tmp_project.path("build/hexham/protocol.redline.pdf").exists()


def test_pdf_redline_reads_as_a_council_paper(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    code, out = run(tmp_project, "redline", "hexham")
    assert code == 0, out
    pdf = tmp_project.path("build/hexham/protocol.redline.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Hexham Town Council" in flat and "Changes proposed to version 1.0, adopted December 2020" in flat
    assert "Changes for the minutes" in flat and "paragraph after 2.1 reworded" in flat


def test_docx_has_real_tracked_changes_that_libreoffice_shows(tmp_project: TmpProject, tmp_path: Path) -> None:
    edit_library(tmp_project)
    code, out = run(tmp_project, "redline", "hexham", "--format", "docx", "-o", str(tmp_path / "redline.docx"))
    assert code == 0, out
    xml = zipfile.ZipFile(tmp_path / "redline.docx").read("word/document.xml").decode("utf-8")
    assert '<w:del w:id="' in xml and '<w:ins w:id="' in xml
    assert 'w:author="protocolc"' in xml
    assert '<w:delText xml:space="preserve">so</w:delText>' in xml
    ids = [chunk.split('"')[0] for chunk in xml.split('w:id="')[1:]]
    assert len(ids) == len(set(ids))
    first = (tmp_path / "redline.docx").read_bytes()
    code, out = run(tmp_project, "redline", "hexham", "--format", "docx", "-o", str(tmp_path / "again.docx"))
    assert code == 0 and (tmp_path / "again.docx").read_bytes() == first  # the same bytes every time
    soffice = require("soffice")
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "redline.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    converted = tmp_path / "redline.pdf"
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, str(converted), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    # LibreOffice shows tracked changes: the deleted "so" and the inserted "for as", side by side
    assert "serve only sofor as long as" in flat
    assert "Changes proposed to version 1.0, adopted December 2020" in flat
