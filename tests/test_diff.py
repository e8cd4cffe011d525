"""protocolc diff: alignment, each class of difference, redlines, formats, git revisions, bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TmpProject

from protocolc import api, diff, diff_format
from protocolc.cli import main
from protocolc.errors import ProtocolError

BASE = """\
sections:
  - section: councillors
    clauses:
      - councillors.areas
      - councillors.day-to-day
      - id: tiny.local
        text: The parish meets on the first Monday of every month in the village hall.
"""


def compare(tmp: TmpProject, first: str = "tiny", second: str = "other") -> diff.Comparison:
    return api.compare(tmp.project, first, second)


def statuses(cmp: diff.Comparison) -> dict[str, str]:
    return {entry.unit.id: entry.status for entry in cmp.entries}


def test_identical_documents(tmp_project: TmpProject) -> None:
    tmp_project.tiny(BASE)
    tmp_project.tiny(BASE, council_id="other")
    cmp = compare(tmp_project)
    assert cmp.identical
    assert cmp.similarity == 1.0
    assert set(statuses(cmp).values()) == {diff.IDENTICAL}


def test_each_class_of_difference(tmp_project: TmpProject) -> None:
    tmp_project.tiny(BASE)
    tmp_project.tiny(
        """\
        sections:
          - section: councillors
            clauses:
              - councillors.day-to-day
              - councillors.areas
              - id: other.local
                text: The parish meets on the second Monday of every month in the village hall.
              - id: other.extra
                text: Minutes are published on the noticeboard.
        changes:
          - omit: councillors.areas.advocates
        """,
        council_id="other",
    )
    result = statuses(compare(tmp_project))
    assert result["councillors.areas.advocates"] == diff.ONLY_FIRST
    assert result["other.extra"] == diff.ONLY_SECOND
    assert result["tiny.local"] == diff.REWORDED  # local clauses with different ids, matched by wording
    assert diff.MOVED in {result["councillors.areas"], result["councillors.day-to-day"]}
    assert result["councillors.areas.policy"] == diff.IDENTICAL


def test_renumbered_clause_is_moved(tmp_project: TmpProject) -> None:
    tmp_project.tiny(BASE)
    tmp_project.tiny(
        BASE.replace(
            "      - councillors.areas\n",
            "      - id: other.first\n        text: A new first clause.\n      - councillors.areas\n",
        ),
        council_id="other",
    )
    cmp = compare(tmp_project)
    entry = next(e for e in cmp.entries if e.unit.id == "councillors.day-to-day")
    assert entry.status == diff.MOVED
    assert (entry.first.number, entry.second.number) == ("1.2", "1.3")
    assert "renumbered 1.2 -> 1.3" in diff_format.to_text(cmp, color=False)


def test_redline_marks_deleted_and_inserted_words() -> None:
    changes = diff.redline("the parish meets on the first Monday", "the parish meets on the second Monday")
    assert [(c.op, c.text) for c in changes] == [
        ("equal", "the parish meets on the"),
        ("delete", "first"),
        ("insert", "second"),
        ("equal", "Monday"),
    ]


def test_added_list_item_is_one_inserted_item_not_a_rewritten_list(tmp_project: TmpProject) -> None:
    tmp_project.tiny(BASE)
    changes = (
        "changes:\n"
        "  - insert: councillors.areas.budget\n"
        "    after: councillors.areas.policy\n"
        "    text: To set the annual budget and precept;\n"
    )
    tmp_project.tiny(BASE + changes, council_id="other")
    cmp = compare(tmp_project)
    changed = [(e.unit.id, e.status) for e in cmp.entries if e.status != diff.IDENTICAL]
    assert changed == [("councillors.areas.budget", diff.ONLY_SECOND)]


def test_council_against_model(project) -> None:
    cmp = api.compare(project, "hexham", "model")
    assert not cmp.identical
    # The model is always the first side: Hexham's own clauses are additions, whichever way round it was asked.
    assert (cmp.first_label, cmp.second_label) == ("model", "hexham")
    assert cmp.count(diff.ONLY_SECOND) > 0  # Hexham's own clauses
    assert 0.3 < cmp.similarity < 0.95
    model_doc = cmp.first
    assert model_doc.council.id == "model"
    assert all(c.origin == "library" for s in model_doc.sections for c in s.clauses)


def test_text_output_is_plain_when_piped_and_coloured_on_request(project) -> None:
    runner = CliRunner()
    plain = runner.invoke(main, ["--project", str(project.root), "diff", "duston", "langport"])
    assert plain.exit_code == 1
    assert "\x1b[" not in plain.output
    assert plain.output.startswith("duston vs langport: ")
    assert "[-" in plain.output and "{+" in plain.output
    coloured = runner.invoke(main, ["--project", str(project.root), "diff", "duston", "langport", "--color"])
    assert "\x1b[" in coloured.output
    forced_off = runner.invoke(main, ["--project", str(project.root), "diff", "duston", "langport", "--no-color"])
    assert "\x1b[" not in forced_off.output


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_every_format_writes_a_file(project, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"diff.{fmt}"
    result = CliRunner().invoke(
        main, ["--project", str(project.root), "diff", "hexham", "cottingham", "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith("hexham vs cottingham: ")
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["schema"] == "protocolc-diff/1"
        assert set(data["summary"]) == {"identical", "reworded", "moved", "only_first", "only_second", "similarity"}
        assert {c["status"] for c in data["clauses"]} <= set(diff.STATUSES)
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in text
        assert "<del>" in text and "<ins>" in text
        assert "<link" not in text and "<script" not in text  # self-contained
    elif fmt == "md":
        assert "~~" in text and "**" in text
    else:
        assert "(reworded)" in text


def test_exit_status_like_diff(project) -> None:
    runner = CliRunner()
    same = runner.invoke(main, ["--project", str(project.root), "diff", "mumbles", "mumbles"])
    assert same.exit_code == 0
    differ = runner.invoke(main, ["--project", str(project.root), "diff", "mumbles", "model"])
    assert differ.exit_code == 1


def test_unknown_council_is_exit_2(project) -> None:
    result = CliRunner().invoke(main, ["--project", str(project.root), "diff", "hexam", "model"])
    assert result.exit_code == 2
    assert "no council 'hexam' in councils/ (did you mean 'hexham'?)" in result.output
    assert "Traceback" not in result.output


# --- git revisions -----------------------------------------------------------------------------------


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Clerk",
        "GIT_AUTHOR_EMAIL": "clerk@example.org",
        "GIT_COMMITTER_NAME": "Clerk",
        "GIT_COMMITTER_EMAIL": "clerk@example.org",
        "PATH": "/usr/bin:/bin",
        "HOME": str(root),
    }
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T12:00:00", "GIT_COMMITTER_DATE": f"{date}T12:00:00"}
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


@pytest.fixture
def history(tmp_project: TmpProject) -> TmpProject:
    """A git repository with two adopted versions of 'tiny': 1 (2024-01-15) and 2 (2025-03-01)."""
    tmp_project.tiny(BASE)
    root = tmp_project.root
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "version 1", date="2024-01-15")
    text = tmp_project.path("councils/tiny/protocol.yaml").read_text(encoding="utf-8")
    text = text.replace("first Monday", "second Tuesday").replace(
        "    adopted: 2024-01-15\n", '    adopted: 2024-01-15\n  - version: "2"\n    adopted: 2025-03-01\n'
    )
    tmp_project.path("councils/tiny/protocol.yaml").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "version 2", date="2025-03-01")
    return tmp_project


@pytest.mark.parametrize("rev", ["HEAD~1", "2024-06-30", "v1", "1"])
def test_revision_forms(history: TmpProject, rev: str) -> None:
    cmp = api.compare(history.project, f"tiny@{rev}", "tiny")
    entry = next(e for e in cmp.entries if e.unit.id == "tiny.local")
    assert entry.status == diff.REWORDED
    assert [(c.op, c.text) for c in entry.redline if c.op != "equal"] == [
        ("delete", "first Monday"),
        ("insert", "second Tuesday"),
    ]
    assert cmp.first.current.version == "1"
    assert cmp.second.current.version == "2"


def test_revision_does_not_touch_the_working_tree(history: TmpProject) -> None:
    before = history.path("councils/tiny/protocol.yaml").read_bytes()
    status_before = git(history.root, "status", "--porcelain")
    api.compare(history.project, "tiny@HEAD~1", "tiny")
    assert history.path("councils/tiny/protocol.yaml").read_bytes() == before
    assert git(history.root, "status", "--porcelain") == status_before


def test_unknown_revision_is_exit_2(history: TmpProject) -> None:
    result = CliRunner().invoke(main, ["--project", str(history.root), "diff", "tiny@v9", "tiny"])
    assert result.exit_code == 2
    assert "error: unknown revision 'v9' for tiny" in result.output
    assert "hint: give a tag, a commit" in result.output
    with pytest.raises(ProtocolError, match="no commit on or before 2001-01-01"):
        api.compare(history.project, "tiny@2001-01-01", "tiny")


def test_revision_outside_git_is_a_clear_error(tmp_project: TmpProject) -> None:
    tmp_project.tiny(BASE)
    with pytest.raises(ProtocolError, match="is not in a git repository"):
        api.compare(tmp_project.project, "tiny@HEAD", "tiny")
