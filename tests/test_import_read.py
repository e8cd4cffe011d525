"""Stage 1, read: text, Markdown, Word (typed and automatic numbers) and PDF; refusals with hints."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter

from protocolc.errors import ProtocolError
from protocolc.importer.read import format_number, read, sniff

sys.path.insert(0, str(Path(__file__).parent / "import"))
from builders import numbered_docx, typed_docx, with_tracked_change  # noqa: E402

HERE = Path(__file__).parent / "import"


def test_text_lines_keep_their_line_numbers_and_pages() -> None:
    lines = read((HERE / "barsetshire.txt").read_bytes(), "barsetshire.txt")
    assert lines[0].text == "BARSETSHIRE PARISH COUNCIL" and lines[0].origin == "line 1"
    cheese = next(line for line in lines if "Cheese Tasting" in line.text)
    assert cheese.page == 2 and cheese.origin == "line 26"


def test_markdown_headings_become_styles() -> None:
    lines = read(b"# Title\n\n## **Background**\n\nText.\n", "doc.md")
    assert [(line.text, line.style) for line in lines if line.text] == [
        ("Title", "heading1"),
        ("**Background**", "heading2"),
        ("Text.", None),
    ]


def test_windows_1252_text_is_read() -> None:
    assert read("Officer\u2019s view".encode("cp1252"), "a.txt")[0].text == "Officer\u2019s view"


def test_docx_typed_numbers_and_styles() -> None:
    data = typed_docx("1. Introduction\n\n1.1 The aim.\n\n- first\n- second\n")
    lines = [line for line in read(data, "a.docx") if line.text]
    assert [line.text for line in lines] == ["1. Introduction", "1.1 The aim.", "first", "second"]
    assert lines[0].origin == "paragraph 1"
    assert lines[2].style == "list" and lines[2].number is None


def test_docx_automatic_numbers_are_computed_from_numbering_xml() -> None:
    data = numbered_docx(
        [(0, "Introduction"), (1, "One."), (1, "Two:"), (2, "a;"), (2, "b."), (0, "Next"), (1, "Three.")]
    )
    numbers = [(line.number, line.text) for line in read(data, "a.docx") if line.text]
    assert numbers == [
        ("1.", "Introduction"),
        ("1.1", "One."),
        ("1.2", "Two:"),
        ("a)", "a;"),
        ("b)", "b."),
        ("2.", "Next"),
        ("2.1", "Three."),
    ]


@pytest.mark.parametrize(
    ("fmt", "n", "shown"), [("lowerLetter", 27, "aa"), ("upperRoman", 4, "IV"), ("decimal", 3, "3")]
)
def test_word_number_formats(fmt: str, n: int, shown: str) -> None:
    assert format_number(fmt, n) == shown


def test_docx_with_tracked_changes_is_refused() -> None:
    data = with_tracked_change(typed_docx("1. Introduction\n\n1.1 The aim.\n"))
    with pytest.raises(ProtocolError) as caught:
        read(data, "protocol.docx")
    problem = caught.value.problems[0]
    assert "tracked changes (1 insertion)" in problem.message
    assert "accept or reject" in (problem.hint or "")


def _pdf(encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(ProtocolError, match="encrypted"):
        read(_pdf(encrypt=True), "protocol.pdf")


def test_image_only_pdf_needs_ocr() -> None:
    with pytest.raises(ProtocolError) as caught:
        read(_pdf(), "scan.pdf")
    assert "no text layer" in caught.value.problems[0].message
    assert "OCR" in (caught.value.problems[0].hint or "")


def test_pdf_text_layer_is_read_page_by_page() -> None:
    from weasyprint import HTML

    pdf = HTML(string="<p>First page words.</p><p style='break-before: page'>Second page words.</p>").write_pdf()
    lines = [line for line in read(pdf, "p.pdf") if line.text]
    assert [(line.text, line.origin) for line in lines] == [
        ("First page words.", "page 1"),
        ("Second page words.", "page 2"),
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not really", "protocol.docx", "name says a Word document but its content is a PDF"),
        (b"plain words", "protocol.pdf", "name says a PDF but its content is plain text"),
        (b"\xd0\xcf\x11\xe0rest", "protocol.docx", "old-style Word document (.doc)"),
        (b"words", "protocol.odt", "cannot import a '.odt' file"),
    ],
)
def test_content_not_matching_the_extension_is_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        read(data, name)
    assert message in caught.value.problems[0].message
    assert caught.value.problems[0].hint


def test_sniff() -> None:
    assert sniff(b"%PDF-1.7") == "pdf"
    assert sniff(typed_docx("x")) == "docx"
    assert sniff(b"hello") == "text"
