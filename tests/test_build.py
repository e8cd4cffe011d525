"""Parallel and incremental builds, sharding and progress output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COUNCILS, TmpProject

from protocolc import api
from protocolc import build as build_stage
from protocolc.cli import main


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def states(results) -> dict[str, str]:
    return {r.council_id: r.state for r in results}


def test_jobs_2_gives_the_same_outputs_and_results_as_jobs_1(project, tmp_path: Path) -> None:
    serial = api.build(project, COUNCILS, ["md", "html", "pdf"], tmp_path / "one", jobs=1)
    parallel = api.build(project, COUNCILS, ["md", "html", "pdf"], tmp_path / "two", jobs=2)
    assert [(r.council_id, r.state) for r in serial] == [(r.council_id, r.state) for r in parallel]
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_jobs_2_reports_failures_like_jobs_1(tmp_project: TmpProject, tmp_path: Path) -> None:
    tmp_project.tiny("changes:\n  - omit: councillors.equl\n")
    ids = ["hexham", "tiny", "mumbles"]
    one = api.build(tmp_project.project, ids, ["md"], tmp_path / "one", jobs=1)
    two = api.build(tmp_project.project, ids, ["md"], tmp_path / "two", jobs=2)
    assert states(one) == states(two) == {"hexham": "built", "tiny": "failed", "mumbles": "built"}
    assert [str(p) for p in one[1].error.problems] == [str(p) for p in two[1].error.problems]


def test_unchanged_councils_are_not_rebuilt(project, tmp_path: Path) -> None:
    first = api.build(project, COUNCILS, ["md", "html"], tmp_path)
    assert set(states(first).values()) == {"built"}
    before = {c: (tmp_path / c / "protocol.html").stat().st_mtime_ns for c in COUNCILS}
    second = api.build(project, COUNCILS, ["md", "html"], tmp_path)
    assert set(states(second).values()) == {"up to date"}
    assert {c: (tmp_path / c / "protocol.html").stat().st_mtime_ns for c in COUNCILS} == before


def test_changing_one_library_clause_rebuilds_exactly_the_councils_that_render_it(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    ids = tmp_project.project.council_ids()
    api.build(tmp_project.project, ids, ["md"], tmp_path)
    path = tmp_project.path("clauses/introduction.yaml")
    path.write_text(
        path.read_text(encoding="utf-8").replace("respect and courtesy", "respect, and courtesy"), encoding="utf-8"
    )
    users = {c for c in ids if "introduction.aim" in (tmp_path / c / "manifest.json").read_text(encoding="utf-8")}
    assert users == {"cottingham", "duston", "langport"}
    again = states(api.build(tmp_project.project, ids, ["md"], tmp_path))
    assert {c for c, s in again.items() if s == "built"} == users
    assert {c for c, s in again.items() if s == "up to date"} == set(ids) - users
    assert "respect, and courtesy" in (tmp_path / "duston" / "protocol.md").read_text(encoding="utf-8")


def test_changing_a_template_or_the_formats_rebuilds(tmp_project: TmpProject, tmp_path: Path) -> None:
    api.build(tmp_project.project, ["hexham", "mumbles"], ["md"], tmp_path)
    template = tmp_project.path("templates/protocol.md.j2")
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert set(states(api.build(tmp_project.project, ["hexham", "mumbles"], ["md"], tmp_path)).values()) == {"built"}
    assert set(states(api.build(tmp_project.project, ["hexham"], ["md", "html"], tmp_path)).values()) == {"built"}


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_damaged_outputs_are_rebuilt(project, tmp_path: Path, damage: str) -> None:
    api.build(project, ["hexham"], ["md", "html"], tmp_path)
    target = tmp_path / "hexham" / "protocol.html"
    if damage == "edit":
        target.write_text("<p>edited by hand</p>", encoding="utf-8")
    else:
        target.unlink()
    assert states(api.build(project, ["hexham"], ["md", "html"], tmp_path)) == {"hexham": "built"}
    assert "edited by hand" not in target.read_text(encoding="utf-8")


def test_force_rebuilds_everything(project, tmp_path: Path) -> None:
    api.build(project, COUNCILS, ["md"], tmp_path)
    assert set(states(api.build(project, COUNCILS, ["md"], tmp_path, force=True)).values()) == {"built"}


def test_manifest_records_the_inputs_key(project, tmp_path: Path) -> None:
    api.build(project, ["duston"], ["md"], tmp_path)
    manifest = json.loads((tmp_path / "duston" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs"]) == 64


def test_shards_cover_every_council_once_and_are_stable() -> None:
    ids = [f"council-{n:04d}" for n in range(1000)]
    shards = [build_stage.shard(ids, f"{k}/4") for k in range(1, 5)]
    assert sorted(c for s in shards for c in s) == ids
    assert all(180 < len(s) < 320 for s in shards)
    more = [*ids, "newtown"]
    assert [c for c in build_stage.shard(more, "2/4") if c != "newtown"] == shards[1]


@pytest.mark.parametrize("spec", ["0/4", "5/4", "a/b", "3"])
def test_bad_shard_is_refused(project, spec: str) -> None:
    result = CliRunner().invoke(main, ["--project", str(project.root), "build", "--all", "--shard", spec])
    assert result.exit_code == 1
    assert "error: " in result.output and "shard" in result.output


def test_plain_progress_when_piped_and_quiet(project, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--project", str(project.root), "build", "--all", "--format", "md", "-o", str(tmp_path)]
    first = runner.invoke(main, args)
    assert first.exit_code == 0
    assert first.stdout.splitlines()[-2] == "5 councils: 5 built"
    second = runner.invoke(main, args)
    assert second.stdout.splitlines() == [f"up to date {c}" for c in COUNCILS] + [
        "5 councils: 5 up to date",
        f"site: {tmp_path / 'index.html'}",
    ]
    quiet = runner.invoke(main, [*args, "--quiet", "--force"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_shard_option_builds_a_share(project, tmp_path: Path) -> None:
    runner = CliRunner()
    built = set()
    for k in (1, 2):
        result = runner.invoke(
            main,
            [
                "--project",
                str(project.root),
                "build",
                "--all",
                "--format",
                "md",
                "--shard",
                f"{k}/2",
                "-o",
                str(tmp_path / str(k)),
            ],
        )
        assert result.exit_code == 0, result.output
        built |= {p.name for p in (tmp_path / str(k)).iterdir()} if (tmp_path / str(k)).exists() else set()
    assert built == set(COUNCILS)
