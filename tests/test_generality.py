"""Generality: a project with two document types, built without any code of its own.

tests/fixtures/two-documents holds a tiny Member/Officer protocol (two sections) and standing orders in
three numbered levels (1., (a), (i)) with items of items (a fourth level) and `ref()` cross-references,
kept by two councils: Abbotsleigh uses the model as written; Brookmere leaves clauses out, reorders the
sections, adds a clause of its own and numbers with other labels, so the same `ref()` prints other numbers.
Every test runs on a copy of the fixture as it is and on a copy with a third council added (a copy of
Abbotsleigh under a new id), so adding a council cannot make any of them fail.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from protocolc.adoption import write_snapshot
from protocolc.cli import main
from protocolc.project import Project
from protocolc.workspace import Workspace

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "two-documents"
DOCUMENT_TYPES = ("protocol", "standing-orders")
ADDED = "cressing"  # the council added by copying Abbotsleigh's folder


@dataclass(frozen=True)
class TwoDocuments:
    """An editable copy of the fixture project and the councils it holds."""

    root: Path
    councils: tuple[str, ...]

    @property
    def documents(self) -> list[str]:
        return [f"{c}/{d}" for c in self.councils for d in DOCUMENT_TYPES]

    def path(self, relative: str) -> Path:
        return self.root / relative

    def run(self, *args: str) -> Result:
        """Invoke the CLI on this project; a crash (anything but click's SystemExit) fails the test."""
        argv = ["--project", str(self.root), *args]
        result = CliRunner().invoke(main, argv)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"protocolc {' '.join(argv)} crashed") from result.exception
        assert "Traceback" not in result.output
        return result


def copy_fixture(target: Path, add_council: bool = False) -> TwoDocuments:
    shutil.copytree(FIXTURE, target)
    councils = ("abbotsleigh", "brookmere")
    if add_council:
        shutil.copytree(target / "councils" / "abbotsleigh", target / "councils" / ADDED)
        council_file = target / "councils" / ADDED / "council.yaml"
        text = council_file.read_text(encoding="utf-8").replace("Abbotsleigh", "Cressing").replace("abbotsleigh", ADDED)
        council_file.write_text(text, encoding="utf-8")
        councils = ("abbotsleigh", "brookmere", ADDED)
    # Every adopted version has its snapshot, as `protocolc adopt` leaves it (check warns otherwise).
    workspace = Workspace.open(Project(target))
    for council_id, document_id in workspace.names(list(councils)):
        if workspace.source(council_id, document_id).versions:
            write_snapshot(workspace, council_id, document_id)
    return TwoDocuments(target, councils)


VARIANTS = ["as-is", "plus-council"]


@pytest.fixture(params=VARIANTS)
def two_docs(request: pytest.FixtureRequest, tmp_path: Path) -> TwoDocuments:
    return copy_fixture(tmp_path / "project", add_council=request.param == "plus-council")


@dataclass(frozen=True)
class Built:
    project: TwoDocuments
    out: Path


@pytest.fixture(scope="module", params=VARIANTS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every council's documents built as Markdown and HTML, the councils named one by one (read-only)."""
    tmp = tmp_path_factory.mktemp("built")
    two_docs = copy_fixture(tmp / "project", add_council=request.param == "plus-council")
    out = tmp / "out"
    result = two_docs.run("build", *two_docs.councils, "--format", "md,html", "-o", str(out))
    assert result.exit_code == 0, result.output
    n = len(two_docs.documents)
    assert result.stdout.splitlines()[-1] == f"{n} documents: {n} built"
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == [
        f"built {name}" for name in two_docs.documents
    ]
    return Built(two_docs, out)


def read(out: Built | Path, name: str, fmt: str) -> str:
    folder = out.out if isinstance(out, Built) else out
    return (folder / f"{name}.{fmt}").read_text(encoding="utf-8")


def lines_of(text: str) -> list[str]:
    return text.splitlines()


# --- both documents of both councils, in Markdown and HTML -------------------------------------------------------


def test_every_document_is_built_in_both_formats(built: Built):
    for council in built.project.councils:
        files = sorted(p.name for p in (built.out / council).iterdir())
        assert files == sorted(f"{d}.{ext}" for d in DOCUMENT_TYPES for ext in ("md", "html", "manifest.json"))


def test_model_standing_orders_print_three_numbered_levels_and_a_fourth(built: Built):
    md = lines_of(read(built, "abbotsleigh/standing-orders", "md"))
    assert md[0] == "Abbotsleigh Parish Council"
    assert "# Standing Orders" in md
    headings = [line for line in md if line.startswith("## ")]
    assert headings == [
        "## Document Version Control",
        "## 1. Meetings",
        "## 2. Motions",
        "## 3. Voting",
        "## 4. Minutes",
    ]
    quorum = "No business shall be done at a meeting unless at least one third of the Councillors, and never fewer"
    assert f"**(c)** {quorum} than three, are present." in md
    assert "- (iv) to close the debate." in md
    assert "- (i) shall be taken if a Councillor asks for one before the vote, and then" in md
    assert "  - A. each name and vote shall be written down;" in md
    assert "  - B. the record shall go into the minutes;" in md
    assert "- (ii) shall never be taken by secret ballot." in md
    assert "**(b)** The Chair may give a casting vote whether or not they gave an original vote." in md

    html = read(built, "abbotsleigh/standing-orders", "html")
    assert '<h2 id="h-meetings"><span class="number">1.</span> Meetings</h2>' in html
    assert '<p><span class="number">(c)</span> No business shall be done' in html
    assert '<li id="voting-recorded-request"><span class="label">(i)</span> shall be taken' in html
    assert '<li id="voting-recorded-request-names"><span class="label">A.</span> each name' in html


def test_council_standing_orders_print_their_own_order_and_labels(built: Built):
    md = lines_of(read(built, "brookmere/standing-orders", "md"))
    assert md[0] == "Brookmere Town Council"
    assert "# Standing Orders of Brookmere Town Council" in md
    headings = [line for line in md if line.startswith("## ")]
    assert headings == [
        "## Document Version Control",
        "## 1. Meetings",
        "## 2. Voting",
        "## 3. Motions",
        "## 4. Minutes",
    ]
    # each numbered paragraph: its label and first three words
    numbered = [" ".join(line.replace("**", "").split()[:4]) for line in md if line.startswith("**")]
    assert numbered == [
        "a. Notice of each",
        "b. No business shall",  # meetings.public is left out: the quorum moves up from (c) to b.
        "c. A Member who",  # Brookmere's own clause, after the quorum
        "d. If a meeting",
        "a. Provided the meeting",
        "b. A recorded vote:",  # voting.casting is left out
        "a. A motion shall",
        "b. These motions may",
        "a. The Mayor shall",
        "b. The minutes shall",
    ]
    assert "- i. shall be taken if a Member asks for one before the vote, and then" in md
    assert "  - A. each name and vote shall be written down;" in md
    assert not any("casting vote" in line or "Members of the public" in line for line in md)
    html = read(built, "brookmere/standing-orders", "html")
    assert '<h2 id="h-voting"><span class="number">2.</span> Voting</h2>' in html
    assert '<li id="voting-recorded-secret"><span class="label">ii.</span> shall never be taken' in html


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_ref_prints_each_councils_number(built: Built, fmt: str):
    model = read(built, "abbotsleigh/standing-orders", fmt)
    assert model.count("quorate under standing order 1(c)") == 2  # meetings.inquorate and voting.majority
    assert "where standing order 3(c)(i) applies" in model  # an item: ref('voting.recorded.request')

    council = read(built, "brookmere/standing-orders", fmt)
    assert council.count("quorate under standing order 1(b)") == 2
    assert "where standing order 2(b)(i) applies" in council
    assert "report them under standing order 1(a)." in council  # ref() in the council's own clause
    assert "1(c)" not in council and "3(c)(i)" not in council


def test_protocols_share_the_library_with_each_councils_terms(built: Built):
    model = lines_of(read(built, "abbotsleigh/protocol", "md"))
    assert "# Member/Officer Protocol" in model
    assert [line for line in model if line.startswith("## ")] == [
        "## Document Version Control",
        "## 1. Purpose",
        "## 2. Conduct",
    ]
    assert "**1.1** This protocol guides how Councillors and the Clerk work together." in model
    assert "**2.2** The Clerk shall:" in model
    assert "- c) report to each meeting of the Council." in model

    council = lines_of(read(built, "brookmere/protocol", "md"))
    assert "**2.1** Members make requests of the Clerk through the Mayor." in council
    assert "| draft | — | not yet adopted |" in council  # no meeting has adopted it yet
    assert '<span class="number">2.1</span> Members make requests' in read(built, "brookmere/protocol", "html")


def test_one_pdf(two_docs: TwoDocuments, tmp_path: Path):
    from pypdf import PdfReader

    out = tmp_path / "pdf"
    result = two_docs.run("build", "brookmere/standing-orders", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "brookmere").iterdir()) == [
        "standing-orders.manifest.json",
        "standing-orders.pdf",
    ]
    text = " ".join(page.extract_text() for page in PdfReader(out / "brookmere" / "standing-orders.pdf").pages)
    text = " ".join(text.split())
    assert "Standing Orders of Brookmere Town Council" in text
    assert "quorate under standing order 1(b)" in text
    assert "where standing order 2(b)(i) applies" in text


# --- naming documents: a council, or one of its documents ---------------------------------------------------------


def test_build_a_council_builds_both_its_documents(two_docs: TwoDocuments, tmp_path: Path):
    out = tmp_path / "out"
    result = two_docs.run("build", "abbotsleigh", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "built abbotsleigh/protocol",
        "built abbotsleigh/standing-orders",
        "2 documents",
    ]
    assert lines[-1] == "2 documents: 2 built"
    assert sorted(p.name for p in out.iterdir()) == ["abbotsleigh"]
    assert sorted(p.name for p in (out / "abbotsleigh").iterdir()) == [
        "protocol.manifest.json",
        "protocol.md",
        "standing-orders.manifest.json",
        "standing-orders.md",
    ]


def test_build_one_document_of_a_council(two_docs: TwoDocuments, tmp_path: Path):
    out = tmp_path / "out"
    result = two_docs.run("build", "abbotsleigh/standing-orders", "--format", "md,html", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"built abbotsleigh/standing-orders: {out / 'abbotsleigh'}/ "
        "(standing-orders.md, standing-orders.html, standing-orders.manifest.json)"
    ]
    assert sorted(p.name for p in (out / "abbotsleigh").iterdir()) == [
        "standing-orders.html",
        "standing-orders.manifest.json",
        "standing-orders.md",
    ]
    again = two_docs.run("build", "abbotsleigh/standing-orders", "--format", "md,html", "-o", str(out))
    assert again.stdout.splitlines() == ["up to date abbotsleigh/standing-orders"]


def test_list_shows_every_document(two_docs: TwoDocuments):
    result = two_docs.run("list")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0][0] == "document"
    assert [row[0] for row in rows[1:]] == two_docs.documents
    assert len(rows) - 1 == len(DOCUMENT_TYPES) * len(two_docs.councils)
    by_name = {row[0]: " ".join(row[1:]) for row in rows[1:]}
    assert by_name["abbotsleigh/standing-orders"] == "Abbotsleigh Parish Council 2 12 March 2024 March 2027"
    assert by_name["brookmere/standing-orders"] == "Brookmere Town Council 3.1 20 January 2025 January 2026"
    assert by_name["brookmere/protocol"] == "Brookmere Town Council draft not recorded -"


def test_status_shows_every_document_most_urgent_first(two_docs: TwoDocuments):
    result = two_docs.run("status", "--today", "2026-02-01")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    table = lines[: lines.index("")] if "" in lines else lines  # the drafts (brookmere's protocol) follow
    rows = [line.split() for line in table]
    assert rows[0][0] == "document"
    assert sorted(row[0] for row in rows[1:]) == sorted(two_docs.documents)
    assert rows[1][0] == "brookmere/standing-orders" and rows[1][-1] == "overdue"
    states = {row[0]: " ".join(row[-3:]) for row in rows[1:]}
    assert states["brookmere/protocol"] == "no review date"
    assert states["abbotsleigh/protocol"].endswith("ok")
    assert states["abbotsleigh/standing-orders"].endswith("ok")
    overdue = two_docs.run("status", "--today", "2026-02-01", "--fail-overdue")
    assert overdue.exit_code == 1
    assert overdue.stderr.strip() == "review overdue: brookmere/standing-orders"


# --- check ---------------------------------------------------------------------------------------------------------


def test_check_passes(two_docs: TwoDocuments):
    result = two_docs.run("check", "--strict")
    assert result.exit_code == 0, result.output
    n = len(two_docs.councils)
    assert result.stdout.splitlines() == [f"checked the library and {n} councils: 0 errors, 0 warnings"]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_ref_to_a_clause_one_council_omits_is_an_error_at_that_councils_file(two_docs: TwoDocuments):
    """The library's standing orders refer to the quorum; leaving it out is the council's doing, so the error
    is reported at the council's 'omit:' (where the clerk can undo it), naming the library text that refers to it.
    The other councils are unaffected."""
    path = two_docs.path("councils/brookmere/standing-orders.yaml")
    path.write_text(path.read_text(encoding="utf-8") + "  - omit: meetings.quorum\n", encoding="utf-8")
    omit_line = line_of(path, "- omit: meetings.quorum")
    result = two_docs.run("check")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    where = f"councils/brookmere/standing-orders.yaml:{omit_line}:5"
    inquorate = line_of(two_docs.path("clauses/standing-orders/meetings.yaml"), "is not quorate")
    majority = line_of(two_docs.path("clauses/standing-orders/voting.yaml"), "is quorate")
    assert errors == [
        f"{where}: error: ref('meetings.quorum') names a clause this document leaves out, "
        f"but the library's text at clauses/standing-orders/meetings.yaml:{inquorate}:7 refers to it",
        f"{where}: error: ref('meetings.quorum') names a clause this document leaves out, "
        f"but the library's text at clauses/standing-orders/voting.yaml:{majority}:7 refers to it",
    ]
    assert "hint: keep the clause, or reword the clause that refers to it with a 'replace:' change" in result.stderr
    n = len(two_docs.councils)
    assert result.stderr.splitlines()[-1] == f"checked the library and {n} councils: 2 errors, 0 warnings"

    # The council rewords the clauses that referred to the quorum: its document checks and builds again.
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - omit: meetings.inquorate\n"
        + "  - replace: voting.majority\n"
        + "    text: Each question shall be decided by a majority of the {{ councillors }} present and voting.\n",
        encoding="utf-8",
    )
    assert two_docs.run("check").exit_code == 0
    assert two_docs.run("build", "brookmere", "--format", "md", "-o", str(two_docs.root / "out")).exit_code == 0
    # Brookmere's edit is a draft until adopted: built beside the adopted text.
    md = (two_docs.root / "out" / "brookmere" / "standing-orders.draft.md").read_text(encoding="utf-8")
    assert "**b.** A Member who cannot attend" in md  # the quorum gone, Brookmere's own clause moves up
    assert "where standing order 2(b)(i) applies" in md


def test_ref_in_a_councils_own_clause_to_an_omitted_clause_is_located_at_that_text(two_docs: TwoDocuments):
    path = two_docs.path("councils/brookmere/standing-orders.yaml")
    text = path.read_text(encoding="utf-8").replace("ref('meetings.notice')", "ref('meetings.public')")
    path.write_text(text, encoding="utf-8")
    result = two_docs.run("check", "brookmere")
    assert result.exit_code == 1
    line = line_of(path, "A {{ councillor }} who cannot attend")
    assert result.stderr.splitlines()[:2] == [
        f"councils/brookmere/standing-orders.yaml:{line}:7: error: "
        "ref('meetings.public') names a clause this document leaves out",
        "  hint: refer to a clause the document prints, or put the clause back in its outline",
    ]
    assert two_docs.run("check", "abbotsleigh").exit_code == 0


def test_a_section_left_out_of_the_outline_is_reported_at_the_councils_outline(two_docs: TwoDocuments):
    """Leaving 'voting' out of 'sections:' drops the item minutes.contents refers to: the error is at the outline."""
    path = two_docs.path("councils/brookmere/standing-orders.yaml")
    text = path.read_text(encoding="utf-8").replace("  - voting\n", "").replace("  - omit: voting.casting\n", "")
    path.write_text(text, encoding="utf-8")
    result = two_docs.run("check")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    contents = line_of(two_docs.path("clauses/standing-orders/minutes.yaml"), "The minutes shall record")
    assert errors == [
        f"councils/brookmere/standing-orders.yaml:{line_of(path, '  - meetings')}:5: error: "
        "ref('voting.recorded.request') names a clause this document leaves out, "
        f"but the library's text at clauses/standing-orders/minutes.yaml:{contents}:7 refers to it"
    ]


def test_a_clause_the_council_leaves_unnumbered_is_reported_at_the_councils_file(two_docs: TwoDocuments):
    path = two_docs.path("councils/brookmere/standing-orders.yaml")
    outline = (
        "  - section: meetings\n"
        "    clauses:\n"
        "      - meetings.notice\n"
        "      - clause: meetings.quorum\n"
        "        numbered: false\n"
        "      - meetings.inquorate\n"
    )
    path.write_text(path.read_text(encoding="utf-8").replace("  - meetings\n", outline), encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("  - omit: meetings.public\n", ""), encoding="utf-8")
    result = two_docs.run("check")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 2
    for error, (file, needle) in zip(
        errors, [("meetings.yaml", "is not quorate"), ("voting.yaml", "is quorate")], strict=True
    ):
        at = line_of(two_docs.path(f"clauses/standing-orders/{file}"), needle)
        assert error.startswith("councils/brookmere/standing-orders.yaml:")
        assert error.endswith(
            "error: ref('meetings.quorum') names a clause that has no number in this document, "
            f"but the library's text at clauses/standing-orders/{file}:{at}:7 refers to it"
        )
    assert "hint: number the clause, or reword the clause that refers to it with a 'replace:' change" in result.stderr


# --- adding a council ----------------------------------------------------------------------------------------------


def test_adding_a_council_is_only_a_folder(tmp_path: Path):
    """A council copied under a new id checks, lists and builds beside the others, with the same numbers."""
    two_docs = copy_fixture(tmp_path / "project", add_council=True)
    assert two_docs.run("check", "--strict").exit_code == 0
    listed = [line.split()[0] for line in two_docs.run("list").stdout.splitlines()[1:]]
    assert listed == [f"{c}/{d}" for c in ("abbotsleigh", "brookmere", ADDED) for d in DOCUMENT_TYPES]
    out = tmp_path / "out"
    result = two_docs.run("build", "--all", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "6 documents: 6 built" in result.stdout
    added = read(out, f"{ADDED}/standing-orders", "md")
    assert added.startswith("Cressing Parish Council\n")
    assert added.split("\n", 1)[1] == read(out, "abbotsleigh/standing-orders", "md").split("\n", 1)[1]
