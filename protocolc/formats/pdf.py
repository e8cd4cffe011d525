"""PDF: the HTML laid out for print by WeasyPrint, as tagged PDF/UA (for printing and for the website)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .base import Format, Job


class RefusedResource(ValueError):
    """A document tried to load something from outside protocolc's templates: a file, a web address, data."""


def confined_fetcher(folders: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher refusing every URL but files inside the template folders (stylesheet, fonts).

    Clause text can refer to nothing outside the document: no local file (`/etc/...`, `../../..`, a link
    out of the templates folder), no web address, however an image or a stylesheet reference got into the HTML.
    """
    from weasyprint.urls import URLFetcher

    roots = [folder.resolve() for folder in folders]

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not allowed(url):
                raise RefusedResource(f"protocolc loads nothing from outside its templates: refused {url[:80]}")
            return super().fetch(url, headers)

    def allowed(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        return any(path.is_relative_to(root) for root in roots) and path.is_file()

    return ConfinedFetcher(allowed_protocols=("file",), fail_on_errors=False)


def render(job: Job) -> bytes:
    html = job.output("html").decode("utf-8")
    folders = job.templates.folders
    return pdf_bytes(html, folders[0].resolve().as_uri() + "/", confined_fetcher(folders))


def pdf_bytes(html: str, base_url: str, url_fetcher: Any = None) -> bytes:
    """The HTML laid out for print by WeasyPrint as tagged PDF/UA; dates come from the version history.

    Without a url_fetcher nothing outside the document is loaded at all.
    """
    import pydyf  # WeasyPrint's PDF writer
    import weasyprint  # imported here: it costs about 0.35 s and only PDF needs it

    def finish_tables(_document: Any, pdf: Any) -> None:
        """Complete WeasyPrint's table tagging as PDF/UA expects: /Scope on header cells, and an /IDTree.

        WeasyPrint links each data cell to its header cells with /Headers naming their /ID, but gives headers
        no /Scope, and writes no /IDTree (which ISO 32000-1 requires once elements have IDs) to look the IDs up.
        As in the template, a header cell in <thead> labels its column, any other header cell its row.
        """
        objects: dict[Any, Any] = {obj.reference: obj for obj in pdf.objects if isinstance(obj, dict)}  # type: ignore[attr-defined]
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

    fetcher = url_fetcher or confined_fetcher(())
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finish_tables)
    return pdf


FORMAT = Format("pdf", "pdf", "a tagged PDF (PDF/UA-1) for print", render, uses=("html",), needs_fonts=True)
