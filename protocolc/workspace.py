"""A loaded project: the library once, councils and their documents on demand, the templates once.

Everything a command needs goes through one Workspace, so the library is read once per
process and every stage sees the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import Problem, ProtocolError
from .formats import FORMATS, Job
from .layout import lay_out
from .load import CouncilMemo, load_council, load_document, load_library
from .model import Council, CouncilDocument, Document, Library
from .project import Project, split_name
from .resolve import MODEL, TextTemplates, model_council, model_document, resolve, text_environment
from .templating import Templates
from .write import manifest_bytes, manifest_name

if TYPE_CHECKING:
    from .diff import Comparer


@dataclass
class Workspace:
    """A project with its library loaded; councils, documents and templates are loaded when first asked for."""

    project: Project
    library: Library
    warnings: list[Problem] = field(default_factory=list)
    _templates: Templates | None = None
    _models: dict[str, Document] = field(default_factory=dict)
    _env: TextTemplates = field(default_factory=text_environment)
    fingerprints: dict[str, str] = field(default_factory=dict)  # each model's, by document type (build.py)
    _comparer: Comparer | None = None
    _councils: CouncilMemo = field(default_factory=dict)  # councils read (see load_council): names() reads each

    @classmethod
    def open(cls, project: Project) -> Workspace:
        warnings: list[Problem] = []
        return cls(project, load_library(project.root, warnings), warnings)

    @property
    def templates(self) -> Templates:
        if self._templates is None:
            self._templates = Templates(self.project.templates)
        return self._templates

    @property
    def comparer(self) -> Comparer:
        """One Comparer per workspace (per build worker): the model's units and the memo of clause pairs are kept."""
        if self._comparer is None:
            from .diff import Comparer

            self._comparer = Comparer()
        return self._comparer

    @property
    def env(self) -> TextTemplates:
        return self._env

    def model_document(self, document_id: str = "protocol") -> Document:
        """A document type's model: the library's default text with no council's changes."""
        if document_id not in self._models:
            if self.library.document(document_id) is None:
                raise ProtocolError(
                    f"the library has no document type '{document_id}'",
                    hint=f"document types: {', '.join(sorted(self.library.documents))}",
                )
            source = model_document(self.library, document_id)
            self._models[document_id] = resolve(self.library, model_council(self.library), source, self._env)
        return self._models[document_id]

    def council(self, council_id: str, warnings: list[Problem] | None = None) -> Council:
        folder = self.project.council_folder(council_id)
        into = self.warnings if warnings is None else warnings
        return load_council(folder, self.project.root, self.library, into, self._councils)

    def councils(self) -> list[Council]:
        """Every council of the project, loaded and checked, in id order."""
        return [self.council(cid) for cid in self.project.council_ids()]

    def source(self, council_id: str, document_id: str, warnings: list[Problem] | None = None) -> CouncilDocument:
        """A council's document as written."""
        path = self.project.document_path(council_id, document_id)
        return load_document(path, self.project.root, self.library, self.warnings if warnings is None else warnings)

    def document(
        self, council_id: str, document_id: str = "protocol", warnings: list[Problem] | None = None
    ) -> Document:
        """A council's document, resolved: what every format prints. Warnings go to `warnings` when given."""
        if council_id == MODEL:
            return self.model_document(document_id)
        return self.resolved(council_id, document_id, warnings)[0]

    def resolved(
        self, council_id: str, document_id: str = "protocol", warnings: list[Problem] | None = None
    ) -> tuple[Document, CouncilDocument]:
        """A council's document resolved, with the source it was resolved from (read once, for both)."""
        council = self.council(council_id, warnings)
        source = self.source(council_id, document_id, warnings)
        return resolve(self.library, council, source, self._env), source

    def names(self, specs: list[str] | None) -> list[tuple[str, str]]:
        """(council, document) pairs for 'hexham' (all its documents) or 'hexham/protocol'; None: every one."""
        if specs is None:
            specs = self.project.council_ids()
        found: list[tuple[str, str]] = []
        for spec in specs:
            council_id, document_id = split_name(spec)
            if document_id is None:
                council = self.council(council_id)
                if not council.documents:
                    raise ProtocolError(
                        f"council '{council_id}' has no documents",
                        council.source,
                        f"add a document file beside its council.yaml, e.g. councils/{council_id}/protocol.yaml",
                    )
                found += [(council_id, d) for d in council.documents]
            else:
                self.project.document_path(council_id, document_id)
                found.append((council_id, document_id))
        return list(dict.fromkeys(found))

    def render(
        self,
        doc: Document,
        formats: tuple[str, ...],
        inputs: dict[str, str] | None = None,
        kept: dict[str, bytes] | None = None,
        *,
        stem: str | None = None,
        draft: str | None = None,
        failed: dict[str, ProtocolError] | None = None,
    ) -> dict[str, bytes]:
        """Every requested output of one document plus its manifest, in memory, named as they are written.

        `kept` are outputs already written and still current: the manifest lists them, but they are not returned.
        `stem` names the files (default: the document id; 'protocol.draft' for a draft), and `draft`, the day
        a draft was built, marks every page as not adopted. With `failed`, a format that cannot be rendered
        (the PDF without Pango) is recorded there by name and the other formats are still returned; without
        it, its error is raised.
        """
        job = Job(lay_out(doc, draft), self.templates, FORMATS)
        name_of = stem or doc.id
        files: dict[str, bytes] = {}
        for name in (n for n in FORMATS if n in formats):
            try:
                files[f"{name_of}.{FORMATS[name].extension}"] = job.output(name)
            except ProtocolError as exc:
                if failed is None:
                    raise
                failed[name] = exc
        files[manifest_name(name_of)] = manifest_bytes(
            doc, {**(kept or {}), **files}, inputs, self.templates.word_counts
        )
        return files
