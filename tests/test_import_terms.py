"""Stage 4, terms: the council's facts and how it spells the library's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocolc.importer.clean import clean
from protocolc.importer.read import read
from protocolc.importer.segment import segment
from protocolc.importer.terms import find_facts, find_terms, smart_title
from protocolc.load import load_library
from protocolc.model import Library

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "import"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(REPO)


def facts_of(text: str, library: Library, council: str = "x"):
    return find_facts(segment(clean(read(text.encode("utf-8"), "t.txt"))), library, council)


def test_facts_from_masthead_and_closing(library: Library) -> None:
    facts = facts_of((HERE / "barsetshire.txt").read_text(encoding="utf-8"), library, "barsetshire")
    assert (facts.name, facts.kind, facts.clerk) == ("Barsetshire Parish Council", "parish", "Parish Clerk")
    assert facts.contact == "clerk@barsetshire-pc.gov.uk"
    assert (facts.adopted, facts.minute, facts.review_by) == ("2024-03-14", "24/031", "2027-03")
    assert facts.title is None  # the library's own title


def test_version_table_row(library: Library) -> None:
    text = (
        "Councillor / Officer Protocol\n\nDUSTON PARISH COUNCIL\n\nDocument Version Control\n\n"
        "167/23 02/03/2023 March 2028 | Council\n\n\nThis Protocol is intended to assist councillors and "
        "officers in approaching some sensitive circumstances.\n"
    )
    facts = facts_of(text, library)
    assert (facts.version, facts.adopted, facts.review_by, facts.approved_by) == (
        "167/23",
        "2023-03-02",
        "2028-03",
        "Council",
    )
    assert facts.title == "Councillor / Officer Protocol" and facts.name == "Duston Parish Council"
    assert [p.text for p in facts.unplaced] == ["Document Version Control"]


def test_terms_are_read_through_the_library_texts(library: Library) -> None:
    text = (
        "Members have four main areas of responsibility:\n"
        "To represent the authority externally; and\n"
        "This is the Chief Officer's responsibility, and the Chief Officer will be acting on instructions.\n"
        "it is the responsibility of the officer to express their own professional views and recommendations.\n"
    )
    terms = find_terms(library, text)
    assert terms["authority"] == "authority"
    assert terms["clerk"] == "Chief Officer"
    assert terms["his_her"] == "their"
    assert terms["officer"] == "officer"
    assert "council" not in terms  # no evidence: the library's default stands


def test_capitals_only_difference_follows_the_usual_spelling(library: Library) -> None:
    text = "To determine council policy and provide community leadership;\n" + "the Council decides. " * 5
    assert "council" not in find_terms(library, text)
    assert (
        find_terms(library, "To determine council policy and provide community leadership;\nthe council decides.\n")[
            "council"
        ]
        == "council"
    )


def test_county_association_and_clerk_titles(library: Library) -> None:
    text = (
        "EXAMPLE TOWN COUNCIL\nPROTOCOL\n\n1. Problems\n\n1.1 ERNLLCA has issued a workable policy which the "
        "Town Clerk and the Clerk follow.\n"
    )
    facts = facts_of(text, library)
    assert facts.county_association == "ERNLLCA"
    assert facts.clerk == "Town Clerk" and facts.kind == "town"


def test_smart_title() -> None:
    assert smart_title("MEMBER/OFFICER RELATIONS PROTOCOL") == "Member/Officer Relations Protocol"
    assert smart_title("PROTOCOL ON MEMBER AND OFFICER RELATIONS") == "Protocol on Member and Officer Relations"


def test_a_term_followed_by_punctuation(library: Library) -> None:
    text = (
        "the officer will be acting on instructions from the council or its committees, "
        "within an agreed job description."
    )
    assert find_terms(library, text)["committees"] == "committees"
