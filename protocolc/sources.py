"""Sources stage: YAML text -> located values (Str, Map, Seq), and a Reader that types them.

YAML is read as PyYAML's parser events, composed here with an explicit stack (no input
can exhaust Python's), so every scalar stays the string the clerk typed ('1.10' stays
'1.10', 'no' stays 'no') and we type values ourselves. Every value keeps its file, line
and column; all problems in a file are collected. What cannot be read safely (tags,
looping or exploding aliases, deep nesting, huge files, control and bidirectional
characters) is refused, and a syntax error is explained in plain words at the line the
clerk has to look at, with the fix.
"""

from __future__ import annotations

import calendar
import os
import re
import unicodedata
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
WORD_TYPES = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")  # implicit types that are single words
MAX_BYTES = 1024 * 1024  # a council or library file is a few tens of kilobytes
MAX_NODES = 100_000  # refuse alias "billion laughs" bombs
MAX_DEPTH = 50  # lists and mappings inside each other; real files go about eight deep
MAX_CHARACTER_PROBLEMS = 10  # a file full of control characters is reported by its first few

# Characters refused anywhere in a file: C0 and C1 controls (tab, line feed and carriage return are fine),
# the bidirectional controls that make text display in another order than it is stored, lone surrogates
# and the two non-characters.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")  # what YAML counts as the end of a line
C0_NAMES = (
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "BELL",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)
GENERIC_HINT = "check the indentation and that text containing ': ' or '#' is in quotes"
TAB_HINT = "YAML does not allow tab characters for indentation: use spaces"


# --- located YAML ------------------------------------------------------------------


class Str(str):
    """A YAML scalar: always a string, with its source."""

    source: Source
    plain: bool  # written without quotes: other YAML readers may turn it into a number, date or boolean


class Map(dict[str, Any]):
    """A YAML mapping with the source of the mapping and of each key."""

    source: Source
    key_sources: dict[str, Source]


class Seq(list[Any]):
    """A YAML sequence with its source."""

    source: Source


def _source(path: str, mark: Any) -> Source:
    return Source(path, mark.line + 1, mark.column + 1)


_new = object.__new__


def _located(path: str, line: int, column: int) -> Source:
    """Source(path, line, column), made without the frozen dataclass's __init__ (an object.__setattr__ per field).

    The composer makes one for every value of every file read, where that __init__ was a tenth of the time.
    The result is an ordinary Source: equal, hashed, ordered and printed like one made the usual way.
    """
    source = _new(Source)
    fields = source.__dict__
    fields["path"] = path
    fields["line"] = line
    fields["column"] = column
    return source


def _block_start(path: str, lines: list[str], mark: Any) -> Source:
    """A block scalar ('text: |') starts on the line after its indicator: point at that line's first character."""
    index = mark.line + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    line = lines[index] if index < len(lines) else ""
    return Source(path, index + 1, len(line) - len(line.lstrip()) + 1)


def character_name(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE': a character as the Unicode standard names it."""
    code = ord(char)
    name = unicodedata.name(char, "")
    if not name:
        if code < 0x20:
            name = C0_NAMES[code]
        elif code == 0x7F:
            name = "DELETE"
        elif code == 0x85:
            name = "NEXT LINE"
        elif 0x80 <= code <= 0x9F:
            name = "C1 CONTROL CHARACTER"
        elif 0xD800 <= code <= 0xDFFF:
            name = "SURROGATE (half of a character, alone)"
        else:
            name = "NON-CHARACTER"
    return f"U+{code:04X} {name}"


def _character_problem(char: str, source: Source, escaped: bool = False) -> Problem:
    name = character_name(char)
    if BIDI.match(char):
        what = f"the invisible bidirectional control character {name} is not allowed"
        hint = "it can make text display in a different order from what is stored: delete it"
    elif 0xD800 <= ord(char) <= 0xDFFF:
        what = f"the character {name} is not allowed"
        hint = "a lone surrogate is not a character: delete it (or the \\u escape that gives it)"
    else:
        what = f"the control character {name} is not allowed"
        hint = "delete it: it is invisible in most editors and often comes from text pasted from another program"
    if escaped:
        what = f"the '\\' escape in this quoted text gives {name}, which is not allowed"
        hint = "remove the escape"
    return Problem(what, source, hint)


def _split_lines(text: str) -> list[str]:
    if "\r" not in text and "\u2028" not in text and "\u2029" not in text:
        return text.split("\n")  # the usual file: the same lines, without the regular expression's cost
    return LINE_BREAK.split(text)


def _check_characters(text: str, path: str) -> None:
    """Refuse control, bidirectional and surrogate characters, each named and placed at its line and column."""
    if not FORBIDDEN.search(text):
        return
    problems: list[Problem] = []
    for number, line in enumerate(_split_lines(text), start=1):
        for match in FORBIDDEN.finditer(line):
            problems.append(_character_problem(match[0], Source(path, number, match.start() + 1)))
            if len(problems) == MAX_CHARACTER_PROBLEMS:
                raise ProtocolError(problems)
    raise ProtocolError(problems)


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document into Str/Map/Seq values.

    Refuses (as ProtocolError, never anything else) files over MAX_BYTES, control and bidirectional
    characters, tags, aliases that loop or blow up, nesting deeper than MAX_DEPTH and duplicate keys;
    a YAML syntax error is explained in plain words at the line where the clerk has to look.
    """
    # (a character is at most 4 bytes of UTF-8, so a text of a quarter of the limit is not encoded to be measured)
    if len(text) > MAX_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ProtocolError(
            f"file is too large ({len(text.encode('utf-8', 'surrogatepass')):,} bytes; the limit is {MAX_BYTES:,})",
            Source(path),
            "a council or library file is a few tens of kilobytes: check that this is the right file",
        )
    text = text.removeprefix("\ufeff")  # the byte-order mark Notepad may write: not a character of line 1
    _check_characters(text, path)
    lines = _split_lines(text)
    try:
        try:
            return _Composer(YAML_LOADER, text, path, lines).run()
        except yaml.YAMLError:
            if YAML_LOADER is yaml.SafeLoader:
                raise
            # The pure-Python parser's messages name the offending character: worth its slowness on a bad file.
            return _Composer(yaml.SafeLoader, text, path, lines).run()
    except yaml.MarkedYAMLError as exc:
        raise ProtocolError([explain_yaml_error(exc, lines, path)]) from None
    except yaml.YAMLError as exc:
        raise ProtocolError(f"invalid YAML: {exc}", Source(path)) from None
    except RecursionError:  # not expected: the composer below keeps its own stack
        raise ProtocolError(
            "lists and mappings are nested too deeply", Source(path), "a council file needs only a few levels"
        ) from None


def read_yaml(path: Path, root: Path) -> Any:
    return parse_yaml(*read_text(path, root))


def read_text(path: Path, root: Path) -> tuple[str, str]:
    """A project file's text and its path as the clerk sees it; a link out of the project, a huge file or
    one that is not UTF-8 is refused, as read_yaml refuses it.

    Every council's files are read this way, so the usual case (a UTF-8 file inside the project, read without
    error) takes a short way: its path resolved once as text, one open. Anything else takes the careful way,
    _read_text_checked, which gives every refusal and message.
    """
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    prefix = os.path.join(real_root, "")  # the root with one separator after it
    if os.sep != "/" or not real.startswith(prefix) or len(real) == len(prefix):
        return _read_text_checked(path, root)
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_BYTES:
                return _read_text_checked(path, root)
            data = file.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return _read_text_checked(path, root)
    if "\r" in text:  # line ends as Path.read_text gives them (universal newlines)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, real[len(prefix) :]  # what relative() gives: the resolved path below the resolved root


def _read_text_checked(path: Path, root: Path) -> tuple[str, str]:
    """read_text, step by step: the link check, the size, the encoding, each refused with its own message."""
    check_read(path, root)  # a link out of the project is refused, naming the link
    rel = relative(path, root)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ProtocolError(
                f"file is too large ({size:,} bytes; the limit is {MAX_BYTES:,})",
                Source(rel),
                "a council or library file is a few tens of kilobytes: check that this is the right file",
            )
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
    return text, rel


# --- composing events into located values, without recursion ------------------------------------------------


_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _MAPPING_END, _SEQUENCE_END = yaml.MappingStartEvent, yaml.MappingEndEvent, yaml.SequenceEndEvent
PLAIN_COMMENT = re.compile(r"[ \t]+#([^\s#])")  # ' #note' after unquoted text: YAML's comment, not the text's


class _Frame:
    """A mapping or list being filled: its value, where it started, and (for a mapping) the key read last."""

    __slots__ = ("value", "is_list", "anchor", "size", "key", "key_source", "key_ok")

    def __init__(self, value: Map | Seq, anchor: str | None) -> None:
        self.value = value
        self.is_list = value.__class__ is Seq
        self.anchor = anchor
        self.size = 1
        self.key: Any = None
        self.key_source: Source | None = None
        self.key_ok = False


class _Composer:
    """Builds Str/Map/Seq from the parser's events with an explicit stack, so no input can exhaust Python's."""

    def __init__(self, loader_class: type, text: str, path: str, lines: list[str]) -> None:
        self.loader_class, self.text, self.path, self.lines = loader_class, text, path, lines
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.count = 0
        self.hash_lines = {index for index, line in enumerate(lines) if "#" in line}  # where a comment may cut text

    def run(self) -> Any:
        loader = self.loader_class(self.text)
        loader.name = self.path
        try:
            value = self._document(loader)
        finally:
            loader.dispose()
        if self.problems:
            raise ProtocolError(self.problems)
        return value

    def _document(self, loader: Any) -> Any:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            empty = Map()
            empty.source, empty.key_sources = Source(self.path, 1, 1), {}
            return empty
        loader.get_event()  # document start
        value = self._node(loader)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise ProtocolError(
                "the file holds a second YAML document here",
                _source(self.path, event.start_mark),
                "a file holds one document: remove the '---' line (or the '...' line) and anything after it",
            )
        return value

    def _node(self, loader: Any) -> Any:
        # The hot loop of every file read: events are told apart by their exact class (the parsers make no
        # subclasses) and the common cases (a scalar, a key, an entry of a list) are handled inline; anything
        # unusual (a tag, an alias, a repeated key) goes through the careful methods below.
        stack: list[_Frame] = []
        parent: _Frame | None = None  # stack[-1], kept in a local
        open_anchors: set[str] = set()
        get_event = loader.get_event
        path, hash_lines = self.path, self.hash_lines
        value: Any
        size: int
        while True:
            event = get_event()
            kind = event.__class__
            if kind is _SCALAR:
                text = event.value
                if event.style or event.tag is not None or event.end_mark.line in hash_lines or text.endswith('"'):
                    if event.tag is not None:
                        self._tag_problem(event)
                    value = self._scalar(event, parent)
                else:  # unquoted text with nothing to check (see _scalar), the most common value of all
                    value = Str(text)
                    value.plain = True
                    mark = event.start_mark
                    value.source = _located(path, mark.line + 1, mark.column + 1)
                size = 1
                self.count += 1
                if self.count > MAX_NODES:
                    self._count(0, event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                parent = stack[-1] if stack else None
                value, size = frame.value, frame.size
                if frame.anchor is not None:
                    open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (value, size)
            elif kind is _ALIAS:
                value, size = self._alias(event, open_anchors)
                self._count(size, event)
            else:
                if event.tag is not None:
                    self._tag_problem(event)
                if len(stack) >= MAX_DEPTH:
                    raise ProtocolError(
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep here",
                        _source(path, event.start_mark),
                        "a council file needs only a few levels: check the indentation and the '[' and '{'",
                    )
                self._count(1, event)
                collection: Map | Seq
                if kind is _MAPPING_START:
                    collection = Map()
                    collection.key_sources = {}
                else:
                    collection = Seq()
                mark = event.start_mark
                collection.source = _located(path, mark.line + 1, mark.column + 1)
                if event.anchor is not None:
                    open_anchors.add(event.anchor)
                parent = _Frame(collection, event.anchor)
                stack.append(parent)
                continue
            if parent is None:
                return value
            target: Any = parent.value  # a Seq when parent.is_list, else a Map
            if parent.is_list:
                parent.size += size
                target.append(value)
            elif parent.key_source is not None:  # the value of the key read last
                parent.size += size
                if parent.key_ok:
                    key = str(parent.key)
                    target.key_sources[key] = parent.key_source
                    target[key] = value
                parent.key, parent.key_source, parent.key_ok = None, None, False
            elif kind is _SCALAR and value not in target:  # a new key written as text: _attach's usual case
                parent.size += 1
                parent.key, parent.key_source, parent.key_ok = value, value.source, True
            else:
                self._attach(parent, value, size, event)

    def _count(self, size: int, event: Any) -> None:
        self.count += size
        if self.count > MAX_NODES:
            raise ProtocolError(
                "file is too large or uses too many aliases",
                _source(self.path, event.start_mark),
                f"a file may hold at most {MAX_NODES} values, counting each use of an alias ('*name') in full",
            )

    def _alias(self, event: Any, open_anchors: set[str]) -> tuple[Any, int]:
        name = event.anchor
        where = _source(self.path, event.start_mark)
        if name in open_anchors:
            raise ProtocolError(
                f"the alias '*{name}' is inside the value it repeats ('&{name}'), so it would repeat for ever",
                where,
                f"remove '*{name}' from inside '&{name}'",
            )
        if name not in self.anchors:
            line = self.lines[event.start_mark.line] if event.start_mark.line < len(self.lines) else ""
            found = KEY_VALUE.match(line)
            text = line[event.start_mark.column :].rstrip()
            written = f"{found[2].strip()}: " if found else ""
            raise ProtocolError(
                f"a value starting with '*' repeats the value marked '&{name}', but no value above is marked so",
                where,
                f"if this is text, put it in quotes: {written}{_quoted(text)}",
            )
        return self.anchors[name]

    def _tag_problem(self, event: Any) -> None:
        mark = event.start_mark
        line = self.lines[mark.line] if mark.line < len(self.lines) else ""
        found = re.search(r"!\S*", line[mark.column :])
        tag = found[0] if found else str(event.tag)
        column = mark.column + (found.start() if found else 0)
        self.problems.append(
            Problem(
                f"'{tag}' is a YAML tag, which protocolc does not read",
                Source(self.path, mark.line + 1, column + 1),
                f"remove '{tag}': values are plain text, lists and 'key: value' lines "
                "(put text that starts with '!' in quotes)",
            )
        )

    def _scalar(self, event: Any, parent: _Frame | None) -> Str:
        text = event.value
        value = Str(text)
        style = event.style
        value.plain = plain = not style  # libyaml says "" where PyYAML says None
        if plain or style == "'" or style == '"' or not text:
            mark = event.start_mark
            value.source = _located(self.path, mark.line + 1, mark.column + 1)
        else:  # a block scalar, '|' or '>'
            value.source = _block_start(self.path, self.lines, event.start_mark)
        if style == '"':
            bad = FORBIDDEN.search(text)
            if bad:
                self.problems.append(_character_problem(bad[0], value.source, escaped=True))
        if plain:
            # Only a line with '#' after the text, or text ending in '"', can need a word (see _check_plain).
            end_line = event.end_mark.line
            if end_line not in self.hash_lines and not text.endswith('"'):
                return value
            if parent is None or parent.is_list:
                self._check_plain(event, value, None)
            elif parent.key_source is not None:  # a mapping's value (a key is not checked)
                key = parent.key
                self._check_plain(event, value, key if isinstance(key, str) else None)
        return value

    def _check_plain(self, event: Any, value: str, key: str | None) -> None:
        """Unquoted text cut short by ' #' (YAML reads the rest as a comment), or with a stray quote."""
        end = event.end_mark
        line = self.lines[end.line] if end.line < len(self.lines) else ""
        stray = value.endswith('"') and "\n" not in value and value.count('"') % 2 == 1
        comment = PLAIN_COMMENT.match(line, end.column) if "#" in line else None
        if not comment and not stray:
            return
        written = f"{key}: " if key else ""
        if comment:
            hash_index = comment.start(1) - 1  # matched in the whole line, from the value's end
            rest = line[hash_index:].rstrip()
            self.problems.append(
                Problem(
                    f"YAML reads '{rest}' as a comment, so the text stops at '{_tail(value)}'",
                    Source(self.path, end.line + 1, hash_index + 1),
                    f"if '{rest}' is part of the text, put the whole text in quotes "
                    f"({written}\"{value} {rest}\") or write it on indented lines under '{written.strip() or '-'} >-'; "
                    "if it is a note, put a space after '#'",
                )
            )
        if stray:
            self.problems.append(
                Problem(
                    f"the unquoted value '{value}' ends with a stray '\"'",
                    Source(self.path, end.line + 1, end.column),
                    f'write {written}"{value[:-1]}" (quotes at both ends) or {written}{value[:-1]} (no quotes)',
                )
            )

    def _attach(self, parent: _Frame, value: Any, size: int, event: Any) -> None:
        parent.size += size
        if isinstance(parent.value, Seq):
            parent.value.append(value)
            return
        if parent.key_source is None:  # this is a key
            parent.key = value
            parent.key_source = getattr(value, "source", None) or _source(self.path, event.start_mark)
            if isinstance(event, yaml.AliasEvent):
                parent.key_source = _source(self.path, event.start_mark)
            parent.key_ok = isinstance(value, Str)
            if not parent.key_ok:
                self.problems.append(Problem("a key must be plain text", parent.key_source))
            elif value in parent.value:
                first = parent.value.key_sources[value]
                self.problems.append(
                    Problem(
                        f"duplicate key '{value}' (first given on line {first.line})",
                        parent.key_source,
                        "YAML keeps only the last of repeated keys: remove or merge one of them",
                    )
                )
                parent.key_ok = False
            return
        if parent.key_ok:
            mapping = parent.value
            assert isinstance(mapping, Map)
            mapping.key_sources[str(parent.key)] = parent.key_source
            mapping[str(parent.key)] = value
        parent.key, parent.key_source, parent.key_ok = None, None, False


def _tail(value: str, words: int = 4) -> str:
    parts = value.split()
    return ("..." if len(parts) > words else "") + " ".join(parts[-words:])


# --- explaining YAML syntax errors in plain words -----------------------------------------------------------

STRUCTURE = (
    "mapping values are not allowed",
    "did not find expected key",
    "expected <block end>",
    "did not find expected '-' indicator",
    "could not find expected ':'",
    "expected '<document start>'",
)
BLOCK_OPENER = re.compile(r"(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$")
KEY_VALUE = re.compile(r"^(\s*(?:-\s+)*)([^\s#'\"\[{][^:#]*?):(?:\s+(.*))?$")


def explain_yaml_error(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem:
    """A YAML syntax error as a clerk can act on it: what is wrong, on the line to look at, and the fix."""
    problem = (exc.problem or exc.context or "malformed YAML").strip()
    mark = exc.problem_mark or exc.context_mark
    if "\\t" in problem or "\t" in problem or "tab character" in problem:
        return Problem(f"invalid YAML: {problem}", _source(path, mark) if mark else Source(path), TAB_HINT)
    for explain in (
        _unclosed_quote,
        _quote_spanning_lines,
        _text_after_quote,
        _swallowed_items,
        _missing_colon,
        _indentation,
        _colon_in_value,
        _bad_start,
    ):
        explained = explain(exc, lines, path)
        if explained:
            return explained
    if mark is None:
        return Problem(f"invalid YAML: {problem}", Source(path), GENERIC_HINT)
    line, column = mark.line, mark.column
    if column == 0 and not _line(lines, line).strip():  # PyYAML points at the start of the line after
        while line > 0 and not _line(lines, line).strip():
            line -= 1
        column = len(_line(lines, line).rstrip())
    return Problem(f"invalid YAML: {problem}", Source(path, line + 1, column + 1), GENERIC_HINT)


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _spaces(n: int) -> str:
    return f"{n} space" if n == 1 else f"{n} spaces"


def _entry(line: str) -> str:
    """A line's text without its indentation and list dashes: 'version: "1"' for '  - version: "1"'."""
    return re.sub(r"^\s*(?:-\s+)*", "", line).rstrip()


def _quoted(value: str) -> str:
    """`value` in the quotes that keep it as typed."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _unclosed_quote(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    context, problem, opened = exc.context or "", exc.problem or "", exc.context_mark
    if "quoted scalar" not in context or opened is None:
        return None
    if "end of stream" not in problem and "document separator" not in problem:
        return None
    line = _line(lines, opened.line)
    quote = line[opened.column] if opened.column < len(line) else '"'
    written = _entry(line)
    return Problem(
        f"the quote ({quote}) opened here, on line {opened.line + 1} at column {opened.column + 1}, is never closed",
        _source(path, opened),
        f"close the quoted text with another {quote}: {written}{quote}",
    )


QUOTED_VALUE = re.compile(r"""^(\s*(?:-\s+)*(?:[^\s#'"\[{][^:#]*?:\s+)?)(["'])""")


def _closing_quote(text: str, start: int, quote: str) -> int:
    """The index in `text` of the quote that closes the one at `start`, or -1."""
    index = start + 1
    while index < len(text):
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and text.startswith("''", index):
                index += 2
                continue
            return index
        index += 1
    return -1


def _quote_spanning_lines(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    """`clerk: "Parish Clerk` with no closing quote: YAML runs on to the next quote, lines below, and fails there."""
    mark = exc.problem_mark
    if mark is None:
        return None
    for row in range(min(mark.line, len(lines))):
        found = QUOTED_VALUE.match(lines[row])
        if not found:
            continue
        quote = found[2]
        rest = "\n".join(lines[row : mark.line + 1])
        start = found.start(2)
        end = _closing_quote(rest, start, quote)
        if end != -1 and "\n" not in rest[start:end]:
            continue  # closed on its own line
        if end == -1 or rest[: end + 1].count("\n") >= mark.line - row:
            written = _entry(lines[row].rstrip())
            return Problem(
                f"the quote ({quote}) opened here, on line {row + 1} at column {start + 1}, is not closed on its line",
                Source(path, row + 1, start + 1),
                f"close the quoted text on the same line: {written}{quote}",
            )
        return None
    return None


def _text_after_quote(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    """`closing: 'the Clerk's duty'`: the apostrophe ends the quoted text and 's duty'' is left over."""
    mark = exc.problem_mark
    if mark is None or "quoted scalar" in (exc.context or ""):
        return None
    line = _line(lines, mark.line)
    close = mark.column - 1
    while close >= 0 and line[close] == " ":
        close -= 1
    if close < 0 or close >= len(line) or line[close] not in "'\"" or mark.column >= len(line):
        return None
    quote = line[close]
    opening = line.find(quote)
    if opening >= close:
        return None
    prefix = _entry(line[:opening] + "x")[:-1]  # the key and ': ' before the quoted text
    tail = line[close + 1 :].rstrip()
    tail = tail[:-1] if tail.endswith(quote) else tail
    apostrophe = (
        quote == "'"
        and line[close - 1].isalnum()
        and (line[mark.column].isalnum() and close == mark.column - 1 or line.rstrip().endswith("'"))
    )
    inner = line[opening + 1 : close] + (quote if apostrophe else "") + tail
    if apostrophe:
        after = re.match(r"\w*", line[close + 1 :])
        word = re.search(r"\w*$", line[:close])[0] + "'" + (after[0] if after else "")  # type: ignore[index]
        return Problem(
            f"the apostrophe in '{word}' ends the text quoted with ' at column {opening + 1}",
            Source(path, mark.line + 1, close + 1),
            f"put text with an apostrophe in double quotes: {prefix}{_quoted(inner)} "
            f"(or write the apostrophe twice: {word.replace(chr(39), chr(39) * 2)})",
        )
    return Problem(
        f"there is more text after the closing {quote} (column {close + 1}) of the quoted text",
        Source(path, mark.line + 1, mark.column + 1),
        f"put all of the text inside the quotes: {prefix}{_quoted(inner)}",
    )


def _missing_colon(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    problem = exc.problem or ""
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        index = exc.context_mark.line
    elif any(s in problem for s in STRUCTURE) and exc.problem_mark is not None:
        # 'clerk Parish Clerk' followed by 'chair: Chair' (perhaps after lines of text read as more of it):
        # the first line at the same indentation is the one without ':'
        here = _line(lines, exc.problem_mark.line)
        index = exc.problem_mark.line - 1
        while index >= 0:
            candidate = _line(lines, index)
            if candidate.strip() and not candidate.lstrip().startswith("#") and _indent(candidate) <= _indent(here):
                break
            index -= 1
        line = _line(lines, index)
        siblings = line.lstrip().startswith("- ") and here.lstrip().startswith("- ") and _indent(line) == _indent(here)
        if (
            index < 0
            or re.search(r":(?:\s|$)", _uncommented(line))
            or _levels(line)[-1] != _indent(here)
            or siblings
            or ":" not in here
            or ("mapping values" in problem and KEY_VALUE.match(here[: exc.problem_mark.column]))
        ):
            return None
    else:
        return None
    line = _line(lines, index)
    entry = _uncommented(_entry(line))
    if not entry or entry.startswith(("'", '"', "#", "[", "{")):
        return None
    column = len(line) - len(line.lstrip(" -"))
    glued = re.match(r"^([^\s:]+):(\S.*)$", entry)
    if glued:
        return Problem(
            f"line {index + 1} has no space after the ':' of its key",
            Source(path, index + 1, column + 1),
            f"write `{glued[1]}: {glued[2]}`",
        )
    key, _, rest = entry.partition(" ")
    hint = f"write `{key}: {rest.strip()}`" if rest.strip() else f"write `{key}:`"
    above = index - 1
    while above >= 0 and not _line(lines, above).strip():
        above -= 1
    previous = KEY_VALUE.match(_line(lines, above))
    if (
        previous
        and len((previous[3] or "").split()) >= 3
        and previous[3][0] not in "'\"|>"
        and _indent(_line(lines, above)) == _indent(line)
    ):
        hint += f"; if the line continues the text of line {above + 1}, indent it more than '{previous[2]}:'"
    return Problem(f"line {index + 1} has no ':' after the key", Source(path, index + 1, column + 1), hint)


def _uncommented(line: str) -> str:
    """A line without a ' # comment' at its end (roughly: quotes are not looked at)."""
    return re.sub(r"(?:^|\s+)#.*$", "", line)


def _swallowed_items(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    """'   - a' above '    - b': the later items, indented more, are read as more of the first one's text."""
    mark = exc.problem_mark
    if mark is None or "mapping values are not allowed" not in (exc.problem or ""):
        return None
    here = _line(lines, mark.line)
    if not here.lstrip().startswith("- "):
        return None
    index = mark.line - 1
    while index >= 0 and (not lines[index].strip() or _indent(lines[index]) >= _indent(here)):
        index -= 1
    line = _line(lines, index)
    if index < 0 or not line.lstrip().startswith("- ") or ":" in _uncommented(line) or index == mark.line - 1:
        return None
    first, indent = _indent(line), _indent(here)
    return Problem(
        f"line {index + 1} is indented {_spaces(first)} and the list items after it {_spaces(indent)}, so YAML "
        f"reads lines {index + 2} to {mark.line + 1} as more of the text on line {index + 1}",
        Source(path, index + 1, first + 1),
        f"line up the '-' of every item in this list, using spaces only (line {index + 1} has {_spaces(first)} "
        f"before it, line {mark.line + 1} has {_spaces(indent)})",
    )


def _levels(line: str) -> list[int]:
    """Where a line's entries start: '  - version: x' gives [2, 4] (the dash, then the key)."""
    levels = [_indent(line)]
    rest = line[levels[0] :]
    while rest.startswith("-") and (len(rest) == 1 or rest[1] == " "):
        stripped = rest[1:].lstrip(" ")
        if not stripped:
            break
        levels.append(levels[-1] + len(rest) - len(stripped))
        rest = stripped
    return levels


def _indentation(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    """A line indented by a number of spaces that lines up with nothing above it."""
    mark = exc.problem_mark
    if mark is None or not any(s in (exc.problem or "") for s in STRUCTURE):
        return None
    here = _line(lines, mark.line)
    if not here.strip() or here.lstrip().startswith("#"):
        return None
    # The entries above, outside block scalars ('text: >-' and its indented lines) and comments.
    entries: list[tuple[int, str]] = []
    block_owner: int | None = None
    block_first: tuple[int, int] | None = None  # the line and indent of a block scalar's first line
    for index in range(min(mark.line, len(lines))):
        line = lines[index]
        if not line.strip():
            continue
        if block_owner is not None and _indent(line) > block_owner:
            block_first = block_first or (index, _indent(line))
            continue
        block_owner, block_first = None, None
        if line.lstrip().startswith("#") or line.startswith(("---", "...")):
            continue
        entries.append((index, line))
        if BLOCK_OPENER.search(line):
            block_owner = _levels(line)[-1]
    if not entries:
        return None
    last_index, last = entries[-1]
    indent = _indent(here)
    in_block = block_owner is not None and block_first is not None and block_owner < indent < block_first[1]
    if in_block and block_first is not None and not KEY_VALUE.match(here):
        first_index, first_indent = block_first
        return Problem(
            f"line {mark.line + 1} is indented {_spaces(indent)}, less than the first line of the text "
            f"under '{_entry(last)}' (line {first_index + 1}, indented {_spaces(first_indent)})",
            Source(path, mark.line + 1, indent + 1),
            f"indent the lines of that text alike: its first line, line {first_index + 1}, sets "
            f"{_spaces(first_indent)} for all of them (use spaces only)",
        )
    root_index, root = entries[0]
    if _indent(root) > 0 and indent < _indent(root):
        return Problem(
            f"line {root_index + 1} is indented {_spaces(_indent(root))}, but the first key of a file starts at "
            "the left edge",
            Source(path, root_index + 1, _indent(root) + 1),
            f"remove the spaces at the start of line {root_index + 1} (use spaces only)",
        )
    last_levels = _levels(last)
    opens = re.search(r"(?:^|\s)-$|:\s*(?:#.*)?$", last.rstrip()) is not None
    if opens and indent > last_levels[-1]:
        return None  # the first entry of a new block
    valid: dict[int, tuple[int, str]] = {}
    lowest = len(here) + 1_000_000
    for index, line in reversed(entries):
        for level in reversed(_levels(line)):
            if level < lowest:
                valid[level] = (index, line)
                lowest = level
    if indent in valid:
        dashes = [level for level, (_, line) in valid.items() if line[level : level + 2] in ("- ", "-")]
        at = valid[indent][1]
        if not here.lstrip().startswith("- ") or at[indent : indent + 1] == "-" or not dashes:
            return None
        dash = min(dashes, key=lambda level: (abs(level - indent), -level))
        dash_index = valid[dash][0]
        return Problem(
            f"line {mark.line + 1} starts a list item ('- ') indented {_spaces(indent)}, among the keys of the "
            f"mapping above, but the list's '-' on line {dash_index + 1} is indented {_spaces(dash)}",
            Source(path, mark.line + 1, indent + 1),
            f"indent the '-' of line {mark.line + 1} by exactly {_spaces(dash)}, like line {dash_index + 1}; "
            "use spaces only",
        )
    expected = min(valid, key=lambda level: (abs(level - indent), -level))
    index, line = valid[expected]
    word = re.match(r"-|[^\s:]+:?", line[expected:])
    like = f"'{word[0]}' on line {index + 1}" if word else f"line {index + 1}"
    hint = f"indent line {mark.line + 1} by exactly {_spaces(expected)} to line it up with {like}"
    if not expected:
        hint = f"remove the spaces at the start of line {mark.line + 1} to line it up with {like}"
    position = [i for i, _ in entries].index(index)
    if position > 0 and _indent(line) == expected > indent:
        opener = entries[position - 1][1]
        if _levels(opener)[-1] < expected and re.search(r":\s*(?:#.*)?$", opener.rstrip()):
            hint += f" (or, if line {index + 1} is the one out of line, indent it by {_spaces(indent)})"
    previous = KEY_VALUE.match(last)
    if (
        indent > last_levels[-1]
        and previous
        and previous[3]
        and previous[3][0] not in "|>"
        and not KEY_VALUE.match(here)
    ):
        hint += f"; if it continues the text of line {last_index + 1}, put that text in quotes or use '>-'"
    return Problem(
        f"line {mark.line + 1} is indented {_spaces(indent)} where {_spaces(expected)} are expected "
        f"(lining up with {like})".replace("1 space are", "1 space is"),
        Source(path, mark.line + 1, indent + 1),
        hint + "; use spaces only",
    )


def _colon_in_value(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    """`closing: Adopted: 2024`: a second ': ' inside an unquoted value."""
    mark = exc.problem_mark
    if mark is None or "mapping values are not allowed" not in (exc.problem or ""):
        return None
    line = _line(lines, mark.line)
    found = KEY_VALUE.match(line[: mark.column])
    if not found or not found[3]:
        return None
    key = found[2].strip()
    value = line[found.start(3) :].rstrip()
    return Problem(
        f"the text after '{key}:' contains ': ', which YAML reads as the start of another key",
        Source(path, mark.line + 1, mark.column + 1),
        f"put the text in quotes: {key}: {_quoted(value)}",
    )


def _unclosed_bracket(lines: list[str], last_line: int, last_column: int) -> tuple[int, int] | None:
    """The line and column of the last '[' or '{' not closed before the given place (quotes roughly skipped)."""
    stack: list[tuple[int, int]] = []
    for row in range(min(last_line + 1, len(lines))):
        line = lines[row] if row < last_line else lines[row][:last_column]
        quote = ""
        for column, char in enumerate(line):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"" and (column == 0 or line[column - 1] in " [{,:"):
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] == " "):
                break
            elif char in "[{":
                stack.append((row, column))
            elif char in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _bad_start(exc: yaml.MarkedYAMLError, lines: list[str], path: str) -> Problem | None:
    """Values that begin with a character YAML reserves ('@', '`', '*', '&', '[', '{', '%'), or a bad escape."""
    mark = exc.problem_mark
    if mark is None:
        return None
    context, problem = exc.context or "", exc.problem or ""
    if "flow" in context:
        opened = _unclosed_bracket(lines, mark.line, mark.column)
        if opened is not None:
            row, column = opened
            bracket = lines[row][column]
            closer = "]" if bracket == "[" else "}"
            found = KEY_VALUE.match(lines[row])
            written = f"{found[2].strip()}: " if found else ""
            value = lines[row][column:].rstrip()
            return Problem(
                f"the '{bracket}' here starts {'a list' if bracket == '[' else 'a mapping'} that is never closed "
                f"with '{closer}'",
                Source(path, row + 1, column + 1),
                f"if this is text, put it in quotes: {written}{_quoted(value)}",
            )
    line = _line(lines, mark.line)
    found = KEY_VALUE.match(line)
    key, value = (found[2].strip(), (found[3] or "").rstrip()) if found else (None, _entry(line))
    written = f"{key}: " if key else ""
    if "escape" in problem or "escape" in context:
        hint = "use single quotes for text containing '\\' (or write each '\\' twice inside double quotes)"
        if value.startswith('"') and value.endswith('"') and len(value) > 1 and '"' not in value[1:-1]:
            single = value[1:-1].replace("'", "''")
            hint = f"use single quotes for text containing '\\': {written}'{single}'"
        return Problem(
            "a '\\' inside double quotes starts an escape code, and this one is not valid",
            Source(path, mark.line + 1, mark.column + 1),
            hint,
        )
    if "block scalar" in context:
        return Problem(
            "text follows '|' or '>' on the same line",
            Source(path, mark.line + 1, mark.column + 1),
            "start the text on the next line, indented more than the key",
        )
    if "sequence entries are not allowed" in problem:
        after = line[mark.column + 1 :].strip()
        if not after:
            hint = f"to start text on the lines below, write {written}>- (a '>' before the '-')"
        else:
            hint = f"start the list on the next line, indented, with {written.strip() or 'the key'} alone on its line"
        return Problem(
            "a list item ('- ') cannot start on the same line as its key",
            Source(path, mark.line + 1, mark.column + 1),
            hint,
        )
    if "cannot start any token" in problem and mark.column < len(line) and (not value or value[0] not in "@`*&[{%!|>"):
        char = line[mark.column]
        return Problem(
            f"'{char}' cannot begin a key or a value",
            Source(path, mark.line + 1, mark.column + 1),
            "delete it, or put the text it begins in quotes",
        )
    if not value or value[0] not in "@`*&[{%!|>":
        return None
    if (
        "cannot start any token" in problem
        or "alias" in context
        or "anchor" in context
        or "flow" in context
        or (value[0] in "[{" and any(s in problem for s in STRUCTURE))
    ):
        start = line.find(value) if value in line else mark.column
        kind = "a list" if value[0] == "[" else "a mapping" if value[0] == "{" else "special"
        what = (
            f"a value starting with '{value[0]}' is read as {kind}"
            if kind != "special"
            else f"a value cannot start with '{value[0]}' unless it is in quotes"
        )
        return Problem(
            what, Source(path, mark.line + 1, start + 1), f"put the text in quotes: {written}{_quoted(value)}"
        )
    return None


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
        if not value or value.isspace():  # nothing but whitespace (as `not value.strip()`, without a copy)
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
        resolvers = IMPLICIT_TYPES.yaml_implicit_resolvers
        if value and None not in resolvers and not IMPLICIT_TYPES.yaml_path_resolvers:
            types = resolvers.get(value[0])
            if types is None:
                return  # no implicit type starts with this character: resolve() below would say text, without a call
            if " " in value and all(tag in WORD_TYPES for tag, _ in types):
                return  # only YAML's words (yes, Off, null, ...) start with this character, and none has a space
        if IMPLICIT_TYPES.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str":  # type: ignore[no-untyped-call]
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
            parsed = PartialDate.parse(s)
        except ValueError:
            iso = _iso_date(s)
            if iso:
                self.fail(
                    f"{what} '{s}' is not written year-month-day",
                    value.source,
                    f"write {iso}: dates are written year-month-day in numbers, YYYY-MM-DD (or YYYY-MM when only "
                    "the month is known)",
                )
            else:
                self.fail(
                    f"{what} '{s}' is not a real date",
                    value.source,
                    "write it as YYYY-MM-DD (2023-03-02) or, if only the month is known, YYYY-MM (2023-03)",
                )
            return None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail(
                f"{what} '{s}' has the year {s.strip()[:4]}",
                value.source,
                f"write the real year, between {MIN_YEAR} and {MAX_YEAR}, e.g. 2024-06",
            )
            return None
        return parsed

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


MIN_YEAR, MAX_YEAR = 1900, 2200
MONTHS = {
    name.lower()[:length]: number
    for number, name in enumerate(calendar.month_name)
    if number
    for length in (3, len(name))
} | {"sept": 9}
NUMERIC_DATE = re.compile(r"^(\d{1,4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{1,4}))?$")
DAY_MONTH_YEAR = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})$")
MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _iso_date(text: str) -> str | None:
    """The YYYY-MM-DD (or YYYY-MM) a date written another way means: '12/05/2025', '12 May 2025', '2025-5-12'."""
    s = " ".join(text.strip().lower().split())
    year: str | None = None
    month: str | int | None = None
    day: str | None = None
    if m := NUMERIC_DATE.match(s):
        first, second, third = m[1], m[2], m[3]
        if len(first) == 4:
            year, month, day = first, second, third
        elif third and len(third) == 4:
            day, month, year = first, second, third  # British order, unless that cannot be
            if int(month) > 12 >= int(day):
                day, month = month, day
        elif third is None and len(first) <= 2:
            return None
    elif m := DAY_MONTH_YEAR.match(s):
        day, month, year = m[1], MONTHS.get(m[2]), m[3]
    elif m := MONTH_DAY_YEAR.match(s):
        month, day, year = MONTHS.get(m[1]), m[2], m[3]
    if year is None or month is None or len(year) != 4:
        return None
    iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    try:
        PartialDate.parse(iso)
    except ValueError:
        return None
    return iso


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
