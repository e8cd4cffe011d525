"""Stage 2, clean: extraction noise out, wrapped lines joined into paragraphs."""

from __future__ import annotations

from pathlib import Path

from protocolc.importer.clean import clean, repeated_furniture
from protocolc.importer.nodes import Line
from protocolc.importer.read import read

HERE = Path(__file__).parent / "import"


def lines(text: str) -> list[Line]:
    return read(text.encode("utf-8"), "t.txt")


def texts(text: str) -> list[str]:
    return [p.text for p in clean(lines(text))]


def test_bullet_glyphs_are_removed_and_marked() -> None:
    paras = clean(lines("Lead-in:\n\ne First item;\n¢ Second item;\n® Third;\n· Fourth;\n• Fifth.\n"))
    assert [p.text for p in paras] == ["Lead-in:", "First item;", "Second item;", "Third;", "Fourth;", "Fifth."]
    assert [p.bullet for p in paras] == [False, True, True, True, True, True]


def test_a_word_starting_with_e_is_not_a_bullet() -> None:
    assert texts("eager officers may apply.\n") == ["eager officers may apply."]


def test_wrapped_lines_join_and_short_lines_break() -> None:
    text = (
        "Councillors\n"
        "Councillors should not involve themselves in the day to day running of the council. This is\n"
        "the officer's responsibility, and the officer will be acting on instructions from the Proper\n"
        "Officer.\n"
        " Officers can expect councillors:\n"
    )
    assert texts(text) == [
        "Councillors",
        "Councillors should not involve themselves in the day to day running of the council. This is the "
        "officer's responsibility, and the officer will be acting on instructions from the Proper Officer.",
        "Officers can expect councillors:",
    ]


def test_a_sentence_broken_by_a_page_gap_is_joined() -> None:
    assert texts("must still respect the impartiality of officers,\n\nmust not ask them.\n") == [
        "must still respect the impartiality of officers, must not ask them."
    ]


def test_hyphenation_is_undone_but_real_hyphens_stay() -> None:
    text = (
        "A long line that wraps the word responsibility across two lines of text: respon-\n"
        "sibility. A party-political matter stays, and so does the word when it wraps, party-\n"
        "political, since political is a word here.\n"
    )
    (para,) = texts(text)
    assert "text: responsibility." in para
    assert "wraps, party-political, since" in para


def test_running_heads_and_page_numbers_are_removed() -> None:
    raw = lines((HERE / "barsetshire.txt").read_text(encoding="utf-8"))
    assert repeated_furniture(raw) == {"Barsetshire PC: Member/Officer Protocol (draft for adoption)", "Page # of #"}
    paras = [p.text for p in clean(raw)]
    assert not any("draft for adoption" in p or p.startswith("Page") for p in paras)
    assert "Officers must not eat the prize cheese." in paras


def test_markdown_emphasis_and_bold_numbers_are_stripped() -> None:
    assert texts("## **Background**\n\n*Italic paragraph.*\n\n- 5.1** From time to time.\n") == [
        "Background",
        "Italic paragraph.",
        "5.1 From time to time.",
    ]


def test_a_hyphen_at_a_line_end_that_belongs_to_the_words_stays() -> None:
    text = (
        "The Chief Officer will act on instructions from the Council or its committees, within an agreed-\n"
        "upon job description, and keeps the organisation's records in good order for every meeting.\n"
    )
    assert "within an agreed-upon job description" in texts(text)[0]
