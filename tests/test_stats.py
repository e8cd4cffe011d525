"""stats.py: word counts, shared-wording shares on hand-made documents, and the one-word-in-ten rule."""

from __future__ import annotations

import pytest
from conftest import TmpProject

from protocolc import stats
from protocolc.errors import Source
from protocolc.model import (
    COUNCIL,
    LIBRARY,
    Council,
    DocClause,
    DocSection,
    Document,
    Numbering,
    Passage,
    Version,
    VersionTable,
)

# --- hand-made documents -------------------------------------------------------------------------------------


def passage(words: str, origin: str, where: str) -> Passage:
    path, line = where.split(":")
    return Passage(words, Source(path, int(line)), origin)


def document(council_id: str, *passages: Passage) -> Document:
    source = Source(f"councils/{council_id}.yaml", 1)
    council = Council(council_id, source, council_id.title(), "parish", {}, (Version("1", None, source),), Numbering())
    clauses = tuple(
        DocClause(f"{council_id}.c{n}", None, p.origin, p.source, None, p, ()) for n, p in enumerate(passages)
    )
    table = VersionTable(caption=passage("", COUNCIL, "x:1"), headers=(), rows=())
    title = passage("Title", COUNCIL, f"councils/{council_id}.yaml:2")
    return Document(council, title, table, (DocSection("s", None, None, clauses),), None, Numbering())


def test_shares_on_two_tiny_documents():
    shared = passage("one two three", LIBRARY, "clauses/a.yaml:1")
    only_a = passage("four five", LIBRARY, "clauses/a.yaml:5")
    own_b = passage("six seven eight nine", COUNCIL, "councils/b.yaml:9")
    a = document("a", shared, only_a)
    b = document("b", shared, own_b)
    result = stats.shares([a, b])
    assert result == (stats.Share("a", 1 + 3 + 2, 3), stats.Share("b", 1 + 3 + 4, 3))
    assert result[0].percent == 50.0
    assert result[1].percent == 37.5
    report = stats.Report(result, ())
    assert report.total == stats.Share("overall", 14, 6)
    assert report.total.percent == pytest.approx(100 * 6 / 14)


def test_library_text_used_by_one_council_is_not_shared():
    text = passage("one two three", LIBRARY, "clauses/a.yaml:1")
    other = passage("one two three", LIBRARY, "clauses/a.yaml:2")  # same words, different library text
    result = stats.shares([document("a", text), document("b", other)])
    assert [s.shared for s in result] == [0, 0]


def test_empty_document_share_is_zero():
    assert stats.Share("x", 0, 0).percent == 0.0


def test_passage_words_count_like_wc_without_bare_punctuation():
    assert passage("The Council’s officer – his/her view (1.0) ; ok", COUNCIL, "x:1").words == 7
    assert passage("", COUNCIL, "x:1").words == 0
    assert passage("**1.1** Words here", COUNCIL, "x:1").words == 3


# --- the one-word-in-ten rule --------------------------------------------------------------------------------

TEN = ("the", "clerk", "will", "advise", "all", "members", "of", "the", "council", "promptly")


def test_close_identical():
    assert stats._close(TEN, TEN)


def test_close_one_substitution_in_ten():
    assert stats._close(TEN, TEN[:3] + ("inform",) + TEN[4:])


def test_close_two_substitutions_in_ten_is_too_many():
    assert not stats._close(TEN, ("a",) + TEN[1:3] + ("inform",) + TEN[4:])


def test_close_one_insertion_in_ten():
    assert stats._close(TEN, TEN[:5] + ("always",) + TEN[5:])


def test_close_two_insertions_in_ten_is_too_many():
    assert not stats._close(TEN, TEN[:5] + ("always", "kindly") + TEN[5:])


def test_close_one_deletion_from_ten():
    assert stats._close(TEN, TEN[:4] + TEN[5:])


def test_close_two_in_twenty():
    twenty = TEN + TEN
    changed = twenty[:3] + ("x",) + twenty[4:13] + ("y",) + twenty[14:]
    assert stats._close(twenty, changed)
    assert not stats._close(twenty, changed[:17] + ("z",) + changed[18:])


def test_close_one_in_nine_is_too_many():
    nine = TEN[:9]
    assert not stats._close(nine, nine[:2] + ("x",) + nine[3:])


def test_close_is_symmetric():
    longer = TEN[:5] + ("always",) + TEN[5:]
    assert stats._close(TEN, longer) == stats._close(longer, TEN)


# --- candidates ----------------------------------------------------------------------------------------------

SENTENCE = "The {clerk} will report every complaint to the next meeting of the full council without delay."


def two_councils(tmp_project: TmpProject, text_a: str, text_b: str) -> list[Document]:
    tmp_project.council_file(
        "alpha",
        'name: Alpha Parish Council\nkind: parish\nclerk: Town Clerk\nversions:\n  - version: "1"\n'
        f"changes:\n  - replace: officers.role\n    text: {text_a}\n",
    )
    tmp_project.council_file(
        "beta",
        'name: Beta Community Council\nkind: community\nclerk: Chief Officer\nversions:\n  - version: "1"\n'
        f"changes:\n  - replace: officers.role\n    text: {text_b}\n",
    )
    return [tmp_project.document("alpha"), tmp_project.document("beta")]


def test_same_sentence_under_different_terms_is_a_candidate(tmp_project: TmpProject):
    docs = two_councils(
        tmp_project, SENTENCE.format(clerk="Town Clerk"), SENTENCE.format(clerk="Chief Officer").replace("full ", "")
    )
    library = tmp_project.library()
    found = stats.candidates(docs, library)
    assert len(found) == 1
    copies = found[0].copies
    assert [c.council_id for c in copies] == ["alpha", "beta"]
    assert [c.source.short for c in copies] == ["councils/alpha.yaml:8", "councils/beta.yaml:8"]
    assert copies[0].words != copies[1].words  # differs by 'full'
    assert stats.differing_words(copies[0].words, copies[1].words) == "'full' / ''"


def test_different_sentences_are_not_candidates(tmp_project: TmpProject):
    docs = two_councils(
        tmp_project,
        SENTENCE.format(clerk="Town Clerk"),
        "Members must declare any interest before the item is discussed at a meeting of the council.",
    )
    assert stats.candidates(docs, tmp_project.library()) == ()


def test_short_sentences_are_not_candidates(tmp_project: TmpProject):
    docs = two_councils(tmp_project, "Officers advise the council well.", "Officers advise the council well.")
    library = tmp_project.library()
    assert stats.candidates(docs, library) == ()
    assert len(stats.candidates(docs, library, min_words=4)) == 1


def test_format_report_prints_every_council_and_the_total():
    report = stats.Report((stats.Share("a", 10, 5), stats.Share("b", 30, 5)), ())
    text = stats.format_report(report)
    lines = text.splitlines()
    assert "  a                10       5   50.0%        0" in lines
    assert "  overall          40      10   25.0%        0" in lines
    assert any(line.startswith("Library candidates: 0 ") for line in lines)
