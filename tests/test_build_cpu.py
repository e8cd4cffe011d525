"""The shortcuts that make building a council cheaper give what the long way gives (issue #17).

Keys hashed from a shared start, the word counts remembered, alignment by bisection, the write set's
fewer system calls, a rendering found by its redline's identity: each against the plain computation.
"""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest
from conftest import COUNCILS
from hypothesis import given, settings
from hypothesis import strategies as st

from protocolc import api, build, diff, diff_format
from protocolc.errors import Source
from protocolc.formats import FORMATS
from protocolc.model import WORD, Passage, count_words
from protocolc.quick import environment_key, fonts_key, format_templates
from protocolc.templating import Memo, indent_lines
from protocolc.write import manifest, remove_files, write_set

# --- keys ------------------------------------------------------------------------------------------------------


def plain_keys(doc, formats, workspace, draft=None) -> dict[str, str]:
    """inputs_keys as first written: one sha256 of all the parts, each followed by a NUL."""
    keys = {}
    for name in formats:
        parts = [repr(doc), name, environment_key(), workspace.templates.digest(format_templates(name))]
        if draft is not None:
            parts.append(f"draft built {draft}")
        if FORMATS[name].needs_fonts:
            parts.append(fonts_key())
        keys[name] = hashlib.sha256(b"".join(p.encode("utf-8") + b"\0" for p in parts)).hexdigest()
    return keys


@pytest.mark.parametrize("draft", [None, "25 November 2026"])
def test_keys_from_a_shared_start_are_the_plain_keys(workspace, draft) -> None:
    formats = ("md", "html", "docx")
    for council_id in COUNCILS:
        doc = workspace.document(council_id)
        printed = build.fingerprint(doc)
        expected = plain_keys(doc, formats, workspace, draft)
        assert build.inputs_keys(doc, formats, workspace, draft) == expected
        assert build.inputs_keys(doc, formats, workspace, draft, printed, build.hashed(printed)) == expected
        assert build.inputs_keys(doc, formats, workspace, draft, printed) == expected


def test_the_model_diff_stamp_hashes_both_documents(workspace, tmp_path: Path) -> None:
    doc = workspace.document("hexham")
    model = workspace.model_document(doc.id)
    path = build.write_model_diff(workspace, doc, tmp_path, True)
    assert path is not None
    stamp = path.read_text(encoding="utf-8").split("\n")[1]
    key = hashlib.sha256((repr(doc) + repr(model) + environment_key()).encode("utf-8")).hexdigest()
    assert stamp == f"<!-- protocolc model-diff {key} -->"
    assert build.write_model_diff(workspace, doc, tmp_path, False) is None  # up to date: not written again


def test_a_templates_digest_is_worked_out_once_and_is_the_same(project) -> None:
    templates = api.Workspace.open(project).templates
    names = format_templates("html")
    first = templates.digest(names)
    templates.read.clear()  # the files are not read again for a digest already worked out
    assert templates.digest(names) == first
    assert api.Workspace.open(project).templates.digest(names) == first


# --- the manifest's word counts ----------------------------------------------------------------------------------


def passage(text: str) -> Passage:
    return Passage(text, Source("x.yaml", 1), "library")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=" \n\ta1é’-–.", max_size=20), max_size=30))
def test_word_counts_are_passage_words(texts: list[str]) -> None:
    counts = Memo(count_words, entries=4, chars=40)
    for text in texts + texts:
        assert counts(text) == passage(text).words == len(WORD.findall(text))
        assert len(counts.found) <= 4 and counts.held <= 40
        assert counts.held == sum(len(t) for t in counts.found)


def test_a_manifest_counts_the_same_with_remembered_counts(workspace) -> None:
    counts = Memo(count_words)
    for _ in range(2):
        for council_id in COUNCILS:
            doc = workspace.document(council_id)
            assert manifest(doc, {}, None, counts) == manifest(doc, {}, None)


# --- alignment -----------------------------------------------------------------------------------------------------


def reference_align(first: list[diff.Unit], second: list[diff.Unit]) -> list[tuple[int | None, int | None]]:
    """align as first written: every loose pair tried, in the order of the two documents."""
    by_id = {u.id: u for u in second}
    pairs: dict[int, diff.Unit] = {}
    for a in first:
        b = by_id.get(a.id)
        if b is not None and b.kind == a.kind:
            pairs[a.position] = b
    taken = {b.position for b in pairs.values()}
    close = []
    for a in (a for a in first if a.position not in pairs):
        for b in (b for b in second if b.position not in taken):
            la, lb = len(a.words), len(b.words)
            if b.kind != a.kind or not la + lb or 2.0 * min(la, lb) / (la + lb) < diff.MATCH_THRESHOLD:
                continue
            score = diff._similarity(a, b)
            if score >= diff.MATCH_THRESHOLD:
                close.append((-score, a.position, b.position, b))
    for _, pa, pb, b in sorted(close, key=lambda t: t[:3]):
        if pa not in pairs and pb not in taken:
            pairs[pa] = b
            taken.add(pb)
    result = [(a.position, pairs[a.position].position if a.position in pairs else None) for a in first]
    return result


@pytest.mark.parametrize("seed", range(4))
def test_alignment_by_bisection_pairs_what_trying_every_pair_pairs(seed: int) -> None:
    rnd = random.Random(seed)
    words = [
        "the",
        "council",
        "clerk",
        "shall",
        "may",
        "meeting",
        "members",
        "of",
        "and",
        "to",
        "a",
        "in",
        "by",
        "agenda",
    ]

    def units(n: int, prefix: str) -> list[diff.Unit]:
        return [
            diff.Unit(
                f"{prefix}{rnd.randrange(40)}" if rnd.random() < 0.7 else f"shared{rnd.randrange(8)}",
                rnd.choice(["clause", "item", "heading"]),
                "s",
                None,
                " ".join(rnd.choice(words) for _ in range(rnd.choice([0, 1, 2, 3, 5, 7, 9, 12, 20, 35, 60]))),
                i,
            )
            for i in range(n)
        ]

    for _ in range(300):
        first, second = units(rnd.randrange(30), "a"), units(rnd.randrange(30), "b")
        got = [(a.position, b.position if b else None) for a, b in diff.align(first, second) if a is not None]
        assert got == reference_align(first, second)


# --- the model-diff page's renderings -------------------------------------------------------------------------------


def test_a_rendering_is_found_by_the_very_redline_only(workspace) -> None:
    comparer = diff.Comparer()
    model = workspace.model_document("protocol")
    for council_id in COUNCILS:
        cmp = comparer.compare(model, workspace.document(council_id), "model", council_id)
        reworded = [e for e in cmp.entries if e.status == diff.REWORDED]
        for entry in reworded:
            key = diff_format._entry_key(entry, cmp)
            assert key == diff_format._entry_key(entry, cmp) and hash(key) == hash(diff_format._entry_key(entry, cmp))
            copy = diff.Entry(entry.status, entry.first, entry.second, tuple(list(entry.redline)))
            if entry.redline:  # an equal copy of the redline: another object, so another key (a miss, never wrong)
                assert diff_format._entry_key(copy, cmp) != key
        assert diff_format.to_html(cmp) == diff_format.to_html(diff.compare(model, cmp.second, "model", council_id))


# --- writing ----------------------------------------------------------------------------------------------------------


def test_the_last_file_of_a_set_is_not_linked_for_putting_back(tmp_path: Path, monkeypatch) -> None:
    for name in ("a.md", "b.html", "c.json"):
        (tmp_path / name).write_text(f"old {name}")
    linked: list[str] = []
    real_link = os.link

    def link(src, dst, *args, **kwargs):
        linked.append(os.path.basename(src))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr("protocolc.write.os.link", link)
    write_set(tmp_path, {"a.md": b"new a", "b.html": b"new b", "c.json": b"new c"})
    assert linked == ["a.md", "b.html"]
    assert [(tmp_path / n).read_bytes() for n in ("a.md", "b.html", "c.json")] == [b"new a", b"new b", b"new c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.html", "c.json"]


def test_a_failed_last_rename_puts_the_others_back(tmp_path: Path, monkeypatch) -> None:
    for name in ("a.md", "b.html"):
        (tmp_path / name).write_text(f"old {name}")
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("b.html") and not str(src).endswith("b.html"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("protocolc.write.os.replace", replace)
    with pytest.raises(OSError):
        write_set(tmp_path, {"a.md": b"new a", "b.html": b"new b"})
    assert [(tmp_path / n).read_text() for n in ("a.md", "b.html")] == ["old a.md", "old b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.html"]


def test_a_set_makes_its_folder_or_fails_as_making_it_fails(tmp_path: Path) -> None:
    assert write_set(tmp_path / "a" / "b", {"x.md": b"x"}) == [tmp_path / "a" / "b" / "x.md"]
    assert (tmp_path / "a" / "b" / "x.md").stat().st_mode & 0o777 == 0o644
    assert write_set(tmp_path / "empty", {}) == [] and (tmp_path / "empty").is_dir()
    (tmp_path / "file").write_text("a file")
    with pytest.raises(FileExistsError):
        write_set(tmp_path / "file", {"x.md": b"x"})
    with pytest.raises(NotADirectoryError):
        write_set(tmp_path / "file" / "sub", {"x.md": b"x"})
    assert (tmp_path / "file").read_text() == "a file"


def test_remove_files_removes_those_there(tmp_path: Path) -> None:
    for name in ("a.md", "b.md", "keep.md"):
        (tmp_path / name).write_text(name)
    remove_files(tmp_path, ["a.md", "b.md", "missing.md"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.md"]
    remove_files(tmp_path / "nowhere", ["a.md"])  # no folder: nothing to remove
    with pytest.raises(NotADirectoryError):  # as unlinking a name inside a file fails
        remove_files(tmp_path / "keep.md", ["a.md"])


def test_indent_lines_leaves_one_line_alone() -> None:
    assert indent_lines("one line", 2) == "one line"
    assert indent_lines("one\n\ntwo\nthree", 2) == "one\n\n  two\n  three"
