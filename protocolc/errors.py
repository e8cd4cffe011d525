"""The one error type: every problem a clerk can cause, with where and how to fix it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Source:
    """Where a value came from: a file (relative to the project) and a 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column}" if self.column else f"{self.path}:{self.line}"

    @property
    def short(self) -> str:
        """`path:line`, the form the manifest uses."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources: what, where, and a hint on how to fix it."""

    message: str
    source: Source | None = None
    hint: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ProtocolError(Exception):
    """Raised by every stage; carries all the problems found, not only the first."""

    def __init__(self, problems: Iterable[Problem] | str, source: Source | None = None, hint: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, source, hint)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


IDENTIFIER = re.compile(r"[A-Za-z][\w-]*(\.[\w-]+)*$")  # a section, clause or item id, a key or a term


def _close_ids(name: str, choice: str) -> bool:
    """Whether an id is a likely misspelling of another: as many dotted parts, each equal or close.

    Comparing whole ids lets a shared prefix ('councillors.') make unrelated ids look alike, so each part
    that differs must itself match closely.
    """
    mine, theirs = name.split("."), choice.split(".")
    return len(mine) == len(theirs) and all(
        a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.75 for a, b in zip(mine, theirs, strict=True)
    )


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The nearest valid names to a misspelt one, best first; dotted ids only if close part by part."""
    close = difflib.get_close_matches(name, sorted(set(choices)), n=max(n, 10), cutoff=0.6)
    if IDENTIFIER.match(name):
        close = [c for c in close if "." not in name + c or not IDENTIFIER.match(c) or _close_ids(name, c)]
    return close[:n]


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    close = suggest(name, choices)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def relative(path: Path, root: Path) -> str:
    """A path as the clerk sees it: relative to the project, with forward slashes."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
