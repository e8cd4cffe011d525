"""The template environments (templating.py): what is remembered and the sandbox's short path answer exactly as
the long way does, and a template still cannot reach Python's internals."""

from __future__ import annotations

import dataclasses
import types
from collections import deque
from collections.abc import MutableMapping, MutableSequence, MutableSet
from pathlib import Path

import pytest
from conftest import TmpProject
from jinja2 import Undefined
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from protocolc import api
from protocolc.errors import ProtocolError, Source
from protocolc.formats import FORMATS, Job
from protocolc.layout import lay_out
from protocolc.model import ListStyle, Text
from protocolc.status import SiteEntry
from protocolc.templating import PACKAGED, PLAIN_TYPES, Memo, Sandbox, Templates, markdown_text

# --- Memo ------------------------------------------------------------------------------------------------------


def test_memo_gives_what_the_function_gives_and_calls_it_once_per_text() -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = Memo(shout)
    assert [memo("ab"), memo("cd"), memo("ab"), memo("")] == ["AB", "CD", "AB", ""]
    assert memo("") == ""
    assert calls == ["ab", "cd", ""]
    assert memo(Markup("ab")) == "AB" and calls[-1] == Markup("ab")  # only plain text is remembered
    assert list(memo.found) == ["ab", "cd", ""]


def test_memo_stays_within_its_entries_and_characters_oldest_first() -> None:
    memo = Memo(str.upper, entries=3, chars=40)
    for text in ("a", "b", "c", "d"):
        memo(text)
    assert list(memo.found) == ["b", "c", "d"] and memo.held == 6
    memo("e" * 4)  # 8 characters with its value
    memo("f" * 5)  # 10 more
    assert list(memo.found) == ["d", "eeee", "fffff"] and memo.held == 2 + 8 + 10
    memo("g" * 6)  # 12 characters: over a quarter of the budget, computed but never kept
    assert "g" * 6 not in memo.found and memo("g" * 6) == "G" * 6 and memo.held == 20

    memo = Memo(str.upper, entries=100, chars=40)
    for letter in "abcd":
        memo(letter * 5)
    assert len(memo.found) == 4 and memo.held == 40
    memo("e")  # 42 would be over: the oldest goes
    assert list(memo.found) == ["bbbbb", "ccccc", "ddddd", "e"] and memo.held == 32
    assert memo.held == sum(len(k) + len(v) for k, v in memo.found.items()) <= memo.chars


def test_the_filters_are_remembered_on_the_templates_and_give_the_same_answers() -> None:
    templates = Templates(None)
    fresh = Templates(None)
    text = "The **Clerk** and <the Mayor>\n\n2024. A [link](https://example.org)"
    first = templates.inline_html(text)
    assert templates.inline_html(text) is first
    assert isinstance(first, Markup) and first == fresh.render_inline(text)
    assert "&lt;the Mayor&gt;" in first
    assert templates.markdown_text("- a\n> b") == markdown_text("- a\n> b") == "\\- a\n\\> b"
    assert templates.html_env.filters["md"] is templates.inline_html
    assert templates.md_env.filters["text"] is templates.markdown_text


# --- the sandbox's short path ------------------------------------------------------------------------------------


def test_plain_types_are_none_of_what_the_sandbox_treats_apart() -> None:
    """The short path is right only because of this: Jinja's sandbox judges these types by the name alone."""
    internal = (
        types.FunctionType,
        types.MethodType,
        type,
        types.CodeType,
        types.TracebackType,
        types.FrameType,
        types.GeneratorType,
        types.CoroutineType,
        types.AsyncGeneratorType,
    )
    for kind in PLAIN_TYPES:
        assert not issubclass(kind, internal), kind
        assert not issubclass(kind, (MutableSet, MutableMapping, MutableSequence, deque)), kind
        assert not hasattr(kind, "__getitem__"), kind
        if kind is not LoopContext:
            assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen, kind  # type: ignore[attr-defined]


def _reachable(workspace: api.Workspace, council_id: str) -> list[object]:
    """Every object of a plain type a template can reach from `layout`, one of each type at least."""
    found: dict[int, object] = {}

    def walk(value: object) -> None:
        if id(value) in found:
            return
        if isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif type(value) in PLAIN_TYPES:
            found[id(value)] = value
            for name in dir(value):
                if not name.startswith("_") and not callable(getattr(value, name)):
                    walk(getattr(value, name))

    walk(lay_out(workspace.document(council_id)))
    walk(ListStyle(case="lower", ending=";"))
    walk(Text("words", Source("clauses/x.yaml", 3), "library"))
    walk(SiteEntry("hexham", "protocol", "Hexham", "Protocol", "2", "1 May 2023", "May 2026", "ok", (("HTML", "x"),)))
    return list(found.values())


def _same(fast: object, slow: object) -> None:
    if isinstance(slow, Undefined):
        assert type(fast) is type(slow)
        assert fast._undefined_exception is slow._undefined_exception  # type: ignore[attr-defined]
        assert fast._undefined_hint == slow._undefined_hint  # type: ignore[attr-defined]
        assert fast._undefined_name == slow._undefined_name  # type: ignore[attr-defined]
    else:
        assert fast == slow


@pytest.mark.parametrize("council_id", ["hexham", "duston"])
def test_the_short_path_answers_as_jinjas_sandbox_does(workspace: api.Workspace, council_id: str) -> None:
    fast, slow = Sandbox(), ImmutableSandboxedEnvironment()
    objects = _reachable(workspace, council_id)
    assert {type(o) for o in objects} >= PLAIN_TYPES - {LoopContext}
    tries = ["missing", "_x", "__class__", "__dict__", "__init__", "__reduce_ex__", "__getitem__", "", 0, None]
    for obj in objects:
        for name in [*dir(obj), *tries]:
            if isinstance(name, str):
                _same(fast.getattr(obj, name), slow.getattr(obj, name))
            _same(fast.getitem(obj, name), slow.getitem(obj, name))


def test_the_short_path_reads_jinjas_loop_as_the_long_way_does() -> None:
    fast, slow = Sandbox(), ImmutableSandboxedEnvironment()
    loop = LoopContext(iter("ab"), Undefined)
    next(iter(loop))
    for name in [*dir(loop), "_iterator", "__class__", "missing"]:
        _same(fast.getattr(loop, name), slow.getattr(loop, name))


def _override(tmp_project: TmpProject, name: str, old: str, new: str) -> None:
    packaged = (PACKAGED / name).read_text(encoding="utf-8")
    assert old in packaged
    tmp_project.write(f"templates/{name}", packaged.replace(old, new, 1))


@pytest.mark.parametrize(
    "expression",
    [
        "layout.__class__.__mro__",
        "layout.document.council.source.__init__.__globals__",
        "layout.sections[0].blocks[0].__dataclass_fields__",
        "layout.sections[0]['__class__']",
    ],
)
def test_a_project_template_still_cannot_reach_python_internals(tmp_project: TmpProject, expression: str) -> None:
    _override(tmp_project, "protocol.html.j2", "<body>", "<body>{{ " + expression + " }}")
    with pytest.raises(ProtocolError) as caught:
        tmp_project.html("hexham")
    [problem] = caught.value.problems
    assert problem.message.startswith("template error while rendering hexham/protocol: access to attribute '_")
    assert problem.message.endswith("is unsafe.")


def test_a_project_template_reads_the_same_values_as_before(tmp_project: TmpProject) -> None:
    _override(
        tmp_project,
        "protocol.md.j2",
        "{% if layout.draft %}",
        "{{ layout.current.adopted.british() }}|{{ layout.document.council.source }}|"
        "{{ layout.sections[0]['id'] }}|{{ layout.sections | map(attribute='id') | join(',') }}|"
        "{{ layout.current['adopted'].iso() }}|{{ layout.nothing is undefined }}\n{% if layout.draft %}",
    )
    first = tmp_project.markdown("hexham").splitlines()[0]
    doc = tmp_project.document("hexham")
    ids = ",".join(s.id for s in doc.sections)
    assert first == (
        f"{doc.current.adopted.british()}|{doc.council.source}|{doc.sections[0].id}|{ids}|"  # type: ignore[union-attr]
        f"{doc.current.adopted.iso()}|True"  # type: ignore[union-attr]
    )


# --- templates read once -------------------------------------------------------------------------------------------


def test_each_template_is_read_and_compiled_once_per_templates(tmp_project: TmpProject) -> None:
    """A build renders every document from one reading of its templates; the next build reads them again."""
    tmp_project.write("templates/protocol.md.j2", "one {{ layout.council_name }}\n")
    workspace = tmp_project.workspace()
    templates = workspace.templates
    doc = workspace.document("hexham")
    digest = templates.digest(("protocol.md.j2",))
    compiled = templates.md_env.get_template("protocol.md.j2")
    assert Job(lay_out(doc), templates, FORMATS).output("md") == b"one Hexham Town Council\n"

    tmp_project.write("templates/protocol.md.j2", "two {{ layout.council_name }}\n")
    assert Job(lay_out(doc), templates, FORMATS).output("md") == b"one Hexham Town Council\n"
    assert templates.md_env.get_template("protocol.md.j2") is compiled
    assert templates.digest(("protocol.md.j2",)) == digest

    again = tmp_project.workspace().templates
    assert Job(lay_out(doc), again, FORMATS).output("md") == b"two Hexham Town Council\n"
    assert again.digest(("protocol.md.j2",)) != digest


def test_a_template_linked_outside_is_refused_every_time_it_is_asked_for(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.j2"
    secret.write_text("secret\n", encoding="utf-8")
    (tmp_project.root / "templates").mkdir()
    (tmp_project.root / "templates" / "protocol.md.j2").symlink_to(secret)
    workspace = tmp_project.workspace()
    job = Job(lay_out(workspace.document("hexham")), workspace.templates, FORMATS)
    for _ in range(2):
        with pytest.raises(ProtocolError, match="outside"):
            job.output("md")
