"""The output formats: one module each, listed in FORMATS in the order they are rendered.

A format turns a Layout into the bytes of one file, `build/<council>/<document>.<extension>`.
Adding a format means adding a module with a `FORMAT` (see base.py) and listing it here.
"""

from __future__ import annotations

from . import docx, html, markdown, pdf
from .base import Format, Job

FORMATS: dict[str, Format] = {f.name: f for f in (markdown.FORMAT, html.FORMAT, pdf.FORMAT, docx.FORMAT)}
NAMES = tuple(FORMATS)


def filename(document_id: str, format_name: str) -> str:
    """The file a format writes for a document, in the council's output folder: `protocol.pdf`."""
    return f"{document_id}.{FORMATS[format_name].extension}"


__all__ = ["FORMATS", "NAMES", "Format", "Job", "filename"]
