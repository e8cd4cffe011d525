"""Adopted text versus draft text: which text of a document is published, and recording an adoption.

A document's published text is its latest adopted snapshot (see snapshot.py). When its sources resolve
to other words, what they resolve to is a draft: built beside it as `<document>.draft.*`, marked
"Draft: not adopted", with the proposed version in its version table. `protocolc adopt` records a
meeting's adoption: the version entry in the document's YAML (comments and layout kept) and the snapshot.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import diff, snapshot
from .errors import Problem, ProtocolError, Source, relative
from .model import LIBRARY, CouncilDocument, DocItem, Document, PartialDate, Version
from .quick import build_date as build_date  # the day drafts are built on
from .resolve import MODEL, resolve
from .workspace import Workspace

DRAFT_SUFFIX = ".draft"


def british(day: dt.date) -> str:
    return PartialDate(day.year, day.month, day.day).british()


# --- which text is published ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseChange:
    """One clause (or heading or item) whose words differ between the adopted text and the draft."""

    id: str
    number: str | None
    status: str  # diff.REWORDED, diff.ONLY_FIRST (left out of the draft), diff.ONLY_SECOND (new in the draft)
    source: Source  # where the draft's words come from (for a removal: where the adopted words came from)
    origin: str
    redline: tuple[diff.Change, ...] = ()

    @property
    def where(self) -> str:
        return "the library" if self.origin == LIBRARY else "the council's own file"


@dataclass(frozen=True)
class Publication:
    """What a document publishes: the adopted text, and the draft when the sources say something else."""

    current: Document  # resolved from the sources now
    adopted: Document | None  # the latest version's snapshot, if there is one
    snapshot_path: Path | None

    @property
    def is_draft(self) -> bool:
        """The sources resolve to other words than those adopted (or the document was never adopted)."""
        if self.adopted is None:
            return not self.current.versions
        return snapshot.text_key(self.adopted) != snapshot.text_key(self.current)

    @property
    def published(self) -> Document:
        """What `<document>.*` shows: the adopted snapshot, or the sources when there is none."""
        return self.adopted if self.adopted is not None else self.current

    def changes(self) -> list[ClauseChange]:
        if self.adopted is None:
            return []
        return clause_changes(self.adopted, self.current)


def _origins(doc: Document) -> dict[tuple[str, str], tuple[Source, str, str | None]]:
    found: dict[tuple[str, str], tuple[Source, str, str | None]] = {}

    def items(all_items: tuple[DocItem, ...]) -> None:
        for i in all_items:
            found[("item", i.id)] = (i.passage.source, i.passage.origin, i.number or i.label)
            items(i.items)

    for s in doc.sections:
        if s.heading:
            found[("heading", s.id)] = (s.heading.source, s.heading.origin, s.number)
        for c in s.clauses:
            found[("clause", c.id)] = (c.source, c.origin, c.number)
            items(c.items)
    return found


def clause_changes(adopted: Document, current: Document) -> list[ClauseChange]:
    """Every clause, heading or item whose words differ, with where the draft's words were written."""
    comparison = diff.compare(adopted, current, "adopted", "draft")
    before, after = _origins(adopted), _origins(current)
    out: list[ClauseChange] = []
    for entry in comparison.entries:
        if entry.status not in (diff.REWORDED, diff.ONLY_FIRST, diff.ONLY_SECOND):
            continue
        unit = entry.second or entry.first
        assert unit is not None
        key = (unit.kind, unit.id)
        source, origin, number = after.get(key) or before.get(key) or (Source(""), "", None)
        out.append(ClauseChange(unit.id, number, entry.status, source, origin, entry.redline))
    return out


def latest_snapshot(workspace: Workspace, council_id: str, document_id: str) -> snapshot.Snapshot | None:
    """The snapshot of the document's latest version in its YAML, if one was recorded."""
    return _snapshot_of(workspace, council_id, document_id, workspace.source(council_id, document_id, []))


def _snapshot_of(
    workspace: Workspace, council_id: str, document_id: str, source: CouncilDocument
) -> snapshot.Snapshot | None:
    """The snapshot of the latest version `source` records, if one was written."""
    if not source.versions:
        return None
    label = source.versions[-1].version
    path = snapshot.path_for(workspace.project.council_folder(council_id), document_id, label)
    if not path.is_file():
        return None
    return snapshot.read_snapshot_file(path, workspace.project.root)


def publication(
    workspace: Workspace, council_id: str, document_id: str, warnings: list[Problem] | None = None
) -> Publication:
    if council_id == MODEL:
        current = workspace.document(council_id, document_id, warnings)
        found = latest_snapshot(workspace, council_id, document_id)
    else:  # the document's file is read once, for the text and for the version whose snapshot is published
        current, source = workspace.resolved(council_id, document_id, warnings)
        found = _snapshot_of(workspace, council_id, document_id, source)
    return Publication(current, found.document if found else None, found.path if found else None)


def next_label(label: str | None) -> str | None:
    """The version after `label`: 1.0 -> 1.1, 3 -> 4, none yet -> 1.0; None when it cannot be guessed."""
    if label is None:
        return "1.0"
    m = re.fullmatch(r"(.*?)(\d+)", label)
    if m and re.fullmatch(r"[vV]?(\d+\.)*", m[1]):
        return f"{m[1]}{int(m[2]) + 1}"
    return None


def draft_document(workspace: Workspace, council_id: str, document_id: str) -> Document:
    """The draft as built: the sources' text with the proposed version in the table as not yet adopted."""
    source = workspace.source(council_id, document_id, [])
    last = source.versions[-1].version if source.versions else None
    proposed = Version(next_label(last) or "next", None, source.source, note="draft: not yet adopted")
    council = workspace.council(council_id, [])
    changed = replace(source, versions=(*source.versions, proposed))
    return resolve(workspace.library, council, changed, workspace.env)


# --- check -------------------------------------------------------------------------------------------


def snapshot_problems(workspace: Workspace, council_id: str, document_id: str) -> list[Problem]:
    """Snapshots edited by hand, snapshots that disagree with the versions in the YAML, versions without one."""
    problems: list[Problem] = []
    root = workspace.project.root
    source = workspace.source(council_id, document_id, [])
    council_folder = workspace.project.council_folder(council_id)
    files = snapshot.labels_in(council_folder, document_id)
    by_label = {v.version: v for v in source.versions}
    repair = "restore it from git (git checkout -- FILE), or re-record it with 'protocolc snapshot'"
    for label, path in files.items():
        shown = relative(path, root)
        try:
            snap = snapshot.read_snapshot_file(path, root)
        except ProtocolError as exc:
            problems.extend(exc.problems)
            continue
        digest_line = _line_of(path, "digest:")
        if not snap.intact:
            problems.append(
                Problem(
                    "this adopted snapshot was edited by hand: its digest does not match its content",
                    Source(shown, digest_line),
                    f"snapshots record what a meeting adopted and are written only by protocolc; {repair}",
                )
            )
        version = by_label.get(label)
        if version is None:
            problems.append(
                Problem(
                    f"snapshot of version '{label}', which is not in the versions of {source.source.path}",
                    Source(shown, _line_of(path, "version:")),
                    "delete the snapshot if that adoption never happened, or add the version entry "
                    "(protocolc adopt writes both)",
                )
            )
            continue
        earlier = [v for v in snap.document.versions[:-1] if v.version not in by_label]
        if earlier:
            problems.append(
                Problem(
                    f"snapshot of version '{label}' lists earlier versions the YAML does not: "
                    + ", ".join(v.version for v in earlier),
                    Source(shown, _line_of(path, "versions:")),
                    f"versions are never removed once adopted: restore them in {source.source.path}, or {repair}",
                )
            )
        if snapshot.version_row(snap.document.current) != snapshot.version_row(version):
            got, want = snapshot.version_row(snap.document.current), snapshot.version_row(version)
            fields = ("version", "adopted", "minute", "review_by", "approved_by", "note")
            differ = [f"{f}: snapshot {a!r}, YAML {b!r}" for f, a, b in zip(fields, got, want, strict=True) if a != b]
            problems.append(
                Problem(
                    f"snapshot of version '{label}' does not match its version entry ({'; '.join(differ)})",
                    Source(shown, _line_of(path, "version:")),
                    f"correct the version entry at {version.source} if the snapshot is right, otherwise {repair}",
                )
            )
    if source.versions and source.versions[-1].version not in files:
        last = source.versions[-1]
        problems.append(
            Problem(
                f"version '{last.version}' of {council_id}/{document_id} has no adopted snapshot, so a change to "
                "the library will silently change its published text",
                last.source,
                f"record it with 'protocolc snapshot {council_id}/{document_id}' if the sources hold the adopted "
                f"text (or 'protocolc adopt {council_id}/{document_id} ...' for a new adoption)",
                severity="warning",
            )
        )
    return problems


def _line_of(path: Path, key: str) -> int:
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(key):
                return n
    except OSError:
        pass
    return 0


# --- recording snapshots and adoptions -------------------------------------------------------------


def write_snapshot(workspace: Workspace, council_id: str, document_id: str, label: str | None = None) -> Path:
    """Record the sources' current text as the snapshot of a version already in the YAML (the latest by default)."""
    source = workspace.source(council_id, document_id)
    if not source.versions:
        raise ProtocolError(
            f"{council_id}/{document_id} has no versions to snapshot",
            source.source,
            f"record an adoption with 'protocolc adopt {council_id}/{document_id} --minute M --date YYYY-MM-DD'",
        )
    labels = [v.version for v in source.versions]
    label = label or labels[-1]
    if label not in labels:
        raise ProtocolError(
            f"{council_id}/{document_id} has no version '{label}'",
            source.source,
            f"its versions: {', '.join(labels)}",
        )
    council = workspace.council(council_id)
    upto = replace(source, versions=source.versions[: labels.index(label) + 1])
    doc = resolve(workspace.library, council, upto, workspace.env)
    path = snapshot.path_for(workspace.project.council_folder(council_id), document_id, label)
    from .write import write_atomic

    write_atomic(path, snapshot.snapshot_text(doc).encode("utf-8"))
    return path


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    return y


def _before(a: PartialDate, b: PartialDate) -> bool:
    """a is before b, comparing days only when both give one ('2020-12' is not before '2020-12-05')."""
    if (a.year, a.month) != (b.year, b.month):
        return (a.year, a.month) < (b.year, b.month)
    return a.day is not None and b.day is not None and a.day < b.day


@dataclass(frozen=True)
class Adoption:
    council_id: str
    document_id: str
    version: str
    yaml_path: Path
    snapshot_path: Path


def adopt(
    workspace: Workspace,
    council_id: str,
    document_id: str,
    *,
    minute: str,
    date: str,
    version: str | None = None,
    review_by: str | None = None,
    approved_by: str | None = None,
    between: Callable[[], None] | None = None,
) -> Adoption:
    """Record an adoption: the version entry in the document's YAML and the snapshot, or nothing at all.

    The snapshot is renamed into place first and the YAML last, so an interruption leaves the old state
    (a stray snapshot of a version the YAML does not list is reported by check and overwritten by a retry).
    `between` runs after the snapshot is in place and before the YAML is (tests inject a failure there).
    """
    yaml_path = workspace.project.document_path(council_id, document_id)
    shown = relative(yaml_path, workspace.project.root)
    workspace.document(council_id, document_id)  # errors refuse the adoption before anything is written
    source = workspace.source(council_id, document_id)
    try:
        adopted_on = PartialDate.parse(date)
    except ValueError:
        raise ProtocolError(f"--date '{date}' is not a date", hint="give it as YYYY-MM-DD, e.g. 2026-11-25") from None
    review = None
    if review_by:
        try:
            review = PartialDate.parse(review_by)
        except ValueError:
            raise ProtocolError(
                f"--review-by '{review_by}' is not a date", hint="give it as YYYY-MM or YYYY-MM-DD, e.g. 2029-11"
            ) from None
        if not _before(adopted_on, review):
            raise ProtocolError(f"--review-by {review_by} is not after --date {date}", hint="review after adopting")
    last = source.versions[-1] if source.versions else None
    if last and last.adopted and _before(adopted_on, last.adopted):
        raise ProtocolError(
            f"{date} is before the last adoption of {council_id}/{document_id} "
            f"(version {last.version}, {last.adopted.british()})",
            last.source,
            "give the date of the meeting that adopted this version",
        )
    label = version or next_label(last.version if last else None)
    if label is None:
        raise ProtocolError(
            f"cannot tell what comes after version '{last.version if last else ''}'",
            last.source if last else None,
            "give the new version's label with --version, e.g. --version 101/26",
        )
    if any(v.version == label for v in source.versions):
        raise ProtocolError(
            f"version '{label}' of {council_id}/{document_id} is already recorded",
            next(v.source for v in source.versions if v.version == label),
            "give a new label with --version",
        )
    # The YAML with the new entry, written so that comments, order and layout stay as they were.
    y = _yaml()
    text = yaml_path.read_text(encoding="utf-8")
    data = y.load(text)
    entry: dict[str, Any] = {"version": label, "adopted": date, "minute": minute}
    if review_by:
        entry["review_by"] = review_by
    if approved_by:
        entry["approved_by"] = approved_by
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, PlainScalarString

    row = CommentedMap()
    for key, value in entry.items():
        if key in ("adopted", "review_by"):
            day = PartialDate.parse(value)  # written as the files write dates: adopted: 2026-11-25
            row[key] = dt.date(day.year, day.month, day.day) if day.day else PlainScalarString(value)
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9 .-]*", value):
            row[key] = value
        else:
            row[key] = DoubleQuotedScalarString(value)  # "1.1", "123/26": strings, as the files quote them
    versions = data.get("versions")
    if versions is None:
        data["versions"] = versions = CommentedSeq()
    if hasattr(versions, "fa"):
        versions.fa.set_block_style()  # `versions: []` becomes a block list, as the other files write it
    _move_trailing_blank_lines(versions, row)
    versions.append(row)
    out = io.StringIO()
    y.dump(data, out)
    new_text = out.getvalue()
    # Resolve the new YAML as it will be read, so the snapshot's sources are the lines it will have.
    with tempfile.TemporaryDirectory(prefix="protocolc-adopt-") as tmp:
        staged = Path(tmp) / relative(yaml_path, workspace.project.root)
        staged.parent.mkdir(parents=True)
        staged.write_text(new_text, encoding="utf-8")
        from .load import load_document

        new_source = load_document(staged, Path(tmp), workspace.library, [])
    if new_source.versions[-1].version != label:
        raise ProtocolError(f"could not add the version entry to {shown}", Source(shown), "add it by hand")
    doc = resolve(workspace.library, workspace.council(council_id), new_source, workspace.env)
    snap_path = snapshot.path_for(workspace.project.council_folder(council_id), document_id, label)
    snap_tmp = _temp_beside(snap_path, snapshot.snapshot_text(doc))
    yaml_tmp = _temp_beside(yaml_path, new_text)
    try:
        os.replace(snap_tmp, snap_path)
        try:
            if between is not None:
                between()
            os.replace(yaml_tmp, yaml_path)
        except BaseException:
            snap_path.unlink(missing_ok=True)  # the label is new, so no earlier snapshot is lost
            raise
    finally:
        for leftover in (snap_tmp, yaml_tmp):
            leftover.unlink(missing_ok=True)
    return Adoption(council_id, document_id, label, yaml_path, snap_path)


def _move_trailing_blank_lines(versions: Any, row: Any) -> None:
    """Blank lines after the last version belong after the new last one, so `sections:` keeps its spacing."""
    if not versions or not hasattr(versions[-1], "ca"):
        return
    previous = versions[-1]
    last_key = list(previous)[-1] if len(previous) else None
    token = previous.ca.items.get(last_key) if last_key is not None else None
    if not token or len(token) < 3 or token[2] is None or token[2].value.strip():
        return
    new_last = list(row)[-1]
    row.ca.items[new_last] = [None, None, token[2], None]
    token[2] = None


def _temp_beside(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))
    os.chmod(name, 0o644)
    return Path(name)
