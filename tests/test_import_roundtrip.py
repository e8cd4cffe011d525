"""Round trip: import each seed as a new council, build it, compare with the seed.

Each seed replaces its hand-written council in a temporary copy of the project (council.yaml and
the document file, as the importer writes them), which must pass `check` and then reproduce the seed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from protocolc import check, stats
from protocolc.importer import import_document
from protocolc.load import load_library
from protocolc.project import Project
from protocolc.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
# The shared seeds sit beside the repository (../shared), or beside the folder of worktrees (../../shared).
SHARED = next(
    (d / "shared" for d in (REPO.parent, REPO.parent.parent) if (d / "shared" / "seeds").is_dir()), REPO / "shared"
)
SEEDS = SHARED / "seeds"
FIDELITY = SHARED / "tools" / "fidelity.py"
SEED_FILES = {
    "hexham": "000_88172c430ad6c5f7.txt",
    "duston": "001_1e344461e0580471.txt",
    "cottingham": "002_84177f2208a7a2a7.txt",
    "langport": "003_df5aeb8a5e66799e.txt",
    "mumbles": "004_bdf570f7130467c6.txt",
}
OLD_SECTIONS = ("1.", "1.0", "1", "none")
LETTERED = ("a)", "(a)", "a.", "(i)", "i.", "A.")

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seed texts are not on this machine")


def fidelity_module() -> Any:
    spec = importlib.util.spec_from_file_location("fidelity", FIDELITY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_project(tmp: Path, council_id: str, data: bytes, filename: str) -> Project:
    """A copy of the project in which `council_id` is replaced by the import of `data`, checked clean."""
    for folder in ("clauses", "councils"):
        shutil.copytree(REPO / folder, tmp / folder)
    library = load_library(tmp)
    result = import_document(data, filename, council_id, library)
    folder = tmp / "councils" / council_id
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "council.yaml").write_text(result.emitted.council_yaml, encoding="utf-8")
    (folder / "protocol.yaml").write_text(result.emitted.document_yaml, encoding="utf-8")
    project = Project(tmp)
    report = check.check(project, [council_id])
    assert not report.errors, [str(p) for p in report.errors]
    return project


def measure(project: Project, council_id: str) -> tuple[float, float, float]:
    """(strict fidelity of the imported council, its reuse share, the hand-written council's reuse share)."""
    workspace = Workspace.open(project)
    markdown = workspace.render(workspace.document(council_id), ("md",))["protocol.md"]
    out = project.root / "build" / council_id / "protocol.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(markdown)
    fid = fidelity_module()
    score = fid.score(SEEDS / SEED_FILES[council_id], out, start=fid.BODY_START[council_id], strict=True)
    docs = [workspace.document(c) for c in SEED_FILES]
    imported = {s.council_id: s.percent for s in stats.shares(docs)}[council_id]
    original = Workspace.open(Project(REPO))
    hand = [original.document(c) for c in SEED_FILES]
    handwritten = {s.council_id: s.percent for s in stats.shares(hand)}[council_id]
    return score, imported, handwritten


@needs_seeds
@pytest.mark.parametrize("council_id", sorted(SEED_FILES))
def test_seed_round_trip(tmp_path: Path, council_id: str) -> None:
    seed = SEEDS / SEED_FILES[council_id]
    project = imported_project(tmp_path, council_id, seed.read_bytes(), seed.name)
    score, reuse, handwritten = measure(project, council_id)
    assert score >= 0.99, f"strict fidelity {score:.4f}"
    assert reuse >= handwritten - 5, f"reuse {reuse:.1f}% vs hand-written {handwritten:.1f}%"


# --- the same seeds through Word and PDF -----------------------------------------------------------

sys.path.insert(0, str(Path(__file__).parent / "import"))
from builders import HAS_SOFFICE, seed_numbered_docx, soffice_convert, typed_docx  # noqa: E402

# Under CI LibreOffice is installed by scripts/test-deps.sh, so a missing one fails rather than skips.
needs_soffice = pytest.mark.skipif(
    not HAS_SOFFICE and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


@needs_seeds
@pytest.mark.parametrize("council_id", ["hexham", "duston", "mumbles"])
def test_docx_with_typed_numbers_round_trip(tmp_path: Path, council_id: str) -> None:
    data = typed_docx((SEEDS / SEED_FILES[council_id]).read_text(encoding="utf-8"), SEED_FILES[council_id])
    project = imported_project(tmp_path, council_id, data, "protocol.docx")
    score, reuse, handwritten = measure(project, council_id)
    assert score >= 0.99, f"strict fidelity {score:.4f}"
    assert reuse >= handwritten - 5


@needs_seeds
def test_docx_with_word_numbering_round_trip(tmp_path: Path) -> None:
    data = seed_numbered_docx((SEEDS / SEED_FILES["hexham"]).read_text(encoding="utf-8"))
    library = load_library(REPO)
    result = import_document(data, "protocol.docx", "hexham", library)
    assert result.segmented.levels == ("1.", "1.1", "a)")
    assert [s.number for s in result.segmented.sections] == ["1.", "2.", "3.", "4.", "5."]
    project = imported_project(tmp_path, "hexham", data, "protocol.docx")
    score, _, _ = measure(project, "hexham")
    assert score >= 0.99, f"strict fidelity {score:.4f}"


@needs_seeds
@needs_soffice
@pytest.mark.parametrize("target", ["docx:MS Word 2007 XML", "pdf"])
def test_libreoffice_saved_documents_round_trip(tmp_path: Path, target: str) -> None:
    """Word numbering as LibreOffice writes it, and a PDF LibreOffice prints, import like the seed."""
    source = tmp_path / "in" / "hexham.docx"
    source.parent.mkdir()
    source.write_bytes(seed_numbered_docx((SEEDS / SEED_FILES["hexham"]).read_text(encoding="utf-8")))
    out = tmp_path / "out"
    out.mkdir()
    converted = soffice_convert(source, target, out)
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    project = imported_project(project_dir, "hexham", converted.read_bytes(), converted.name)
    score, reuse, handwritten = measure(project, "hexham")
    assert score >= 0.99, f"strict fidelity {score:.4f}"
    assert reuse >= handwritten - 5


@needs_seeds
@needs_soffice
@pytest.mark.parametrize("council_id", sorted(SEED_FILES))
def test_pdf_printed_by_libreoffice_round_trip(tmp_path: Path, council_id: str) -> None:
    source = tmp_path / "in" / f"{council_id}.docx"
    source.parent.mkdir()
    seed = SEEDS / SEED_FILES[council_id]
    source.write_bytes(typed_docx(seed.read_text(encoding="utf-8"), seed.name))
    pdf = soffice_convert(source, "pdf", tmp_path)
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    project = imported_project(project_dir, council_id, pdf.read_bytes(), pdf.name)
    score, reuse, handwritten = measure(project, council_id)
    assert score >= 0.99, f"strict fidelity {score:.4f}"
    assert reuse >= handwritten - 5
