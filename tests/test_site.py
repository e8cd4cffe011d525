"""The site index (build --all, protocolc site); the live preview server is tested in test_serve.py."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from conftest import COUNCILS, TmpProject
from test_build import add_standing_orders

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
    assert page.rows == [f"{c}-protocol" for c in COUNCILS]  # alphabetical by council name, here also by id
    assert len(page.hrefs) == 5 * 5  # the title and four files for each council's one document
    for href in page.hrefs:
        assert not href.startswith(("/", "http")), href  # relative: works from disk and any static host
        assert (tmp_path / href).is_file(), href
    assert {h.rsplit("/", 1)[1] for h in page.hrefs} == {
        "protocol.html",
        "protocol.pdf",
        "protocol.md",
        "protocol.model-diff.html",
    }


def test_index_shows_versions_dates_and_review_state(project, tmp_path: Path) -> None:
    api.build(project, COUNCILS, ["md", "html"], tmp_path, site=True)
    html = api.write_site(project, tmp_path, today=dt.date(2023, 10, 15)).read_text(encoding="utf-8")
    assert "5 councils, 5 documents: 1 due within 90 days, 3 no review date, 1 ok." in html
    assert "Review states as of 15 October 2023." in html
    hexham = html.split('<tr id="hexham-protocol">')[1].split("</tr>")[0]
    assert "Hexham Town Council" in hexham and "December 2020" in hexham and "December 2023" in hexham
    assert "due within 90 days" in hexham
    assert "protocol.pdf" not in html  # only the formats that were built are linked


def test_model_diff_page_is_kept_up_to_date_without_rebuilding_documents(tmp_project: TmpProject, tmp_path) -> None:
    ids = tmp_project.project.council_ids()
    api.build(tmp_project.project, ids, ["md", "html"], tmp_path, site=True)
    page = tmp_path / "mumbles" / "protocol.model-diff.html"
    before = page.read_text(encoding="utf-8")
    assert before.startswith("<!DOCTYPE html>\n<!-- protocolc model-diff ")
    assert "the model (clause library) compared with Mumbles Community Council" in before
    path = tmp_project.path("clauses/protocol/introduction.yaml")
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
    assert page.rows == [f"{c}-protocol" for c in COUNCILS]


def test_index_lists_each_document_of_a_council_with_its_own_version_and_review(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    add_standing_orders(tmp_project)
    results = api.build(tmp_project.project, None, ["md", "html"], tmp_path, site=True)
    assert [r.error for r in results] == [None] * 6
    html = api.write_site(tmp_project.project, tmp_path, today=dt.date(2023, 10, 15)).read_text(encoding="utf-8")
    assert "5 councils, 6 documents: 1 due within 90 days, 3 no review date, 2 ok." in html
    page = Links()
    page.feed(html)
    rows = page.rows
    assert rows[rows.index("hexham-protocol") + 1] == "hexham-standing-orders"
    assert len(rows) == 6

    def row(row_id: str) -> list[str]:
        """The cells of a row, as text."""
        body = html.split(f'<tr id="{row_id}">')[1].split("</tr>")[0]
        return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body)]

    protocol, orders = row("hexham-protocol"), row("hexham-standing-orders")
    assert protocol[:6] == [
        "Hexham Town Council",
        "Member/Officer Relations Protocol",
        "1.0",
        "December 2020",
        "December 2023",
        "due within 90 days",
    ]
    assert orders[:6] == ["Hexham Town Council", "Standing Orders", "2", "10 May 2023", "May 2026", "ok"]
    orders_links = html.split('<tr id="hexham-standing-orders">')[1].split("</tr>")[0]
    hrefs = re.findall(r'href="([^"]+)"', orders_links)
    assert hrefs == [
        "hexham/standing-orders.html",
        "hexham/standing-orders.html",
        "hexham/standing-orders.md",
        "hexham/standing-orders.model-diff.html",
    ]
    assert all((tmp_path / href).is_file() for href in hrefs)
    diffs = {
        d: (tmp_path / "hexham" / f"{d}.model-diff.html").read_text(encoding="utf-8")
        for d in ("protocol", "standing-orders")
    }
    assert "three clear days&#x27; notice" in diffs["standing-orders"]  # each document against its own model
    assert "three clear days" not in diffs["protocol"]
