"""Stage 6, emit: the YAML we write parses back to what was aligned, with source comments."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from protocolc.importer import import_document
from protocolc.importer.emit import escape_text, scalar
from protocolc.load import load_library

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "import"


@pytest.fixture(scope="module")
def imported():
    library = load_library(REPO)
    return import_document((HERE / "barsetshire.txt").read_bytes(), "barsetshire.txt", "barsetshire", library)


def test_council_file(imported) -> None:
    council = yaml.load(imported.emitted.council_yaml, Loader=yaml.BaseLoader)
    assert council == {
        "format": "1",
        "name": "Barsetshire Parish Council",
        "kind": "parish",
        "clerk": "Parish Clerk",
        "contact": "clerk@barsetshire-pc.gov.uk",
    }


def test_document_file(imported) -> None:
    text = imported.emitted.document_yaml
    doc = yaml.load(text, Loader=yaml.BaseLoader)
    assert doc["format"] == "1"
    assert doc["numbering"] == {"levels": ["1.", "1.1", "a)"], "punctuation": "as-written"}
    assert doc["versions"] == [{"version": "1.0", "adopted": "2024-03-14", "minute": "24/031", "review_by": "2027-03"}]
    sections = doc["sections"]
    assert [s.get("section") or s.get("id") for s in sections] == [
        "introduction",
        "councillors",
        "barsetshire.cheese-tasting",
    ]
    assert sections[0]["clauses"] == ["introduction.aim", {"clause": "introduction.familiarity", "join": "true"}]
    assert sections[1]["clauses"][:2] == ["councillors.areas", "councillors.day-to-day"]
    local = sections[1]["clauses"][2]
    assert local["id"] == "barsetshire.parish-clerk-manages" and local["join"] == "true"
    assert local["text"].endswith("under a written job description agreed by the Council.")
    assert sections[2]["heading"] == "Cheese Tasting"
    assert sections[2]["clauses"][0]["items"] == {
        "officers-must-label": "Officers must label every cheese.",
        "officers-must-not": "Officers must not eat the prize cheese.",
    }
    assert doc["changes"] == [
        {"replace": "councillors.areas.advocates", "text": "To act as advocates on behalf of their constituents."}
    ]
    assert (
        doc["closing"] == "Adopted {{ adopted }} under minute 24/031. Date for Review: {{ review_by }}\n\n{{ contact }}"
    )
    assert "  # line 4\n  - section: introduction" in text
    assert "      - councillors.areas  # line 11" in text


def test_report_lists_every_kind_of_finding(imported) -> None:
    report = imported.emitted.report
    assert "exact 9," in report and "near 1," in report and "own 5," in report
    assert "councillors.areas.advocates (0.75)" in report
    assert "To act as advocates [-for-] {+on behalf of+} their constituents." in report
    assert "barsetshire.cheese-tasting: Cheese Tasting" in report


@pytest.mark.parametrize(
    "value",
    [
        "Plain words",
        "Officers can expect: this",
        "no",
        "1810",
        "ends with a colon:",
        '"quoted" start',
        "- dash start",
        "A long sentence " * 12,
        "two\n\nparagraphs",
        "# not a comment",
    ],
)
def test_scalars_round_trip(value: str) -> None:
    parsed = yaml.load(f"key: {scalar(value.strip(), 2)}\n", Loader=yaml.BaseLoader)
    assert parsed["key"] == value.strip()


def test_braces_are_not_variables() -> None:
    assert escape_text("see {note}") == "see {{ '{' }}note}"


@pytest.mark.parametrize(
    ("text", "plain", "escaped"),
    [
        ("Use *all* of it_now <here>", True, "Use \\*all\\* of it\\_now \\<here>"),
        ("2013. was a year", True, "2013\\. was a year"),
        ("- not a list", True, "\\- not a list"),
        ("Use *all* of it", False, "Use *all* of it"),  # a Markdown source means its emphasis
    ],
)
def test_plain_text_prints_as_itself_in_markdown(text: str, plain: bool, escaped: str) -> None:
    assert escape_text(text, plain) == escaped
