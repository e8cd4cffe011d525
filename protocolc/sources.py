"""Sources stage: YAML text -> located values (Str, Map, Seq), and a Reader that types them.

YAML is read with PyYAML's composer only, so every scalar stays the string the
clerk typed ('1.10' stays '1.10', 'no' stays 'no') and we type values ourselves.
Every value keeps its file, line and column; all problems in a file are collected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .confine import check_read
from .errors import Problem, ProtocolError, Source, did_you_mean, relative
from .model import PartialDate, Text
from .strays import odd_suffix

# libyaml's parser when PyYAML was built with it (about ten times faster), else the pure-Python one.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
IMPLICIT_TYPES = yaml.resolver.Resolver()  # YAML 1.1's rules for what an unquoted value means
MAX_NODES = 100_000  # refuse alias "billion laughs" bombs


# --- located YAML ------------------------------------------------------------------


class Str(str):
    """A YAML scalar: always a string, with its source."""

    source: Source
    plain: bool  # written without quotes: other YAML readers may turn it into a number, date or boolean


class Map(dict):
    """A YAML mapping with the source of the mapping and of each key."""

    source: Source
    key_sources: dict[str, Source]


class Seq(list):
    """A YAML sequence with its source."""

    source: Source


def _source(path: str, mark: yaml.Mark) -> Source:
    return Source(path, mark.line + 1, mark.column + 1)


def _block_start(path: str, lines: list[str], mark: yaml.Mark) -> Source:
    """A block scalar ('text: |') starts on the line after its indicator: point at that line's first character."""
    index = mark.line + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    line = lines[index] if index < len(lines) else ""
    return Source(path, index + 1, len(line) - len(line.lstrip()) + 1)


def _compose(loader_class: type, text: str, path: str) -> yaml.Node | None:
    loader = loader_class(text)
    loader.name = path
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document into Str/Map/Seq values; reject duplicate keys and alias bombs."""
    try:
        try:
            node = _compose(YAML_LOADER, text, path)
        except yaml.YAMLError:
            # The pure-Python parser's messages name the offending character: worth its slowness on a bad file.
            node = _compose(yaml.SafeLoader, text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = (exc.problem or exc.context or "malformed YAML").strip()
        hint = "check the indentation and that text containing ': ' or '#' is in quotes"
        if "\\t" in message or "\t" in message:
            hint = "YAML does not allow tab characters for indentation: use spaces"
        raise ProtocolError(f"invalid YAML: {message}", _source(path, mark) if mark else Source(path), hint) from None
    except yaml.YAMLError as exc:
        raise ProtocolError(f"invalid YAML: {exc}", Source(path)) from None
    if node is None:
        empty = Map()
        empty.source, empty.key_sources = Source(path, 1, 1), {}
        return empty
    problems: list[Problem] = []
    count = [0]
    lines = text.splitlines()

    def convert(n: yaml.Node) -> Any:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise ProtocolError("file is too large or uses too many aliases", _source(path, n.start_mark))
        src = _source(path, n.start_mark)
        if isinstance(n, yaml.ScalarNode) and n.style in ("|", ">") and n.value:
            src = _block_start(path, lines, n.start_mark)
        if isinstance(n, yaml.ScalarNode):
            value = Str(n.value)
            value.source, value.plain = src, not n.style  # libyaml says "" where PyYAML says None
            return value
        if isinstance(n, yaml.SequenceNode):
            seq = Seq(convert(child) for child in n.value)
            seq.source = src
            return seq
        mapping = Map()
        mapping.source, mapping.key_sources = src, {}
        for key_node, value_node in n.value:
            key_src = _source(path, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem("a key must be plain text", key_src))
                continue
            key = key_node.value
            if key in mapping:
                first = mapping.key_sources[key]
                problems.append(
                    Problem(
                        f"duplicate key '{key}' (first given on line {first.line})",
                        key_src,
                        "YAML keeps only the last of repeated keys: remove or merge one of them",
                    )
                )
                continue
            mapping.key_sources[key] = key_src
            mapping[key] = convert(value_node)
        return mapping

    value = convert(node)
    if problems:
        raise ProtocolError(problems)
    return value


def read_yaml(path: Path, root: Path) -> Any:
    check_read(path, root)  # a link out of the project is refused, naming the link
    rel = relative(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise ProtocolError(
            f"file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            Source(rel, line, column),
            "save the file as UTF-8 in your editor (in Notepad: Save As, Encoding: UTF-8)",
        ) from None
    except OSError as exc:
        raise ProtocolError(f"cannot read file: {exc.strerror}", Source(rel)) from None
    return parse_yaml(text, rel)


# --- a small typed reader that collects problems ----------------------------------------


class Reader:
    """Checks located values against what each field expects, collecting every problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, message: str, source: Source | None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, source, hint))

    def mapping(self, value: Any, what: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> Map | None:
        if not isinstance(value, Map):
            self.fail(f"{what} must be a mapping of 'key: value' lines, not {_describe(value)}", _src(value))
            return None
        for key, src in value.key_sources.items():
            if key not in allowed:
                self.fail(
                    f"unknown key '{key}' in {what}",
                    src,
                    did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}",
                )
        for key in required:
            if key not in value:
                self.fail(f"{what} needs '{key}:'", value.source, f"add a '{key}:' line")
        return value

    def string(
        self,
        value: Any,
        what: str,
        *,
        pattern: re.Pattern[str] | None = None,
        pattern_hint: str | None = None,
        text: bool = True,
    ) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Str):
            hint = (
                f"'{what}' takes the text itself: write it after '{what}:' (or on indented lines below "
                f"'{what}: >-'), not under another key"
            )
            self.fail(
                f"{what} must be text, not {_describe(value)}",
                _src(value),
                hint if isinstance(value, Map | Seq) else None,
            )
            return None
        if not value.strip():
            self.fail(f"{what} is empty", value.source)
            return None
        if pattern and not pattern.match(value):
            self.fail(f"{what} '{value}' is not valid{odd_suffix(value)}", value.source, pattern_hint)
            return None
        if text:
            self._check_quoting(value, what)
        return str(value)

    def _check_quoting(self, value: Str, what: str) -> None:
        """Warn where other YAML readers (editors, linters) would not see the text the clerk typed."""
        if not getattr(value, "plain", False) or "\n" in value:
            return
        if IMPLICIT_TYPES.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str":
            return  # YAML's own implicit-type rules (a few regular expressions) keep it text
        try:
            seen = yaml.safe_load(value)
        except yaml.YAMLError:
            return
        if not isinstance(seen, str):
            self.warn(
                f"{what} {value} is not in quotes: other YAML tools read it as {type(seen).__name__} {seen!r}",
                value.source,
                f'write it in quotes: "{value}"',
            )

    def text(self, value: Any, what: str, origin: str) -> Text | None:
        s = self.string(value, what)
        return Text(s.strip("\n"), value.source, origin) if s is not None else None

    def boolean(self, value: Any, what: str, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, Str) and value in ("true", "false"):
            return value == "true"
        self.fail(f"{what} must be true or false, not '{value}'", _src(value), "write true or false")
        return default

    def choice(self, value: Any, what: str, choices: tuple[str, ...]) -> str | None:
        s = self.string(value, what)
        if s is not None and s not in choices:
            self.fail(f"{what} '{s}' is not one of: {', '.join(choices)}", value.source, did_you_mean(s, choices))
            return None
        return s

    def date(self, value: Any, what: str) -> PartialDate | None:
        s = self.string(value, what, text=False)
        if s is None:
            return None
        try:
            return PartialDate.parse(s)
        except ValueError:
            self.fail(
                f"{what} '{s}' is not a real date",
                value.source,
                "write it as YYYY-MM-DD (2023-03-02) or, if only the month is known, YYYY-MM (2023-03)",
            )
            return None

    def sequence(self, value: Any, what: str) -> Seq:
        if value is None:
            return Seq()
        if not isinstance(value, Seq):
            self.fail(f"{what} must be a list (lines starting with '- '), not {_describe(value)}", _src(value))
            return Seq()
        return value

    def warn(self, message: str, source: Source | None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, source, hint, severity="warning"))

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_any(self) -> None:
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            raise ProtocolError(errors)


def _src(value: Any) -> Source | None:
    return getattr(value, "source", None)


def _describe(value: Any) -> str:
    if isinstance(value, Map):
        return "a mapping"
    if isinstance(value, Seq):
        return "a list"
    if value is None:
        return "nothing"
    return f"the text '{value}'"
