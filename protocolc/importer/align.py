"""Stage 5, align: every paragraph, heading and list item against the library.

Each library text is rendered with the council's terms (protocolc.resolve's text environment and
`context()`) and compared with the council's words:

- the same words (curly or straight quotes and spacing aside) -> a reference to the library clause or
  item; a paragraph is split into sentences first, so a library sentence inside a longer paragraph is
  found, and the sentences around it become the council's own clauses joined to it (`join: true`);
- a near match (word similarity >= 0.6, protocolc.diff's measure) -> the library clause kept by id,
  with the council's wording as a `replace` change;
- words the library lacks -> the council's own clause `<council>.<name>`.

Library clauses the council does not use are left out; the council's order is kept. Each library
clause and section is used at most once (ids must be unique in a document).
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field

from .. import diff
from ..errors import Source
from ..model import COUNCIL, Council, CouncilDocument, Library, Numbering, PartialDate, Text, Version
from ..resolve import ITEM_ENDING, TextTemplates, context, text_environment
from .nodes import Block, Facts, ItemNode, Model, SectionNode, Segmented
from .terms import normalise

SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z‘“'\"(])")
THRESHOLD = diff.MATCH_THRESHOLD
TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[.,;:()!?/&]")
TOLERANCE = 0.0095  # share of the document's tokens that may print in the library's capitals/punctuation
STOP = {
    "we",
    "it",
    "this",
    "e",
    "g",
    "a",
    "an",
    "and",
    "the",
    "of",
    "to",
    "in",
    "on",
    "for",
    "is",
    "are",
    "be",
    "with",
    "by",
    "as",
    "or",
    "that",
}


# --- what align produces ------------------------------------------------------------------------


@dataclass
class ClauseEntry:
    """A clause of the outline: a library clause by id, or the council's own (id, heading, text, items)."""

    id: str
    origin: str
    library: bool
    numbered: bool = True
    join: bool = False
    heading: str | None = None
    text: str | None = None
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (key, text, origin)


@dataclass
class SectionEntry:
    id: str
    origin: str
    library: bool
    heading: str | None = None  # the council's heading (for a library section: only when it differs)
    numbered: bool = True
    clauses: list[ClauseEntry] = field(default_factory=list)


@dataclass
class ChangeEntry:
    """A change in the document file: replace, insert, omit or variant, aimed at a library id."""

    action: str
    target: str
    origin: str
    text: str | None = None
    heading: str | None = None
    position: str | None = None  # before / after (insert)
    anchor: str | None = None
    use: str | None = None  # variant name


@dataclass
class Finding:
    """One line of the proofing report."""

    status: str  # exact / typographic / near / local / unplaced
    origin: str
    id: str
    text: str
    library_text: str = ""
    similarity: float = 1.0

    @property
    def redline(self) -> str:
        changes = diff.redline(self.library_text, self.text)
        return " ".join(
            c.text if c.op == "equal" else (f"[-{c.text}-]" if c.op == "delete" else f"{{+{c.text}+}}") for c in changes
        )


@dataclass
class Aligned:
    sections: list[SectionEntry]
    changes: list[ChangeEntry]
    findings: list[Finding]
    closing: str | None


# --- the library, rendered with the council's terms ------------------------------------------------


@dataclass
class LibClause:
    id: str
    section: str
    heading: str | None
    text: str | None
    items: list[tuple[str, str]]  # (key, rendered text)
    variants: dict[str, tuple[str | None, str | None]]

    @property
    def is_list(self) -> bool:
        return bool(self.items)


def variables(library: Library | Model, facts: Facts) -> dict[str, str]:
    """The variables library texts are rendered with: the found terms and facts (resolve.context)."""
    library = Model.of(library)
    src = Source("import")
    terms = dict(facts.terms)
    if facts.county_association:
        terms["county_association"] = facts.county_association
    adopted = PartialDate.parse(facts.adopted) if facts.adopted else None
    review = PartialDate.parse(facts.review_by) if facts.review_by else None
    council = Council(
        id="import",
        source=src,
        name=facts.name,
        kind=facts.kind,
        terms={k: Text(v, src, COUNCIL) for k, v in terms.items() if k in library.terms},
        clerk_title=facts.clerk,
        contact=facts.contact,
    )
    versions = (Version(facts.version, adopted, src, facts.minute, review),)
    document = CouncilDocument("import", library.document.id, src, versions, Numbering())
    return context(library.library, council, document)


Headings = dict[str, tuple[str | None, dict[str, str]]]


def catalog(
    library: Library | Model, values: dict[str, str], env: TextTemplates
) -> tuple[dict[str, LibClause], Headings]:
    """Every library clause and section heading rendered with the council's variables."""
    library = Model.of(library)

    def render(text: Text | None) -> str | None:
        return normalise(env.render(text.value, values)) if text is not None else None

    clauses: dict[str, LibClause] = {}
    headings: Headings = {}
    for section in library.sections:
        headings[section.id] = (
            render(section.heading),
            {name: render(t) or "" for name, t in section.variants.items()},
        )
        for c in section.clauses:
            clauses[c.id] = LibClause(
                c.id,
                section.id,
                render(c.heading),
                render(c.text),
                [(i.key, render(i.text) or "") for i in c.items],
                {name: (render(v.heading), render(v.text)) for name, v in c.variants.items()},
            )
    return clauses, headings


def words(text: str) -> list[str]:
    return diff.WORD.findall(text.lower())


def similarity(a: str, b: str) -> float:
    """protocolc.diff's word similarity: difflib's ratio over lower-case words."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    if matcher.real_quick_ratio() < THRESHOLD or matcher.quick_ratio() < THRESHOLD:
        return 0.0
    return matcher.ratio()


class Ids:
    """Unique ids for the council's own sections, clauses and items: `<council>.<first words>`."""

    def __init__(self, council_id: str, taken: set[str]) -> None:
        self.council = council_id
        self.taken = set(taken)

    def new(self, text: str, prefix: str | None = None) -> str:
        base = (prefix or self.council) + "." + slug(text)
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def typographic_cost(mine: str, theirs: str) -> int | None:
    """What printing `theirs` for `mine` costs in half-tokens when only capitals and punctuation differ
    (a changed word or mark 2, an added or dropped mark 1, as a word-sequence ratio counts them);
    None when the words differ."""
    if words(mine) != words(theirs):
        return None
    a, b = TOKEN.findall(normalise(mine)), TOKEN.findall(normalise(theirs))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    cost = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            changed = min(i2 - i1, j2 - j1)
            cost += 2 * changed + (max(i2 - i1, j2 - j1) - changed)
    return max(cost, 1) if normalise(mine) != normalise(theirs) else 0


def slug(text: str, size: int = 3) -> str:
    picked = [w for w in words(text) if w not in STOP and not w.isdigit()][:size]
    return "-".join(picked) or "text"


# --- alignment -----------------------------------------------------------------------------------


@dataclass
class _Piece:
    """A run of a paragraph's sentences and what it was matched to."""

    text: str
    match: str | None = None  # library clause id
    variant: str | None = None
    near: float = 0.0  # similarity when matched by wording only


@dataclass
class _Unit:
    section: SectionNode
    block: Block
    pieces: list[_Piece] = field(default_factory=list)  # text blocks
    list_match: str | None = None  # list blocks
    list_near: float = 0.0


class Aligner:
    def __init__(
        self, segmented: Segmented, library: Model, facts: Facts, council_id: str, tolerance: float = TOLERANCE
    ) -> None:
        self.seg = segmented
        self.library = library
        self.facts = facts
        self.council = council_id
        self.env = text_environment()
        self.values = variables(library, facts)
        self.clauses, self.headings = catalog(library, self.values, self.env)
        taken = set(self.clauses) | set(self.headings)
        taken |= {f"{c.id}.{k}" for c in self.clauses.values() for k, _ in c.items}
        self.ids = Ids(council_id, taken)
        self.used: set[str] = set()
        self.findings: list[Finding] = []
        self.changes: list[ChangeEntry] = []
        self.punctuation = segmented.punctuation
        self.allowed: set[str] | None = None
        self.section_ids: dict[int, str] = {}
        self.offers: dict[str, tuple[int, int]] = {}
        texts = [s.heading or "" for s in segmented.sections]
        texts += [
            " ".join(filter(None, [b.heading, b.text, *(i.text for i in b.items)]))
            for s in segmented.sections
            for b in s.blocks
        ]
        self.budget = int(2 * sum(len(TOKEN.findall(t)) for t in texts) * tolerance)

    def typographic(self, key: str, mine: str, theirs: str) -> bool:
        """Accept the library's wording for the same words in other capitals/punctuation.

        A first run (allowed None) accepts every such match and records its cost and the words it
        shares; `align` then picks the matches that share most words per cost within the budget.
        """
        if self.punctuation == "none":
            mine, theirs = ITEM_ENDING.sub("", normalise(mine)), ITEM_ENDING.sub("", normalise(theirs))
        cost = typographic_cost(mine, theirs)
        if cost is None:
            return False
        if self.allowed is None:
            self.offers[key] = (cost, len(words(theirs)))
            return True
        return key in self.allowed

    def choose(self) -> set[str]:
        """The typographic matches to accept: most shared words per cost first, within the budget."""
        chosen: set[str] = set()
        budget = self.budget
        for key, (cost, _shared) in sorted(self.offers.items(), key=lambda kv: (-kv[1][1] / max(kv[1][0], 1), kv[0])):
            if cost <= budget:
                chosen.add(key)
                budget -= cost
        return chosen

    # -- comparisons
    def same_item(self, a: str, b: str) -> bool:
        if self.punctuation == "none":
            return ITEM_ENDING.sub("", normalise(a)) == ITEM_ENDING.sub("", normalise(b))
        return normalise(a) == normalise(b)

    def exact_text(self, text: str, loose: bool = False) -> tuple[str, str | None] | None:
        """An unused non-list library clause (or one of its variants) with exactly these words
        (loose: the same words in other capitals and punctuation)."""
        wanted = normalise(text)
        same = (lambda t: words(t) == words(wanted)) if loose else (lambda t: t == wanted)
        for c in self.clauses.values():
            if c.id in self.used or c.is_list or c.heading:
                continue
            if c.text and same(c.text):
                return c.id, None
            for name, (heading, vtext) in c.variants.items():
                if vtext and same(vtext) and heading is None:
                    return c.id, name
        return None

    # -- stage steps
    def fold_list_headings(self) -> None:
        """A 'section' that is only a heading the library has on a list clause ('General Principles')
        and one list is that clause, under the section before it (layout alone cannot tell them apart)."""
        headings = {(c.heading or "").lower() for c in self.clauses.values() if c.is_list and c.heading} | {
            (v[0] or "").lower() for c in self.clauses.values() if c.is_list for v in c.variants.values() if v[0]
        }
        sections: list[SectionNode] = []
        for section in self.seg.sections:
            blocks = section.blocks
            if (
                sections
                and section.number is None
                and section.heading
                and normalise(section.heading).lower() in headings
                and len(blocks) == 1
                and blocks[0].items
                and not blocks[0].text
                and not blocks[0].heading
            ):
                sections[-1].blocks.append(Block(section.origin, None, section.heading, None, blocks[0].items))
                continue
            sections.append(section)
        self.seg.sections = sections

    def units(self) -> list[_Unit]:
        out: list[_Unit] = []
        self.fold_list_headings()
        for section in self.seg.sections:
            flattened: list[Block] = []
            for block in section.blocks:
                if block.items and block.text and not block.heading and self.exact_text(block.text):
                    # A lead-in the library has as a plain paragraph ('... summarised as follows:'):
                    # its bullets are paragraphs of their own in the library.
                    flattened.append(Block(block.origin, block.number, None, block.text))
                    flattened.extend(Block(i.origin, None, None, i.text) for i in block.items)
                else:
                    flattened.append(block)
            section.blocks = flattened
            out.extend(_Unit(section, block) for block in flattened)
        return out

    def exact_pass(self, units: list[_Unit]) -> None:
        for unit in units:
            block = unit.block
            if block.items or not block.text:
                continue
            sentences = SENTENCE.split(block.text)
            pieces: list[_Piece] = []
            i = 0
            pending: list[str] = []
            while i < len(sentences):
                hit = None
                loose = False
                for j in range(len(sentences), i, -1):
                    found = self.exact_text(" ".join(sentences[i:j]))
                    if found:
                        hit = (j, found)
                        break
                if hit is None:
                    for j in range(len(sentences), i, -1):
                        found = self.exact_text(" ".join(sentences[i:j]), loose=True)
                        if found:
                            hit, loose = (j, found), True
                            break
                if hit:
                    if pending:
                        pieces.append(_Piece(" ".join(pending)))
                        pending = []
                    j, (cid, variant) = hit
                    self.used.add(cid)
                    pieces.append(_Piece(" ".join(sentences[i:j]), cid, variant, 1.0 if loose else 0.0))
                    i = j
                else:
                    pending.append(sentences[i])
                    i += 1
            if pending:
                pieces.append(_Piece(" ".join(pending)))
            unit.pieces = pieces

    def list_score(self, block: Block, lib: LibClause) -> float:
        if (lib.heading and not block.heading) or (lib.text and not block.text) or (block.text and not lib.text):
            return 0.0
        lead = 0.0
        if block.text and lib.text:
            lead = 1.0 if normalise(block.text) == lib.text else similarity(block.text, lib.text)
        elif block.heading and lib.heading:
            lead = 1.0 if normalise(block.heading) == lib.heading else similarity(block.heading, lib.heading)
        matched = sum(
            1
            for item in block.items
            if any(self.same_item(item.text, t) or similarity(item.text, t) >= THRESHOLD for _, t in lib.items)
        )
        share = matched / max(len(block.items), len(lib.items))
        if not matched:
            return 0.0
        if lead >= THRESHOLD or share >= 0.5:
            return max(lead, share)
        return THRESHOLD if matched >= 3 else 0.0

    def near_pass(self, units: list[_Unit]) -> None:
        candidates: list[tuple[float, int, int, str]] = []
        for n, unit in enumerate(units):
            block = unit.block
            if block.items:
                for lib in self.clauses.values():
                    if lib.is_list and lib.id not in self.used:
                        score = self.list_score(block, lib)
                        if score >= THRESHOLD:
                            candidates.append((score, n, -1, lib.id))
                continue
            for k, piece in enumerate(unit.pieces):
                if piece.match:
                    continue
                for lib in self.clauses.values():
                    if lib.is_list or lib.heading or lib.id in self.used or not lib.text:
                        continue
                    score = similarity(piece.text, lib.text)
                    if score >= THRESHOLD:
                        candidates.append((score, n, k, lib.id))
        candidates.sort(key=lambda t: (-t[0], t[1], t[2]))
        for score, n, k, cid in candidates:
            if cid in self.used:
                continue
            unit = units[n]
            if k < 0:
                if unit.list_match:
                    continue
                unit.list_match, unit.list_near = cid, score
            else:
                piece = unit.pieces[k]
                if piece.match:
                    continue
                piece.match, piece.near = cid, score
            self.used.add(cid)

    # -- building the outline
    def heading_entry(self, block: Block, numbered: bool) -> ClauseEntry:
        assert block.heading is not None
        cid = self.ids.new(block.heading)
        self.findings.append(Finding("local", block.origin, cid, block.heading))
        return ClauseEntry(cid, block.origin, False, numbered=numbered, heading=block.heading)

    def text_entries(self, unit: _Unit) -> list[ClauseEntry]:
        block = unit.block
        entries: list[ClauseEntry] = []
        numbered = block.number is not None
        if block.heading:
            entries.append(self.heading_entry(block, numbered))
            numbered = False
        for k, piece in enumerate(unit.pieces):
            join = k > 0
            if piece.match and not piece.near:
                lib = self.clauses[piece.match]
                entries.append(ClauseEntry(lib.id, block.origin, True, numbered, join))
                if piece.variant:
                    self.changes.append(ChangeEntry("variant", lib.id, block.origin, use=piece.variant))
                self.findings.append(Finding("exact", block.origin, lib.id, piece.text, lib.text or ""))
            elif piece.match and self.typographic(piece.match, piece.text, self.clauses[piece.match].text or ""):
                lib = self.clauses[piece.match]
                entries.append(ClauseEntry(lib.id, block.origin, True, numbered, join))
                if piece.variant:
                    self.changes.append(ChangeEntry("variant", lib.id, block.origin, use=piece.variant))
                self.findings.append(Finding("typographic", block.origin, lib.id, piece.text, lib.text or ""))
            elif piece.match:
                lib = self.clauses[piece.match]
                entries.append(ClauseEntry(lib.id, block.origin, True, numbered, join))
                self.changes.append(ChangeEntry("replace", lib.id, block.origin, text=piece.text))
                self.findings.append(Finding("near", block.origin, lib.id, piece.text, lib.text or "", piece.near))
            else:
                cid = self.ids.new(piece.text)
                entries.append(ClauseEntry(cid, block.origin, False, numbered, join, text=piece.text))
                self.findings.append(Finding("local", block.origin, cid, piece.text))
            numbered = False
        return entries

    def list_entries(self, unit: _Unit) -> list[ClauseEntry]:
        block = unit.block
        numbered = block.number is not None
        if unit.list_match is None:
            cid = self.ids.new(block.text or block.heading or block.items[0].text)
            keys = Ids("", set())
            items = [(keys.new(i.text)[1:], i.text, i.origin) for i in block.items]
            self.findings.append(Finding("local", block.origin, cid, block.heading or block.text or "(list)"))
            for key, text, origin in items:
                self.findings.append(Finding("local", origin, f"{cid}.{key}", text))
            return [ClauseEntry(cid, block.origin, False, numbered, False, block.heading, block.text, items)]
        lib = self.clauses[unit.list_match]
        entries: list[ClauseEntry] = []
        if block.heading and not lib.heading:
            entries.append(self.heading_entry(block, numbered))
            numbered = False
        entries.append(ClauseEntry(lib.id, block.origin, True, numbered))
        for mine, theirs, field_name in ((block.text, lib.text, "text"), (block.heading, lib.heading, "heading")):
            if mine and theirs:
                if normalise(mine) == theirs:
                    self.findings.append(Finding("exact", block.origin, lib.id, mine, theirs))
                elif self.typographic(f"{lib.id}#{field_name}", mine, theirs):
                    self.findings.append(Finding("typographic", block.origin, lib.id, mine, theirs))
                else:
                    self.changes.append(ChangeEntry("replace", lib.id, block.origin, **{field_name: mine}))
                    self.findings.append(Finding("near", block.origin, lib.id, mine, theirs, similarity(mine, theirs)))
        self.align_items(block.items, lib)
        return entries

    def align_items(self, items: list[ItemNode], lib: LibClause) -> None:
        """Match a list's items with the library list's in order; the rest are inserted or left out."""
        options: list[tuple[int, float] | None] = []
        for item in items:
            best: tuple[int, float] | None = None
            for k, (_, text) in enumerate(lib.items):
                score = 2.0 if self.same_item(item.text, text) else similarity(item.text, text)
                if score >= THRESHOLD and (best is None or score > best[1]):
                    best = (k, score)
            options.append(best)
        # The heaviest chain of matches in library order (each library item at most once).
        n = len(items)
        weight = [0.0] * n
        parent = [-1] * n
        for i in range(n):
            if options[i] is None:
                continue
            weight[i] = options[i][1]  # type: ignore[index]
            for j in range(i):
                if options[j] is not None and options[j][0] < options[i][0] and weight[j] + options[i][1] > weight[i]:  # type: ignore[index]
                    weight[i], parent[i] = weight[j] + options[i][1], j  # type: ignore[index]
        chosen: dict[int, int] = {}
        if any(weight):
            i = max(range(n), key=lambda k: weight[k])
            while i >= 0:
                chosen[i] = options[i][0]  # type: ignore[index]
                i = parent[i]
        kept = [lib.items[k][0] for k in sorted(chosen.values())]
        previous: str | None = None
        for i, item in enumerate(items):
            if i in chosen:
                key, text = lib.items[chosen[i]]
                item_id = f"{lib.id}.{key}"
                if self.same_item(item.text, text):
                    self.findings.append(Finding("exact", item.origin, item_id, item.text, text))
                elif self.typographic(item_id, item.text, text):
                    self.findings.append(Finding("typographic", item.origin, item_id, item.text, text))
                else:
                    self.changes.append(ChangeEntry("replace", item_id, item.origin, text=item.text))
                    self.findings.append(
                        Finding("near", item.origin, item_id, item.text, text, similarity(item.text, text))
                    )
            else:
                item_id = self.ids.new(item.text, prefix=lib.id)
                if previous is None:
                    first = next(f"{lib.id}.{k}" for k in kept)
                    self.changes.append(
                        ChangeEntry("insert", item_id, item.origin, text=item.text, position="before", anchor=first)
                    )
                else:
                    self.changes.append(
                        ChangeEntry("insert", item_id, item.origin, text=item.text, position="after", anchor=previous)
                    )
                self.findings.append(Finding("local", item.origin, item_id, item.text))
            previous = item_id
        for key, _ in lib.items:
            if key not in kept:
                self.changes.append(ChangeEntry("omit", f"{lib.id}.{key}", items[-1].origin if items else ""))

    def section_entry(self, section: SectionNode, clauses: list[ClauseEntry], taken: set[str]) -> SectionEntry:
        numbered = section.number is not None or self.seg.levels[0] == "none"
        if section.heading:
            best: tuple[float, str, str | None] | None = None
            for sid, (heading, variants) in self.headings.items():
                if sid in taken:
                    continue
                options = [(heading, None)] + [(v, name) for name, v in variants.items()]
                for text, name in options:
                    if not text:
                        continue
                    score = 2.0 if normalise(section.heading) == text else similarity(section.heading, text)
                    if score >= THRESHOLD and (best is None or score > best[0]):
                        best = (score, sid, name)
            if best is None:
                votes: dict[str, int] = {}
                for c in clauses:
                    if c.library and self.clauses[c.id].section not in taken:
                        home = self.clauses[c.id].section
                        votes[home] = votes.get(home, 0) + 1
                if votes:
                    sid = max(votes, key=lambda k: votes[k])
                    if votes[sid] * 2 >= len(clauses):
                        best = (0.0, sid, None)
            if best is not None:
                score, sid, variant = best
                taken.add(sid)
                heading = self.headings[sid][0]
                entry = SectionEntry(sid, section.origin, True, numbered=numbered, clauses=clauses)
                if variant:
                    self.changes.append(ChangeEntry("variant", sid, section.origin, use=variant))
                    self.findings.append(Finding("exact", section.origin, sid, section.heading, section.heading))
                elif score == 2.0:
                    self.findings.append(Finding("exact", section.origin, sid, section.heading, heading or ""))
                elif heading and self.typographic(sid, section.heading, heading):
                    self.findings.append(Finding("typographic", section.origin, sid, section.heading, heading))
                else:
                    entry.heading = section.heading
                    self.findings.append(
                        Finding("near", section.origin, sid, section.heading, heading or "", max(score, 0.0))
                    )
                return entry
        sid = self.section_ids.get(id(section)) or self.ids.new(section.heading or "opening")
        if section.heading:
            self.findings.append(Finding("local", section.origin, sid, section.heading))
        return SectionEntry(sid, section.origin, False, section.heading, numbered, clauses)

    def closing(self) -> str | None:
        if not self.seg.trailer:
            return None
        text = "\n\n".join(p.text for p in self.seg.trailer).replace("{", "{{ '{' }}")
        facts = self.facts
        swaps = [(facts.contact, "{{ contact }}"), (facts.name, "{{ council_name }}")]
        if facts.review_by:
            swaps.append((PartialDate.parse(facts.review_by).british(), "{{ review_by }}"))
        if facts.adopted:
            swaps.append((PartialDate.parse(facts.adopted).british(), "{{ adopted }}"))
        for value, variable in swaps:
            if value and text.count(value) == 1:
                text = text.replace(value, variable)
        return text

    def run(self) -> Aligned:
        units = self.units()
        # Sections name themselves first, so 'Chairs' is tiny.chairs and its first clause tiny.chairs-2 if need be.
        self.section_ids = {id(s): self.ids.new(s.heading or "opening") for s in self.seg.sections}
        self.exact_pass(units)
        self.near_pass(units)
        by_section: dict[int, list[ClauseEntry]] = {}
        for unit in units:
            entries = self.list_entries(unit) if unit.block.items else self.text_entries(unit)
            by_section.setdefault(id(unit.section), []).extend(entries)
        taken: set[str] = set()
        sections = [self.section_entry(s, by_section.get(id(s), []), taken) for s in self.seg.sections]
        for para in self.facts.unplaced:
            self.findings.append(Finding("unplaced", para.origin, "", para.text))
        return Aligned(sections, self.changes, self.findings, self.closing())


def align(
    segmented: Segmented, library: Library | Model, facts: Facts, council_id: str, tolerance: float = TOLERANCE
) -> Aligned:
    """Align the council's document with the library.

    Reads: the segmented document, the library and the found facts and terms. Writes: Aligned, the
    outline (library sections and clauses by id, the council's own with their words), the changes
    (replace / insert / omit / variant) and the findings the proofing report lists.
    `tolerance` is the share of the document's words and marks that may print in the library's
    capitals and punctuation where the words are the same (0: keep every mark as written).
    """
    library = Model.of(library)
    first = Aligner(copy.deepcopy(segmented), library, facts, council_id, tolerance)
    first.run()
    final = Aligner(segmented, library, facts, council_id, tolerance)
    final.allowed = first.choose()
    return final.run()
