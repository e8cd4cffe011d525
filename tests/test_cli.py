"""cli.py through click's CliRunner: exit statuses, messages as the clerk sees them, and never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import TmpProject

from protocolc.cli import main

COUNCILS = ["cottingham", "duston", "hexham", "langport", "mumbles"]


def run(*args: str, project: Path | None = None) -> Result:
    """Invoke the CLI; a crash (any exception but the SystemExit click uses for exit codes) fails the test."""
    argv = (["--project", str(project)] if project is not None else []) + list(args)
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
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "protocol.html", "protocol.md", "protocol.pdf"]
    assert all(p.stat().st_size > 0 for p in folder.iterdir())
    assert result.stdout.startswith("built hexham: ")
    assert result.stdout.rstrip().endswith("/hexham/ (protocol.md, protocol.html, protocol.pdf, manifest.json)")
    assert result.stderr == ""


def test_build_all_markdown_only(project, tmp_path: Path):
    result = run("build", "--all", "--format", "md", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [*COUNCILS[:3], "index.html", *COUNCILS[3:]]
    for council_id in COUNCILS:
        assert sorted(p.name for p in (tmp_path / council_id).iterdir()) == ["manifest.json", "protocol.md"]
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-2]] == [f"built {c}" for c in COUNCILS]
    assert lines[-2:] == ["5 councils: 5 built", f"site: {tmp_path / 'index.html'}"]


def test_build_two_formats(project, tmp_path: Path):
    result = run("build", "duston", "mumbles", "--format", "md,html", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "mumbles").iterdir()) == ["manifest.json", "protocol.html", "protocol.md"]


def test_misspelt_council_suggests(project, tmp_path: Path):
    result = run("build", "hexam", "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 1
    assert "no council 'hexam' in councils/ (did you mean 'hexham'?)" in result.output
    assert result.stderr.splitlines() == ["error: no council 'hexam' in councils/ (did you mean 'hexham'?)"]
    assert list(tmp_path.iterdir()) == []


def test_path_as_council_is_refused(project, tmp_path: Path):
    for bad in ("../../etc", "/etc/passwd", "hexham.yaml", "Hexham"):
        result = run("build", bad, "-o", str(tmp_path), project=project.root)
        assert result.exit_code == 1, bad
        assert f"error: '{bad}' is not a council id" in result.stderr
        assert "hint: a council id is the name of a file in councils/" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_build_without_councils_is_a_usage_error(project):
    result = run("build", project=project.root)
    assert result.exit_code == 2
    assert "name one or more councils, or give --all" in result.output


def test_build_names_and_all_is_a_usage_error(project):
    result = run("build", "hexham", "--all", project=project.root)
    assert result.exit_code == 2
    assert "give council names or --all, not both" in result.output


@pytest.mark.parametrize("formats", ["docx", "md,docx", ",", ""])
def test_unknown_format_is_a_usage_error(project, tmp_path: Path, formats: str):
    result = run("build", "hexham", "--format", formats, "-o", str(tmp_path), project=project.root)
    assert result.exit_code == 2
    assert "give one or more of md, html, pdf" in result.output
    assert list(tmp_path.iterdir()) == []


def test_failing_council_prints_file_line_column_and_hint(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny("changes:\n  - omit: councillors.equl\n")
    result = run("build", "tiny", "--format", "md", "-o", str(tmp_path), project=tmp_project.root)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "councils/tiny.yaml:11:5: error: no section, clause or item 'councillors.equl'"
    assert re.fullmatch(r"  hint: did you mean 'councillors\.equal'.*\?", lines[1])
    assert len(lines) == 2
    assert result.stdout == ""


def test_one_failing_council_does_not_stop_the_others(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny("changes:\n  - omit: councillors.equl\n")
    out = tmp_path / "out"
    result = run("build", "--all", "--format", "md", "-o", str(out), project=tmp_project.root)
    assert result.exit_code == 1
    assert "6 councils: 5 built, 1 failed: tiny" in result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == COUNCILS
    assert result.stdout.count("built ") == 5


def test_text_that_fails_while_rendering_is_reported_not_a_crash(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.tiny('changes:\n  - replace: officers.role\n    text: "{{ 1 / 0 }}"\n')
    result = run("build", "tiny", "--format", "md", "-o", str(tmp_path), project=tmp_project.root)
    assert result.exit_code == 1
    assert result.stderr.startswith("councils/tiny.yaml:12:11: error: ")


def test_broken_yaml_is_reported(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.council_file("tiny", "name: Tiny\n\tkind: parish\n")
    result = run("build", "tiny", "-o", str(tmp_path), project=tmp_project.root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "councils/tiny.yaml:2:1: error: invalid YAML: found character '\\t' that cannot start any token",
        "  hint: YAML does not allow tab characters for indentation: use spaces",
    ]


def test_broken_library_is_reported_for_build_list_and_stats(tmp_project: TmpProject, tmp_path: Path):
    index = tmp_project.path("clauses/library.yaml")
    index.write_text(index.read_text(encoding="utf-8").replace("  - problems\n", "  - problem\n"), encoding="utf-8")
    for args in (["build", "hexham", "-o", str(tmp_path)], ["list"], ["stats"]):
        result = run(*args, project=tmp_project.root)
        assert result.exit_code == 1, args
        assert "error: no file clauses/problem.yaml for section 'problem'" in result.stderr


# --- list and stats ------------------------------------------------------------------------------------------


def test_list_prints_a_row_per_council(project):
    result = run("list", project=project.root)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["council", "name", "version", "adopted", "review", "by"]
    assert [line.split()[0] for line in lines[1:]] == COUNCILS
    rows = {line.split()[0]: line for line in lines[1:]}
    assert re.fullmatch(r"hexham\s+Hexham Town Council\s+1\.0\s+December 2020\s+December 2023", rows["hexham"])
    assert re.fullmatch(r"duston\s+Duston Parish Council\s+167/23\s+2 March 2023\s+March 2028", rows["duston"])
    assert re.fullmatch(r"mumbles\s+Mumbles Community Council\s+1\.0\s+not recorded\s+-", rows["mumbles"])


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
    assert result.stdout == "built mumbles: out/mumbles/ (protocol.md, manifest.json)\n"


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
