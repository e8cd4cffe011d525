"""The library entry point: what the CLI and the tests call.

load -> resolve -> layout -> formats -> write, one document at a time, so one
council's mistake never stops the others and never damages their outputs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from . import diff, site, snapshot
from .build import DocumentResult, build_many
from .diff import Comparison
from .formats import NAMES
from .model import Document
from .project import Project, split_name
from .resolve import MODEL
from .revisions import export, resolve_revision
from .workspace import Workspace

FORMATS = NAMES

__all__ = ["FORMATS", "MODEL", "Workspace", "build", "compare", "document_at", "write_site"]


def build(
    project: Project,
    names: Iterable[str] | None,
    formats: Iterable[str] = FORMATS,
    out_dir: Path | None = None,
    *,
    jobs: int = 1,
    force: bool = False,
    site: bool = False,
    progress: Callable[[DocumentResult], None] | None = None,
) -> list[DocumentResult]:
    """Build documents ('hexham' for all of Hexham's, 'hexham/protocol' for one; None for every council's).

    Each goes to out_dir/<council>/<document>.<format>, skipping those already up to date (unless force).
    A document that fails keeps its previous outputs and the others still build; with jobs > 1 documents
    are built in worker processes, with the same outputs and results as jobs=1. With site=True each document
    also gets its page of changes from the model (see write_site for the index).
    """
    workspace = Workspace.open(project)
    out = out_dir if out_dir is not None else project.root / "build"
    chosen = tuple(f for f in FORMATS if f in set(formats))
    pairs = workspace.names(list(names) if names is not None else None)
    return build_many(workspace, pairs, chosen, out, jobs=jobs, force=force, site=site, progress=progress)


def write_site(project: Project, out_dir: Path | None = None, today: dt.date | None = None) -> Path:
    """Write out_dir/index.html from what has been built there (also after a sharded build's parts are gathered)."""
    out = out_dir if out_dir is not None else project.root / "build"
    return site.write_index(Workspace.open(project).templates, out, today)


def document_at(project: Project, spec: str, stack: ExitStack) -> Document:
    """The Document named by `COUNCIL[/DOCUMENT]`, `model[/DOCUMENT]`, either with `@REVISION` (read from git)."""
    name, _, rev = spec.partition("@")
    council_id, document_id = split_name(name)
    if rev and council_id != MODEL:
        adopted = adopted_version(project, council_id, document_id or "protocol", rev)
        if adopted is not None:
            return adopted
    if rev:
        commit = resolve_revision(project, council_id, rev, document_id or "protocol")
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="protocolc-rev-")))
        project = export(project, commit, folder)
    workspace = Workspace.open(project)
    if council_id == MODEL:
        return workspace.model_document(document_id or "protocol")
    return workspace.document(council_id, document_id or "protocol")


def adopted_version(project: Project, council_id: str, document_id: str, rev: str) -> Document | None:
    """The adopted snapshot of version `rev` ('1.0' or 'v1.0'), when one was recorded; None: not a version label."""
    folder = project.council_folder(council_id)
    found = snapshot.labels_in(folder, document_id)
    label = rev if rev in found else rev[1:] if rev[:1] in "vV" and rev[1:] in found else None
    if label is None:
        return None
    return snapshot.read_snapshot_file(found[label], project.root).document


def _is_model(spec: str) -> bool:
    return spec.partition("@")[0].partition("/")[0] == MODEL


def compare(project: Project, first: str, second: str) -> Comparison:
    """Compare two councils' documents, one with the model, or one with itself at a git revision or version.

    Against the model, the model is always the first side, so a council's own clauses read as additions
    and the model text it left out as omissions, whichever way round the two were named.
    """
    if _is_model(second) and not _is_model(first):
        first, second = second, first
    with ExitStack() as stack:
        return diff.compare(document_at(project, first, stack), document_at(project, second, stack), first, second)
