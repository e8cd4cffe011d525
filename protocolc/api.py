"""The library entry point: what the CLI and the tests call.

load -> resolve -> layout -> formats -> write, one document at a time, so one
council's mistake never stops the others and never damages their outputs.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from .build import DocumentResult, build_project
from .confine import check_default_output
from .errors import Problem
from .formats import NAMES
from .project import MODEL, Project, split_name
from .quick import IndexRecord

if TYPE_CHECKING:  # loaded when first used: a build found up to date needs none of them
    from .diff import Comparison
    from .model import Document
    from .workspace import Workspace

FORMATS = NAMES


def __getattr__(name: str) -> object:
    """`api.Workspace`, loaded when first asked for (it loads the library's whole pipeline)."""
    if name == "Workspace":
        from .workspace import Workspace

        return Workspace
    raise AttributeError(f"module 'protocolc.api' has no attribute {name!r}")


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
    out = out_dir if out_dir is not None else project.root / "build"
    if out_dir is None:
        check_default_output(project.root, out)
    chosen = tuple(f for f in FORMATS if f in set(formats))
    specs = list(names) if names is not None else None
    return build_project(project, specs, chosen, out, jobs=jobs, force=force, site=site, progress=progress)


def write_site(
    project: Project,
    out_dir: Path | None = None,
    today: dt.date | None = None,
    notes: list[Problem] | None = None,
    *,
    unchanged: bool = False,
) -> Path:
    """Write out_dir/index.html from what has been built there (also after a sharded build's parts are gathered).

    Outputs of councils or documents no longer in the project are left out of the index (and listed in `notes`).
    `unchanged`: a build of every council just found all of them up to date, so the index is left as it is
    when it was written from the same councils, templates and day (see quick.IndexRecord).
    """
    out = out_dir if out_dir is not None else project.root / "build"
    if out_dir is None:
        check_default_output(project.root, out)
    known = {(cid, name[:-5]) for cid in project.council_ids() for name in _yaml_names(project.councils / cid)}
    record = IndexRecord(project, out, today or dt.date.today(), known)
    if unchanged and record.current():
        return record.index
    from . import site
    from .templating import Templates

    found: list[Problem] = []
    path = site.write_index(Templates(project.templates), out, today, known, found)
    if notes is not None:
        notes += found
    if not found:  # notes are printed every time, so an index that has them is never skipped
        record.save()
    return path


def _yaml_names(folder: Path) -> list[str]:
    with os.scandir(folder) as listed:
        return [e.name for e in listed if e.name.endswith(".yaml")]


def document_at(project: Project, spec: str, stack: ExitStack) -> Document:
    """The Document named by `COUNCIL[/DOCUMENT]`, `model[/DOCUMENT]`, either with `@REVISION` (read from git)."""
    from .revisions import export, resolve_revision
    from .workspace import Workspace

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
    from . import snapshot

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
    from . import diff

    if _is_model(second) and not _is_model(first):
        first, second = second, first
    with ExitStack() as stack:
        return diff.compare(document_at(project, first, stack), document_at(project, second, stack), first, second)
