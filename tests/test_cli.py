"""cli.py through click's CliRunner: exit statuses, messages as the clerk sees them, and never a traceback."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import TmpProject, line_of
from test_build import add_standing_orders

from protocolc.cli import main

COUNCILS = ["cottingham", "duston", "hexham", "langport", "mumbles"]


def run(*args: str, project: Path | None = None, cwd: Path | None = None) -> Result:
    """Invoke the CLI (from `cwd` if given); a crash (any exception but click's SystemExit) fails the test."""
    argv = (["--project", str(project)] if project is not None else []) + list(args)
    with contextlib.chdir(cwd or Path.cwd()):
        result = CliRunner().invoke(main, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"protocolc {' '.join(argv)} crashed") from result.exception
    assert "Traceback" not in result.output
    return result


# --- build ---------------------------------------------------------------------------------------------------


def test_build_one_council(project, tmp_path: Path):
    result = run("build", "hexham", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "hexham"
    assert sorted(p.name for p in folder.iterdir()) == [
        "protocol.html",
        "protocol.manifest.json",
        "protocol.md",
        "protocol.pdf",
    ]
    assert all(p.stat().st_size > 0 for p in folder.iterdir())
    assert result.stdout.startswith("built hexham/protocol: ")
    assert result.stdout.rstrip().endswith(
        "/hexham/ (protocol.md, protocol.html, protocol.pdf, protocol.manifest.json)"
    )
    assert len(result.stdout.splitlines()) == 1  # one document: no summary line
    assert result.stderr == ""


def test_build_all_markdown_only(project, tmp_path: Path):
    result = run("build", "--all", "--format", "md", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [*COUNCILS[:3], "index.html", *COUNCILS[3:]]
    for council_id in COUNCILS:
        assert sorted(p.name for p in (tmp_path / council_id).iterdir()) == ["protocol.manifest.json", "protocol.md"]
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-2]] == [f"built {c}/protocol" for c in COUNCILS]
    assert lines[-2:] == ["5 documents: 5 built", f"site: {tmp_path / 'index.html'}"]


def test_build_two_formats(project, tmp_path: Path):
    result = run("build", "duston", "mumbles", "--format", "md,html", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "mumbles").iterdir()) == [
        "protocol.html",
        "protocol.manifest.json",
        "protocol.md",
    ]


def test_a_council_name_builds_all_its_documents_a_document_name_one(tmp_project: TmpProject, tmp_path: Path):
    add_standing_orders(tmp_project)
    result = run("build", "hexham", "--format", "md", "-o", "out", project=tmp_project.root, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "built hexham/protocol: out/hexham/ (protocol.md, protocol.manifest.json)",
        "built hexham/standing-orders: out/hexham/ (standing-orders.md, standing-orders.manifest.json)",
        "2 documents: 2 built",
    ]
    assert (
        (tmp_path / "out" / "hexham" / "standing-orders.md")
        .read_text(encoding="utf-8")
        .startswith("Hexham Town Council\n\n# Standing Orders\n")
    )

    result = run(
        "build", "hexham/standing-orders", "--format", "md", "-o", "one", project=tmp_project.root, cwd=tmp_path
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == "built hexham/standing-orders: one/hexham/ (standing-orders.md, standing-orders.manifest.json)\n"
    )
    assert sorted(p.name for p in (tmp_path / "one" / "hexham").iterdir()) == [
        "standing-orders.manifest.json",
        "standing-orders.md",
    ]

    result = run("build", "hexham/protocol", "--format", "md", "-o", "one", project=tmp_project.root, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "built hexham/protocol: one/hexham/ (protocol.md, protocol.manifest.json)\n"
    assert len(list((tmp_path / "one" / "hexham").iterdir())) == 4  # the two files of each document

    result = run("build", "hexham/standing-order", "-o", "one", project=tmp_project.root, cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: council 'hexham' has no document 'standing-order' (did you mean 'standing-orders'?)"
    ]

    listed = run("list", project=tmp_project.root)
    assert listed.exit_code == 0, listed.output
    documents = [line.split()[0] for line in listed.stdout.splitlines()[1:]]
    assert documents[documents.index("hexham/protocol") + 1] == "hexham/standing-orders"
    row = next(line for line in listed.stdout.splitlines() if line.startswith("hexham/standing-orders "))
    assert re.fullmatch(r"hexham/standing-orders\s+Hexham Town Council\s+2\s+10 May 2023\s+May 2026", row)


def test_build_warnings_are_printed_and_do_not_fail_the_build(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny()
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\nclerk: yes\n")
    warning = [
        "councils/tiny/council.yaml:3:8: warning: clerk yes is not in quotes: other YAML tools read it as bool True",
        '  hint: write it in quotes: "yes"',
    ]
    for jobs in ("1", "2"):
        result = run(
            "build",
            "tiny",
            "hexham",
            "--format",
            "md",
            "-j",
            jobs,
            "-o",
            str(tmp_path / jobs),
            project=tmp_project.root,
        )
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == warning
        assert result.stdout.splitlines()[-1] == "2 documents: 2 built"
    again = run("build", "tiny", "--format", "md", "-o", str(tmp_path / "1"), project=tmp_project.root)
    assert again.exit_code == 0 and again.stdout == "up to date tiny/protocol\n"
    assert again.stderr.splitlines() == warning  # a warning stays until it is fixed, built or not
    quiet = run("build", "tiny", "--format", "md", "-q", "-o", str(tmp_path / "1"), project=tmp_project.root)
    assert quiet.stdout == "" and quiet.stderr.splitlines() == warning


def test_misspelt_council_suggests(project, tmp_path: Path):
    result = run("build", "hexam", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 1
    assert "no council 'hexam' in councils/ (did you mean 'hexham'?)" in result.output
    assert result.stderr.splitlines() == ["error: no council 'hexam' in councils/ (did you mean 'hexham'?)"]
    assert list(tmp_path.iterdir()) == []


def test_path_as_council_is_refused(project, tmp_path: Path):
    for bad in ("../../etc", "/etc/passwd", "hexham.yaml", "Hexham", "hexham/../duston", "hexham/Protocol"):
        result = run("build", bad, "-o", str(tmp_path), project=project.root)
        assert result.exit_code == 1, bad
        assert result.stderr.splitlines() == [
            f"error: '{bad}' is not a council or document name",
            "  hint: name a council (a folder of councils/, in lower case letters, digits and '-', e.g. hexham)"
            " or one of its documents: hexham/protocol",
        ]
    assert list(tmp_path.iterdir()) == []


def test_build_without_councils_is_a_usage_error(project):
    result = run("build", project=project.root)
    assert result.exit_code == 2
    assert "name one or more councils, or give --all" in result.output


def test_build_names_and_all_is_a_usage_error(project):
    result = run("build", "hexham", "--all", project=project.root)
    assert result.exit_code == 2
    assert "give council names or --all, not both" in result.output


@pytest.mark.parametrize("formats", ["odt", "md,odt", ",", ""])
def test_unknown_format_is_a_usage_error(project, tmp_path: Path, formats: str):
    result = run("build", "hexham", "--format", formats, "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 2
    assert "give one or more of md, html, pdf, docx" in result.output
    assert list(tmp_path.iterdir()) == []


def test_failing_council_prints_file_line_column_and_hint(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny("changes:\n  - omit: councillors.equl\n")
    result = run("build", "tiny", "--format", "md", "-o", str(tmp_path), project=tmp_project.root)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "councils/tiny/protocol.yaml:7:5: error: no section, clause or item 'councillors.equl'"
    assert re.fullmatch(r"  hint: did you mean 'councillors\.equal'.*\?", lines[1])
    assert len(lines) == 2
    assert result.stdout == ""


def test_one_failing_council_does_not_stop_the_others(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny("changes:\n  - omit: councillors.equl\n")
    out = tmp_path / "out"
    result = run("build", "--all", "--format", "md", "-o", str(out), project=tmp_project.root)
    assert result.exit_code == 1
    assert "6 documents: 5 built, 1 failed: tiny/protocol" in result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == COUNCILS
    assert result.stdout.count("built ") == 5


def test_text_that_fails_while_rendering_is_reported_not_a_crash(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny('changes:\n  - replace: officers.role\n    text: "{{ 1 / 0 }}"\n')
    result = run("build", "tiny", "--format", "md", "-o", str(tmp_path), project=tmp_project.root)
    assert result.exit_code == 1
    assert result.stderr.startswith("councils/tiny/protocol.yaml:8:11: error: ")


def test_broken_yaml_is_reported(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.council_file("tiny", "name: Tiny\n\tkind: parish\n")
    result = run("build", "tiny", "-o", str(tmp_path), project=tmp_project.root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "councils/tiny/council.yaml:2:1: error: invalid YAML: found character '\\t' that cannot start any token",
        "  hint: YAML does not allow tab characters for indentation: use spaces",
    ]


def test_broken_library_is_reported_for_build_list_and_stats(tmp_project: TmpProject, tmp_path: Path):
    index = tmp_project.path("clauses/protocol/document.yaml")
    index.write_text(index.read_text(encoding="utf-8").replace("  - problems\n", "  - problem\n"), encoding="utf-8")
    line = line_of(index, "  - problem")
    for args in (["build", "hexham", "-o", str(tmp_path)], ["list"], ["stats"]):
        result = run(*args, project=tmp_project.root)
        assert result.exit_code == 1, args
        assert result.stderr.splitlines() == [
            f"clauses/protocol/document.yaml:{line}:5: error: no file clauses/protocol/problem.yaml"
            " for section 'problem'",
            "  hint: did you mean 'problems'?",
        ]


# --- list and stats ------------------------------------------------------------------------------------------


def test_list_prints_a_row_per_council(project):
    result = run("list", project=project.root)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["document", "council", "version", "adopted", "review", "by"]
    assert [line.split()[0] for line in lines[1:]] == [f"{c}/protocol" for c in COUNCILS]
    rows = {line.split()[0].split("/")[0]: line for line in lines[1:]}
    assert re.fullmatch(r"hexham/protocol\s+Hexham Town Council\s+1\.0\s+December 2020\s+December 2023", rows["hexham"])
    assert re.fullmatch(r"duston/protocol\s+Duston Parish Council\s+167/23\s+2 March 2023\s+March 2028", rows["duston"])
    assert re.fullmatch(r"mumbles/protocol\s+Mumbles Community Council\s+1\.0\s+not recorded\s+-", rows["mumbles"])


def test_stats_prints_the_overall_share(project):
    result = run("stats", project=project.root)
    assert result.exit_code == 0, result.output
    overall = re.search(r"^\s+overall\s+(\d+)\s+(\d+)\s+(\d+\.\d)%\s+\d+$", result.stdout, re.MULTILINE)
    assert overall, result.stdout
    words, shared, percent = int(overall[1]), int(overall[2]), float(overall[3])
    assert 0 < shared < words
    assert percent == round(100 * shared / words, 1)
    for council_id in COUNCILS:
        assert re.search(rf"^\s+{council_id}\s+\d+\s+\d+\s+\d+\.\d%\s+\d+$", result.stdout, re.MULTILINE)
    assert re.search(r"^Library candidates: \d+ ", result.stdout, re.MULTILINE)


# --- finding the project -------------------------------------------------------------------------------------


def test_project_without_councils_folder(tmp_path: Path):
    result = run("list", project=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path} is not a protocolc project: it has no councils/ folder",
        "  hint: point --project at the folder that holds clauses/, councils/ and templates/",
    ]


def test_no_project_above_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = run("list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no protocolc project here: neither ")


def test_runs_from_a_subfolder_of_the_project(project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project.root / "clauses")
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "hexham" in result.stdout
    result = run("build", "langport", "--format", "md", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "langport" / "protocol.md").is_file()


def test_output_path_is_shown_relative_to_the_current_folder(project, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build", "mumbles", "--format", "md", "-o", "out", project=project.root)
    assert result.exit_code == 0, result.output
    assert result.stdout == "built mumbles/protocol: out/mumbles/ (protocol.md, protocol.manifest.json)\n"


# --- help ----------------------------------------------------------------------------------------------------


def test_every_command_has_help_with_an_example():
    assert isinstance(main, click.Group)
    for args in ([], *([name] for name in main.commands)):
        result = run(*args, "--help")
        assert result.exit_code == 0, args
        assert "Example" in result.stdout, args
        assert "Usage: " in result.stdout


def test_help_lists_every_command():
    result = run("--help")
    for name in ("build", "list", "stats"):
        assert re.search(rf"^\s+{name}\s", result.stdout, re.MULTILINE), name


def test_version_option():
    result = run("--version")
    assert result.exit_code == 0
    assert re.search(r"\d+\.\d+", result.stdout)
