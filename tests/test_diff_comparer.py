"""The Comparer a build keeps: exactly what a fresh comparison gives, with bounded memos and no state in the module.

The reference functions here are the comparison's earlier, plain forms (stdlib difflib, a quadratic placement
of unmatched units), so a faster path that changes any result fails.
"""

from __future__ import annotations

import difflib
from collections import Counter

from conftest import COUNCILS
from hypothesis import given, settings
from hypothesis import strategies as st

from protocolc import api, diff, diff_format

MODEL_LABEL = "the model (clause library)"
VOCABULARY = ["the", "council", "clerk", "shall", "may", "members", "officers", "report", "to", "of", "and", "a"]
WORDS = st.lists(st.sampled_from(VOCABULARY), max_size=30)


def reference_similarity(a: diff.Unit, b: diff.Unit) -> float:
    """SequenceMatcher's ratio (stdlib difflib) with its two quick bounds, as the comparison first computed it."""
    total = len(a.words) + len(b.words)
    if not total or 2.0 * min(len(a.words), len(b.words)) / total < diff.MATCH_THRESHOLD:
        return 0.0
    if 2.0 * sum((Counter(a.words) & Counter(b.words)).values()) / total < diff.MATCH_THRESHOLD:
        return 0.0
    return difflib.SequenceMatcher(None, a.words, b.words, autojunk=False).ratio()


def unit(text: str, position: int = 0, kind: str = "clause") -> diff.Unit:
    return diff.Unit(f"u{position}", kind, "s", None, text, position)


@settings(max_examples=300, deadline=None)
@given(WORDS, WORDS)
def test_similarity_is_stdlib_difflibs_whatever_the_words(first: list[str], second: list[str]) -> None:
    a, b = unit(" ".join(first)), unit(" ".join(second), 1)
    assert diff._similarity(a, b) == reference_similarity(a, b)
    comparer = diff.Comparer()
    assert comparer.similarity(a, b) == comparer.similarity(a, b) == reference_similarity(a, b)


def reference_placement(
    result: list[tuple[diff.Unit | None, diff.Unit | None]], second: list[diff.Unit], taken: set[int]
) -> list[tuple[diff.Unit | None, diff.Unit | None]]:
    """Each unit only in the second document inserted after the last entry whose second unit precedes it."""
    result = list(result)
    for b in second:
        if b.position in taken:
            continue
        before = [i for i, (_, y) in enumerate(result) if y is not None and y.position < b.position]
        result.insert(before[-1] + 1 if before else 0, (None, b))
    return result


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_units_only_in_the_second_document_are_placed_as_before(data: st.DataObject) -> None:
    size_a = data.draw(st.integers(0, 12))
    size_b = data.draw(st.integers(0, 12))
    second = [unit(f"b{j}", j) for j in range(size_b)]
    # Each unit of the first document matched with a distinct unit of the second (any order), or with none.
    distinct = st.lists(st.sampled_from(range(size_b)), unique=True, max_size=size_a) if size_b else st.just([])
    chosen = data.draw(distinct)
    matches: list[int | None] = [*chosen, *([None] * (size_a - len(chosen)))]
    matches = data.draw(st.permutations(matches))
    first = [diff.Unit(f"a{i}", "clause", "s", None, f"a{i}", i) for i in range(size_a)]
    for a, j in zip(first, matches, strict=True):  # same ids: align matches them by id
        if j is not None:
            second[j] = diff.Unit(a.id, "clause", "s", None, f"b{j}", j)
    result = diff.align(first, second, lambda a, b: 0.0)
    matched: list[tuple[diff.Unit | None, diff.Unit | None]] = [
        (a, second[j] if j is not None else None) for a, j in zip(first, matches, strict=True)
    ]
    taken = {j for j in matches if j is not None}
    assert result == reference_placement(matched, second, taken)


def test_a_comparer_gives_what_a_fresh_comparison_gives(project) -> None:
    """Every pair of seed councils and the model, both ways, twice over and with memos small enough to evict."""
    workspace = api.Workspace.open(project)
    docs = {cid: workspace.document(cid) for cid in COUNCILS}
    docs["model"] = workspace.model_document("protocol")
    kept, tiny, short = diff.Comparer(), diff.Comparer(memo_size=3), diff.Comparer(memo_chars=600)
    for _ in range(2):
        for first in docs:
            for second in docs:
                fresh = diff.compare(docs[first], docs[second], first, second)
                for comparer in (kept, tiny, short):
                    again = comparer.compare(docs[first], docs[second], first, second)
                    assert again == fresh
                    assert again.similarity == fresh.similarity
                    for fmt in ("text", "md", "html", "json"):
                        assert diff_format.render(again, fmt) == diff_format.render(fresh, fmt), (first, second, fmt)
    assert all(0 < size <= 3 for size in tiny.memo_sizes().values())
    assert all(size <= diff.MEMO_SIZE for size in kept.memo_sizes().values())
    assert all(size < 20 for size in short.memo_sizes().values())


def test_a_memo_is_bounded_in_entries_and_in_characters() -> None:
    memo: diff.Memo[str, int] = diff.Memo(size=3, chars=100)
    for i in range(10):
        assert memo.put(f"key{i}", i, 10) == i
    assert list(memo.found) == ["key7", "key8", "key9"]  # the oldest went first
    assert memo.put("long", 1, 80) == 1
    assert list(memo.found) == ["key8", "key9", "long"] and memo.held == 100  # key7 made room
    assert memo.put("too long", 2, 101) == 2  # returned, never kept
    assert "too long" not in memo.found and memo.held == 100
    assert memo.get("key9") == 9 and memo.get("key0") is None


def test_a_rendered_entry_is_reused_only_where_everything_it_shows_is_the_same(project) -> None:
    """The model page of one council, then another's: the labels differ, so must every 'only in' heading."""
    workspace = api.Workspace.open(project)
    model = workspace.model_document("protocol")
    comparer = diff.Comparer()
    for council_id in [*COUNCILS, *COUNCILS]:
        doc = workspace.document(council_id)
        page = diff_format.to_html(comparer.compare(model, doc, MODEL_LABEL, doc.council.name))
        plain = diff_format.to_html(diff.Comparison(model, doc, MODEL_LABEL, doc.council.name, *_parts(model, doc)))
        assert page == plain, council_id
        assert f"only in {doc.council.name}" in page


def _parts(model: diff.Document, doc: diff.Document) -> tuple[tuple[diff.Entry, ...], float]:
    """A comparison's entries and similarity, with no memo of rendered entries."""
    found = diff.compare(model, doc, MODEL_LABEL, doc.council.name)
    return found.entries, found.similarity


def test_the_module_keeps_no_comparison_state() -> None:
    """What is kept between comparisons lives on a Comparer, never in the module."""
    kept = [n for n, value in vars(diff).items() if isinstance(value, dict | list | set) and not n.startswith("__")]
    assert kept == []


def test_units_made_with_known_words_are_the_units(project) -> None:
    """A Comparer's units (fields and words set at once) equal, hash and print as the dataclass makes them."""
    workspace = api.Workspace.open(project)
    memo: diff.Memo[str, tuple[str, ...]] = diff.Memo()
    for council_id in [*COUNCILS, *COUNCILS]:
        doc = workspace.document(council_id)
        made, plain = diff.units(doc, memo), diff.units(doc)
        assert made == plain
        assert [hash(u) for u in made] == [hash(u) for u in plain]
        assert [repr(u) for u in made] == [repr(u) for u in plain]
        assert [u.words for u in made] == [tuple(diff.WORD.findall(u.text.lower())) for u in plain]
        assert [u.counts for u in made] == [u.counts for u in plain]
