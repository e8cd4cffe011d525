"""protocolc check, status and schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import TINY, TmpProject
from jsonschema import Draft202012Validator

from protocolc import check, schema
from protocolc.cli import main
from protocolc.load import load_library


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


def test_clean_project_passes(real_project) -> None:
    """The real project (the fixture's cottingham, duston and mumbles never print their clerk's title: a warning)."""
    report = check.check(real_project)
    assert report.problems == ()
    assert report.summary() == "checked the library and 5 councils: 0 errors, 0 warnings"
    result = run(real_project.root, "check")
    assert result.exit_code == 0
    assert result.output == "checked the library and 5 councils: 0 errors, 0 warnings\n"


def test_every_problem_in_every_file_is_listed(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - omit: councillors.area\n", council_id="one")
    tmp_project.tiny(
        "terms:\n  clerk_titel: Clerk\nchanges:\n  - variant: roles.summary\n    use: employes\n", council_id="two"
    )
    result = run(tmp_project.root, "check", "one", "two")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[1] for line in lines] == [
        "no section, clause or item 'councillors.area'",
        "unknown term 'clerk_titel'",
    ]
    assert lines[0].startswith("councils/one/protocol.yaml:7:5")
    assert result.output.rstrip().endswith("checked the library and 2 councils: 2 errors, 0 warnings")


def test_problems_across_load_and_resolve_are_all_reported(tmp_project: TmpProject) -> None:
    # a load problem in one council does not hide a resolve problem in another
    tmp_project.tiny("kind: parish\n", council_id="dup")
    tmp_project.tiny("closing: Reviewed by the {{ clerk_titel }}.\n", council_id="var")
    report = check.check(tmp_project.project, ["dup", "var"])
    messages = [p.message for p in report.errors]
    assert "duplicate key 'kind' (first given on line 2)" in messages
    assert "unknown variable in text: 'clerk_titel' is undefined" in messages


def test_strict_makes_warnings_fail(tmp_project: TmpProject) -> None:
    tmp_project.council_file("tiny", TINY.replace('version: "1"', "version: 1.10"))
    assert run(tmp_project.root, "check", "tiny").exit_code == 0
    strict = run(tmp_project.root, "check", "tiny", "--strict")
    assert strict.exit_code == 1
    assert "councils/tiny/protocol.yaml:4:14: warning: version 1.10 is not in quotes" in strict.output


@pytest.mark.parametrize(
    ("value", "seen"), [("no", "bool False"), ("on", "bool True"), ("19:30", "int 1170"), ("0123", "int 83")]
)
def test_values_other_yaml_tools_would_change_are_flagged(tmp_project: TmpProject, value: str, seen: str) -> None:
    tmp_project.council_file("tiny", TINY + f"clerk: {value}\n")
    report = check.check(tmp_project.project, ["tiny"])
    assert sorted(p.message for p in report.warnings if "adopted snapshot" not in p.message) == [
        "'clerk:' is set but no document of this council prints it (documents: protocol)",  # see test_typography
        f"clerk {value} is not in quotes: other YAML tools read it as {seen}",
    ]


def test_unknown_council_suggests(project) -> None:
    result = run(project.root, "check", "hexam")
    assert result.exit_code == 1
    assert "error: no council 'hexam' in councils/ (did you mean 'hexham'?)" in result.output


# --- status ------------------------------------------------------------------------------------------


def test_status_sorted_by_urgency(project) -> None:
    result = run(project.root, "status", "--today", "2023-10-15")
    assert result.exit_code == 0
    rows = result.output.splitlines()
    assert rows[0].split() == ["document", "version", "adopted", "review", "by", "state"]
    assert rows[1].startswith("hexham/protocol") and rows[1].endswith("due within 90 days")
    assert rows[-1].startswith("duston/protocol") and rows[-1].endswith("ok")
    assert all(row.endswith("no review date") for row in rows[2:-1])


def test_status_fail_overdue(project) -> None:
    ok = run(project.root, "status", "--today", "2023-01-01", "--fail-overdue")
    assert ok.exit_code == 0
    late = run(project.root, "status", "--today", "2024-01-01", "--fail-overdue")
    assert late.exit_code == 1
    assert "hexham" in late.output.splitlines()[1] and "overdue" in late.output.splitlines()[1]
    assert "review overdue: hexham/protocol" in late.output


def test_review_by_month_counts_to_its_last_day(project) -> None:
    last_day = run(project.root, "status", "--today", "2023-12-31", "--fail-overdue")
    assert last_day.exit_code == 0
    next_day = run(project.root, "status", "--today", "2024-01-01", "--fail-overdue")
    assert next_day.exit_code == 1


# --- schema ------------------------------------------------------------------------------------------


class _TextLoader(yaml.SafeLoader):
    """YAML 1.2-like reading, as editors do: dates stay text."""


_TextLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _validator(root: Path, name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((root / "schemas" / name).read_text(encoding="utf-8")))


def test_committed_schemas_are_up_to_date(real_project) -> None:
    for name, text in schema.schemas(load_library(real_project.root)).items():
        path = real_project.root / "schemas" / name
        assert path.read_text(encoding="utf-8") == text, f"run 'protocolc schema' ({name})"


def _schema_name(path: Path) -> str:
    """Which schema a source file names: by where it sits in clauses/ or councils/."""
    if path.parent.name == "clauses":
        return "library"
    if path.parent.parent.name == "clauses":
        return "document-type" if path.name == "document.yaml" else "section"
    return "council" if path.name == "council.yaml" else "document"


def test_every_yaml_file_names_and_passes_its_schema(real_project) -> None:
    root = real_project.root
    files = sorted(root.glob("clauses/**/*.yaml")) + sorted(root.glob("councils/*/*.yaml"))
    assert len(files) >= 19
    for path in files:
        name = _schema_name(path)
        up = "../" * (len(path.relative_to(root).parts) - 1)
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema={up}schemas/{name}.schema.json", path
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader)  # noqa: S506 - a SafeLoader
        errors = [e.message for e in _validator(root, f"{name}.schema.json").iter_errors(data)]
        assert errors == [], path


def test_schema_rejects_what_the_loader_rejects(real_project) -> None:
    council = _validator(real_project.root, "council.schema.json")
    facts = {"name": "X Parish Council", "kind": "parish"}
    assert list(council.iter_errors(facts)) == []
    for bad in (facts | {"ommit": "x"}, facts | {"kind": "parsih"}, facts | {"terms": {"clerk_titel": "Clerk"}}):
        assert list(council.iter_errors(bad)), bad
    document = _validator(real_project.root, "document.schema.json")
    good = {"versions": [{"version": "1", "adopted": "2024-01-15"}]}
    assert list(document.iter_errors(good)) == []
    for bad in (
        good | {"ommit": "x"},
        good | {"versions": [{"version": "1", "adopted": "March 2024"}]},
        good | {"changes": [{"ommit": "councillors.areas"}]},
        good | {"numbering": {"levels": ["1.00"]}},
        good | {"numbering": {"sections": "1."}},
    ):
        assert list(document.iter_errors(bad)), bad


def test_schema_command_writes_files(project, tmp_path: Path) -> None:
    result = run(project.root, "schema", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(schema.FILES.values())
    document = json.loads((tmp_path / "document.schema.json").read_text(encoding="utf-8"))
    assert "councillors.areas.policy" in json.dumps(document)  # ids offered for completion


def test_pre_commit_hook_runs_check(real_project) -> None:
    hooks = yaml.safe_load((real_project.root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "protocolc-check"
    assert hooks[0]["entry"] == "protocolc check"
    assert hooks[0]["pass_filenames"] is False
