"""Layout stage: a resolved Document -> the blocks every output format prints, computed once.

Headings, numbered paragraphs, joined paragraphs, lists (nested to any depth) and the
version table are decided here; a format (Markdown, HTML, PDF, ...) only prints them,
so no two formats can disagree about what goes where.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import DocClause, DocItem, DocSection, Document, Passage, Version, VersionTable


@dataclass(frozen=True)
class Piece:
    """A run of words inside a printed paragraph; `anchor` is set where a joined clause begins."""

    anchor: str | None
    number: str | None
    markdown: str


@dataclass(frozen=True)
class ListItem:
    """A printed list item: its anchor, label ('a)', None for a bullet), words and any list of its own."""

    id: str
    label: str | None
    markdown: str
    items: tuple[ListItem, ...] = ()

    @property
    def ordered(self) -> bool:
        return bool(self.items and self.items[0].label)


@dataclass(frozen=True)
class Block:
    """One printed clause: its heading, paragraphs (a clause and those joined to it) and its list."""

    id: str
    number: str | None
    heading: str | None
    paragraphs: tuple[tuple[Piece, ...], ...]
    items: tuple[ListItem, ...]

    @property
    def ordered(self) -> bool:
        """The list is labelled (a), b) ...) rather than bulleted."""
        return bool(self.items and self.items[0].label)

    @property
    def text(self) -> str:
        """The paragraphs' Markdown: joined clauses run on with a space, paragraphs apart by a blank line."""
        return "\n\n".join(" ".join(piece.markdown for piece in para) for para in self.paragraphs)


@dataclass(frozen=True)
class LaidSection:
    id: str
    number: str | None
    heading: str | None
    blocks: tuple[Block, ...]

    @property
    def subheadings(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.heading)


@dataclass(frozen=True)
class Layout:
    """Everything a format prints, in order: masthead, version table, sections, closing."""

    document: Document
    council_name: str
    title: str
    version_table: VersionTable
    sections: tuple[LaidSection, ...]
    closing: str | None
    current: Version
    adopted_dates: tuple[str, ...]  # ISO dates of every adoption, oldest first (PDF and HTML metadata)
    draft: str | None = None  # a draft, not adopted: the day it was built ('25 November 2026'), printed on every page


def groups(section: DocSection) -> tuple[tuple[DocClause, ...], ...]:
    """Clauses grouped into printed paragraphs: a joined clause continues the one before."""
    found: list[list[DocClause]] = []
    for clause in section.clauses:
        if clause.join and found:
            found[-1].append(clause)
        else:
            found.append([clause])
    return tuple(tuple(g) for g in found)


def paragraphs(group: tuple[DocClause, ...]) -> tuple[tuple[Piece, ...], ...]:
    """The printed paragraphs of a group of joined clauses.

    A clause's text may hold several paragraphs (a blank line between them); a joined clause continues
    the last paragraph of the clause before it.
    """
    found: list[list[Piece]] = []
    for clause in group:
        if clause.text is None:
            continue
        for n, part in enumerate(clause.text.markdown.split("\n\n")):
            piece = Piece(clause.id if n == 0 else None, clause.number if n == 0 else None, part)
            if n == 0 and clause.join and found:
                found[-1].append(piece)
            else:
                found.append([piece])
    return tuple(tuple(p) for p in found)


def list_items(items: tuple[DocItem, ...]) -> tuple[ListItem, ...]:
    return tuple(ListItem(i.id, i.label, i.passage.markdown, list_items(i.items) if i.items else ()) for i in items)


def _text(passage: Passage | None) -> str | None:
    return passage.markdown if passage is not None else None


def lay_out(doc: Document, draft: str | None = None) -> Layout:
    """The Layout of one resolved Document; `draft` (the day it was built) marks it as not adopted."""
    sections = []
    for section in doc.sections:
        blocks = []
        for group in groups(section):
            first = group[0]
            blocks.append(
                Block(first.id, first.number, _text(first.heading), paragraphs(group), list_items(first.items))
            )
        sections.append(LaidSection(section.id, section.number, _text(section.heading), tuple(blocks)))
    return Layout(
        document=doc,
        council_name=doc.council.name,
        title=doc.title.markdown,
        version_table=doc.version_table,
        sections=tuple(sections),
        closing=_text(doc.closing),
        current=doc.current,
        adopted_dates=tuple(v.adopted.iso() for v in doc.versions if v.adopted),
        draft=draft,
    )
