"""The Word document (`--format docx`): Word's own numbering, built-in styles, reproducible bytes, and LibreOffice
as a real client (it converts each DOCX to PDF; the PDF's words and numbers must be protocol.md's).

Without LibreOffice (`soffice`) or poppler (`pdftotext`) the client tests fail when CI is set and are skipped
elsewhere with the command that installs them (scripts/test-deps.sh).
"""

from __future__ import annotations

import copy
import difflib
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import COUNCILS, TmpProject
from docx.oxml.ns import qn

from protocolc.cli import main
from protocolc.formats import FORMATS, Job
from protocolc.formats.docx import REFERENCE, iter_labels, word_levels
from protocolc.layout import Layout, lay_out
from protocolc.templating import PACKAGED
from protocolc.workspace import Workspace

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def layout_of(workspace: Workspace, council_id: str) -> Layout:
    return lay_out(workspace.document(council_id))


def render_docx(workspace: Workspace, council_id: str) -> bytes:
    return Job(layout_of(workspace, council_id), workspace.templates, FORMATS).output("docx")


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def numbered_paragraphs(document: docx.document.Document) -> list[tuple[int, int, str]]:
    """(numId, ilvl, text) of every paragraph in a list."""
    found = []
    for para in document.paragraphs:
        num_pr = para._p.pPr.numPr if para._p.pPr is not None else None
        if num_pr is not None:
            found.append((num_pr.numId.val, num_pr.ilvl.val, para.text))
    return found


# --- the list definition ---------------------------------------------------------------------------------------------


def test_each_numbering_style_is_a_word_level() -> None:
    """Every style of numbering.py as Word counts and prints it (w:numFmt, w:lvlText)."""
    cases = {
        ("1.", "1.1", "a)"): [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "%3)")],
        ("1.0", "1.1", "(a)"): [("decimal", "%1.0"), ("decimal", "%1.%2"), ("lowerLetter", "(%3)")],
        ("1", "1.1", "a.", "(i)"): [
            ("decimal", "%1"),
            ("decimal", "%1.%2"),
            ("lowerLetter", "%3."),
            ("lowerRoman", "(%4)"),
        ],
        ("none", "1.", "A.", "i."): [("none", ""), ("decimal", "%2."), ("upperLetter", "%3."), ("lowerRoman", "%4.")],
        ("none", "none", "bullet"): [("none", ""), ("none", ""), ("bullet", "•")],
    }
    for styles, expected in cases.items():
        levels = word_levels(styles)
        assert len(levels) == 9
        assert [(level.number_format, level.text) for level in levels[: len(expected)]] == expected, styles
        assert all(level.number_format == "bullet" for level in levels[len(styles) :])


def test_hexham_numbers_are_one_word_list_not_typed_text(workspace: Workspace) -> None:
    data = render_docx(workspace, "hexham")
    document = open_docx(data)
    numbering = document.part.numbering_part.element
    paragraphs = numbered_paragraphs(document)
    abstract_id = numbering.num_having_numId(paragraphs[0][0]).abstractNumId.val
    [ours] = [a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == str(abstract_id)]
    levels = [
        (lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val")))
        for lvl in ours.findall(qn("w:lvl"))
    ]
    assert len(levels) == 9
    assert levels[:3] == [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "%3)")]
    # One w:num for the whole document: hexham needs no restarts, so a paragraph inserted anywhere renumbers the rest.
    assert {num for num, _, _ in paragraphs} == {paragraphs[0][0]}
    labels = list(iter_labels(layout_of(workspace, "hexham")))
    assert len(paragraphs) == len(labels)
    assert [ilvl for _, ilvl, _ in paragraphs].count(1) == sum(
        1 for label in labels if re.fullmatch(r"\d+\.\d+", label)
    )
    # The numbers are not in the text: Word prints them.
    texts = [p.text for p in document.paragraphs]
    assert not any(re.match(r"\s*(\d+\.\d*|[a-z]\))\s", t) for t in texts), [
        t for t in texts if t[:4].strip()[:1].isdigit()
    ]
    assert paragraphs[0][1:] == (0, "Introduction")
    assert paragraphs[1][1:] == (1, texts[texts.index(paragraphs[1][2])])


def test_unnumbered_and_joined_clauses_are_outside_the_list(workspace: Workspace) -> None:
    document = open_docx(render_docx(workspace, "hexham"))
    in_list = {text for _, _, text in numbered_paragraphs(document)}
    unnumbered = next(p.text for p in document.paragraphs if p.text.startswith("Mutual respect between"))
    joined = next(p.text for p in document.paragraphs if p.text.startswith("Councillors and officers are servants"))
    assert "Councillors are responsible to the electorate" in joined  # the joined clauses run on in one paragraph
    assert unnumbered not in in_list and joined not in in_list


# --- styles, table, header and footer, properties -------------------------------------------------------------------


def test_word_built_in_styles(workspace: Workspace) -> None:
    document = open_docx(render_docx(workspace, "hexham"))
    styles = [p.style.name for p in document.paragraphs]
    assert styles[:2] == ["Subtitle", "Title"]
    assert document.paragraphs[1].text == "Member/Officer Relations Protocol"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Document Version Control", "Introduction", "Roles of Councillors and Officers",
                        "Expectations", "Political Groups", "When Things go Wrong"]  # fmt: skip
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == [
        "Chairmen and Vice Chairmen",
        "Officers",
        "General Principles",
    ]
    assert "List Paragraph" in styles
    [table] = document.tables
    assert table.style.name == "Table Grid"


def test_version_table_has_a_repeating_header_row(workspace: Workspace) -> None:
    document = open_docx(render_docx(workspace, "duston"))
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Version", "Date adopted", "Review by", "Approved by"]
    assert [c.text for c in table.rows[1].cells] == ["167/23", "2 March 2023", "March 2028", "Council"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)


def test_running_header_footer_fields_properties_and_language(workspace: Workspace) -> None:
    data = render_docx(workspace, "hexham")
    document = open_docx(data)
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Hexham Town Council – Member/Officer Relations Protocol"
    footer = section.footer.paragraphs[0]._p
    instructions = [t.text.strip() for t in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert [f.get(f"{W}fldCharType") for f in footer.iter(f"{W}fldChar")] == ["begin", "separate", "end"] * 2
    assert section.footer.paragraphs[0].text == "Page 1 of 1"  # the fields' last results; Word updates them
    props = document.core_properties
    assert (props.title, props.author, props.language) == (
        "Member/Officer Relations Protocol",
        "Hexham Town Council",
        "en-GB",
    )
    assert (props.created.isoformat(), props.modified.isoformat()) == ("2020-12-01T00:00:00+00:00",) * 2
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode("utf-8")
    defaults = styles[styles.index("<w:docDefaults>") : styles.index("</w:docDefaults>")]
    assert '<w:lang w:val="en-GB"' in defaults
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"


def test_markdown_emphasis_becomes_bold_and_italic_runs(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "changes:\n  - replace: officers.role\n"
        "    text: 'Read the *Code of Conduct* and the **Standing Orders**, not `this` \\*literally\\*.'\n"
    )
    ws = tmp_project.workspace()
    document = open_docx(render_docx(ws, "tiny"))
    para = next(p for p in document.paragraphs if p.text.startswith("Read the"))
    assert para.text == "Read the Code of Conduct and the Standing Orders, not this *literally*."
    runs = [(r.text, bool(r.bold), bool(r.italic)) for r in para.runs]
    assert ("Code of Conduct", False, True) in runs
    assert ("Standing Orders", True, False) in runs
    everything = "\n".join(p.text for p in document.paragraphs)
    assert "**" not in everything and "`" not in everything


# --- the reference document ------------------------------------------------------------------------------------------


def test_packaged_reference_has_the_styles_and_no_body() -> None:
    reference = docx.Document(str(PACKAGED / REFERENCE))
    names = {s.name for s in reference.styles}
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "List Paragraph", "Table Grid", "Header", "Footer"} <= names
    assert reference.paragraphs == [] or all(not p.text for p in reference.paragraphs)
    section = reference.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)  # A4


def test_a_projects_reference_docx_restyles_the_document(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    reference = docx.Document(str(PACKAGED / REFERENCE))
    reference.styles["Heading 1"].font.name = "Gill Sans"
    reference.add_paragraph("Words left in the reference are not part of the document.")
    (tmp_project.root / "templates").mkdir()
    reference.save(str(tmp_project.root / "templates" / REFERENCE))
    document = open_docx(render_docx(tmp_project.workspace(), "tiny"))
    assert document.styles["Heading 1"].font.name == "Gill Sans"
    assert not any("left in the reference" in p.text for p in document.paragraphs)


def test_a_reference_without_some_built_in_styles_still_works(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    reference = docx.Document(str(PACKAGED / REFERENCE))
    for name in ("Table Grid", "List Paragraph", "Heading 2", "Subtitle"):
        element = reference.styles[name].element
        element.getparent().remove(element)
    (tmp_project.root / "templates").mkdir()
    reference.save(str(tmp_project.root / "templates" / REFERENCE))
    document = open_docx(render_docx(tmp_project.workspace(), "tiny"))
    assert document.tables[0].style.name == "Table Grid"
    heading = document.styles["Heading 2"].element.pPr.find(qn("w:outlineLvl"))
    assert heading is not None and heading.get(qn("w:val")) == "1"  # in the navigation pane


# --- reproducible bytes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("council_id", COUNCILS)
def test_two_builds_give_the_same_bytes(workspace: Workspace, council_id: str) -> None:
    first = render_docx(workspace, council_id)
    second = render_docx(Workspace.open(workspace.project), council_id)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = archive.namelist()
    assert names == sorted(names) and names[0] == "[Content_Types].xml"
    assert {info.date_time for info in archive.infolist()} == {layout_date(layout_of(workspace, council_id))}


def layout_date(layout: Layout) -> tuple[int, ...]:
    """The last adoption's date, or 1980-01-01 (the earliest a zip can say) for a document with no adoption date."""
    adopted = [v.adopted for v in layout.document.versions if v.adopted]
    if not adopted:
        return (1980, 1, 1, 0, 0, 0)
    return (adopted[-1].year, adopted[-1].month, adopted[-1].day or 1, 0, 0, 0)


def test_the_cli_builds_docx_on_request_only(tmp_project: TmpProject) -> None:
    runner = CliRunner()
    out = tmp_project.root / "out"
    args = ["--project", str(tmp_project.root), "build", "hexham", "-o", str(out), "--quiet"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert not (out / "hexham" / "protocol.docx").exists()  # md, html and pdf by default
    result = runner.invoke(main, [*args, "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert (out / "hexham" / "protocol.docx").read_bytes()[:2] == b"PK"


# --- LibreOffice, a real client ---------------------------------------------------------------------------------------


def require(what: str) -> str:
    """A program's path; fails when CI is set and it is missing, skips elsewhere."""
    path = shutil.which(what)
    if path is None:
        message = f"{what} is not installed: `make test-deps` (sh scripts/test-deps.sh, as root) installs it"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so the DOCX checks cannot be skipped", pytrace=False)
        pytest.skip(message)
    return path


def convert(folder: Path, files: list[Path]) -> None:
    """DOCX files to PDF beside them, in one LibreOffice run with its own profile."""
    soffice = require("soffice")
    profile = (folder / "lo-profile").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir"]
    result = subprocess.run(
        [*command, str(folder), *map(str, files)], capture_output=True, text=True, timeout=600, check=False
    )
    missing = [f.name for f in files if not f.with_suffix(".pdf").is_file()]
    assert result.returncode == 0 and not missing, result.stdout + result.stderr


def pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF, laid out as on the page (pdftotext -layout)."""
    pdftotext = require("pdftotext")
    out = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [page for page in out.stdout.split("\f") if page.strip()]


def body_of(page: str, header: str) -> str:
    """A page without its running header (first line) and footer ('Page X of Y', last line), which are checked."""
    lines = [line for line in page.splitlines() if line.strip()]
    assert lines[0].strip() == header, lines[0]
    assert re.fullmatch(r"Page \d+ of \d+", lines[-1].strip()), lines[-1]
    return "\n".join(lines[1:-1])


# The scoring of /work/shared/tools/fidelity.py (which works on any two texts): lower-case words of letters only,
# bullet glyphs at the start of a line dropped, difflib's ratio over the two word sequences.
BULLET = re.compile(r"^\s*(?:[-*•·¢®◦▪]|e(?=\s+[A-Za-z]))\s+", re.MULTILINE)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", BULLET.sub("", text).lower())


def score(first: str, second: str) -> float:
    return difflib.SequenceMatcher(None, words(first), words(second), autojunk=False).ratio()


# A number at the start of a line. Word puts a tab after it, which pdftotext lays out as two or more spaces; a line of
# running text that happens to start with a short word and a full stop ('own. The') has one.
LABEL = re.compile(r"^\s*(\d+(?:\.\d+)*\.?(?=\s+\S)|(?:\(?[a-z]{1,6}\)|[a-zA-Z]{1,6}\.)(?=\s{2,}\S))", re.MULTILINE)


def labels_shown(text: str) -> list[str]:
    """The numbers at the start of the lines of a PDF's text: what Word's numbering printed."""
    return LABEL.findall(text)


def after_table(text: str, layout: Layout) -> str:
    """The text after the version-control table (whose version numbers are not list numbers)."""
    last_row = [cell.markdown for cell in layout.version_table.rows[-1]]
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if all(cell in " ".join(line.split()) for cell in last_row):
            return "\n".join(lines[n + 1 :])
    raise AssertionError(f"the table's last row {last_row} is not in the text")


@pytest.fixture(scope="module")
def converted(project, tmp_path_factory) -> tuple[Path, Workspace]:
    """Each seed council's DOCX, and hexham's with a paragraph inserted in its list, converted to PDF."""
    folder = tmp_path_factory.mktemp("docx")
    workspace = Workspace.open(project)
    files = []
    for council_id in COUNCILS:
        path = folder / f"{council_id}.docx"
        path.write_bytes(render_docx(workspace, council_id))
        (folder / f"{council_id}.md").write_bytes(
            Job(layout_of(workspace, council_id), workspace.templates, FORMATS).output("md")
        )
        files.append(path)
    files.append(insert_paragraph(folder / "hexham.docx", folder / "hexham-inserted.docx"))
    convert(folder, files)
    return folder, workspace


def insert_paragraph(source: Path, target: Path) -> Path:
    """What a clerk does in Word: a new paragraph after clause 2.1, in the same list at the same level."""
    document = docx.Document(str(source))
    anchor = next(p for p in document.paragraphs if p.text.startswith("The respective roles of Councillors"))
    new = copy.deepcopy(anchor._p)
    for run in new.findall(qn("w:r")):
        new.remove(run)
    anchor._p.addnext(new)
    added = docx.text.paragraph.Paragraph(new, anchor._parent)
    added.add_run("A paragraph the clerk inserted.")
    document.save(str(target))
    return target


@pytest.mark.parametrize("council_id", COUNCILS)
def test_libreoffice_shows_protocol_md_words_and_numbers(converted, council_id: str) -> None:
    folder, workspace = converted
    layout = layout_of(workspace, council_id)
    header = f"{layout.council_name} – {layout.title}"
    text = "\n".join(body_of(page, header) for page in pages(folder / f"{council_id}.pdf"))
    markdown = (folder / f"{council_id}.md").read_text(encoding="utf-8")
    assert score(markdown, text) >= 0.99, council_id
    assert labels_shown(after_table(text, layout)) == list(iter_labels(layout))


def test_hexham_is_numbered_1_1_to_5_3_with_lettered_items(converted) -> None:
    folder, workspace = converted
    shown = labels_shown(after_table("\n".join(pages(folder / "hexham.pdf")), layout_of(workspace, "hexham")))
    clauses = [label for label in shown if re.fullmatch(r"\d\.\d", label)]
    assert clauses[0] == "1.1" and clauses[-1] == "5.3" and "2.2" in clauses
    assert [label for label in shown if label.endswith(")")][:4] == ["a)", "b)", "c)", "d)"]
    assert "l)" in shown


def test_a_paragraph_inserted_in_word_renumbers_the_rest(converted) -> None:
    folder, workspace = converted
    layout = layout_of(workspace, "hexham")
    before = labels_shown(after_table("\n".join(pages(folder / "hexham.pdf")), layout))
    after = labels_shown(after_table("\n".join(pages(folder / "hexham-inserted.pdf")), layout))
    text = "\n".join(pages(folder / "hexham-inserted.pdf"))
    assert re.search(r"^\s*2\.2\s+A paragraph the clerk inserted\.", text, re.MULTILINE)
    assert re.search(r"^\s*2\.3\s+Councillors have four main areas", text, re.MULTILINE)
    section_2 = [label for label in before if label.startswith("2.") and label != "2."]
    shifted = [f"2.{int(label[2:]) + 1}" for label in section_2[1:]]
    assert [label for label in after if label.startswith("2.") and label != "2."] == ["2.1", "2.2", *shifted]
    assert [label for label in after if label.startswith("3.")] == [label for label in before if label.startswith("3.")]


RESTARTS = """\
sections:
  - id: tiny.one
    heading: One
    clauses:
      - id: tiny.a
        text: "First:"
        items: {x: X one, y: Y one}
      - id: tiny.b
        numbered: false
        text: "Second, unnumbered:"
        items: {x: X two, y: Y two}
      - id: tiny.c
        text: Third.
  - id: tiny.two
    heading: Two
    numbered: false
    clauses:
      - id: tiny.d
        text: Fourth.
  - id: tiny.three
    heading: Three
    clauses:
      - id: tiny.e
        text: Fifth.
"""


@pytest.mark.parametrize("levels", ['["1.", "1.1", "a)"]', '["none", "1.", "(a)"]', '["1.0", "1", "(i)"]'])
def test_numbers_word_must_restart_are_restarted(tmp_project: TmpProject, tmp_path: Path, levels: str) -> None:
    """Items of an unnumbered clause start again at a); clauses under unnumbered or unprinted sections start at 1."""
    document = tmp_project.tiny(RESTARTS)
    document.write_text(document.read_text(encoding="utf-8").replace('["1.", "1.1", "a)"]', levels), encoding="utf-8")
    workspace = tmp_project.workspace()
    layout = layout_of(workspace, "tiny")
    expected = list(iter_labels(layout))
    assert len(expected) > len(set(expected))  # some numbers come twice: Word must restart for them
    path = tmp_path / "tiny.docx"
    path.write_bytes(render_docx(workspace, "tiny"))
    convert(tmp_path, [path])
    text = "\n".join(
        body_of(page, f"{layout.council_name} – {layout.title}") for page in pages(path.with_suffix(".pdf"))
    )
    assert labels_shown(after_table(text, layout)) == expected


def test_the_site_index_links_a_built_docx(tmp_project: TmpProject, tmp_path: Path) -> None:
    from protocolc import api

    api.build(tmp_project.project, ["hexham", "duston"], ["md", "html"], tmp_path, site=True)
    api.build(tmp_project.project, ["hexham"], ["docx"], tmp_path)
    index = api.write_site(tmp_project.project, tmp_path).read_text(encoding="utf-8")
    assert 'href="hexham/protocol.docx"' in index
    assert 'href="duston/protocol.docx"' not in index  # a link only to what was built
