"""Golden files: each council's rendered Markdown, byte for byte.

After an intended change of wording or layout, rewrite them with
`pytest tests/test_golden.py --update-goldens` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import COUNCILS

from protocolc import api
from protocolc.formats import FORMATS, Job
from protocolc.layout import lay_out
from protocolc.project import Project

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def real_workspace(real_project: Project) -> api.Workspace:
    return api.Workspace.open(real_project)


@pytest.mark.parametrize("council_id", COUNCILS)
def test_markdown_matches_golden(council_id: str, real_workspace: api.Workspace, update_goldens: bool):
    workspace = real_workspace
    rendered = Job(lay_out(workspace.document(council_id)), workspace.templates, FORMATS).output("md")
    golden = GOLDEN / f"{council_id}.md"
    if update_goldens:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(rendered)
    assert golden.is_file(), f"no golden file {golden}: run pytest with --update-goldens"
    expected = golden.read_bytes()
    if rendered != expected:
        old, new = expected.decode("utf-8").splitlines(), rendered.decode("utf-8").splitlines()
        first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        pytest.fail(
            f"{council_id}: rendered Markdown differs from {golden.name} at line {first + 1}:\n"
            f"  golden:   {old[first] if first < len(old) else '<end of file>'!r}\n"
            f"  rendered: {new[first] if first < len(new) else '<end of file>'!r}\n"
            "if the change is intended, rerun with --update-goldens and review the diff"
        )


def test_no_stale_goldens():
    """Every golden file belongs to a council that still exists."""
    stale = sorted(p.stem for p in GOLDEN.glob("*.md") if p.stem not in COUNCILS)
    assert stale == []
