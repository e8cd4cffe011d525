"""A corpus of attacks through untrusted text and files (tests/attacks/): each gives exactly the output expected.

Untrusted text stays untrusted: clause text that tries to load files or addresses, to calculate or to loop;
links out of the project or the output folder; output folders among the sources; whatever is found under
build/; files in councils/ that protocolc would silently skip. Each must end in a plain, located message
and the right exit status, never a traceback, a hang or a file read or written outside the project.

`NN-name.yaml` describes one case, read with PyYAML (the case file is ours, not a clerk's):

    files:    {path: text}      files written into a copy of the fixture project (after councils/bad/,
                                a council.yaml naming Bad Parish Council and a small protocol.yaml)
    links:    {path: target}    symbolic links; a target starting '<outside>' points into a folder beside
                                the project (holding secret.txt), which must be unchanged afterwards
    folders:  [path]            empty folders
    git:      true              commit everything, then apply `after_commit` ({path: text} or links)
    before:   [command]         commands run first (their output is not compared)
    command:  check bad         the command compared, run in the project folder
    absent:   [glob]            patterns that must match nothing in the project afterwards

`NN-name.expected` holds `exit: N`, then the exact output (stdout and stderr together), with the project's
path removed and the outside folder's written `<outside>`. Written and reviewed by hand, never regenerated.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import copy_project

from protocolc.cli import main

CORPUS = sorted((Path(__file__).parent / "attacks").glob("*.yaml"))
BAD_COUNCIL = "name: Bad Parish Council\nkind: parish\n"
BAD_DOCUMENT = 'versions:\n  - version: "1"\n    adopted: 2024-01-15\n'
SECRET = "root:x:0:0:the secret outside the project\n"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _link(root: Path, outside: Path, path: str, target: str) -> None:
    link = root / path
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists() or link.is_symlink():
        if link.is_dir() and not link.is_symlink():
            link.rmdir()
        else:
            link.unlink()
    link.symlink_to(target.replace("<outside>", str(outside)))


def _apply(root: Path, outside: Path, case: dict[str, Any], files_key: str, links_key: str) -> None:
    for path, text in (case.get(files_key) or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    for path, target in (case.get(links_key) or {}).items():
        _link(root, outside, path, target)


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00"}
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(root), *identity, *args], check=True, capture_output=True, env=env)


def run_case(path: Path, tmp: Path) -> tuple[int, list[str], BaseException | None, dict[str, Any]]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.yaml").write_text("name: " + SECRET, encoding="utf-8")
    project = copy_project(tmp / "project")
    root = project.root
    project.write("councils/bad/council.yaml", BAD_COUNCIL)
    project.write("councils/bad/protocol.yaml", BAD_DOCUMENT)
    for folder in case.get("folders") or ():
        (root / folder).mkdir(parents=True, exist_ok=True)
    _apply(root, outside, case, "files", "links")
    if case.get("git"):
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "before")
        _apply(root, outside, case, "after_commit", "after_commit_links")
    before = _snapshot(outside)
    runner = CliRunner()
    with contextlib.chdir(root):
        for command in case.get("before") or ():
            runner.invoke(main, shlex.split(command))
        result = runner.invoke(main, shlex.split(case["command"]))
    assert _snapshot(outside) == before, "a file outside the project was written"
    output = result.output.replace(f"{root}/", "").replace(str(root), ".").replace(str(outside.resolve()), "<outside>")
    if case.get("git"):
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
        output = output.replace(head.strip()[:12], "<commit>")
    assert SECRET.strip() not in output, "the content of a file outside the project was printed"
    leftovers = [p for pattern in case.get("absent") or () for p in root.glob(pattern)]
    assert not leftovers, f"should be gone: {leftovers}"
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, output.splitlines(), exception, case


def expected(case: Path) -> tuple[int, list[str]]:
    lines = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("exit: ")
    return int(lines[0].removeprefix("exit: ")), lines[1:]


def test_corpus_covers_each_kind_of_attack() -> None:
    assert len(CORPUS) >= 25
    assert all(case.with_suffix(".expected").exists() for case in CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
def test_attack(case: Path, tmp_path: Path) -> None:
    exit_code, lines, exception, _ = run_case(case, tmp_path)
    assert exception is None, f"{case.name} raised {exception!r}"
    assert not any("Traceback" in line for line in lines)
    status, output = expected(case)
    assert lines == output
    assert exit_code == status
