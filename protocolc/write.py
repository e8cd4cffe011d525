"""Write stage: outputs land whole or not at all, and a manifest records what was written."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

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


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file of one document; called only once all of them rendered."""
    written = []
    for name, data in files.items():
        write_atomic(folder / name, data)
        written.append(folder / name)
    return written
