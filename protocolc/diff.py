"""Compare two resolved Documents clause by clause.

Clauses are aligned by id first (library clauses keep their id in every
council), then, for a council's own clauses, by the closest wording. Each
aligned unit is identical, reworded, moved, or only in one document; reworded
units carry a word-level redline.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from .model import DocItem, Document

IDENTICAL, REWORDED, MOVED, ONLY_FIRST, ONLY_SECOND = "identical", "reworded", "moved", "only-first", "only-second"
STATUSES = (IDENTICAL, REWORDED, MOVED, ONLY_FIRST, ONLY_SECOND)
MATCH_THRESHOLD = 0.6  # least word similarity for two local clauses with different ids to count as the same clause
TOKEN = re.compile(r"\S+")
WORD = re.compile(r"[a-z0-9]+")


def _all_items(items: tuple[DocItem, ...]) -> list[DocItem]:
    """A list's items with the items of each, in reading order."""
    return [found for item in items for found in (item, *_all_items(item.items))]


@dataclass(frozen=True)
class Unit:
    """One comparable piece of a document: a section heading, a clause, or a list item."""

    id: str
    kind: str  # 'heading', 'clause' or 'item'
    section: str
    number: str | None
    text: str
    position: int
    amended: bool = False  # library wording the council amended (punctuation, capitals)

    @cached_property
    def words(self) -> tuple[str, ...]:
        return tuple(WORD.findall(self.text.lower()))

    @cached_property
    def counts(self) -> Counter[str]:
        """How often each word occurs: what SequenceMatcher.quick_ratio counts, counted once."""
        return Counter(self.words)


@dataclass(frozen=True)
class Change:
    """A run of the redline: op is 'equal', 'delete' or 'insert'."""

    op: str
    text: str


@dataclass(frozen=True)
class Entry:
    status: str
    first: Unit | None
    second: Unit | None
    redline: tuple[Change, ...] = ()

    @property
    def amended(self) -> bool:
        """Either side prints library wording its council amended (punctuation and capitals only)."""
        return any(u is not None and u.amended for u in (self.first, self.second))

    @property
    def unit(self) -> Unit:
        return self.first or self.second  # type: ignore[return-value]


@dataclass(frozen=True)
class Comparison:
    first: Document
    second: Document
    first_label: str
    second_label: str
    entries: tuple[Entry, ...]
    similarity: float

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def identical(self) -> bool:
        return all(e.status == IDENTICAL for e in self.entries)


def units(doc: Document) -> list[Unit]:
    """The document flattened in reading order; a clause's heading and text are one unit, its items follow."""
    out: list[Unit] = []
    for section in doc.sections:
        if section.heading:
            out.append(Unit(section.id, "heading", section.id, section.number, section.heading.markdown, len(out)))
        for clause in section.clauses:
            own = [p for p in (clause.heading, clause.text) if p]
            text = " ".join(p.markdown for p in own)
            if text:
                amended = any(p.amendment for p in own)
                out.append(Unit(clause.id, "clause", section.id, clause.number, text, len(out), amended))
            for item in _all_items(clause.items):
                amended = item.passage.amendment is not None
                out.append(Unit(item.id, "item", section.id, item.label, item.passage.markdown, len(out), amended))
    return out


def _similarity(a: Unit, b: Unit) -> float:
    """SequenceMatcher's ratio of the two units' words, 0 when its quick upper bounds are under the threshold."""
    la, lb = len(a.words), len(b.words)
    total = la + lb
    if not total or 2.0 * min(la, lb) / total < MATCH_THRESHOLD:  # real_quick_ratio
        return 0.0
    if 2.0 * sum((a.counts & b.counts).values()) / total < MATCH_THRESHOLD:  # quick_ratio
        return 0.0
    return difflib.SequenceMatcher(None, a.words, b.words, autojunk=False).ratio()


def _number(number: str | None) -> str | None:
    """'1.' and '1.0' print the same section number in two numbering styles."""
    return re.sub(r"(\.0|\.)$", "", number) if number else None


def align(first: list[Unit], second: list[Unit]) -> list[tuple[Unit | None, Unit | None]]:
    """Pairs of units: same id first, then the closest wording among what is left (same kind only)."""
    by_id = {u.id: u for u in second}
    pairs: dict[int, Unit] = {}
    for a in first:
        b = by_id.get(a.id)
        if b is not None and b.kind == a.kind:
            pairs[a.position] = b
    taken = {b.position for b in pairs.values()}
    loose_a = [a for a in first if a.position not in pairs]
    loose_b = [b for b in second if b.position not in taken]
    scored = sorted(
        ((_similarity(a, b), a.position, b.position, a, b) for a in loose_a for b in loose_b if a.kind == b.kind),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, _, _, a, b in scored:
        if score < MATCH_THRESHOLD:
            break
        if a.position not in pairs and b.position not in taken:
            pairs[a.position] = b
            taken.add(b.position)
    result: list[tuple[Unit | None, Unit | None]] = [(a, pairs.get(a.position)) for a in first]
    # Units only in the second document go after the unit that precedes them there.
    for b in second:
        if b.position in taken:
            continue
        before = [i for i, (_, y) in enumerate(result) if y is not None and y.position < b.position]
        result.insert(before[-1] + 1 if before else 0, (None, b))
    return result


def _in_order(pairs: list[tuple[Unit, Unit]]) -> set[int]:
    """Positions (in the first document) of the longest run of matched units kept in the same order."""
    seq = [b.position for _, b in pairs]
    best: list[int] = []
    tails: list[int] = []  # patience sorting: indexes into seq
    parent = [-1] * len(seq)
    for i, value in enumerate(seq):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if seq[tails[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        parent[i] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    i = tails[-1] if tails else -1
    while i >= 0:
        best.append(i)
        i = parent[i]
    return {pairs[i][0].position for i in best}


def redline(a: str, b: str) -> tuple[Change, ...]:
    """Word-level changes from a to b, keeping unchanged words as context."""
    ta, tb = TOKEN.findall(a), TOKEN.findall(b)
    matcher = difflib.SequenceMatcher(None, [t.lower() for t in ta], [t.lower() for t in tb], autojunk=False)
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes.append(Change("equal", " ".join(tb[j1:j2])))
            continue
        if i2 > i1:
            changes.append(Change("delete", " ".join(ta[i1:i2])))
        if j2 > j1:
            changes.append(Change("insert", " ".join(tb[j1:j2])))
    return tuple(changes)


def _renumbered(a: Unit, b: Unit) -> bool:
    """A clause or section whose printed number changed (cross-references to it break); item letters do not count."""
    if a.kind == "item":
        return False
    na, nb = _number(a.number), _number(b.number)
    return bool(na and nb and na != nb)


class _Side:
    """What is compared of one document, worked out once: its units, all its words, and an index of them."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.units = units(doc)
        self.words = [w for u in self.units for w in u.words]
        self.matcher = difflib.SequenceMatcher(None, (), self.words, autojunk=False)  # its index (b2j) built once


_SIDES: dict[int, _Side] = {}  # the last few documents compared as the second: the model, once per build


def _side(doc: Document) -> _Side:
    found = _SIDES.get(id(doc))
    if found is None or found.doc is not doc:
        if len(_SIDES) >= 4:
            _SIDES.pop(next(iter(_SIDES)))
        found = _SIDES[id(doc)] = _Side(doc)
    return found


def compare(first: Document, second: Document, first_label: str, second_label: str) -> Comparison:
    """Every unit of `first` aligned with `second`'s; the second side (the model, for a site) is kept for reuse."""
    side = _side(second)
    ua, ub = units(first), side.units
    aligned = align(ua, ub)
    matched = [(a, b) for a, b in aligned if a is not None and b is not None]
    ordered = _in_order(matched)
    entries = []
    for a, b in aligned:
        if b is None:
            entries.append(Entry(ONLY_FIRST, a, None))
        elif a is None:
            entries.append(Entry(ONLY_SECOND, None, b))
        elif " ".join(a.text.split()) != " ".join(b.text.split()):
            entries.append(Entry(REWORDED, a, b, redline(a.text, b.text)))
        elif a.section != b.section or a.position not in ordered or _renumbered(a, b):
            entries.append(Entry(MOVED, a, b))
        else:
            entries.append(Entry(IDENTICAL, a, b))
    words_a = [w for u in ua for w in u.words]
    if words_a or side.words:
        side.matcher.set_seq1(words_a)
        similarity = side.matcher.ratio()
    else:
        similarity = 1.0
    return Comparison(first, second, first_label, second_label, tuple(entries), similarity)
