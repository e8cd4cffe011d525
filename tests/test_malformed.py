"""A corpus of malformed sources (tests/malformed/): each gives exactly the messages and exit status expected.

`NN-name.yaml` is a document file placed at councils/bad/protocol.yaml (beside a council.yaml naming
Bad Parish Council) or, when its first line is `# target: <path>`, a file placed there (a council.yaml,
or a library file). The fixture project is copied first. `NN-name.expected` holds, first, `exit: N`
(and optionally `command: ...`, default `check bad`, or `check` for a library file), then the
exact output a clerk sees, every line of it: file:line:column, message, hint and summary.
These expectations are written and reviewed by hand; they are not regenerated.
"""

from __future__ import annotations

import contextlib
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project

from protocolc.cli import main

CORPUS = sorted((Path(__file__).parent / "malformed").glob("*.yaml"))


BAD_COUNCIL = "name: Bad Parish Council\nkind: parish\n"
BAD_DOCUMENT = 'versions:\n  - version: "1"\n    adopted: 2024-01-15\n'


def target_of(data: bytes) -> str:
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    return first.removeprefix("# target:").strip() if first.startswith("# target:") else "councils/bad/protocol.yaml"


def run_case(case: Path, root: Path) -> tuple[int, list[str], BaseException | None, dict[str, str]]:
    data = case.read_bytes()
    target = target_of(data)
    tmp = copy_project(root)
    if target.startswith("councils/bad/"):
        tmp.write("councils/bad/council.yaml", BAD_COUNCIL)
        tmp.write("councils/bad/protocol.yaml", BAD_DOCUMENT)
    tmp.path(target).parent.mkdir(parents=True, exist_ok=True)
    tmp.path(target).write_bytes(data)
    expected_file = case.with_suffix(".expected")
    settings: dict[str, str] = {}
    if expected_file.exists():
        for line in expected_file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition(": ")
            if key not in ("exit", "command") or not sep:
                break
            settings[key] = value
    command = settings.get("command", "check bad" if target.startswith("councils/") else "check")
    with contextlib.chdir(root.parent):  # outputs such as '-o out' land beside the temporary project
        result = CliRunner().invoke(main, ["--project", str(tmp.root), *shlex.split(command)])
    lines = result.output.replace(f"{tmp.root}/", "").splitlines()
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, lines, exception, settings


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30
    assert all(case.with_suffix(".expected").exists() for case in CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
def test_malformed_source(case: Path, tmp_path: Path) -> None:
    exit_code, lines, exception, settings = run_case(case, tmp_path / "project")
    assert exception is None, f"{case.name} raised {exception!r}"
    assert not any("Traceback" in line for line in lines)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()[len(settings) :]
    assert lines == expected
    assert exit_code == int(settings["exit"])
