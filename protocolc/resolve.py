"""Resolve stage: library + one council's outline and changes -> one plain Document.

Overrides are applied here, in data, so templates only lay the result out and
`stats` (and later `diff`) work on exactly what is printed.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import Problem, ProtocolError, Source, did_you_mean
from .model import (
    COUNCIL,
    Change,
    ClauseRef,
    Council,
    DocClause,
    DocItem,
    DocSection,
    Document,
    Library,
    Numbering,
    Passage,
    SectionRef,
    Text,
    Version,
    VersionTable,
)

ITEM_ENDING = re.compile(r"\s*(?:[;,]\s*(?:and|or)|[;.,])\s*$")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(value: object) -> str:
    """Terms are plain text: stop a '*' or '_' in a council's name turning into emphasis."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


class TextTemplates:
    """The sandbox clerk-written text is rendered in (no Python internals; undefined names are errors).

    Each distinct text is compiled once and reused for every council; text without '{' is not a template.
    """

    def __init__(self) -> None:
        self.env = ImmutableSandboxedEnvironment(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=markdown_escape
        )
        self._compiled: dict[str, jinja2.Template] = {}

    def render(self, source: str, variables: dict[str, str]) -> str:
        if "{" not in source:
            return source
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled[source] = self.env.from_string(source)
        return template.render(variables)


def text_environment() -> TextTemplates:
    return TextTemplates()


# --- the working outline, mutated only inside this module -----------------------------------


@dataclass
class _Item:
    id: str
    text: Text


@dataclass
class _Clause:
    ref: ClauseRef
    heading: Text | None
    text: Text | None
    items: list[_Item]

    @property
    def id(self) -> str:
        return self.ref.clause.id


@dataclass
class _Section:
    ref: SectionRef
    heading: Text | None
    clauses: list[_Clause] = field(default_factory=list)


def _plan_clause(ref: ClauseRef) -> _Clause:
    c = ref.clause
    return _Clause(ref, c.heading, c.text, [_Item(f"{c.id}.{i.key}", i.text) for i in c.items])


def _plan(library: Library, council: Council) -> list[_Section]:
    outline = council.outline
    if outline is None:
        outline = tuple(SectionRef(s, s.source) for s in library.sections if not s.optional)
    plan = []
    for ref in outline:
        refs = ref.clauses if ref.clauses is not None else tuple(ClauseRef(c, c.source) for c in ref.section.clauses)
        plan.append(_Section(ref, ref.heading or ref.section.heading, [_plan_clause(r) for r in refs]))
    return plan


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


class _Changer:
    """Applies a council's changes to the working outline, collecting every problem."""

    def __init__(self, library: Library, plan: list[_Section]) -> None:
        self.library = library
        self.plan = plan
        self.problems: list[Problem] = []
        self.library_clauses = library.clauses()
        self.library_ids = (
            {s.id for s in library.sections}
            | set(self.library_clauses)
            | {f"{c.id}.{i.key}" for c in self.library_clauses.values() for i in c.items}
        )

    def known_ids(self) -> set[str]:
        ids = set(self.library_ids)
        for s in self.plan:
            ids.add(s.ref.section.id)
            for c in s.clauses:
                ids.add(c.id)
                ids.update(i.id for i in c.items)
        return ids

    def find(self, target: str) -> tuple[_Section, _Clause | None, _Item | None] | None:
        for s in self.plan:
            if s.ref.section.id == target:
                return s, None, None
            for c in s.clauses:
                if c.id == target:
                    return s, c, None
                for i in c.items:
                    if i.id == target:
                        return s, c, i
        return None

    def locate(self, change: Change, target: str) -> tuple[_Section, _Clause | None, _Item | None] | None:
        found = self.find(target)
        if found is None:
            if target in self.library_ids:
                self.fail(
                    change,
                    f"'{target}' is not in this council's document",
                    "it was left out by 'sections:' or an earlier 'omit:'; add it back or remove this change",
                )
            else:
                close = did_you_mean(target, self.known_ids())
                self.fail(change, f"no section, clause or item '{target}'", close or "see the ids in clauses/")
        return found

    def fail(self, change: Change, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, change.source, hint))

    def apply(self, change: Change) -> None:
        getattr(self, "_" + change.action)(change)

    def _omit(self, change: Change) -> None:
        found = self.locate(change, change.target)
        if not found:
            return
        section, clause, item = found
        if item is not None:
            clause.items.remove(item)
            if not clause.items and clause.text is None and clause.heading is None:
                section.clauses.remove(clause)
        elif clause is not None:
            section.clauses.remove(clause)
        else:
            self.plan.remove(section)

    def library_wording(self, change: Change) -> Text | None:
        """The text of a library clause or item, for 'replace: ... with: <id>'."""
        wanted = change.wording_of
        clause = self.library_clauses.get(wanted or "")
        if clause is not None and clause.text is not None:
            return clause.text
        head, _, key = (wanted or "").rpartition(".")
        owner = self.library_clauses.get(head)
        item = next((i for i in owner.items if i.key == key), None) if owner else None
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
        section, clause, item = found
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

    def _variant(self, change: Change) -> None:
        found = self.locate(change, change.target)
        if not found or change.variant is None:
            return
        section, clause, item = found
        name = change.variant
        if item is not None:
            key = item.id.rsplit(".", 1)[1]
            lib = self.library_clauses.get(clause.id)
            variants = next((i.variants for i in lib.items if i.key == key), {}) if lib else {}
            if self._check_variant(change, name, variants):
                item.text = variants[name]
        elif clause is not None:
            variants = clause.ref.clause.variants
            if self._check_variant(change, name, variants):
                chosen = variants[name]
                clause.heading = chosen.heading or clause.heading
                clause.text = chosen.text or clause.text
        else:
            variants = section.ref.section.variants
            if self._check_variant(change, name, variants):
                section.heading = variants[name]

    def _check_variant(self, change: Change, name: str, variants: dict) -> bool:
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
        section, clause, item = found
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
        owner_clause = self.find(owner)
        if change.clause is not None and owner_clause and owner_clause[1] is not None and owner_clause[1].items:
            first = owner_clause[1].items[0].id
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
            assert change.text is not None
            clause.items.insert(clause.items.index(item) + offset, _Item(change.target, change.text))
            return
        if clause is None or item is not None:
            self.fail(change, f"'{change.anchor}' is not a clause", "insert clauses before or after a clause")
            return
        section.clauses.insert(section.clauses.index(clause) + offset, _plan_clause(change.clause))


# --- rendering text and numbers ----------------------------------------------------------------


def capitalise(value: str) -> str:
    return value[:1].upper() + value[1:]


def context(library: Library, council: Council) -> dict[str, str]:
    """The variables a text may use: the terms (library defaults, then the council's) and the council's facts.

    Each term is also offered with a capital first letter for the start of a sentence:
    `{{ councillors }}` gives the council's own spelling, `{{ Councillors }}` starts with a capital.
    """
    terms = {k: t.value for k, t in library.terms.items()} | {k: t.value for k, t in council.terms.items()}
    current = council.current
    facts = {
        "council_name": council.name,
        "council_kind": council.kind,
        "clerk_title": council.clerk_title or capitalise(terms.get("clerk", "Clerk")),
        "contact": council.contact or "",
        "version": current.version,
        "adopted": current.adopted.british() if current.adopted else "",
        "review_by": current.review_by.british() if current.review_by else "",
        "minute": current.minute or "",
    }
    return terms | {capitalise(k): capitalise(v) for k, v in terms.items()} | facts


class Renderer:
    """Renders a council's texts with its variables, turning every failure into a Problem at the text's source."""

    def __init__(self, templates: TextTemplates, variables: dict[str, str]) -> None:
        self.templates, self.variables = templates, variables
        self.problems: list[Problem] = []

    def __call__(self, text: Text) -> Passage:
        try:
            rendered = self.templates.render(text.value, self.variables)
        except jinja2.UndefinedError as exc:
            name = re.search(r"'([^']+)' is undefined", str(exc))
            hint = did_you_mean(name[1], self.variables) if name else None
            self.problems.append(
                Problem(
                    f"unknown variable in text: {exc.message}",
                    text.source,
                    hint or "variables are the terms in clauses/library.yaml and the council's facts",
                )
            )
            rendered = text.value
        except jinja2.TemplateSyntaxError as exc:
            self.problems.append(
                Problem(
                    f"template error in text: {exc.message}",
                    text.source,
                    "variables are written {{ name }}; to print '{{' literally write {{ '{{' }}",
                )
            )
            rendered = text.value
        except jinja2.TemplateError as exc:  # e.g. SecurityError from the sandbox
            self.problems.append(
                Problem(
                    f"text is not allowed: {exc}", text.source, "texts may only use variables such as {{ councillors }}"
                )
            )
            rendered = text.value
        except Exception as exc:  # noqa: BLE001 - clerk-written expressions such as {{ 1 / 0 }} must not crash a build
            self.problems.append(
                Problem(
                    f"text could not be rendered: {type(exc).__name__}: {exc}",
                    text.source,
                    "texts may only use variables such as {{ councillors }}, not calculations",
                )
            )
            rendered = text.value
        return Passage(
            " ".join(rendered.split()) if "\n\n" not in rendered else rendered.strip(), text.source, text.origin
        )


COLUMNS = (
    ("version", lambda v: v.version),
    ("adopted", lambda v: v.adopted.british() if v.adopted else "—"),
    ("minute", lambda v: v.minute),
    ("review_by", lambda v: v.review_by.british() if v.review_by else None),
    ("approved_by", lambda v: v.approved_by),
    ("note", lambda v: v.note),
)


def _version_table(library: Library, council: Council, render: Renderer) -> VersionTable:
    """Only the columns some version fills in; labels come from the library unless the council renames them."""
    labels = library.labels | council.labels
    used = [
        (key, get)
        for key, get in COLUMNS
        if any(get(v) for v in council.versions if key != "adopted") or key == "adopted"
    ]

    def cell(version: Version, get) -> Passage:
        return Passage(get(version) or "", version.source, COUNCIL)

    return VersionTable(
        caption=render(labels["version_control"]),
        headers=tuple(render(labels[key]) for key, _ in used),
        rows=tuple(tuple(cell(v, get) for _, get in used) for v in council.versions),
    )


def _punctuate(passage: Passage, numbering) -> Passage:
    """Councils that print lists without punctuation drop each item's closing ';', '.' and '; and'."""
    if numbering.punctuation == "none":
        return replace(passage, markdown=ITEM_ENDING.sub("", passage.markdown))
    return passage


def _section_number(style: str, n: int) -> str | None:
    return {"1.": f"{n}.", "1.0": f"{n}.0", "1": f"{n}", "none": None}[style]


def _item_label(style: str, n: int) -> str | None:
    if style != "a)":
        return None
    letters = string.ascii_lowercase
    label = letters[n % 26] * (n // 26 + 1)
    return f"{label})"


def resolve(library: Library, council: Council, env: TextTemplates | None = None) -> Document:
    """Apply the council's outline and changes to the library and render every text with its terms."""
    plan = _plan(library, council)
    changer = _Changer(library, plan)
    changer.problems.extend(_duplicate_ids(plan))
    for change in council.changes:
        changer.apply(change)
    render = Renderer(env or text_environment(), context(library, council))
    numbering = council.numbering
    sections: list[DocSection] = []
    section_no = 0
    for s in plan:
        numbered_section = s.ref.numbered and numbering.sections != "none"
        section_no += numbered_section
        number = _section_number(numbering.sections, section_no) if numbered_section else None
        clauses: list[DocClause] = []
        clause_no = 0
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
            is_numbered = numbered_section and ref.numbered and not ref.join and numbering.clauses != "none"
            clause_no += is_numbered
            items = tuple(
                DocItem(i.id, _item_label(numbering.items, n), _punctuate(render(i.text), numbering))
                for n, i in enumerate(c.items)
            )
            main = c.text or c.heading or (c.items[0].text if c.items else None)
            clauses.append(
                DocClause(
                    id=c.id,
                    number=f"{section_no}.{clause_no}" if is_numbered else None,
                    origin=main.origin if main else ref.clause.origin,
                    source=main.source if main else ref.clause.source,
                    heading=render(c.heading) if c.heading else None,
                    text=render(c.text) if c.text else None,
                    items=items,
                    join=ref.join,
                )
            )
        heading = render(s.heading) if s.heading else None
        sections.append(DocSection(s.ref.section.id, number, heading, tuple(clauses)))
    title = render(council.title or library.title)
    table = _version_table(library, council, render)
    closing = render(council.closing) if council.closing else None
    problems = changer.problems + render.problems
    if problems:
        raise ProtocolError(problems)
    return Document(council, title, table, tuple(sections), closing, numbering)


def model_council(library: Library) -> Council:
    """The pseudo-council 'model': the library's default text and terms, with no overrides."""
    source = library.title.source
    return Council(
        id="model",
        source=source,
        name="Model protocol (clause library)",
        kind="parish",
        terms={},
        versions=(Version("library", None, source),),
        numbering=Numbering(),
    )
