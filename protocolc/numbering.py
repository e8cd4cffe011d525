"""Numbering styles: how a level of a document prints its numbers, and how `ref()` names a clause.

A style is data: a counter (arabic, letters, roman numerals), the label printed beside the
clause, and the reference other clauses use ("standing order 12(b)"). Composite styles
("1.1") build on the parent's reference and so need a numbered parent.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

from .model import quick_init

ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def roman(n: int) -> str:
    """1 -> 'i', 4 -> 'iv', 12 -> 'xii'."""
    out = []
    for value, letters in ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def letters(n: int) -> str:
    """1 -> 'a', 26 -> 'z', 27 -> 'aa', 28 -> 'bb' (the way lettered lists carry on past z)."""
    index = n - 1
    return string.ascii_lowercase[index % 26] * (index // 26 + 1)


COUNTERS: dict[str, Callable[[int], str]] = {
    "1": str,
    "a": letters,
    "A": lambda n: letters(n).upper(),
    "i": roman,
    "I": lambda n: roman(n).upper(),
}


@dataclass(frozen=True)
class Style:
    """One numbering style: `label` and `ref` are format strings over {n} (the counter) and {parent}."""

    name: str
    counter: str | None  # a key of COUNTERS; None for bullets and unnumbered levels
    label: str | None
    ref: str | None
    composite: bool = False  # the number includes the parent's ('1.1'): without a numbered parent there is none
    description: str = ""


STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style("1.", "1", "{n}.", "{n}", description="1. 2. 3."),
        Style("1.0", "1", "{n}.0", "{n}", description="1.0 2.0 3.0"),
        Style("1", "1", "{n}", "{n}", description="1 2 3"),
        Style("1.1", "1", "{parent}.{n}", "{parent}.{n}", composite=True, description="1.1 1.2 (the parent's number)"),
        Style("a)", "a", "{n})", "{parent}({n})", description="a) b) c)"),
        Style("(a)", "a", "({n})", "{parent}({n})", description="(a) (b) (c)"),
        Style("a.", "a", "{n}.", "{parent}({n})", description="a. b. c."),
        Style("A.", "A", "{n}.", "{parent}({n})", description="A. B. C."),
        Style("(i)", "i", "({n})", "{parent}({n})", description="(i) (ii) (iii)"),
        Style("i.", "i", "{n}.", "{parent}({n})", description="i. ii. iii."),
        Style("bullet", None, None, "{parent}", description="a bullet, no number"),
        Style("none", None, None, None, description="no number"),
    )
}


@quick_init
@dataclass(frozen=True)
class Number:
    """A clause's printed label (None: unnumbered) and the reference `ref()` prints (None: cannot be referred to)."""

    label: str | None
    ref: str | None


UNNUMBERED = Number(None, None)


def number(style_name: str, n: int, parent_ref: str | None) -> Number:
    """The number of the n-th (1-based) numbered node of a level, below a parent referred to as `parent_ref`."""
    style = STYLES[style_name]
    if style.counter is None:
        return Number(None, parent_ref if style.ref else None)
    if style.composite and not parent_ref:
        return UNNUMBERED
    counter = COUNTERS[style.counter](n)
    label = style.label.format(n=counter, parent=parent_ref) if style.label else None
    ref = style.ref.format(n=counter, parent=parent_ref or "") if style.ref else None
    if ref is not None and not parent_ref and "{parent}(" in (style.ref or ""):
        ref = f"({counter})"
    return Number(label, ref)
