"""Adopted snapshots: the resolved text of each adopted version, kept beside the council's sources.

`councils/<council>/adopted/<document>/<version-slug>.yaml` holds exactly what the council adopted,
so a later change to the library, the file formats or protocolc itself cannot rewrite it. The slug is
the version label with anything outside [A-Za-z0-9.-] replaced by '-'; the label itself is inside.

protocolc writes these files (`protocolc adopt`, `protocolc snapshot`); nobody edits them. The format,
with a fixed key order so git diffs of two snapshots read clause by clause:

    format: 1
    council: {id, name, kind, clerk_title, contact, county_association, documents, source, terms}
    document: protocol
    version: {version, adopted, minute, review_by, approved_by, note, source}   # the one adopted
    versions: [...]                        # every version up to this one, as the YAML listed them
    numbering: {levels, punctuation, source}
    title: {text, origin, source}
    version_table: {caption, headers, rows}
    sections:
      - id, number, heading
        clauses:
          - id, number, origin, source, join, heading, text, items: [{id, label, number, text, items}]
    closing: {text, origin, source} or null
    digest: sha256 of the canonical JSON of everything above (a hand edit is detected)

Texts are Markdown as printed, written as block scalars; `source` is `path:line:column` of where the
words were written when the version was adopted. `read_snapshot` rebuilds the very Document that was
snapshotted, so every format renders it byte for byte as it rendered the resolved document.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ProtocolError, Source, relative
from .model import (
    Council,
    DocClause,
    DocItem,
    DocSection,
    Document,
    Numbering,
    PartialDate,
    Passage,
    Text,
    Version,
    VersionTable,
)

FORMAT = 1
ADOPTED = "adopted"
UNSAFE = re.compile(r"[^A-Za-z0-9.-]")
KEY_ORDER = (
    "format",
    "council",
    "document",
    "version",
    "versions",
    "numbering",
    "title",
    "version_table",
    "sections",
    "closing",
)


# libyaml's parser with PyYAML's safe constructor: the same data as yaml.safe_load, about 8x faster on a snapshot
# (every build of an adopted document reads one).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def slug(label: str) -> str:
    """A version label as a file name: '167/23' -> '167-23'."""
    return UNSAFE.sub("-", label) or "-"


def folder(council_folder: Path, document_id: str) -> Path:
    return council_folder / ADOPTED / document_id


def path_for(council_folder: Path, document_id: str, label: str) -> Path:
    return folder(council_folder, document_id) / f"{slug(label)}.yaml"


# --- writing -------------------------------------------------------------------------------------


def _source(source: Source | None) -> str | None:
    if source is None:
        return None
    return f"{source.path}:{source.line}:{source.column}"


def _date(date: PartialDate | None) -> str | None:
    return date.iso() if date else None


def _passage(p: Passage | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"text": p.markdown, "origin": p.origin, "source": _source(p.source)}


def _text(t: Text) -> dict[str, Any]:
    return {"text": t.value, "origin": t.origin, "source": _source(t.source)}


def _version(v: Version) -> dict[str, Any]:
    return {
        "version": v.version,
        "adopted": _date(v.adopted),
        "minute": v.minute,
        "review_by": _date(v.review_by),
        "approved_by": v.approved_by,
        "note": v.note,
        "source": _source(v.source),
    }


def _item(i: DocItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "label": i.label,
        "number": i.number,
        **_passage(i.passage),  # type: ignore[dict-item]
        "items": [_item(x) for x in i.items],
    }


def _clause(c: DocClause) -> dict[str, Any]:
    return {
        "id": c.id,
        "number": c.number,
        "origin": c.origin,
        "source": _source(c.source),
        "join": c.join,
        "heading": _passage(c.heading),
        "text": _passage(c.text),
        "items": [_item(i) for i in c.items],
    }


def _section(s: DocSection) -> dict[str, Any]:
    return {
        "id": s.id,
        "number": s.number,
        "heading": _passage(s.heading),
        "clauses": [_clause(c) for c in s.clauses],
    }


def snapshot_data(doc: Document) -> dict[str, Any]:
    """The snapshot's content, in its fixed key order, without the digest."""
    council = doc.council
    table = doc.version_table
    return {
        "format": FORMAT,
        "council": {
            "id": council.id,
            "name": council.name,
            "kind": council.kind,
            "clerk_title": council.clerk_title,
            "contact": council.contact,
            "county_association": council.county_association,
            "documents": list(council.documents),
            "source": _source(council.source),
            "terms": {k: _text(v) for k, v in council.terms.items()},
        },
        "document": doc.id,
        "version": _version(doc.current),
        "versions": [_version(v) for v in doc.versions],
        "numbering": {
            "levels": list(doc.numbering.levels),
            "punctuation": doc.numbering.punctuation,
            "source": _source(doc.numbering.source),
        },
        "title": _passage(doc.title),
        "version_table": {
            "caption": _passage(table.caption),
            "headers": [_passage(h) for h in table.headers],
            "rows": [[_passage(c) for c in row] for row in table.rows],
        },
        "sections": [_section(s) for s in doc.sections],
        "closing": _passage(doc.closing),
    }


def digest(data: dict[str, Any]) -> str:
    content = {k: v for k, v in data.items() if k != "digest"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Dumper(yaml.SafeDumper):
    """Block scalars for every text, so a reworded clause shows as a reworded line in git."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if (" " in value or "\n" in value) and len(value) > 40 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def snapshot_text(doc: Document) -> str:
    """The snapshot file of a resolved document: what `read_snapshot` turns back into the same Document."""
    data = snapshot_data(doc)
    data["digest"] = digest(data)
    header = (
        f"# {doc.council.name}: {doc.title.markdown}, version {doc.current.version} as adopted.\n"
        "# Written by protocolc (adopt / snapshot): do not edit. A hand edit is detected by `protocolc check`.\n"
    )
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return header + body


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A snapshot file read back: the Document, its raw data, and whether its digest still matches."""

    path: Path
    document: Document
    data: dict[str, Any]
    intact: bool


def _parse_source(text: str | None) -> Source | None:
    if text is None:
        return None
    path, line, column = str(text).rsplit(":", 2)
    return Source(path, int(line), int(column))


def _src(text: str | None) -> Source:
    found = _parse_source(text)
    return found if found is not None else Source("")


def _pdate(text: str | None) -> PartialDate | None:
    return PartialDate.parse(str(text)) if text else None


def _rpassage(d: dict[str, Any] | None) -> Passage | None:
    if d is None:
        return None
    return Passage(str(d["text"]), _src(d["source"]), str(d["origin"]))


def _rpassage_required(d: dict[str, Any]) -> Passage:
    p = _rpassage(d)
    assert p is not None
    return p


def _rversion(d: dict[str, Any]) -> Version:
    return Version(
        str(d["version"]),
        _pdate(d["adopted"]),
        _src(d["source"]),
        d["minute"],
        _pdate(d["review_by"]),
        d["approved_by"],
        d["note"],
    )


def _ritem(d: dict[str, Any]) -> DocItem:
    return DocItem(
        str(d["id"]),
        d["label"],
        Passage(str(d["text"]), _src(d["source"]), str(d["origin"])),
        tuple(_ritem(x) for x in d["items"]),
        d["number"],
    )


def _rclause(d: dict[str, Any]) -> DocClause:
    return DocClause(
        id=str(d["id"]),
        number=d["number"],
        origin=str(d["origin"]),
        source=_src(d["source"]),
        heading=_rpassage(d["heading"]),
        text=_rpassage(d["text"]),
        items=tuple(_ritem(i) for i in d["items"]),
        join=bool(d["join"]),
    )


def document_from_data(data: dict[str, Any]) -> Document:
    c = data["council"]
    council = Council(
        id=str(c["id"]),
        source=_src(c["source"]),
        name=str(c["name"]),
        kind=str(c["kind"]),
        terms={str(k): Text(str(v["text"]), _src(v["source"]), str(v["origin"])) for k, v in c["terms"].items()},
        clerk_title=c["clerk_title"],
        contact=c["contact"],
        county_association=c["county_association"],
        documents=tuple(str(x) for x in c["documents"]),
    )
    n = data["numbering"]
    numbering = Numbering(tuple(str(x) for x in n["levels"]), str(n["punctuation"]), _parse_source(n["source"]))
    t = data["version_table"]
    table = VersionTable(
        caption=_rpassage_required(t["caption"]),
        headers=tuple(_rpassage_required(h) for h in t["headers"]),
        rows=tuple(tuple(_rpassage_required(cell) for cell in row) for row in t["rows"]),
    )
    sections = tuple(
        DocSection(str(s["id"]), s["number"], _rpassage(s["heading"]), tuple(_rclause(x) for x in s["clauses"]))
        for s in data["sections"]
    )
    return Document(
        council=council,
        id=str(data["document"]),
        versions=tuple(_rversion(v) for v in data["versions"]),
        title=_rpassage_required(data["title"]),
        version_table=table,
        sections=sections,
        closing=_rpassage(data["closing"]),
        numbering=numbering,
    )


def read_snapshot_file(path: Path, root: Path | None = None) -> Snapshot:
    """Read a snapshot; a file protocolc cannot read is an error naming the file and how to repair it."""
    shown = relative(path, root) if root else path.as_posix()
    repair = (
        "snapshots are written by protocolc: restore it from git (git checkout -- FILE), "
        "or write it again with 'protocolc snapshot COUNCIL/DOCUMENT --version LABEL' if the sources still hold "
        "the adopted text"
    )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a protocolc snapshot (format: 1)")
        document = document_from_data(data)
    except OSError as exc:
        raise ProtocolError(f"cannot read snapshot: {exc.strerror}", Source(shown), repair) from None
    except (yaml.YAMLError, ValueError, KeyError, TypeError, AttributeError) as exc:
        what = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise ProtocolError(f"snapshot cannot be read: {what}", Source(shown), repair) from None
    return Snapshot(path, document, data, digest(data) == data.get("digest"))


def read_snapshot(path: Path) -> Document:
    """The Document a snapshot file holds, exactly as it was resolved when snapshotted."""
    return read_snapshot_file(path).document


def labels_in(council_folder: Path, document_id: str) -> dict[str, Path]:
    """The snapshot files of a document by the version label each holds (read from the file)."""
    found: dict[str, Path] = {}
    where = folder(council_folder, document_id)
    if not where.is_dir():
        return found
    for path in sorted(where.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
            label = str(data["version"]["version"])
        except (OSError, yaml.YAMLError, KeyError, TypeError):
            label = path.stem
        found[label] = path
    return found


# --- comparing -----------------------------------------------------------------------------------


def _item_key(i: DocItem) -> tuple[Any, ...]:
    return (i.id, i.label, i.number, i.passage.markdown, tuple(_item_key(x) for x in i.items))


def _opt(p: Passage | None) -> str | None:
    return p.markdown if p else None


def text_key(doc: Document) -> tuple[Any, ...]:
    """What a reader of the document sees, without where the words came from or the version table.

    Two documents with the same key print the same words, numbers and ids (source line numbers may differ).
    """
    council = doc.council
    sections = tuple(
        (
            s.id,
            s.number,
            _opt(s.heading),
            tuple(
                (c.id, c.number, c.join, _opt(c.heading), _opt(c.text), tuple(_item_key(i) for i in c.items))
                for c in s.clauses
            ),
        )
        for s in doc.sections
    )
    facts = (council.id, council.name, council.kind, council.clerk_title, council.contact, council.county_association)
    numbering = (doc.numbering.levels, doc.numbering.punctuation)
    return (facts, doc.id, doc.title.markdown, numbering, sections, _opt(doc.closing))


def version_row(v: Version) -> tuple[Any, ...]:
    """A version as the table shows it (not where it was written)."""
    return (v.version, _date(v.adopted), v.minute, _date(v.review_by), v.approved_by, v.note)
