"""Building many documents: skip what is up to date, and spread the rest over worker processes.

A document is up to date when its manifest records, for every format asked for,
the same inputs key, and every output it lists is still there with the recorded
sha256. Each format has its own key, covering all that decides its output: the
whole resolved Document (so exactly the library clauses the council prints, its
facts, terms and versions), the templates the format reads, the fonts the PDF
embeds, and the versions of protocolc and what renders. Only the formats whose
key changed (or whose file was touched) are rendered again.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .confine import check_write, is_inside
from .errors import Problem, ProtocolError, Source, relative
from .formats import FORMATS, filename
from .project import Project
from .quick import QuickCheck, build_date, environment_key, fonts_key, format_templates
from .write import manifest_name, remove_files, remove_stale_temporaries, write_outputs

if TYPE_CHECKING:  # a build found up to date by the first check loads none of these
    from concurrent.futures import ProcessPoolExecutor
    from hashlib import _Hash as Hash

    from .model import Document
    from .workspace import Workspace

BUILT, UP_TO_DATE, FAILED = "built", "up to date", "failed"
STATES = (BUILT, UP_TO_DATE, FAILED)


@dataclass(frozen=True)
class DocumentResult:
    """What building one document did, with the problems that stopped it and the warnings it carries."""

    council_id: str
    document_id: str
    state: str
    written: tuple[Path, ...] = ()
    error: ProtocolError | None = None
    warnings: tuple[Problem, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.council_id}/{self.document_id}"


def fingerprint(doc: Document) -> str:
    """The whole resolved Document: templates see nothing else, so nothing else can change the outputs.

    Its repr is the same in every process: no field that is printed holds a set (whose order changes
    with Python's string hashing from one process to the next).
    """
    return repr(doc)


def inputs_keys(
    doc: Document,
    formats: tuple[str, ...],
    workspace: Workspace,
    draft: str | None = None,
    printed: str = "",
    head: Hash | None = None,
) -> dict[str, str]:
    """A hash per format of everything its output depends on: the document, the templates it reads, the fonts.

    One key per format, so editing the Markdown template re-renders the Markdown and nothing else.
    `printed` is the document's fingerprint when the caller has it already, and `head` a sha256 fed with it
    (see `hashed`): the fingerprint is long, so it is encoded and hashed once for every key that starts with it.
    """
    keys: dict[str, str] = {}
    if head is None:
        head = hashed(printed or fingerprint(doc))
    for name in formats:
        fmt = FORMATS[name]
        parts = [name, environment_key(), workspace.templates.digest(format_templates(name))]
        if draft is not None:
            parts.append(f"draft built {draft}")
        if fmt.needs_fonts:
            parts.append(fonts_key())
        digest = head.copy()  # sha256(printed + "\0" + name + "\0" + ...): the same bytes, fed in two goes
        digest.update(b"\0" + b"".join(part.encode("utf-8") + b"\0" for part in parts))
        keys[name] = digest.hexdigest()
    return keys


def hashed(printed: str) -> Hash:
    """A sha256 fed with a document's fingerprint, to be copied and fed the rest of each key made from it."""
    return hashlib.sha256(printed.encode("utf-8"))


def stale_formats(folder: Path, document_id: str, keys: dict[str, str]) -> tuple[str, ...] | None:
    """The formats whose output in `folder` was built from other inputs, or touched since; None: all up to date.

    An empty tuple means every output is current but the manifest lists other formats: only it is rewritten.
    """
    try:
        manifest = json.loads((folder / manifest_name(document_id)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return tuple(keys)
    if not isinstance(manifest, dict):
        return tuple(keys)
    outputs, recorded = manifest.get("outputs"), manifest.get("inputs")
    if not isinstance(outputs, dict) or not isinstance(recorded, dict):
        return tuple(keys)
    stale = []
    for name, key in keys.items():
        output = filename(document_id, name)
        try:  # an output replaced by a link is not read (it may point anywhere): it is written again
            path = folder / output
            current = not path.is_symlink() and hashlib.sha256(path.read_bytes()).hexdigest() == outputs.get(output)
        except OSError:
            current = False
        if recorded.get(name) != key or not current:
            stale.append(name)
    if stale or set(outputs) != {filename(document_id, f) for f in keys}:
        return tuple(stale)
    return None


def model_diff_name(document_id: str) -> str:
    """The site's page of a document's changes from the model: `build/hexham/protocol.model-diff.html`."""
    return f"{document_id}.model-diff.html"


def write_model_diff(
    workspace: Workspace, doc: Document, folder: Path, force: bool, printed: str = "", head: Hash | None = None
) -> Path | None:
    """The site's page of how a council departs from the model, rewritten only when either side changed.

    It is not one of the council's outputs: a library change alters the model side of every council's
    page, and that must not make every council's documents rebuild. `head`: as for `inputs_keys`.
    """
    from . import diff_format

    model = workspace.model_document(doc.id)
    if doc.id not in workspace.fingerprints:  # the model is the same for every council: printed once
        workspace.fingerprints[doc.id] = fingerprint(model)
    model_printed = workspace.fingerprints[doc.id]
    digest = (head or hashed(printed or fingerprint(doc))).copy()  # sha256 of printed + model_printed + environment
    digest.update((model_printed + environment_key()).encode("utf-8"))
    key = digest.hexdigest()
    stamp = f"<!-- protocolc model-diff {key} -->\n"  # after the doctype: a comment before it means quirks mode
    path = folder / model_diff_name(doc.id)
    if not force:
        try:
            with path.open(encoding="utf-8") as handle:
                if handle.readline().startswith("<!DOCTYPE") and handle.readline() == stamp:
                    return None
        except OSError:
            pass
    # The model first: the council's own clauses read as additions, the model text it left out as omissions.
    comparison = workspace.comparer.compare(model, doc, "the model (clause library)", doc.council.name)
    doctype, _, rest = diff_format.to_html(comparison).partition("\n")
    return write_outputs(folder, {path.name: f"{doctype}\n{stamp}{rest}".encode()})[0]


def build_one(
    workspace: Workspace,
    council_id: str,
    document_id: str,
    formats: tuple[str, ...],
    out: Path,
    force: bool,
    site: bool = False,
) -> DocumentResult:
    """Resolve, and unless up to date render and write, one document; every failure becomes a result.

    For a site (`build --all`), the document's page of differences from the model is kept up to date too.
    """
    from . import adoption

    warnings: list[Problem] = []
    try:
        found = adoption.publication(workspace, council_id, document_id, warnings)
        doc = found.published
        # Never adopted: the sources' text is all there is, published as `<document>.*` but marked as a draft.
        mark = adoption.british(build_date()) if found.adopted is None and not doc.versions else None
        folder = out / council_id
        check_write(folder / manifest_name(document_id), out)
        printed = fingerprint(doc)
        head = hashed(printed)  # every key of this document starts with its fingerprint: encoded and hashed once
        extra = write_model_diff(workspace, doc, folder, force, printed, head) if site and "html" in formats else None
        failed: dict[str, tuple[str, ProtocolError]] = {}
        written = _render_stale(workspace, doc, document_id, formats, folder, force, mark, failed, printed, head)
        draft_stem = document_id + adoption.DRAFT_SUFFIX
        if found.adopted is not None and found.is_draft:
            draft = adoption.draft_document(workspace, council_id, document_id)
            built_on = adoption.british(build_date())
            written += _render_stale(workspace, draft, draft_stem, formats, folder, force, built_on, failed)
        else:
            _remove_outputs(folder, draft_stem)  # adopted since: a stale draft must not stay on the site
        written += (extra,) if extra else ()
        if failed:  # e.g. the PDF without Pango: the other formats are written, the failure is located at its file
            root = workspace.project.root
            problems = [
                replace(problem, source=problem.source or Source(relative(folder / name, root)))
                for name, exc in failed.values()
                for problem in exc.problems
            ]
            return DocumentResult(council_id, document_id, FAILED, written, ProtocolError(problems), tuple(warnings))
        state = BUILT if written and (written != (extra,)) else UP_TO_DATE
        return DocumentResult(council_id, document_id, state, written, warnings=tuple(warnings))
    except ProtocolError as exc:
        return DocumentResult(council_id, document_id, FAILED, error=exc, warnings=tuple(warnings))
    except OSError as exc:
        error = ProtocolError(
            f"cannot write outputs: {exc.strerror}; the previous outputs are kept as they were",
            Source(str(exc.filename or out)),
            "check the output folder is writable and the disk is not full, then build again",
        )
        return DocumentResult(council_id, document_id, FAILED, error=error, warnings=tuple(warnings))


def _render_stale(
    workspace: Workspace,
    doc: Document,
    stem: str,
    formats: tuple[str, ...],
    folder: Path,
    force: bool,
    draft: str | None,
    failed: dict[str, tuple[str, ProtocolError]],
    printed: str = "",
    head: Hash | None = None,
) -> tuple[Path, ...]:
    """Render and write the formats of one set of outputs (`<stem>.*`) that are not up to date.

    A format that cannot be rendered is recorded in `failed` (by file name) and the others are still written.
    """
    keys = inputs_keys(doc, formats, workspace, draft, printed, head)
    stale = formats if force else stale_formats(folder, stem, keys)
    if stale is None:
        return ()
    kept = {filename(stem, f): (folder / filename(stem, f)).read_bytes() for f in formats if f not in stale}
    failures: dict[str, ProtocolError] = {}
    files = workspace.render(doc, stale, inputs=keys, kept=kept, stem=stem, draft=draft, failed=failures)
    for name, exc in failures.items():
        failed[f"{stem}.{name}"] = (filename(stem, name), exc)
    return tuple(write_outputs(folder, files))


def _remove_outputs(folder: Path, stem: str) -> None:
    remove_files(folder, [manifest_name(stem), *(filename(stem, f) for f in FORMATS)])


# --- worker processes ---------------------------------------------------------------------------------
# Each worker loads the library and templates once and keeps them for every council it builds: starting
# a process and importing WeasyPrint cost more than rendering a council, so workers live for the whole build.

_worker_workspace: Workspace | None = None  # set in the parent just before forking; loaded afresh when spawned


def _die_with_parent(parent: int) -> None:
    """A worker ends when the build that started it ends, however it ends (killed, Ctrl+C, out of memory)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(root: str, parent: int | None = None) -> None:
    from .workspace import Workspace

    global _worker_workspace
    if parent is not None:
        _die_with_parent(parent)
    if _worker_workspace is None or str(_worker_workspace.project.root) != root:
        _worker_workspace = Workspace.open(Project(Path(root)))


def _work(args: tuple[str, str, tuple[str, ...], str, bool, bool]) -> DocumentResult:
    council_id, document_id, formats, out, force, site = args
    assert _worker_workspace is not None
    return build_one(_worker_workspace, council_id, document_id, formats, Path(out), force, site)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def build_many(
    workspace: Workspace,
    names: list[tuple[str, str]],
    formats: tuple[str, ...],
    out: Path,
    *,
    jobs: int = 1,
    force: bool = False,
    site: bool = False,
    progress: Callable[[DocumentResult], None] | None = None,
    fresh: frozenset[tuple[str, str]] = frozenset(),
) -> list[DocumentResult]:
    """Build (council, document) pairs in order; with jobs > 1 in worker processes, results in the order asked for.

    Pairs in `fresh` were found current by the first check (quick.py) and are reported up to date unbuilt;
    worker processes are started only when more than one document is left to build.
    """
    notify = progress or (lambda result: None)
    todo = [pair for pair in names if pair not in fresh]
    for folder in _council_folders(out, {council_id for council_id, _ in todo}):
        remove_stale_temporaries(folder)  # what a killed build left half-written
    if jobs <= 1 or len(todo) <= 1:
        built = (build_one(workspace, c, d, formats, out, force, site) for c, d in todo)
        return _in_order(names, fresh, built, notify)
    if "pdf" in formats:
        from .formats import pdf

        with contextlib.suppress(ProtocolError):  # imported once here, so forked workers start warm
            pdf.load_weasyprint()
        fonts_key()  # asked once here, so forked workers know the answer
    workspace.templates.compile(tuple(t for f in formats for t in format_templates(f)))  # shared by forked workers
    tasks = [(cid, did, formats, str(out), force, site) for cid, did in todo]
    with _workers(workspace, jobs, len(todo)) as (pool, chunk):
        return _in_order(names, fresh, pool.map(_work, tasks, chunksize=chunk), notify)


def _council_folders(out: Path, council_ids: set[str]) -> list[Path]:
    """The folders of `out` these councils already have, in order; a link among them only if it stays inside `out`.

    One listing of `out`: asking each of 10,000 councils' folders where it really is took half a second.
    """
    try:
        with os.scandir(out) as listed:
            found = {e.name: e.is_symlink() for e in listed if e.name in council_ids and e.is_dir()}
    except OSError:
        return []
    folders = [out / name for name in sorted(found)]
    return [folder for folder in folders if not found[folder.name] or is_inside(folder, out)]


@contextlib.contextmanager
def _workers(workspace: Workspace, jobs: int, count: int) -> Iterator[tuple[ProcessPoolExecutor, int]]:
    """A pool of worker processes for `count` tasks, each starting from this workspace, and a chunk size."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    workers = min(jobs, count)
    global _worker_workspace
    _worker_workspace = workspace  # forked workers start with it, library loaded
    try:
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(str(workspace.project.root), os.getpid())
        ) as pool:
            yield pool, max(1, min(16, count // (workers * 8)))
    finally:
        _worker_workspace = None


def _in_order(
    names: list[tuple[str, str]],
    fresh: frozenset[tuple[str, str]],
    built: Iterator[DocumentResult],
    notify: Callable[[DocumentResult], None],
) -> list[DocumentResult]:
    results = []
    for council_id, document_id in names:
        if (council_id, document_id) in fresh:
            results.append(DocumentResult(council_id, document_id, UP_TO_DATE))
        else:
            results.append(next(built))
        notify(results[-1])
    return results


def build_project(
    project: Project,
    specs: list[str] | None,
    formats: tuple[str, ...],
    out: Path,
    *,
    jobs: int = 1,
    force: bool = False,
    site: bool = False,
    progress: Callable[[DocumentResult], None] | None = None,
) -> list[DocumentResult]:
    """Build the documents named ('hexham', 'hexham/protocol'; None: every one), skipping those up to date.

    The first check (quick.py) looks only at the raw files: when it vouches for every document, the
    library is not even loaded. Whatever it cannot vouch for is checked and built the thorough way.
    Each council file is read where its documents are built (in the workers): a broken one fails its
    own documents, and the other councils still build.
    """
    quick = QuickCheck(project, out, formats, site, build_date().isoformat())
    pairs = quick.names(specs)
    keys = {pair: quick.keys(*pair) for pair in pairs or ()}
    fresh = frozenset() if force else frozenset(p for p in pairs or () if quick.fresh(*p, keys[p]))
    if pairs is not None and len(fresh) == len(pairs):
        quick.save()  # files found unchanged may now be trusted by their times
        return _in_order(pairs, fresh, iter(()), progress or (lambda result: None))
    from .workspace import Workspace

    workspace = Workspace.open(project)
    if pairs is None:  # the folders alone could not say: every council named is read here, the careful way
        pairs = workspace.names(specs)
        keys = {pair: quick.keys(*pair) for pair in pairs}
    results = build_many(
        workspace, pairs, formats, out, jobs=jobs, force=force, site=site, progress=progress, fresh=fresh
    )
    for result in results:
        pair = (result.council_id, result.document_id)
        if result.state == FAILED or result.warnings:
            quick.forget(*pair)
        elif pair not in fresh:
            quick.record(*pair, keys[pair])
    quick.save()
    return results


def resolve_many(workspace: Workspace, pairs: list[tuple[str, str]], jobs: int = 1) -> list[Document]:
    """Documents resolved, in the order named; with jobs > 1 in worker processes (`stats` reads every council).

    Any problem stops it as the first problem in that order would: the same error, whatever the number of jobs.
    """
    if jobs <= 1 or len(pairs) < RESOLVE_IN_WORKERS_FROM:
        return [workspace.document(c, d) for c, d in pairs]
    documents = []
    with _workers(workspace, jobs, len(pairs)) as (pool, chunk):
        for document, problems in pool.map(_resolve, pairs, chunksize=chunk):
            if document is None:
                raise ProtocolError(problems)
            documents.append(document)
    return documents


RESOLVE_IN_WORKERS_FROM = 50  # documents: below that, starting workers costs more than it saves


def _resolve(pair: tuple[str, str]) -> tuple[Document | None, list[Problem]]:
    assert _worker_workspace is not None
    try:
        return _worker_workspace.document(*pair), []
    except ProtocolError as exc:
        return None, list(exc.problems)


def shard(council_ids: list[str], spec: str) -> list[str]:
    """The councils of shard K of N ('2/4'): a stable share by a hash of each id; adding a council moves no other."""
    try:
        k, n = (int(x) for x in spec.split("/"))
    except ValueError:
        raise ProtocolError(
            f"'{spec}' is not a shard", hint="write K/N, e.g. 1/4 for the first of four shards"
        ) from None
    if not 1 <= k <= n:
        raise ProtocolError(f"shard {spec}: K must be between 1 and N", hint="e.g. 1/4, 2/4, 3/4 and 4/4")
    return [cid for cid in council_ids if int(hashlib.sha256(cid.encode()).hexdigest(), 16) % n == k - 1]
