"""The data protocolc works on, from the YAML sources to the resolved Document.

Every value that came from a file keeps its `Source`, so a message, a manifest
or a diff can always say where a word came from.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from .errors import Source

_T = TypeVar("_T")
_FACTORY = object()  # the default of a parameter whose field has a default_factory


def quick_init(cls: type[_T]) -> type[_T]:
    """Give a frozen dataclass an __init__ that stores its fields straight into the instance's __dict__.

    The __init__ a frozen dataclass gets sets each field through object.__setattr__, several times slower
    than a plain store; reading and resolving a council makes hundreds of these small values, so that was
    a tenth of the time. The new __init__ takes the same parameters, with the same defaults and default
    factories, and stores the same fields in the same order. Everything else (equality, hashing, order,
    repr, replace(), the refusal to change a field afterwards) is still the dataclass's own.
    """
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY}
    parameters, body = [], ["    fields = self.__dict__"]
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init or f.kw_only or f.name in namespace or f.name in ("self", "fields"):  # none of these is used
            raise TypeError(f"quick_init does not handle the field {cls.__name__}.{f.name}")
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=_FACTORY")
            body.append(f"    if {f.name} is _FACTORY:\n        {f.name} = _factory_{f.name}()")
        else:
            parameters.append(f.name)
        body.append(f"    fields[{f.name!r}] = {f.name}")
    exec(f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body), namespace)  # noqa: S102 - our own fields
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


LIBRARY = "library"
COUNCIL = "council"


@quick_init
@dataclass(frozen=True)
class Text:
    """A piece of clerk-written Markdown (a Jinja template) and where it was written."""

    value: str
    source: Source
    origin: str  # LIBRARY or COUNCIL
    amendment: Source | None = None  # library wording a council amended (punctuation, capitals): the 'amend:'


# --- the clause library -------------------------------------------------------


@quick_init
@dataclass(frozen=True)
class Item:
    """One item of a list clause, addressed as `<clause id>.<key>`; an item may hold a list of its own."""

    key: str
    text: Text
    variants: dict[str, Text] = field(default_factory=dict)
    items: tuple[Item, ...] = ()


@quick_init
@dataclass(frozen=True)
class Variant:
    """A named alternative wording of a clause; fields left None keep the default."""

    name: str
    source: Source
    heading: Text | None = None
    text: Text | None = None


@quick_init
@dataclass(frozen=True)
class Clause:
    """A heading, paragraph or list: the unit councils pick, reword and reorder."""

    id: str
    source: Source
    origin: str
    heading: Text | None = None
    text: Text | None = None
    items: tuple[Item, ...] = ()
    variants: dict[str, Variant] = field(default_factory=dict)
    is_list: bool = False
    in_model: bool = True  # False ('model: false'): councils may pick it, but a section's default leaves it out


@quick_init
@dataclass(frozen=True)
class Section:
    """A numbered part of the document with a heading and an ordered run of clauses."""

    id: str
    source: Source
    origin: str
    heading: Text | None  # only a local preamble may go without a heading
    clauses: tuple[Clause, ...]
    variants: dict[str, Text] = field(default_factory=dict)
    optional: bool = False  # not in the model document; councils that need it add it with their own clauses


LABELS = ("version_control", "version", "adopted", "minute", "review_by", "approved_by", "note")


@quick_init
@dataclass(frozen=True)
class DocumentType:
    """One kind of document in the library (the protocol, standing orders, ...): its model, in order."""

    id: str
    source: Source
    title: Text
    sections: tuple[Section, ...]
    terms: dict[str, Text] = field(default_factory=dict)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def clauses(self) -> dict[str, Clause]:
        return {c.id: c for s in self.sections for c in s.clauses}

    @cached_property
    def index(self) -> DocumentIndex:
        """Its ids as tables, built once: every council's document of this type is read and resolved against them."""
        return DocumentIndex(self)


class DocumentIndex:
    """A document type's sections, clauses and items (at any depth) by id; read only (typed Mapping), as the type
    never changes. Plain dicts, so a DocumentType that was indexed still pickles."""

    def __init__(self, doc_type: DocumentType) -> None:
        self.sections: Mapping[str, Section] = {s.id: s for s in doc_type.sections}
        self.clauses: Mapping[str, Clause] = doc_type.clauses()
        items: dict[str, Item] = {}

        def add(owner: str, found: tuple[Item, ...]) -> None:
            for item in found:
                items[f"{owner}.{item.key}"] = item  # `councillors.areas.policy`
                add(f"{owner}.{item.key}", item.items)

        for clause in self.clauses.values():
            add(clause.id, clause.items)
        self.items: Mapping[str, Item] = items
        self.ids = frozenset(self.sections) | frozenset(self.clauses) | frozenset(self.items)


@quick_init
@dataclass(frozen=True)
class Library:
    """The shared wording: terms and table labels every document uses, and one model per document type."""

    terms: dict[str, Text]
    labels: dict[str, Text]
    documents: dict[str, DocumentType]

    def document(self, document_id: str) -> DocumentType | None:
        return self.documents.get(document_id)

    def all_terms(self) -> dict[str, Text]:
        """The shared terms and every document type's own."""
        merged = dict(self.terms)
        for doc in self.documents.values():
            merged.update(doc.terms)
        return merged


# --- a council -----------------------------------------------------------------


MONTH_NAMES = list(calendar.month_name)


@quick_init
@dataclass(frozen=True, order=True)
class PartialDate:
    """A date as councils record it: a day (2023-03-02) or just a month (2020-12)."""

    year: int
    month: int
    day: int | None = None

    PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Raise ValueError unless `text` is a real YYYY-MM-DD or YYYY-MM date."""
        m = cls.PATTERN.match(text.strip())
        if not m:
            raise ValueError(text)
        year, month = int(m[1]), int(m[2])
        day = int(m[3]) if m[3] else None
        if not 1 <= month <= 12 or (day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]):
            raise ValueError(text)
        return cls(year, month, day)

    def british(self) -> str:
        """'2 March 2023', or 'December 2020' when only the month is known."""
        month = MONTH_NAMES[self.month]
        return f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")


@quick_init
@dataclass(frozen=True)
class Version:
    """One adoption of the document: a row of the version-control table."""

    version: str
    adopted: PartialDate | None  # None: the council's records do not say
    source: Source
    minute: str | None = None
    review_by: PartialDate | None = None
    approved_by: str | None = None
    note: str | None = None


@quick_init
@dataclass(frozen=True)
class Numbering:
    """How each level of a document is numbered, and how list items are punctuated.

    levels[0] numbers sections, levels[1] clauses, levels[2] list items, levels[3] items of items, ...
    (styles: see numbering.py); punctuation: 'as-written' / 'none' (drop each item's closing ';', '.',
    ',' and the list's '; and' / '; or').
    """

    levels: tuple[str, ...] = ("none", "none", "bullet")
    punctuation: str = "as-written"
    source: Source | None = None

    def style(self, level: int) -> str:
        """The style of a level; levels past the given ones are bullets (a check refuses that for explicit lists)."""
        return self.levels[level] if level < len(self.levels) else "bullet"


CASES = ("as-written", "lower", "upper")
ENDINGS = ("as-written", "none", ";", ".", ",", "; and", "; or", ":")


@quick_init
@dataclass(frozen=True)
class ListStyle:
    """How a council prints the items of library lists: the first letter, and each item's closing mark.

    case: 'lower' / 'upper' / 'as-written' (only an item's first letter; a capitalised term keeps its capital);
    ending: every item's closing mark ('none' for nothing); before_last / last: the second-to-last and the last
    item's (None: as `ending`). Only library wording is restyled: a council's own items print as written.
    """

    case: str | None = None  # None: not set here ('as-written' unless the document's 'all:' sets it)
    ending: str | None = None
    before_last: str | None = None
    last: str | None = None
    source: Source | None = None

    def over(self, default: ListStyle) -> ListStyle:
        """This list's own style, with what it leaves out taken from the document's style for every list."""
        return ListStyle(
            self.case if self.case is not None else default.case,
            self.ending if self.ending is not None else default.ending,
            self.before_last if self.before_last is not None else default.before_last,
            self.last if self.last is not None else default.last,
            self.source,
        )

    def ending_at(self, position: int, count: int) -> str:
        if position == count - 1 and self.last is not None:
            return self.last
        if position == count - 2 and self.before_last is not None:
            return self.before_last
        return self.ending or "as-written"


ALL_LISTS = "all"


@quick_init
@dataclass(frozen=True)
class ClauseRef:
    """A place in a council's outline: a library clause or a local one, with its layout."""

    clause: Clause
    source: Source
    numbered: bool = True
    join: bool = False  # continue the previous clause's paragraph


@quick_init
@dataclass(frozen=True)
class SectionRef:
    """A section of a council's outline: library or local, with its clauses (None = library default)."""

    section: Section
    source: Source
    heading: Text | None = None
    numbered: bool = True
    clauses: tuple[ClauseRef, ...] | None = None


@quick_init
@dataclass(frozen=True)
class Change:
    """One override: omit, replace, variant or insert, aimed at a section, clause or item id."""

    action: str
    target: str
    source: Source
    text: Text | None = None
    heading: Text | None = None
    variant: str | None = None
    position: str | None = None  # 'before' or 'after' for insert
    anchor: str | None = None  # the id an insert goes next to
    anchor_source: Source | None = None  # where that id is written (the 'after:' or 'before:' line)
    clause: ClauseRef | None = None  # what an insert adds, when it adds a clause
    wording_of: str | None = None  # replace with the wording of another library clause or item


@quick_init
@dataclass(frozen=True)
class Council:
    """Who a council is (councils/<id>/council.yaml): the facts and terms every one of its documents uses."""

    id: str
    source: Source
    name: str
    kind: str
    terms: dict[str, Text] = field(default_factory=dict)
    clerk_title: str | None = None
    contact: str | None = None
    county_association: str | None = None
    documents: tuple[str, ...] = ()  # the ids of the document files beside council.yaml
    fact_sources: dict[str, Source] = field(default_factory=dict, compare=False)  # 'clerk', ...: where each is set


@quick_init
@dataclass(frozen=True)
class CouncilDocument:
    """One of a council's documents as written (councils/<id>/<document>.yaml): versions, outline and changes."""

    council_id: str
    id: str
    source: Source
    versions: tuple[Version, ...]
    numbering: Numbering
    title: Text | None = None
    outline: tuple[SectionRef, ...] | None = None
    changes: tuple[Change, ...] = ()
    closing: Text | None = None
    labels: dict[str, Text] = field(default_factory=dict)
    lists: dict[str, ListStyle] = field(default_factory=dict)  # ALL_LISTS and list ids -> how items print

    @property
    def current(self) -> Version:
        return self.versions[-1] if self.versions else draft_version(self.source)


def draft_version(source: Source) -> Version:
    """What the table shows for a document no meeting has adopted yet."""
    return Version("draft", None, source, note="not yet adopted")


# --- the resolved document -------------------------------------------------------


@quick_init
@dataclass(frozen=True)
class Passage:
    """Rendered Markdown with the source it was rendered from."""

    markdown: str
    source: Source
    origin: str
    amendment: Source | None = field(default=None, compare=False)  # where a council amended this library wording

    @property
    def words(self) -> int:
        return count_words(self.markdown)


WORD = re.compile(r"[^\s]*[A-Za-z0-9][^\s]*")


def count_words(text: str) -> int:
    """Words as `wc -w` counts them, less bare punctuation: 'Council’s', 'his/her' and '1.0' are one word each."""
    return len(WORD.findall(text))


@quick_init
@dataclass(frozen=True)
class DocItem:
    """A list item as printed: its label ('a)', '(i)', None for a bullet), words and any items of its own."""

    id: str
    label: str | None
    passage: Passage
    items: tuple[DocItem, ...] = ()
    number: str | None = None  # how ref() names it: '2.2(d)'

    @property
    def passages(self) -> tuple[Passage, ...]:
        return (self.passage,) + tuple(p for i in self.items for p in i.passages)


@quick_init
@dataclass(frozen=True)
class DocClause:
    id: str
    number: str | None
    origin: str
    source: Source
    heading: Passage | None
    text: Passage | None
    items: tuple[DocItem, ...]
    join: bool = False

    @property
    def passages(self) -> tuple[Passage, ...]:
        own = tuple(p for p in (self.heading, self.text) if p is not None)
        return own + tuple(p for i in self.items for p in i.passages)


@quick_init
@dataclass(frozen=True)
class DocSection:
    id: str
    number: str | None
    heading: Passage | None
    clauses: tuple[DocClause, ...]

    @property
    def paragraphs(self) -> tuple[tuple[DocClause, ...], ...]:
        """Clauses grouped into printed paragraphs: a joined clause continues the one before."""
        groups: list[list[DocClause]] = []
        for clause in self.clauses:
            if clause.join and groups:
                groups[-1].append(clause)
            else:
                groups.append([clause])
        return tuple(tuple(g) for g in groups)


@quick_init
@dataclass(frozen=True)
class VersionTable:
    """The version-control table: a caption, the labels of the columns some version fills in, and the rows."""

    caption: Passage
    headers: tuple[Passage, ...]
    rows: tuple[tuple[Passage, ...], ...]


@quick_init
@dataclass(frozen=True)
class Document:
    """One council's document, resolved: what every output format lays out.

    It holds the council's facts but not its outline or changes, so what a template can see is exactly this.
    """

    council: Council
    id: str  # the document type: 'protocol', 'standing-orders', ...
    versions: tuple[Version, ...]
    title: Passage
    version_table: VersionTable
    sections: tuple[DocSection, ...]
    closing: Passage | None
    numbering: Numbering
    variables_used: frozenset[str] = field(default=frozenset(), compare=False, repr=False)  # facts never printed

    @property
    def current(self) -> Version:
        return self.versions[-1] if self.versions else draft_version(self.council.source)

    @property
    def name(self) -> str:
        """'hexham/protocol': how commands and messages name one document."""
        return f"{self.council.id}/{self.id}"

    @property
    def passages(self) -> tuple[Passage, ...]:
        table = self.version_table
        out: list[Passage] = [self.title, table.caption, *table.headers, *(cell for row in table.rows for cell in row)]
        for section in self.sections:
            if section.heading:
                out.append(section.heading)
            for clause in section.clauses:
                out.extend(clause.passages)
        if self.closing:
            out.append(self.closing)
        return tuple(out)
