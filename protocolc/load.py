"""Load stage: YAML files -> located values -> Library and Council, checking everything.

The YAML layer (located values and the typed Reader) is in sources.py; this
module knows the file formats. All problems in a file are collected before
anything is raised.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import Problem, ProtocolError, Source, did_you_mean, relative
from .model import (
    COUNCIL,
    LABELS,
    LIBRARY,
    Change,
    Clause,
    ClauseRef,
    Council,
    Item,
    Library,
    Numbering,
    Section,
    SectionRef,
    Text,
    Variant,
    Version,
)
from .sources import Map, Reader, Seq, Str, read_yaml

ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KINDS = ("town", "parish", "community", "city", "village", "neighbourhood")
NUMBERING = {
    "sections": ("1.", "1.0", "1", "none"),
    "clauses": ("1.1", "none"),
    "items": ("a)", "bullet"),
    "punctuation": ("as-written", "none"),
}


# --- clauses (shared by library and council files) ------------------------------------------

CLAUSE_KEYS = ("id", "heading", "text", "items", "variants")
LAYOUT_KEYS = ("numbered", "join")


def read_clause(r: Reader, value: Any, origin: str, extra: tuple[str, ...] = ()) -> Clause | None:
    m = r.mapping(value, "a clause", CLAUSE_KEYS + extra, ("id",))
    if m is None:
        return None
    cid = r.string(
        m.get("id"),
        "clause id",
        pattern=ID,
        pattern_hint="use lower-case words joined by '-' and '.', e.g. councillors.responsibilities",
    )
    heading = r.text(m.get("heading"), "heading", origin)
    text = r.text(m.get("text"), "text", origin)
    items: list[Item] = []
    raw_items = m.get("items")
    if raw_items is not None:
        im = r.mapping(raw_items, "items", tuple(raw_items.keys()) if isinstance(raw_items, Map) else ())
        for key, raw in (im or {}).items():
            if not KEY.match(key):
                r.fail(
                    f"item key '{key}' is not valid",
                    im.key_sources[key],
                    "use lower-case words joined by '-', e.g. working-partnership",
                )
            item = _read_item(r, key, raw, origin)
            if item:
                items.append(item)
        if im is not None and not im:
            r.fail("items is empty", im.source, "give at least one item, or remove 'items:'")
    variants: dict[str, Variant] = {}
    raw_variants = m.get("variants")
    if raw_variants is not None:
        vm = r.mapping(raw_variants, "variants", tuple(raw_variants.keys()) if isinstance(raw_variants, Map) else ())
        for name, raw in (vm or {}).items():
            if isinstance(raw, Str):
                variants[name] = Variant(name, raw.source, text=r.text(raw, "variant text", origin))
                continue
            vmap = r.mapping(raw, f"variant '{name}'", ("heading", "text"))
            if vmap is not None:
                variants[name] = Variant(
                    name,
                    vmap.source,
                    heading=r.text(vmap.get("heading"), "heading", origin),
                    text=r.text(vmap.get("text"), "text", origin),
                )
    if heading is None and text is None and not items and cid:
        r.fail(f"clause '{cid}' has no heading, text or items", m.source, "give it 'text:' (or 'items:')")
    if cid is None:
        return None
    return Clause(cid, m.source, origin, heading, text, tuple(items), variants, is_list=raw_items is not None)


def _read_item(r: Reader, key: str, raw: Any, origin: str) -> Item | None:
    if isinstance(raw, Str):
        text = r.text(raw, f"item '{key}'", origin)
        return Item(key, text) if text else None
    m = r.mapping(raw, f"item '{key}'", ("text", "variants"), ("text",))
    if m is None:
        return None
    text = r.text(m.get("text"), f"item '{key}'", origin)
    variants: dict[str, Text] = {}
    vm = m.get("variants")
    if vm is not None:
        vm = r.mapping(vm, "variants", tuple(vm.keys()) if isinstance(vm, Map) else ())
        for name, v in (vm or {}).items():
            t = r.text(v, f"variant '{name}'", origin)
            if t:
                variants[name] = t
    return Item(key, text, variants) if text else None


# --- the library ----------------------------------------------------------------------------


def load_library(root: Path, warnings: list[Problem] | None = None) -> Library:
    """Read clauses/library.yaml (title, terms, section order) and one file per section.

    Errors are raised together as one ProtocolError; warnings go to `warnings` when given.
    """
    folder = root / "clauses"
    index_path = folder / "library.yaml"
    if not index_path.is_file():
        raise ProtocolError(
            "the clause library has no index file",
            Source(relative(index_path, root)),
            "create clauses/library.yaml with 'title:', 'terms:' and 'sections:'",
        )
    r = Reader()
    index = r.mapping(
        read_yaml(index_path, root),
        "clauses/library.yaml",
        ("title", "terms", "labels", "sections", "optional"),
        ("title", "terms", "labels", "sections"),
    )
    r.raise_if_any()
    assert index is not None
    title = r.text(index.get("title"), "title", LIBRARY)
    terms = _read_terms(r, index.get("terms"), LIBRARY)
    labels = _read_labels(r, index.get("labels"), LIBRARY)
    for key in LABELS:
        if key not in labels and isinstance(index.get("labels"), Map):
            r.fail(f"labels needs '{key}:'", index.get("labels").source, f"add '{key}: ...' with the column's label")
    files = {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.name != "library.yaml"}
    sections: list[Section] = []
    seen_clauses: dict[str, Source] = {}
    order = [(e, False) for e in r.sequence(index.get("sections"), "sections")]
    order += [(e, True) for e in r.sequence(index.get("optional"), "optional")]
    for entry, optional in order:
        sid = r.string(entry, "section id", pattern=ID)
        if sid is None:
            continue
        if sid not in files:
            r.fail(f"no file clauses/{sid}.yaml for section '{sid}'", entry.source, did_you_mean(sid, files))
            continue
        section = _read_section(r, read_yaml(files.pop(sid), root), sid, optional)
        if section is None:
            continue
        for clause in section.clauses:
            if clause.id in seen_clauses:
                r.fail(
                    f"clause id '{clause.id}' is used twice (first at {seen_clauses[clause.id]})",
                    clause.source,
                    "give each clause its own id",
                )
            seen_clauses[clause.id] = clause.source
        sections.append(section)
    for stem, path in files.items():
        r.problems.append(
            Problem(
                "section file is not listed in clauses/library.yaml",
                Source(relative(path, root)),
                f"add '- {stem}' to 'sections:' (the model document) or to 'optional:'",
                severity="warning",
            )
        )
    r.raise_if_any()
    if warnings is not None:
        warnings.extend(r.warnings)
    assert title is not None
    return Library(title, terms, tuple(sections), labels)


def _read_section(r: Reader, value: Any, sid: str, optional: bool) -> Section | None:
    m = r.mapping(value, f"section file '{sid}'", ("id", "heading", "variants", "clauses"), ("id", "heading"))
    if m is None:
        return None
    if m.get("id") is not None and m.get("id") != sid:
        r.fail(
            f"section id '{m.get('id')}' does not match its file name '{sid}.yaml'",
            m.get("id").source,
            f"write 'id: {sid}' or rename the file",
        )
    heading = r.text(m.get("heading"), "heading", LIBRARY)
    variants: dict[str, Text] = {}
    vm = m.get("variants")
    if vm is not None:
        vm = r.mapping(vm, "variants", tuple(vm.keys()) if isinstance(vm, Map) else ())
        for name, v in (vm or {}).items():
            t = r.text(v, f"heading variant '{name}'", LIBRARY)
            if t:
                variants[name] = t
    clauses = [c for c in (read_clause(r, raw, LIBRARY) for raw in r.sequence(m.get("clauses"), "clauses")) if c]
    if not clauses and not optional and "clauses" in m:
        r.fail(
            f"section '{sid}' is in the model document but has no clauses",
            m.source,
            "give it clauses, or list it under 'optional:' in clauses/library.yaml",
        )
    if heading is None:
        return None
    return Section(sid, m.source, LIBRARY, heading, tuple(clauses), variants, optional)


def _read_labels(r: Reader, value: Any, origin: str) -> dict[str, Text]:
    """The version-control table's caption and column labels."""
    if value is None:
        return {}
    m = r.mapping(value, "labels", LABELS)
    return {k: t for k in LABELS if m and (t := r.text(m.get(k), f"label '{k}'", origin))}


def _read_terms(r: Reader, value: Any, origin: str) -> dict[str, Text]:
    if value is None:
        return {}
    m = r.mapping(value, "terms", tuple(value.keys()) if isinstance(value, Map) else ())
    terms: dict[str, Text] = {}
    for key, raw in (m or {}).items():
        if not re.match(r"^[a-z][a-z_]*$", key):
            r.fail(
                f"term name '{key}' is not valid",
                m.key_sources[key],
                "use lower-case letters and '_', e.g. county_association",
            )
        t = r.text(raw, f"term '{key}'", origin)
        if t:
            terms[key] = t
    return terms


# --- a council ----------------------------------------------------------------------------

COUNCIL_KEYS = (
    "name",
    "kind",
    "title",
    "clerk",
    "contact",
    "terms",
    "labels",
    "numbering",
    "versions",
    "sections",
    "changes",
    "closing",
)
VERSION_KEYS = ("version", "adopted", "minute", "review_by", "approved_by", "note")


def load_council(path: Path, root: Path, library: Library, warnings: list[Problem] | None = None) -> Council:
    """Read one councils/<id>.yaml and check it against the library, reporting every problem at once."""
    r = Reader()
    cid = path.stem
    m = r.mapping(read_yaml(path, root), f"council file '{cid}'", COUNCIL_KEYS, ("name", "kind", "versions"))
    if m is None:
        r.raise_if_any()
    assert m is not None
    terms = _read_terms(r, m.get("terms"), COUNCIL)
    for key, term in terms.items():
        if key not in library.terms:
            r.fail(
                f"unknown term '{key}'",
                term.source,
                did_you_mean(key, library.terms) or "terms are declared in clauses/library.yaml",
            )
    index = _LibraryIndex(library)
    outline = None
    if m.get("sections") is not None:
        refs = (_read_section_ref(r, raw, index) for raw in r.sequence(m.get("sections"), "sections"))
        outline = tuple(ref for ref in refs if ref)
    council = Council(
        id=cid,
        source=m.source,
        name=r.string(m.get("name"), "name") or cid,
        kind=r.choice(m.get("kind"), "kind", KINDS) or "parish",
        terms=terms,
        versions=_read_versions(r, m.get("versions")),
        numbering=_read_numbering(r, m.get("numbering")),
        title=r.text(m.get("title"), "title", COUNCIL),
        clerk_title=r.string(m.get("clerk"), "clerk"),
        contact=r.string(m.get("contact"), "contact"),
        outline=outline,
        changes=tuple(c for c in (_read_change(r, raw, index) for raw in r.sequence(m.get("changes"), "changes")) if c),
        closing=r.text(m.get("closing"), "closing", COUNCIL),
        labels=_read_labels(r, m.get("labels"), COUNCIL),
    )
    r.raise_if_any()
    if warnings is not None:
        warnings.extend(r.warnings)
    return council


class _LibraryIndex:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.sections = {s.id: s for s in library.sections}
        self.clauses = library.clauses()


def _read_numbering(r: Reader, value: Any) -> Numbering:
    if value is None:
        return Numbering()
    m = r.mapping(value, "numbering", tuple(NUMBERING))
    if m is None:
        return Numbering()
    picked = {k: r.choice(m.get(k), f"numbering {k}", NUMBERING[k]) for k in NUMBERING if m.get(k) is not None}
    return Numbering(**{k: v for k, v in picked.items() if v})


def _read_versions(r: Reader, value: Any) -> tuple[Version, ...]:
    versions: list[Version] = []
    seq = r.sequence(value, "versions")
    if isinstance(value, Seq) and not value:
        r.fail("versions is empty", value.source, "list at least the version the council adopted")
    for raw in seq:
        m = r.mapping(raw, "a version", VERSION_KEYS, ("version",))
        if m is None:
            continue
        adopted = r.date(m.get("adopted"), "adopted")
        review_by = r.date(m.get("review_by"), "review_by")
        label = r.string(m.get("version"), "version")
        if adopted and review_by and review_by <= adopted:
            r.fail(
                f"review_by {review_by.iso()} is not after adopted {adopted.iso()}",
                m.get("review_by").source,
                "the review date must come after the adoption date",
            )
        if versions and adopted and versions[-1].adopted and adopted < versions[-1].adopted:
            r.fail(
                f"version '{label}' was adopted before the version listed above it",
                m.get("adopted").source,
                "list versions oldest first",
            )
        if label:
            versions.append(
                Version(
                    label,
                    adopted,
                    m.source,
                    r.string(m.get("minute"), "minute"),
                    review_by,
                    r.string(m.get("approved_by"), "approved_by"),
                    r.string(m.get("note"), "note"),
                )
            )
    return tuple(versions)


def _read_layout(r: Reader, m: Map) -> dict[str, bool]:
    return {"numbered": r.boolean(m.get("numbered"), "numbered", True), "join": r.boolean(m.get("join"), "join", False)}


def _read_clause_ref(r: Reader, raw: Any, index: _LibraryIndex) -> ClauseRef | None:
    if isinstance(raw, Str):
        clause = _lookup(r, index.clauses, raw, "clause")
        return ClauseRef(clause, raw.source) if clause else None
    if isinstance(raw, Map) and "clause" in raw:
        m = r.mapping(raw, "a clause entry", ("clause",) + LAYOUT_KEYS)
        clause = _lookup(r, index.clauses, m.get("clause"), "clause") if m else None
        return ClauseRef(clause, raw.source, **_read_layout(r, m)) if clause and m else None
    clause = read_clause(r, raw, COUNCIL, LAYOUT_KEYS)
    if clause is None:
        return None
    if clause.id in index.clauses:
        r.fail(
            f"local clause id '{clause.id}' is already a library clause",
            raw.source,
            f"to use the library clause write '- {clause.id}'; to reword it use a 'replace' change; "
            "otherwise pick another id",
        )
        return None
    return ClauseRef(clause, raw.source, **_read_layout(r, raw))


def _read_section_ref(r: Reader, raw: Any, index: _LibraryIndex) -> SectionRef | None:
    if isinstance(raw, Str):
        section = _lookup(r, index.sections, raw, "section")
        return SectionRef(section, raw.source) if section else None
    m = r.mapping(raw, "a section entry", ("section", "id", "heading", "numbered", "clauses"))
    if m is None:
        return None
    clauses = None
    if m.get("clauses") is not None:
        clauses = tuple(
            c for c in (_read_clause_ref(r, c, index) for c in r.sequence(m.get("clauses"), "clauses")) if c
        )
    numbered = r.boolean(m.get("numbered"), "numbered", True)
    heading = r.text(m.get("heading"), "heading", COUNCIL)
    if "section" in m:
        if "id" in m:
            r.fail(
                "a section entry has either 'section:' (a library section) or 'id:' (a local one), not both",
                m.key_sources["id"],
            )
        section = _lookup(r, index.sections, m.get("section"), "section")
        return SectionRef(section, m.source, heading, numbered, clauses) if section else None
    sid = r.string(m.get("id"), "section id", pattern=ID)
    if sid is None:
        if "id" not in m:
            r.fail(
                "a section entry needs 'section:' (a library section) or 'id:' and 'heading:' (a local one)", m.source
            )
        return None
    if sid in index.sections:
        r.fail(
            f"local section id '{sid}' is already a library section",
            m.get("id").source,
            f"write 'section: {sid}' to use the library section",
        )
        return None
    section = Section(sid, m.source, COUNCIL, heading, tuple(c.clause for c in clauses or ()))
    return SectionRef(section, m.source, None, numbered, clauses or ())


def _lookup(r: Reader, table: dict[str, Any], raw: Any, what: str) -> Any:
    name = r.string(raw, f"{what} id")
    if name is None:
        return None
    if name not in table:
        close = did_you_mean(name, table)
        r.fail(f"no library {what} '{name}'", raw.source, close or "see the ids in clauses/")
        return None
    return table[name]


CHANGE_ACTIONS = ("omit", "replace", "variant", "insert")
CHANGE_KEYS = CHANGE_ACTIONS + ("text", "heading", "with", "use", "before", "after", "items") + LAYOUT_KEYS


def _read_change(r: Reader, raw: Any, index: _LibraryIndex) -> Change | None:
    m = r.mapping(raw, "a change", CHANGE_KEYS)
    if m is None:
        return None
    actions = [a for a in CHANGE_ACTIONS if a in m]
    if len(actions) != 1:
        r.fail(
            "a change needs exactly one of: " + ", ".join(f"'{a}:'" for a in CHANGE_ACTIONS),
            m.source,
            "e.g. '- omit: councillors.chairs' or '- replace: officers.role' with 'text: ...'",
        )
        return None
    action = actions[0]
    target = r.string(m.get(action), action, pattern=ID)
    if target is None:
        return None
    src = m.source
    allowed = {
        "omit": (),
        "replace": ("text", "heading", "with"),
        "variant": ("use",),
        "insert": ("text", "heading", "items", "before", "after") + LAYOUT_KEYS,
    }[action]
    for key in m:
        if key != action and key not in allowed:
            r.fail(
                f"'{key}:' does not go with '{action}:'",
                m.key_sources[key],
                f"'{action}:' takes {', '.join(repr(a + ':') for a in allowed) or 'nothing else'}",
            )
    if action == "replace":
        text, heading = r.text(m.get("text"), "text", COUNCIL), r.text(m.get("heading"), "heading", COUNCIL)
        wording_of = r.string(m.get("with"), "with", pattern=ID)
        if [text, heading, wording_of].count(None) != 2:
            r.fail(
                "'replace:' needs one of: the new 'text:', a new 'heading:', or 'with:' naming library wording",
                src,
                "e.g. 'with: expectations.officers.respect' reuses that item's wording",
            )
        return Change(action, target, src, text=text, heading=heading, wording_of=wording_of)
    if action == "variant":
        use = r.string(m.get("use"), "use")
        if use is None:
            r.fail("'variant:' needs 'use:' with the variant's name", src)
        return Change(action, target, src, variant=use)
    if action == "insert":
        where = [p for p in ("before", "after") if p in m]
        if len(where) != 1:
            r.fail("'insert:' needs exactly one of 'before:' or 'after:' naming where it goes", src)
            return None
        anchor = r.string(m.get(where[0]), where[0], pattern=ID)
        fields = Map({k: v for k, v in m.items() if k in ("text", "heading", "items") + LAYOUT_KEYS})
        fields["id"] = m.get(action)
        fields.source = m.source
        fields.key_sources = {k: m.key_sources[k] for k in fields if k != "id"} | {"id": m.key_sources[action]}
        if (
            "." in target
            and anchor
            and target.rsplit(".", 1)[0] == anchor.rsplit(".", 1)[0]
            and anchor.rsplit(".", 1)[0] in index.clauses
        ):
            text = r.text(m.get("text"), "text", COUNCIL)
            if text is None:
                r.fail("an inserted item needs 'text:'", src)
            return Change(action, target, src, text=text, position=where[0], anchor=anchor)
        clause = read_clause(r, fields, COUNCIL, LAYOUT_KEYS)
        if clause and clause.id in index.clauses:
            r.fail(
                f"'{clause.id}' is already a library clause",
                m.get(action).source,
                "an inserted clause needs a new id, e.g. <council>.<name>",
            )
            return None
        ref = ClauseRef(clause, src, **_read_layout(r, m)) if clause else None
        # Whether this is a clause or an item of a council's own list is known only once the anchor is found.
        text = clause.text if clause and not clause.heading and not clause.items else None
        return Change(action, target, src, text=text, position=where[0], anchor=anchor, clause=ref)
    return Change(action, target, src)
