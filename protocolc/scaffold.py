"""`protocolc init` and `protocolc new`: start a documents repository, or a council in one, from the model.

A new council's files say everything the model assumes: each fact written out with the
model's default, or commented out with a placeholder for the clerk to fill in, and every
document type of the library as a file of its own, started as the model text and not yet
adopted (`versions: []`). The model library a new repository starts from ships inside the
package (the wheel maps the repository's clauses/ onto `protocolc/library/`).

Nothing is written until every question is answered and every file is composed, so a
refusal leaves the folder as it was. Questions are asked only of a clerk at a terminal: run
from a script, a missing fact with no default is an error naming the option that gives it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import re
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from . import schema
from .errors import ProtocolError, Source
from .load import COUNCIL_FILE, KINDS, load_library
from .model import Clause, DocumentType, Library, Numbering
from .numbering import STYLES
from .project import COUNCIL_ID, ID_HINT, Project
from .resolve import MODEL, capitalise
from .write import write_atomic

STARTER = "starter"
PLACEHOLDER = re.compile(r"@[A-Z_]+@")
# What protocolc init writes beside the library and the council, from protocolc/starter/.
STARTER_FILES = {
    "README.md": "README.md",
    ".gitignore": "gitignore",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/protocolc.yml": "workflow.yml",
}
RESERVED = {MODEL: "'model' names the library's own text in 'protocolc diff'"}


@dataclass(frozen=True)
class Answers:
    """The facts given as options; None: ask the clerk (at a terminal) or use the default."""

    council_id: str | None = None
    name: str | None = None
    kind: str | None = None
    clerk: str | None = None
    contact: str | None = None
    county_association: str | None = None


@dataclass(frozen=True)
class Facts:
    """Everything a new council's files say about it; None: left as a commented placeholder."""

    council_id: str
    name: str
    kind: str
    clerk: str
    contact: str | None = None
    county_association: str | None = None


def interactive() -> bool:
    """Whether a clerk is at a terminal to answer questions (never true in a script or CI)."""
    return sys.stdin.isatty()


# --- the model library that ships with protocolc ----------------------------------------------


def model_library() -> Traversable:
    """The packaged model library (protocolc/library/ in a wheel), else the checkout's clauses/ (editable install)."""
    packaged = importlib.resources.files("protocolc").joinpath("library")
    if packaged.joinpath("library.yaml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / "clauses"
    if (checkout / "library.yaml").is_file():
        return checkout
    raise ProtocolError(
        "this installation of protocolc has no model library",
        hint="reinstall protocolc (pip install --force-reinstall protocolc)",
    )


def library_files(folder: Traversable | None = None, prefix: str = "clauses") -> dict[str, bytes]:
    """The model library's files, by their path in a new repository (clauses/library.yaml, ...)."""
    folder = model_library() if folder is None else folder
    files: dict[str, bytes] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and not entry.name.startswith((".", "_")):
            files |= library_files(entry, f"{prefix}/{entry.name}")
        elif entry.is_file() and entry.name.endswith(".yaml"):
            files[f"{prefix}/{entry.name}"] = entry.read_bytes()
    return files


def requirement() -> str:
    """What a new repository's workflow and pre-commit hook install: this protocolc, pinned to its version."""
    try:
        return f"protocolc=={importlib.metadata.version('protocolc')}"
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "protocolc"


# --- the facts: options, questions, defaults --------------------------------------------------


def council_id_problem(council_id: str) -> str | None:
    """Why a council id cannot be used, or None."""
    if not COUNCIL_ID.match(council_id):
        return f"'{council_id}' is not a council id: a council id is the name of its folder in councils/, {ID_HINT}"
    if council_id in RESERVED:
        return f"'{council_id}' cannot be a council id: {RESERVED[council_id]}"
    return None


def id_from_name(name: str) -> str | None:
    """A council id from its name: 'Testville Parish Council' -> 'testville', "St Mary's Town Council" -> 'st-marys'."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", name.lower()))
    while words and words[-1] in ("council", *KINDS):
        words.pop()
    while words and words[0] in ("the", "council", "of"):
        words.pop(0)
    council_id = "-".join(words)[:64].strip("-")
    return council_id if council_id and council_id_problem(council_id) is None else None


def kind_from_name(name: str) -> str | None:
    """The kind a council's name says, when it says exactly one: 'Hexham Town Council' -> 'town'."""
    found = {w for w in re.findall(r"[a-z]+", name.lower()) if w in KINDS}
    return found.pop() if len(found) == 1 else None


def _check_id(value: str) -> str:
    problem = council_id_problem(value.strip())
    if problem:
        raise click.UsageError(problem)
    return value.strip()


def _check_text(value: str) -> str:
    if not value.strip() or "\n" in value:
        raise click.UsageError("give one line of text")
    return value.strip()


def _check_kind(value: str) -> str:
    if value.strip() not in KINDS:
        raise click.UsageError(f"'{value}' is not a kind of council: give one of {', '.join(KINDS)}")
    return value.strip()


@dataclass(frozen=True)
class Question:
    option: str  # the option that answers it
    prompt: str
    what: str  # said in the error when it is neither given nor answerable
    check: Callable[[str], str] = _check_text
    optional: bool = False  # unanswered: left as a placeholder in the file


QUESTIONS = {
    "council_id": Question(
        "--council", "Council id (its folder in councils/)", f"the council's id, {ID_HINT}", _check_id
    ),
    "name": Question("--name", "Council's full name", "the council's full name, e.g. 'Hexham Town Council'"),
    "kind": Question("--kind", f"Kind of council ({', '.join(KINDS)})", f"one of {', '.join(KINDS)}", _check_kind),
    "clerk": Question("--clerk", "Clerk's official title", "the clerk's official title, e.g. 'Town Clerk'"),
    "contact": Question(
        "--contact", "Contact address (Enter: fill in later)", "an address printed in the documents", optional=True
    ),
    "county_association": Question(
        "--county-association",
        "County association of local councils (Enter: fill in later)",
        "the county association, e.g. 'ERNLLCA'",
        optional=True,
    ),
}


def _answer(field: str, given: str | None, default: str | None, ask: bool) -> str | None:
    """A given option (checked), else the clerk's answer at a terminal, else the default, else an error."""
    question = QUESTIONS[field]
    if given is not None:
        if question.optional and not given.strip():
            return None
        try:
            return question.check(given)
        except click.UsageError as exc:
            raise click.BadParameter(exc.message, param_hint=f"'{question.option}'") from None
    if ask:
        if question.optional:
            answer = click.prompt(question.prompt, default="", show_default=False)
            return question.check(answer) if answer.strip() else None
        return str(click.prompt(question.prompt, default=default, value_proc=question.check))
    if default is not None or question.optional:
        return default
    raise click.UsageError(f"give {question.option} ({question.what}); protocolc asks only when run at a terminal")


def gather(answers: Answers, library: Library, ask: bool) -> Facts:
    """The new council's facts: options as given, the rest asked for (at a terminal) or defaulted.

    Without a terminal a council id defaults to one made from the name ('Testville Parish Council' ->
    'testville') and the kind to the one the name says; the clerk's title defaults to the model's
    (the library's term 'clerk'); contact and county association are left as placeholders.
    """
    name = _answer("name", answers.name, None, ask)
    assert name is not None
    council_id = _answer("council_id", answers.council_id, id_from_name(name), ask)
    kind = _answer("kind", answers.kind, kind_from_name(name), ask)
    terms = library.all_terms()
    clerk = _answer("clerk", answers.clerk, capitalise(terms["clerk"].value) if "clerk" in terms else "Clerk", ask)
    assert council_id is not None and kind is not None and clerk is not None
    return Facts(
        council_id,
        name,
        kind,
        clerk,
        _answer("contact", answers.contact, None, ask),
        _answer("county_association", answers.county_association, None, ask),
    )


# --- composing the files ----------------------------------------------------------------------

PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 .,'’()/&@+-]*$")
YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly `value`: plain when that is safe, else double-quoted."""
    if PLAIN.match(value) and not value.endswith(" ") and value.lower() not in YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _aligned(rows: list[tuple[str, str]], prefix: str = "") -> list[str]:
    """`key: value   # note` lines with the notes in one column."""
    width = max(len(line) for line, _ in rows)
    return [f"{prefix}{line.ljust(width)}  # {note}" if note else f"{prefix}{line}" for line, note in rows]


def council_yaml(library: Library, facts: Facts) -> str:
    """councils/<id>/council.yaml: every fact the model uses, written out or left as a placeholder."""
    kinds = ", ".join(KINDS)
    rows = [
        (f"name: {scalar(facts.name)}", ""),
        (f"kind: {facts.kind}", kinds),
        (f"clerk: {scalar(facts.clerk)}", "the clerk's official title, e.g. Town Clerk"),
    ]
    facts_lines = _aligned(rows)
    placeholders: list[tuple[str, str]] = []
    if facts.contact is None:
        placeholders.append(("contact: clerk@example.gov.uk", "an address printed where a text says {{ contact }}"))
    else:
        facts_lines.append(f"contact: {scalar(facts.contact)}")
    if facts.county_association is None:
        placeholders.append(("county_association: ERNLLCA", "the county association of local councils"))
    else:
        facts_lines.append(f"county_association: {scalar(facts.county_association)}")
    lines = [
        "# yaml-language-server: $schema=../../schemas/council.schema.json",
        f"# {facts.name}",
        "# Who the council is; each of its documents is a file beside this one.",
        "# Lines starting '#' are notes: remove the '# ' in front of a line to use it.",
        "",
        "format: 1",
        "",
        *facts_lines,
    ]
    if placeholders:
        lines += ["", "# Still to fill in:", *_aligned(placeholders, "# ")]
    terms = library.all_terms()
    if terms:
        lines += [
            "",
            "# Terms: the words this council spells its own way. Every text uses the library's",
            "# word shown here unless you remove the '# ' in front of 'terms:' and of the line,",
            "# and change the word, e.g. 'councillors: Members'.",
            "# terms:",
            *_aligned([(f"{key}: {scalar(term.value)}", "") for key, term in terms.items()], "#   "),
        ]
    return "\n".join(lines) + "\n"


def _depth(items: tuple[object, ...], level: int) -> int:
    return max((_depth(getattr(i, "items", ()), level + 1) for i in items), default=level - 1)


def model_levels(doc_type: DocumentType) -> list[str]:
    """The model's numbering styles, one per level the document has (sections, clauses, items, ...)."""
    depth = max((_depth(c.items, 3) for s in doc_type.sections for c in s.clauses), default=2)
    levels = list(Numbering().levels)
    return (levels + ["bullet"] * depth)[: max(depth, 2)]


def _examples(doc_type: DocumentType, council_id: str) -> list[str]:
    """Commented examples of each kind of change, naming real ids of this document type."""
    clauses: list[Clause] = [c for s in doc_type.sections if not s.optional for c in s.clauses]
    listed = next((c for c in clauses if c.items), None)
    plain = [c for c in clauses if c.text and not c.items and not c.heading]
    rows: list[tuple[str, str]] = []
    if len(plain) >= 2:
        rows.append((f"  - omit: {plain[-1].id}", "leave a clause (or a list item) out"))
    if listed is not None:
        rows += [
            (f"  - replace: {listed.id}.{listed.items[0].key}", "reword one"),
            ("    text: The council's own words.", ""),
        ]
    if plain:
        rows += [
            (f"  - insert: {council_id}.own-clause", "add a clause of the council's own"),
            (f"    after: {plain[0].id}", ""),
            ("    text: The council's own words.", ""),
        ]
    if not rows:
        return []
    return [
        "# How this council's wording differs from the model: to make a change, remove the '# '",
        "# in front of 'changes:' and of the lines of each change you need, e.g.",
        "# changes:",
        *_aligned(rows, "# "),
    ]


def document_yaml(doc_type: DocumentType, facts: Facts) -> str:
    """councils/<id>/<document>.yaml: the model document, not yet adopted, with notes on what to change."""
    levels = ", ".join(json.dumps(level) for level in model_levels(doc_type))
    model = [s.id for s in doc_type.sections if not s.optional]
    optional = [s.id for s in doc_type.sections if s.optional]
    outline = [(f"  - {sid}", "") for sid in model]
    for sid in optional[:1]:
        outline += [
            (f"  - section: {sid}", "an optional section: give it clauses of its own"),
            ("    clauses:", ""),
            (f"      - id: {facts.council_id}.{sid}", ""),
            ("        text: The council's own words.", ""),
        ]
    title = scalar(doc_type.title.value)
    lines = [
        "# yaml-language-server: $schema=../../schemas/document.schema.json",
        f"# {facts.name}: {doc_type.title.value}.",
        f"# Started from the model in clauses/{doc_type.id}/: every section and clause as the library words it.",
        "# Lines starting '#' are notes: remove the '# ' in front of a line to use it.",
        "",
        "format: 1",
        "",
        *_aligned([(f"title: {title}", "the library's title; give the council's own if it differs")], "# "),
        "",
        "# How each level is numbered: sections, clauses, list items, items inside items.",
        '# e.g. levels: ["1.", "1.1", "a)"]. The styles:',
        *textwrap.wrap(
            ", ".join(json.dumps(style) for style in STYLES), 96, initial_indent="#   ", subsequent_indent="#   "
        ),
        "numbering:",
        f"  levels: [{levels}]",
        "",
        "# The versions the council has adopted, oldest first. None yet: the document is a draft.",
        "# When a meeting adopts it, write 'versions:' and below it (without the '# '):",
        '#   - version: "1.0"',
        "#     adopted: 2026-05-14      # year-month-day",
        '#     minute: "42/26"',
        "#     review_by: 2029-05",
        "#     approved_by: Council",
        "versions: []",
        "",
        "# The outline: this document follows the model's order of sections until it lists its",
        "# own: to leave a section out, move one" + (", or add an optional one" if optional else "") + ", e.g.",
        "# sections:",
        *_aligned(outline, "# "),
        "",
        *_examples(doc_type, facts.council_id),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def council_files(library: Library, facts: Facts) -> dict[str, str]:
    """A new council's files, by their path in the repository: council.yaml and one file per document type."""
    folder = f"councils/{facts.council_id}"
    files = {f"{folder}/{COUNCIL_FILE}": council_yaml(library, facts)}
    for doc_id, doc_type in sorted(library.documents.items()):
        files[f"{folder}/{doc_id}.yaml"] = document_yaml(doc_type, facts)
    return files


def starter_files(facts: Facts) -> dict[str, str]:
    """The clerk's README, .gitignore, pre-commit config and CI workflow, filled in for this repository."""
    values = {
        "@COUNCIL_ID@": facts.council_id,
        "@COUNCIL_NAME@": facts.name,
        "@PROTOCOLC@": requirement(),
    }
    files: dict[str, str] = {}
    folder = importlib.resources.files("protocolc").joinpath(STARTER)
    for path, name in STARTER_FILES.items():
        text = folder.joinpath(name).read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        leftover = PLACEHOLDER.search(text)
        assert leftover is None, f"{name}: unknown placeholder {leftover.group()}"
        files[path] = text
    return files


def write_files(root: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write each file (by its path under root); a file that cannot be written is a ProtocolError."""
    written = []
    for rel, data in files.items():
        path = root / rel
        try:
            write_atomic(path, data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as exc:
            raise ProtocolError(
                f"cannot write {path}: {exc.strerror}", hint="check the folder exists and you may write to it"
            ) from None
        written.append(path)
    return written


def write_all(root: Path, files: dict[str, str | bytes], new: Path) -> list[Path]:
    """Write every file or none: if one cannot be written, take away what was (`new` was missing or empty)."""
    existed = new.is_dir()
    try:
        return write_files(root, files)
    except ProtocolError:
        if existed:
            for entry in new.iterdir():
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        else:
            shutil.rmtree(new, ignore_errors=True)
        raise


# --- the commands -------------------------------------------------------------------------------


def new_council(project: Project, answers: Answers, ask: bool | None = None) -> Created:
    """Add councils/<id>/ to a project, started from its library's model; refuses a council that exists."""
    council_id = answers.council_id
    assert council_id is not None
    problem = council_id_problem(council_id)
    if problem:
        raise click.BadParameter(problem, param_hint="'COUNCIL'")
    folder = project.councils / council_id
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProtocolError(
            f"council '{council_id}' already exists",
            Source(f"councils/{council_id}/"),
            "choose another id, or edit its files (protocolc new never overwrites them)",
        )
    library = load_library(project.root)
    facts = gather(answers, library, interactive() if ask is None else ask)
    written = write_all(project.root, dict(council_files(library, facts)), folder)
    return Created(project.root, facts.council_id, written, repository=False)


def init_repository(folder: Path, answers: Answers, ask: bool | None = None) -> Created:
    """A new documents repository in `folder` (missing or empty): the model library, one council, CI and README."""
    if folder.exists() and not folder.is_dir():
        raise ProtocolError(f"{folder} is a file", hint="give the name of a new folder, e.g. protocolc init documents")
    if folder.is_dir() and any(folder.iterdir()):
        raise ProtocolError(
            f"{folder} is not empty",
            hint="give the name of a new (or empty) folder; to add a council to an existing repository, "
            "run 'protocolc new' inside it",
        )
    library_sources = library_files()
    with tempfile.TemporaryDirectory(prefix="protocolc-init-") as staging:
        write_files(Path(staging), dict(library_sources))
        library = load_library(Path(staging))
    if answers.council_id is not None:
        problem = council_id_problem(answers.council_id)
        if problem:
            raise click.BadParameter(problem, param_hint="'--council'")
    facts = gather(answers, library, interactive() if ask is None else ask)
    files: dict[str, str | bytes] = dict(library_sources)
    files |= council_files(library, facts)
    files |= {f"schemas/{name}": text for name, text in schema.schemas(library).items()}
    files |= starter_files(facts)
    return Created(folder, facts.council_id, write_all(folder, files, folder), repository=True)


@dataclass(frozen=True)
class Created:
    """What init or new wrote: the repository's root, the new council and every file."""

    root: Path
    council_id: str
    files: list[Path]
    repository: bool  # True: a whole new repository (init)

    def summary(self) -> str:
        """What was written and what the clerk does next."""
        shown = [p.relative_to(self.root).as_posix() for p in self.files]
        council = [p for p in shown if p.startswith(f"councils/{self.council_id}/")]
        lines = []
        if self.repository:
            library = sum(p.startswith("clauses/") for p in shown)
            lines.append(
                f"created {self.root.as_posix()}/: the model library ({library} files in clauses/), schemas/, "
                "README.md, .gitignore, .pre-commit-config.yaml, .github/workflows/protocolc.yml"
            )
        lines += [f"created {p}" for p in council]
        where = f"cd {self.root.as_posix()} && " if self.repository else ""
        lines.append(f"next: fill in councils/{self.council_id}/{COUNCIL_FILE} (its notes say what), then run")
        lines.append(f"  {where}protocolc build {self.council_id}")
        return "\n".join(lines)
