"""The formats (formats/markdown.py, html.py, pdf.py, from layout.py).

HTML structure and escaping, Markdown layout, and the PDF (pages, text, metadata, reproducibility)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import TmpProject

from protocolc import api
from protocolc.errors import ProtocolError
from protocolc.formats import FORMATS, Format, Job
from protocolc.layout import lay_out
from protocolc.templating import slug

COUNCILS = ["cottingham", "duston", "hexham", "langport", "mumbles"]


class Outline(HTMLParser):
    """Collects what the structure checks need: tags with attributes, ids, text inside chosen elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag not in ("meta", "br", "link", "img", "input", "hr"):
            self.stack.append(tag)
            self.text.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for tag in set(self.stack):
            self.text[tag][-1] += data

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)

    def attrs(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def rendered(workspace: api.Workspace) -> dict[str, tuple[object, str, str]]:
    """Each council's Document, HTML and Markdown, rendered once for the module."""
    out = {}
    for council_id in COUNCILS:
        doc = workspace.document(council_id)
        job = Job(lay_out(doc), workspace.templates, FORMATS)
        out[council_id] = (doc, job.output("html").decode("utf-8"), job.output("md").decode("utf-8"))
    return out


# --- HTML ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_document_structure(rendered, council_id: str):
    doc, html, _ = rendered[council_id]
    page = outline(html)
    assert html.startswith("<!DOCTYPE html>\n")
    assert page.attrs("html") == [{"lang": "en-GB"}]
    assert page.count("h1") == 1
    assert page.text["h1"][0].strip() == doc.title.markdown
    assert page.count("title") == 1
    title = page.text["title"][0]
    assert doc.council.name in title and doc.title.markdown in title
    assert page.count("script") == 0


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_version_table(rendered, council_id: str):
    doc, html, _ = rendered[council_id]
    page = outline(html)
    column_heads = [a for a in page.attrs("th") if a.get("scope") == "col"]
    row_heads = [a for a in page.attrs("th") if a.get("scope") == "row"]
    assert len(column_heads) == len(doc.version_table.headers) >= 2
    assert len(row_heads) == len(doc.versions)
    assert all(a.get("scope") in ("col", "row") for a in page.attrs("th"))
    assert page.count("table") == 1
    assert "version-control" in page.ids


@pytest.mark.parametrize("council_id", COUNCILS)
def test_every_clause_and_item_has_an_id(rendered, council_id: str):
    doc, html, _ = rendered[council_id]
    ids = set(outline(html).ids)
    for section in doc.sections:
        assert slug(section.id) in ids
        for clause in section.clauses:
            assert slug(clause.id) in ids or f"{slug(clause.id)}-text" in ids, clause.id
            for item in clause.items:
                assert slug(item.id) in ids, item.id


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_ids_are_unique(rendered, council_id: str):
    _, html, _ = rendered[council_id]
    ids = outline(html).ids
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_slug_is_derived_from_the_clause_id():
    assert slug("councillors.areas") == "councillors-areas"
    assert slug("expectations.councillors.commitment") == "expectations-councillors-commitment"


@pytest.mark.parametrize("council_id", ["hexham", "cottingham", "langport"])
def test_numbered_clause_numbers_appear(rendered, council_id: str):
    doc, html, _ = rendered[council_id]
    numbers = [t for t in outline(html).text.get("span", []) if re.fullmatch(r"\d+(\.\d+)*\.?", t)]
    expected_sections = [s.number for s in doc.sections if s.number]
    expected_clauses = [c.number for s in doc.sections for c in s.clauses if c.number]
    assert expected_clauses, "a numbered council has numbered clauses"
    assert numbers == [
        n for s in doc.sections for n in ([s.number] if s.number else []) + [c.number for c in s.clauses if c.number]
    ]
    assert len(numbers) == len(expected_sections) + len(expected_clauses)


def test_hexham_html_has_lettered_lists(rendered):
    _, html, _ = rendered["hexham"]
    page = outline(html)
    assert any(a.get("class") == "lettered" for a in page.attrs("ol"))
    assert page.count("ul") == 0
    assert '<span class="label">a)</span>' in html


def test_raw_html_in_clause_text_is_refused_where_it_is_written(tmp_project: TmpProject) -> None:
    path = tmp_project.tiny(
        "changes:\n  - replace: officers.role\n"
        "    text: 'Hello <script>alert(1)</script> <b onclick=\"x()\">bold</b>'\n"
        "  - replace: councillors.areas.policy\n    text: '<img src=x onerror=alert(2)>'\n"
    )
    with pytest.raises(ProtocolError) as info:
        tmp_project.html()
    rel = path.relative_to(tmp_project.root).as_posix()
    problems = sorted(info.value.problems, key=lambda p: p.source.line if p.source else 0)
    assert [str(p.source) for p in problems] == [f"{rel}:8:11", f"{rel}:10:11"]
    assert [p.message for p in problems] == [
        "text contains HTML (<script>), which texts may not contain",
        "text contains HTML (<img src=x onerror=alert(2)>), which texts may not contain",
    ]


def test_raw_html_that_reached_a_template_would_still_be_escaped(workspace: api.Workspace) -> None:
    """Behind the check, the HTML output escapes whatever HTML a text holds: it never passes through."""
    html = workspace.templates.inline_html("Hello <script>alert(1)</script> <img src=x onerror=alert(2)>")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_multi_paragraph_clause_text_is_valid_html(tmp_project: TmpProject):
    """A text with a blank line is two paragraphs: they must not be nested inside the clause's own <p>."""
    tmp_project.tiny("changes:\n  - replace: officers.role\n    text: |-\n      Para one.\n\n      Para two.\n")
    page = NestingCheck()
    page.feed(tmp_project.html())
    assert page.nested == []
    assert any(p.endswith(" Para one.") for p in page.paragraphs)  # after the clause's number
    assert "Para two." in page.paragraphs


class NestingCheck(HTMLParser):
    """Records block elements opened inside a <p> or a <span> (never valid HTML) and each paragraph's text."""

    BLOCKS = {"p", "div", "ul", "ol", "li", "h1", "h2", "h3", "table", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.nested: list[str] = []
        self.paragraphs: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("meta", "br", "link", "img", "hr"):
            return
        if tag in self.BLOCKS and {"p", "span"} & set(self.stack):
            self.nested.append(f"<{tag}> inside {'/'.join(self.stack[-3:])}")
        self.stack.append(tag)
        if tag == "p":
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "p" in self.stack and self.paragraphs:
            self.paragraphs[-1] += data


@pytest.mark.parametrize("council_id", COUNCILS)
def test_real_councils_have_no_misnested_blocks(rendered, council_id: str):
    _, html, _ = rendered[council_id]
    page = NestingCheck()
    page.feed(html)
    assert page.nested == []


def test_markdown_in_clause_text_becomes_html(tmp_project: TmpProject):
    tmp_project.tiny(
        "changes:\n  - replace: officers.role\n    text: 'Read the *Code* and [the rules](https://example.org).'\n"
    )
    html = tmp_project.html()
    assert "<em>Code</em>" in html
    assert '<a href="https://example.org">the rules</a>' in html


def test_council_name_is_escaped_in_html(tmp_project: TmpProject):
    tmp_project.council_file("tiny", 'name: Tiny & <Small> Council\nkind: parish\nversions:\n  - version: "1"\n')
    html = tmp_project.html()
    assert "<Small>" not in html
    assert "Tiny &amp; &lt;Small&gt; Council" in html


# --- Markdown ------------------------------------------------------------------------------------------------


def test_hexham_markdown_has_lettered_items(rendered):
    _, _, markdown = rendered["hexham"]
    assert "\na) To determine Council policy and provide community leadership;\n" in markdown
    assert "\nd) to act as advocates on behalf of their constituents.\n" in markdown
    assert "\n## 1. Introduction\n" in markdown
    assert "\n**1.1** The relationship between Councillors and officers" in markdown
    assert markdown.startswith("Hexham Town Council\n\n# Member/Officer Relations Protocol\n")


def test_duston_markdown_has_no_numbers(rendered):
    doc, _, markdown = rendered["duston"]
    assert all(s.number is None for s in doc.sections)
    assert all(c.number is None for s in doc.sections for c in s.clauses)
    assert not re.search(r"^#+ \d", markdown, re.MULTILINE)
    assert not re.search(r"\*\*\d+(\.\d+)*\*\*", markdown)
    assert not re.search(r"^- [a-z]{1,2}\) ", markdown, re.MULTILINE)
    assert "\n## Councillors\n" in markdown


def test_markdown_version_table(rendered):
    _, _, markdown = rendered["duston"]
    assert (
        "| Version | Date adopted | Review by | Approved by |\n|---|---|---|---|\n"
        "| 167/23 | 2 March 2023 | March 2028 | Council |\n"
    ) in markdown
    _, _, markdown = rendered["mumbles"]
    assert "| Version | Date adopted |\n|---|---|\n| 1.0 | — |\n" in markdown


def test_markdown_version_table_keeps_its_columns(tmp_project: TmpProject):
    """A '|' typed in a note must not add a column to the Markdown table."""
    tmp_project.council_file(
        "tiny",
        'name: T\nkind: parish\nversions:\n  - version: "1"\n    minute: "12/23"\n    note: Sections 2 | 3 revised\n',
    )
    markdown = tmp_project.markdown()
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert table[0] == "| Version | Date adopted | Minute | Note |"
    cells = [re.split(r"(?<!\\)\|", line)[1:-1] for line in table]
    assert [len(row) for row in cells] == [4, 4, 4]
    assert "Sections 2" in table[2] and "3 revised" in table[2]


def test_markdown_ends_with_the_closing(rendered):
    _, _, markdown = rendered["hexham"]
    assert markdown.endswith(
        "\n---\n\nDecember 2020 – Date for Review: December 2023\n\nclerk@hexhamtowncouncil.gov.uk\n"
    )


# --- PDF -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_builds(project, tmp_path_factory) -> tuple[Path, Path]:
    """Hexham built twice, into two folders, in all three formats."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    for out in (first, second):
        [result] = api.build(project, ["hexham"], ["md", "html", "pdf"], out)
        assert result.error is None, str(result.error)
    return first / "hexham", second / "hexham"


def test_pdf_pages_text_and_metadata(two_builds):
    from pypdf import PdfReader

    reader = PdfReader(two_builds[0] / "protocol.pdf")
    assert 2 <= len(reader.pages) <= 6
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "hexham town council" in text.lower()
    assert "Member/Officer Relations Protocol" in text
    assert "Mutual respect between Councillors and officers is essential" in " ".join(text.split())
    assert "Member/Officer Relations Protocol" in reader.metadata.title
    assert "Hexham Town Council" in (reader.metadata.author or "")
    assert reader.pdf_header.startswith("%PDF-1.")


def test_pdf_is_tagged_with_language(two_builds):
    from pypdf import PdfReader

    root = PdfReader(two_builds[0] / "protocol.pdf").trailer["/Root"]
    assert str(root["/Lang"]).lower().startswith("en")
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


@pytest.mark.parametrize("name", ["protocol.pdf", "protocol.html", "protocol.md", "protocol.manifest.json"])
def test_building_twice_gives_identical_bytes(two_builds, name: str):
    first, second = two_builds
    assert (first / name).read_bytes() == (second / name).read_bytes()


# --- nested lists and the format table -------------------------------------------------------------------------


def nested_project(tmp_project: TmpProject) -> TmpProject:
    """A council whose list item holds a list of its own, numbered with a fourth level style."""
    tmp_project.tiny(
        """\
        changes:
          - replace: councillors.areas.policy
            text: "To determine policy:"
        """
    )
    library_file = tmp_project.path("clauses/protocol/councillors.yaml")
    text = library_file.read_text(encoding="utf-8").replace(
        "      policy: To determine {{ council }} policy and provide community leadership;\n",
        "      policy:\n"
        "        text: To determine {{ council }} policy and provide community leadership;\n"
        "        items:\n"
        "          budget: by setting the budget;\n"
        "          plans: by adopting plans.\n",
    )
    library_file.write_text(text, encoding="utf-8")
    document = tmp_project.path("councils/tiny/protocol.yaml")
    document.write_text(
        document.read_text(encoding="utf-8").replace(
            'levels: ["1.", "1.1", "a)"]', 'levels: ["1.", "1.1", "a)", "(i)"]'
        ),
        encoding="utf-8",
    )
    return tmp_project


def test_nested_list_in_markdown_and_html(tmp_project: TmpProject) -> None:
    project = nested_project(tmp_project)
    markdown = project.markdown()
    assert "a) To determine policy:\n\n(i) by setting the budget;\n\n(ii) by adopting plans.\n" in markdown
    html = project.html()
    assert '<li id="councillors-areas-policy-budget"><span class="label">(i)</span> by setting the budget;</li>' in html
    page = outline(html)
    assert page.count("ol") >= 2


def test_nested_list_needs_a_style_for_its_level(tmp_project: TmpProject) -> None:
    project = nested_project(tmp_project)
    document = project.path("councils/tiny/protocol.yaml")
    document.write_text(document.read_text(encoding="utf-8").replace(', "(i)"]', "]"), encoding="utf-8")
    with pytest.raises(ProtocolError) as caught:
        project.document()
    problem = caught.value.problems[0]
    assert problem.message.startswith("numbering gives 3 levels but this document has 4")
    assert problem.source is not None and problem.source.path == "councils/tiny/protocol.yaml"


def test_a_new_format_is_one_more_entry_in_the_table(tmp_project: TmpProject) -> None:
    """A format is a Format value: plain text here, rendered from the same Layout as the others."""

    def plain(job: Job) -> bytes:
        lines = [job.layout.council_name, job.layout.title]
        for section in job.layout.sections:
            lines += [f"{section.number or ''} {section.heading or ''}".strip()]
            lines += [f"{block.number or ''} {block.text}".strip() for block in section.blocks if block.text]
        return "\n".join(lines).encode("utf-8")

    formats = dict(FORMATS) | {"txt": Format("txt", "txt", "plain text", plain)}
    tmp_project.tiny()
    workspace = tmp_project.workspace()
    text = Job(lay_out(workspace.document("tiny")), workspace.templates, formats).output("txt").decode("utf-8")
    assert text.startswith("Tiny Parish Council\nMember/Officer Relations Protocol\n1. Introduction\n")
    assert "\n2.1 " in text
