"""Round trip: import each seed as a new council, build it with today's code, compare with the seed.

The importer writes the layout the lead is moving to (councils/<id>/council.yaml + protocol.yaml);
today's loader reads one councils/<id>.yaml, so `to_single_file` below converts the pair, in a
temporary copy of the project. That conversion lives here, not in the package.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from protocolc import stats
from protocolc.importer import import_document
from protocolc.load import load_council, load_library
from protocolc.project import Project
from protocolc.render import Renderer
from protocolc.resolve import resolve

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


def to_single_file(council_yaml: str, document_yaml: str) -> str:
    """Today's councils/<id>.yaml from the importer's pair of files (parsed, not pattern-matched)."""
    council: dict[str, Any] = yaml.load(council_yaml, Loader=yaml.BaseLoader)
    document: dict[str, Any] = yaml.load(document_yaml, Loader=yaml.BaseLoader)
    assert council.pop("format") == "1" and document.pop("format") == "1"
    terms = dict(council.pop("terms", {}) or {})
    if "county_association" in council:
        terms["county_association"] = council.pop("county_association")
    levels = document["numbering"]["levels"]
    old: dict[str, Any] = dict(council)
    if "title" in document:
        old["title"] = document["title"]
    if terms:
        old["terms"] = terms
    old["numbering"] = {
        "sections": levels[0] if levels[0] in OLD_SECTIONS else "none",
        "clauses": "1.1" if levels[1] == "1.1" else "none",
        "items": "a)" if levels[2] in LETTERED else "bullet",
        "punctuation": document["numbering"]["punctuation"],
    }
    for key in ("versions", "sections", "changes", "closing"):
        if key in document:
            old[key] = document[key]
    return yaml.safe_dump(old, sort_keys=False, allow_unicode=True, width=1000)


def fidelity_module() -> Any:
    spec = importlib.util.spec_from_file_location("fidelity", FIDELITY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_project(tmp: Path, council_id: str, data: bytes, filename: str) -> Project:
    """A copy of the project in which `council_id` is replaced by the import of `data`."""
    for folder in ("clauses", "councils", "templates"):
        shutil.copytree(REPO / folder, tmp / folder)
    library = load_library(tmp)
    result = import_document(data, filename, council_id, library)
    (tmp / "councils" / f"{council_id}.yaml").write_text(
        to_single_file(result.emitted.council_yaml, result.emitted.document_yaml), encoding="utf-8"
    )
    return Project(tmp)


def measure(project: Project, council_id: str) -> tuple[float, float, float]:
    """(strict fidelity of the imported council, its reuse share, the hand-written council's reuse share)."""
    library = load_library(project.root)
    markdown = Renderer(project.templates).markdown_text(
        resolve(library, load_council(project.council_path(council_id), project.root, library))
    )
    out = project.root / "build" / council_id / "protocol.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown, encoding="utf-8")
    fid = fidelity_module()
    score = fid.score(SEEDS / SEED_FILES[council_id], out, start=fid.BODY_START[council_id], strict=True)
    docs = [resolve(library, load_council(project.council_path(c), project.root, library)) for c in SEED_FILES]
    imported = {s.council_id: s.percent for s in stats.shares(docs)}[council_id]
    original = load_library(REPO)
    hand = [resolve(original, load_council(REPO / "councils" / f"{c}.yaml", REPO, original)) for c in SEED_FILES]
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

needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")


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
