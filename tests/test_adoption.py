"""Adopted snapshots, drafts, `protocolc adopt`, and versions as revisions (issue 13)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TmpProject

from protocolc import adoption, api, snapshot
from protocolc.cli import main
from protocolc.formats import FORMATS, Job
from protocolc.layout import lay_out

HEXHAM_SNAPSHOT = "councils/hexham/adopted/protocol/1.0.yaml"
OLD, NEW = "serve only so long as", "serve only for as long as"


def run(tmp: TmpProject, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(tmp.root), *args])
    return result.exit_code, result.output


def edit_library(tmp: TmpProject) -> None:
    path = tmp.path("clauses/protocol/roles.yaml")
    text = path.read_text(encoding="utf-8")
    assert OLD in text
    path.write_text(text.replace(OLD, NEW), encoding="utf-8")


def test_snapshot_round_trips_every_seed_council_byte_for_byte(workspace, tmp_path: Path) -> None:
    for council_id, document_id in workspace.names(None):
        doc = workspace.document(council_id, document_id)
        path = tmp_path / f"{council_id}.yaml"
        path.write_text(snapshot.snapshot_text(doc), encoding="utf-8")
        back = snapshot.read_snapshot(path)
        assert back == doc
        for fmt in ("md", "html"):
            a = Job(lay_out(doc), workspace.templates, FORMATS).output(fmt)
            b = Job(lay_out(back), workspace.templates, FORMATS).output(fmt)
            assert a == b, (council_id, fmt)


def test_snapshot_file_is_stable_and_readable(project) -> None:
    text = (project.root / HEXHAM_SNAPSHOT).read_text(encoding="utf-8")
    assert text.startswith("# Hexham Town Council")
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == [*snapshot.KEY_ORDER, "digest"]
    assert "text: |" in text  # long texts are block scalars
    workspace = api.Workspace.open(project)
    assert snapshot.snapshot_text(workspace.document("hexham")) == text


def test_library_edit_makes_users_drafts_and_keeps_published_text(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    ws = tmp_project.workspace()
    found = adoption.publication(ws, "hexham", "protocol")
    assert found.is_draft
    [change] = found.changes()
    assert change.id == "roles.electorate" and change.origin == "library"
    assert change.source.path == "clauses/protocol/roles.yaml"
    assert OLD in " ".join(p.markdown for p in found.published.passages)
    assert not adoption.publication(ws, "duston", "protocol").is_draft  # Duston words it its own way
    code, out = run(tmp_project, "status", "--today", "2026-11-25")
    assert code == 0
    assert "hexham/protocol: 1 clause changed since version 1.0" in out
    assert "roles.electorate: reworded, from the library (clauses/protocol/roles.yaml:" in out
    assert run(tmp_project, "status", "--fail-drafts")[0] == 1
    code, out = run(tmp_project, "impact")
    assert code == 1 and "[-so-] {+for as+}" in out


def test_build_publishes_adopted_text_and_a_marked_draft(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    out = tmp_project.root / "build"
    [result] = api.build(tmp_project.project, ["hexham"], ("md",), out)
    assert result.error is None
    adopted = (out / "hexham/protocol.md").read_text(encoding="utf-8")
    draft = (out / "hexham/protocol.draft.md").read_text(encoding="utf-8")
    assert OLD in adopted and "Draft" not in adopted
    assert draft.startswith("**Draft: not adopted** (built ") and NEW in draft
    assert "| 1.1 | — |" in draft  # the proposed version, not yet adopted
    # Adopting removes the draft.
    code, _ = run(tmp_project, "adopt", "hexham", "--minute", "123/26", "--date", "2026-11-25")
    assert code == 0
    api.build(tmp_project.project, ["hexham"], ("md",), out)
    assert not (out / "hexham/protocol.draft.md").exists()
    assert NEW in (out / "hexham/protocol.md").read_text(encoding="utf-8")


def test_adopt_keeps_comments_and_writes_snapshot(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    path = tmp_project.path("councils/hexham/protocol.yaml")
    before = path.read_text(encoding="utf-8")
    code, out = run(
        tmp_project, "adopt", "hexham", "--minute", "123/26", "--date", "2026-11-25", "--review-by", "2029-11"
    )
    assert code == 0, out
    after = path.read_text(encoding="utf-8")
    added = '  - version: "1.1"\n    adopted: 2026-11-25\n    minute: "123/26"\n    review_by: 2029-11\n'
    assert after == before.replace("    review_by: 2023-12\n", "    review_by: 2023-12\n" + added, 1)
    snap = tmp_project.path("councils/hexham/adopted/protocol/1.1.yaml")
    assert snapshot.read_snapshot(snap).current.version == "1.1"
    ws = tmp_project.workspace()
    assert not adoption.publication(ws, "hexham", "protocol").is_draft
    code, out = run(tmp_project, "check", "hexham")
    assert code == 0 and "0 warnings" in out  # (the fixture's cottingham, duston, mumbles never print their clerk)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "2019-01-01"), "is before the last adoption"),
        (("--date", "2026-11-25", "--version", "1.0"), "version '1.0' of hexham/protocol is already recorded"),
        (("--date", "2026-13-01"), "is not a date"),
    ],
)
def test_adopt_refuses_and_writes_nothing(tmp_project: TmpProject, args: tuple[str, ...], message: str) -> None:
    before = {p: p.read_bytes() for p in tmp_project.path("councils/hexham").rglob("*") if p.is_file()}
    code, out = run(tmp_project, "adopt", "hexham", "--minute", "1/26", *args)
    assert code == 1 and message in out
    after = {p: p.read_bytes() for p in tmp_project.path("councils/hexham").rglob("*") if p.is_file()}
    assert after == before


def test_adopt_refuses_a_document_with_errors(tmp_project: TmpProject) -> None:
    path = tmp_project.path("councils/hexham/protocol.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("- roles.summary", "- roles.summry"), encoding="utf-8")
    before = path.read_bytes()
    code, out = run(tmp_project, "adopt", "hexham", "--minute", "1/26", "--date", "2026-11-25")
    assert code == 1 and "roles.summry" in out
    assert path.read_bytes() == before
    assert not tmp_project.path("councils/hexham/adopted/protocol/1.1.yaml").exists()


def test_adopt_needs_version_for_minute_labels(tmp_project: TmpProject) -> None:
    code, out = run(tmp_project, "adopt", "duston", "--minute", "1/26", "--date", "2026-11-25")
    assert code == 1 and "--version" in out
    assert adoption.next_label("1.0") == "1.1" and adoption.next_label("v2.9") == "v2.10"
    assert adoption.next_label("3") == "4" and adoption.next_label(None) == "1.0"


def test_interrupted_adopt_leaves_the_old_state(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    path = tmp_project.path("councils/hexham/protocol.yaml")
    before = path.read_bytes()

    def crash() -> None:
        raise KeyboardInterrupt

    ws = tmp_project.workspace()
    with pytest.raises(KeyboardInterrupt):
        adoption.adopt(ws, "hexham", "protocol", minute="1/26", date="2026-11-25", between=crash)
    assert path.read_bytes() == before
    folder = tmp_project.path("councils/hexham/adopted/protocol")
    assert sorted(p.name for p in folder.iterdir()) == ["1.0.yaml"]
    assert adoption.publication(tmp_project.workspace(), "hexham", "protocol").is_draft


def test_check_reports_hand_edited_and_mismatched_snapshots(tmp_project: TmpProject) -> None:
    snap = tmp_project.path(HEXHAM_SNAPSHOT)
    snap.write_text(snap.read_text(encoding="utf-8").replace("essential ingredient", "vital ingredient"))
    code, out = run(tmp_project, "check")
    assert code == 1
    assert f"{HEXHAM_SNAPSHOT}:" in out and "edited by hand" in out and "git checkout" in out
    snap.write_text(snap.read_text(encoding="utf-8").replace("vital ingredient", "essential ingredient"))
    assert run(tmp_project, "check")[0] == 0
    path = tmp_project.path("councils/hexham/protocol.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("review_by: 2023-12", "review_by: 2024-12"))
    code, out = run(tmp_project, "check")
    assert code == 1 and "does not match its version entry" in out and "review_by" in out


def test_check_warns_when_latest_version_has_no_snapshot(tmp_project: TmpProject) -> None:
    tmp_project.path(HEXHAM_SNAPSHOT).unlink()
    code, out = run(tmp_project, "check")
    assert "version '1.0' of hexham/protocol has no adopted snapshot" in out
    assert "protocolc snapshot hexham/protocol" in out


def test_never_adopted_document_is_marked_draft(tmp_project: TmpProject) -> None:
    tmp_project.council_file("fresh", 'numbering:\n  levels: ["1.", "1.1", "a)"]\nversions: []\n')
    ws = tmp_project.workspace()
    assert not ws.source("fresh", "protocol").versions
    out = tmp_project.root / "build"
    api.build(tmp_project.project, ["fresh"], ("md",), out)
    assert (out / "fresh/protocol.md").read_text(encoding="utf-8").startswith("**Draft: not adopted**")
    code, out_text = run(tmp_project, "adopt", "fresh", "--minute", "5/26", "--date", "2026-11-25")
    assert code == 0, out_text
    text = tmp_project.path("councils/fresh/protocol.yaml").read_text(encoding="utf-8")
    assert 'versions:\n  - version: "1.0"\n    adopted: 2026-11-25\n' in text
    assert not (out / "fresh/protocol.md").read_text(encoding="utf-8").startswith("**Draft")


def test_diff_version_reads_the_snapshot_in_a_fresh_clone(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    code, out = run(tmp_project, "diff", "hexham@1.0", "hexham")
    assert code == 1 and "1 reworded" in out  # the adopted 1.0 against today's sources, no git needed
    code, out = run(tmp_project, "diff", "hexham@v1.0", "hexham/protocol@1.0")
    assert code == 0


def test_diff_with_the_model_shows_own_clauses_as_additions(project) -> None:
    comparison = api.compare(project, "hexham", "model")
    assert comparison.first_label == "model"
    own = [e for e in comparison.entries if e.unit.id == "hexham.relationship"]
    assert own and own[0].status == "only-second"


def test_git_revisions_still_work(tmp_project: TmpProject) -> None:
    root = tmp_project.root
    git = ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    edit_library(tmp_project)
    code, out = run(tmp_project, "diff", "hexham@HEAD", "hexham")
    assert code == 1 and "1 reworded" in out


def test_unreadable_snapshot_is_an_error_not_a_traceback(tmp_project: TmpProject) -> None:
    tmp_project.path(HEXHAM_SNAPSHOT).write_text("format: 1\nsections: [\n", encoding="utf-8")
    code, out = run(tmp_project, "check", "hexham")
    assert code == 1 and f"{HEXHAM_SNAPSHOT}: error: snapshot cannot be read" in out and "Traceback" not in out
    code, out = run(tmp_project, "build", "hexham", "--format", "md")
    assert code == 1 and "snapshot cannot be read" in out


def test_site_links_the_draft_apart_from_the_adopted_text(tmp_project: TmpProject) -> None:
    edit_library(tmp_project)
    out = tmp_project.root / "build"
    ids = tmp_project.project.council_ids()
    api.build(tmp_project.project, ids, ("md", "html"), out, site=True)
    index = api.write_site(tmp_project.project, out).read_text(encoding="utf-8")
    assert index.count('<tr id="hexham-protocol">') == 1  # one entry per document, not one for its draft
    hexham = index.split('<tr id="hexham-protocol">')[1].split("</tr>")[0]
    assert 'href="hexham/protocol.html"' in hexham and 'href="hexham/protocol.draft.html"' in hexham
    assert "Draft, not adopted" in hexham
    duston = index.split('<tr id="duston-protocol">')[1].split("</tr>")[0]
    assert "draft" not in duston.lower()


def test_check_reports_versions_removed_after_a_snapshot(tmp_project: TmpProject) -> None:
    assert run(tmp_project, "adopt", "hexham", "--minute", "9/26", "--date", "2026-11-25")[0] == 0
    path = tmp_project.path("councils/hexham/protocol.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  - version: "1.0"\n    adopted: 2020-12\n    review_by: 2023-12\n', ""))
    code, out = run(tmp_project, "check", "hexham")
    assert code == 1
    assert "snapshot of version '1.1' lists earlier versions the YAML does not: 1.0" in out
    assert "councils/hexham/adopted/protocol/1.0.yaml:" in out and "not in the versions" in out
