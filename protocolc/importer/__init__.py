"""`protocolc import`: a council's existing document (DOCX, PDF, text, Markdown) -> its YAML files.

A pipeline of small stages, each a function of the one before's output (see STAGES):

    read     bytes -> Lines with their origin (page, paragraph or line)
    clean    Lines -> Paras: headers, footers, page numbers, bullet glyphs and hyphenation removed
    segment  Paras -> sections, clauses and list items, with each level's numbering style
    terms    the tree + the library -> Facts: name, kind, clerk, contact, county association, terms
    align    the tree + the library + Facts -> the outline: library ids, changes, the council's own text
    emit     everything -> council.yaml, <document>.yaml and a proofing report (text, not files)

`command.py` holds the click command that writes the files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ..errors import ProtocolError
from ..model import Library
from .align import TOLERANCE, Aligned, align
from .clean import clean
from .emit import Emitted, emit
from .nodes import Facts, Model, Segmented
from .read import read
from .segment import segment
from .terms import find_facts

STAGES: tuple[tuple[str, Callable[..., Any], str], ...] = (
    ("read", read, "bytes -> raw lines with their origin"),
    ("clean", clean, "raw lines -> paragraphs without extraction noise"),
    ("segment", segment, "paragraphs -> sections, clauses and items, with numbering styles"),
    ("terms", find_facts, "the tree + the library -> the council's facts and terms"),
    ("align", align, "the tree + library + terms -> library references, changes, local clauses"),
    ("emit", emit, "everything -> council.yaml, <document>.yaml and the proofing report"),
)


@dataclass(frozen=True)
class Imported:
    """Everything the pipeline made: the intermediate values (for tests and --report) and the texts."""

    segmented: Segmented
    facts: Facts
    aligned: Aligned
    emitted: Emitted


def import_document(
    data: bytes,
    filename: str,
    council_id: str,
    library: Library,
    document: str = "protocol",
    tolerance: float = TOLERANCE,
) -> Imported:
    """Run every stage on one document; raises ProtocolError (from read) when the file cannot be used."""
    name = PurePath(filename).name
    doc_type = library.document(document)
    if doc_type is None:
        raise ProtocolError(
            f"the library has no document type '{document}'",
            hint=f"document types: {', '.join(sorted(library.documents)) or 'none'}",
        )
    model = Model(library, doc_type)
    segmented = segment(clean(read(data, filename)))
    facts = find_facts(segmented, model, council_id)
    aligned = align(segmented, model, facts, council_id, tolerance)
    return Imported(segmented, facts, aligned, emit(segmented, facts, aligned, council_id, document, name))
