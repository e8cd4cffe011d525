"""Accessibility of the outputs: the PDF (tagged PDF/UA-1) and the HTML (landmarks, contents, permalinks, axe-core).

The PDF checks open the file with pypdf and also run `pdfua` (a subset of the machine-checkable PDF/UA-1 rules).
The browser checks drive Debian's Chromium (/usr/bin/chromium) with Playwright and run axe-core (npm, pinned in
package-lock.json) in each council's protocol.html. Without Chromium or axe-core they fail when CI is set and are
skipped otherwise; `make test-deps` installs both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import COUNCILS, REPO, TmpProject

from protocolc import api
from protocolc.model import Document
from protocolc.templating import slug

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def require(present: bool, what: str) -> None:
    """Fail in CI, skip elsewhere, when something the tests need is not installed."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(
            f"{what} is missing and CI is set, so the accessibility tests cannot be skipped: "
            "`make test` runs `make test-deps` (scripts/test-deps.sh), which installs it when run as root",
            pytrace=False,
        )
    pytest.skip(f"{what} is missing: run `make test-deps` (or `sh scripts/test-deps.sh`) to install it")


@pytest.fixture(scope="module")
def built(project, tmp_path_factory) -> Path:
    """Every council built once, HTML and PDF."""
    out = tmp_path_factory.mktemp("a11y")
    results = api.build(project, COUNCILS, ["html", "pdf"], out, force=True)
    assert [r.error for r in results] == [None] * len(COUNCILS), [str(r.error) for r in results if r.error]
    return out


@pytest.fixture(scope="module")
def documents(workspace: api.Workspace) -> dict[str, Document]:
    return {council_id: workspace.document(council_id) for council_id in COUNCILS}


def heading_text(number: str | None, markdown: str) -> str:
    return " ".join(f"{number or ''} {markdown}".split())


def expected_headings(doc: Document) -> list[tuple[int, str]]:
    """(level, text) of every heading the document prints, in order: h1 title, h2 sections, h3 clause headings."""
    out = [(1, doc.title.markdown), (2, doc.version_table.caption.markdown)]
    for section in doc.sections:
        if section.heading:
            out.append((2, heading_text(section.number, section.heading.markdown)))
        out += [(3, heading_text(c.number, c.heading.markdown)) for c in section.clauses if c.heading]
    return out


# --- the PDF -----------------------------------------------------------------------------------------------------


@dataclass
class Element:
    """One structure element of a tagged PDF: role, attributes, kids."""

    role: str
    obj: object
    kids: list[Element] = field(default_factory=list)
    mcids: int = 0  # marked-content items directly under it

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def has_content(self) -> bool:
        return any(e.mcids for e in self.walk())


def structure_tree(reader) -> Element:
    from pypdf.generic import ArrayObject, DictionaryObject

    def build(node) -> Element:
        node = node.get_object()
        element = Element(str(node.get("/S", "/StructTreeRoot")), node)
        kids = node.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object()
            if isinstance(kid, int) or (isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR"):
                element.mcids += 1
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") != "/OBJR":
                element.kids.append(build(kid))
        return element

    return build(reader.trailer["/Root"]["/StructTreeRoot"])


def outline_entries(reader) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark, depth 1 at the top."""

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, " ".join(item.title.split())

    return list(walk(reader.outline, 1))


def xmp_text(reader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_catalog_language_title_and_viewer_preferences(built, documents, council_id: str):
    from pypdf import PdfReader

    doc = documents[council_id]
    reader = PdfReader(built / council_id / "protocol.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = f"{doc.title.markdown} – {doc.council.name}"
    assert reader.metadata.title == title
    xmp = xmp_text(reader)
    assert f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in xmp  # dc:title, which PDF/UA requires
    assert 'pdfuaid:part="1"' in xmp
    assert reader.pdf_header == "%PDF-1.7"


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_structure_tree_has_headings_paragraphs_lists_and_a_real_table(built, documents, council_id: str):
    from pypdf import PdfReader

    doc = documents[council_id]
    tree = structure_tree(PdfReader(built / council_id / "protocol.pdf"))
    roles = [e.role for e in tree.walk()]
    assert {"/Document", "/H1", "/H2", "/P", "/Table", "/THead", "/TBody", "/TR", "/TH", "/TD"} <= set(roles)
    assert roles.count("/H1") == 1
    assert ("/H3" in roles) == any(c.heading for s in doc.sections for c in s.clauses)
    assert ("/L" in roles and "/LI" in roles) == any(c.items for s in doc.sections for c in s.clauses)
    # Links in the PDF come only from links in the clauses' own text: the contents, the permalinks
    # and the skip link are for screens, and print without a trace.
    text_links = sum(p.markdown.count("](") for p in doc.passages)
    assert roles.count("/Link") == text_links
    assert "/Figure" not in roles

    [table] = [e for e in tree.walk() if e.role == "/Table"]
    heads = [e for e in table.walk() if e.role == "/TH"]
    cells = [e for e in table.walk() if e.role == "/TD"]
    scopes = [str(th.obj["/A"]["/Scope"]) for th in heads]
    assert scopes.count("/Column") == len(doc.version_table.headers)
    assert scopes.count("/Row") == len(doc.version_table.rows)
    ids = {str(th.obj["/ID"]) for th in heads}
    assert len(cells) == sum(len(row) - 1 for row in doc.version_table.rows)
    for td in cells:  # each data cell names its row header and its column header
        headers = [str(h) for h in td.obj["/A"]["/Headers"]]
        assert len(headers) == 2 and set(headers) <= ids
    assert all(e.has_content() for e in heads + cells)
    # ... and the IDs the cells name can be looked up: the structure tree's /IDTree maps each to its header cell
    names = tree.obj["/IDTree"].get_object()["/Names"]
    lookup = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    assert list(lookup) == sorted(ids)
    assert all(lookup[str(th.obj["/ID"])] == th.obj for th in heads)


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_headings_are_not_empty(built, council_id: str):
    """Our own check of PDF/UA §7.4 (no empty heading), which pdfua 0.1.3 cannot evaluate (see below)."""
    from pypdf import PdfReader

    tree = structure_tree(PdfReader(built / council_id / "protocol.pdf"))
    headings = [e for e in tree.walk() if re.fullmatch(r"/H[1-6]", e.role)]
    assert headings and all(h.has_content() for h in headings)


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_bookmarks_are_the_document_headings_in_order(built, documents, council_id: str):
    from pypdf import PdfReader

    entries = outline_entries(PdfReader(built / council_id / "protocol.pdf"))
    assert entries == expected_headings(documents[council_id])


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_has_no_screen_only_text(built, council_id: str):
    """Contents, permalinks, skip link and colophon are hidden by the print stylesheet: the PDF is the adopted text."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(built / council_id / "protocol.pdf").pages)
    for screen_only in ("¶", "Skip to the protocol", "Contents\n", ", version "):
        assert screen_only not in text


# pdfua 0.1.3 checks 16 of the 106 machine-checkable PDF/UA-1 rules. It finds nothing in our PDFs; one rule cannot
# run at all, because of a bug in pdfua itself, not in the PDF:
KNOWN_SKIPS = {
    # UA-14-001 (no empty headings): pdfua's as_integer() does getattr(kid, "is_integer") on each heading's /K;
    # pikepdf raises ValueError, not AttributeError, for an unknown attribute of an array, so the rule fails on every
    # heading whose /K is an array, which is how WeasyPrint (and most writers) tag headings. The rule is reported as
    # skipped; test_pdf_headings_are_not_empty above checks the same thing.
    "UA-14-001": "is_integer",
}


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdfua_finds_nothing(built, council_id: str):
    import pdfua

    report = pdfua.validate(str(built / council_id / "protocol.pdf"))
    assert [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings] == []
    skipped = {o.rule_id: o.skipped_reason for o in report.skipped}
    assert sorted(skipped) == sorted(KNOWN_SKIPS), skipped
    for rule_id, reason in skipped.items():
        assert KNOWN_SKIPS[rule_id] in reason
    assert len(report.outcomes) - len(skipped) == 11  # every other check ran


def test_pdfua_does_find_an_untagged_pdf(built, tmp_path: Path):
    """The same page without its language, written as a plain untagged PDF: pdfua must say so (it does not pass all)."""
    import pdfua
    import weasyprint

    html = (built / "hexham" / "protocol.html").read_text(encoding="utf-8").replace(' lang="en-GB"', "", 1)
    plain = tmp_path / "plain.pdf"
    weasyprint.HTML(string=html).write_pdf(plain)
    found = {f.rule_id for f in pdfua.validate(str(plain)).findings}
    # no structure tree, not marked, no language, DisplayDocTitle unset, no XMP PDF/UA identification
    assert found == {"UA-01-005", "UA-01-002", "UA-06-001", "UA-07-002", "UA-28-004"}


# --- the HTML, as markup ---------------------------------------------------------------------------------------------


@dataclass
class Node:
    """An element of a parsed page: tag, attributes and its children (elements and text, in order)."""

    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def all(self, tag: str | None = None):
        for child in self.elements:
            if tag is None or child.tag == tag:
                yield child
            yield from child.all(tag)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def inner_text(self) -> str:
        return " ".join("".join(c if isinstance(c, str) else c.inner_text() for c in self.children).split())


class Tree(HTMLParser):
    VOID = {"meta", "br", "link", "img", "input", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag) -> None:
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        assert node is not self.root, f"</{tag}> closes nothing"
        self.current = node.parent

    def handle_data(self, data) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def ids_of(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


@pytest.fixture(scope="module")
def pages(built) -> dict[str, tuple[str, Node]]:
    out = {}
    for council_id in COUNCILS:
        html = (built / council_id / "protocol.html").read_text(encoding="utf-8")
        out[council_id] = (html, parse(html))
    return out


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_landmarks(pages, council_id: str):
    _, root = pages[council_id]
    [html] = root.all("html")
    assert html.attrs == {"lang": "en-GB"}
    [body] = html.all("body")
    tags = [(c.tag, c.attrs.get("class")) for c in body.elements]
    assert tags == [
        ("a", "skip-link"),
        ("header", "masthead"),
        ("nav", "toc"),
        ("main", None),
        ("footer", "page-footer"),
    ]
    [main] = body.all("main")
    assert body.elements[0].attrs["href"] == f"#{main.attrs['id']}"
    [nav] = body.all("nav")
    assert nav.attrs["aria-label"] == "Contents"
    for landmark in ("header", "nav", "main", "footer"):  # one of each, none nested in another
        assert len(list(root.all(landmark))) == 1
    assert list(main.all("table"))
    assert not list(root.all("script"))


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_heading_hierarchy(pages, documents, council_id: str):
    html, _ = pages[council_id]
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    # the document's own headings, in order, after the contents' heading
    body = re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html, re.S)
    printed = [(int(level), " ".join(re.sub(r"<[^>]+>", "", text).split())) for level, text in body]
    assert printed[1] == (2, "Contents")
    assert [printed[0], *printed[2:]] == expected_headings(documents[council_id])


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_contents_link_every_section(pages, documents, council_id: str):
    html, root = pages[council_id]
    doc = documents[council_id]
    [nav] = root.all("nav")
    links = [(a.attrs["href"], a.inner_text()) for a in nav.all("a")]
    expected = [("#version-control", doc.version_table.caption.markdown)]
    for section in doc.sections:
        if section.heading:  # a section without a heading is a preamble: there is nothing to call it
            expected.append((f"#{slug(section.id)}", heading_text(section.number, section.heading.markdown)))
        expected += [
            (f"#{slug(c.id)}", heading_text(c.number, c.heading.markdown)) for c in section.clauses if c.heading
        ]
    assert links == expected
    ids = set(ids_of(html))
    assert {href[1:] for href, _ in links} <= ids


@pytest.mark.parametrize("council_id", COUNCILS)
def test_html_every_clause_has_its_own_anchor_and_a_permalink(pages, documents, council_id: str):
    html, root = pages[council_id]
    doc = documents[council_id]
    ids = ids_of(html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert [i for i in ids if i.endswith("-text")] == []
    elements = {n.attrs["id"]: n for n in root.all() if "id" in n.attrs}
    for section in doc.sections:
        for clause in section.clauses:
            anchor = slug(clause.id)
            element = elements[anchor]
            if clause.join:
                assert element.tag == "span" and "joined" in element.classes(), clause.id
            else:
                assert element.tag == "div" and "clause" in element.classes(), clause.id
            permalink = element.elements[0]
            assert permalink.tag == "a" and "permalink" in permalink.classes()
            assert permalink.attrs["href"] == f"#{anchor}"
            name = permalink.attrs["aria-label"]
            assert name == (f"Link to clause {clause.number}" if clause.number else "Link to this clause")
    if council_id == "hexham":  # clause councillors.areas, numbered 2.2, is the element with id councillors-areas
        assert elements["councillors-areas"].elements[0].attrs["aria-label"] == "Link to clause 2.2"


def test_joined_clauses_in_a_preamble_each_get_an_anchor(tmp_project: TmpProject):
    """A first clause of two paragraphs, continued by a joined clause, in a section without a heading."""
    tmp_project.tiny(
        """\
        sections:
          - id: tiny.preamble
            clauses:
              - id: tiny.one
                text: |-
                  First paragraph.

                  Second paragraph.
              - id: tiny.two
                join: true
                text: Joined sentence.
              - id: tiny.three
                heading: A heading
                text: Third.
          - introduction
        """
    )
    html = tmp_project.html()
    root = parse(html)
    ids = ids_of(html)
    assert len(ids) == len(set(ids))
    elements = {n.attrs["id"]: n for n in root.all() if "id" in n.attrs}
    one, two = elements["tiny-one"], elements["tiny-two"]
    assert [p.inner_text() for p in one.all("p")][0].endswith("First paragraph.")
    assert two.parent.tag == "p" and two.parent.parent is one  # inside the second paragraph of tiny.one
    assert two.elements[0].attrs == {"class": "permalink", "href": "#tiny-two", "aria-label": "Link to this clause"}
    [nav] = root.all("nav")
    assert [a.attrs["href"] for a in nav.all("a")][:3] == ["#version-control", "#tiny-three", "#introduction"]


# --- the HTML, in Chromium -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK), f"Chromium ({CHROMIUM})")
    require(AXE.is_file(), f"axe-core ({AXE.relative_to(REPO)})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the Python package playwright (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    yield page
    page.close()


def run_axe(page, options: str = "") -> dict:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(f"() => axe.run(document{', ' + options if options else ''})")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("council_id", COUNCILS)
def test_axe_finds_no_violations(built, page, council_id: str):
    page.goto((built / council_id / "protocol.html").as_uri())
    results = run_axe(page)
    assert results["violations"] == [], "\n" + describe(results["violations"])
    passed = {rule["id"] for rule in results["passes"]}
    assert {"color-contrast", "html-lang-valid", "landmark-one-main", "region", "heading-order"} <= passed


# The colour and the background an element is seen on (the first ancestor's background that is not transparent).
SHOWN_COLOURS = """e => {
    let back = e;
    const clear = el => getComputedStyle(el).backgroundColor.replace(/ /g, "") === "rgba(0,0,0,0)";
    while (back && clear(back)) back = back.parentElement;
    return [getComputedStyle(e).color, back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)"];
}"""


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two CSS rgb()/rgba() colours (opaque)."""

    def luminance(css: str) -> float:
        r, g, b = (int(float(x)) / 255 for x in re.findall(r"[\d.]+", css)[:3])
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_of_permalinks_shown_by_focus_and_hover_and_of_a_target(built, page):
    page.goto((built / "hexham" / "protocol.html").as_uri() + "#roles-electorate")
    page.focus("#roles-electorate > a.permalink")
    page.hover("#hexham-job")  # shows that clause's permalink and its paragraph's
    results = run_axe(page, "{runOnly: ['color-contrast', 'link-name']}")
    assert results["violations"] == [], "\n" + describe(results["violations"])
    # axe leaves a one-character link ("¶") for a person to judge ("too short to determine if it is actual text"),
    # so the permalinks shown are measured here, and nothing else may be left unjudged.
    unjudged = [n["html"] for v in results["incomplete"] for n in v["nodes"]]
    assert all('class="permalink"' in html for html in unjudged), unjudged
    shown = page.locator("a.permalink").evaluate_all("as => as.filter(a => getComputedStyle(a).opacity === '1').length")
    assert shown == 3  # the focused one, the hovered clause's and its paragraph's
    for link in page.locator("a.permalink").all():
        if link.evaluate("a => getComputedStyle(a).opacity") == "1":
            colour, background = link.evaluate(SHOWN_COLOURS)
            assert contrast(colour, background) >= 4.5, (link.get_attribute("href"), colour, background)


def test_axe_does_report_violations(page):
    """The harness itself: axe must report a page with no language, an image without alt text and an empty link."""
    page.set_content(
        "<!DOCTYPE html><html><head><title>x</title></head><body><img src='x.png'><a href='#'></a></body></html>"
    )
    found = {v["id"] for v in run_axe(page)["violations"]}
    assert {"html-has-lang", "image-alt", "link-name"} <= found


def test_permalinks_show_on_focus_and_have_names(built, page):
    page.goto((built / "hexham" / "protocol.html").as_uri())
    link = page.get_by_role("link", name="Link to clause 2.2")
    assert link.count() == 1
    assert link.evaluate("a => getComputedStyle(a).opacity") == "0"
    link.focus()
    assert link.evaluate("a => getComputedStyle(a).opacity") == "1"
    assert link.get_attribute("href") == "#councillors-areas"
    page.hover("#hexham-job")
    assert page.locator("#hexham-job > a.permalink").evaluate("a => getComputedStyle(a).opacity") == "1"


def test_print_media_hides_what_only_screens_need(built, page):
    page.goto((built / "hexham" / "protocol.html").as_uri())
    page.emulate_media(media="print")
    for selector in ("nav.toc", ".skip-link", ".colophon", "a.permalink >> nth=0"):
        assert page.locator(selector).evaluate("e => getComputedStyle(e).display") == "none", selector
    assert page.locator("main").is_visible() and page.locator(".closing").is_visible()


@pytest.fixture(scope="module")
def site(project, tmp_path_factory) -> Path:
    """The site as `build --all` writes it: index.html and each council's page of changes from the model."""
    out = tmp_path_factory.mktemp("a11y-site")
    api.build(project, COUNCILS, ["md", "html"], out, site=True)
    api.write_site(project, out)
    return out


@pytest.mark.parametrize("page_path", ["index.html", "hexham/protocol.model-diff.html", "duston/protocol.model-diff.html"])
def test_axe_finds_no_violations_on_the_site_pages(site, page, page_path: str):
    page.goto((site / page_path).as_uri())
    results = run_axe(page)
    assert results["violations"] == [], "\n" + describe(results["violations"])
    assert {"color-contrast", "html-lang-valid"} <= {rule["id"] for rule in results["passes"]}
