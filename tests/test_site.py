"""The site index (build --all, protocolc site); the live preview server is tested in test_serve.py."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from conftest import COUNCILS, TmpProject

from protocolc import api
from protocolc.cli import main


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.rows: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs["href"])
        if tag == "tr" and "id" in attrs:
            self.rows.append(attrs["id"])


def test_build_all_writes_a_site_whose_links_all_work_from_disk(project, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(project.root), "build", "--all", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"site: {tmp_path / 'index.html'}"
    page = Links()
    page.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert page.rows == COUNCILS  # alphabetical by council name, which here is also by id
    assert len(page.hrefs) == 5 * 5  # the title and four files for each council
    for href in page.hrefs:
        assert not href.startswith(("/", "http")), href  # relative: works from disk and any static host
        assert (tmp_path / href).is_file(), href
    assert {h.rsplit("/", 1)[1] for h in page.hrefs} == {
        "protocol.html",
        "protocol.pdf",
        "protocol.md",
        "model-diff.html",
    }


def test_index_shows_versions_dates_and_review_state(project, tmp_path: Path) -> None:
    api.build(project, COUNCILS, ["md", "html"], tmp_path, site=True)
    html = api.write_site(project, tmp_path, today=dt.date(2023, 10, 15)).read_text(encoding="utf-8")
    assert "5 councils: 1 due within 90 days, 3 no review date, 1 ok." in html
    assert "Review states as of 15 October 2023." in html
    hexham = html.split('<tr id="hexham">')[1].split("</tr>")[0]
    assert "Hexham Town Council" in hexham and "December 2020" in hexham and "December 2023" in hexham
    assert "due within 90 days" in hexham
    assert "protocol.pdf" not in html  # only the formats that were built are linked


def test_model_diff_page_is_kept_up_to_date_without_rebuilding_documents(tmp_project: TmpProject, tmp_path) -> None:
    ids = tmp_project.project.council_ids()
    api.build(tmp_project.project, ids, ["md", "html"], tmp_path, site=True)
    page = tmp_path / "mumbles" / "model-diff.html"
    before = page.read_text(encoding="utf-8")
    assert before.startswith("<!DOCTYPE html>\n<!-- protocolc model-diff ")
    assert "Mumbles Community Council compared with the model (clause library)" in before
    path = tmp_project.path("clauses/introduction.yaml")
    path.write_text(
        path.read_text(encoding="utf-8").replace("respect and courtesy", "respect, and courtesy"), encoding="utf-8"
    )
    results = {r.council_id: r.state for r in api.build(tmp_project.project, ids, ["md", "html"], tmp_path, site=True)}
    assert results["mumbles"] == "up to date"  # mumbles does not print the changed clause ...
    assert page.read_text(encoding="utf-8") != before  # ... but the model it is compared with changed
    assert "respect, and courtesy" in page.read_text(encoding="utf-8")


def test_site_command_indexes_gathered_shards(project, tmp_path: Path) -> None:
    runner = CliRunner()
    for k in (1, 2):
        shard = runner.invoke(
            main,
            [
                "--project",
                str(project.root),
                "build",
                "--all",
                "--format",
                "md,html",
                "--shard",
                f"{k}/2",
                "-o",
                str(tmp_path),
            ],
        )
        assert shard.exit_code == 0, shard.output
        assert not (tmp_path / "index.html").exists()  # a shard does not know the whole site
    result = runner.invoke(main, ["--project", str(project.root), "site", "-o", str(tmp_path)])
    assert result.exit_code == 0
    page = Links()
    page.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert page.rows == COUNCILS
