"""DOCX: the document for Word, for clerks who keep and edit their documents there (python-docx).

What makes it a Word document rather than a picture of one:
- clause and item numbers are Word's own automatic numbering: one multilevel list (w:abstractNum) per document,
  its levels made from the document's numbering styles (numbering.py), so a paragraph inserted in Word renumbers
  the rest; unnumbered and joined clauses carry no number and take none;
- Word's built-in styles (Title, Heading 1 and 2, List Paragraph, Table Grid, Header, Footer), so the navigation
  pane, a table of contents and a council's house style work; the project's `templates/reference.docx`, when
  there is one, supplies them (start from a copy of protocolc's own, restyled in Word);
- the version-control table with a header row repeated on every page, a running header (council and title), a
  footer "Page X of Y" from Word's PAGE and NUMPAGES fields, document properties, language en-GB;
- the same bytes from the same sources: fixed dates inside the zip and in the properties (from the version history).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..numbering import STYLES
from .base import Format, Job

if TYPE_CHECKING:  # annotations only: listing the formats loads no layout or Markdown parser
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from ..layout import Block, Layout, ListItem
    from ..model import PartialDate

REFERENCE = "reference.docx"
LANGUAGE = "en-GB"
WORD_LEVELS = 9  # a Word list has levels 0 to 8
INDENT = 720  # twips (half an inch) per level, and between a number and its text
BULLETS = ("•", "◦", "▪")
NUMBER_FORMATS = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
STYLE_NAMES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "List Paragraph", "Table Grid")


# --- the list definition ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One level of the document's Word list: how Word counts and prints it."""

    style: str  # a numbering.py style name
    number_format: str  # w:numFmt: decimal, lowerLetter, ..., bullet, none
    text: str  # w:lvlText: '%1.', '%1.%2', '%3)', a bullet, or '' for none
    counted: bool  # prints a counter
    left: int  # w:ind left (twips): where the text starts
    hanging: int  # how far the number hangs out to the left of the text


def _pattern(template: str | None, k: int, parent: str | None) -> str | None:
    """A numbering.py label or ref format string as Word level text: {n} -> %k, {parent} -> the parent's pattern."""
    if template is None:
        return None
    if "{parent}" in template and parent is None:
        return None
    return template.format(n=f"%{k + 1}", parent=parent or "")


def word_levels(styles: tuple[str, ...]) -> tuple[Level, ...]:
    """The nine levels of a document's Word list: sections, clauses, list items, items of items, ..."""
    levels: list[Level] = []
    parent_ref: str | None = None
    indent = 0  # where the text of the level above starts
    for k in range(WORD_LEVELS):
        name = styles[k] if k < len(styles) else "bullet"
        style = STYLES[name]
        if style.counter is not None:
            label = _pattern(style.label, k, parent_ref)
            ref = _pattern(style.ref, k, parent_ref)
            if ref is not None and parent_ref is None and "{parent}(" in (style.ref or ""):
                ref = f"(%{k + 1})"
            fmt, text, counted = NUMBER_FORMATS[style.counter], label or "", label is not None
        elif name == "bullet":
            fmt, text, counted, ref = "bullet", BULLETS[max(0, k - 2) % len(BULLETS)], False, parent_ref
        else:
            fmt, text, counted, ref = "none", "", False, None
        # Sections and clauses hang their numbers in the margin column; list items are indented under their clause.
        left = INDENT if k < 2 else indent + INDENT
        hanging = INDENT if text else 0
        if k < 2 and not text:
            left = 0
        levels.append(Level(name, fmt, text, counted, left, hanging))
        parent_ref = ref
        indent = left
    return tuple(levels)


def abstract_num_xml(abstract_id: int, levels: tuple[Level, ...], nsid: str) -> str:
    """The w:abstractNum of a document's list, as XML."""
    out = [
        f'<w:abstractNum {NS} w:abstractNumId="{abstract_id}">',
        f'<w:nsid w:val="{nsid}"/>',
        '<w:multiLevelType w:val="multilevel"/>',
    ]
    for k, level in enumerate(levels):
        suffix = "" if level.text else '<w:suff w:val="nothing"/>'
        out.append(
            f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="{level.number_format}"/>{suffix}'
            f'<w:lvlText w:val="{_attr(level.text)}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{level.left}" w:hanging="{level.hanging}"/></w:pPr></w:lvl>'
        )
    out.append("</w:abstractNum>")
    return "".join(out)


NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def counter_text(number_format: str, n: int) -> str:
    """What Word prints for the n-th of a level: 3 -> '3', 'c', 'C', 'iii', 'III'."""
    from ..numbering import COUNTERS

    key = {v: k for k, v in NUMBER_FORMATS.items()}[number_format]
    return COUNTERS[key](n)


def shown(levels: tuple[Level, ...], ilvl: int, counters: dict[int, int]) -> str | None:
    """The number Word shows on a paragraph of level `ilvl`, given the counters; None if a level it uses is unset."""
    text = levels[ilvl].text
    for k in range(ilvl, -1, -1):
        token = f"%{k + 1}"
        if token in text:
            if k not in counters:
                return None
            text = text.replace(token, counter_text(levels[k].number_format, counters[k]))
    return text


# --- the paragraphs, planned before they are written -------------------------------------------------------------


@dataclass
class Numbered:
    """A paragraph of the list: its level and the label protocolc printed (None: a bullet or a 'none' level)."""

    ilvl: int
    label: str | None
    num_id: int = 0  # the w:num it ends up in
    restart: int | None = None  # Word must restart this level here, at this value
    typed: bool = False  # Word cannot show this label: it is typed instead (see plan_numbers)


@dataclass
class NumberPlan:
    """Which w:num each numbered paragraph uses, and the restarts Word needs to show protocolc's numbers."""

    paragraphs: list[Numbered] = field(default_factory=list)

    def add(self, ilvl: int, label: str | None) -> Numbered:
        numbered = Numbered(ilvl, label)
        self.paragraphs.append(numbered)
        return numbered

    def solve(self, levels: tuple[Level, ...]) -> None:
        """Follow Word's counters through the paragraphs; where they would not show protocolc's label, restart.

        Word counts each level of a list, and a paragraph of a level restarts every level below it. Protocolc
        numbers the same way, except where a paragraph carries no number (an unnumbered clause or section, or a
        number with nothing printed): there Word needs a restart, a w:num of the same list whose w:lvlOverride
        starts that level again at the right value. A label Word cannot show at all is typed as text.
        """
        counters: dict[int, int] = {}
        for p in self.paragraphs:
            level = levels[p.ilvl]
            natural = counters.get(p.ilvl, 0) + 1
            value = natural
            wanted = level.counted and p.label is not None
            if wanted and shown(levels, p.ilvl, {**counters, p.ilvl: natural}) != p.label:
                found = next(
                    (v for v in range(1, 1000) if shown(levels, p.ilvl, {**counters, p.ilvl: v}) == p.label), None
                )
                if found is None:
                    p.typed = True
                    continue
                p.restart = value = found
            counters = {k: v for k, v in counters.items() if k < p.ilvl}
            counters[p.ilvl] = value


# --- Markdown to runs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    line_break: bool = False


def inline_runs(children: list[Token]) -> list[Run]:
    """The runs of one inline Markdown token: emphasis as bold and italic, no Markdown characters left."""
    runs: list[Run] = []
    bold = italic = 0
    for token in children:
        kind = token.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "html_inline"):
            runs.append(Run(token.content, bold > 0, italic > 0))
        elif kind == "code_inline":
            runs.append(Run(token.content, bold > 0, italic > 0, code=True))
        elif kind == "softbreak":
            runs.append(Run(" ", bold > 0, italic > 0))
        elif kind == "hardbreak":
            runs.append(Run("", line_break=True))
        elif kind == "image":
            runs.append(Run(token.content, bold > 0, italic > 0))
    return runs


def markdown_paragraphs(markdown: MarkdownIt, text: str) -> list[list[Run]]:
    """A passage's paragraphs (a blank line apart) as runs; list items and headings become paragraphs too."""
    return [inline_runs(t.children or []) for t in markdown.parse(text) if t.type == "inline"]


def plain(markdown: MarkdownIt, text: str) -> str:
    """A passage's words without Markdown: for the running header and the document properties."""
    return " ".join("".join(r.text for r in runs) for runs in markdown_paragraphs(markdown, text))


# --- writing the document ----------------------------------------------------------------------------------------


def _date(date: PartialDate) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day or 1, tzinfo=dt.UTC)


class Writer:
    """Writes one Layout into a python-docx Document started from the reference document."""

    def __init__(self, document: Any, layout: Layout, markdown: MarkdownIt) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.document = document
        self.layout = layout
        self.markdown = markdown
        self.levels = word_levels(layout.document.numbering.levels)
        self.plan = NumberPlan()
        self.pending: list[tuple[Any, Numbered]] = []  # paragraphs waiting for their w:num
        self.style_ids: dict[str, str] = {}

    # styles and page

    def prepare(self) -> None:
        """Empty the reference document's body, make sure the styles exist, set the language."""
        body = self.document.element.body
        for child in list(body):
            if child.tag != self.qn("w:sectPr"):
                body.remove(child)
        self.ensure_styles()
        styles = self.document.styles.element
        defaults = styles.find(self.qn("w:docDefaults"))
        if defaults is None:
            defaults = self._element("w:docDefaults")
            styles.insert(0, defaults)
        run_defaults = defaults.find(self.qn("w:rPrDefault"))
        if run_defaults is None:
            run_defaults = self._element("w:rPrDefault")
            defaults.insert(0, run_defaults)
        rpr = run_defaults.find(self.qn("w:rPr"))
        if rpr is None:
            rpr = self._element("w:rPr")
            run_defaults.append(rpr)
        self._set_language(rpr)
        for name in STYLE_NAMES:
            self._set_language(self.document.styles[name].element.get_or_add_rPr())

    def _set_language(self, rpr: Any) -> None:
        lang = rpr.find(self.qn("w:lang"))
        if lang is None:
            lang = self._element("w:lang")
            rpr.append(lang)  # w:lang is among the last children of w:rPr
        lang.set(self.qn("w:val"), LANGUAGE)

    def _element(self, tag: str) -> Any:
        from docx.oxml import OxmlElement

        return OxmlElement(tag)

    def ensure_styles(self) -> None:
        """A council's reference.docx may leave out built-in styles it never used; add plain ones."""
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt

        styles = self.document.styles
        names = {s.name for s in styles}
        for name in STYLE_NAMES:
            if name in names:
                continue
            kind = WD_STYLE_TYPE.TABLE if name == "Table Grid" else WD_STYLE_TYPE.PARAGRAPH
            style = styles.add_style(name, kind, builtin=True)
            if kind == WD_STYLE_TYPE.TABLE:
                borders = "".join(
                    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
                )
                from docx.oxml import parse_xml

                style.element.append(parse_xml(f"<w:tblPr {NS}><w:tblBorders>{borders}</w:tblBorders></w:tblPr>"))
                continue
            if name != "Normal":
                style.base_style = styles["Normal"]
            if name.startswith("Heading") or name == "Title":
                style.font.bold = True
                style.font.size = Pt({"Title": 20, "Heading 1": 14, "Heading 2": 12}[name])
                style.paragraph_format.keep_with_next = True
            if name.startswith("Heading"):
                outline = self._element("w:outlineLvl")
                outline.set(self.qn("w:val"), str(int(name[-1]) - 1))
                style.element.get_or_add_pPr().append(outline)

    # paragraphs

    def paragraph(self, markdown: str | None, style: str, runs: list[Run] | None = None) -> Any:
        from docx.enum.text import WD_BREAK

        para = self.document.add_paragraph()
        if style != "Normal":  # by style id: python-docx's look-up by name searches all of styles.xml each time
            para._p.get_or_add_pPr().style = self.style_id(style)
        for run in runs if runs is not None else self.runs(markdown or ""):
            if run.line_break:
                para.add_run().add_break(WD_BREAK.LINE)
                continue
            added = para.add_run(run.text)
            added.bold = run.bold or None
            added.italic = run.italic or None
            if run.code:
                added.font.name = "Courier New"
        return para

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def runs(self, markdown: str) -> list[Run]:
        found = markdown_paragraphs(self.markdown, markdown)
        joined: list[Run] = []
        for n, runs in enumerate(found):
            if n:
                joined.append(Run(" "))
            joined.extend(runs)
        return joined

    def numbered(self, para: Any, ilvl: int, label: str | None) -> None:
        """Put a paragraph in the list at a level; its w:num is set once the whole plan is solved."""
        if ilvl >= WORD_LEVELS:  # deeper than a Word list goes
            if label:
                self.type_label(para, label)
            self.indent(para, WORD_LEVELS - 1)
            return
        self.pending.append((para, self.plan.add(ilvl, label)))

    def indent(self, para: Any, ilvl: int) -> None:
        """An unnumbered paragraph lined up with the text of the level's numbered ones."""
        if ilvl < WORD_LEVELS and self.levels[ilvl].left:
            from docx.shared import Twips

            para.paragraph_format.left_indent = Twips(self.levels[ilvl].left)

    def counts(self, ilvl: int) -> bool:
        """Whether paragraphs of a level with no printed number must still be in the list (to restart the ones
        below, as protocolc does): only when the level prints nothing and some level below it counts."""
        if ilvl >= WORD_LEVELS or self.levels[ilvl].number_format != "none":
            return False
        return any(level.counted for level in self.levels[ilvl + 1 :])

    def write(self) -> None:
        layout = self.layout
        self.prepare()
        self.paragraph(None, "Subtitle", [Run(layout.council_name)])
        self.paragraph(layout.title, "Title")
        self.version_table()
        for section in layout.sections:
            if section.heading:
                para = self.paragraph(section.heading, "Heading 1")
                if section.number or self.counts(0):
                    self.numbered(para, 0, section.number)
            for block in section.blocks:
                self.block(block)
        if layout.closing:
            for n, runs in enumerate(markdown_paragraphs(self.markdown, layout.closing)):
                para = self.paragraph(None, "Normal", runs)
                if n == 0:
                    self.rule_above(para)
        self.assign_numbers()
        self.header_and_footer()
        self.properties()

    def block(self, block: Block) -> None:
        numbered_text = block.number is not None and not block.heading
        in_list = block.number is not None or self.counts(1)
        if block.heading:
            para = self.paragraph(block.heading, "Heading 2")
            if in_list:
                self.numbered(para, 1, block.number)
        for n, pieces in enumerate(block.paragraphs):
            text = " ".join(piece.markdown for piece in pieces)
            if n == 0 and not block.heading and in_list:
                para = self.paragraph(text, "List Paragraph" if numbered_text else "Normal")
                self.numbered(para, 1, block.number)
            else:
                para = self.paragraph(text, "Normal")
                self.indent(para, 1)
        self.items(block.items, 2)

    def items(self, items: tuple[ListItem, ...], ilvl: int) -> None:
        for item in items:
            para = self.paragraph(item.markdown, "List Paragraph")
            level = self.levels[min(ilvl, WORD_LEVELS - 1)]
            if ilvl < WORD_LEVELS and (item.label is not None or level.number_format == "bullet"):
                self.numbered(para, ilvl, item.label)
            elif item.label:
                self.type_label(para, item.label)
                self.indent(para, min(ilvl, WORD_LEVELS - 1))
            else:
                self.indent(para, min(ilvl, WORD_LEVELS - 1))
            self.items(item.items, ilvl + 1)

    def type_label(self, para: Any, label: str) -> None:
        """A label Word's list cannot show, typed before the text with a tab (never in the five seed councils)."""
        first = para.runs[0]._r if para.runs else None
        run = para.add_run(f"{label}\t")
        if first is not None:
            first.addprevious(run._r)

    def assign_numbers(self) -> None:
        """Solve the numbering plan and write it: the list definition, its w:num(s), each paragraph's w:numPr."""
        from docx.oxml import parse_xml

        self.plan.solve(self.levels)
        numbering = self.document.part.numbering_part.element
        abstract_ids = [int(a.get(self.qn("w:abstractNumId"))) for a in numbering.findall(self.qn("w:abstractNum"))]
        abstract_id = max(abstract_ids, default=-1) + 1
        nsid = hashlib.sha256(self.layout.document.name.encode("utf-8")).hexdigest()[:8].upper()
        abstract = parse_xml(abstract_num_xml(abstract_id, self.levels, nsid))
        nums = numbering.findall(self.qn("w:num"))
        if nums:
            nums[0].addprevious(abstract)  # every w:abstractNum comes before the first w:num
        else:
            numbering.append(abstract)
        main = numbering.add_num(abstract_id).numId
        current = main
        for para, numbered in self.pending:
            if numbered.typed:
                self.type_label(para, numbered.label or "")
                self.indent(para, numbered.ilvl)
                continue
            if numbered.restart is not None:
                num = numbering.add_num(abstract_id)
                num.add_lvlOverride(ilvl=numbered.ilvl).add_startOverride(numbered.restart)
                current = num.numId
            elif current != main and numbered.ilvl < self._restart_level(current):
                current = main
            num_pr = para._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = numbered.ilvl
            num_pr.get_or_add_numId().val = current

    def _restart_level(self, num_id: int) -> int:
        numbering = self.document.part.numbering_part.element
        num = numbering.num_having_numId(num_id)
        return min(int(o.get(self.qn("w:ilvl"))) for o in num.findall(self.qn("w:lvlOverride")))

    def rule_above(self, para: Any) -> None:
        """A line above the closing text, as the Markdown's `---` and the HTML's footer."""
        from docx.oxml import parse_xml

        border = parse_xml(f'<w:pBdr {NS}><w:top w:val="single" w:sz="4" w:space="8" w:color="auto"/></w:pBdr>')
        ppr = para._p.get_or_add_pPr()
        ppr.insert_element_before(border, *PBDR_SUCCESSORS)

    def version_table(self) -> None:
        from docx.oxml import OxmlElement

        table_data = self.layout.version_table
        self.paragraph(table_data.caption.markdown, "Heading 1")
        headers = table_data.headers
        table = self.document.add_table(rows=1 + len(table_data.rows), cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        header_row = table.rows[0]
        header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, passage in zip(header_row.cells, headers, strict=True):
            for run in self.runs(passage.markdown):
                cell.paragraphs[0].add_run(run.text).bold = True
        for row, values in zip(table.rows[1:], table_data.rows, strict=True):
            for cell, passage in zip(row.cells, values, strict=True):
                cell.paragraphs[0].add_run(passage.markdown)  # the HTML prints these as written, too

    def header_and_footer(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        section = self.document.sections[0]
        title = plain(self.markdown, self.layout.title)
        header = section.header
        header.is_linked_to_previous = False
        para = _only_paragraph(header)
        para.style = self.document.styles["Header"]
        para.add_run(f"{self.layout.council_name} – {title}")
        footer = section.footer
        footer.is_linked_to_previous = False
        para = _only_paragraph(footer)
        para.style = self.document.styles["Footer"]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run("Page ")
        _field(para, "PAGE", "1")
        para.add_run(" of ")
        _field(para, "NUMPAGES", "1")

    def properties(self) -> None:
        """Title, author (the council), language, and dates from the version history, never the clock."""
        layout = self.layout
        props = self.document.core_properties
        props.title = plain(self.markdown, layout.title)
        props.author = layout.council_name
        props.last_modified_by = layout.council_name
        props.language = LANGUAGE
        props.subject = ""
        props.keywords = ""
        props.category = ""
        props.identifier = layout.document.name
        current = layout.current
        props.version = current.version
        props.comments = f"Version {current.version}" + (
            f", adopted {current.adopted.british()}" if current.adopted else ""
        )
        props.revision = max(1, len(layout.document.versions))
        adopted = [v.adopted for v in layout.document.versions if v.adopted]
        element = props._element
        if adopted:
            props.created = _date(adopted[0])
            props.modified = _date(adopted[-1])
        else:  # never adopted: no dates at all rather than the reference document's or today's
            for tag in ("dcterms:created", "dcterms:modified"):
                found = element.find(self.qn(tag))
                if found is not None:
                    element.remove(found)
        found = element.find(self.qn("cp:lastPrinted"))
        if found is not None:
            element.remove(found)


PBDR_SUCCESSORS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _only_paragraph(part: Any) -> Any:
    """The header's or footer's first paragraph, emptied, with any others removed (a reference may have some)."""
    paragraphs = part.paragraphs
    first = paragraphs[0]
    for other in paragraphs[1:]:
        other._p.getparent().remove(other._p)
    for table in part.tables:
        table._tbl.getparent().remove(table._tbl)
    for child in list(first._p):
        if not child.tag.endswith("}pPr"):
            first._p.remove(child)
    return first


def _field(para: Any, instruction: str, shown_text: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a paragraph: begin, instruction, separate, the last result, end."""
    from docx.oxml import parse_xml

    for xml in (
        f'<w:r {NS}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {NS}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {NS}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {NS}><w:t>{shown_text}</w:t></w:r>",
        f'<w:r {NS}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        para._p.append(parse_xml(xml))


# --- reproducible bytes --------------------------------------------------------------------------------------------


def reproducible_zip(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """The same zip with its entries sorted by name and every timestamp and attribute fixed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()


def _zip_time(layout: Layout) -> tuple[int, int, int, int, int, int]:
    adopted = [v.adopted for v in layout.document.versions if v.adopted]
    if not adopted or adopted[-1].year < 1980:  # a zip cannot say earlier than 1980
        return (1980, 1, 1, 0, 0, 0)
    last = adopted[-1]
    return (last.year, last.month, last.day or 1, 0, 0, 0)


def render(job: Job) -> bytes:
    import docx  # imported here: only DOCX needs it

    layout = job.layout
    document = docx.Document(str(job.templates.path(REFERENCE)))
    Writer(document, layout, job.templates.markdown).write()
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue(), _zip_time(layout))


def iter_labels(layout: Layout) -> Iterator[str]:
    """Every number protocolc prints, in order: what Word must show (the tests compare them)."""

    def items(found: tuple[ListItem, ...]) -> Iterator[str]:
        for item in found:
            if item.label:
                yield item.label
            yield from items(item.items)

    for section in layout.sections:
        if section.heading and section.number:
            yield section.number
        for block in section.blocks:
            if block.number and (block.heading or block.paragraphs):
                yield block.number
            yield from items(block.items)


FORMAT = Format(
    "docx", "docx", "a Word document with Word's own numbering, to edit in Word", render, templates=(REFERENCE,)
)
