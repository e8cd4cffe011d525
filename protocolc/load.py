"""Load stage: YAML files -> located values -> Library and Council, checking everything.

The YAML layer (located values and the typed Reader) is in sources.py; this
module knows the file formats. All problems in a file are collected before
anything is raised.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .clerktext import remember
from .errors import Problem, ProtocolError, Source, did_you_mean, relative
from .model import (
    ALL_LISTS,
    CASES,
    COUNCIL,
    ENDINGS,
    LABELS,
    LIBRARY,
    Change,
    Clause,
    ClauseRef,
    Council,
    CouncilDocument,
    DocumentIndex,
    DocumentType,
    Item,
    Library,
    ListStyle,
    Numbering,
    Section,
    SectionRef,
    Text,
    Variant,
    Version,
)
from .numbering import STYLES
from .project import DOCUMENT_ID
from .project import KINDS as KINDS  # defined there: the command line lists them without loading this
from .sources import Map, Reader, Seq, Str, _src, parse_yaml, read_text, read_yaml

ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PUNCTUATION = ("as-written", "none")


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
    raw_items = m.get("items")
    items = _read_items(r, raw_items, origin) if raw_items is not None else ()
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
    return Clause(cid, m.source, origin, heading, text, items, variants, is_list=raw_items is not None)


def _read_items(r: Reader, raw_items: Any, origin: str) -> tuple[Item, ...]:
    """A list's items: `key: text`, or `key:` with `text:`, `variants:` and `items:` of its own (any depth)."""
    items: list[Item] = []
    im = r.mapping(raw_items, "items", tuple(raw_items.keys()) if isinstance(raw_items, Map) else ())
    for key, raw in (im or {}).items():
        if not KEY.match(key):
            r.fail(
                f"item key '{key}' is not valid",
                im.key_sources[key] if im is not None else None,
                "use lower-case words joined by '-', e.g. working-partnership",
            )
        item = _read_item(r, key, raw, origin)
        if item:
            items.append(item)
    if im is not None and not im:
        r.fail("items is empty", im.source, "give at least one item, or remove 'items:'")
    return tuple(items)


def _read_item(r: Reader, key: str, raw: Any, origin: str) -> Item | None:
    if isinstance(raw, Str):
        text = r.text(raw, f"item '{key}'", origin)
        return Item(key, text) if text else None
    m = r.mapping(raw, f"item '{key}'", ("text", "variants", "items"), ("text",))
    if m is None:
        return None
    text = r.text(m.get("text"), f"item '{key}'", origin)
    sub_items = _read_items(r, m.get("items"), origin) if m.get("items") is not None else ()
    variants: dict[str, Text] = {}
    vm = m.get("variants")
    if vm is not None:
        vm = r.mapping(vm, "variants", tuple(vm.keys()) if isinstance(vm, Map) else ())
        for name, v in (vm or {}).items():
            t = r.text(v, f"variant '{name}'", origin)
            if t:
                variants[name] = t
    return Item(key, text, variants, sub_items) if text else None


# --- the library ----------------------------------------------------------------------------

FORMATS = ("1",)  # the versions of the file formats this protocolc reads
LIBRARY_KEYS = ("format", "terms", "labels")
DOCUMENT_TYPE_KEYS = ("format", "title", "terms", "sections", "optional")


def read_format(r: Reader, m: Map, what: str) -> None:
    """`format: 1` names the version of a file's format; a file without it is read as the current one."""
    value = m.get("format")
    if value is None:
        return
    if not isinstance(value, Str) or value not in FORMATS:
        r.fail(
            f"this file is written in format {value}, which this protocolc does not read",
            _src(value) or m.source,
            f"this protocolc reads format {', '.join(FORMATS)}: upgrade protocolc (pip install -U protocolc), "
            "or write 'format: 1'",
        )


def load_library(root: Path, warnings: list[Problem] | None = None) -> Library:
    """Read clauses/library.yaml (shared terms and labels) and one folder per document type.

    Errors are raised together as one ProtocolError; warnings go to `warnings` when given.
    """
    folder = root / "clauses"
    index_path = folder / "library.yaml"
    if not index_path.is_file():
        raise ProtocolError(
            "the clause library has no index file",
            Source(relative(index_path, root)),
            "create clauses/library.yaml with 'terms:' and 'labels:' (protocolc init writes a complete one)",
        )
    r = Reader()
    index = r.mapping(read_yaml(index_path, root), "clauses/library.yaml", LIBRARY_KEYS, ("terms", "labels"))
    r.raise_if_any()
    assert index is not None
    read_format(r, index, "clauses/library.yaml")
    terms = _read_terms(r, index.get("terms"), LIBRARY)
    labels = _read_labels(r, index.get("labels"), LIBRARY)
    for key in LABELS:
        if key not in labels and isinstance(index.get("labels"), Map):
            r.fail(f"labels needs '{key}:'", _src(index.get("labels")), f"add '{key}: ...' with the column's label")
    documents: dict[str, DocumentType] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() and (path / "document.yaml").is_file():
            doc_type = _read_document_type(r, path, root)
            if doc_type is not None:
                documents[doc_type.id] = doc_type
        elif path.is_dir():
            r.warn(
                f"folder clauses/{path.name}/ has no document.yaml, so it is not a document type",
                Source(relative(path, root)),
                f"add clauses/{path.name}/document.yaml with 'title:' and 'sections:'",
            )
        elif path.name != "library.yaml":
            r.warn(
                "file is not part of the library",
                Source(relative(path, root)),
                "section files live in the folder of their document type, e.g. clauses/protocol/roles.yaml",
            )
    if not documents and not any(p.severity == "error" for p in r.problems):
        r.fail(
            "the clause library has no document types",
            Source(relative(folder, root)),
            "add a folder such as clauses/protocol/ with a document.yaml",
        )
    r.raise_if_any()
    if warnings is not None:
        warnings.extend(r.warnings)
    return Library(terms, labels, documents)


def _read_document_type(r: Reader, folder: Path, root: Path) -> DocumentType | None:
    """clauses/<document>/document.yaml (title and section order) and its section files.

    Clause ids are unique within a document type: each type is a namespace of its own.
    """
    seen_clauses: dict[str, Source] = {}
    doc_id = folder.name
    where = f"clauses/{doc_id}/document.yaml"
    m = r.mapping(read_yaml(folder / "document.yaml", root), where, DOCUMENT_TYPE_KEYS, ("title", "sections"))
    if m is None:
        return None
    read_format(r, m, where)
    if not KEY.match(doc_id):
        r.fail(
            f"document type '{doc_id}' is not a valid id",
            m.source,
            "name the folder in lower-case words joined by '-', e.g. standing-orders",
        )
    title = r.text(m.get("title"), "title", LIBRARY)
    files = {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.name != "document.yaml"}
    sections: list[Section] = []
    order = [(e, False) for e in r.sequence(m.get("sections"), "sections")]
    order += [(e, True) for e in r.sequence(m.get("optional"), "optional")]
    for entry, optional in order:
        sid = r.string(entry, "section id", pattern=ID)
        if sid is None:
            continue
        if sid not in files:
            r.fail(f"no file clauses/{doc_id}/{sid}.yaml for section '{sid}'", entry.source, did_you_mean(sid, files))
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
        r.warn(
            f"section file is not listed in clauses/{doc_id}/document.yaml",
            Source(relative(path, root)),
            f"add '- {stem}' to 'sections:' (the model document) or to 'optional:'",
        )
    if title is None:
        return None
    return DocumentType(doc_id, m.source, title, tuple(sections), _read_terms(r, m.get("terms"), LIBRARY))


def _read_section(r: Reader, value: Any, sid: str, optional: bool) -> Section | None:
    m = r.mapping(value, f"section file '{sid}'", ("id", "heading", "variants", "clauses"), ("id", "heading"))
    if m is None:
        return None
    if m.get("id") is not None and m.get("id") != sid:
        r.fail(
            f"section id '{m.get('id')}' does not match its file name '{sid}.yaml'",
            _src(m.get("id")),
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
    clauses: list[Clause] = []
    for raw in r.sequence(m.get("clauses"), "clauses"):
        clause = read_clause(r, raw, LIBRARY, ("model",))
        if clause is not None and isinstance(raw, Map) and "model" in raw:
            clause = replace(clause, in_model=r.boolean(raw.get("model"), "model", True))
        if clause is not None:
            clauses.append(clause)
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
                m.key_sources[key] if m is not None else None,
                "use lower-case letters and '_', e.g. county_association",
            )
        t = r.text(raw, f"term '{key}'", origin)
        if t:
            terms[key] = t
    return terms


# --- a council ----------------------------------------------------------------------------

COUNCIL_KEYS = ("format", "name", "kind", "clerk", "contact", "county_association", "terms")
DOCUMENT_KEYS = ("format", "title", "labels", "numbering", "lists", "versions", "sections", "changes", "closing")
VERSION_KEYS = ("version", "adopted", "minute", "review_by", "approved_by", "note")
COUNCIL_FILE = "council.yaml"


CouncilMemo = dict[tuple[str, str, str, tuple[str, ...]], tuple[Council, tuple[Problem, ...]]]


def load_council(
    folder: Path,
    root: Path,
    library: Library,
    warnings: list[Problem] | None = None,
    memo: CouncilMemo | None = None,
) -> Council:
    """Read councils/<id>/council.yaml: who the council is, and which documents it keeps beside it.

    With `memo` (one per library: a Workspace's), a council read before from the same text, in the same
    folder with the same document files, is not read again: the file is still checked and read, and its
    warnings are given again. Only a council without problems is kept.
    """
    r = Reader()
    cid = folder.name
    path = folder / COUNCIL_FILE
    if not path.is_file():
        raise ProtocolError(
            f"council '{cid}' has no {COUNCIL_FILE}",
            Source(relative(folder, root) + "/"),
            f"create councils/{cid}/{COUNCIL_FILE} with the council's 'name:' and 'kind:' "
            f"(or run 'protocolc new {cid} --name ... --kind ...')",
        )
    text, rel = read_text(path, root)
    documents = _document_ids(folder)
    memo_key = (str(folder), str(root), text, documents)
    if memo is not None and memo_key in memo:
        council, found = memo[memo_key]
        if warnings is not None:
            warnings.extend(found)
        return council
    m = r.mapping(parse_yaml(text, rel), "this council file", COUNCIL_KEYS, ("name", "kind"))
    if m is None:
        r.raise_if_any()
    assert m is not None
    read_format(r, m, f"councils/{cid}/{COUNCIL_FILE}")
    terms = _read_terms(r, m.get("terms"), COUNCIL)
    known = library.all_terms()
    for key, term in terms.items():
        if key not in known:
            r.fail(
                f"unknown term '{key}'",
                term.source,
                did_you_mean(key, known) or "terms are declared in clauses/library.yaml",
            )
    council = Council(
        id=cid,
        source=m.source,
        name=r.string(m.get("name"), "name") or cid,
        kind=r.choice(m.get("kind"), "kind", KINDS) or "parish",
        terms=terms,
        clerk_title=r.string(m.get("clerk"), "clerk"),
        contact=r.string(m.get("contact"), "contact"),
        county_association=r.string(m.get("county_association"), "county_association"),
        documents=documents,
        fact_sources={k: m.key_sources[k] for k in ("clerk", "contact", "county_association") if k in m},
    )
    r.raise_if_any()
    if warnings is not None:
        warnings.extend(r.warnings)
    if memo is not None:
        remember(memo, memo_key, (council, tuple(r.warnings)))
    return council


def _document_ids(folder: Path) -> tuple[str, ...]:
    """The ids of the document files beside council.yaml (other files are reported by strays.py)."""
    try:
        with os.scandir(folder) as listed:  # what folder.glob("*.yaml") finds, without a Path for every entry
            names = [entry.name for entry in listed if entry.name.endswith(".yaml")]
    except OSError:
        names = [p.name for p in folder.glob("*.yaml")]
    return tuple(sorted(name[:-5] for name in names if name != COUNCIL_FILE and DOCUMENT_ID.match(name[:-5])))


def load_document(path: Path, root: Path, library: Library, warnings: list[Problem] | None = None) -> CouncilDocument:
    """Read councils/<id>/<document>.yaml and check it against its document type's library."""
    r = Reader()
    cid, doc_id = path.parent.name, path.stem
    doc_type = library.document(doc_id)
    where = f"councils/{cid}/{path.name}"
    if doc_type is None:
        close = did_you_mean(doc_id, library.documents)
        raise ProtocolError(
            f"the library has no document type '{doc_id}'",
            Source(relative(path, root)),
            close
            or f"a council's document files are named after a folder in clauses/ "
            f"({', '.join(sorted(library.documents)) or 'none yet'})",
        )
    m = r.mapping(read_yaml(path, root), "this document file", DOCUMENT_KEYS, ("versions",))
    if m is None:
        r.raise_if_any()
    assert m is not None
    read_format(r, m, where)
    index = doc_type.index
    outline = None
    if m.get("sections") is not None:
        refs = (_read_section_ref(r, raw, index) for raw in r.sequence(m.get("sections"), "sections"))
        outline = tuple(ref for ref in refs if ref)
    document = CouncilDocument(
        council_id=cid,
        id=doc_id,
        source=m.source,
        versions=_read_versions(r, m.get("versions")),
        numbering=_read_numbering(r, m.get("numbering")),
        title=r.text(m.get("title"), "title", COUNCIL),
        outline=outline,
        changes=tuple(c for c in (_read_change(r, raw, index) for raw in r.sequence(m.get("changes"), "changes")) if c),
        closing=r.text(m.get("closing"), "closing", COUNCIL),
        labels=_read_labels(r, m.get("labels"), COUNCIL),
        lists=_read_lists(r, m.get("lists")),
    )
    r.raise_if_any()
    if warnings is not None:
        warnings.extend(r.warnings)
    return document


def _read_numbering(r: Reader, value: Any) -> Numbering:
    """`numbering: {levels: ["1.", "1.1", "a)"], punctuation: as-written}`: one style per level of the document."""
    if value is None:
        return Numbering()
    m = r.mapping(value, "numbering", ("levels", "punctuation"))
    if m is None:
        return Numbering()
    levels: list[str] = []
    raw_levels = m.get("levels")
    for raw in r.sequence(raw_levels, "numbering levels"):
        style = r.choice(raw, "numbering style", tuple(STYLES))
        levels.append(style or "none")
    if isinstance(raw_levels, Seq) and not raw_levels:
        r.fail("numbering levels is empty", raw_levels.source, 'give one style per level, e.g. ["1.", "1.1", "a)"]')
    punctuation = r.choice(m.get("punctuation"), "numbering punctuation", PUNCTUATION) if "punctuation" in m else None
    return Numbering(
        tuple(levels) if levels else Numbering().levels,
        punctuation or "as-written",
        raw_levels.source if isinstance(raw_levels, Seq) else None,
    )


LIST_STYLE_KEYS = ("case", "ending", "before-last", "last")


def _read_lists(r: Reader, value: Any) -> dict[str, ListStyle]:
    """`lists: {all: {case: lower, ending: ";", before-last: "; and", last: "."}, <list id>: {...}}`."""
    if value is None:
        return {}
    m = r.mapping(value, "lists", tuple(value.keys()) if isinstance(value, Map) else ())
    styles: dict[str, ListStyle] = {}
    for key, raw in (m or {}).items():
        if key != ALL_LISTS and not ID.match(key):
            r.fail(
                f"'{key}' is not a list id",
                m.key_sources[key] if m is not None else None,
                "write 'all:' for every list, or the id of one list, e.g. councillors.areas",
            )
            continue
        sm = r.mapping(raw, f"the style of '{key}'", LIST_STYLE_KEYS)
        if sm is None:
            continue
        if not sm:
            r.fail(f"the style of '{key}' is empty", sm.source, "give 'case:' and/or 'ending:'")
        ends = {k: r.choice(sm.get(k), k, ENDINGS) if k in sm else None for k in ("ending", "before-last", "last")}
        styles[key] = ListStyle(
            case=r.choice(sm.get("case"), "case", CASES) if "case" in sm else None,
            ending=ends["ending"],
            before_last=ends["before-last"],
            last=ends["last"],
            source=m.key_sources[key] if m is not None else sm.source,
        )
    return styles


def _read_versions(r: Reader, value: Any) -> tuple[Version, ...]:
    versions: list[Version] = []
    seq = r.sequence(value, "versions")  # an empty list: a document no meeting has adopted yet
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
                _src(m.get("review_by")),
                "the review date must come after the adoption date",
            )
        if versions and adopted and versions[-1].adopted and adopted < versions[-1].adopted:
            r.fail(
                f"version '{label}' was adopted before the version listed above it",
                _src(m.get("adopted")),
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


def _read_clause_ref(r: Reader, raw: Any, index: DocumentIndex) -> ClauseRef | None:
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


def _read_section_ref(r: Reader, raw: Any, index: DocumentIndex) -> SectionRef | None:
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
            _src(m.get("id")),
            f"write 'section: {sid}' to use the library section",
        )
        return None
    section = Section(sid, m.source, COUNCIL, heading, tuple(c.clause for c in clauses or ()))
    return SectionRef(section, m.source, None, numbered, clauses or ())


def _lookup(r: Reader, table: Mapping[str, Any], raw: Any, what: str) -> Any:
    name = r.string(raw, f"{what} id")
    if name is None:
        return None
    if name not in table:
        close = did_you_mean(name, table)
        r.fail(f"no library {what} '{name}'", raw.source, close or "see the ids in clauses/")
        return None
    return table[name]


CHANGE_ACTIONS = ("omit", "replace", "amend", "variant", "insert")
CHANGE_KEYS = CHANGE_ACTIONS + ("text", "heading", "with", "use", "before", "after", "items") + LAYOUT_KEYS


def _read_change(r: Reader, raw: Any, index: DocumentIndex) -> Change | None:
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
        "amend": ("text", "heading"),
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
    if action == "amend":
        text, heading = r.text(m.get("text"), "text", COUNCIL), r.text(m.get("heading"), "heading", COUNCIL)
        if [text, heading].count(None) != 1:
            r.fail(
                "'amend:' needs the amended 'text:' (or 'heading:'): the library wording with your punctuation "
                "and capitals",
                src,
                "e.g. '- amend: roles.servants' with 'text: ...' copied from the library and re-punctuated",
            )
        return Change(action, target, src, text=text, heading=heading)
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
        anchor_source = _src(m.get(where[0])) or m.key_sources.get(where[0])
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
            return Change(action, target, src, text=text, position=where[0], anchor=anchor, anchor_source=anchor_source)
        clause = read_clause(r, fields, COUNCIL, LAYOUT_KEYS)
        if clause and clause.id in index.clauses:
            r.fail(
                f"'{clause.id}' is already a library clause",
                _src(m.get(action)),
                "an inserted clause needs a new id, e.g. <council>.<name>",
            )
            return None
        ref = ClauseRef(clause, src, **_read_layout(r, m)) if clause else None
        # Whether this is a clause or an item of a council's own list is known only once the anchor is found.
        text = clause.text if clause and not clause.heading and not clause.items else None
        return Change(
            action,
            target,
            src,
            text=text,
            position=where[0],
            anchor=anchor,
            anchor_source=anchor_source,
            clause=ref,
        )
    return Change(action, target, src)
