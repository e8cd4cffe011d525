"""Agenda-pack redlines: a document's proposed changes as a council paper (issue 13 item 4, issue 14 item 2).

The adopted snapshot of a version is compared with the current draft (or with another version's snapshot)
through diff.compare; clauses are shown by their printed numbers and headings, whole, with deletions
struck through and insertions underlined, words and punctuation marked apart. Markdown, HTML, PDF (the
HTML through WeasyPrint) and DOCX with Word's own tracked changes (w:ins / w:del) are written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import diff, snapshot
from .adoption import build_date, draft_document, latest_snapshot
from .errors import ProtocolError
from .model import DocItem, Document, Version
from .workspace import Workspace

FORMATS = ("pdf", "html", "md", "docx")
AUTHOR = "protocolc"
TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]|\s+")


@dataclass(frozen=True)
class Run:
    """A piece of text: op is 'equal', 'delete' or 'insert'."""

    op: str
    text: str


@dataclass(frozen=True)
class Line:
    """One printed paragraph of the redline: a section heading, a clause, or a list item."""

    kind: str  # 'heading', 'clause', 'item'
    number: str
    runs: tuple[Run, ...]
    status: str  # a diff status
    join: bool = False  # continues the paragraph before it (a joined clause)
    title: tuple[Run, ...] = ()  # a clause's own heading, printed in bold before its text


@dataclass(frozen=True)
class Block:
    """A clause with its items (or a section heading): what a reader needs to read one change."""

    lines: tuple[Line, ...]
    section: Line | None = None  # the heading of the block's section, shown for context
    section_id: str = ""

    @property
    def changed(self) -> bool:
        return any(line.status != diff.IDENTICAL for line in self.lines)


@dataclass(frozen=True)
class Redline:
    council: str
    title: str
    heading: str  # 'Changes proposed to version 1.0, adopted 12 May 2025 (minute 45/25)'
    blocks: tuple[Block, ...]
    table_headers: tuple[str, ...]
    table_rows: tuple[tuple[str, tuple[str, ...]], ...]  # (op, cells)
    summary: tuple[str, ...]  # '3.3 reworded', '4.2 added', ...
    date: dt.date  # the draft's date (or the later version's), for the DOCX revisions
    full: bool


def plain(markdown: str) -> str:
    """Markdown as a reader sees it: links and emphasis without their marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*|(?<!\w)_(?=\w)|(?<=\w)_(?!\w)|`)", "", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Words, punctuation marks and spaces, each its own token ("Council." -> "Council", ".")."""
    return TOKEN.findall(text)


def runs(old: str, new: str) -> tuple[Run, ...]:
    """Token-level changes from old to new; a changed full stop is marked apart from the word before it."""
    ta, tb = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    out: list[Run] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Run(op, out[-1].text + text)
        else:
            out.append(Run(op, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("equal", "".join(tb[j1:j2]))
            continue
        deleted, inserted = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        if deleted.isspace() and inserted.isspace():
            add("equal", inserted)
            continue
        add("delete", deleted)
        add("insert", inserted)
    return tuple(out)


def _numbers(doc: Document) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """Printed numbers by (kind, id) ('3', '3.3', '3.3(b)'), and names for the minutes (unnumbered ones too)."""
    printed: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], str] = {}

    def items(all_items: tuple[DocItem, ...], parent: str) -> None:
        for i in all_items:
            printed[("item", i.id)] = i.number or i.label or ""
            names[("item", i.id)] = i.number or (f"{parent} {i.label}" if i.label else f"a point of {parent}")
            items(i.items, parent)

    for s in doc.sections:
        section = diff._number(s.number) or ""
        heading = plain(s.heading.markdown) if s.heading else ""
        printed[("heading", s.id)] = section
        names[("heading", s.id)] = (
            f"the heading of section {section}".strip() if section else f"the heading '{heading}'"
        )
        last = f"section {section}" if section else f"the section '{heading}'" if heading else "the start"
        for c in s.clauses:
            printed[("clause", c.id)] = c.number or ""
            names[("clause", c.id)] = c.number or f"the paragraph after {last}"
            if c.number:
                last = c.number
            items(c.items, names[("clause", c.id)])
    return printed, names


def _paragraphs(doc: Document) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """The printed paragraph (its first clause's id) of each clause and item, the section of each, joined clauses."""
    leader: dict[str, str] = {}
    section_of: dict[str, str] = {}
    joined: set[str] = set()

    def items(lead: str, section: str, all_items: tuple[DocItem, ...]) -> None:
        for i in all_items:
            leader[i.id] = lead
            section_of[i.id] = section
            items(lead, section, i.items)

    for s in doc.sections:
        section_of[s.id] = s.id
        for group in s.paragraphs:
            for c in group:
                leader[c.id] = group[0].id
                section_of[c.id] = s.id
                if c is not group[0]:
                    joined.add(c.id)
                items(group[0].id, s.id, c.items)
    return leader, section_of, joined


def _version_words(v: Version) -> str:
    when = f", adopted {v.adopted.british()}" if v.adopted else ""
    minute = f" (minute {v.minute})" if v.minute else ""
    return f"version {v.version}{when}{minute}"


def _describe(name: str, status: str, was: str) -> str:
    if status == diff.MOVED and was and was != name:
        return f"{was} renumbered {name}"
    what = {diff.REWORDED: "reworded", diff.ONLY_FIRST: "removed", diff.ONLY_SECOND: "added", diff.MOVED: "moved"}
    return f"{name} {what[status]}"


def _only(op: str, text: str) -> tuple[Run, ...]:
    return (Run(op, text),) if text else ()


def _parts(doc: Document) -> dict[str, tuple[str, str]]:
    """Each clause's own heading and text, as a reader sees them."""
    return {
        c.id: (plain(c.heading.markdown) if c.heading else "", plain(c.text.markdown) if c.text else "")
        for s in doc.sections
        for c in s.clauses
    }


def build(old: Document, new: Document, heading: str, date: dt.date, full: bool = False) -> Redline:
    comparison = diff.compare(old, new, "old", "new")
    (printed_old, names_old), (printed_new, names_new) = _numbers(old), _numbers(new)
    lead_old, section_old, joined_old = _paragraphs(old)
    lead_new, section_new, joined_new = _paragraphs(new)
    leader, section_of, joined = {**lead_old, **lead_new}, {**section_old, **section_new}, joined_old | joined_new
    parts_old, parts_new = _parts(old), _parts(new)
    headings: dict[str, Line] = {}
    for doc, printed in ((old, printed_old), (new, printed_new)):
        for sec in doc.sections:
            if sec.heading:
                text = plain(sec.heading.markdown)
                headings[sec.id] = Line("heading", printed[("heading", sec.id)], (Run("equal", text),), diff.IDENTICAL)
    groups: list[tuple[str, list[Line]]] = []
    current: str | None = None
    summary: list[str] = []
    for entry in comparison.entries:
        unit = entry.unit
        key = (unit.kind, unit.id)
        number = printed_new.get(key, "") if entry.second else printed_old.get(key, "")
        title_old, text_old = parts_old.get(unit.id, ("", plain(entry.first.text))) if entry.first else ("", "")
        title_new, text_new = parts_new.get(unit.id, ("", plain(entry.second.text))) if entry.second else ("", "")
        if unit.kind != "clause":
            title_old = title_new = ""
            text_old = plain(entry.first.text) if entry.first else ""
            text_new = plain(entry.second.text) if entry.second else ""
        if entry.status == diff.REWORDED:
            title, line_runs = runs(title_old, title_new), runs(text_old, text_new)
        elif entry.status == diff.ONLY_FIRST:
            title, line_runs = _only("delete", title_old), _only("delete", text_old)
        elif entry.status == diff.ONLY_SECOND:
            title, line_runs = _only("insert", title_new), _only("insert", text_new)
        else:
            title, line_runs = _only("equal", title_new), _only("equal", text_new)
        is_joined = unit.kind == "clause" and unit.id in joined
        line = Line(unit.kind, number, line_runs, entry.status, is_joined, title)
        group = leader.get(unit.id, unit.id) if unit.kind != "heading" else f"heading:{unit.id}"
        if group == current and groups:
            groups[-1][1].append(line)
        else:
            groups.append((section_of.get(unit.id, unit.section), [line]))
            current = group
        if entry.status != diff.IDENTICAL:
            name = names_new.get(key) if entry.second else names_old.get(key)
            was = names_old.get(key, "")
            summary.append(_describe(name or unit.id, entry.status, was))
    blocks = tuple(
        Block(tuple(lines), None if lines[0].kind == "heading" else headings.get(section), section)
        for section, lines in groups
    )
    headers = tuple(plain(h.markdown) for h in new.version_table.headers)

    def rows(doc: Document) -> list[tuple[str, ...]]:
        names = [plain(h.markdown) for h in doc.version_table.headers]
        out = []
        for row in doc.version_table.rows:
            cells = dict(zip(names, (plain(c.markdown) for c in row), strict=False))
            out.append(tuple(cells.get(h, "") for h in headers))
        return out

    rows_old, rows_new = rows(old), rows(new)
    table: list[tuple[str, tuple[str, ...]]] = [("delete", r) for r in rows_old if r not in rows_new]
    table += [("equal", r) if r in rows_old else ("insert", r) for r in rows_new]
    for op, row in table:
        if op != "equal":
            state = "added" if op == "insert" else "removed"
            note = " (not yet adopted)" if op == "insert" and any("not yet adopted" in c for c in row) else ""
            summary.append(f"version {row[0]} {state} in the version table{note}")
    return Redline(
        council=new.council.name,
        title=plain(new.title.markdown),
        heading=heading,
        blocks=blocks,
        table_headers=headers,
        table_rows=tuple(table),
        summary=tuple(summary),
        date=date,
        full=full,
    )


# --- which two texts ---------------------------------------------------------------------------


def _snapshot(workspace: Workspace, council_id: str, document_id: str, label: str) -> Document:
    found = snapshot.labels_in(workspace.project.council_folder(council_id), document_id)
    key = label if label in found else label[1:] if label[:1] in "vV" and label[1:] in found else None
    if key is None:
        known = ", ".join(found) or "none"
        raise ProtocolError(
            f"{council_id}/{document_id} has no adopted version '{label}' (adopted versions: {known})",
            hint="name a version from the document's versions list, e.g. --from "
            + (next(iter(found)) if found else "1.0")
            + "; leave out --to to compare with the current draft",
        )
    return snapshot.read_snapshot_file(found[key], workspace.project.root).document


def make(
    workspace: Workspace,
    council_id: str,
    document_id: str,
    first: str | None = None,
    second: str | None = None,
    full: bool = False,
) -> Redline:
    """The redline of a document from version `first` (default: the latest adopted) to `second` (default: the draft)."""
    name = f"{council_id}/{document_id}"
    if first is not None:
        old = _snapshot(workspace, council_id, document_id, first)
    else:
        found = latest_snapshot(workspace, council_id, document_id)
        if found is None:
            raise ProtocolError(
                f"{name} has no adopted snapshot to compare the draft with",
                hint=f"record the adopted text first: 'protocolc snapshot {name}' if the sources still hold it, "
                f"or 'protocolc adopt {name} --minute M --date YYYY-MM-DD' when a meeting adopts it",
            )
        old = found.document
    if second is not None:
        new = _snapshot(workspace, council_id, document_id, second)
        later = new.current
        date = later.adopted and dt.date(later.adopted.year, later.adopted.month, later.adopted.day or 1)
        heading = f"Changes made to {_version_words(old.current)}, by {_version_words(later)}"
    else:
        new = draft_document(workspace, council_id, document_id)
        date = build_date()
        heading = f"Changes proposed to {_version_words(old.current)}"
    return build(old, new, heading[0].upper() + heading[1:], date or build_date(), full)


# --- formats -----------------------------------------------------------------------------------


def _shown(rl: Redline) -> list[Block]:
    return [b for b in rl.blocks if rl.full or b.changed]


def paragraphs(rl: Redline) -> list[Line]:
    """The printed paragraphs to show, in order: section headings for context, joined clauses run together."""
    out: list[Line] = []
    last_section: str | None = None
    for block in _shown(rl):
        if block.section is not None and block.section_id != last_section:
            out.append(block.section)
        last_section = block.section_id
        for line in block.lines:
            if line.join and out and out[-1].kind == "clause":
                prev = out[-1]
                joined = (*prev.runs, Run("equal", " "), *line.title, *line.runs)
                out[-1] = Line(prev.kind, prev.number, joined, prev.status, False, prev.title)
            else:
                out.append(line)
    return out


def minutes(rl: Redline) -> str:
    """The closing list of changes, as a sentence for the minutes."""
    if not rl.summary:
        return "No changes."
    text = "; ".join(rl.summary) + "."
    return text[0].upper() + text[1:]


def _tagged(op: str, text: str) -> str:
    if op == "equal" or not text:
        return text
    tag = "ins" if op == "insert" else "del"
    return f"<{tag}>{text}</{tag}>"


def _marked(line: Line, strong: tuple[str, str] = ("**", "**")) -> str:
    body = "".join(_tagged(r.op, html.escape(r.text, quote=False)) for r in line.runs)
    if not line.title:
        return body
    title = "".join(_tagged(r.op, html.escape(r.text, quote=False)) for r in line.title)
    return f"{strong[0]}{title}{strong[1]}" + (f" {body}" if body else "")


KEY = "Deleted words are struck through (<del>like this</del>); inserted words are underlined (<ins>like this</ins>)."


def markdown(rl: Redline) -> str:
    out = [f"# {rl.council}: {rl.title}", "", f"**{rl.heading}**", "", KEY, ""]
    shown = paragraphs(rl)
    if not shown:
        out += ["No clause has changed.", ""]
    for line in shown:
        number = f"**{line.number}** " if line.number else ""
        text = _marked(line)
        if line.kind == "heading":
            out += [f"## {number}{text}", ""]
        elif line.kind == "item":
            out += [f"> {number}{text}", ""]
        else:
            out += [f"{number}{text}", ""]
    out += ["## Version control", ""]
    out.append("| Change | " + " | ".join(rl.table_headers) + " |")
    out.append("|---" * (len(rl.table_headers) + 1) + "|")
    for op, row in rl.table_rows:
        mark = {"equal": "", "insert": "inserted", "delete": "deleted"}[op]
        out.append(f"| {mark} | " + " | ".join(_tagged(op, html.escape(c, quote=False)) for c in row) + " |")
    out += ["", "## Changes for the minutes", "", minutes(rl)]
    return "\n".join(out) + "\n"


CSS = """
@page { size: A4; margin: 2cm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; } }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.4; color: #000; }
header p.council { font-size: 13pt; font-weight: bold; margin: 0; }
h1 { font-size: 18pt; margin: 0.2em 0; }
p.standfirst { font-size: 12pt; font-style: italic; margin-top: 0; }
p.key { font-size: 9.5pt; border: 1px solid #888; padding: 0.3em 0.6em; }
h2 { font-size: 13pt; margin: 1.2em 0 0.3em; }
div.block { margin: 0 0 0.8em; page-break-inside: avoid; }
p.clause { margin: 0.2em 0; }
p.item { margin: 0.1em 0 0.1em 2.5em; }
span.num { font-weight: bold; margin-right: 0.5em; }
del { color: #b00000; text-decoration: line-through; }
ins { color: #0033aa; text-decoration: underline; }
del + ins { margin-left: 0.2em; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #888; padding: 0.2em 0.4em; text-align: left; }
p.minutes { border-left: 3px solid #333; padding-left: 0.6em; }
"""


def html_text(rl: Redline) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(rl.council)}: {e(rl.title)}: proposed changes</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="council">{e(rl.council)}</p>',
        f"<h1>{e(rl.title)}</h1>",
        f'<p class="standfirst">{e(rl.heading)}</p>',
        f'<p class="key">{KEY}</p>',
        "</header>",
        "<main>",
    ]
    shown = paragraphs(rl)
    if not shown:
        parts.append("<p>No clause has changed.</p>")
    for line in shown:
        num = f'<span class="num">{e(line.number)}</span> ' if line.number else ""
        if line.kind == "heading":
            parts.append(f"<h2>{num}{_marked(line)}</h2>")
        else:
            parts.append(f'<p class="{line.kind}">{num}{_marked(line, ("<strong>", "</strong>"))}</p>')
    parts.append("<h2>Version control</h2>")
    parts.append("<table><thead><tr><th>Change</th>" + "".join(f"<th>{e(h)}</th>" for h in rl.table_headers))
    parts.append("</tr></thead><tbody>")
    for op, row in rl.table_rows:
        mark = {"equal": "", "insert": "inserted", "delete": "deleted"}[op]
        cells = "".join(f"<td>{_tagged(op, e(c))}</td>" for c in row)
        parts.append(f"<tr><td>{mark}</td>{cells}</tr>")
    parts.append("</tbody></table>")
    parts.append("<h2>Changes for the minutes</h2>")
    parts.append(f'<p class="minutes">{e(minutes(rl))}</p>')
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def pdf(rl: Redline, base: Path) -> bytes:
    from .formats.pdf import pdf_bytes

    return pdf_bytes(html_text(rl), base.as_uri() + "/")


def docx(rl: Redline, reference: Path | None = None) -> bytes:
    """A Word document whose changes are Word's own tracked changes, to accept or reject one by one."""
    import docx as python_docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from .formats.docx import reproducible_zip

    document = python_docx.Document(str(reference) if reference else None)
    styles = {style.name for style in document.styles}

    def heading(text: str, level: int) -> Any:
        if f"Heading {level}" in styles:
            return document.add_heading(text, level=level)
        para = document.add_paragraph()
        para.add_run(text).bold = True
        return para

    core = document.core_properties
    core.author = AUTHOR
    core.title = f"{rl.council}: {rl.title} – proposed changes"
    when = f"{rl.date.isoformat()}T00:00:00Z"
    counter = iter(range(1, 1_000_000))

    def text_run(text: str, deleted: bool = False) -> object:
        r = OxmlElement("w:r")
        t = OxmlElement("w:delText" if deleted else "w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
        return r

    def add_runs(paragraph: object, line_runs: tuple[Run, ...]) -> None:
        p = paragraph._p  # type: ignore[attr-defined]
        for r in line_runs:
            if r.op == "equal":
                p.append(text_run(r.text))
                continue
            mark = OxmlElement("w:ins" if r.op == "insert" else "w:del")
            mark.set(qn("w:id"), str(next(counter)))
            mark.set(qn("w:author"), AUTHOR)
            mark.set(qn("w:date"), when)
            mark.append(text_run(r.text, deleted=r.op == "delete"))
            p.append(mark)

    document.add_paragraph(rl.council).runs[0].bold = True
    heading(rl.title, 1)
    document.add_paragraph(rl.heading).runs[0].italic = True
    document.add_paragraph("The changes are tracked: use Review > Accept or Reject in Word to take or leave each one.")
    shown = paragraphs(rl)
    if not shown:
        document.add_paragraph("No clause has changed.")
    for line in shown:
        if line.kind == "heading":
            para = heading(f"{line.number} " if line.number else "", 2)
        else:
            para = document.add_paragraph()
            if line.kind == "item":
                para.paragraph_format.left_indent = python_docx.shared.Cm(1.2)
            if line.number:
                para.add_run(f"{line.number}  ").bold = True
            if line.title:
                start = len(para._p.xpath(".//w:r"))
                add_runs(para, (*line.title, Run("equal", " ")))
                for r in para._p.xpath(".//w:r")[start:]:
                    r.insert(0, OxmlElement("w:rPr"))
                    r[0].append(OxmlElement("w:b"))
        add_runs(para, line.runs)
    heading("Version control", 2)
    table = document.add_table(rows=1, cols=len(rl.table_headers))
    if "Table Grid" in styles:
        table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, rl.table_headers, strict=False):
        cell.text = header
    for op, row in rl.table_rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            add_runs(cell.paragraphs[0], (Run(op, value),))
    heading("Changes for the minutes", 2)
    document.add_paragraph(minutes(rl))
    out = io.BytesIO()
    document.save(out)
    return reproducible_zip(out.getvalue(), (rl.date.year, rl.date.month, rl.date.day, 0, 0, 0))


def render(rl: Redline, fmt: str, base: Path, reference: Path | None = None) -> bytes:
    """The paper in one format; `reference` is the reference.docx whose styles a DOCX takes."""
    if fmt == "md":
        return markdown(rl).encode("utf-8")
    if fmt == "html":
        return html_text(rl).encode("utf-8")
    if fmt == "pdf":
        return pdf(rl, base)
    if fmt == "docx":
        return docx(rl, reference)
    raise ValueError(fmt)
