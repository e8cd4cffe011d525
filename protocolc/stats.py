"""How much wording councils share through the library, and what else could be shared.

Both figures are computed from resolved Documents, so they describe exactly
what is printed.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass

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


def shares(documents: list[Document]) -> tuple[Share, ...]:
    """Per council: all rendered words, and those from library text that two or more councils render."""
    users: dict[Source, set[str]] = defaultdict(set)
    for doc in documents:
        for p in doc.passages:
            if p.origin == LIBRARY:
                users[p.source].add(doc.council.id)
    result = []
    for doc in documents:
        total = sum(p.words for p in doc.passages)
        shared = sum(p.words for p in doc.passages if p.origin == LIBRARY and len(users[p.source]) >= 2)
        amended = sum(1 for p in doc.passages if p.amendment is not None)
        result.append(Share(doc.council.id, total, shared, amended))
    return tuple(result)


def _normaliser(library: Library, council: Council):
    """Replace a council's own terms with a token per kind of term, so 'Town Clerk' and 'Chief Officer' compare equal.

    Terms whose library defaults are the same word ('council' and 'authority', 'officers' and 'staff') share a
    token; where one of the council's values serves two terms, the term listed first in the library wins.
    """
    defaults = {k: t.value.lower() for k, t in library.terms.items()}
    token = {k: next(j for j in defaults if defaults[j] == v) for k, v in defaults.items()}
    token |= {"clerk_title": token.get("clerk", "clerk"), "council_name": "councilname"}
    values = context(library, council)
    patterns: dict[str, tuple[re.Pattern[str], str]] = {}
    for key in [*library.terms, "clerk_title", "council_name", "council_kind"]:
        value = values.get(key, "")
        if len(value) < 3 or value.lower() in patterns:
            continue
        if key == "council_kind":  # 'Community' only where it names the council: 'the Community Council'
            pattern = re.compile(r"\b" + re.escape(value) + r"(?= council\b)", re.IGNORECASE)
            patterns[value.lower()] = (pattern, "")
        else:
            patterns[value.lower()] = (re.compile(r"\b" + re.escape(value) + r"\b", re.IGNORECASE), token[key])
    ordered = sorted(patterns.items(), key=lambda kv: -len(kv[0]))

    def normalise(text: str) -> tuple[str, ...]:
        for _, (pattern, replacement) in ordered:
            text = pattern.sub(f" {replacement.replace('_', '')} ", text)
        return tuple(WORD.findall(text.lower()))

    return normalise


def _units(doc: Document, library: Library, min_words: int) -> list[Copy]:
    """Council-written sentences and list items of at least min_words words."""
    normalise = _normaliser(library, doc.council)
    units = []
    passages: list[Passage] = [p for p in doc.passages if p.origin != LIBRARY]
    for p in passages:
        for sentence in SENTENCE_END.split(p.markdown):
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


def candidates(documents: list[Document], library: Library, min_words: int = 8) -> tuple[Candidate, ...]:
    units = [u for doc in documents for u in _units(doc, library, min_words)]
    parent = list(range(len(units)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(units):
        for j in range(i + 1, len(units)):
            b = units[j]
            if a.council_id != b.council_id and _close(a.words, b.words):
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


def report(library: Library, documents: list[Document], min_words: int = 8) -> Report:
    return Report(shares(documents), candidates(documents, library, min_words))


def differing_words(a: tuple[str, ...], b: tuple[str, ...]) -> str:
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
    for n, cand in enumerate(report.candidates, 1):
        lines.append(f"  {n}. {cand.words} words")
        for copy in cand.copies:
            lines.append(f"     {copy.source.short:28} {copy.text[:100]}{'…' if len(copy.text) > 100 else ''}")
        first = cand.copies[0]
        for other in cand.copies[1:]:
            lines.append(
                f"     differs ({first.council_id} / {other.council_id}): "
                f"{differing_words(first.words, other.words) or 'nothing but case and punctuation'}"
            )
    return "\n".join(lines)
