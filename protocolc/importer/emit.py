"""Stage 6, emit: the aligned outline -> the council's two YAML files and a proofing report.

`councils/<id>/council.yaml` holds who the council is (format, name, kind, clerk, contact,
county_association, terms); `councils/<id>/<document>.yaml` holds the document (format, title,
numbering, versions, sections, changes, closing). Every entry carries a comment naming the page,
paragraph or line of the source it came from, so a clerk can check it against the original.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .align import Aligned, ClauseEntry, Finding, SectionEntry
from .nodes import Facts, Segmented

WIDTH = 100
PLAIN = re.compile(r"[A-Za-z0-9(][^\n]*")
RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


@dataclass(frozen=True)
class Emitted:
    council_yaml: str
    document_yaml: str
    report: str


MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<])")
MARKDOWN_START = re.compile(r"^(?:([#>])|([-+])(?=\s)|(\d+)([.)])(?=\s))")


def _escape_start(m: re.Match[str]) -> str:
    if m[3]:
        return m[3] + "\\" + m[4]
    return "\\" + (m[1] or m[2])


def escape_text(text: str, plain: bool = True) -> str:
    """Clause text is Markdown inside a Jinja template: a literal '{' must not start a variable, and
    (for a source in plain text, Word or PDF) '*', '_', '<', a leading '#' or '1.' print as themselves."""
    if plain:
        text = MARKDOWN_INLINE.sub(r"\\\1", text)
        text = MARKDOWN_START.sub(_escape_start, text)
    return text.replace("{", "{{ '{' }}") if "{" in text and "{{ '{' }}" not in text else text


def scalar(value: str, indent: int) -> str:
    """A YAML scalar for `key: <here>`: plain when safe, quoted when short, folded (>-) when long."""
    if "\n" in value:
        pad = " " * indent
        lines = [pad + line if line else "" for line in value.split("\n")]
        return "|-\n" + "\n".join(lines)
    safe = (
        PLAIN.fullmatch(value)
        and ": " not in value
        and " #" not in value
        and not value.endswith((":", " "))
        and value.lower() not in RESERVED
        and not re.fullmatch(r"[\d.:-]+", value)
    )
    if safe and len(value) + indent <= WIDTH:
        return value
    if len(value) + indent <= WIDTH - 10:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = textwrap.wrap(value, WIDTH - indent, break_long_words=False, break_on_hyphens=False)
    pad = " " * indent
    return ">-\n" + "\n".join(pad + line for line in lines)


def council_yaml(facts: Facts, source_name: str) -> str:
    out = [
        f"# {facts.name}: imported from {source_name} by 'protocolc import'.",
        "format: 1",
        f"name: {scalar(facts.name, 2)}",
        f"kind: {facts.kind}",
    ]
    if facts.clerk:
        out.append(f"clerk: {scalar(facts.clerk, 2)}")
    if facts.contact:
        out.append(f"contact: {scalar(facts.contact, 2)}")
    if facts.county_association:
        out.append(f"county_association: {scalar(facts.county_association, 2)}")
    if facts.terms:
        out.append("terms:")
        out.extend(f"  {key}: {scalar(value, 4)}" for key, value in sorted(facts.terms.items()))
    return "\n".join(out) + "\n"


def _clause(entry: ClauseEntry, numbering: bool, lines: list[str], plain: bool) -> None:
    layout = {}
    if numbering and not entry.numbered and not entry.join:
        layout["numbered"] = "false"
    if entry.join:
        layout["join"] = "true"
    if entry.library and not layout:
        lines.append(f"      - {entry.id}  # {entry.origin}")
        return
    lines.append(f"      # {entry.origin}")
    if entry.library:
        lines.append(f"      - clause: {entry.id}")
    else:
        lines.append(f"      - id: {entry.id}")
    for key, value in layout.items():
        lines.append(f"        {key}: {value}")
    if entry.library:
        return
    if entry.heading:
        lines.append(f"        heading: {scalar(escape_text(entry.heading, plain), 10)}")
    if entry.text:
        lines.append(f"        text: {scalar(escape_text(entry.text, plain), 10)}")
    if entry.items:
        lines.append("        items:")
        for key, text, origin in entry.items:
            lines.append(f"          # {origin}")
            lines.append(f"          {key}: {scalar(escape_text(text, plain), 12)}")


def _section(entry: SectionEntry, numbering: tuple[str, str, str], lines: list[str], plain: bool) -> None:
    lines.append(f"  # {entry.origin}")
    lines.append(f"  - {'section' if entry.library else 'id'}: {entry.id}")
    if entry.heading:
        lines.append(f"    heading: {scalar(escape_text(entry.heading, plain), 6)}")
    if not entry.numbered and numbering[0] != "none":
        lines.append("    numbered: false")
    lines.append("    clauses:" if entry.clauses else "    clauses: []")
    for clause in entry.clauses:
        _clause(clause, numbering[1] != "none" and entry.numbered, lines, plain)


def document_yaml(segmented: Segmented, facts: Facts, aligned: Aligned, document: str, source_name: str) -> str:
    lines = [f"# {facts.name}: {document}, imported from {source_name} by 'protocolc import'.", "format: 1"]
    plain = not source_name.lower().endswith((".md", ".markdown"))
    if facts.title:
        lines.append(f"title: {scalar(facts.title, 2)}")
    levels = ", ".join(f'"{level}"' for level in segmented.levels)
    lines += ["numbering:", f"  levels: [{levels}]", f"  punctuation: {segmented.punctuation}", "versions:"]
    lines.append(f'  - version: "{facts.version}"')
    for key in ("adopted", "minute", "review_by", "approved_by"):
        value = getattr(facts, key)
        if value:
            lines.append(f"    {key}: " + (value if key in ("adopted", "review_by") else scalar(value, 6)))
    lines.append("sections:")
    for section in aligned.sections:
        _section(section, segmented.levels, lines, plain)
    if aligned.changes:
        lines.append("changes:")
        for change in aligned.changes:
            lines.append(f"  # {change.origin}" if change.origin else "  #")
            lines.append(f"  - {change.action}: {change.target}")
            if change.heading:
                lines.append(f"    heading: {scalar(escape_text(change.heading, plain), 6)}")
            if change.text:
                lines.append(f"    text: {scalar(escape_text(change.text, plain), 6)}")
            if change.anchor:
                lines.append(f"    {change.position}: {change.anchor}")
            if change.use:
                lines.append(f"    use: {change.use}")
    if aligned.closing:
        lines.append("closing: " + scalar(aligned.closing, 2))
    return "\n".join(lines) + "\n"


def _quote(text: str, size: int = 90) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def report(aligned: Aligned, facts: Facts, source_name: str, council_id: str) -> str:
    """The proofing report: what matched the library exactly, nearly (with the differing words), what
    is the council's own, and what could not be placed."""
    counts = Counter(f.status for f in aligned.findings)
    lib_words = sum(len(f.text.split()) for f in aligned.findings if f.status in ("exact", "typographic"))
    all_words = sum(len(f.text.split()) for f in aligned.findings if f.status != "unplaced")
    share = 100.0 * lib_words / all_words if all_words else 0.0
    out = [
        f"Proofing report: {source_name} -> councils/{council_id}/",
        f"  {facts.name} ({facts.kind}); clerk: {facts.clerk or '?'}; terms: "
        + (", ".join(f"{k}={v}" for k, v in sorted(facts.terms.items())) or "the library's"),
        f"  exact {counts['exact']}, same words in the library's capitals/punctuation {counts['typographic']}, "
        f"near {counts['near']}, the council's own {counts['local']}, "
        f"not placed {counts['unplaced']}; {share:.1f}% of the words are the library's unchanged",
    ]

    def group(title: str, status: str, show: Callable[[Finding], str]) -> None:
        found: list[Finding] = [f for f in aligned.findings if f.status == status]
        out.extend(["", f"{title} ({len(found)}):"])
        out.extend(show(f) for f in found)
        if not found:
            out.append("  (none)")

    group("Exact matches with the library", "exact", lambda f: f"  {f.origin:14} {f.id}")
    group(
        "The same words, printed with the library's capitals and punctuation ([-library-] {+as written+})",
        "typographic",
        lambda f: f"  {f.origin:14} {f.id}\n  {'':14} {f.redline}",
    )
    group(
        "Near matches: the library clause kept, with the council's words as a change ([-library-] {+council+})",
        "near",
        lambda f: f"  {f.origin:14} {f.id} ({f.similarity:.2f})\n  {'':14} {f.redline}",
    )
    group("The council's own text", "local", lambda f: f"  {f.origin:14} {f.id}: {_quote(f.text)}")
    group("Not placed (check by hand; not in the YAML)", "unplaced", lambda f: f"  {f.origin:14} {_quote(f.text)}")
    return "\n".join(out) + "\n"


def emit(
    segmented: Segmented, facts: Facts, aligned: Aligned, council_id: str, document: str, source_name: str
) -> Emitted:
    """Write the YAML texts and the report.

    Reads: the segmented document (numbering), the facts and terms, the aligned outline.
    Writes: Emitted (council.yaml text, <document>.yaml text, proofing report text); nothing on disk.
    """
    return Emitted(
        council_yaml(facts, source_name),
        document_yaml(segmented, facts, aligned, document, source_name),
        report(aligned, facts, source_name, council_id),
    )
