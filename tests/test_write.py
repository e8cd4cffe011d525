"""write.py and api.build: atomic writes, the manifest, and a failing council leaving its old outputs alone."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from conftest import TmpProject, line_of
from hypothesis import given, settings
from hypothesis import strategies as st

from protocolc import api
from protocolc.write import _backup, indented_json, manifest, manifest_bytes, write_atomic, write_outputs, write_set


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


# --- atomic writes -------------------------------------------------------------------------------------------


def test_write_atomic_creates_folders_and_file(tmp_path: Path):
    target = tmp_path / "a" / "b" / "protocol.md"
    write_atomic(target, b"first\n")
    assert target.read_bytes() == b"first\n"
    assert leftovers(target.parent) == []
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_atomic_replaces_the_file_whole(tmp_path: Path):
    target = tmp_path / "protocol.md"
    target.write_bytes(b"old contents, rather longer than the new ones\n")
    before = target.stat().st_ino
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    # replaced by rename, not rewritten in place: a reader holding the old file keeps the old bytes
    assert target.stat().st_ino != before
    assert leftovers(tmp_path) == []


def test_write_atomic_keeps_old_file_when_writing_fails(tmp_path: Path):
    target = tmp_path / "protocol.md"
    target.mkdir()  # a folder where the file should go: the rename fails
    (target / "inside.txt").write_text("keep me")
    with pytest.raises(OSError):
        write_atomic(target, b"data")
    assert (target / "inside.txt").read_text() == "keep me"
    assert leftovers(tmp_path) == []


def test_reader_never_sees_a_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "protocol.md"
    target.write_bytes(b"good old output\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("protocolc.write.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"half")
    assert target.read_bytes() == b"good old output\n"
    assert leftovers(tmp_path) == []


def test_write_outputs_returns_paths_in_order(tmp_path: Path):
    written = write_outputs(tmp_path / "x", {"protocol.md": b"m", "protocol.manifest.json": b"{}"})
    assert written == [tmp_path / "x" / "protocol.md", tmp_path / "x" / "protocol.manifest.json"]


# --- the manifest --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hexham_build(project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    [result] = api.build(project, ["hexham"], ["md", "html"], out)
    assert result.error is None, str(result.error)
    assert [p.name for p in result.written] == ["protocol.md", "protocol.html", "protocol.manifest.json"]
    return out / "hexham"


def test_manifest_identifies_the_document(hexham_build: Path):
    data = json.loads((hexham_build / "protocol.manifest.json").read_text(encoding="utf-8"))
    assert data["council"] == "hexham"
    assert data["document"] == "protocol"
    assert data["name"] == "Hexham Town Council"
    assert data["title"] == "Member/Officer Relations Protocol"
    assert data["version"] == "1.0"
    assert data["adopted"] == "2020-12"


def test_manifest_hashes_match_written_files(hexham_build: Path):
    data = json.loads((hexham_build / "protocol.manifest.json").read_text(encoding="utf-8"))
    assert sorted(data["outputs"]) == ["protocol.html", "protocol.md"]
    for name, digest in data["outputs"].items():
        assert digest == hashlib.sha256((hexham_build / name).read_bytes()).hexdigest(), name
    assert sorted(p.name for p in hexham_build.iterdir()) == ["protocol.html", "protocol.manifest.json", "protocol.md"]


def test_manifest_lists_clauses_in_document_order(hexham_build: Path, workspace):
    data = json.loads((hexham_build / "protocol.manifest.json").read_text(encoding="utf-8"))
    doc = workspace.document("hexham")
    expected = []
    for section in doc.sections:
        for clause in section.clauses:
            expected.append((clause.id, clause.number))
            expected.extend((item.id, item.label) for item in clause.items)
    assert [(c["id"], c["number"]) for c in data["clauses"]] == expected
    assert all(set(c) == {"id", "number", "origin", "source", "words"} for c in data["clauses"])
    assert all(
        re.fullmatch(r"(clauses/protocol|councils/hexham)/[a-z-]+\.yaml:\d+", c["source"]) for c in data["clauses"]
    )
    assert {c["origin"] for c in data["clauses"]} == {"library", "council"}


def test_manifest_clause_entries(hexham_build: Path, project):
    data = json.loads((hexham_build / "protocol.manifest.json").read_text(encoding="utf-8"))
    entries = {c["id"]: c for c in data["clauses"]}
    hexham = project.root / "councils" / "hexham" / "protocol.yaml"
    first = data["clauses"][0]
    words = (
        "The relationship between Councillors and officers is an essential ingredient that goes "
        "into the successful working of the organisation."
    )
    assert first["id"] == "hexham.relationship"
    assert first["number"] == "1.1"
    assert first["origin"] == "council"
    assert first["source"] == f"councils/hexham/protocol.yaml:{line_of(hexham, words[:60])}"
    text = (hexham_build / "protocol.md").read_text(encoding="utf-8")
    paragraph = next(line for line in text.splitlines() if line.startswith("**1.1** "))
    assert first["words"] == len(paragraph.split()) - 1  # less the bold number

    library_clause = entries["roles.summary"]
    roles = project.root / "clauses" / "protocol" / "roles.yaml"
    assert library_clause["origin"] == "library"
    assert library_clause["number"] == "2.1"
    summary_line = line_of(roles, 'text: "The respective roles')
    assert library_clause["source"] == f"clauses/protocol/roles.yaml:{summary_line}"
    summary = "The respective roles of Councillors and officers can be summarised as follows:"
    assert library_clause["words"] == len(summary.split())

    replaced = entries["councillors.areas.advocates"]
    assert replaced["number"] == "d)"
    assert replaced["origin"] == "council"
    assert replaced["source"] == f"councils/hexham/protocol.yaml:{line_of(hexham, 'to act as advocates on behalf')}"
    advocates = "to act as advocates on behalf of their constituents."
    assert replaced["words"] == len(advocates.split())

    heading_only = entries["hexham.officers"]
    assert heading_only["words"] == 1 and heading_only["number"] == "2.4"

    unnumbered = entries["roles.servants"]
    assert unnumbered["number"] is None


# --- a failing council ---------------------------------------------------------------------------------------


def test_failing_council_keeps_previous_outputs_while_others_build(tmp_project: TmpProject, tmp_path: Path):
    out = tmp_path / "out"
    results = api.build(tmp_project.project, ["hexham", "duston"], ["md", "html"], out)
    assert [r.error for r in results] == [None, None]
    hexham_before = {p.name: p.read_bytes() for p in (out / "hexham").iterdir()}
    duston_before = (out / "duston" / "protocol.md").read_bytes()

    hexham = tmp_project.path("councils/hexham/protocol.yaml")
    hexham.write_text(
        hexham.read_text(encoding="utf-8").replace(
            "  - replace: councillors.areas.advocates", "  - replace: councillors.areas.advocate"
        ),
        encoding="utf-8",
    )
    duston = tmp_project.path("councils/duston/protocol.yaml")
    duston.write_text(
        duston.read_text(encoding="utf-8").replace("version: 167/23", "version: 168/23"), encoding="utf-8"
    )

    results = api.build(tmp_project.project, ["hexham", "duston"], ["md", "html"], out)
    failed, built = results
    assert failed.council_id == "hexham" and failed.written == ()
    assert [p.message for p in failed.error.problems] == ["no section, clause or item 'councillors.areas.advocate'"]
    assert failed.error.problems[0].source.path == "councils/hexham/protocol.yaml"
    assert {p.name: p.read_bytes() for p in (out / "hexham").iterdir()} == hexham_before

    assert built.error is None
    after = (out / "duston" / "protocol.md").read_bytes()
    assert after != duston_before
    assert b"| 168/23 |" in after
    assert leftovers(out / "hexham") == [] and leftovers(out / "duston") == []


def test_unwritable_output_is_a_protocol_error(project, tmp_path: Path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    [result] = api.build(project, ["mumbles"], ["md"], blocker)
    assert result.written == ()
    assert result.error is not None
    assert result.error.problems[0].message.startswith("cannot write outputs:")


def test_manifest_function_counts_only_given_outputs(workspace):
    doc = workspace.document("mumbles")
    data = manifest(doc, {"protocol.md": b"abc"})
    assert data["outputs"] == {"protocol.md": hashlib.sha256(b"abc").hexdigest()}
    assert data["adopted"] is None
    assert data["council"] == "mumbles"


# --- the manifest's JSON -----------------------------------------------------------------------------------------

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=True)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_indented_json_writes_what_json_dumps_writes(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [
        [{"a": "},\n      {"}, {"b": "}]"}],  # what the separators between a list's dicts are mended from, in text
        [{"a": 1}, {}, {"b": [1]}],
        {"outputs": {}, "clauses": [], "x": {1: "an int key"}},
        [{"a": 1.5}, {"b": float("inf")}],
        {"words": True, "number": None, "id": "Cyngor Cymuned – ‘Llanfair’ \u2028 \x00"},
    ],
)
def test_indented_json_odd_values(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_manifests_are_written_as_json_dumps_writes_them(workspace) -> None:
    for council_id in ("cottingham", "duston", "hexham", "langport", "mumbles"):
        doc = workspace.document(council_id)
        outputs = {"protocol.md": b"md", "protocol.html": b"html"}
        expected = json.dumps(manifest(doc, outputs, {"md": "k1", "html": "k2"}), indent=2, ensure_ascii=False)
        assert manifest_bytes(doc, outputs, {"md": "k1", "html": "k2"}) == (expected + "\n").encode("utf-8")
        expected = json.dumps(manifest(doc, {}, None), indent=2, ensure_ascii=False)
        assert manifest_bytes(doc, {}, None) == (expected + "\n").encode("utf-8")


# --- backups of the files a set replaces ---------------------------------------------------------------------


def test_a_backup_name_that_is_taken_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "protocol.md"
    target.write_bytes(b"old")
    taken = tmp_path / ".protocol.md.000000000000.tmp"
    taken.write_bytes(b"someone else's")
    names = iter(["000000000000", "111111111111"])
    monkeypatch.setattr("protocolc.write.secrets.token_hex", lambda n: next(names))
    backup = _backup(target)
    assert backup == str(tmp_path / ".protocol.md.111111111111.tmp")
    assert os.path.samefile(backup, target) and taken.read_bytes() == b"someone else's"


def test_without_hard_links_the_set_is_still_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_bytes(b"old")

    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("protocolc.write.os.link", no_links)
    assert _backup(tmp_path / "a.md") is None
    write_set(tmp_path, {"a.md": b"new a", "b.md": b"new b"})
    assert (tmp_path / "a.md").read_bytes() == b"new a" and (tmp_path / "b.md").read_bytes() == b"new b"
    assert leftovers(tmp_path) == []
    assert {(tmp_path / n).stat().st_mode & 0o777 for n in ("a.md", "b.md")} == {0o644}
