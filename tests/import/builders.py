"""Builders for the import tests' DOCX and PDF fixtures, made at test time from text (not collected by pytest)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from protocolc.importer.clean import clean
from protocolc.importer.read import read

HAS_SOFFICE = shutil.which("soffice") is not None


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def typed_docx(text: str, name: str = "seed.txt") -> bytes:
    """A Word document with the text's paragraphs: typed numbers, Heading styles, 'List Bullet' bullets."""
    document = docx.Document()
    for para in clean(read(text.encode("utf-8"), name)):
        if para.heading:
            document.add_paragraph(para.text, style=f"Heading {min(para.heading, 3)}")
        elif para.bullet:
            document.add_paragraph(para.text, style="List Bullet")
        else:
            document.add_paragraph(para.text)
    return docx_bytes(document)


LEVELS = (("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "%3)"))


def numbered_docx(paragraphs: list[tuple[int | None, str]]) -> bytes:
    """A Word document whose numbers are Word's own (numbering.xml), not typed: (level or None, text)."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(LEVELS)
    )
    numbering.append(parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in paragraphs:
        para = document.add_paragraph(text)
        if level is not None:
            props = para._p.get_or_add_pPr()
            props.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    return docx_bytes(document)


def with_tracked_change(data: bytes) -> bytes:
    """The same document with one tracked insertion (python-docx cannot write one: edit the XML)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                xml = content.decode("utf-8")
                xml = re.sub(
                    r"(<w:p[ >].*?)(<w:r>)",
                    r'\1<w:ins w:id="1" w:author="Clerk" w:date="2024-01-01T00:00:00Z">'
                    r"<w:r><w:t>new words </w:t></w:r></w:ins>\2",
                    xml,
                    count=1,
                    flags=re.S,
                )
                content = xml.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def soffice_convert(source: Path, target_ext: str, out_dir: Path) -> Path:
    """Convert with LibreOffice (headless) and return the new file."""
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target_ext,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    result = out_dir / (source.stem + "." + target_ext.split(":")[0])
    assert result.is_file(), f"LibreOffice did not write {result}"
    return result


__all__ = ["HAS_SOFFICE", "numbered_docx", "qn", "soffice_convert", "typed_docx", "with_tracked_change"]


def seed_numbered_docx(text: str, name: str = "seed.txt") -> bytes:
    """The seed with its typed numbers turned into Word's automatic numbering (levels 1., 1.1, a))."""
    from protocolc.importer.segment import LEAD, number_level

    levels = {"section": 0, "clause": 1, "item": 2}
    paragraphs: list[tuple[int | None, str]] = []
    for para in clean(read(text.encode("utf-8"), name)):
        m = LEAD.match(para.text)
        level = number_level(m["num"]) if m else None
        paragraphs.append((levels[level], m["rest"]) if m and level else (None, para.text))
    return numbered_docx(paragraphs)
