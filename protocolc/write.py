"""Write stage: outputs land whole or not at all, and a manifest records what was written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import DocItem, Document


def manifest_name(document_id: str) -> str:
    """Each document's manifest sits beside its outputs: `build/hexham/protocol.manifest.json`."""
    return f"{document_id}.manifest.json"


def _item_entries(items: tuple[DocItem, ...]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for item in items:
        entries.append(
            {
                "id": item.id,
                "number": item.label,
                "origin": item.passage.origin,
                "source": item.passage.source.short,
                "words": item.passage.words,
            }
            | ({"amended": item.passage.amendment.short} if item.passage.amendment else {})
        )
        entries += _item_entries(item.items)
    return entries


def manifest(doc: Document, outputs: dict[str, bytes], inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """What a build wrote and where every clause's words came from."""
    clauses: list[dict[str, Any]] = []
    for section in doc.sections:
        for clause in section.clauses:
            words = sum(p.words for p in (clause.heading, clause.text) if p)
            amended = next((p.amendment for p in (clause.heading, clause.text) if p and p.amendment), None)
            clauses.append(
                {
                    "id": clause.id,
                    "number": clause.number,
                    "origin": clause.origin,
                    "source": clause.source.short,
                    "words": words,
                }
                | ({"amended": amended.short} if amended else {})
            )
            clauses += _item_entries(clause.items)
    current = doc.current
    return {
        "council": doc.council.id,
        "document": doc.id,
        "name": doc.council.name,
        "title": doc.title.markdown,
        "version": current.version,
        "adopted": current.adopted.iso() if current.adopted else None,
        "review_by": current.review_by.iso() if current.review_by else None,
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
        "inputs": inputs,
        "clauses": clauses,
    }


def manifest_bytes(doc: Document, outputs: dict[str, bytes], inputs: dict[str, str] | None = None) -> bytes:
    return (json.dumps(manifest(doc, outputs, inputs), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


TEMP_SUFFIX = ".tmp"


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`: `.protocol.html.<random>.tmp`, removed by the next build if left."""
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    write_set(path.parent, {path.name: data})


class WriteError(OSError):
    """Writing a set of files failed; nothing of the set was changed. `filename` is the file that failed."""


def write_set(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write several files so that they change together or not at all.

    Every file is written to a temporary file beside its target first; only when all of them are
    written are they renamed into place. If a rename fails part-way, the files already replaced are
    put back from hard links of the previous versions, so the previous set stays whole. No temporary
    file is left behind either way.
    """
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / name for name in files]
    temps: dict[Path, str] = {}
    backups: dict[Path, str] = {}
    replaced: list[Path] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            if target.is_dir() and not target.is_symlink():
                raise WriteError(21, "a folder is in the way", str(target))
            fd, tmp = _temporary(target)
            temps[target] = tmp
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            except OSError as exc:
                raise WriteError(exc.errno or 0, exc.strerror or str(exc), str(target)) from None
            os.chmod(tmp, 0o644)
        for target in targets:
            if target.is_file() and not target.is_symlink():
                fd, backup = _temporary(target)
                os.close(fd)
                os.unlink(backup)
                try:
                    os.link(target, backup)
                    backups[target] = backup
                except OSError:
                    pass  # no hard links here: that file cannot be put back if a later rename fails
        for target in targets:
            try:
                os.replace(temps[target], target)
            except OSError as exc:
                raise WriteError(exc.errno or 0, exc.strerror or str(exc), str(target)) from None
            del temps[target]
            replaced.append(target)
    except BaseException:
        for target in reversed(replaced):
            if target in backups:
                with contextlib.suppress(OSError):
                    os.replace(backups.pop(target), target)
        raise
    finally:
        for leftover in (*temps.values(), *backups.values()):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
    return targets


def write_outputs(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file of one document together: all of them change, or none does."""
    return write_set(folder, files)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Temporary files a killed build left in a folder (`.protocol.pdf.x8d2k.tmp`): removed before writing."""
    removed = []
    try:
        candidates = list(folder.glob(f".*{TEMP_SUFFIX}"))
    except OSError:
        return []
    for path in candidates:
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
