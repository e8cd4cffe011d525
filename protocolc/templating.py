"""The Jinja environments that lay documents out, with the project's templates over the packaged ones.

A project's own `templates/` folder overrides the defaults shipped in the package file by
file, so a documents repository needs no templates at all. Templates are rendered in
Jinja's sandbox with undefined names as errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import BuiltinMethodType, MethodType
from typing import Any, Generic, TypeVar

import jinja2
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import layout, model, status
from .confine import check_read
from .errors import ProtocolError, Source

T = TypeVar("T", bound=str | int)  # a rendering (counted into the memo's size) or a count

PACKAGED = Path(__file__).parent / "templates"


def table_cell(text: str) -> str:
    """A Markdown table cell: a '|' in a note must not start a new column."""
    return text.replace("|", "\\|")


# What CommonMark/GFM reads as block syntax at the start of a line (after any spaces): an ordered-list marker
# (2024. or 1) then a space), a bullet (- + * then a space), a quote (>), an ATX heading (#), a thematic break
# (--- *** ___), a setext underline (===) or a code fence (``` ~~~).
BLOCK_START = re.compile(
    r"(?P<digits>\d{1,9})(?=[.)](?:[ \t]|$))"
    r"|[-+*](?=[ \t]|$)"
    r"|(?P<rule>[-*_])(?=[ \t]*(?:(?P=rule)[ \t]*){2,}$)"
    r"|>|#{1,6}(?=[ \t]|$)|=+(?=[ \t]*$)|(?=`{3}|~{3})"
)
# '<' that is not an autolink (<https://...> or <name@example.org>) could start raw HTML, which GitHub drops.
RAW_HTML_START = re.compile(r"(?<!\\)<(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|[^\s<>@]+@[^\s<>]+>)")


def _escape_line(line: str) -> str:
    text = line.lstrip(" \t")  # leading spaces mean nothing in the HTML, and four of them make code in Markdown
    match = BLOCK_START.match(text)
    if match is None:
        return text
    at = match.end("digits") if match.group("digits") else 0  # 2024\. but \- \> \#
    return text[:at] + "\\" + text[at:]


def markdown_text(markdown: str) -> str:
    """Clause text for protocol.md as the HTML shows it: what would be block syntax or raw HTML is escaped.

    Clause text is inline Markdown (emphasis, links) in paragraphs; the HTML never reads a line start as a list,
    quote or heading, nor '<name of clerk>' as a tag, so in the Markdown these are escaped too: `2024\\.`, `\\-`,
    `\\>`, `\\<`. A backslash before punctuation shows the punctuation itself in every CommonMark renderer.
    """
    escaped = RAW_HTML_START.sub(r"\\<", markdown)
    return "\n".join(_escape_line(line) for line in escaped.split("\n"))


def indent_lines(text: str, width: int) -> str:
    """Every line after the first indented by `width` spaces (blank lines stay empty): a list item's paragraphs."""
    if "\n" not in text:  # one line (most items): nothing to indent
        return text
    pad = " " * width
    return "\n".join(line if n == 0 or not line else pad + line for n, line in enumerate(text.split("\n")))


def slug(clause_id: str) -> str:
    """A clause's permalink anchor: its id with dots as dashes (`councillors.areas` -> `councillors-areas`)."""
    return clause_id.replace(".", "-")


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the folders, refusing a template file that is a link to somewhere else.

    Each template is read once: the environments do not reload (a build renders from one reading of its
    templates, and the preview opens a new Workspace, so new Templates, for every rebuild).
    """

    def __init__(self, folders: list[Path]) -> None:
        super().__init__([str(f) for f in folders])
        self.folders = folders
        self.read: dict[str, tuple[str, str]] = {}  # name -> (contents, filename): the few templates there are

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.read:
            contents, filename, _ = super().get_source(environment, template)
            confined(Path(filename), self.folders)
            self.read[template] = (contents, filename)
        contents, filename = self.read[template]
        return contents, filename, lambda: True


def confined(path: Path, folders: list[Path]) -> Path:
    """A template file, refused when it resolves outside the template folder it was found in."""
    folder = next((f for f in folders if Path(os.path.abspath(path)).is_relative_to(os.path.abspath(f))), None)
    if folder is not None:
        check_read(path, folder, folder.parent)
    return path


class Memo(Generic[T]):
    """A pure function of one text, remembered: most clause texts are the same in many councils.

    Bounded in entries and in characters held (keys and values); the oldest entries go first. Keyed by the
    whole text, so it can only ever give the answer the function gives.
    """

    def __init__(self, function: Callable[[str], T], entries: int = 8192, chars: int = 4_000_000) -> None:
        self.function = function
        self.entries = entries
        self.chars = chars
        self.held = 0
        self.found: dict[str, T] = {}

    def __call__(self, text: str) -> T:
        if type(text) is not str:  # Markup, or whatever a template passes: the function's own answer, or error
            return self.function(text)
        found = self.found.get(text)
        if found is not None:
            return found
        value = self.function(text)
        size = _size(text, value)
        if size * 4 > self.chars:
            return value  # one text that big would push out many small ones
        while self.found and (len(self.found) >= self.entries or self.held + size > self.chars):
            oldest = next(iter(self.found))
            self.held -= _size(oldest, self.found.pop(oldest))
        self.found[text] = value
        self.held += size
        return value


def _size(text: str, value: str | int) -> int:
    """The characters a memo's entry holds: its text, and its value when that is text too (a count is not)."""
    return len(text) + (len(value) if isinstance(value, str) else 0)


# protocolc's own frozen dataclasses (and Jinja's loop): what the packaged templates read most. For an object of
# exactly one of these types the sandbox's verdict on a public attribute is always "safe": they are not functions,
# methods, types, code, frames or generators (Jinja's internal attributes) nor lists, sets, dicts or deques (Jinja's
# known mutables), and none is subscriptable. tests/test_templating.py checks all of that for every type here.
PLAIN_TYPES: frozenset[type] = frozenset(
    {
        layout.Layout,
        layout.LaidSection,
        layout.Block,
        layout.Piece,
        layout.ListItem,
        model.Passage,
        model.VersionTable,
        model.Version,
        model.PartialDate,
        model.Document,
        model.DocSection,
        model.DocClause,
        model.DocItem,
        model.Council,
        model.Numbering,
        model.ListStyle,
        model.Text,
        status.SiteEntry,  # the site index's rows
        Source,
        LoopContext,  # `loop.first`: Jinja's own loop variable, not a subclass of any of those either
    }
)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with a short way to the public attributes of protocolc's own frozen dataclasses.

    The long way (`SandboxedEnvironment.getattr`) asks `is_safe_attribute` every time, which for these types
    only ever refuses names that start with '_': those, and every other type, still take it.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in PLAIN_TYPES and attribute[:1] != "_":
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return super().getattr(obj, attribute)
            if type(value) is MethodType or type(value) is BuiltinMethodType:  # what wrap_str_format looks at
                wrapped = self.wrap_str_format(value)
                return value if wrapped is None else wrapped
            return value
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) in PLAIN_TYPES and type(argument) is str and argument[:1] != "_":
            return self.getattr(obj, argument)  # obj[argument] is a TypeError for these: Jinja tries the attribute
        return super().getitem(obj, argument)


class Templates:
    """The template environments of one project; render as many documents as you like."""

    def __init__(self, project_templates: Path | None = None) -> None:
        if project_templates is not None and project_templates.exists():
            check_read(project_templates, project_templates.parent)  # templates/ may not link out of the project
        self.folders = [f for f in (project_templates, PACKAGED) if f is not None and f.is_dir()]
        common: dict[str, Any] = dict(
            loader=ConfinedLoader(self.folders),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.md_env = Sandbox(autoescape=False, **common)
        self.html_env = Sandbox(autoescape=True, **common)
        self.markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
        self.inline_html = Memo(self.render_inline)
        self.markdown_text = Memo(markdown_text)
        self.read: dict[str, bytes] = {}  # template name -> the bytes its digest was taken of, read once
        self.word_counts = Memo(model.count_words)  # for the manifests of the documents these templates render
        self.digests: dict[tuple[str, ...], str] = {}  # names -> digest: of files read once, so it never changes
        self.html_env.filters["md"] = self.inline_html
        self.md_env.filters["text"] = self.markdown_text
        self.md_env.filters["indent_lines"] = indent_lines
        for env in (self.md_env, self.html_env):
            env.filters["slug"] = slug
            env.filters["cell"] = table_cell

    def path(self, name: str) -> Path:
        """The file a template name resolves to: the project's own if it has one, else the packaged default."""
        for folder in self.folders:
            if (folder / name).is_file():
                return confined(folder / name, self.folders)
        raise ProtocolError(
            f"no template '{name}'", Source(f"templates/{name}"), "protocolc's own templates are missing"
        )

    def digest(self, names: tuple[str, ...]) -> str:
        """One hash of the files these templates resolve to: what a format's outputs depend on.

        Worked out once per tuple of names (a few: one per format), as the files are read once.
        """
        found = self.digests.get(names)
        if found is not None:
            return found
        hashed = hashlib.sha256()
        for name in names:
            if name not in self.read:
                self.read[name] = self.path(name).read_bytes()
            hashed.update(name.encode() + b"\0" + self.read[name] + b"\0")
        if len(self.digests) < 64:  # bounded: a project has a few formats (any other tuple is hashed every time)
            self.digests[names] = hashed.hexdigest()
        return hashed.hexdigest()

    def render_inline(self, markdown: str) -> Markup:
        """Clause Markdown to HTML; raw HTML in the sources is escaped, never passed through.

        Clause text is inline Markdown in paragraphs: a line start is never a list, quote or heading
        (protocol.md escapes the same, so GitHub shows the same words and structure).
        """
        if "\n\n" in markdown:
            paragraphs = (p.strip() for p in markdown.split("\n\n"))
            return Markup("".join(f"<p>{self.markdown.renderInline(p)}</p>\n" for p in paragraphs if p))
        return Markup(self.markdown.renderInline(markdown))

    def compile(self, names: tuple[str, ...]) -> None:
        """Compile these Jinja templates now (a build does it before forking, so workers share them).

        A template with a mistake is left to `render`, which says where it is.
        """
        for name in names:
            if name.endswith(".j2"):
                env = self.html_env if name.endswith(".html.j2") else self.md_env
                with contextlib.suppress(jinja2.TemplateError, ProtocolError, OSError):
                    env.get_template(name)

    def render(self, html: bool, name: str, what: str, **context: object) -> str:
        """Render one template; a template's mistake is a located ProtocolError."""
        env = self.html_env if html else self.md_env
        try:
            return env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise ProtocolError(
                f"template error: {exc.message}", Source(f"templates/{name}", exc.lineno or 0)
            ) from None
        except jinja2.TemplateError as exc:
            raise ProtocolError(
                f"template error while rendering {what}: {exc}",
                Source(f"templates/{name}"),
                "protocolc/templates/README.md lists what each template can use",
            ) from None
