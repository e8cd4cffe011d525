"""The site: build/index.html lists every built council with its documents and review state.

It reads only what the builds left in each council's folder (manifest.json and the files
beside it), so it can be written after a sharded CI build has gathered every shard's output.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import ProtocolError, Source
from .model import PartialDate
from .status import OVERDUE, URGENCY, label, review_state
from .templating import Templates
from .write import write_atomic

INDEX = "index.html"
INDEX_TEMPLATE = "index.html.j2"
MANIFEST_SUFFIX = ".manifest.json"
LINKS = (
    ("HTML", "html"),
    ("PDF", "pdf"),
    ("Markdown", "md"),
    ("Changes from the model", "model-diff.html"),
    # A draft (the sources say other words than those adopted) is linked apart from the adopted text.
    ("Draft, not adopted (HTML)", "draft.html"),
    ("Draft, not adopted (PDF)", "draft.pdf"),
)
DRAFT_SUFFIX = ".draft"


@dataclass(frozen=True)
class SiteEntry:
    council_id: str
    document_id: str
    name: str
    title: str
    version: str
    adopted: str
    review_by: str
    state: str  # overdue, due, ok or 'no review date'
    links: tuple[tuple[str, str], ...]  # (label, href relative to the index)


def _british(iso: str | None) -> str:
    return PartialDate.parse(iso).british() if iso else "not recorded"


def _state(review_by: str | None, today: dt.date) -> str:
    return review_state(PartialDate.parse(review_by) if review_by else None, today)[0]


def entries(out: Path, today: dt.date) -> list[SiteEntry]:
    """Every document in `out` with a manifest, in alphabetical order of council name, then document title."""
    found = []
    for manifest_path in sorted(out.glob(f"*/*{MANIFEST_SUFFIX}")):
        folder = manifest_path.parent
        document_id = manifest_path.name.removesuffix(MANIFEST_SUFFIX)
        if document_id.endswith(DRAFT_SUFFIX):
            continue  # a draft's outputs are linked from its document's entry
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProtocolError(
                f"cannot read a council's manifest: {exc}", Source(manifest_path.as_posix()), "build the council again"
            ) from None
        names = ((text, f"{document_id}.{suffix}") for text, suffix in LINKS)
        links = tuple((text, f"{folder.name}/{name}") for text, name in names if (folder / name).is_file())
        found.append(
            SiteEntry(
                council_id=manifest["council"],
                document_id=document_id,
                name=manifest.get("name", manifest["council"]),
                title=manifest["title"],
                version=manifest["version"],
                adopted=_british(manifest.get("adopted")),
                review_by=_british(manifest.get("review_by")),
                state=_state(manifest.get("review_by"), today),
                links=links,
            )
        )
    return sorted(found, key=lambda e: (e.name.lower(), e.council_id, e.title.lower(), e.document_id))


def write_index(templates: Templates, out: Path, today: dt.date | None = None) -> Path:
    """Write out/index.html; links are relative, so it works opened from disk and from any static host."""
    day = today or dt.date.today()
    found = entries(out, day)
    states = sorted({e.state for e in found}, key=URGENCY.__getitem__)
    counts = {label(state): sum(e.state == state for e in found) for state in states}
    labels = {e.state: label(e.state) for e in found} | {OVERDUE: label(OVERDUE)}
    html = templates.render(
        True, INDEX_TEMPLATE, "the site index", entries=found, counts=counts, today=day, labels=labels
    )
    path = out / INDEX
    write_atomic(path, html.encode("utf-8"))
    return path
