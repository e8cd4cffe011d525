"""The Jinja environments that lay documents out, with the project's templates over the packaged ones.

A project's own `templates/` folder overrides the defaults shipped in the package file by
file, so a documents repository needs no templates at all. Templates are rendered in
Jinja's sandbox with undefined names as errors.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from .confine import check_read
from .errors import ProtocolError, Source

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
    pad = " " * width
    return "\n".join(line if n == 0 or not line else pad + line for n, line in enumerate(text.split("\n")))


def slug(clause_id: str) -> str:
    """A clause's permalink anchor: its id with dots as dashes (`councillors.areas` -> `councillors-areas`)."""
    return clause_id.replace(".", "-")


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the folders, refusing a template file that is a link to somewhere else."""

    def __init__(self, folders: list[Path]) -> None:
        super().__init__([str(f) for f in folders])
        self.folders = folders

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        contents, filename, uptodate = super().get_source(environment, template)
        confined(Path(filename), self.folders)
        return contents, filename, uptodate


def confined(path: Path, folders: list[Path]) -> Path:
    """A template file, refused when it resolves outside the template folder it was found in."""
    folder = next((f for f in folders if Path(os.path.abspath(path)).is_relative_to(os.path.abspath(f))), None)
    if folder is not None:
        check_read(path, folder, folder.parent)
    return path


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
        )
        self.md_env = ImmutableSandboxedEnvironment(autoescape=False, **common)
        self.html_env = ImmutableSandboxedEnvironment(autoescape=True, **common)
        self.markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
        self.html_env.filters["md"] = self.inline_html
        self.md_env.filters["text"] = markdown_text
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
        """One hash of the files these templates resolve to: what a format's outputs depend on."""
        hashed = hashlib.sha256()
        for name in names:
            hashed.update(name.encode() + b"\0" + self.path(name).read_bytes() + b"\0")
        return hashed.hexdigest()

    def inline_html(self, markdown: str) -> Markup:
        """Clause Markdown to HTML; raw HTML in the sources is escaped, never passed through.

        Clause text is inline Markdown in paragraphs: a line start is never a list, quote or heading
        (protocol.md escapes the same, so GitHub shows the same words and structure).
        """
        if "\n\n" in markdown:
            paragraphs = (p.strip() for p in markdown.split("\n\n"))
            return Markup("".join(f"<p>{self.markdown.renderInline(p)}</p>\n" for p in paragraphs if p))
        return Markup(self.markdown.renderInline(markdown))

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
