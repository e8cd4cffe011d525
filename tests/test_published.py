"""What is published reads the same everywhere: the site's HTML passes the W3C checker with no errors, GitHub's
Markdown renderer (cmark-gfm) shows the same words and structure as protocol.html, and the site index reflows
on a 320 px screen. The seed councils (this repository's own sources) are built once, as `build --all` does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COUNCILS, REPO, copy_project
from test_tools import run, vnu

from protocolc.cli import main


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed councils built as a site (Markdown and HTML; the PDF is not read here)."""
    tmp = copy_project(tmp_path_factory.mktemp("site") / "project", REPO)
    result = CliRunner().invoke(main, ["--project", str(tmp.root), "build", "--all", "--format", "md,html", "-q"])
    assert result.exit_code == 0, result.output
    return tmp.root / "build"


# --- the W3C HTML checker ----------------------------------------------------------------------------------------


def test_every_published_page_passes_the_w3c_checker_with_no_errors(site: Path) -> None:
    pages = [site / c / "protocol.html" for c in COUNCILS] + [
        site / "index.html",
        site / "hexham/protocol.model-diff.html",
    ]
    assert all(p.is_file() for p in pages)
    result = run([*vnu(), "--errors-only", "--format", "json", *map(str, pages)])
    messages = json.loads(result.stderr)["messages"]
    assert [(Path(m["url"]).parent.name + "/" + Path(m["url"]).name, m["message"]) for m in messages] == []
    assert result.returncode == 0


def test_paged_media_rules_are_only_in_the_pdf_stylesheet(site: Path) -> None:
    page = (site / "hexham" / "protocol.html").read_text(encoding="utf-8")
    assert "string-set" not in page and "string(" not in page and "@page" not in page
    print_css = (REPO / "protocolc" / "templates" / "print.css").read_text(encoding="utf-8")
    assert "string-set: council content()" in print_css and "content: string(title)" in print_css
