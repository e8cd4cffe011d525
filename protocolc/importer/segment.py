"""Stage 3, segment: paragraphs -> a tree of sections, clauses and list items, with its numbering style.

Numbers may be typed (`1.`, `1.0`, `2`, `1.1`, `a)`, `(a)`, `(i)`, `i.`, `a.`, `A.`) or come from Word's
automatic numbering; either way the number decides the level: a whole number is a section heading,
`N.M` a clause, a letter or roman numeral a list item. Unnumbered documents are segmented by layout:
a short line without closing punctuation followed by text is a heading; bullets are list items.
What comes before the body (the masthead: council name, title, version table) and after it
(adoption notes, background papers, contact) is kept apart for the terms and emit stages.
"""

from __future__ import annotations

import re
from collections import Counter

from .nodes import Block, ItemNode, Para, SectionNode, Segmented

LEAD = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2})*\.?|\(?[a-z]\)|\([ivx]+\)|[ivx]+\.|[a-z]\.|[A-Z]\.)\s+(?P<rest>\S.*)$"
)
SMALL = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}
WORDS = re.compile(r"[A-Za-z][A-Za-z'’/-]*")
TRAILER = re.compile(
    r"^(?:adopted\b|background papers|date (?:of|for) (?:adoption|review)|review date|approved by|"
    r"this (?:protocol|policy|document) was adopted)",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAME = re.compile(r"\b(?:[A-Z][\w'’-]+ )+(?:Parish|Town|Community|City|Village) Council\b")


def number_level(number: str) -> str | None:
    """'section', 'clause' or 'item' for a number as printed; None if it is not a number."""
    n = number.strip()
    if re.fullmatch(r"\d+(?:\.0)?\.?", n):
        return "section"
    if re.fullmatch(r"\d+(?:\.\d+)+\.?", n):
        return "clause"
    if re.fullmatch(r"\(?[a-zA-Z]\)|\([ivxlc]+\)|[ivxlc]+\.|[a-zA-Z]\.|[ivxlc]+\)", n):
        return "item"
    return None


def section_style(number: str) -> str:
    n = number.strip()
    if n.endswith(".0"):
        return "1.0"
    return "1." if n.endswith(".") else "1"


def item_style(label: str, romans: bool) -> str:
    """The level style of an item label: a) (a) a. (i) i. A."""
    core = label.strip("().")
    roman = romans and bool(re.fullmatch(r"[ivx]+", core))
    if label.startswith("("):
        return "(i)" if roman else "(a)"
    if label.endswith(")"):
        return "a)"
    if core.isupper():
        return "A."
    return "i." if roman else "a."


def title_ratio(text: str) -> float:
    """How much of a line is Title Cased: 1.0 for 'General Principles', 0.2 for a sentence."""
    words = [w for w in WORDS.findall(text) if w.lower() not in SMALL]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper()) / len(words)


def word_count(text: str) -> int:
    return len(WORDS.findall(text))


def looks_like_heading(text: str, following: Para | None, following_is_item: bool) -> bool:
    """A short line without closing punctuation, followed by more text (and Title Cased before a list)."""
    text = text.strip()
    if not text or word_count(text) > 12 or text.endswith((".", ";", ":", ",", "!", "?")):
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "‘“'\""):
        return False
    if re.search(r"[.;!?]\s+\S", text) or following is None:
        return False
    return not following_is_item or title_ratio(text) >= 0.6


def is_sentence(para: Para) -> bool:
    n = word_count(para.text)
    return n >= 12 or (n >= 6 and para.text.rstrip().endswith((".", ":", ";")))


def split_number(para: Para) -> tuple[str | None, str]:
    """The paragraph's number (Word's or typed) and the text after it."""
    if para.number:
        return para.number, para.text
    m = LEAD.match(para.text)
    if m and number_level(m["num"]):
        return m["num"], m["rest"]
    return None, para.text


def _is_masthead_line(para: Para) -> bool:
    text = para.text.strip()
    lower = text.lower()
    return (
        bool(re.search(r"\d|\|", text))
        or "protocol" in lower
        or "policy" in lower
        or bool(NAME.fullmatch(text.title() if text.isupper() else text))
        or "version" in lower
    )


def find_body(paras: list[Para]) -> int:
    """Index of the first paragraph of the body: the first numbered paragraph or sentence (or its heading)."""
    for i, para in enumerate(paras):
        number, _ = split_number(para)
        if number and number_level(number) in ("section", "clause"):
            return i
        if para.bullet and i and paras[i - 1].text.rstrip().endswith(":"):
            return i - 1
        if is_sentence(para) and not MONTH_YEAR.search(para.text[:60]) and "|" not in para.text:
            if i and looks_like_heading(paras[i - 1].text, para, False) and not _is_masthead_line(paras[i - 1]):
                return i - 1
            return i
    return len(paras)


def find_trailer(paras: list[Para], start: int) -> int:
    """Index where the closing notes start (adoption record, review date, background papers, contact)."""
    for i in range(max(start, len(paras) - 8), len(paras)):
        text = paras[i].text.strip()
        short = word_count(text) <= 14
        if (
            TRAILER.match(text)
            or (short and MONTH_YEAR.search(text) and not split_number(paras[i])[0])
            or EMAIL.fullmatch(text)
        ):
            return i
    return len(paras)


def segment(paras: list[Para]) -> Segmented:
    """Build the section tree.

    Reads: Paras from `clean`. Writes: Segmented (masthead, sections of blocks with items, trailer,
    the numbering style of each level and whether list items keep their punctuation).
    """
    start = find_body(paras)
    end = find_trailer(paras, start)
    body = paras[start:end]
    labels_seen = {split_number(p)[0] or "" for p in body}
    romans = "(ii)" in labels_seen or "ii." in labels_seen or "ii)" in labels_seen
    heading_levels = sorted({p.heading for p in body if p.heading})
    top = heading_levels[0] if heading_levels else None
    sections: list[SectionNode] = []
    section_numbers: list[str] = []
    clause_numbered = False
    item_styles: Counter[str] = Counter()

    def current() -> SectionNode:
        if not sections:
            sections.append(SectionNode(body[0].origin if body else "start"))
        return sections[-1]

    for i, para in enumerate(body):
        following = body[i + 1] if i + 1 < len(body) else None
        following_item = following is not None and (
            following.bullet or number_level(split_number(following)[0] or "") == "item"
        )
        number, rest = split_number(para)
        level = number_level(number) if number else None
        if level == "item" or (para.bullet and level is None):
            label = number if level == "item" else None
            item_styles[item_style(label, romans) if label else "bullet"] += 1
            _add_item(current(), ItemNode(label, rest, para.origin))
            continue
        if para.heading is not None and level is None:
            if top is not None and para.heading > top:
                current().blocks.append(Block(para.origin, heading=rest))
            else:
                sections.append(SectionNode(para.origin, None, rest))
            continue
        if level == "section" and (looks_like_heading(rest, following, following_item) or word_count(rest) <= 6):
            section_numbers.append(section_style(number or ""))
            sections.append(SectionNode(para.origin, number, rest))
            continue
        if level in ("section", "clause"):
            clause_numbered = True
            if looks_like_heading(rest, following, following_item):
                current().blocks.append(Block(para.origin, number, heading=rest))
            else:
                current().blocks.append(Block(para.origin, number, text=rest))
            continue
        blocks = sections[-1].blocks if sections else []
        if blocks and blocks[-1].items and rest[:1].islower():  # a list item whose bullet was lost
            _add_item(current(), ItemNode(None, rest, para.origin))
            continue
        if looks_like_heading(rest, following, following_item) and not para.bullet:
            if clause_numbered and sections and sections[-1].number:
                current().blocks.append(Block(para.origin, heading=rest))
            else:
                sections.append(SectionNode(para.origin, None, rest))
            continue
        current().blocks.append(Block(para.origin, text=rest))
    items = [item for s in sections for b in s.blocks for item in b.items]
    bare = sum(1 for item in items if not item.text.rstrip().endswith((";", ".", ",", ":")))
    punctuation = "none" if len(items) >= 4 and bare >= 0.75 * len(items) else "as-written"
    levels = (
        Counter(section_numbers).most_common(1)[0][0] if section_numbers else "none",
        "1.1" if clause_numbered else "none",
        item_styles.most_common(1)[0][0] if item_styles else "bullet",
    )
    return Segmented(paras[:start], sections, paras[end:], levels, punctuation)


def _add_item(section: SectionNode, item: ItemNode) -> None:
    """Items belong to the clause before them (its lead-in or heading); otherwise they start a list clause."""
    if section.blocks:
        section.blocks[-1].items.append(item)
    else:
        section.blocks.append(Block(item.origin, items=[item]))
