"""Render stage: a resolved Document -> Markdown, HTML and PDF.

The words come only from the Document; the templates in the project's
`templates/` folder only lay them out, so Markdown, HTML and PDF cannot drift.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from .errors import ProtocolError, Source
from .model import DocClause, Document

MARKDOWN_TEMPLATE = "protocol.md.j2"
HTML_TEMPLATE = "protocol.html.j2"
INDEX_TEMPLATE = "index.html.j2"
STYLESHEET = "protocol.css"


def text_paragraphs(group: tuple[DocClause, ...]) -> list[list[tuple[str | None, str]]]:
    """The printed paragraphs of a group of joined clauses: (anchor id or None, one paragraph of Markdown) pieces.

    A clause's text may hold several paragraphs (a blank line between them); a joined clause continues
    the last paragraph of the clause before it.
    """
    paragraphs: list[list[tuple[str | None, str]]] = []
    for clause in group:
        if clause.text is None:
            continue
        for n, part in enumerate(clause.text.markdown.split("\n\n")):
            piece = (clause.id if n == 0 else None, part)
            if n == 0 and clause.join and paragraphs:
                paragraphs[-1].append(piece)
            else:
                paragraphs.append([piece])
    return paragraphs


def table_cell(text: str) -> str:
    """A Markdown table cell: a '|' in a note must not start a new column."""
    return text.replace("|", "\\|")


def slug(clause_id: str) -> str:
    """A clause's permalink anchor: its id with dots as dashes (`councillors.areas` -> `councillors-areas`)."""
    return clause_id.replace(".", "-")


class Renderer:
    """Holds the template environments for one project; render as many Documents as you like."""

    def __init__(self, templates: Path) -> None:
        if not (templates / MARKDOWN_TEMPLATE).is_file():
            raise ProtocolError(
                "the project has no document templates",
                Source(f"templates/{MARKDOWN_TEMPLATE}"),
                "a project needs templates/ with protocol.md.j2, protocol.html.j2 and protocol.css",
            )
        self.templates = templates
        loader = jinja2.FileSystemLoader(templates)
        common = dict(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.md_env = ImmutableSandboxedEnvironment(autoescape=False, **common)
        self.html_env = ImmutableSandboxedEnvironment(autoescape=True, **common)
        self.markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
        self.html_env.filters["md"] = self.inline_html
        for env in (self.md_env, self.html_env):
            env.filters["slug"] = slug
            env.filters["text_paragraphs"] = text_paragraphs
            env.filters["cell"] = table_cell

    def inline_html(self, markdown: str) -> Markup:
        """Clause Markdown to HTML; raw HTML in the sources is escaped, never passed through."""
        if "\n\n" in markdown:
            return Markup(self.markdown.render(markdown))
        return Markup(self.markdown.renderInline(markdown))

    def _render(self, env: ImmutableSandboxedEnvironment, name: str, what: str, **context: object) -> str:
        try:
            return env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise ProtocolError(
                f"template error: {exc.message}", Source(f"templates/{name}", exc.lineno or 0)
            ) from None
        except jinja2.TemplateError as exc:
            raise ProtocolError(
                f"template error while rendering {what}: {exc}",
                Source(f"templates/{name}"),
                "templates/README.md lists what each template can use",
            ) from None

    def index_text(self, entries: list, counts: dict[str, int], today) -> str:
        """The site's front page (templates/index.html.j2)."""
        from .status import OVERDUE, label

        labels = {e.state: label(e.state) for e in entries} | {OVERDUE: label(OVERDUE)}
        return self._render(
            self.html_env, INDEX_TEMPLATE, "the site index", entries=entries, counts=counts, today=today, labels=labels
        )

    def markdown_text(self, doc: Document) -> str:
        return self._render(self.md_env, MARKDOWN_TEMPLATE, doc.council.id, **self._document_context(doc))

    def html_text(self, doc: Document) -> str:
        return self._render(self.html_env, HTML_TEMPLATE, doc.council.id, **self._document_context(doc))

    @staticmethod
    def _document_context(doc: Document) -> dict[str, object]:
        return {"doc": doc, "council": doc.council, "current": doc.council.current}

    def pdf_bytes(self, html: str) -> bytes:
        """The HTML laid out for print by WeasyPrint as tagged PDF/UA; dates come from the version history."""
        import pydyf  # WeasyPrint's PDF writer
        import weasyprint  # imported here: it costs about 0.35 s and only PDF needs it

        def finish_tables(_document, pdf) -> None:
            """Complete WeasyPrint's table tagging as PDF/UA expects: /Scope on header cells, and an /IDTree.

            WeasyPrint links each data cell to its header cells with /Headers naming their /ID, but gives headers
            no /Scope, and writes no /IDTree (which ISO 32000-1 requires once elements have IDs) to look the IDs up.
            As in the template, a header cell in <thead> labels its column, any other header cell its row.
            """
            objects = {obj.reference: obj for obj in pdf.objects if isinstance(obj, dict)}
            identified = []
            for element in (obj for obj in objects.values() if "S" in obj):
                if element["S"] == "/TH" and isinstance(element.get("A"), dict):
                    row = objects.get(element.get("P"), {})
                    group = objects.get(row.get("P"), {})
                    element["A"]["Scope"] = "/Column" if group.get("S") == "/THead" else "/Row"
                if isinstance(element.get("ID"), pydyf.String):
                    identified.append((element["ID"].string, element))
            root = objects.get(pdf.catalog.get("StructTreeRoot"))
            if identified and root is not None and "IDTree" not in root:
                identified.sort(key=lambda pair: pair[0])  # a name tree's keys are in order
                names = [part for key, element in identified for part in (pydyf.String(key), element.reference)]
                tree = pydyf.Dictionary({"Names": pydyf.Array(names)})
                pdf.add_object(tree)
                root["IDTree"] = tree.reference

        document = weasyprint.HTML(string=html, base_url=str(self.templates))
        return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finish_tables)
