"""How much wording councils share through the library, and what else could be shared.

Both figures are computed from resolved Documents, so they describe exactly
what is printed.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .errors import Source
from .model import LIBRARY, Council, Document, Library, Passage
from .resolve import context

WORD = re.compile(r"[a-z]+")
SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z‘“'\"(])")


@dataclass(frozen=True)
class Share:
    council_id: str
    words: int
    shared: int
    amended: int = 0  # library passages the council amended (punctuation, capitals): shared all the same

    @property
    def percent(self) -> float:
        return 100.0 * self.shared / self.words if self.words else 0.0


@dataclass(frozen=True)
class Copy:
    council_id: str
    source: Source
    text: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """Near-identical wording kept in two or more council files."""

    copies: tuple[Copy, ...]

    @property
    def words(self) -> int:
        return max(len(c.words) for c in self.copies)


@dataclass(frozen=True)
class Report:
    shares: tuple[Share, ...]
    candidates: tuple[Candidate, ...]

    @property
    def total(self) -> Share:
        return Share(
            "overall",
            sum(s.words for s in self.shares),
            sum(s.shared for s in self.shares),
            sum(s.amended for s in self.shares),
        )

    def only(self, council_ids: set[str]) -> Report:
        """The part about some councils: their shares (still measured against every council), and the
        candidates with a copy in one of their files."""
        return Report(
            tuple(s for s in self.shares if s.council_id in council_ids),
            tuple(c for c in self.candidates if any(copy.council_id in council_ids for copy in c.copies)),
        )


def shares(documents: Sequence[Document]) -> tuple[Share, ...]:
    """Per council: all rendered words, and those from library text that two or more councils render.

    A council with several documents gets one line, counting the words of all of them.
    """
    return _shares(documents, [doc.passages for doc in documents])


def _shares(documents: Sequence[Document], passages: Sequence[Sequence[Passage]]) -> tuple[Share, ...]:
    users: dict[Source, set[str]] = defaultdict(set)
    for doc, ps in zip(documents, passages, strict=True):
        for p in ps:
            if p.origin == LIBRARY:
                users[p.source].add(doc.council.id)
    counted: dict[str, int] = {}  # most library passages read the same in every council: count their words once
    totals: dict[str, list[int]] = {}
    for doc, ps in zip(documents, passages, strict=True):
        total = totals.setdefault(doc.council.id, [0, 0, 0])
        for p in ps:
            words = counted.get(p.markdown)
            if words is None:
                words = counted[p.markdown] = p.words
            total[0] += words
            if p.origin == LIBRARY and len(users[p.source]) >= 2:
                total[1] += words
            total[2] += p.amendment is not None
    return tuple(Share(council_id, *counts) for council_id, counts in totals.items())


# The characters other than ASCII letters that re.IGNORECASE matches with an ASCII letter ('İ' and 'ı' with
# 'i', 'ſ' with 's', the Kelvin sign with 'k'); 'İ' is also the one character whose str.lower() is two long.
FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")

Normalise = Callable[[str], tuple[str, ...]]


@dataclass
class _Memo:
    """What normalising one text gives, kept for every council: most councils print most sentences alike."""

    lowered: dict[str, tuple[str, bool]] = field(default_factory=dict)  # text: lower case, has a FOLDS_TO_ASCII
    subs: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (pattern, replacement, text): result
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case text: its words
    sentences: dict[str, list[str]] = field(default_factory=dict)  # a passage's Markdown: its sentences

    def split_sentences(self, markdown: str) -> list[str]:
        known = self.sentences.get(markdown)
        if known is None:
            known = self.sentences[markdown] = SENTENCE_END.split(markdown)
        return known

    def lower(self, text: str) -> tuple[str, bool]:
        known = self.lowered.get(text)
        if known is None:
            known = self.lowered[text] = (text.lower(), FOLDS_TO_ASCII.search(text) is not None)
        return known

    def sub(self, pattern: str, replacement: str, text: str) -> str:
        key = (pattern, replacement, text)
        changed = self.subs.get(key)
        if changed is None:
            changed = self.subs[key] = _pattern(pattern).sub(replacement, text)
        return changed

    def split(self, lowered: str) -> tuple[str, ...]:
        words = self.words.get(lowered)
        if words is None:
            words = self.words[lowered] = tuple(WORD.findall(lowered))
        return words


def _normaliser(library: Library, council: Council, memo: _Memo | None = None) -> Normalise:
    """Replace a council's own terms with a token per kind of term, so 'Town Clerk' and 'Chief Officer' compare equal.

    Terms whose library defaults are the same word ('council' and 'authority', 'officers' and 'staff') share a
    token; where one of the council's values serves two terms, the term listed first in the library wins.
    The longest value is replaced first, each in the text the one before left.
    """
    memo = _Memo() if memo is None else memo
    defaults = {k: t.value.lower() for k, t in library.terms.items()}
    token = {k: next(j for j in defaults if defaults[j] == v) for k, v in defaults.items()}
    token |= {"clerk_title": token.get("clerk", "clerk"), "council_name": "councilname"}
    values = context(library, council)
    patterns: dict[str, tuple[str, str]] = {}
    for key in [*library.terms, "clerk_title", "council_name", "council_kind"]:
        value = values.get(key, "")
        if len(value) < 3 or value.lower() in patterns:
            continue
        if key == "council_kind":  # 'Community' only where it names the council: 'the Community Council'
            patterns[value.lower()] = (r"\b" + re.escape(value) + r"(?= council\b)", "  ")
        else:
            patterns[value.lower()] = (r"\b" + re.escape(value) + r"\b", f" {token[key].replace('_', '')} ")
    ordered = sorted(patterns.items(), key=lambda kv: -len(kv[0]))
    # A value can match only where its lower-case spelling is in the lower-cased text, unless the value is not
    # ASCII or the text has a character that folds to an ASCII letter: then its pattern is always tried.
    steps = [(value if value.isascii() else None, pattern, replacement) for value, (pattern, replacement) in ordered]

    def normalise(text: str) -> tuple[str, ...]:
        lowered, folds = memo.lower(text)
        for value, pattern, replacement in steps:
            if folds or value is None or value in lowered:
                text = memo.sub(pattern, replacement, text)
                lowered = memo.lower(text)[0]
        return memo.split(lowered)

    return normalise


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _units(doc: Document, passages: Sequence[Passage], normalise: Normalise, memo: _Memo, min_words: int) -> list[Copy]:
    """Council-written sentences and list items of at least min_words words."""
    units = []
    for p in passages:
        if p.origin == LIBRARY:
            continue
        for sentence in memo.split_sentences(p.markdown):
            words = normalise(sentence)
            if len(words) >= min_words:
                units.append(Copy(doc.council.id, p.source, sentence.strip(), words))
    return units


def _close(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """At most one word in ten different (insertions, deletions and substitutions counted in words)."""
    longest = max(len(a), len(b))
    if abs(len(a) - len(b)) * 10 > longest:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < 0.8:
        return False
    cost = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
    return cost * 10 <= longest


def _prefix(words: tuple[str, ...], rarity: dict[tuple[str, int], int]) -> list[tuple[str, int]]:
    """The rarest len(words) // 10 + 1 of a sentence's words, each numbered by its occurrence in the sentence.

    Two sentences at most one word in ten apart have all but len // 10 of each one's words in common (those
    the matcher pairs up), so under one order of all words their rarest common word is in both prefixes.
    """
    nth: dict[str, int] = defaultdict(int)
    tokens = []
    for word in words:
        tokens.append((word, nth[word]))
        nth[word] += 1
    tokens.sort(key=lambda t: (rarity[t], t))
    return tokens[: len(words) // 10 + 1]


def _similar(texts: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Pairs (i < j) of distinct word lists that may be at most one word in ten apart: all that are, and a few more.

    An inverted index over each list's rarest words (prefix filtering), so only lists sharing one are compared.
    """
    rarity: dict[tuple[str, int], int] = defaultdict(int)
    for words in texts:
        seen: dict[str, int] = defaultdict(int)
        for word in words:
            rarity[(word, seen[word])] += 1
            seen[word] += 1
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for j, words in enumerate(texts):
        for token in _prefix(words, rarity):
            for i in index[token]:
                longest = max(len(texts[i]), len(words))
                if abs(len(texts[i]) - len(words)) * 10 <= longest:
                    pairs.add((i, j))
            index[token].append(j)
    return sorted(pairs)


def candidates(documents: Sequence[Document], library: Library, min_words: int = 8) -> tuple[Candidate, ...]:
    """Council-written sentences that two or more councils keep in nearly the same words, grouped.

    Two sentences of different councils are linked when at most one word in ten differs; a candidate is a group
    of sentences linked directly or through others. Sentences with the same words are found by hashing, and only
    sentences sharing one of their rarest words are compared, so the time grows with the number of councils,
    not its square.
    """
    return _candidates(documents, [doc.passages for doc in documents], library, min_words)


def _candidates(
    documents: Sequence[Document], passages: Sequence[Sequence[Passage]], library: Library, min_words: int
) -> tuple[Candidate, ...]:
    memo = _Memo()
    normalisers: dict[str, Normalise] = {}
    units: list[Copy] = []
    for doc, ps in zip(documents, passages, strict=True):
        council_id = doc.council.id
        if council_id not in normalisers:
            normalisers[council_id] = _normaliser(library, doc.council, memo)
        units.extend(_units(doc, ps, normalisers[council_id], memo, min_words))

    same: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        same[unit.words].append(i)
    texts = list(same)
    members = [same[t] for t in texts]
    councils = [{units[i].council_id for i in m} for m in members]
    parent = list(range(len(units)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(indices: list[int]) -> None:
        first = root(indices[0])
        for i in indices[1:]:
            parent[root(i)] = first

    # Same words: every two copies in different councils are linked, so all are one group once two councils have it.
    for m, c in zip(members, councils, strict=True):
        if len(c) >= 2:
            join(m)
    for a, b in _similar(texts):
        if len(councils[a] | councils[b]) < 2:
            continue  # one council's sentences are never linked with each other
        forward, backward = _close(texts[a], texts[b]), _close(texts[b], texts[a])
        if forward and backward:
            join(members[a] + members[b])  # each copy links to every copy of the other text in another council
        elif forward or backward:
            # The matcher is not quite symmetric: link each pair as compared earlier copy first.
            for i in members[a]:
                for j in members[b]:
                    if units[i].council_id != units[j].council_id and (forward if i < j else backward):
                        parent[root(j)] = root(i)

    groups: dict[int, list[Copy]] = defaultdict(list)
    for i, unit in enumerate(units):
        groups[root(i)].append(unit)
    found = [
        Candidate(tuple(sorted(g, key=lambda c: (c.council_id, c.source))))
        for g in groups.values()
        if len({c.council_id for c in g}) >= 2
    ]
    return tuple(sorted(found, key=lambda c: (-c.words, c.copies[0].source)))


def report(documents: Sequence[Document], library: Library, min_words: int = 8) -> Report:
    """The reuse shares and library candidates of resolved documents (one or more per council)."""
    passages = [doc.passages for doc in documents]
    return Report(_shares(documents, passages), _candidates(documents, passages, library, min_words))


def differing_words(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """The runs of words that differ, as 'a's words' / 'b's words', or '' when the words are the same."""
    if a == b:
        return ""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            parts.append(f"'{' '.join(a[i1:i2])}' / '{' '.join(b[j1:j2])}'")
    return ", ".join(parts)


def format_report(report: Report) -> str:
    lines = ["Reuse: rendered words that come from library text two or more councils render", ""]
    lines.append(f"  {'council':12} {'words':>6} {'shared':>7} {'share':>7} {'amended':>8}")
    for share in (*report.shares, report.total):
        lines.append(
            f"  {share.council_id:12} {share.words:6d} {share.shared:7d} {share.percent:6.1f}% {share.amended:8d}"
        )
    lines.append("  (amended: library passages a council re-punctuated with 'amend:'; their words count as shared)")
    lines += [
        "",
        f"Library candidates: {len(report.candidates)} (sentences and list items in two or more council "
        "files with at most one word in ten different, once terms are variables)",
    ]
    differs: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}  # most copies differ from the first alike
    for n, cand in enumerate(report.candidates, 1):
        lines.append(f"  {n}. {cand.words} words")
        for copy in cand.copies:
            lines.append(f"     {copy.source.short:28} {copy.text[:100]}{'…' if len(copy.text) > 100 else ''}")
        first = cand.copies[0]
        for other in cand.copies[1:]:
            pair = (first.words, other.words)
            if pair not in differs:
                differs[pair] = differing_words(*pair) or "nothing but case and punctuation"
            lines.append(f"     differs ({first.council_id} / {other.council_id}): {differs[pair]}")
    return "\n".join(lines)
