"""Compare two resolved Documents clause by clause.

Clauses are aligned by id first (library clauses keep their id in every
council), then, for a council's own clauses, by the closest wording. Each
aligned unit is identical, reworded, moved, or only in one document; reworded
units carry a word-level redline.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Generic, TypeVar

import cydifflib  # difflib's algorithms compiled (same matches, same ratios); the one engine, never a fallback

from .model import DocItem, Document

IDENTICAL, REWORDED, MOVED, ONLY_FIRST, ONLY_SECOND = "identical", "reworded", "moved", "only-first", "only-second"
STATUSES = (IDENTICAL, REWORDED, MOVED, ONLY_FIRST, ONLY_SECOND)
MATCH_THRESHOLD = 0.6  # least word similarity for two local clauses with different ids to count as the same clause
# 2 * min(la, lb) / (la + lb) >= t only when lb is between la * t / (2 - t) and la * (2 - t) / t (3/7 and 7/3 times la)
_SHORTEST = MATCH_THRESHOLD / (2 - MATCH_THRESHOLD)
MEMO_SIZE = 1 << 14  # pairs of texts (or texts) a Comparer remembers a result for; the oldest go first
MEMO_CHARS = 1 << 23  # characters of text each of a Comparer's memos may hold
SIDES = 4  # documents a Comparer keeps the units of: the model of each document type a build compares with
K = TypeVar("K")
V = TypeVar("V")
TOKEN = re.compile(r"\S+")
WORD = re.compile(r"[a-z0-9]+")


class Memo(Generic[K, V]):
    """A bounded dictionary of results keyed by everything that decides them; the oldest entries go first.

    Bounded in entries and in the characters of text they hold (keys are clause texts, which a project
    could make very long): an entry bigger than the whole budget is not kept at all.
    """

    def __init__(self, size: int = MEMO_SIZE, chars: int = MEMO_CHARS) -> None:
        self.size = max(1, size)
        self.chars = chars
        self.held = 0  # characters held now
        self.found: dict[K, V] = {}
        self._weights: dict[K, int] = {}

    def get(self, key: K) -> V | None:
        return self.found.get(key)

    def put(self, key: K, value: V, chars: int) -> V:
        """Keep `value` (about `chars` characters of key and value) unless it is too big; return it either way."""
        if chars > self.chars or key in self.found:
            return value
        while self.found and (len(self.found) >= self.size or self.held + chars > self.chars):
            oldest = next(iter(self.found))
            del self.found[oldest]
            self.held -= self._weights.pop(oldest)
        self.found[key] = value
        self._weights[key] = chars
        self.held += chars
        return value


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

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """The distinct words, for a cheap bound on what quick_ratio would count."""
        return frozenset(self.words)


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
        return bool(
            (self.first is not None and self.first.amended) or (self.second is not None and self.second.amended)
        )

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
    # What a renderer worked out for an entry, shared by the comparisons of one Comparer (see diff_format).
    renderings: Memo[tuple[object, ...], str] | None = field(default=None, compare=False, repr=False)

    def count(self, status: str) -> int:
        return self.statuses.count(status)

    @cached_property
    def statuses(self) -> list[str]:
        """Each entry's status, in order: counted once per status by every summary."""
        return [e.status for e in self.entries]

    @property
    def identical(self) -> bool:
        return all(e.status == IDENTICAL for e in self.entries)


def units(doc: Document, words: Memo[str, tuple[str, ...]] | None = None) -> list[Unit]:
    """The document flattened in reading order; a clause's heading and text are one unit, its items follow.

    With `words`, each unit's words are looked up there by its text (the same clause recurs across councils).
    """
    out: list[Unit] = []

    def add(id: str, kind: str, section: str, number: str | None, text: str, amended: bool) -> None:
        if words is None:
            out.append(Unit(id, kind, section, number, text, len(out), amended))
            return
        found = words.found.get(text)
        if found is None:
            found = words.put(text, tuple(WORD.findall(text.lower())), 2 * len(text))  # what Unit.words computes
        # The fields as the dataclass's __init__ sets them, and the words its cached property would compute, in one
        # update: a build makes a hundred units per council, and a frozen dataclass sets each field by a call.
        unit = object.__new__(Unit)
        unit.__dict__.update(
            id=id, kind=kind, section=section, number=number, text=text, position=len(out), amended=amended, words=found
        )
        out.append(unit)

    for section in doc.sections:
        if section.heading:
            add(section.id, "heading", section.id, section.number, section.heading.markdown, False)
        for clause in section.clauses:
            own = [p for p in (clause.heading, clause.text) if p]
            text = " ".join(p.markdown for p in own)
            if text:
                add(clause.id, "clause", section.id, clause.number, text, any(p.amendment for p in own))
            for item in _all_items(clause.items):
                add(item.id, "item", section.id, item.label, item.passage.markdown, item.passage.amendment is not None)
    return out


def _similarity(a: Unit, b: Unit) -> float:
    """SequenceMatcher's ratio of the two units' words, 0 when its quick upper bounds are under the threshold."""
    la, lb = len(a.words), len(b.words)
    total = la + lb
    if not total or 2.0 * min(la, lb) / total < MATCH_THRESHOLD:  # real_quick_ratio
        return 0.0
    # quick_ratio counts min(count in a, count in b) for each word the two share; each shared word counts at
    # most once plus its repeats in either text, so this bound is never below it: under the threshold, so is it.
    common = a.vocabulary & b.vocabulary
    if 2.0 * (len(common) + min(la - len(a.vocabulary), lb - len(b.vocabulary))) / total < MATCH_THRESHOLD:
        return 0.0
    ca, cb = a.counts, b.counts
    if 2.0 * sum(min(ca[w], cb[w]) for w in common) / total < MATCH_THRESHOLD:  # quick_ratio
        return 0.0
    return float(cydifflib.SequenceMatcher(None, a.words, b.words, autojunk=False).ratio())


def _number(number: str | None) -> str | None:
    """'1.' and '1.0' print the same section number in two numbering styles."""
    return re.sub(r"(\.0|\.)$", "", number) if number else None


def align(
    first: list[Unit], second: list[Unit], similarity: Callable[[Unit, Unit], float] = _similarity
) -> list[tuple[Unit | None, Unit | None]]:
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
    # The closest first. Pairs under the threshold never match, so they are not kept, and pairs whose lengths
    # alone put them under it (the first test of _similarity) are not scored.
    # Each unit is tried only against those of its kind with about as many words (sorted by that number, a range is
    # found by bisection, a word wider on each side than the test needs; the test itself is still made). The order
    # tried in does not matter: `close` is sorted by a key no two pairs share.
    close: list[tuple[float, int, int, Unit, Unit]] = []
    by_kind: dict[str, list[tuple[int, int, Unit]]] = {}
    for b in loose_b:
        by_kind.setdefault(b.kind, []).append((len(b.words), b.position, b))
    sizes: dict[str, tuple[list[int], list[Unit]]] = {}
    for kind, found in by_kind.items():
        found.sort(key=lambda t: (t[0], t[1]))
        sizes[kind] = ([lb for lb, _, _ in found], [b for _, _, b in found])
    for a in loose_a:
        la = len(a.words)
        if not la or a.kind not in sizes:  # no words: 2 * min(la, lb) / total is 0 (or total is 0) for every b
            continue
        lengths, candidates = sizes[a.kind]
        lo, hi = bisect_left(lengths, int(la * _SHORTEST) - 1), bisect_right(lengths, int(la / _SHORTEST) + 1)
        for n in range(lo, hi):
            lb = lengths[n]
            if 2.0 * min(la, lb) / (la + lb) < MATCH_THRESHOLD:
                continue
            b = candidates[n]
            score = similarity(a, b)
            if score >= MATCH_THRESHOLD:
                close.append((-score, a.position, b.position, a, b))
    close.sort(key=lambda t: (t[0], t[1], t[2]))
    for _, _, _, a, b in close:
        if a.position not in pairs and b.position not in taken:
            pairs[a.position] = b
            taken.add(b.position)
    result: list[tuple[Unit | None, Unit | None]] = [(a, pairs.get(a.position)) for a in first]
    # Units only in the second document go after the last entry whose second unit precedes them there: after
    # the last matched one (`after[i]`, i its place in `result`), or after those of them already placed, which
    # follow it. Taken in the second document's order, each goes at the end of its matched entry's run.
    matched = sorted((y.position, i) for i, (_, y) in enumerate(result) if y is not None)
    after: dict[int, list[Unit]] = {}
    last, k = -1, 0
    for b in second:
        if b.position in taken:
            continue
        while k < len(matched) and matched[k][0] < b.position:
            last = max(last, matched[k][1])
            k += 1
        after.setdefault(last, []).append(b)
    if not after:
        return result
    out: list[tuple[Unit | None, Unit | None]] = [(None, b) for b in after.get(-1, ())]
    for i, pair in enumerate(result):
        out.append(pair)
        out.extend((None, b) for b in after.get(i, ()))
    return out


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
    matcher = cydifflib.SequenceMatcher(None, [t.lower() for t in ta], [t.lower() for t in tb], autojunk=False)
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
    """One document as compared, worked out once: its units, all its words and (as a second side) their index."""

    def __init__(self, doc: Document, words: Memo[str, tuple[str, ...]]) -> None:
        self.doc = doc
        self.units = units(doc, words)
        self.words = list(chain.from_iterable(u.words for u in self.units))
        self._matcher: cydifflib.SequenceMatcher | None = None

    @property
    def matcher(self) -> cydifflib.SequenceMatcher:
        """A SequenceMatcher whose second sequence is this document's words, its index (b2j) built once."""
        if self._matcher is None:
            self._matcher = cydifflib.SequenceMatcher(None, (), self.words, autojunk=False)
        return self._matcher


class Comparer:
    """Compares documents, keeping what recurs from one comparison to the next.

    A build compares every council with the same model: the model's units and words are worked out once,
    and the similarity of two clause texts, the redline between two texts, the words of a text and a
    rendered entry are each remembered (bounded, keyed by the texts that decide them), since the same
    model clause meets the same council wording in many councils. Results are exactly those of `compare`.
    """

    def __init__(self, memo_size: int = MEMO_SIZE, memo_chars: int = MEMO_CHARS) -> None:
        self._sides: list[_Side] = []  # the documents last compared, held so that `is` identifies them
        self._words: Memo[str, tuple[str, ...]] = Memo(memo_size, memo_chars)
        self._similar: Memo[tuple[str, str], float] = Memo(memo_size, memo_chars)
        self._redlines: Memo[tuple[str, str], tuple[Change, ...]] = Memo(memo_size, memo_chars)
        self._renderings: Memo[tuple[object, ...], str] = Memo(memo_size, memo_chars)

    def memo_sizes(self) -> dict[str, int]:
        """How many results each memo holds now (each at most its bound)."""
        return {
            "words": len(self._words.found),
            "similar": len(self._similar.found),
            "redlines": len(self._redlines.found),
            "renderings": len(self._renderings.found),
        }

    def side(self, doc: Document) -> _Side:
        for found in self._sides:
            if found.doc is doc:
                if found is not self._sides[-1]:  # the most recently used last: the model stays
                    self._sides.remove(found)
                    self._sides.append(found)
                return found
        if len(self._sides) >= SIDES:
            self._sides.pop(0)
        self._sides.append(_Side(doc, self._words))
        return self._sides[-1]

    def similarity(self, a: Unit, b: Unit) -> float:
        key = (a.text, b.text)  # a unit's words are a function of its text
        found = self._similar.found.get(key)
        return found if found is not None else self._similar.put(key, _similarity(a, b), len(a.text) + len(b.text))

    def redline(self, a: str, b: str) -> tuple[Change, ...]:
        key = (a, b)
        found = self._redlines.get(key)
        return found if found is not None else self._redlines.put(key, redline(a, b), 2 * (len(a) + len(b)))

    def compare(self, first: Document, second: Document, first_label: str, second_label: str) -> Comparison:
        """Every unit of `first` aligned with `second`'s."""
        side_a = self.side(first)
        side_b = self.side(second)
        ua, ub = side_a.units, side_b.units
        aligned = align(ua, ub, self.similarity)
        matched = [(a, b) for a, b in aligned if a is not None and b is not None]
        ordered = _in_order(matched)
        entries = []
        for a, b in aligned:
            if b is None:
                entries.append(Entry(ONLY_FIRST, a, None))
            elif a is None:
                entries.append(Entry(ONLY_SECOND, None, b))
            elif a.text != b.text and " ".join(a.text.split()) != " ".join(b.text.split()):
                entries.append(Entry(REWORDED, a, b, self.redline(a.text, b.text)))
            elif a.section != b.section or a.position not in ordered or _renumbered(a, b):
                entries.append(Entry(MOVED, a, b))
            else:
                entries.append(Entry(IDENTICAL, a, b))
        if side_a.words or side_b.words:
            matcher = side_b.matcher
            matcher.set_seq1(side_a.words)
            similarity = float(matcher.ratio())
        else:
            similarity = 1.0
        return Comparison(first, second, first_label, second_label, tuple(entries), similarity, self._renderings)


def compare(first: Document, second: Document, first_label: str, second_label: str) -> Comparison:
    """Every unit of `first` aligned with `second`'s (a build compares many: see Comparer)."""
    return Comparer().compare(first, second, first_label, second_label)
