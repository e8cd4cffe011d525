"""What is published reads the same everywhere: the site's HTML passes the W3C checker with no errors, GitHub's
Markdown renderer (cmark-gfm) shows the same words and structure as protocol.html, and the site index reflows
on a 320 px screen. The seed councils (this repository's own sources) are built once, as `build --all` does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from conftest import COUNCILS, REPO, TINY, copy_project
from test_accessibility import CHROMIUM, CHROMIUM_ARGS
from test_tools import program, require, run, vnu

from protocolc.cli import main


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed councils built as a site (Markdown and HTML; the PDF is not read here)."""
    tmp = copy_project(tmp_path_factory.mktemp("site") / "project", REPO)
    result = CliRunner().invoke(main, ["--project", str(tmp.root), "build", "--all", "--format", "md,html", "-q"])
    assert result.exit_code == 0, result.output
    return tmp.root / "build"


# --- the W3C HTML checker ----------------------------------------------------------------------------------------


def test_every_published_page_passes_the_w3c_checker_with_no_errors(site: Path) -> None:
    pages = [site / c / "protocol.html" for c in COUNCILS] + [
        site / "index.html",
        site / "hexham/protocol.model-diff.html",
    ]
    assert all(p.is_file() for p in pages)
    result = run([*vnu(), "--errors-only", "--format", "json", *map(str, pages)])
    messages = json.loads(result.stderr)["messages"]
    assert [(Path(m["url"]).parent.name + "/" + Path(m["url"]).name, m["message"]) for m in messages] == []
    assert result.returncode == 0


def test_paged_media_rules_are_only_in_the_pdf_stylesheet(site: Path) -> None:
    page = (site / "hexham" / "protocol.html").read_text(encoding="utf-8")
    assert "string-set" not in page and "string(" not in page and "@page" not in page
    print_css = (REPO / "protocolc" / "templates" / "print.css").read_text(encoding="utf-8")
    assert "string-set: council content()" in print_css and "content: string(title)" in print_css


# --- GitHub's Markdown (cmark-gfm) shows what protocol.html shows ---------------------------------------------------


def _main_of_page(page: str) -> lxml.html.HtmlElement:
    """protocol.html's main content, without the permalinks (¶, for screens only)."""
    main = lxml.html.fromstring(page).find(".//main")
    assert main is not None
    for link in main.xpath(".//a[contains(@class, 'permalink')]"):
        link.drop_tree()
    return main


def _body_of_markdown(markdown: str) -> lxml.html.HtmlElement:
    """What GitHub shows of protocol.md (cmark-gfm with tables), less what protocol.html keeps outside <main>:
    the council's name and the title above, the closing text below the rule."""
    result = run([program("cmark-gfm"), "-e", "table"], stdin=markdown)
    assert result.returncode == 0, result.stderr
    assert "raw HTML omitted" not in result.stdout
    body = lxml.html.fromstring(f"<div>{result.stdout}</div>")
    first, title = body[0], body[1]
    assert first.tag == "p" and title.tag == "h1"
    first.drop_tree()
    title.drop_tree()
    rule = body.find("hr")
    if rule is not None:
        for after in list(rule.itersiblings()):
            after.drop_tree()
        rule.drop_tree()
    return body


def _words(element: lxml.html.HtmlElement) -> list[str]:
    return " ".join(element.itertext()).split()


def _structure(element: lxml.html.HtmlElement) -> dict[str, int]:
    """Lists and their items (lettered items are paragraphs in Markdown, which has no lettered lists), headings."""
    lists = [e for e in element.iter("ul", "ol") if "lettered" not in (e.get("class") or "")]
    items = [li for e in lists for li in e.iterchildren("li")]
    lettered = element.xpath(".//ol[contains(@class, 'lettered')]/li")
    labelled = [p for p in element.iter("p") if (p.text or "").strip()[:1] and LABEL.match((p.text or "").strip())]
    return {
        "lists": len(lists),
        "list items": len(items),
        "lettered items": len(lettered) or len(labelled),
        "h2": len(list(element.iter("h2"))),
        "h3": len(list(element.iter("h3"))),
        "tables": len(list(element.iter("table"))),
    }


LABEL = re.compile(r"^\(?[a-z]{1,4}[).]\s")


def assert_reads_the_same(markdown: str, page: str) -> None:
    shown, main = _body_of_markdown(markdown), _main_of_page(page)
    assert _words(shown) == _words(main)
    assert _structure(shown) == _structure(main)


@pytest.mark.parametrize("council_id", COUNCILS)
def test_github_shows_the_words_and_structure_of_the_web_page(site: Path, council_id: str) -> None:
    folder = site / council_id
    markdown = (folder / "protocol.md").read_text(encoding="utf-8")
    assert_reads_the_same(markdown, (folder / "protocol.html").read_text(encoding="utf-8"))


TRICKY = """\
changes:
  - insert: tiny.year
    after: introduction.aim
    text: "2024. The council adopted this protocol."
  - insert: tiny.signs
    after: tiny.year
    text: "+ a plus sign starts this clause.\\n\\n- and a minus sign this paragraph;\\n\\n> this one a quote mark."
  - insert: tiny.clerk
    after: tiny.signs
    text: "Write to \\\\<name of clerk> at <clerk@example.org> or <https://example.org/clerk>; 3 < 4."
  - insert: tiny.heading
    after: tiny.clerk
    text: "# Not a heading\\n\\n1) not a list either\\n\\n---"
  - insert: councillors.areas.twice
    after: councillors.areas.policy
    text: "First paragraph of one item.\\n\\nSecond paragraph of the same item, 2024. Still the same list."
  - insert: councillors.areas.year
    after: councillors.areas.twice
    text: "2025. An item that starts with a year."
"""


def test_tricky_texts_read_the_same_on_github(tmp_project) -> None:
    tmp_project.tiny(TRICKY)
    markdown, page = tmp_project.markdown(), tmp_project.html()
    assert_reads_the_same(markdown, page)
    assert "2024\\. The council" in markdown and "\\<name of clerk>" in markdown
    shown = _body_of_markdown(markdown)
    assert "<name of clerk>" in " ".join(shown.itertext())
    assert not any((li.text or "").startswith(("a)", "b)")) for li in shown.iter("li"))  # no "• a) ..."


def test_tricky_texts_with_bullets_keep_two_paragraph_items_in_their_list(tmp_project) -> None:
    head = TINY.replace('levels: ["1.", "1.1", "a)"]', 'levels: ["1.", "1.1", bullet]')
    assert head != TINY
    tmp_project.council_file("tiny", head + TRICKY)
    markdown, page = tmp_project.markdown(), tmp_project.html()
    assert_reads_the_same(markdown, page)
    shown = _body_of_markdown(markdown)
    [item] = [li for li in shown.iter("li") if "First paragraph of one item." in " ".join(li.itertext())]
    assert "Second paragraph of the same item" in " ".join(item.itertext())


# --- the site index reflows on a small screen (WCAG 1.4.10) ------------------------------------------------------


@pytest.fixture(scope="module")
def narrow_page(site: Path):
    require(CHROMIUM.is_file(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 320, "height": 640})
            yield page
        finally:
            browser.close()


def test_site_index_reflows_at_320_px(site: Path, narrow_page) -> None:
    narrow_page.goto((site / "index.html").as_uri())
    width = narrow_page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 320
    caption = narrow_page.evaluate(
        "(() => { const r = document.querySelector('caption').getBoundingClientRect(); return [r.left, r.right]; })()"
    )
    assert caption[0] >= 0 and caption[1] <= 320  # the caption is not cut off
    label = narrow_page.evaluate(
        "getComputedStyle(document.querySelector('td[data-label=\"Review by\"]'), '::before').content"
    )
    assert label == '"Review by: "'


def test_building_one_council_updates_an_existing_site_index(tmp_path: Path) -> None:
    tmp = copy_project(tmp_path / "project", REPO)
    runner = CliRunner()
    alone = runner.invoke(main, ["--project", str(tmp.root), "build", "hexham", "--format", "md,html"])
    assert alone.exit_code == 0, alone.output
    index = tmp.root / "build" / "index.html"
    assert not index.exists()  # no site until --all has made one
    everyone = runner.invoke(main, ["--project", str(tmp.root), "build", "--all", "--format", "md,html", "-q"])
    assert everyone.exit_code == 0, everyone.output
    assert "Hexham Town Council" in index.read_text(encoding="utf-8")
    document = tmp.root / "councils" / "hexham" / "protocol.yaml"
    document.write_text(
        document.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "9.0"', 1), encoding="utf-8"
    )
    again = runner.invoke(main, ["--project", str(tmp.root), "build", "hexham", "--format", "md,html"])
    assert again.exit_code == 0, again.output
    assert "site: " in again.output
    row = index.read_text(encoding="utf-8").split('id="hexham-protocol"')[1].split("</tr>")[0]
    assert '<td data-label="Version">9.0' in row
