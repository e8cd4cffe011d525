"""`protocolc check`: every problem in the library and the councils, without rendering anything.

Loading checks structure, types and version histories; resolving checks that
every id a change names exists and every variable a text uses is defined.
Each file's problems are collected, so a clerk sees them all in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .adoption import snapshot_problems
from .errors import Problem, ProtocolError
from .model import Council, Document, Item, Library, Text
from .project import Project
from .resolve import Renderer, TextTemplates, context, model_council, model_document
from .strays import stray_files
from .workspace import Workspace


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    councils: tuple[str, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def summary(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        checked = f"checked the library and {plural(len(self.councils), 'council')}"
        return f"{checked}: {plural(len(self.errors), 'error')}, {plural(len(self.warnings), 'warning')}"


def _order(problem: Problem) -> tuple[str, int, int]:
    source = problem.source
    return (source.path, source.line, source.column) if source else ("", 0, 0)


def _item_texts(items: tuple[Item, ...]) -> list[Text]:
    return [t for item in items for t in (item.text, *item.variants.values(), *_item_texts(item.items))]


def library_texts(library: Library, document_id: str) -> list[Text]:
    """Every text of a document type, variants included: what some council may one day render."""
    doc_type = library.documents[document_id]
    texts: list[Text] = [doc_type.title, *library.labels.values()]
    for section in doc_type.sections:
        texts += [t for t in (section.heading, *section.variants.values()) if t]
        for clause in section.clauses:
            texts += [t for t in (clause.heading, clause.text) if t]
            texts += [t for v in clause.variants.values() for t in (v.heading, v.text) if t]
            texts += _item_texts(clause.items)
    return texts


def library_text_problems(library: Library, env: TextTemplates) -> list[Problem]:
    """Render every library text with the library's own terms, so a bad variable is found before a council uses it.

    A `ref()` in library text is checked where a council's document prints it; here it prints the id.
    """
    problems: list[Problem] = []
    for document_id in library.documents:
        variables: dict[str, object] = dict(
            context(library, model_council(library), model_document(library, document_id))
        )
        variables["ref"] = str
        render = Renderer(env, variables)
        for text in library_texts(library, document_id):
            render(text)
        problems += render.problems
    return problems


# A fact of council.yaml, the variables that print it, and how a text would use it.
FACT_VARIABLES = {
    "clerk": ({"clerk_title"}, "{{ clerk_title }}"),
    "contact": ({"contact"}, "{{ contact }}"),
    "county_association": (
        {"county_association", "County_association", "county_association_name"},
        "{{ county_association }}",
    ),
}


def unused_facts(council: Council, documents: list[Document]) -> list[Problem]:
    """A warning for each fact council.yaml sets that none of the council's documents prints."""
    used = set().union(*(d.variables_used for d in documents)) if documents else set()
    problems = []
    for fact, source in council.fact_sources.items():
        names, example = FACT_VARIABLES[fact]
        if names & used:
            continue
        which = ", ".join(d.id for d in documents) or "none"
        problems.append(
            Problem(
                f"'{fact}:' is set but no document of this council prints it (documents: {which})",
                source,
                f"a text prints it where it says {example}: write that in the council's own clauses where they "
                f"name it, or remove '{fact}:' if the council does not need it",
                "warning",
            )
        )
    return problems


def check(project: Project, council_ids: Iterable[str] | None = None) -> CheckReport:
    """Check the library and the given councils (all of them by default), every document of each."""
    problems: list[Problem] = []
    ids = list(council_ids) if council_ids is not None else project.council_ids()
    try:
        workspace = Workspace.open(project)
    except ProtocolError as exc:
        return CheckReport(tuple(exc.problems), tuple(ids))
    problems.extend(workspace.warnings)
    problems.extend(stray_files(project))
    problems.extend(library_text_problems(workspace.library, workspace.env))
    unused: list[Problem] = []
    for council_id in ids:
        try:
            names = workspace.names([council_id])
        except ProtocolError as exc:
            problems.extend(exc.problems)
            continue
        documents: list[Document] = []
        failed = False
        for cid, document_id in names:
            try:
                documents.append(workspace.document(cid, document_id, problems))
                problems.extend(snapshot_problems(workspace, cid, document_id))
            except ProtocolError as exc:
                problems.extend(exc.problems)
                failed = True
        if not failed and names:
            unused.extend(unused_facts(documents[0].council, documents))
    if not any(p.severity == "error" for p in problems):  # which facts print is known once everything resolves
        problems.extend(unused)
    unique = list(dict.fromkeys(problems))
    return CheckReport(tuple(sorted(unique, key=_order)), tuple(ids))
