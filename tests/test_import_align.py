"""Stage 5, align: exact, near and local matches against the real library."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocolc.importer.align import Aligned, align, similarity, typographic_cost
from protocolc.importer.nodes import Block, Facts, ItemNode, SectionNode, Segmented
from protocolc.load import load_library
from protocolc.model import Library

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(REPO)


def facts(**terms: str) -> Facts:
    return Facts("Tiny Parish Council", "parish", "Clerk", None, None, None, dict(terms))


def run(sections: list[SectionNode], library: Library, tolerance: float = 0.0, **terms: str) -> Aligned:
    seg = Segmented([], sections, [], ("1.", "1.1", "a)"), "as-written")
    return align(seg, library, facts(**terms), "tiny", tolerance)


def test_a_library_sentence_inside_a_paragraph_is_split_out_and_joined(library: Library) -> None:
    text = (
        "We value our staff. The aim is effective and professional working relationships characterised by "
        "mutual trust, respect and courtesy. Close personal familiarity should be avoided."
    )
    section = SectionNode("line 1", "1.", "Introduction", [Block("line 2", "1.1", text=text)])
    result = run([section], library)
    (entry,) = result.sections
    assert entry.library and entry.id == "introduction" and entry.heading is None
    assert [(c.id, c.library, c.join, c.numbered) for c in entry.clauses] == [
        ("tiny.value-our-staff", False, False, True),
        ("introduction.aim", True, True, False),
        ("introduction.familiarity", True, True, False),
    ]
    assert [f.status for f in result.findings] == ["local", "exact", "exact", "exact"]


def test_near_match_is_a_replace_change_and_terms_are_used(library: Library) -> None:
    block = Block("line 5", text="Members should not involve themselves in the day to day management of the council.")
    result = run([SectionNode("line 4", None, "Members", [block])], library, councillors="members", council="council")
    section = result.sections[0]
    assert section.id == "councillors" and section.heading is None  # "{{ Councillors }}" renders "Members"
    assert [c.id for c in section.clauses] == ["councillors.day-to-day"]
    (change,) = result.changes
    assert (change.action, change.target, change.text) == ("replace", "councillors.day-to-day", block.text)
    near = [f for f in result.findings if f.status == "near" and f.id == "councillors.day-to-day"][0]
    assert "[-running-] {+management+}" in near.redline


def test_list_items_are_matched_inserted_and_omitted_in_order(library: Library) -> None:
    items = [
        ItemNode(None, "A commitment to the Council as a whole;", "line 10"),
        ItemNode(None, "A working partnership;", "line 11"),
        ItemNode(None, "Leadership and direction;", "line 12"),
        ItemNode(None, "Respect, courtesy, integrity and appropriate confidentiality;", "line 13"),
    ]
    block = Block("line 9", text="Officers can expect from Councillors:", items=items)
    result = run([SectionNode("line 8", None, "Expectations", [block])], library)
    assert [c.id for c in result.sections[0].clauses] == ["expectations.officers"]
    actions = [(c.action, c.target, c.anchor) for c in result.changes]
    assert actions[0] == (
        "insert",
        "expectations.officers.commitment-council-whole",
        "expectations.officers.partnership",
    )
    assert ("omit", "expectations.officers.understanding", None) in actions
    assert ("omit", "expectations.officers.partnership", None) not in actions


def test_unknown_text_is_the_councils_own(library: Library) -> None:
    block = Block(
        "line 3",
        text="Cheese may be tasted:",
        items=[ItemNode("a)", "Brie;", "line 4"), ItemNode("b)", "Stilton.", "line 5")],
    )
    result = run([SectionNode("line 2", "3.", "Cheese", [block])], library)
    section = result.sections[0]
    assert not section.library and section.id == "tiny.cheese"
    (clause,) = section.clauses
    assert clause.id == "tiny.cheese-may-tasted" and [k for k, _, _ in clause.items] == ["brie", "stilton"]


def test_typographic_differences_within_the_budget_reuse_the_library(library: Library) -> None:
    text = (
        "the aim is effective and professional working relationships characterised by mutual trust, "
        "respect and courtesy"
    )
    section = SectionNode("line 1", "1.", "Introduction", [Block("line 2", "1.1", text=text)])
    strict = run([section], library, tolerance=0.0)
    assert strict.changes and strict.changes[0].action == "replace"
    section = SectionNode("line 1", "1.", "Introduction", [Block("line 2", "1.1", text=text)])
    tolerant = run([section], library, tolerance=0.5)
    assert not tolerant.changes
    assert [f.status for f in tolerant.findings if f.id == "introduction.aim"] == ["typographic"]


def test_measures() -> None:
    assert similarity("A working partnership;", "a working partnership") == 1.0
    assert similarity("Cheese", "Councillors") == 0.0
    assert typographic_cost("A working partnership", "A working partnership;") == 1
    assert typographic_cost("to determine", "To determine") == 2
    assert typographic_cost("to determine", "To decide") is None


def test_a_section_that_is_only_a_library_list_heading_is_that_list(library: Library) -> None:
    text = (
        "Close personal relationships between Councillors and Officers can confuse their separate roles and get in "
        "the way of the proper conduct of Council business."
    )
    items = [ItemNode(None, text, "line 9")]
    sections = [
        SectionNode("line 1", None, "Expectations", [Block("line 2", text="All Councillors can expect:")]),
        SectionNode("line 8", None, "General Principles", [Block("line 9", items=items)]),
    ]
    result = run(sections, library)
    assert [s.id for s in result.sections] == ["expectations"]
    assert [c.id for c in result.sections[0].clauses][-1] == "expectations.principles"
