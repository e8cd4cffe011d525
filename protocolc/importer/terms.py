"""Stage 4, terms: find who the council is and how it spells the library's terms.

The council's name and kind come from the masthead (or the first 'X Parish Council' in the text), the
clerk's title from the titles the text uses ('Town Clerk', 'Chief Officer', 'Proper Officer', 'Clerk'),
the county association from its name or acronym, the version, adoption and review dates from the
version table or the closing notes. Each library term (see `terms:` in clauses/library.yaml) is found
by reading the library's own texts as patterns: 'To represent the {{ authority }} externally' matched
against 'to represent the authority externally' says this council writes 'authority'.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable

from ..model import Library, PartialDate
from .nodes import Facts, Model, Para, Segmented
from .segment import EMAIL, NAME

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
CLERK_TITLES = ("Town Clerk", "Chief Officer", "Proper Officer", "Parish Clerk", "Clerk")
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SMALL_WORDS = {"on", "of", "and", "the", "for", "to", "in", "a", "an"}


def normalise(text: str) -> str:
    """Typography that does not change wording: curly quotes, dashes, spacing."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.replace("\\", "").split())


def smart_title(text: str) -> str:
    """'MEMBER/OFFICER RELATIONS PROTOCOL' -> 'Member/Officer Relations Protocol'."""
    if not text.isupper():
        return text
    words = []
    for n, word in enumerate(text.lower().split()):
        if n and word in SMALL_WORDS:
            words.append(word)
        else:
            words.append("/".join(part[:1].upper() + part[1:] for part in word.split("/")))
    return " ".join(words)


def library_texts(library: Library | Model) -> Iterable[str]:
    library = Model.of(library)
    for section in library.sections:
        if section.heading:
            yield section.heading.value
        for clause in section.clauses:
            for text in (clause.heading, clause.text):
                if text:
                    yield text.value
            for item in clause.items:
                yield item.text.value
            for variant in clause.variants.values():
                for text in (variant.heading, variant.text):
                    if text:
                        yield text.value


def _pattern(literal_before: str, literal_after: str) -> re.Pattern[str] | None:
    before = normalise(literal_before).split()[-5:]
    after_text = normalise(literal_after)
    after = re.match(r"^('s\b)?\s*((?:\S+\s*){0,6})", after_text)
    after_words = after[2].split() if after else []
    possessive = bool(after and after[1])
    if len(before) + len(after_words) < 3:
        return None
    head = r"\s+".join(re.escape(w) for w in before)
    tail = r"\s+".join(re.escape(w) for w in after_words)
    value = r"(?P<v>[A-Za-z][A-Za-z/' ]{0,38}?)"
    pattern = (r"\b" + head + r"\s+" if head else r"(?:^|(?<=[\s(]))") + value
    pattern += "'s" if possessive else ""
    gap = r"\s*" if after_words and not after_words[0][:1].isalnum() else r"\s+"
    pattern += (gap + tail if tail else r"(?=[\s.,;:]|$)") if after_words or not possessive else ""
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


def find_terms(library: Library | Model, text: str) -> dict[str, str]:
    """The council's value of each library term its text gives evidence for, differing from the library's."""
    library = Model.of(library)
    text = normalise(text.replace("\n", " \n "))
    exact: dict[str, Counter[str]] = {}
    capital: dict[str, Counter[str]] = {}
    defaults = {k: t.value.lower() for k, t in library.terms.items()}
    # A value that is another term's word ('Councillors' where officers are meant) is often a mis-read:
    # it counts half.
    others = {k: {v for j, v in defaults.items() if v != d} for k, d in defaults.items()}
    for template in dict.fromkeys(library_texts(library)):
        parts = VARIABLE.split(template)
        for k in range(1, len(parts), 2):
            name = parts[k]
            if name.lower() not in library.terms:
                continue
            before = parts[k - 1] if k - 1 >= 0 else ""
            after = parts[k + 1] if k + 1 < len(parts) else ""
            pattern = _pattern(before, after)
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                value = m["v"].strip()
                if not value or len(value.split()) > 4:
                    continue
                target = exact if name == name.lower() else capital
                weight = 0.5 if value.lower() in others.get(name.lower(), ()) else 1.0
                target.setdefault(name.lower(), Counter())[value] += weight  # type: ignore[assignment]
    terms: dict[str, str] = {}
    for key, default in library.terms.items():
        votes = exact.get(key)
        if votes:
            value = max(votes, key=lambda v: (votes[v], _uses(v, text)))
        elif capital.get(key):
            value = max(capital[key], key=lambda v: (capital[key][v], _uses(v, text)))
            if value.lower() == default.value.lower():
                continue
        else:
            continue
        if value.lower() == default.value.lower() and value != default.value:
            # Only the capitals differ: the document's usual spelling of the word decides.
            ours, theirs = _uses(value, text), _uses(default.value, text)
            if theirs >= ours:
                continue
        if value != normalise(default.value):
            terms[key] = value.replace("'", "\u2019")
    return terms


def _uses(word: str, text: str) -> int:
    """How often the text writes `word` as a word on its own (not in a title such as 'Chief Officer')."""
    found = 0
    for m in re.finditer(r"\b" + re.escape(word) + r"\b", text):
        before = text[: m.start()].split()[-1:] or [""]
        found += not (before[0][:1].isupper() and before[0].isalpha() and m.start() > 0 and text[m.start() - 1] == " ")
    return found


def _date(day: str | None, month: str, year: str) -> str | None:
    try:
        m = int(month) if month.isdigit() else MONTHS[month.lower()]
        value = f"{int(year):04d}-{m:02d}" + (f"-{int(day):02d}" if day else "")
        return PartialDate.parse(value).iso()
    except (KeyError, ValueError):
        return None


def find_name(masthead: list[Para], text: str) -> str | None:
    for para in masthead:
        candidate = smart_title(para.text.strip())
        m = NAME.search(candidate)
        if m:
            return m[0]
    found = Counter(m[0] for m in NAME.finditer(text))
    return found.most_common(1)[0][0] if found else None


def find_facts(segmented: Segmented, library: Library | Model, council_id: str) -> Facts:
    """Read the council's facts and terms.

    Reads: the segmented document and the library (for its terms). Writes: Facts. Masthead lines
    that say nothing protocolc can hold (e.g. a repeated heading) are listed in Facts.unplaced.
    """
    library = Model.of(library)
    body_text = "\n".join(
        " ".join(filter(None, [b.heading, b.text, *(i.text for i in b.items)]))
        for s in segmented.sections
        for b in s.blocks
    )
    headings = "\n".join(s.heading or "" for s in segmented.sections)
    all_text = "\n".join(p.text for p in segmented.masthead + segmented.trailer) + "\n" + body_text
    name = find_name(segmented.masthead, all_text) or council_id.replace("-", " ").title() + " Council"
    kind = next(
        (k for k in ("town", "parish", "community", "city", "village") if f" {k} council" in name.lower()), "parish"
    )
    counts = {t: len(re.findall(r"\b" + t + r"\b", all_text)) for t in CLERK_TITLES}
    specific = max(CLERK_TITLES[:-1], key=lambda t: counts[t])
    plain = counts["Clerk"] - counts["Town Clerk"] - counts["Parish Clerk"]
    clerk = specific if counts[specific] else ("Clerk" if plain > 0 else None)
    contact = next((m[0] for m in EMAIL.finditer(all_text)), None)
    county = re.search(
        r"\b([A-Z]{2,}ALC|[A-Z]{3,}LCA|(?!National )[A-Z][a-z]+ (?:and [A-Z][a-z]+ )?Association of Local Councils)\b",
        all_text,
    )
    facts = Facts(
        name=name,
        kind=kind,
        clerk=clerk,
        contact=contact,
        county_association=county[0] if county else None,
        title=None,
        terms=find_terms(library, body_text + "\n" + headings),
    )
    for para in segmented.masthead:
        text = para.text.strip()
        if "protocol" in text.lower() or "policy" in text.lower():
            if facts.title is None and not NAME.fullmatch(smart_title(text)):
                title = smart_title(text)
                if title.lower() != library.title.value.lower():
                    facts.title = title
                continue
            if facts.title is not None or library.title.value.lower() == smart_title(text).lower():
                continue
        row = re.match(
            r"^(?P<version>\S+)\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
            r"(?:\s+(?P<rm>[A-Z][a-z]+)\s+(?P<ry>\d{4}))?\s*\|?\s*(?P<by>.*)$",
            text,
        )
        if row:
            facts.version = row["version"]
            facts.adopted = _date(row["d"], row["m"], row["y"])
            facts.review_by = _date(None, row["rm"], row["ry"]) if row["rm"] else None
            facts.approved_by = row["by"].strip(" |") or None
            continue
        if NAME.fullmatch(smart_title(text)):
            continue
        facts.unplaced.append(para)
    for para in segmented.trailer:
        text = para.text
        review = re.search(r"(?:review|review by)\s*:?\s*(?:([A-Z][a-z]+)\s+(\d{4}))", text, re.IGNORECASE)
        if review and not facts.review_by:
            facts.review_by = _date(None, review[1], review[2])
        adopted = re.search(r"\b(?:(\d{1,2})\s+)?([A-Z][a-z]+)\s+(\d{4})\b", text)
        if adopted and not facts.adopted and (not review or adopted.start() < review.start()):
            facts.adopted = _date(adopted[1], adopted[2], adopted[3])
        minute = re.search(r"\bminute(?:\s+(?:reference|ref\.?|no\.?|number))?\s+([\w/]+\d)", text, re.IGNORECASE)
        if minute and not facts.minute:
            facts.minute = minute[1]
    if facts.adopted and facts.review_by and facts.review_by <= facts.adopted:
        facts.review_by = None
    return facts
