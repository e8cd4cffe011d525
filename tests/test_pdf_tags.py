"""The PDF's tags (PDF/UA-1): the running heads and "Page N of M" are pagination artifacts, not content outside
the structure tree, and a lettered item's label is its /Lbl. Read with pypdf from the structure tree and the
marked content of each page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from protocolc.formats import FORMATS, Job
from protocolc.layout import lay_out


@pytest.fixture(scope="module")
def hexham(workspace) -> tuple[PdfReader, Any]:
    layout = lay_out(workspace.document("hexham"))
    data = Job(layout, workspace.templates, FORMATS).output("pdf")
    return PdfReader(io.BytesIO(data)), layout


def marks(reader: PdfReader, page_number: int) -> list[tuple[str, Any]]:
    """(tag, properties) of the marked content around each piece of text drawn on a page."""
    found = []
    stack: list[list[Any]] = []
    for operands, operator in ContentStream(reader.pages[page_number].get_contents(), reader).operations:
        if operator in (b"BDC", b"BMC"):
            stack.append(operands)
        elif operator == b"EMC":
            stack.pop()
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            tag = stack[-1] if stack else ["(none)", None]
            found.append((str(tag[0]), tag[1] if len(tag) > 1 else None))
    return found


def reachable(reader: PdfReader) -> dict[int, list[int]]:
    """The MCIDs each page's content has in structure elements reachable from the structure tree root."""
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    found: dict[int, list[int]] = {}

    def walk(element: DictionaryObject, page: int | None) -> None:
        if "/Pg" in element:
            page = pages[element.raw_get("/Pg").idnum]
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                assert page is not None
                found.setdefault(page, []).append(int(kid))
            else:
                obj = kid.get_object()
                if isinstance(obj, DictionaryObject) and "/S" in obj:
                    walk(obj, page)

    kids = root["/K"]
    for kid in kids if isinstance(kids, list) else [kids]:
        walk(kid.get_object(), None)
    return found


def test_running_heads_and_page_numbers_are_pagination_artifacts(hexham) -> None:
    reader, _ = hexham
    assert len(reader.pages) >= 2
    first = [props for tag, props in marks(reader, 0) if tag == "/Artifact" and props is not None]
    assert len(first) == 1 and first[0]["/Type"] == "/Pagination"  # "Page 1 of N"; no running heads on page 1
    for n in range(1, len(reader.pages)):
        pagination = [p for tag, p in marks(reader, n) if tag == "/Artifact" and p and p.get("/Type") == "/Pagination"]
        assert len(pagination) == 3, n  # council, title, "Page N of M"


def test_all_tagged_content_is_in_the_structure_tree(hexham) -> None:
    reader, _ = hexham
    in_tree = reachable(reader)
    for n in range(len(reader.pages)):
        mcids = [props["/MCID"] for tag, props in marks(reader, n) if props is not None and "/MCID" in props]
        assert mcids and set(mcids) <= set(in_tree.get(n, [])), n
        assert not [tag for tag, _ in marks(reader, n) if tag == "(none)"]


def test_lettered_items_have_a_label(hexham) -> None:
    reader, layout = hexham
    lettered = sum(1 for section in layout.sections for block in section.blocks for item in block.items if item.label)
    assert lettered > 0
    items: list[list[str]] = []

    def walk(element: DictionaryObject) -> None:
        kids = element.get("/K", [])
        children = [k.get_object() for k in (kids if isinstance(kids, list) else [kids]) if not isinstance(k, int)]
        children = [c for c in children if isinstance(c, DictionaryObject) and "/S" in c]
        if element.get("/S") == "/LI":
            items.append([str(c["/S"]) for c in children])
        for child in children:
            walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object())
    assert items.count(["/Lbl", "/LBody"]) == lettered
