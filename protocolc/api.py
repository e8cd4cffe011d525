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

from . import diff, site
from .build import DocumentResult, build_many
from .confine import check_default_output
from .diff import Comparison
from .errors import Problem
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
    if out_dir is None:
        check_default_output(project.root, out)
    chosen = tuple(f for f in FORMATS if f in set(formats))
    pairs = workspace.names(list(names) if names is not None else None)
    return build_many(workspace, pairs, chosen, out, jobs=jobs, force=force, site=site, progress=progress)


def write_site(
    project: Project, out_dir: Path | None = None, today: dt.date | None = None, notes: list[Problem] | None = None
) -> Path:
    """Write out_dir/index.html from what has been built there (also after a sharded build's parts are gathered).

    Outputs of councils or documents no longer in the project are left out of the index (and listed in `notes`).
    """
    out = out_dir if out_dir is not None else project.root / "build"
    if out_dir is None:
        check_default_output(project.root, out)
    known = {(cid, path.stem) for cid in project.council_ids() for path in (project.councils / cid).glob("*.yaml")}
    return site.write_index(Workspace.open(project).templates, out, today, known, notes)


def document_at(project: Project, spec: str, stack: ExitStack) -> Document:
    """The Document named by `COUNCIL[/DOCUMENT]`, `model[/DOCUMENT]`, either with `@REVISION` (read from git)."""
    name, _, rev = spec.partition("@")
    council_id, document_id = split_name(name)
    if rev:
        commit = resolve_revision(project, council_id, rev, document_id or "protocol")
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="protocolc-rev-")))
        project = export(project, commit, folder)
    workspace = Workspace.open(project)
    if council_id == MODEL:
        return workspace.model_document(document_id or "protocol")
    return workspace.document(council_id, document_id or "protocol")


def compare(project: Project, first: str, second: str) -> Comparison:
    """Compare two councils' documents, one with the model, or one with itself at a git revision."""
    with ExitStack() as stack:
        return diff.compare(document_at(project, first, stack), document_at(project, second, stack), first, second)
