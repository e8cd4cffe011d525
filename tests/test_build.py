"""Parallel and incremental builds, sharding and progress output."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COUNCILS, TmpProject

from protocolc import api
from protocolc import build as build_stage
from protocolc.cli import main
from protocolc.templating import PACKAGED


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def states(results) -> dict[str, str]:
    return {r.council_id: r.state for r in results}


STANDING_ORDERS_TYPE = """\
format: 1
title: Standing Orders
sections:
  - meetings
"""
MEETINGS = """\
id: meetings
heading: Meetings
clauses:
  - id: meetings.notice
    text: The {{ council }} gives three clear days' notice of its meetings.
"""
HEXHAM_STANDING_ORDERS = """\
format: 1
numbering:
  levels: ["1.", "1.1", "a)"]
versions:
  - version: "2"
    adopted: 2023-05-10
    review_by: 2026-05
"""


def add_standing_orders(tmp_project: TmpProject) -> None:
    """A second document type, clauses/standing-orders/, and Hexham's copy of it: Hexham keeps two documents."""
    tmp_project.write("clauses/standing-orders/document.yaml", STANDING_ORDERS_TYPE)
    tmp_project.write("clauses/standing-orders/meetings.yaml", MEETINGS)
    tmp_project.write("councils/hexham/standing-orders.yaml", HEXHAM_STANDING_ORDERS)


def test_a_council_name_builds_all_its_documents_and_a_document_name_one(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    add_standing_orders(tmp_project)
    both = api.build(tmp_project.project, ["hexham", "mumbles"], ["md"], tmp_path / "all")
    assert [(r.name, r.state) for r in both] == [
        ("hexham/protocol", "built"),
        ("hexham/standing-orders", "built"),
        ("mumbles/protocol", "built"),
    ]
    orders = (tmp_path / "all" / "hexham" / "standing-orders.md").read_text(encoding="utf-8")
    assert "# Standing Orders" in orders and "**1.1** The Council gives three clear days' notice" in orders
    assert sorted(p.name for p in (tmp_path / "all" / "hexham").iterdir()) == [
        "protocol.manifest.json",
        "protocol.md",
        "standing-orders.manifest.json",
        "standing-orders.md",
    ]

    [one] = api.build(tmp_project.project, ["hexham/standing-orders"], ["md"], tmp_path / "one")
    assert (one.council_id, one.document_id, one.state) == ("hexham", "standing-orders", "built")
    assert sorted(p.name for p in (tmp_path / "one" / "hexham").iterdir()) == [
        "standing-orders.manifest.json",
        "standing-orders.md",
    ]
    [protocol] = api.build(tmp_project.project, ["hexham/protocol"], ["md"], tmp_path / "protocol")
    assert (protocol.name, protocol.state) == ("hexham/protocol", "built")
    assert sorted(p.name for p in (tmp_path / "protocol" / "hexham").iterdir()) == [
        "protocol.manifest.json",
        "protocol.md",
    ]
    again = api.build(tmp_project.project, ["hexham", "hexham/protocol"], ["md"], tmp_path / "all")
    assert [(r.name, r.state) for r in again] == [
        ("hexham/protocol", "up to date"),
        ("hexham/standing-orders", "up to date"),
    ]


def test_build_warnings_travel_with_the_results(tmp_project: TmpProject, tmp_path: Path) -> None:
    tmp_project.tiny()
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\nclerk: yes\n")
    for jobs in (1, 2):  # from worker processes too
        results = api.build(tmp_project.project, ["hexham", "tiny"], ["md"], tmp_path / str(jobs), jobs=jobs)
        hexham, tiny = results
        assert [r.state for r in results] == ["built", "built"] and hexham.warnings == ()
        assert [(str(p.source), p.message, p.severity) for p in tiny.warnings] == [
            (
                "councils/tiny/council.yaml:3:8",
                "clerk yes is not in quotes: other YAML tools read it as bool True",
                "warning",
            )
        ]
    [up_to_date] = api.build(tmp_project.project, ["tiny"], ["md"], tmp_path / "1")
    assert up_to_date.state == "up to date" and [p.message for p in up_to_date.warnings] == [
        p.message for p in tiny.warnings
    ]


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


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_broken_council_file_fails_that_council_and_the_others_still_build(
    tmp_project: TmpProject, tmp_path: Path, jobs: int
) -> None:
    council_file = tmp_project.path("councils/hexham/council.yaml")
    council_file.write_text(council_file.read_text(encoding="utf-8").replace("name:", "nme:", 1), encoding="utf-8")
    out = tmp_path / "build"
    result = CliRunner().invoke(
        main, ["--project", str(tmp_project.root), "build", "--all", "--format", "md", "-o", str(out), "-j", str(jobs)]
    )
    assert result.exit_code == 1
    assert "councils/hexham/council.yaml:" in result.output and "unknown key 'nme'" in result.output
    assert "1 failed: hexham/protocol" in result.output
    assert not (out / "hexham").exists()
    assert all((out / c / "protocol.md").is_file() for c in COUNCILS if c != "hexham")


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
    path = tmp_project.path("clauses/protocol/introduction.yaml")
    path.write_text(
        path.read_text(encoding="utf-8").replace("respect and courtesy", "respect, and courtesy"), encoding="utf-8"
    )
    manifests = {c: (tmp_path / c / "protocol.manifest.json").read_text(encoding="utf-8") for c in ids}
    users = {c for c, text in manifests.items() if "introduction.aim" in text}
    assert users == {"cottingham", "duston", "langport"}
    again = states(api.build(tmp_project.project, ids, ["md"], tmp_path))
    assert {c for c, s in again.items() if s == "built"} == users
    assert {c for c, s in again.items() if s == "up to date"} == set(ids) - users
    # The adopted text stays as adopted; the edit shows in the draft beside it.
    assert "respect, and courtesy" not in (tmp_path / "duston" / "protocol.md").read_text(encoding="utf-8")
    assert "respect, and courtesy" in (tmp_path / "duston" / "protocol.draft.md").read_text(encoding="utf-8")


def override_template(tmp_project: TmpProject, name: str, tail: str) -> Path:
    """The project's own templates/<name>: the packaged template with `tail` added."""
    packaged = (PACKAGED / name).read_text(encoding="utf-8")
    return tmp_project.write(f"templates/{name}", packaged + tail)


def test_changing_a_template_or_the_formats_rebuilds(tmp_project: TmpProject, tmp_path: Path) -> None:
    api.build(tmp_project.project, ["hexham", "mumbles"], ["md"], tmp_path)
    override_template(tmp_project, "protocol.md.j2", "\n")
    assert set(states(api.build(tmp_project.project, ["hexham", "mumbles"], ["md"], tmp_path)).values()) == {"built"}
    assert set(states(api.build(tmp_project.project, ["hexham"], ["md", "html"], tmp_path)).values()) == {"built"}
    assert set(states(api.build(tmp_project.project, ["hexham"], ["md", "html"], tmp_path)).values()) == {"up to date"}


def test_editing_the_markdown_template_renders_the_markdown_again_and_nothing_else(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    formats = ["md", "html", "pdf"]
    [first] = api.build(tmp_project.project, ["hexham/protocol"], formats, tmp_path)
    assert first.state == "built"
    folder = tmp_path / "hexham"
    manifest_path = folder / "protocol.manifest.json"
    before = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert list(before["inputs"]) == formats
    stamps = {name: (folder / name).stat().st_mtime_ns for name in ("protocol.html", "protocol.pdf")}
    pdf = (folder / "protocol.pdf").read_bytes()

    override_template(tmp_project, "protocol.md.j2", "\nThis copy is kept by the Town Clerk.\n")
    [again] = api.build(tmp_project.project, ["hexham/protocol"], formats, tmp_path)
    assert again.state == "built"
    assert [p.name for p in again.written] == ["protocol.md", "protocol.manifest.json"]
    assert "This copy is kept by the Town Clerk." in (folder / "protocol.md").read_text(encoding="utf-8")
    assert {name: (folder / name).stat().st_mtime_ns for name in stamps} == stamps
    assert (folder / "protocol.pdf").read_bytes() == pdf

    after = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert after["inputs"]["md"] != before["inputs"]["md"]
    assert {f: after["inputs"][f] for f in ("html", "pdf")} == {f: before["inputs"][f] for f in ("html", "pdf")}
    for name, digest in after["outputs"].items():  # the manifest still vouches for the outputs it kept
        assert digest == hashlib.sha256((folder / name).read_bytes()).hexdigest(), name
    assert after["outputs"]["protocol.pdf"] == before["outputs"]["protocol.pdf"]
    assert states(api.build(tmp_project.project, ["hexham/protocol"], formats, tmp_path)) == {"hexham": "up to date"}


def test_editing_the_stylesheet_renders_html_and_pdf_again_but_not_markdown(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    formats = ["md", "html", "pdf"]
    api.build(tmp_project.project, ["mumbles"], formats, tmp_path)
    markdown = tmp_path / "mumbles" / "protocol.md"
    stamp = markdown.stat().st_mtime_ns
    override_template(tmp_project, "protocol.css", "\nh1 { letter-spacing: 0.01em; }\n")
    [result] = api.build(tmp_project.project, ["mumbles"], formats, tmp_path)
    assert [p.name for p in result.written] == ["protocol.html", "protocol.pdf", "protocol.manifest.json"]
    assert "letter-spacing: 0.01em" in (tmp_path / "mumbles" / "protocol.html").read_text(encoding="utf-8")
    assert markdown.stat().st_mtime_ns == stamp


def test_a_project_template_overrides_the_packaged_one_file_by_file(tmp_project: TmpProject, tmp_path: Path) -> None:
    packaged = api.build(tmp_project.project, ["duston"], ["md", "html"], tmp_path / "packaged")
    assert [r.state for r in packaged] == ["built"]
    own = override_template(tmp_project, "protocol.md.j2", "\nPrinted from the Parish Office copy.\n")
    templates = tmp_project.workspace().templates
    assert templates.path("protocol.md.j2") == own
    assert templates.path("protocol.html.j2") == PACKAGED / "protocol.html.j2"
    assert templates.path("protocol.css") == PACKAGED / "protocol.css"

    api.build(tmp_project.project, ["duston"], ["md", "html"], tmp_path / "own")
    before, after = files_of(tmp_path / "packaged" / "duston"), files_of(tmp_path / "own" / "duston")
    assert after["protocol.md"] == before["protocol.md"] + b"\nPrinted from the Parish Office copy.\n"
    assert after["protocol.html"] == before["protocol.html"]  # still the packaged HTML template and stylesheet


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
    manifest = json.loads((tmp_path / "duston" / "protocol.manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["inputs"]) == ["md"]
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["inputs"]["md"])


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
    assert first.stdout.splitlines()[-2] == "5 documents: 5 built"
    second = runner.invoke(main, args)
    assert second.stdout.splitlines() == [f"up to date {c}/protocol" for c in COUNCILS] + [
        "5 documents: 5 up to date",
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


def test_a_build_clears_what_a_killed_build_left_but_not_through_a_link_out(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    (out / "hexham").mkdir(parents=True)
    left = out / "hexham" / ".protocol.md.x8d2k1.tmp"
    left.write_text("half a file", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = elsewhere / ".protocol.md.a1b2c3.tmp"
    theirs.write_text("not protocolc's to remove", encoding="utf-8")
    (out / "mumbles").symlink_to(elsewhere, target_is_directory=True)
    results = api.build(tmp_project.project, ["hexham", "mumbles"], ["md"], out, jobs=1)
    assert not left.exists()
    assert theirs.exists()
    assert states(results) == {"hexham": "built", "mumbles": "failed"}  # outputs are never written through a link
