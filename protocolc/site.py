"""The site: build/index.html lists every built council with its documents and review state.

It reads only what the builds left in each council's folder (manifest.json and the files
beside it), so it can be written after a sharded CI build has gathered every shard's output.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .errors import Problem, ProtocolError, Source
from .model import PartialDate
from .project import COUNCIL_ID, DOCUMENT_ID
from .status import OVERDUE, URGENCY, SiteEntry, label, review_state
from .templating import Templates
from .write import remove_stale_temporaries, write_atomic

INDEX = "index.html"
INDEX_TEMPLATE = "index.html.j2"
MANIFEST_SUFFIX = ".manifest.json"
MAX_MANIFEST = 50_000_000  # bytes: a manifest lists clauses, a few hundred kilobytes at most
LINKS = (
    ("HTML", "html"),
    ("PDF", "pdf"),
    ("Markdown", "md"),
    ("Word", "docx"),
    ("Changes from the model", "model-diff.html"),
    # A draft (the sources say other words than those adopted) is linked apart from the adopted text.
    ("Draft, not adopted (HTML)", "draft.html"),
    ("Draft, not adopted (PDF)", "draft.pdf"),
)
DRAFT_SUFFIX = ".draft"


def _british(iso: str | None) -> str:
    return PartialDate.parse(iso).british() if iso else "not recorded"


def _state(review_by: str | None, today: dt.date) -> str:
    return review_state(PartialDate.parse(review_by) if review_by else None, today)[0]


def _date(value: object) -> str | None:
    """An ISO date from a manifest, or None when it is missing or not a date."""
    if not isinstance(value, str):
        return None
    try:
        PartialDate.parse(value)
    except ValueError:
        return None
    return value


def read_manifest(path: Path) -> dict[str, str | None] | None:
    """The fields the index shows from a manifest protocolc wrote; None for anything else (a foreign or broken file).

    Everything under build/ is untrusted: a manifest of the wrong shape is skipped, never a crash.
    """
    try:
        if path.is_symlink() or path.stat().st_size > MAX_MANIFEST:
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(manifest, dict):
        return None
    fields = {key: manifest.get(key) for key in ("council", "document", "name", "title", "version")}
    if not all(isinstance(fields[key], str) for key in ("council", "title", "version")):
        return None
    if fields["council"] != path.parent.name:
        return None
    return {
        "council": fields["council"],
        "name": fields["name"] if isinstance(fields["name"], str) else fields["council"],
        "title": fields["title"],
        "version": fields["version"],
        "adopted": _date(manifest.get("adopted")),
        "review_by": _date(manifest.get("review_by")),
    }


def entries(
    out: Path,
    today: dt.date,
    known: set[tuple[str, str]] | None = None,
    notes: list[Problem] | None = None,
) -> list[SiteEntry]:
    """Every document in `out` with a manifest, in alphabetical order of council name, then document title.

    With `known` (the project's (council, document) pairs), outputs of councils or documents that are no
    longer in the project are left out of the index and reported in `notes`; their files are not touched.
    Folders and files protocolc did not write are ignored.
    """
    found = []
    for folder, files in _listings(out):
        for manifest_name in sorted(n for n in files if n.endswith(MANIFEST_SUFFIX)):
            entry = _entry(folder, files, manifest_name, today, known, notes)
            if entry is not None:
                found.append(entry)
    return sorted(found, key=lambda e: (e.name.lower(), e.council_id, e.title.lower(), e.document_id))


def _listings(out: Path) -> list[tuple[Path, set[str]]]:
    """Each council folder of `out` (not a link, named by an id) with the names of the files in it.

    One listing per folder: at 10,000 councils, asking for each possible link's file costs more than the index.
    """
    try:
        with os.scandir(out) as listed:
            folders = sorted(
                (e for e in listed if e.is_dir(follow_symlinks=False) and COUNCIL_ID.match(e.name)),
                key=lambda e: e.name,
            )
    except OSError:
        return []
    found = []
    for entry in folders:
        try:
            with os.scandir(entry.path) as listed:
                files = {e.name for e in listed if e.is_file()}
        except OSError:
            continue
        found.append((Path(entry.path), files))
    return found


def _entry(
    folder: Path,
    files: set[str],
    manifest_name: str,
    today: dt.date,
    known: set[tuple[str, str]] | None,
    notes: list[Problem] | None,
) -> SiteEntry | None:
    """The index's row for one manifest, or None when it is a draft's, misnamed, unreadable or not in the project."""
    manifest_path = folder / manifest_name
    document_id = manifest_name.removesuffix(MANIFEST_SUFFIX)
    if document_id.endswith(DRAFT_SUFFIX) or not DOCUMENT_ID.match(document_id):
        return None  # a draft's outputs are linked from its document's entry
    manifest = read_manifest(manifest_path)
    if manifest is None:
        return None
    if known is not None and (folder.name, document_id) not in known:
        if notes is not None:
            notes.append(
                Problem(
                    f"{folder.name}/{document_id} is not a document of the project any more: left out of the index",
                    Source(manifest_path.as_posix()),
                    f"delete its files from {folder.as_posix()}/ if it is gone for good",
                    severity="warning",
                )
            )
        return None
    names = ((text, f"{document_id}.{suffix}") for text, suffix in LINKS)
    links = tuple((text, f"{folder.name}/{name}") for text, name in names if name in files)
    return SiteEntry(
        council_id=folder.name,
        document_id=document_id,
        name=manifest["name"] or folder.name,
        title=manifest["title"] or document_id,
        version=manifest["version"] or "",
        adopted=_british(manifest["adopted"]),
        review_by=_british(manifest["review_by"]),
        state=_state(manifest["review_by"], today),
        links=links,
    )


def write_index(
    templates: Templates,
    out: Path,
    today: dt.date | None = None,
    known: set[tuple[str, str]] | None = None,
    notes: list[Problem] | None = None,
) -> Path:
    """Write out/index.html; links are relative, so it works opened from disk and from any static host."""
    day = today or dt.date.today()
    found = entries(out, day, known, notes)
    states = sorted({e.state for e in found}, key=URGENCY.__getitem__)
    counts = {label(state): sum(e.state == state for e in found) for state in states}
    labels = {e.state: label(e.state) for e in found} | {OVERDUE: label(OVERDUE)}
    html = templates.render(
        True, INDEX_TEMPLATE, "the site index", entries=found, counts=counts, today=day, labels=labels
    )
    path = out / INDEX
    try:
        remove_stale_temporaries(out)
        write_atomic(path, html.encode("utf-8"))
    except OSError as exc:
        raise ProtocolError(
            f"cannot write the index: {exc.strerror}; the previous index is kept",
            Source(path.as_posix()),
            "check the output folder is writable and the disk is not full",
        ) from None
    return path
