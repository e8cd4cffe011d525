"""PDF: the HTML laid out for print by WeasyPrint, as tagged PDF/UA (for printing and for the website)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

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
    return weasyprint


PRINT_STYLESHEET = "print.css"  # paged media (running heads, page numbers) that only WeasyPrint reads


def render(job: Job) -> bytes:
    html = job.output("html").decode("utf-8")
    print_css = job.templates.path(PRINT_STYLESHEET).read_text(encoding="utf-8")
    return pdf_bytes(html, str(job.templates.folders[0]), print_css)


def pdf_bytes(html: str, base_url: str, print_css: str = "") -> bytes:
    """The HTML laid out for print by WeasyPrint as tagged PDF/UA; dates come from the version history.

    `print_css` is added to the page's own stylesheet: the paged-media rules that are not valid in a web page.
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

    document = weasyprint.HTML(string=html, base_url=base_url)
    stylesheets = [weasyprint.CSS(string=print_css, base_url=base_url)] if print_css else []
    pdf: bytes = document.write_pdf(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finish_tables
    )
    return pdf


FORMAT = Format(
    "pdf",
    "pdf",
    "a tagged PDF (PDF/UA-1) for print",
    render,
    templates=(PRINT_STYLESHEET,),
    uses=("html",),
    needs_fonts=True,
)
