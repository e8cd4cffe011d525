"""Stage 3, segment: sections, clauses and items, and the numbering style of each level."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocolc.importer.clean import clean
from protocolc.importer.nodes import Para
from protocolc.importer.read import read
from protocolc.importer.segment import item_style, number_level, section_style, segment

HERE = Path(__file__).parent / "import"


def seg(text: str, name: str = "t.txt"):
    return segment(clean(read(text.encode("utf-8"), name)))


def test_numbered_document_tree_and_styles() -> None:
    result = seg((HERE / "barsetshire.txt").read_text(encoding="utf-8"))
    assert [p.text for p in result.masthead] == ["BARSETSHIRE PARISH COUNCIL", "MEMBER/OFFICER RELATIONS PROTOCOL"]
    assert [(s.number, s.heading) for s in result.sections] == [
        ("1.", "Introduction"),
        ("2.", "Councillors"),
        ("3.", "Cheese Tasting"),
    ]
    areas = result.sections[1].blocks[0]
    assert areas.number == "2.1" and areas.text == "Councillors have four main areas of responsibility:"
    assert [i.label for i in areas.items] == ["a)", "b)", "c)", "d)"]
    assert result.levels == ("1.", "1.1", "a)")
    assert result.punctuation == "as-written"
    assert [p.text[:7] for p in result.trailer] == ["Adopted", "clerk@b"]


def test_unnumbered_document_headings_by_layout() -> None:
    text = (
        "Some Parish Council\nMember/Officer Protocol\n\n"
        "Councillors\n"
        "Councillors have four main areas of responsibility:\n"
        "* To determine council policy;\n* To represent the council externally.\n\n"
        "Chairs and vice-chairs of council and committees\n\n"
        "Chairs have additional responsibilities and must still respect the impartiality of officers.\n"
    )
    result = seg(text)
    assert [s.heading for s in result.sections] == ["Councillors", "Chairs and vice-chairs of council and committees"]
    assert len(result.sections[0].blocks[0].items) == 2
    assert result.levels == ("none", "none", "bullet")


def test_clause_heading_with_number_and_title_cased_heading_before_a_list() -> None:
    text = (
        "1. Expectations\n\n2.3 Chairmen and Vice Chairmen\n\nChairmen have additional responsibilities as set out.\n\n"
        "3.3 General Principles\n\na) Close personal relationships can confuse roles.\n\n"
        "2.1 Councillors have 4 main areas of responsibility\n\n- To determine council policy\n"
        "- To represent the council\n- To act as advocates\n- To monitor performance\n"
    )
    blocks = seg(text).sections[0].blocks
    assert (blocks[0].number, blocks[0].heading, blocks[0].text) == ("2.3", "Chairmen and Vice Chairmen", None)
    assert blocks[1].text.startswith("Chairmen have") and blocks[1].number is None
    assert blocks[2].heading == "General Principles" and len(blocks[2].items) == 1
    assert blocks[3].text == "Councillors have 4 main areas of responsibility"  # a sentence, not a heading
    assert seg(text).punctuation == "none"


def test_markdown_heading_levels() -> None:
    text = (
        "# Model Protocol\n\n## Mumbles Community Council\n\n"
        "Mutual trust and respect are essential for good governance here.\n\n"
        "## Expectations\n\n### General Principles\n\n- Close relationships can confuse.\n"
    )
    result = seg(text, "m.md")
    assert [s.heading for s in result.sections] == [None, "Expectations"]
    assert result.sections[1].blocks[0].heading == "General Principles"


def test_lost_bullet_after_a_list_is_an_item() -> None:
    text = (
        "Officers must:\n\ne be alert to issues.\n\n act with honesty at all times\n\n"
        "Officers have the right to decline.\n"
    )
    blocks = seg(text).sections[0].blocks
    assert [i.text for i in blocks[0].items] == ["be alert to issues.", "act with honesty at all times"]
    assert blocks[1].text == "Officers have the right to decline."


def test_word_numbers_decide_levels() -> None:
    paras = [
        Para("Introduction", "paragraph 1", number="1."),
        Para("The aim is effective and professional working relationships.", "paragraph 2", number="1.1"),
        Para("first item;", "paragraph 3", number="(a)"),
    ]
    result = segment(paras)
    assert result.sections[0].number == "1." and result.sections[0].blocks[0].items[0].label == "(a)"
    assert result.levels == ("1.", "1.1", "(a)")


@pytest.mark.parametrize(
    ("number", "level"),
    [
        ("1.", "section"),
        ("1.0", "section"),
        ("3", "section"),
        ("2.3", "clause"),
        ("a)", "item"),
        ("(iv)", "item"),
        ("x", None),
    ],
)
def test_number_level(number: str, level: str | None) -> None:
    assert number_level(number) == level


def test_styles() -> None:
    assert [section_style(n) for n in ("1.", "1.0", "1")] == ["1.", "1.0", "1"]
    assert [item_style(x, True) for x in ("a)", "(a)", "(ii)", "ii.", "b.", "A.")] == [
        "a)",
        "(a)",
        "(i)",
        "i.",
        "a.",
        "A.",
    ]
