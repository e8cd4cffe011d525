"""`protocolc check`: every problem in the library and the councils, without rendering anything.

Loading checks structure, types and version histories; resolving checks that
every id a change names exists and every variable a text uses is defined.
Each file's problems are collected, so a clerk sees them all in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import Problem, ProtocolError
from .load import load_council, load_library
from .model import Library, Text
from .project import Project
from .resolve import Renderer, context, model_council, resolve, text_environment


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


def _order(problem: Problem) -> tuple:
    source = problem.source
    return (source.path, source.line, source.column) if source else ("", 0, 0)


def library_texts(library: Library) -> list[Text]:
    """Every text in the library, variants included: what some council may one day render."""
    texts: list[Text] = [library.title, *library.labels.values()]
    for section in library.sections:
        texts += [t for t in (section.heading, *section.variants.values()) if t]
        for clause in section.clauses:
            texts += [t for t in (clause.heading, clause.text) if t]
            texts += [t for v in clause.variants.values() for t in (v.heading, v.text) if t]
            texts += [t for item in clause.items for t in (item.text, *item.variants.values())]
    return texts


def library_text_problems(library: Library, env) -> list[Problem]:
    """Render every library text with the library's own terms, so a bad variable is found before a council uses it."""
    render = Renderer(env, context(library, model_council(library)))
    for text in library_texts(library):
        render(text)
    return render.problems


def check(project: Project, council_ids: Iterable[str] | None = None) -> CheckReport:
    """Check the library and the given councils (all of them by default)."""
    problems: list[Problem] = []
    ids = list(council_ids) if council_ids is not None else project.council_ids()
    try:
        library = load_library(project.root, problems)
    except ProtocolError as exc:
        problems.extend(exc.problems)
        return CheckReport(tuple(problems), tuple(ids))
    env = text_environment()
    problems.extend(library_text_problems(library, env))
    for council_id in ids:
        try:
            council = load_council(project.council_path(council_id), project.root, library, problems)
            resolve(library, council, env)
        except ProtocolError as exc:
            problems.extend(exc.problems)
    unique = list(dict.fromkeys(problems))
    return CheckReport(tuple(sorted(unique, key=_order)), tuple(ids))
