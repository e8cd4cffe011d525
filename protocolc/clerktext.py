"""Clerk-written text is text with placeholders, not a program.

A text may print names (the terms and the council's facts), `ref('section.clause')` with the id
written as a quoted string, quoted strings (`{{ '{{' }}` prints two braces) and a few filters that
change letter case, and may print words only when a fact is given (`{% if contact %}...{% endif %}`,
the condition a bare name). Every other Jinja expression or statement is refused before the text is compiled,
by walking the parsed template, so no clerk-written text can calculate, loop or reach Python objects;
what remains runs with its output size capped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_FILTERS = ("lower", "upper", "capitalize", "title", "trim")
MAX_OUTPUT = 200_000  # characters of one rendered text: far beyond any clause, far below a runaway
ALLOWED_HINT = (
    "a text may use {{ name }} (a term or a fact of the council), {{ ref('section.clause') }} "
    "and the filters " + ", ".join(ALLOWED_FILTERS) + ", e.g. {{ councillors | capitalize }}"
)

_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.If: "{% if %}",
    nodes.For: "{% for %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.With: "{% with %}",
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
}

_OPERATORS: dict[type[nodes.Node], str] = {
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
    nodes.Concat: "~",
    nodes.And: "and",
    nodes.Or: "or",
    nodes.Not: "not",
    nodes.Neg: "-",
    nodes.Pos: "+",
    nodes.Compare: "a comparison",
    nodes.CondExpr: "if ... else",
}


_K = TypeVar("_K")
_V = TypeVar("_V")
MAX_REMEMBERED = 20_000  # texts (or a text and its values) remembered: every library text, many councils' own
MAX_COMPILED = 2_000  # compiled templates are larger: the library's texts with placeholders, and some councils'


def remember(cache: dict[_K, _V], key: _K, value: _V, limit: int = MAX_REMEMBERED) -> None:
    """Keep `value` under `key`, forgetting the oldest entry when the cache is full, so it stays bounded."""
    if len(cache) >= limit:
        del cache[next(iter(cache))]
    cache[key] = value


class ClerkTextError(Exception):
    """A text that is not allowed, or that failed while rendering: a message and a hint for the clerk."""

    def __init__(self, message: str, hint: str = ALLOWED_HINT, line: int = 1) -> None:
        super().__init__(message)
        self.message, self.hint, self.line = message, hint, line


def _describe(node: nodes.Node) -> str:
    """What a refused node is, in a clerk's words."""
    for kind, name in _STATEMENTS.items():
        if isinstance(node, kind):
            return f"the statement {name}"
    for kind, name in _OPERATORS.items():
        if isinstance(node, kind):
            return f"a calculation ({name})"
    if isinstance(node, nodes.Const):
        return f"the value {node.value!r}" if not isinstance(node.value, str) else "a quoted string here"
    if isinstance(node, nodes.Getattr):
        return f"'.{node.attr}' after a name"
    if isinstance(node, nodes.Getitem):
        return "'[...]' after a name"
    if isinstance(node, nodes.Call):
        return "a call"
    if isinstance(node, (nodes.List, nodes.Tuple, nodes.Dict)):
        return "a list or a table of values"
    if isinstance(node, nodes.Test):
        return "a test ('is ...')"
    if isinstance(node, nodes.Slice):
        return "a slice"
    return f"an expression of kind {type(node).__name__}"


def _ref_call(node: nodes.Call) -> bool:
    return (
        isinstance(node.node, nodes.Name)
        and node.node.name == "ref"
        and len(node.args) == 1
        and isinstance(node.args[0], nodes.Const)
        and isinstance(node.args[0].value, str)
        and not node.kwargs
        and node.dyn_args is None
        and node.dyn_kwargs is None
    )


def _refused(node: nodes.Node) -> Iterator[nodes.Node]:
    """Every node of the tree that clerk text may not use, outermost first."""
    if isinstance(node, (nodes.Template, nodes.Output)):
        for child in node.iter_child_nodes():
            yield from _refused(child)
    elif isinstance(node, nodes.TemplateData):
        return
    elif isinstance(node, nodes.If):  # `{% if contact %}...{% endif %}`: a fact that may be missing, nothing more
        if not isinstance(node.test, nodes.Name) or node.test.ctx != "load":
            yield node  # a condition other than a bare name: a comparison, a call, a calculation
        for child in (*node.body, *node.elif_, *node.else_):
            yield from _refused(child)
    elif isinstance(node, nodes.Name):
        if node.ctx != "load":
            yield node
    elif isinstance(node, nodes.Const):
        if not isinstance(node.value, str):
            yield node
    elif isinstance(node, nodes.Call):
        if not _ref_call(node):
            yield node
    elif isinstance(node, nodes.Filter):
        if node.name not in ALLOWED_FILTERS or node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
            yield node
        elif node.node is not None:
            yield from _refused(node.node)
    else:
        yield node


def _innermost(node: nodes.Node) -> nodes.Node:
    """The first refused step of a chain as written: `.__class__` in `x.__class__.__mro__[1]()`."""
    while True:
        if not isinstance(node, (nodes.Call, nodes.Getattr, nodes.Getitem)):
            return node
        inner = node.node
        if not isinstance(inner, (nodes.Call, nodes.Getattr, nodes.Getitem)):
            return node
        node = inner


def check(tree: nodes.Template) -> None:
    """Refuse the first node a clerk's text may not use, saying what it is and what is allowed."""
    for node in _refused(tree):
        line = getattr(node, "lineno", 1) or 1
        node = _innermost(node)
        if isinstance(node, nodes.Filter):
            if node.name in ALLOWED_FILTERS:
                raise ClerkTextError(f"the filter '{node.name}' takes no arguments in a text", line=line)
            raise ClerkTextError(f"text uses the filter '{node.name}', which texts may not use", line=line)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "ref":
            raise ClerkTextError(
                "ref() takes exactly one clause id in quotes",
                "write it as {{ ref('section.clause') }}",
                line,
            )
        if isinstance(node, nodes.Name):
            raise ClerkTextError(f"text assigns to '{node.name}', which texts may not do", line=line)
        raise ClerkTextError(f"text uses {_describe(node)}, which texts may not use", line=line)


class ClerkText:
    """Compiles clerk text once it is checked, and renders it with its output size capped."""

    def __init__(self, finalize: Callable[[object], str] | None = None) -> None:
        self.env = ImmutableSandboxedEnvironment(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=finalize
        )
        self._compiled: dict[str, jinja2.Template] = {}

    def compile(self, source: str) -> jinja2.Template:
        """The checked, compiled template of a text: jinja2.TemplateSyntaxError or ClerkTextError if it is refused."""
        template = self._compiled.get(source)
        if template is None:
            try:
                tree = self.env.parse(source)
            except RecursionError:
                raise ClerkTextError("text is nested too deeply to read") from None
            check(tree)
            template = self.env.from_string(tree)
            remember(self._compiled, source, template, MAX_COMPILED)
        return template

    def render(self, source: str, variables: Mapping[str, object]) -> str:
        """The text with its placeholders filled in; text without '{' is not a template."""
        if "{" not in source:
            return source
        template = self.compile(source)
        pieces: list[str] = []
        size = 0
        for piece in template.generate(variables):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise ClerkTextError(
                    f"text would print more than {MAX_OUTPUT:,} characters",
                    "check the terms and facts it prints; a clause should be a paragraph or two",
                )
            pieces.append(piece)
        return "".join(pieces)


# --- what the rendered Markdown may contain ------------------------------------------------------------------

_DETECTOR = MarkdownIt("commonmark", {"html": True}).enable("table")
MARKUP_HINT = "clause text is words only: remove the image or the HTML tag; to print '<' as a character write '\\<'"


def _tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _tokens(token.children)


def markup_problems(markdown: str) -> list[tuple[str, str]]:
    """Images and raw HTML in a rendered text, as (message, hint): a document refers to nothing outside itself.

    Markdown is parsed with HTML enabled only to find it: outputs never pass HTML through, and an image
    would make the PDF fetch a file or an address while it is laid out.
    """
    if "<" not in markdown and "![" not in markdown:
        return []
    found: list[tuple[str, str]] = []
    html = False
    for token in _tokens(_DETECTOR.parse(markdown)):
        if token.type == "image":
            found.append((f"text shows an image ({token.attrGet('src')}), which texts may not do", MARKUP_HINT))
        elif token.type in ("html_inline", "html_block") and not html:  # the first tag says enough
            html = True
            tag = " ".join(token.content.split())
            tag = tag if len(tag) <= 40 else tag[:39] + "…"
            found.append((f"text contains HTML ({tag}), which texts may not contain", MARKUP_HINT))
    return found
