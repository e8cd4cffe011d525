"""The library entry point: what the CLI and the tests call.

load -> resolve -> render -> write, one council at a time, so one council's
mistake never stops the others and never damages their outputs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from . import diff, site
from .build import CouncilResult, build_many, templates_key
from .diff import Comparison
from .load import load_council, load_library
from .model import Council, Document, Library
from .project import Project
from .render import Renderer
from .resolve import TextTemplates, model_council, resolve, text_environment
from .revisions import export, resolve_revision
from .write import FILENAMES, manifest_bytes

FORMATS = tuple(FILENAMES)
MODEL = "model"  # the pseudo-council: the library's default text with no overrides


@dataclass
class Workspace:
    """A loaded project: the library once, councils and documents on demand."""

    project: Project
    library: Library
    _renderer: Renderer | None = None
    _templates_key: str | None = None
    _model: Document | None = None
    _env: TextTemplates = field(default_factory=text_environment)

    @classmethod
    def open(cls, project: Project) -> Workspace:
        return cls(project, load_library(project.root))

    @property
    def model_document(self) -> Document:
        """The library's default text with no council's changes: what `diff ... model` compares with."""
        if self._model is None:
            self._model = resolve(self.library, model_council(self.library), self._env)
        return self._model

    @property
    def templates_key(self) -> str:
        if self._templates_key is None:
            self._templates_key = templates_key(self.project.templates)
        return self._templates_key

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = Renderer(self.project.templates)
        return self._renderer

    def council(self, council_id: str) -> Council:
        return load_council(self.project.council_path(council_id), self.project.root, self.library)

    def councils(self) -> list[Council]:
        """Every council of the project, loaded and checked, in id order."""
        return [self.council(cid) for cid in self.project.council_ids()]

    def document(self, council_id: str) -> Document:
        return resolve(self.library, self.council(council_id), self._env)

    def render(self, doc: Document, formats: Iterable[str] = FORMATS, inputs: str | None = None) -> dict[str, bytes]:
        """Every requested output of one document plus its manifest, in memory."""
        formats = set(formats)
        files: dict[str, bytes] = {}
        if "md" in formats:
            files[FILENAMES["md"]] = self.renderer.markdown_text(doc).encode("utf-8")
        if formats & {"html", "pdf"}:
            html = self.renderer.html_text(doc)
            if "html" in formats:
                files[FILENAMES["html"]] = html.encode("utf-8")
            if "pdf" in formats:
                files[FILENAMES["pdf"]] = self.renderer.pdf_bytes(html)
        files["manifest.json"] = manifest_bytes(doc, files, inputs)
        return files


def build(
    project: Project,
    council_ids: Iterable[str],
    formats: Iterable[str] = FORMATS,
    out_dir: Path | None = None,
    *,
    jobs: int = 1,
    force: bool = False,
    site: bool = False,
    progress: Callable[[CouncilResult], None] | None = None,
) -> list[CouncilResult]:
    """Build each council into out_dir/<id>/, skipping those already up to date (unless force).

    A council that fails keeps its previous outputs and the others still build; with jobs > 1
    councils are built in worker processes, with the same outputs and results as jobs=1.
    With site=True each council also gets its page of changes from the model (see write_site for the index).
    """
    workspace = Workspace.open(project)
    out = out_dir if out_dir is not None else project.root / "build"
    chosen = tuple(f for f in FORMATS if f in set(formats))
    return build_many(workspace, list(council_ids), chosen, out, jobs=jobs, force=force, site=site, progress=progress)


def write_site(project: Project, out_dir: Path | None = None, today: dt.date | None = None) -> Path:
    """Write out_dir/index.html from what has been built there (also after a sharded build's parts are gathered)."""
    out = out_dir if out_dir is not None else project.root / "build"
    return site.write_index(Renderer(project.templates), out, today)


def document_at(project: Project, spec: str, stack: ExitStack) -> Document:
    """The Document named by `COUNCIL`, `model`, or either with `@REVISION` (sources read from git)."""
    council_id, _, rev = spec.partition("@")
    if rev:
        commit = resolve_revision(project, council_id, rev)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="protocolc-rev-")))
        project = export(project, commit, folder)
    workspace = Workspace.open(project)
    if council_id == MODEL:
        return resolve(workspace.library, model_council(workspace.library), workspace._env)
    return workspace.document(council_id)


def compare(project: Project, first: str, second: str) -> Comparison:
    """Compare two councils, a council with the model, or a council with itself at a git revision."""
    with ExitStack() as stack:
        return diff.compare(document_at(project, first, stack), document_at(project, second, stack), first, second)
