"""Resolve stage: library + one council's outline and changes -> one plain Document.

Overrides are applied here, in data, so templates only lay the result out and
`stats` (and later `diff`) work on exactly what is printed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

import jinja2
import jinja2.nodes

from .clerktext import ClerkText, ClerkTextError, markup_problems, remember
from .errors import Problem, ProtocolError, Source, did_you_mean
from .model import (
    ALL_LISTS,
    COUNCIL,
    LIBRARY,
    Change,
    ClauseRef,
    Council,
    CouncilDocument,
    DocClause,
    DocItem,
    DocSection,
    Document,
    DocumentType,
    Item,
    Library,
    ListStyle,
    Numbering,
    Passage,
    SectionRef,
    Text,
    Version,
    VersionTable,
    draft_version,
)
from .numbering import UNNUMBERED, Number, number
from .project import MODEL as MODEL  # the pseudo-council of the library's own text

ITEM_ENDING = re.compile(r"\s*(?:[;,]\s*(?:and|or)|[;.,])\s*$")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(value: object) -> str:
    """Terms are plain text: stop a '*' or '_' in a council's name turning into emphasis."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


class TextTemplates:
    """The sandbox clerk-written text is rendered in: names, ref('id') and a few filters (see clerktext.py).

    Each distinct text is checked and compiled once and reused for every council; text without '{' is not a template.
    A text that prints only names whose values are plain strings renders the same for the same values, so its
    output is kept, keyed by the text and those values (a library term prints the same in most councils).
    """

    def __init__(self) -> None:
        self.clerk_text = ClerkText(finalize=markdown_escape)
        self.env = self.clerk_text.env
        self._variables: dict[str, frozenset[str]] = {}
        self._names: dict[str, tuple[str, ...]] = {}  # a text's names, sorted: the order its key lists values in
        self._rendered: dict[tuple[str, tuple[str, ...]], str] = {}
        self._settled: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
        self._wordings: dict[str, tuple[str, ...]] = {}

    def variables(self, source: str) -> frozenset[str]:
        """The names a text uses ({{ clerk_title }} -> 'clerk_title'); empty for text that does not parse."""
        if "{" not in source:
            return frozenset()
        found = self._variables.get(source)
        if found is None:
            try:
                # The names in the parsed tree, never compiled: jinja2.meta would fold constants such as 10**(10**8).
                tree = self.env.parse(source)
                found = frozenset(n.name for n in tree.find_all(jinja2.nodes.Name) if n.ctx == "load")
            except jinja2.TemplateSyntaxError:
                found = frozenset()
            remember(self._variables, source, found)
        return found

    def render(self, source: str, variables: Mapping[str, object]) -> str:
        if "{" not in source:
            return source
        key = self._key(source, variables)
        if key is None:
            return self.clerk_text.render(source, variables)
        rendered = self._rendered.get(key)
        if rendered is None:  # only a text that rendered is kept: a refused or failing one fails again, the same way
            rendered = self.clerk_text.render(source, variables)
            remember(self._rendered, key, rendered)
        return rendered

    def settle(self, rendered: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """A rendered text as printed (see fold) and the images or HTML it holds: the same for the same text."""
        found = self._settled.get(rendered)
        if found is None:
            found = (fold(rendered), tuple(markup_problems(rendered)))
            remember(self._settled, rendered, found)
        return found

    def wording(self, markdown: str) -> tuple[str, ...]:
        """A printed text's words, as an amendment may not change them (see _wording): the same for the same text."""
        found = self._wordings.get(markdown)
        if found is None:
            found = tuple(_wording(markdown))
            remember(self._wordings, markdown, found)
        return found

    def _key(self, source: str, variables: Mapping[str, object]) -> tuple[str, tuple[str, ...]] | None:
        """The text and the values of the names it uses, or None when a value is not a plain string.

        Everything a text can do with a string (print it, test it, change its case) depends only on its
        characters; ref() and anything not given (an unknown name, a Jinja global) render as before.
        """
        names = self._names.get(source)
        if names is None:
            names = tuple(sorted(self.variables(source)))
            remember(self._names, source, names)
        values = []
        for name in names:
            value = variables.get(name)
            if not isinstance(value, str) or type(value).__str__ is not str.__str__:
                return None
            values.append(str(value))
        return source, tuple(values)


def fold(rendered: str) -> str:
    """A rendered text's Markdown: one line, unless it holds paragraphs (a blank line), then only trimmed."""
    return " ".join(rendered.split()) if "\n\n" not in rendered else rendered.strip()


def text_environment() -> TextTemplates:
    return TextTemplates()


# --- the working outline, mutated only inside this module -----------------------------------


@dataclass
class _Item:
    id: str
    text: Text
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Clause:
    ref: ClauseRef
    heading: Text | None
    text: Text | None
    items: list[_Item]
    id: str = field(init=False)  # the clause's id, looked up often while changes are applied

    def __post_init__(self) -> None:
        self.id = self.ref.clause.id


@dataclass
class _Section:
    ref: SectionRef
    heading: Text | None
    clauses: list[_Clause] = field(default_factory=list)


def _plan_items(owner: str, items: tuple[Item, ...]) -> list[_Item]:
    planned = []
    for item in items:
        item_id = f"{owner}.{item.key}"
        planned.append(_Item(item_id, item.text, _plan_items(item_id, item.items) if item.items else []))
    return planned


def _plan_clause(ref: ClauseRef) -> _Clause:
    c = ref.clause
    return _Clause(ref, c.heading, c.text, _plan_items(c.id, c.items))


def _plan(doc_type: DocumentType, document: CouncilDocument) -> list[_Section]:
    outline = document.outline
    if outline is None:
        outline = tuple(SectionRef(s, s.source) for s in doc_type.sections if not s.optional)
    plan = []
    for ref in outline:
        refs = ref.clauses
        if refs is None:  # the library's default: the section's clauses in the model
            refs = tuple(ClauseRef(c, c.source) for c in ref.section.clauses if c.in_model)
        plan.append(_Section(ref, ref.heading or ref.section.heading, [_plan_clause(r) for r in refs]))
    return plan


def _left_out_by_outline(doc_type: DocumentType, document: CouncilDocument) -> dict[str, Source]:
    """Library sections and clauses a council's 'sections:' leaves out, with the entry (or list) that does so."""
    if not document.outline:
        return {}
    listed = {ref.section.id: ref for ref in document.outline}
    left_out: dict[str, Source] = {}
    for section in doc_type.sections:
        ref = listed.get(section.id)
        if ref is None:
            left_out[section.id] = document.outline[0].source
        elif ref.clauses is not None:
            kept = {c.clause.id for c in ref.clauses}
            left_out |= {c.id: ref.source for c in section.clauses if c.id not in kept}
    return left_out


def _walk_items(items: list[_Item]) -> Iterator[tuple[_Item, list[_Item]]]:
    """Every item at any depth, with the list that holds it."""
    for item in items:
        yield item, items
        yield from _walk_items(item.items)


def _duplicate_ids(plan: list[_Section]) -> list[Problem]:
    """Each section, clause and item may appear once: ids are anchors, change targets and manifest keys."""
    seen: dict[str, Source] = {}
    problems = []
    for section in plan:
        entries = [(section.ref.section.id, section.ref.source)]
        entries += [(c.id, c.ref.source) for c in section.clauses]
        for id_, source in entries:
            if id_ in seen:
                problems.append(
                    Problem(
                        f"'{id_}' appears twice in this document (first at {seen[id_]})",
                        source,
                        "list each section and clause once; give a council's own clause a new id",
                    )
                )
            seen.setdefault(id_, source)
    return problems


_Found = tuple[_Section, "_Clause | None", "_Item | None", "list[_Item] | None"]


class _Changer:
    """Applies a council's changes to the working outline, collecting every problem."""

    def __init__(self, doc_type: DocumentType, plan: list[_Section], outline_left_out: dict[str, Source]) -> None:
        self.doc_type = doc_type
        self.plan = plan
        self.outline_left_out = outline_left_out  # id -> the 'sections:' entry (or list) that leaves it out
        self.problems: list[Problem] = []
        self.amendments: list[tuple[Change, Text, Text]] = []  # (the change, library text, amended text)
        self.omitted: dict[str, Source] = {}  # id -> the 'omit:' that left it out (for ref() in library text)
        self.library_clauses = doc_type.index.clauses
        self.library_items = doc_type.index.items
        self.library_ids = doc_type.index.ids
        self._index: dict[str, _Found] | None = None  # see _ids()
        self._unique = True  # no id appears twice in the outline, so the index can be updated in place

    def _ids(self) -> dict[str, _Found]:
        """Every id in the working outline, mapped to what find() returns for it (the first in document order).

        Built when first needed. Rewording changes the objects in place, so the index stays current; an 'omit:'
        or an 'insert:' updates it (see _forget and _learn) while every id is unique, and else drops it.
        """
        if self._index is None:
            index: dict[str, _Found] = {}
            unique = True
            for s in self.plan:
                entries: list[tuple[str, _Found]] = [(s.ref.section.id, (s, None, None, None))]
                for c in s.clauses:
                    entries.append((c.id, (s, c, None, None)))
                    entries += [(i.id, (s, c, i, holder)) for i, holder in _walk_items(c.items)]
                for id_, found in entries:
                    if id_ in index:
                        unique = False
                    else:
                        index[id_] = found
            self._index, self._unique = index, unique
        return self._index

    def _forget(self, ids: list[str]) -> None:
        """An 'omit:' removed these ids from the outline."""
        if self._index is not None and self._unique:
            for id_ in ids:
                del self._index[id_]
        else:
            self._index = None

    def _learn(self, entries: list[tuple[str, _Found]]) -> None:
        """An 'insert:' put these new ids into the outline."""
        ids = {id_ for id_, _ in entries}
        if self._index is None or not self._unique or len(ids) < len(entries) or not ids.isdisjoint(self._index):
            self._index = None  # (an inserted id is new: a clash is not expected) build it again when next needed
            return
        self._index.update(entries)

    def known_ids(self) -> set[str]:
        return set(self.library_ids).union(self._ids())

    def find(self, target: str) -> _Found | None:
        """The section, clause and item (at any depth) an id names, with the list holding the item."""
        return self._ids().get(target)

    def locate(self, change: Change, target: str) -> _Found | None:
        found = self.find(target)
        if found is None:
            where = change.anchor_source if target == change.anchor and change.anchor_source else change.source
            if target in self.library_ids:
                message, hint = self.why_left_out(target)
                self.problems.append(Problem(message, where, hint))
            else:
                close = did_you_mean(target, self.known_ids())
                self.problems.append(
                    Problem(f"no section, clause or item '{target}'", where, close or "see the ids in clauses/")
                )
        return found

    def why_left_out(self, target: str) -> tuple[str, str]:
        """Why a library id is not in the document (an earlier 'omit:', 'sections:', or an optional section)."""
        parts = target.split(".")
        prefixes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
        for prefix in prefixes:
            if prefix in self.omitted:
                return (
                    f"'{target}' is not in this council's document",
                    f"it was left out by the 'omit: {prefix}' at {self.omitted[prefix]}; remove one of the two changes",
                )
        section = next((s for s in self.doc_type.sections if s.id == parts[0]), None)
        if section is not None and section.optional and not any(s.ref.section.id == section.id for s in self.plan):
            if target == section.id:
                message = f"'{target}' is an optional section and is not in this document"
            else:
                message = f"'{target}' belongs to the optional section '{section.id}', which is not in this document"
            return (
                message,
                "optional sections are left out unless listed under 'sections:', so there is nothing to change; "
                f"remove this change, or add the section under 'sections:' (e.g. '- section: {section.id}' with "
                "its 'clauses:')",
            )
        for prefix in prefixes:
            if prefix in self.outline_left_out:
                return (
                    f"'{target}' is not in this council's document",
                    f"it is left out by 'sections:' at {self.outline_left_out[prefix]}; "
                    "list it there or remove this change",
                )
        return (
            f"'{target}' is not in this council's document",
            "it was left out by 'sections:' or an earlier 'omit:'; add it back or remove this change",
        )

    def fail(self, change: Change, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, change.source, hint))

    def apply(self, change: Change) -> None:
        getattr(self, "_" + change.action)(change)

    def _omit(self, change: Change) -> None:
        found = self.locate(change, change.target)
        if not found:
            return
        section, clause, item, holder = found
        self.omitted[change.target] = change.source
        if item is not None and clause is not None and holder is not None:
            holder.remove(item)
            gone = [item.id] + [i.id for i, _ in _walk_items(item.items)]
            if not clause.items and clause.text is None and clause.heading is None:
                section.clauses.remove(clause)
                gone.append(clause.id)
        elif clause is not None:
            section.clauses.remove(clause)
            gone = [clause.id] + [i.id for i, _ in _walk_items(clause.items)]
        else:
            self.plan.remove(section)
            gone = [section.ref.section.id]
            for c in section.clauses:
                gone += [c.id] + [i.id for i, _ in _walk_items(c.items)]
        self._forget(gone)

    def library_wording(self, change: Change) -> Text | None:
        """The text of a library clause or item, for 'replace: ... with: <id>'."""
        wanted = change.wording_of
        clause = self.library_clauses.get(wanted or "")
        if clause is not None and clause.text is not None:
            return clause.text
        item = self.library_items.get(wanted or "")
        if item is not None:
            return item.text
        close = did_you_mean(wanted or "", self.library_ids)
        self.fail(change, f"no library clause or item '{wanted}' with text to reuse", close)
        return None

    def _replace(self, change: Change) -> None:
        found = self.locate(change, change.target)
        if not found:
            return
        if change.wording_of:
            text = self.library_wording(change)
            if text is None:
                return
            change = replace(change, text=text)
        section, clause, item, _ = found
        if item is not None:
            if change.heading or not change.text:
                self.fail(change, f"'{change.target}' is a list item: replace it with 'text:'")
                return
            item.text = change.text
        elif clause is not None:
            if change.heading and clause.heading is None:
                self.fail(change, f"clause '{clause.id}' has no heading to replace", "replace its 'text:' instead")
            if change.text and clause.text is None and clause.items:
                self.fail(
                    change,
                    f"clause '{clause.id}' is a list without lead-in text",
                    "replace its items one by one, e.g. '- replace: <list id>.<item key>'",
                )
            clause.heading = change.heading or clause.heading
            clause.text = change.text or clause.text
        else:
            if change.text or not change.heading:
                self.fail(change, f"'{change.target}' is a section: replace its 'heading:'")
                return
            section.heading = change.heading

    def _amend(self, change: Change) -> None:
        """Library wording with the council's punctuation or capitals: still library wording, marked amended."""
        found = self.locate(change, change.target)
        if not found:
            return
        section, clause, item, _ = found
        new = change.text or change.heading
        assert new is not None
        original: Text | None
        if item is not None:
            if change.heading:
                self.fail(change, f"'{change.target}' is a list item: amend it with 'text:'")
                return
            original = item.text
        elif clause is not None:
            original = clause.heading if change.heading else clause.text
            if original is None:
                what = "heading" if change.heading else "text"
                self.fail(change, f"clause '{clause.id}' has no {what} to amend")
                return
        else:
            if not change.heading or section.heading is None:
                self.fail(change, f"'{change.target}' is a section: amend its 'heading:'")
                return
            original = section.heading
        if original.origin != LIBRARY or original.amendment is not None:
            self.fail(
                change,
                f"'{change.target}' is not library wording here (an earlier change rewrote it)",
                "'amend:' restyles library wording; change the council's own text where it is written",
            )
            return
        amended = Text(new.value, original.source, LIBRARY, amendment=change.source)
        self.amendments.append((change, original, amended))
        if item is not None:
            item.text = amended
        elif clause is not None and change.heading:
            clause.heading = amended
        elif clause is not None:
            clause.text = amended
        else:
            section.heading = amended

    def _variant(self, change: Change) -> None:
        found = self.locate(change, change.target)
        if not found or change.variant is None:
            return
        section, clause, item, _ = found
        name = change.variant
        if item is not None:
            library_item = self.library_items.get(item.id)
            item_variants = library_item.variants if library_item else {}
            if self._check_variant(change, name, item_variants):
                item.text = item_variants[name]
        elif clause is not None:
            clause_variants = clause.ref.clause.variants
            if self._check_variant(change, name, clause_variants):
                chosen = clause_variants[name]
                clause.heading = chosen.heading or clause.heading
                clause.text = chosen.text or clause.text
        else:
            heading_variants = section.ref.section.variants
            if self._check_variant(change, name, heading_variants):
                section.heading = heading_variants[name]

    def _check_variant(self, change: Change, name: str, variants: Mapping[str, object]) -> bool:
        if name in variants:
            return True
        if variants:
            hint = did_you_mean(name, variants) or "its variants are: " + ", ".join(sorted(variants))
        else:
            hint = "it has no variants: use 'replace:' with the council's own text"
        self.fail(change, f"'{change.target}' has no variant '{name}'", hint)
        return False

    def _insert(self, change: Change) -> None:
        assert change.anchor is not None
        found = self.locate(change, change.anchor)
        if not found:
            return
        section, clause, item, holder = found
        if change.target in self.known_ids():
            self.fail(change, f"'{change.target}' is already used", "an inserted clause or item needs a new id")
            return
        offset = 1 if change.position == "after" else 0
        if item is not None and change.clause is not None:  # next to an item: an item of that list after all
            if change.text is None:
                self.fail(
                    change,
                    f"'{change.target}' goes into a list: an item has only 'text:'",
                    "remove 'heading:', 'items:', 'numbered:' and 'join:' from this change",
                )
                return
            change = replace(change, clause=None)
        owner = change.target.rpartition(".")[0]
        owner_found = self.find(owner)
        owner_items: list[_Item] = []
        if owner_found is not None:
            _, owner_clause, owner_item, _ = owner_found
            owner_items = owner_item.items if owner_item else owner_clause.items if owner_clause else []
        if change.clause is not None and owner_items:
            first = owner_items[0].id
            self.fail(
                change,
                f"'{change.target}' names an item of the list '{owner}'",
                f"insert it next to an item of that list, e.g. 'after: {first}'",
            )
            return
        if change.clause is None:  # an item
            if item is None:
                self.fail(
                    change, f"'{change.anchor}' is not a list item", "insert items next to items of the same list"
                )
                return
            list_id = (change.anchor or "").rpartition(".")[0]
            if owner != list_id:
                self.fail(
                    change,
                    f"'{change.target}' is not an id of the list '{list_id}' it goes into",
                    f"an item inserted next to '{change.anchor}' is named '{list_id}.<new key>'",
                )
                return
            assert change.text is not None and holder is not None
            new_item = _Item(change.target, change.text)
            holder.insert(holder.index(item) + offset, new_item)
            self._learn([(new_item.id, (section, clause, new_item, holder))])
            return
        if clause is None or item is not None:
            self.fail(change, f"'{change.anchor}' is not a clause", "insert clauses before or after a clause")
            return
        new_clause = _plan_clause(change.clause)
        section.clauses.insert(section.clauses.index(clause) + offset, new_clause)
        added: list[tuple[str, _Found]] = [(new_clause.id, (section, new_clause, None, None))]
        self._learn(added + [(i.id, (section, new_clause, i, held)) for i, held in _walk_items(new_clause.items)])


# --- rendering text and numbers ----------------------------------------------------------------


def capitalise(value: str) -> str:
    return value[:1].upper() + value[1:]


def context(library: Library, council: Council, document: CouncilDocument | None = None) -> dict[str, str]:
    """The variables a text may use: the terms (library defaults, then the council's) and the council's facts.

    Each term is also offered with a capital first letter for the start of a sentence:
    `{{ councillors }}` gives the council's own spelling, `{{ Councillors }}` starts with a capital.
    """
    doc_type = library.document(document.id) if document else None
    library_terms = library.terms | (doc_type.terms if doc_type else {})
    terms = {k: t.value for k, t in library_terms.items()}
    if council.county_association:  # the fact names the association wherever the text does
        terms["county_association"] = council.county_association
    terms |= {k: t.value for k, t in council.terms.items()}
    current = document.current if document else draft_version(council.source)
    facts = {
        "council_name": council.name,
        "council_kind": council.kind,
        "clerk_title": council.clerk_title or capitalise(terms.get("clerk", "Clerk")),
        "contact": council.contact or "",
        "county_association_name": council.county_association or terms.get("county_association", ""),
        "version": current.version,
        "adopted": current.adopted.british() if current.adopted else "",
        "review_by": current.review_by.british() if current.review_by else "",
        "minute": current.minute or "",
    }
    return terms | {capitalise(k): capitalise(v) for k, v in terms.items()} | facts


class ReferenceProblem(Exception):
    """Raised by ref() inside a text: the clause it names cannot be referred to in this document.

    `council_source` is set when the council's document caused it (it left out or unnumbered the clause):
    a library text that refers to it is then reported there, where the clerk can fix it, with `council_hint`.
    """

    def __init__(
        self, message: str, hint: str, council_source: Source | None = None, council_hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint
        self.council_source, self.council_hint = council_source, council_hint


class References:
    """`ref('meetings.quorum')` in a text: that clause's number as this document prints it ('12(b)', '3.2')."""

    def __init__(
        self,
        numbers: dict[str, Number],
        library_ids: AbstractSet[str],
        omitted: Mapping[str, Source] | None = None,
        document_source: Source | None = None,
    ) -> None:
        self.numbers, self.library_ids = numbers, library_ids
        self.omitted, self.document_source = omitted or {}, document_source

    def _left_out_at(self, name: str) -> Source | None:
        """The 'omit:' that left out this id or the clause or section holding it; else the document file."""
        parts = name.split(".")
        for n in range(len(parts), 0, -1):
            source = self.omitted.get(".".join(parts[:n]))
            if source is not None:
                return source
        return self.document_source

    def __str__(self) -> str:  # `{{ ref }}` without an id would print the object itself
        raise ReferenceProblem("ref needs the id of the clause it refers to", "write it as {{ ref('section.clause') }}")

    def __call__(self, target: object) -> str:
        name = str(target)
        number = self.numbers.get(name)
        if number is None:
            if name in self.library_ids:
                raise ReferenceProblem(
                    f"ref('{name}') names a clause this document leaves out",
                    "refer to a clause the document prints, or put the clause back in its outline",
                    self._left_out_at(name),
                    "keep the clause, or reword the clause that refers to it with a 'replace:' change",
                )
            close = did_you_mean(name, self.numbers)
            raise ReferenceProblem(f"ref('{name}') names no clause of this document", close or "check the clause id")
        if number.ref is None:
            raise ReferenceProblem(
                f"ref('{name}') names a clause that has no number in this document",
                "refer to a numbered clause, or number it (see 'numbering:' and 'numbered:')",
                self.document_source,
                "number the clause, or reword the clause that refers to it with a 'replace:' change",
            )
        return number.ref


class Renderer:
    """Renders a council's texts with its variables, turning every failure into a Problem at the text's source."""

    def __init__(self, templates: TextTemplates, variables: dict[str, object]) -> None:
        self.templates, self.variables = templates, variables
        self.problems: list[Problem] = []
        self.used: set[str] = set()

    def __call__(self, text: Text) -> Passage:
        if "{" in text.value:
            self.used |= self.templates.variables(text.value)
        where = text.amendment or text.source
        try:
            rendered = self.templates.render(text.value, self.variables)
        except ClerkTextError as exc:
            self.problems.append(Problem(exc.message, text.source, exc.hint))
            rendered = text.value
        except ReferenceProblem as exc:
            if exc.council_source is not None and text.origin == LIBRARY:  # the council's choice, not the library's
                message = f"{exc.message}, but the library's text at {text.source} refers to it"
                self.problems.append(Problem(message, exc.council_source, exc.council_hint))
            else:
                self.problems.append(Problem(exc.message, where, exc.hint))
            rendered = text.value
        except jinja2.UndefinedError as exc:
            name = re.search(r"'([^']+)' is undefined", str(exc))
            hint = did_you_mean(name[1], self.variables) if name else None
            self.problems.append(
                Problem(
                    f"unknown variable in text: {exc.message}",
                    where,
                    hint or "variables are the terms in clauses/library.yaml and the council's facts",
                )
            )
            rendered = text.value
        except jinja2.TemplateSyntaxError as exc:
            self.problems.append(
                Problem(
                    f"template error in text: {exc.message}",
                    where,
                    "variables are written {{ name }}; to print '{{' literally write {{ '{{' }}",
                )
            )
            rendered = text.value
        except jinja2.TemplateError as exc:  # e.g. SecurityError from the sandbox
            self.problems.append(
                Problem(f"text is not allowed: {exc}", where, "texts may only use variables such as {{ councillors }}")
            )
            rendered = text.value
        except Exception as exc:  # noqa: BLE001 - clerk-written expressions such as {{ 1 / 0 }} must not crash a build
            self.problems.append(
                Problem(
                    f"text could not be rendered: {type(exc).__name__}: {exc}",
                    where,
                    "texts may only use variables such as {{ councillors }}, not calculations",
                )
            )
            rendered = text.value
        else:
            markdown, markup = self.templates.settle(rendered)
            for message, hint in markup:
                self.problems.append(Problem(message, text.source, hint))
            return Passage(markdown, text.source, text.origin, text.amendment)
        return Passage(fold(rendered), text.source, text.origin, text.amendment)


COLUMNS = (
    ("version", lambda v: v.version),
    ("adopted", lambda v: v.adopted.british() if v.adopted else "—"),
    ("minute", lambda v: v.minute),
    ("review_by", lambda v: v.review_by.british() if v.review_by else None),
    ("approved_by", lambda v: v.approved_by),
    ("note", lambda v: v.note),
)


def _version_table(library: Library, document: CouncilDocument, render: Renderer) -> VersionTable:
    """Only the columns some version fills in; labels come from the library unless the council renames them."""
    labels = library.labels | document.labels
    versions = document.versions or (document.current,)
    used = [(key, get) for key, get in COLUMNS if key == "adopted" or any(get(v) for v in versions)]

    def cell(version: Version, get: Callable[[Version], str | None]) -> Passage:
        return Passage(get(version) or "", version.source, COUNCIL)

    return VersionTable(
        caption=render(labels["version_control"]),
        headers=tuple(render(labels[key]) for key, _ in used),
        rows=tuple(tuple(cell(v, get) for _, get in used) for v in versions),
    )


def _punctuate(passage: Passage, numbering: Numbering) -> Passage:
    """Councils that print lists without punctuation drop each item's closing ';', '.' and '; and'."""
    if numbering.punctuation == "none":
        return Passage(ITEM_ENDING.sub("", passage.markdown), passage.source, passage.origin, passage.amendment)
    return passage


def _restyle(passage: Passage, style: ListStyle, position: int, count: int, capitals: tuple[str, ...]) -> Passage:
    """One library item in the council's list style: its first letter and its closing mark."""
    text = passage.markdown
    if style.case == "upper":
        text = capitalise(text)
    elif style.case == "lower" and not any(
        text.startswith(word) and not text[len(word) : len(word) + 1].isalpha() for word in capitals
    ):
        text = text[:1].lower() + text[1:]
    ending = style.ending_at(position, count)
    if ending != "as-written":
        text = ITEM_ENDING.sub("", text) + ("" if ending == "none" else ending)
    return Passage(text, passage.source, passage.origin, passage.amendment)  # as replace() would, far cheaper


def _list_styles(document: CouncilDocument, plan: list[_Section]) -> tuple[dict[str, ListStyle], list[Problem]]:
    """Each list's style (its own over the document's 'all:'), and a problem for a style naming no list."""
    lists: dict[str, int] = {}
    ids: set[str] = set()
    for s in plan:
        for c in s.clauses:
            ids.add(c.id)
            if c.items:
                lists[c.id] = 1
            for i, _ in _walk_items(c.items):
                ids.add(i.id)
                if i.items:
                    lists[i.id] = 1
    every = document.lists.get(ALL_LISTS)
    styles = {list_id: every for list_id in lists} if every else {}
    problems = []
    for key, style in document.lists.items():
        if key == ALL_LISTS:
            continue
        if key in lists:
            styles[key] = style.over(every) if every else style
        elif key in ids:
            problems.append(Problem(f"'{key}' is not a list: it has no items", style.source, "name a list's id"))
        else:
            close = did_you_mean(key, lists)
            problems.append(
                Problem(f"no list '{key}' in this document", style.source, close or "lists: " + ", ".join(lists))
            )
    return styles, problems


def _number_plan(plan: list[_Section], numbering: Numbering) -> tuple[dict[str, Number], list[Problem]]:
    """Every section's, clause's and item's number, before any text is rendered (so texts can use ref())."""
    numbers: dict[str, Number] = {}
    depth = 0

    def number_items(items: list[_Item], level: int, parent: str | None) -> None:
        nonlocal depth
        if items:
            depth = max(depth, level + 1)
        for n, item in enumerate(items, 1):
            numbers[item.id] = number(numbering.style(level), n, parent)
            number_items(item.items, level + 1, numbers[item.id].ref)

    section_no = 0
    for s in plan:
        section_no += s.ref.numbered and numbering.style(0) != "none"
        numbers[s.ref.section.id] = number(numbering.style(0), section_no, None) if s.ref.numbered else UNNUMBERED
        section_ref = numbers[s.ref.section.id].ref
        clause_no = 0
        for c in s.clauses:
            depth = max(depth, 2)
            is_numbered = c.ref.numbered and not c.ref.join and numbering.style(1) != "none"
            clause_no += is_numbered
            numbers[c.id] = number(numbering.style(1), clause_no, section_ref) if is_numbered else UNNUMBERED
            number_items(c.items, 2, numbers[c.id].ref or section_ref)
    problems = []
    if numbering.source is not None and depth > len(numbering.levels):
        more = ("1.", "1.1", "a)", "(i)", "bullet")
        suggested = numbering.levels + tuple(more[min(n, 4)] for n in range(len(numbering.levels), depth))
        problems.append(
            Problem(
                f"numbering gives {len(numbering.levels)} levels but this document has {depth} "
                "(sections, clauses, list items, and items inside items)",
                numbering.source,
                "give a style for each level, e.g. levels: [" + ", ".join(f'"{x}"' for x in suggested) + "]",
            )
        )
    return numbers, problems


def resolve(
    library: Library, council: Council, document: CouncilDocument, env: TextTemplates | None = None
) -> Document:
    """Apply a council's outline and changes to its document type's library, number it, and render every text."""
    doc_type = library.document(document.id)
    if doc_type is None:
        raise ProtocolError(f"the library has no document type '{document.id}'", document.source)
    plan = _plan(doc_type, document)
    outline_left_out = _left_out_by_outline(doc_type, document)
    changer = _Changer(doc_type, plan, outline_left_out)
    changer.problems.extend(_duplicate_ids(plan))
    for change in document.changes:
        changer.apply(change)
    numbering = document.numbering
    numbers, numbering_problems = _number_plan(plan, numbering)
    variables: dict[str, object] = dict(context(library, council, document))
    left_out = outline_left_out | changer.omitted
    variables["ref"] = References(numbers, changer.library_ids, left_out, document.source)
    render = Renderer(env or text_environment(), variables)
    styles, style_problems = _list_styles(document, plan)
    capitals = tuple(
        v for k, v in variables.items() if isinstance(v, str) and k[:1].islower() and len(v) > 1 and v[:1].isupper()
    )

    def item_passage(item: _Item, position: int, count: int, style: ListStyle | None) -> Passage:
        passage = render(item.text)
        if style is not None and item.text.origin == LIBRARY and item.text.amendment is None:
            passage = _restyle(passage, style, position, count, capitals)
        return _punctuate(passage, numbering)

    def doc_items(items: list[_Item], owner: str) -> tuple[DocItem, ...]:
        style = styles.get(owner)
        count = len(items)
        found = []
        for n, i in enumerate(items):
            number = numbers[i.id]
            passage = item_passage(i, n, count, style)
            found.append(DocItem(i.id, number.label, passage, doc_items(i.items, i.id) if i.items else (), number.ref))
        return tuple(found)

    sections: list[DocSection] = []
    for s in plan:
        clauses: list[DocClause] = []
        for c in s.clauses:
            ref = c.ref
            if ref.join and (not clauses or clauses[-1].items or c.items or c.heading):
                changer.problems.append(
                    Problem(
                        f"clause '{c.id}' cannot join the clause before it",
                        ref.source,
                        "'join: true' continues the paragraph of a clause "
                        "with text only, and the joined clause must be text only too",
                    )
                )
            main = c.text or c.heading or (c.items[0].text if c.items else None)
            clauses.append(
                DocClause(
                    id=c.id,
                    number=numbers[c.id].label,
                    origin=main.origin if main else ref.clause.origin,
                    source=main.source if main else ref.clause.source,
                    heading=render(c.heading) if c.heading else None,
                    text=render(c.text) if c.text else None,
                    items=doc_items(c.items, c.id),
                    join=ref.join,
                )
            )
        heading = render(s.heading) if s.heading else None
        sections.append(DocSection(s.ref.section.id, numbers[s.ref.section.id].label, heading, tuple(clauses)))
    title = render(document.title or doc_type.title)
    table = _version_table(library, document, render)
    closing = render(document.closing) if document.closing else None
    problems = changer.problems + numbering_problems + style_problems + _amendment_problems(changer, render)
    problems += render.problems
    if problems:
        raise ProtocolError(problems)
    used = frozenset(render.used)
    return Document(council, document.id, document.versions, title, table, tuple(sections), closing, numbering, used)


AMENDMENT_WORD = re.compile(r"[a-z0-9]+")


def _wording(markdown: str) -> list[str]:
    """The words of a text without capitals, punctuation, apostrophes or a list item's closing '; and'.

    That is what an amendment may not change.
    """
    return AMENDMENT_WORD.findall(re.sub(r"['’]", "", ITEM_ENDING.sub("", markdown).lower()))


def _amendment_problems(changer: _Changer, render: Renderer) -> list[Problem]:
    """An 'amend:' may change punctuation and capitals only; anything else is the council's own wording."""
    problems = []
    for change, original, amended in changer.amendments:
        before, after = (
            render.templates.wording(render(original).markdown),
            render.templates.wording(render(amended).markdown),
        )
        if before == after:
            continue
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        op, i1, i2, j1, j2 = next(o for o in matcher.get_opcodes() if o[0] != "equal")
        was, now = " ".join(before[i1:i2]) or "(nothing)", " ".join(after[j1:j2]) or "(nothing)"
        problems.append(
            Problem(
                f"'amend: {change.target}' changes the wording ('{was}' becomes '{now}'), not just punctuation "
                "or capitals",
                (change.text or change.heading or original).source,
                f"to reword it write '- replace: {change.target}' with the new 'text:'; "
                "'amend:' keeps the library's words and changes only marks and capitals",
            )
        )
    return problems


def model_council(library: Library) -> Council:
    """The pseudo-council 'model': the library's default terms and no facts of its own."""
    first = next(iter(library.documents.values()), None)
    source = first.source if first else Source("clauses/library.yaml")
    return Council(id=MODEL, source=source, name="Model (clause library)", kind="parish")


def model_document(library: Library, document_id: str) -> CouncilDocument:
    """A document type's model: the library's default text, with no overrides."""
    doc_type = library.document(document_id)
    source = doc_type.source if doc_type else Source("clauses/library.yaml")
    return CouncilDocument(MODEL, document_id, source, (Version("library", None, source),), Numbering())
