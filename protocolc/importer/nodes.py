"""The values the import stages hand to one another, from raw lines to the aligned outline."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import DocumentType, Library, Section, Text


@dataclass(frozen=True)
class Model:
    """What an import aligns with: one document type's model, with the terms every document shares."""

    library: Library
    document: DocumentType

    @property
    def title(self) -> Text:
        return self.document.title

    @property
    def terms(self) -> dict[str, Text]:
        return self.library.terms | self.document.terms

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.document.sections

    @classmethod
    def of(cls, library: Library | Model, document: str = "protocol") -> Model:
        """A Model as it is, or a library's model of one document type (the Member/Officer protocol by default)."""
        return library if isinstance(library, Model) else cls(library, library.documents[document])


@dataclass(frozen=True)
class Line:
    """One line (or paragraph) as read from the file, before any cleaning.

    origin says where it is in the source for a clerk: 'page 3', 'paragraph 12', 'line 40'.
    style is a hint the format itself gives: 'heading1'..'heading6' (Markdown '#', Word 'Heading n'),
    'title', or 'list' (a Word list paragraph without a visible number: a bullet).
    number is the number Word shows in front of an automatically numbered paragraph ('1.', '2.3', 'a)').
    """

    text: str
    origin: str
    page: int = 0
    style: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class Para:
    """One paragraph of the document after cleaning: extraction noise removed, wrapped lines joined."""

    text: str
    origin: str
    heading: int | None = None  # a heading level the format states (Markdown '#', Word 'Heading n')
    bullet: bool = False  # it started with a bullet glyph or Markdown '-'/'*'
    number: str | None = None  # a number Word shows (automatic numbering)


@dataclass
class ItemNode:
    """A list item: its label as the source shows it ('a)', '(i)'; None for a bullet) and its words."""

    label: str | None
    text: str
    origin: str


@dataclass
class Block:
    """One printed clause: an optional number, a heading, a paragraph of text, and list items."""

    origin: str
    number: str | None = None
    heading: str | None = None
    text: str | None = None
    items: list[ItemNode] = field(default_factory=list)


@dataclass
class SectionNode:
    """A section: its heading (None for the untitled opening) and its clauses in order."""

    origin: str
    number: str | None = None
    heading: str | None = None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Segmented:
    """The document as a tree, with what came before the body (masthead) and after it (trailer)."""

    masthead: list[Para]
    sections: list[SectionNode]
    trailer: list[Para]
    levels: tuple[str, str, str]  # numbering style of sections, clauses and list items
    punctuation: str  # 'as-written' or 'none' (list items printed without closing punctuation)


@dataclass
class Facts:
    """Who the council is and the words it uses for the library's terms."""

    name: str
    kind: str
    clerk: str | None
    contact: str | None
    county_association: str | None
    title: str | None
    terms: dict[str, str]  # only the terms that differ from the library's
    version: str = "1.0"
    adopted: str | None = None  # YYYY-MM-DD or YYYY-MM
    review_by: str | None = None
    minute: str | None = None
    approved_by: str | None = None
    unplaced: list[Para] = field(default_factory=list)  # masthead lines that say nothing the YAML can hold
