"""Stage 1, read: a file's bytes -> raw lines, each with where it came from.

Plain text and Markdown give one Line per line ('line N'); Word (.docx) one per paragraph
('paragraph N'), with the numbers Word's automatic numbering shows worked out from numbering.xml;
PDF one per line of its text layer ('page N'). Anything that cannot be read faithfully is refused
with a ProtocolError saying what to do instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath
from xml.etree import ElementTree

from ..errors import ProtocolError, Source
from ..numbering import letters, roman
from .nodes import Line

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
SUFFIXES = TEXT_SUFFIXES + (".docx", ".pdf")


def sniff(data: bytes) -> str:
    """What the bytes are: 'pdf', 'docx', 'zip' (some other zip), 'doc' (old Word), 'text' or 'binary'."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "binary"
        return "docx" if "word/document.xml" in names else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def read(data: bytes, filename: str) -> list[Line]:
    """Read a document's bytes into lines; `filename` gives the format by its extension.

    Reads: the bytes of a .txt, .md, .docx or .pdf file. Writes: a list of Line with origins.
    Raises ProtocolError (nothing is read) for an unknown extension, a file whose content is not
    what its extension says, a Word file with tracked changes, an encrypted or image-only PDF.
    """
    where = Source(PurePath(filename).name)
    suffix = PurePath(filename).suffix.lower()
    kind = sniff(data)
    if suffix not in SUFFIXES:
        raise ProtocolError(
            f"cannot import a '{suffix or 'extensionless'}' file",
            where,
            "import a Word document (.docx), a PDF (.pdf), plain text (.txt) or Markdown (.md)",
        )
    expected = {".docx": "docx", ".pdf": "pdf"}.get(suffix, "text")
    if kind != expected:
        said = {"docx": "a Word document", "pdf": "a PDF", "text": "plain text"}[expected]
        found = {
            "pdf": "a PDF",
            "docx": "a Word document (.docx)",
            "doc": "an old-style Word document (.doc)",
            "zip": "a zip archive that is not a Word document",
            "text": "plain text",
            "binary": "binary data",
        }[kind]
        hint = "rename the file to match what it is"
        if kind == "doc":
            hint = "open it in Word or LibreOffice and save it as a .docx document, then import that"
        elif kind in ("zip", "binary"):
            hint = "export the document from the program that made it as .docx, .pdf or .txt"
        raise ProtocolError(f"the file's name says {said} but its content is {found}", where, hint)
    if kind == "pdf":
        return read_pdf(data, where)
    if kind == "docx":
        return read_docx(data, where)
    return read_text(data, where)


def read_text(data: bytes, where: Source) -> list[Line]:
    """Plain text or Markdown: one Line per line; a form feed starts a new page."""
    text = _decode(data, where)
    lines: list[Line] = []
    page = 1 if "\f" in text else 0
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if "\f" in raw:
            parts = raw.split("\f")
            page += len(parts) - 1
            raw = parts[-1]
        style = None
        heading = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", raw)
        if heading:
            style, raw = f"heading{len(heading[1])}", heading[2]
        lines.append(Line(raw.rstrip(), f"line {n}", page, style))
    return lines


def _decode(data: bytes, where: Source) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            "the text file is in an encoding protocolc cannot read",
            where,
            "save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8) and import it again",
        ) from exc


# --- PDF -------------------------------------------------------------------------------------


def read_pdf(data: bytes, where: Source) -> list[Line]:
    """A PDF's text layer, page by page. Refuses encrypted PDFs and PDFs with no text (scans)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except (PdfReadError, ValueError, OSError) as exc:
        raise ProtocolError(
            f"the PDF cannot be read: {exc}", where, "open it and save or export it as PDF again"
        ) from exc
    if encrypted:
        raise ProtocolError(
            "the PDF is encrypted (password-protected or restricted)",
            where,
            "save an unrestricted copy (in the program that made it, or print to PDF) and import that",
        )
    lines: list[Line] = []
    for number, page in enumerate(reader.pages, 1):
        try:
            # Layout mode keeps the blank space between paragraphs as blank lines.
            text = page.extract_text(extraction_mode="layout") or ""
        except Exception:  # noqa: BLE001 - layout mode fails on some PDFs: fall back to plain text
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged pages
                raise ProtocolError(
                    f"page {number} of the PDF cannot be read: {exc}", where, "export the document as PDF again"
                ) from exc
        for raw in text.splitlines():
            lines.append(Line(raw.strip(), f"page {number}", number))
        lines.append(Line("", f"page {number}", number))
    if not any(line.text.strip() for line in lines):
        raise ProtocolError(
            "the PDF has no text layer: its pages are images (a scan)",
            where,
            "OCR is needed first: run it through OCR (e.g. 'ocrmypdf in.pdf out.pdf') or import the Word original",
        )
    return lines


# --- Word ------------------------------------------------------------------------------------


def read_docx(data: bytes, where: Source) -> list[Line]:
    """One Line per paragraph of word/document.xml (tables row by row), with Word's automatic numbers.

    Refuses a document that still holds tracked changes, since which wording was adopted is unknown.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        body = ElementTree.fromstring(archive.read("word/document.xml"))
    except ElementTree.ParseError as exc:
        raise ProtocolError(f"the Word document is damaged: {exc}", where, "open it in Word and save it again") from exc
    insertions = len(body.findall(f".//{W}ins"))
    deletions = len(body.findall(f".//{W}del"))
    moves = len(body.findall(f".//{W}moveFrom")) + len(body.findall(f".//{W}moveTo"))
    if insertions or deletions or moves:
        found = ", ".join(
            f"{n} {what}{'s' if n > 1 else ''}"
            for n, what in ((insertions, "insertion"), (deletions, "deletion"), (moves, "move"))
            if n
        )
        raise ProtocolError(
            f"the Word document still has tracked changes ({found})",
            where,
            "accept or reject every change first (Review > Accept/Reject > All Changes), save, and import again",
        )
    numbering = _Numbering(archive)
    styles = _styles(archive)
    lines: list[Line] = []
    for n, para in enumerate(body.iter(f"{W}p"), 1):
        text = "".join(_runs(para))
        props = para.find(f"{W}pPr")
        style_el = props.find(f"{W}pStyle") if props is not None else None
        style_id = style_el.get(f"{W}val") if style_el is not None else None
        style_name, style_num = styles.get(style_id or "", ("", None))
        num = _num_props(props) or style_num
        shown = numbering.next(*num) if num else None
        style = None
        heading = re.match(r"(?i)heading\s*(\d)", style_name)
        if heading:
            style = f"heading{heading[1]}"
        elif style_name.lower() == "title":
            style = "title"
        if shown == "" or (shown is None and num is not None):
            style = style or "list"
            shown = None
        elif shown is not None and num is not None and numbering.is_bullet(*num):
            style, shown = style or "list", None
        lines.append(Line(text, f"paragraph {n}", 0, style, shown))
        lines.append(Line("", f"paragraph {n}", 0))
    return lines


def _runs(para: ElementTree.Element) -> list[str]:
    out = []
    for el in para.iter():
        if el.tag == f"{W}t":
            out.append(el.text or "")
        elif el.tag == f"{W}tab":
            out.append("\t")
        elif el.tag in (f"{W}br", f"{W}cr"):
            out.append(" ")
    return out


def _num_props(props: ElementTree.Element | None) -> tuple[str, int] | None:
    if props is None:
        return None
    num = props.find(f"{W}numPr")
    if num is None:
        return None
    num_id = num.find(f"{W}numId")
    ilvl = num.find(f"{W}ilvl")
    if num_id is None or num_id.get(f"{W}val") in (None, "0"):
        return None
    return num_id.get(f"{W}val", "0"), int(ilvl.get(f"{W}val", "0")) if ilvl is not None else 0


def _styles(archive: zipfile.ZipFile) -> dict[str, tuple[str, tuple[str, int] | None]]:
    """Style id -> (style name, numbering the style itself applies)."""
    try:
        root = ElementTree.fromstring(archive.read("word/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return {}
    out = {}
    for style in root.iter(f"{W}style"):
        sid = style.get(f"{W}styleId", "")
        name = style.find(f"{W}name")
        out[sid] = (name.get(f"{W}val", "") if name is not None else "", _num_props(style.find(f"{W}pPr")))
    return out


def format_number(fmt: str, n: int) -> str:
    return {
        "decimal": str(n),
        "decimalZero": f"{n:02d}",
        "lowerLetter": letters(n),
        "upperLetter": letters(n).upper(),
        "lowerRoman": roman(n),
        "upperRoman": roman(n).upper(),
        "bullet": "",
        "none": "",
    }.get(fmt, str(n))


class _Numbering:
    """Word's list counters: numbering.xml's w:num -> w:abstractNum levels (start, format, text)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.abstract_of: dict[str, str] = {}
        self.starts: dict[tuple[str, int], int] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = ElementTree.fromstring(archive.read("word/numbering.xml"))
        except (KeyError, ElementTree.ParseError):
            return
        for abstract in root.iter(f"{W}abstractNum"):
            aid = abstract.get(f"{W}abstractNumId", "")
            levels = {}
            for lvl in abstract.iter(f"{W}lvl"):
                start = lvl.find(f"{W}start")
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                    int(start.get(f"{W}val", "1")) if start is not None else 1,
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{W}val", "") if text is not None else "",
                )
            self.levels[aid] = levels
        for num in root.iter(f"{W}num"):
            nid = num.get(f"{W}numId", "")
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                self.abstract_of[nid] = ref.get(f"{W}val", "")
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                if start is not None:
                    self.starts[(nid, int(override.get(f"{W}ilvl", "0")))] = int(start.get(f"{W}val", "1"))

    def is_bullet(self, num_id: str, ilvl: int) -> bool:
        level = self.levels.get(self.abstract_of.get(num_id, ""), {}).get(ilvl)
        return level is not None and level[1] == "bullet"

    def next(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of this list level and return the number Word shows ('' for a bullet)."""
        aid = self.abstract_of.get(num_id)
        levels = self.levels.get(aid or "")
        if not levels or ilvl not in levels:
            return None
        counters = self.counters.setdefault(num_id, {})
        start = self.starts.get((num_id, ilvl), levels[ilvl][0])
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return ""

        def value(m: re.Match[str]) -> str:
            k = int(m[1]) - 1
            if k not in levels:
                return ""
            count = counters.get(k, self.starts.get((num_id, k), levels[k][0]))
            return format_number(levels[k][1], count)

        return re.sub(r"%(\d)", value, text).strip()
