"""PDF: the HTML laid out for print by WeasyPrint, as tagged PDF/UA (for printing and for the website)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import ProtocolError
from .base import Format, Job

# WeasyPrint's documented ways to install Pango and the libraries it loads at `import weasyprint`
# (https://doc.courtbouillon.org/weasyprint/stable/first_steps.html).
INSTALL_PANGO = (
    "install Pango, then build again:\n"
    "    Debian/Ubuntu:      sudo apt install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0\n"
    "    Fedora:             sudo dnf install pango\n"
    "    macOS (Homebrew):   brew install pango\n"
    "    Windows:            install MSYS2 (https://www.msys2.org), run 'pacman -S mingw-w64-x86_64-pango'"
    " in its shell, and add C:\\msys64\\mingw64\\bin to PATH\n"
    "  or build without the PDF: protocolc build COUNCIL --format md,html"
)


def load_weasyprint() -> ModuleType:
    """WeasyPrint, or a clerk's message when the system libraries it loads (Pango, GLib, HarfBuzz) are missing."""
    try:
        import weasyprint  # imported here: it costs about 0.35 s and only PDF needs it
    except OSError as exc:  # raised by cffi when a shared library cannot be found or loaded
        raise ProtocolError(
            f"the PDF needs the Pango library, which is not installed or cannot be loaded ({exc}); "
            "the other formats were written",
            hint=INSTALL_PANGO,
        ) from None
    module: ModuleType = weasyprint
    return module


PRINT_STYLESHEET = "print.css"  # paged media (running heads, page numbers) that only WeasyPrint reads


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
    load_weasyprint()  # first: without Pango, a clerk's message rather than an OSError from the fetcher's import
    html = job.output("html").decode("utf-8")
    print_css = job.templates.path(PRINT_STYLESHEET).read_text(encoding="utf-8")
    folders = job.templates.folders
    return pdf_bytes(html, folders[0].resolve().as_uri() + "/", print_css, confined_fetcher(folders))


def pdf_bytes(html: str, base_url: str, print_css: str = "", url_fetcher: Any = None) -> bytes:
    """The HTML laid out for print by WeasyPrint as tagged PDF/UA; dates come from the version history.

    `print_css` is added to the page's own stylesheet: the paged-media rules that are not valid in a web page.
    Without a url_fetcher nothing outside the document is loaded at all.
    """
    weasyprint = load_weasyprint()
    import pydyf  # WeasyPrint's PDF writer

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

    def finish(document: Any, pdf: Any) -> None:
        finish_tables(document, pdf)
        objects: dict[Any, Any] = {obj.reference: obj for obj in pdf.objects if isinstance(obj, dict)}  # type: ignore[attr-defined]
        streams = {obj.reference: obj for obj in pdf.objects if isinstance(obj, pydyf.Stream)}
        root = objects.get(pdf.catalog.get("StructTreeRoot"))
        if root is not None:
            running_heads_as_artifacts(objects, streams, root)
            lettered_labels(objects)

    fonts = _font_configuration()
    fetcher = url_fetcher or confined_fetcher(())
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    stylesheets = [weasyprint.CSS(string=print_css, base_url=base_url, font_config=fonts)] if print_css else []
    pdf: bytes = document.write_pdf(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finish, font_config=fonts
    )
    return pdf


_FONTS: list[Any] = []  # one WeasyPrint FontConfiguration per process: building one costs more than a page


def _font_configuration() -> Any:
    """The process's font configuration, made on first use (fontconfig is read once, not for every PDF)."""
    if not _FONTS:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS.append(FontConfiguration())
    return _FONTS[0]


def _marked_content(objects: dict[Any, Any], element: Any) -> list[int]:
    """The marked-content ids (MCIDs) under a structure element, at any depth."""
    found: list[int] = []
    for kid in element.get("K", []):
        if isinstance(kid, int):
            found.append(kid)
        elif kid in objects:
            found += _marked_content(objects, objects[kid])
    return found


def running_heads_as_artifacts(objects: dict[Any, Any], streams: dict[Any, Any], root: Any) -> None:
    """Mark the page margins' content (running heads, "Page N of M") as pagination artifacts (PDF/UA, 7.8).

    WeasyPrint tags each margin box as a /NonStruct element whose parent is the /Document element but which that
    element does not list: content outside the structure tree. Here its marked content becomes
    `/Artifact <</Type /Pagination>>`, and the parent tree stops mapping its MCIDs to the orphaned elements.
    """
    from pydyf import Dictionary

    documents = [objects[k] for k in root.get("K", []) if k in objects and objects[k].get("S") == "/Document"]
    if not documents:
        return
    document = documents[0]
    listed = set(document.get("K", []))
    pages: dict[Any, set[int]] = {}
    for element in objects.values():
        if (
            element.get("P") == document.reference
            and element.get("S") == "/NonStruct"
            and element.reference not in listed
        ):
            pages.setdefault(element.get("Pg"), set()).update(_marked_content(objects, element))
    if not pages:
        return
    parent_tree = objects.get(root.get("ParentTree"))
    numbers = parent_tree.get("Nums", []) if parent_tree is not None else []
    mappings = {numbers[i]: numbers[i + 1] for i in range(0, len(numbers) - 1, 2)}
    for page_ref, mcids in pages.items():
        page = objects.get(page_ref)
        stream = streams.get(page.get("Contents")) if page is not None else None
        if stream is None:
            continue
        items = stream.stream
        for n, item in enumerate(items):
            if item == b"BDC" and n >= 2 and isinstance(items[n - 1], dict) and items[n - 1].get("MCID") in mcids:
                items[n - 2] = "/Artifact"
                items[n - 1] = Dictionary({"Type": "/Pagination"})
        assert page is not None
        mapping = mappings.get(page.get("StructParents"))
        if isinstance(mapping, bytes):  # a reference to the array
            mapping = objects.get(mapping)
        if isinstance(mapping, list):
            for mcid in mcids:
                if mcid < len(mapping):
                    mapping[mcid] = "null"


def lettered_labels(objects: dict[Any, Any]) -> None:
    """Tag a lettered item's label ('a)', the template's <span class="label">) as /Lbl, beside its /LBody.

    WeasyPrint puts the whole <li> in /LBody; the label is its first child, a /Span holding a /Span (the
    label is an inline-block), which clause text (em, strong, links) never is.
    """
    for item in [e for e in objects.values() if e.get("S") == "/LI"]:
        kids = [objects.get(k) for k in item.get("K", [])]
        body = next((k for k in kids if k is not None and k.get("S") == "/LBody"), None)
        if body is None or not body.get("K"):
            continue
        first = objects.get(body["K"][0])
        inner = [objects.get(k) for k in first.get("K", [])] if first is not None else []
        if (
            first is None
            or first.get("S") != "/Span"
            or not inner
            or any(k is None or k.get("S") != "/Span" for k in inner)
        ):
            continue
        del body["K"][0]
        first["S"] = "/Lbl"
        first["P"] = item.reference
        item["K"].insert(item["K"].index(body.reference), first.reference)


FORMAT = Format(
    "pdf",
    "pdf",
    "a tagged PDF (PDF/UA-1) for print",
    render,
    templates=(PRINT_STYLESHEET,),
    uses=("html",),
    needs_fonts=True,
)
