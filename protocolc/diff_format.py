"""A Comparison as text (terminal), Markdown, HTML (a printable redline page) or JSON (for tools).

Deletions and insertions stay distinguishable without colour: `[-old-]{+new+}`
in text, ~~old~~ and **new** in Markdown, struck-through and underlined in HTML.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import click

from .diff import IDENTICAL, MOVED, ONLY_FIRST, ONLY_SECOND, REWORDED, STATUSES, Comparison, Entry, Unit

JSON_SCHEMA = "protocolc-diff/1"
MARK = {IDENTICAL: "=", REWORDED: "~", MOVED: ">", ONLY_FIRST: "-", ONLY_SECOND: "+"}


_LABELS = {IDENTICAL: "identical", REWORDED: "reworded", MOVED: "moved"}


def status_label(status: str, cmp: Comparison) -> str:
    if status == ONLY_FIRST:
        return f"only in {cmp.first_label}"
    if status == ONLY_SECOND:
        return f"only in {cmp.second_label}"
    return _LABELS[status]


def percent(similarity: float) -> str:
    """Rounded down, so two documents that differ never show as 100.0% similar."""
    return f"{math.floor(similarity * 1000) / 10:.1f}%"


def summary_line(cmp: Comparison) -> str:
    counts = ", ".join(f"{cmp.count(s)} {status_label(s, cmp)}" for s in STATUSES)
    return f"{cmp.first_label} vs {cmp.second_label}: {counts}; {percent(cmp.similarity)} similar"


def _where(unit: Unit) -> str:
    number = f"{unit.number} " if unit.number else ""
    what = f"heading of section {unit.id}" if unit.kind == "heading" else unit.id
    return f"{number}{what}"


def _moved_note(entry: Entry) -> str:
    a, b = entry.first, entry.second
    assert a and b
    if a.section != b.section:
        return f"moved from section {a.section} to {b.section}"
    if a.number and b.number and a.number != b.number:
        return f"renumbered {a.number} -> {b.number}"
    return "moved to another place in the section"


# --- text ------------------------------------------------------------------------------------------


def to_text(cmp: Comparison, color: bool) -> str:
    def paint(text: str, **style: Any) -> str:
        return click.style(text, **style) if color else text

    lines = [paint(summary_line(cmp), bold=True), ""]
    for entry in cmp.entries:
        unit = entry.unit
        head = f"{MARK[entry.status]} {_where(unit)}"
        if entry.status == IDENTICAL:
            lines.append(paint(head, dim=True))
        elif entry.status == MOVED:
            lines.append(paint(f"{head}  ({_moved_note(entry)})", fg="cyan"))
        elif entry.status == ONLY_FIRST:
            lines.append(paint(f"{head}  [only in {cmp.first_label}]", fg="red"))
            lines.append("    " + paint(f"[-{unit.text}-]", fg="red"))
        elif entry.status == ONLY_SECOND:
            lines.append(paint(f"{head}  [only in {cmp.second_label}]", fg="green"))
            lines.append("    " + paint(f"{{+{unit.text}+}}", fg="green"))
        else:
            note = "reworded: an amendment of library wording" if entry.amended else "reworded"
            lines.append(paint(f"{head}  ({note})", fg="yellow"))
            parts = []
            for change in entry.redline:
                if change.op == "equal":
                    parts.append(change.text)
                elif change.op == "delete":
                    parts.append(paint(f"[-{change.text}-]", fg="red"))
                else:
                    parts.append(paint(f"{{+{change.text}+}}", fg="green"))
            lines.append("    " + " ".join(parts))
    return "\n".join(lines) + "\n"


# --- Markdown ----------------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return text.replace("~", "\\~").replace("*", "\\*")


def to_markdown(cmp: Comparison) -> str:
    lines = [f"# {cmp.first_label} compared with {cmp.second_label}", "", "| | clauses |", "|---|---:|"]
    lines += [f"| {status_label(s, cmp)} | {cmp.count(s)} |" for s in STATUSES]
    lines += [
        f"| similarity | {percent(cmp.similarity)} |",
        "",
        "Deleted words are ~~struck through~~, inserted words are **bold**.",
        "",
    ]
    for entry in cmp.entries:
        unit = entry.unit
        amended = " (an amendment of library wording)" if entry.amended else ""
        lines.append(f"### {_where(unit)}: {status_label(entry.status, cmp)}{amended}")
        lines.append("")
        if entry.status == REWORDED:
            parts = []
            for change in entry.redline:
                text = _md_escape(change.text)
                parts.append(
                    text if change.op == "equal" else f"~~{text}~~" if change.op == "delete" else f"**{text}**"
                )
            lines.append(" ".join(parts))
        elif entry.status == MOVED:
            lines.append(f"{_md_escape(unit.text)} *({_moved_note(entry)})*")
        elif entry.status == ONLY_FIRST:
            lines.append(f"~~{_md_escape(unit.text)}~~")
        elif entry.status == ONLY_SECOND:
            lines.append(f"**{_md_escape(unit.text)}**")
        else:
            lines.append(_md_escape(unit.text))
        lines.append("")
    return "\n".join(lines)


# --- HTML ----------------------------------------------------------------------------------------------

CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; color: #1b1b1b; max-width: 48em; margin: 2em auto; padding: 0 1em;
  line-height: 1.45; }
h1, h2, h3 { font-family: "DejaVu Sans", Arial, sans-serif; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #b1b4b6; padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; }
.entry { border-left: 4px solid #b1b4b6; padding: 0.2em 0 0.2em 0.8em; margin: 0.8em 0; break-inside: avoid; }
.entry h3 { font-size: 0.95em; margin: 0 0 0.3em; }
.entry p { margin: 0; }
.reworded { border-color: #b35c00; } .only-first { border-color: #a4000f; } .only-second { border-color: #00703c; }
.moved { border-color: #1d4f7a; } .identical { color: #505a5f; }
.only-first h3::before { content: "− "; } .only-second h3::before { content: "+ "; }
del { color: #a4000f; text-decoration: line-through; text-decoration-thickness: 2px; }
ins { color: #00703c; text-decoration: underline; text-decoration-thickness: 2px; font-weight: bold; }
del::before { content: "[-"; font-weight: normal; } del::after { content: "-]"; }
ins::before { content: "{+"; font-weight: normal; } ins::after { content: "+}"; font-weight: normal; }
.key { font-size: 0.9em; }
@media print { body { margin: 0; max-width: none; } .identical { display: none; } }
@page { size: A4; margin: 18mm; }
"""


def to_html(cmp: Comparison) -> str:
    e = html.escape
    first, second = e(cmp.first_label), e(cmp.second_label)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{first} compared with {second} – protocolc redline</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{first} compared with {second}</h1>",
        f"<p>{e(cmp.first.title.markdown)} of {e(cmp.first.council.name)}"
        f" (version {e(cmp.first.current.version)}) compared with"
        f" {e(cmp.second.title.markdown)} of {e(cmp.second.council.name)}"
        f" (version {e(cmp.second.current.version)}).</p>",
        "<h2>Summary</h2>",
        '<table><thead><tr><th scope="col">Clauses</th><th scope="col">Count</th></tr></thead>',
        "<tbody>",
    ]
    out += [
        f'<tr><th scope="row">{e(status_label(s, cmp))}</th><td class="n">{cmp.count(s)}</td></tr>' for s in STATUSES
    ]
    out += [
        f'<tr><th scope="row">similarity</th><td class="n">{percent(cmp.similarity)}</td></tr>',
        "</tbody></table>",
        f'<p class="key">In reworded clauses, words of {first} that {second} does not have are '
        f"<del>struck through</del> and words {second} adds are <ins>underlined</ins>. A clause found in only one "
        "of the two is marked − or + and bordered red or green. Unchanged clauses are left out when printed.</p>",
        "<h2>Clauses</h2>",
    ]
    memo = cmp.renderings
    for entry in cmp.entries:
        if memo is None:
            out.append(_entry_html(entry, cmp))
            continue
        key = _entry_key(entry, cmp)
        found = memo.get(key)
        if found is None:
            found = _entry_html(entry, cmp)
            memo.put(key, found, 2 * len(found))  # the key holds the same texts again (the unit's, the redline's)
        out.append(found)
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


class _Same:
    """A value in a key by its identity: hashed at once, equal only to the very same object.

    A redline (a tuple of Changes) hashes in Python, change by change; the Comparer hands out one tuple per pair
    of texts, so by identity the same redline still finds its entry, and an equal copy only misses it.
    The key holds the value, so its id is not reused while the entry is kept.
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return type(other) is _Same and other.value is self.value


def _entry_key(entry: Entry, cmp: Comparison) -> tuple[object, ...]:
    """Everything `_entry_html` reads of an entry and its comparison, so equal keys render the same HTML."""
    unit = entry.unit
    extra: object = None
    if entry.status == REWORDED:
        extra = _Same(entry.redline)
    elif entry.status == MOVED:
        a, b = entry.first, entry.second
        assert a and b
        extra = (a.section, b.section, a.number, b.number)
    label = status_label(entry.status, cmp)
    return ("html", entry.status, label, entry.amended, unit.id, unit.kind, unit.number, unit.text, extra)


def _entry_html(entry: Entry, cmp: Comparison) -> str:
    """One entry of the HTML page: its heading, then its text (reworded: the redline)."""
    e = html.escape
    unit = entry.unit
    label = e(status_label(entry.status, cmp) + (" (an amendment of library wording)" if entry.amended else ""))
    out = [f'<section class="entry {entry.status}"><h3>{e(_where(unit))}: {label}</h3>']
    if entry.status == REWORDED:
        parts = []
        for change in entry.redline:
            text = e(change.text)
            parts.append(
                text
                if change.op == "equal"
                else f"<del>{text}</del>"
                if change.op == "delete"
                else f"<ins>{text}</ins>"
            )
        out.append(f"<p>{' '.join(parts)}</p>")
    elif entry.status in (ONLY_FIRST, ONLY_SECOND):
        out.append(f'<p class="alone">{e(unit.text)}</p>')
    elif entry.status == MOVED:
        out.append(f"<p>{e(unit.text)} <em>({e(_moved_note(entry))})</em></p>")
    else:
        out.append(f"<p>{e(unit.text)}</p>")
    out.append("</section>")
    return "\n".join(out)


# --- JSON -------------------------------------------------------------------------------------------------


def _unit_json(unit: Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    data: dict[str, Any] = {
        "id": unit.id,
        "kind": unit.kind,
        "section": unit.section,
        "number": unit.number,
        "text": unit.text,
    }
    if unit.amended:
        data["amended"] = True
    return data


def to_json(cmp: Comparison) -> str:
    data = {
        "schema": JSON_SCHEMA,
        "first": {
            "label": cmp.first_label,
            "council": cmp.first.council.id,
            "version": cmp.first.current.version,
        },
        "second": {
            "label": cmp.second_label,
            "council": cmp.second.council.id,
            "version": cmp.second.current.version,
        },
        "summary": {**{s.replace("-", "_"): cmp.count(s) for s in STATUSES}, "similarity": round(cmp.similarity, 4)},
        "clauses": [
            {
                "status": entry.status,
                "first": _unit_json(entry.first),
                "second": _unit_json(entry.second),
                "redline": [{"op": c.op, "text": c.text} for c in entry.redline],
            }
            for entry in cmp.entries
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(cmp: Comparison, fmt: str, color: bool = False) -> str:
    if fmt == "text":
        return to_text(cmp, color)
    return {"md": to_markdown, "html": to_html, "json": to_json}[fmt](cmp)
