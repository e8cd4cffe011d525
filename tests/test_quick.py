"""The first check of a build (protocolc/quick.py): nothing up to date is even resolved, nothing stale is kept.

Every test builds twice and looks at what the second build did: which documents it called up to date,
which it rendered again, and whether it needed the library at all. The cache lives outside the output
folder (PROTOCOLC_CACHE, set per test), so outputs and manifests stay reproducible.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TmpProject

from protocolc import api, quick
from protocolc import build as build_stage
from protocolc import workspace as workspace_module
from protocolc.errors import ProtocolError

IDS = ["cottingham", "duston", "hexham", "langport", "mumbles"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PROTOCOLC_CACHE", str(folder))
    return folder


def states(results: list[build_stage.DocumentResult]) -> dict[str, str]:
    return {r.name: r.state for r in results}


class LibraryLoaded(Exception):
    pass


def refuse_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, opening a workspace (loading the library) fails the test: the first check must decide alone."""

    def refuse(project: object) -> None:
        raise LibraryLoaded

    monkeypatch.setattr(workspace_module.Workspace, "open", refuse)


def test_a_noop_build_is_decided_without_the_library(tmp_project: TmpProject, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    assert set(states(api.build(tmp_project.project, None, ["md", "html"], out, site=True)).values()) == {"built"}
    refuse_library(monkeypatch)
    again = api.build(tmp_project.project, None, ["md", "html"], out, site=True)
    assert states(again) == {f"{c}/protocol": "up to date" for c in IDS}
    with pytest.raises(LibraryLoaded):  # another set of formats is not vouched for
        api.build(tmp_project.project, None, ["md"], out)


def test_editing_a_council_file_rebuilds_that_council_only(tmp_project: TmpProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.build(tmp_project.project, None, ["md"], out)
    path = tmp_project.path("councils/hexham/council.yaml")
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    again = states(api.build(tmp_project.project, None, ["md"], out))
    # the council's file changed, so it is checked the thorough way: its resolved document did not change
    assert again == {f"{c}/protocol": "up to date" for c in IDS}
    path.write_text(path.read_text(encoding="utf-8").replace("Hexham", "Hexhamshire"), encoding="utf-8")
    again = states(api.build(tmp_project.project, None, ["md"], out))
    assert {n for n, s in again.items() if s == "built"} == {"hexham/protocol"}
    # hexham has an adopted snapshot: the edited sources are published as its draft
    assert "Hexhamshire" in (out / "hexham" / "protocol.draft.md").read_text(encoding="utf-8")


def test_a_readme_or_another_document_types_file_rebuilds_nothing(
    tmp_project: TmpProject, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "out"
    api.build(tmp_project.project, None, ["md", "html"], out)
    tmp_project.write("README.md", "# Our councils\n")
    tmp_project.write("clauses/notes.txt", "not read by any document type\n")
    refuse_library(monkeypatch)
    assert set(states(api.build(tmp_project.project, None, ["md", "html"], out)).values()) == {"up to date"}


def test_a_markdown_template_edit_never_renders_a_pdf(tmp_project: TmpProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    [first] = api.build(tmp_project.project, ["mumbles"], ["md", "html", "pdf"], out)
    pdf = out / "mumbles" / "protocol.pdf"
    stamp = pdf.stat().st_mtime_ns
    packaged = (quick.PACKAGED_TEMPLATES / "protocol.md.j2").read_text(encoding="utf-8")
    tmp_project.write("templates/protocol.md.j2", packaged + "\nKept at the Parish Office.\n")
    [again] = api.build(tmp_project.project, ["mumbles"], ["md", "html", "pdf"], out)
    assert [p.name for p in again.written] == ["protocol.md", "protocol.manifest.json"]
    assert pdf.stat().st_mtime_ns == stamp
    [third] = api.build(tmp_project.project, ["mumbles"], ["md", "html", "pdf"], out)
    assert third.state == "up to date"


@pytest.mark.parametrize("damage", ["same size", "deleted", "manifest deleted"])
def test_a_touched_output_is_rebuilt(tmp_project: TmpProject, tmp_path: Path, damage: str) -> None:
    out = tmp_path / "out"
    api.build(tmp_project.project, ["duston"], ["md", "html"], out)
    target = out / "duston" / ("protocol.manifest.json" if damage.startswith("manifest") else "protocol.md")
    good = target.read_bytes()
    if damage.endswith("deleted"):
        target.unlink()
    else:  # same length: only the file's change time gives it away
        target.write_bytes(good.replace(b"Duston", b"DUSTON", 1))
    [again] = api.build(tmp_project.project, ["duston"], ["md", "html"], out)
    assert again.state == "built"
    assert target.read_bytes() == good


@pytest.mark.parametrize("cache", ["garbage", "empty", "another scheme", "missing"])
def test_a_damaged_cache_only_costs_time(tmp_project: TmpProject, tmp_path: Path, own_cache: Path, cache: str) -> None:
    out = tmp_path / "out"
    api.build(tmp_project.project, None, ["md"], out)
    [path] = list(own_cache.iterdir())
    path.write_text({"garbage": "{not json", "empty": "", "another scheme": '{"scheme": "x"}'}.get(cache, ""))
    if cache == "missing":
        path.unlink()
    (out / "hexham" / "protocol.md").write_text("edited", encoding="utf-8")
    again = states(api.build(tmp_project.project, None, ["md"], out))
    assert {n for n, s in again.items() if s == "built"} == {"hexham/protocol"}
    assert set(states(api.build(tmp_project.project, None, ["md"], out)).values()) == {"up to date"}


def test_a_document_with_warnings_is_always_checked_again(tmp_project: TmpProject, tmp_path: Path) -> None:
    """Its warnings must be shown on every build, so the first check never vouches for it."""
    out = tmp_path / "out"
    tmp_project.tiny()
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\nclerk: yes\n")
    [first] = api.build(tmp_project.project, ["tiny"], ["md"], out)
    assert [p.message for p in first.warnings] == ["clerk yes is not in quotes: other YAML tools read it as bool True"]
    [again] = api.build(tmp_project.project, ["tiny"], ["md"], out)
    assert again.state == "up to date" and again.warnings == first.warnings


def test_a_noop_build_all_starts_no_worker_and_imports_no_weasyprint(tmp_project: TmpProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = (
        "import sys; from protocolc.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "print('weasyprint' in sys.modules, 'multiprocessing.pool' in sys.modules or"
        " 'concurrent.futures.process' in sys.modules, code)\n"
    )
    args = ["--project", str(tmp_project.root), "build", "--all", "-o", str(out), "-q", "-j", "2"]
    env = {**os.environ}
    first = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    assert first.stdout.split() == ["True", "True", "0"], first.stderr
    again = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    assert again.stdout.split() == ["False", "False", "0"], again.stderr


def test_the_thorough_check_agrees_across_processes(tmp_project: TmpProject, tmp_path: Path) -> None:
    """A build in a new process (another string hash seed) finds the outputs of the last one up to date.

    The first check's cache is removed in between, so it is the resolved document's fingerprint that decides.
    The tiny council has no adopted snapshot: its document is resolved from the sources, with every fact it uses.
    """
    tmp_project.tiny()
    out = tmp_path / "out"
    script = (
        "import sys; from pathlib import Path; from protocolc import api; from protocolc.project import Project; "
        "r = api.build(Project(Path(sys.argv[1])), None, ['md', 'html'], Path(sys.argv[2]), site=True); "
        "print(sorted({x.state for x in r}))"
    )
    states_seen = []
    for seed in ("1", "2"):
        cache = tmp_path / f"cache-{seed}"  # a cold first check each time
        env = {**os.environ, "PYTHONHASHSEED": seed, "PROTOCOLC_CACHE": str(cache)}
        args = [sys.executable, "-c", script, str(tmp_project.root), str(out)]
        done = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
        states_seen.append(done.stdout.strip())
    assert states_seen == ["['built']", "['up to date']"]


def test_an_edit_that_keeps_size_and_time_is_still_seen(tmp_project: TmpProject, tmp_path: Path) -> None:
    """Files found unchanged are trusted by their size and times; an edit that restores both is still caught."""
    out = tmp_path / "out"
    tmp_project.tiny()
    api.build(tmp_project.project, ["tiny"], ["md"], out)
    path = tmp_project.path("councils/tiny/council.yaml")
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "Tiny" in text
    path.write_text(text.replace("Tiny", "Tidy", 1), encoding="utf-8")  # the same number of bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again = api.build(tmp_project.project, ["tiny"], ["md"], out)
    assert states(again) == {"tiny/protocol": "built"}
    assert "Tidy" in (out / "tiny" / "protocol.md").read_text(encoding="utf-8")


def test_documents_resolved_in_workers_are_those_resolved_here(tmp_project: TmpProject) -> None:
    """`stats` resolves every council in worker processes: the same documents, and the same first error."""
    for n in range(build_stage.RESOLVE_IN_WORKERS_FROM):
        tmp_project.tiny(council_id=f"tiny-{n:02d}")
    workspace = tmp_project.workspace()
    pairs = workspace.names(None)
    assert len(pairs) > build_stage.RESOLVE_IN_WORKERS_FROM
    assert build_stage.resolve_many(workspace, pairs, jobs=2) == build_stage.resolve_many(workspace, pairs, jobs=1)
    tmp_project.tiny("sections: [no-such-section]\n", council_id="tiny-07")
    tmp_project.tiny("sections: [another-missing-one]\n", council_id="tiny-31")
    errors = []
    for jobs in (1, 2):
        with pytest.raises(ProtocolError) as caught:
            build_stage.resolve_many(tmp_project.workspace(), pairs, jobs=jobs)
        errors.append([str(p) for p in caught.value.problems])
    assert errors[0] == errors[1]
    assert "tiny-07" in errors[0][0]
