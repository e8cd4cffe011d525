"""Stage 2, clean: raw lines -> paragraphs, with the extraction noise taken out.

Removes page headers and footers repeated on several pages, bare page numbers, bullet glyphs at the
start of a line (`e`, `¢`, `®`, `·`, `•`, `*`, `-`: an OCR or PDF stand-in for a bullet), Markdown
emphasis around a whole line, and hyphenation at line ends; joins lines broken by wrapping into
paragraphs. A line starting with a bullet, a clause number or a Word number starts a new paragraph.
"""

from __future__ import annotations

import re
from collections import Counter

from .nodes import Line, Para

BULLET = re.compile(r"^\s*(?:[•·¢®▪◦○●■□➢✓\-*–\uf000-\uf0ff]|e(?=\s+[A-Za-z(‘“'\"]))\s+")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?\s*$", re.IGNORECASE)
NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|\(?[a-z]\)|\([ivx]+\)|[ivx]+\.|[a-zA-Z]\.)\s+\S")
EMPHASIS = re.compile(r"^(\*\*|\*|__|_)(.+)\1$")
SENTENCE_END = (".", ":", ";", "!", "?")


def _strip_markup(text: str) -> str:
    """Markdown emphasis and bold markers around a line or right after a number (`5.1** From`)."""
    text = re.sub(r"^(\s*\d+(?:\.\d+)*\.?)\*\*\s*", r"\1 ", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    m = EMPHASIS.match(text.strip())
    return m[2] if m else text


def repeated_furniture(lines: list[Line]) -> set[str]:
    """Lines that recur at the top or bottom of two or more pages: running heads and footers."""
    pages: dict[int, list[str]] = {}
    for line in lines:
        if line.page and line.text.strip():
            pages.setdefault(line.page, []).append(line.text.strip())
    if len(pages) < 2:
        return set()
    edges: Counter[str] = Counter()
    for texts in pages.values():
        ends = set(texts[:2] + texts[-2:])
        edges.update({re.sub(r"\d+", "#", t) for t in ends})
    return {t for t, n in edges.items() if n >= 2 and n >= len(pages) // 2}


SUFFIXES = (
    "bility",
    "tion",
    "sion",
    "ment",
    "ness",
    "ity",
    "ities",
    "ing",
    "ings",
    "ance",
    "ence",
    "ible",
    "able",
    "ally",
)


def _dehyphenate(left: str, right: str, vocabulary: Counter[str]) -> str:
    """Join 'respon-' + 'sibility' when that makes a word; keep a real hyphen ('agreed-' + 'upon')."""
    first = re.search(r"([A-Za-z]+)-$", left)
    second = re.match(r"([a-z]+)", right)
    if not first or not second:
        return left + right
    joined = (first[1] + second[1]).lower()
    if vocabulary[joined] or (second[1].startswith(SUFFIXES) and vocabulary[second[1]] < 2):
        return left[:-1] + right
    return left + right


def clean(lines: list[Line]) -> list[Para]:
    """Turn lines into paragraphs.

    Reads: Lines from `read`. Writes: Paras, each with the origin of its first line, whether it
    started with a bullet, and any heading level or Word number the format gave.
    """
    furniture = repeated_furniture(lines)
    vocabulary = Counter(w.lower() for line in lines for w in re.findall(r"[A-Za-z]+", line.text))
    lengths = sorted(len(line.text.strip()) for line in lines if line.text.strip())
    wrap_width = lengths[int(len(lengths) * 0.8)] if lengths else 80
    paras: list[Para] = []
    current: dict[str, object] | None = None
    last_length = 0
    gap = True  # a blank line (or the start) came before this line

    def flush() -> None:
        nonlocal current
        if current is not None and str(current["text"]).strip():
            paras.append(Para(" ".join(str(current["text"]).split()), **current["meta"]))  # type: ignore[arg-type]
        current = None

    for line in lines:
        raw = line.text.replace("\u00a0", " ").replace("\t", " ")
        stripped = raw.strip()
        if not stripped or (line.page and re.sub(r"\d+", "#", stripped) in furniture) or PAGE_NUMBER.match(stripped):
            gap = True
            continue
        bullet = bool(BULLET.match(raw)) or line.style == "list"
        text = BULLET.sub("", raw, count=1).strip() if BULLET.match(raw) else stripped
        text = _strip_markup(text)
        if not text:
            gap = True
            continue
        starts_new = (
            bullet
            or line.number is not None
            or line.style is not None
            or bool(NUMBERED.match(text))
            or current is None
            or bool(current["meta"]["heading"])  # type: ignore[index]
        )
        prev = str(current["text"]) if current is not None else ""
        continues_sentence = (
            bool(prev) and not prev.rstrip().endswith(SENTENCE_END) and bool(re.match(r"[a-z]+[\s,;.]", text))
        )
        indented = raw[:1].isspace() and prev.rstrip().endswith(SENTENCE_END)
        if not starts_new:
            if gap:
                starts_new = not continues_sentence
            else:
                long_line = last_length >= 0.75 * wrap_width
                starts_new = not (long_line or continues_sentence) or prev.rstrip().endswith(":") or indented
        if starts_new:
            flush()
            level = int(line.style[7:]) if line.style and line.style.startswith("heading") else None
            if line.style == "title":
                level = 1
            current = {
                "text": text,
                "meta": {"origin": line.origin, "heading": level, "bullet": bullet, "number": line.number},
            }
        else:
            assert current is not None
            if prev.endswith("-") and text[:1].islower():
                current["text"] = _dehyphenate(prev, text, vocabulary)
            else:
                current["text"] = prev + " " + text
        last_length = len(stripped)
        gap = False
    flush()
    return paras
