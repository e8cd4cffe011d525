"""The programs the tests drive beyond Python, which scripts/test-deps.sh installs: each is here and really works.

Each is a real client of what protocolc writes: GitHub's Markdown renderer (cmark-gfm), the W3C Nu HTML checker
(npm vnu-jar on Debian's Java), LibreOffice (headless, for the DOCX checks), poppler's pdftoppm and Chromium with
axe-core. Without one of them these tests fail when CI is set (`make test` installs them as root, and CI must not
quietly lose a check) and are skipped elsewhere with the command that installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from pypdf import PdfReader

from protocolc import api

TEST_DEPS = REPO / "scripts" / "test-deps.sh"
NODE_MODULES = REPO / "node_modules"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")


def require(what: str, present: bool) -> None:
    """Fail in CI, skip elsewhere, when a program the tests need is not installed."""
    if present:
        return
    message = f"{what} is not installed: `make test-deps` (sh scripts/test-deps.sh, as root) installs it"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so the tests that need it cannot be skipped", pytrace=False)
    pytest.skip(message)


def program(name: str) -> str:
    path = shutil.which(name)
    require(name, path is not None)
    assert path is not None
    return path


def run(args: list[str], *, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, cwd=cwd, capture_output=True, text=True, check=False, timeout=180)


def pinned(package: str) -> str:
    """The version package.json pins for an npm package."""
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    return str(manifest["devDependencies"][package])


def test_the_install_script_covers_every_program_these_tests_use() -> None:
    text = TEST_DEPS.read_text(encoding="utf-8")
    [listed] = re.findall(r'^programs="([^"]*)"', text, flags=re.MULTILINE)
    pairs = dict(pair.split(":") for pair in listed.split())
    assert pairs["/usr/bin/chromium"] == "chromium"
    assert pairs["cmark-gfm"] == "cmark-gfm"
    assert pairs["java"] == "default-jre-headless"
    assert pairs["soffice"] == "libreoffice-writer-nogui"
    assert pairs["pdftoppm"] == "poppler-utils"
    for path in (VNU, AXE):
        assert path.relative_to(REPO).as_posix() in text
    assert "npm ci --ignore-scripts" in text  # vnu-jar's own install script would download a Java runtime


# --- GitHub's Markdown ---------------------------------------------------------------------------------------------


def test_cmark_gfm_renders_markdown_with_github_tables() -> None:
    cmark = program("cmark-gfm")
    result = run([cmark, "--extension", "table"], stdin="A *clause*.\n\n| v | date |\n| --- | --- |\n| 1.0 | 2024 |\n")
    assert result.returncode == 0, result.stderr
    assert "<p>A <em>clause</em>.</p>" in result.stdout
    assert "<th>v</th>" in result.stdout and "<td>1.0</td>" in result.stdout


def test_cmark_gfm_renders_a_council_protocol() -> None:
    cmark = program("cmark-gfm")
    markdown = (REPO / "tests" / "golden" / "hexham.md").read_text(encoding="utf-8")
    result = run([cmark, "--extension", "table"], stdin=markdown)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("<h1>") == 1
    assert "<table>" in result.stdout


# --- the W3C Nu HTML checker -----------------------------------------------------------------------------------------


def vnu() -> list[str]:
    java = program("java")
    require(f"the W3C HTML checker ({VNU.relative_to(REPO)}, npm vnu-jar)", VNU.is_file())
    return [java, "-jar", str(VNU)]


def test_vnu_is_the_pinned_version() -> None:
    result = run([*vnu(), "--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == pinned("vnu-jar")


def test_vnu_passes_valid_html_and_reports_an_error_with_its_line(tmp_path: Path) -> None:
    page = '<!DOCTYPE html>\n<html lang="en-GB">\n<head>{}</head>\n<body><p>Text</p></body>\n</html>\n'
    (tmp_path / "good.html").write_text(page.format("<title>Protocol</title>"), encoding="utf-8")
    (tmp_path / "bad.html").write_text(page.format(""), encoding="utf-8")  # a page needs a title
    result = run([*vnu(), "--errors-only", "--format", "json", "good.html", "bad.html"], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    messages = json.loads(result.stderr)["messages"]
    assert [(Path(m["url"]).name, m["type"], m["lastLine"]) for m in messages] == [("bad.html", "error", 3)]
    assert "title" in messages[0]["message"]


# --- LibreOffice and poppler -------------------------------------------------------------------------------------


def soffice(tmp_path: Path) -> list[str]:
    """soffice headless, with its own profile in tmp_path (never the user's)."""
    binary = program("soffice")
    return [binary, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless"]


def test_soffice_reports_its_version(tmp_path: Path) -> None:
    result = run([*soffice(tmp_path), "--version"])
    assert result.returncode == 0, result.stderr
    assert re.match(r"LibreOffice \d+\.\d+", result.stdout), result.stdout


def test_libreoffice_writer_writes_docx_and_turns_it_into_pdf(tmp_path: Path) -> None:
    command = soffice(tmp_path)
    page = tmp_path / "protocol.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Protocol</title></head>'
        "<body><h1>Member/Officer Relations Protocol</h1><p>Councillors are elected.</p></body></html>",
        encoding="utf-8",
    )
    result = run([*command, "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(page)])
    docx = tmp_path / "protocol.docx"
    assert result.returncode == 0 and docx.is_file(), result.stdout + result.stderr
    with zipfile.ZipFile(docx) as archive:
        assert "Councillors are elected." in archive.read("word/document.xml").decode("utf-8")
    pdf_dir = tmp_path / "pdf"
    result = run([*command, "--convert-to", "pdf", "--outdir", str(pdf_dir), str(docx)])
    pdf = pdf_dir / "protocol.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stdout + result.stderr
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Councillors are elected." in text


def test_pdftoppm_renders_a_built_protocol_page(project, tmp_path: Path) -> None:
    pdftoppm = program("pdftoppm")
    [result] = api.build(project, ["hexham"], ["pdf"], tmp_path, force=True)
    assert result.error is None, str(result.error)
    first_page = ["-png", "-r", "30", "-f", "1", "-l", "1", "protocol.pdf", "page"]
    rendered = run([pdftoppm, *first_page], cwd=tmp_path / "hexham")
    assert rendered.returncode == 0, rendered.stderr
    [png] = (tmp_path / "hexham").glob("page-*1.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- Chromium and axe-core ---------------------------------------------------------------------------------------


def test_chromium_runs_headless() -> None:
    require(f"Chromium ({CHROMIUM})", CHROMIUM.is_file())
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"]
    result = run([str(CHROMIUM), *args, "data:text/html,<title>t</title><p id=x>clause</p>"])
    assert result.returncode == 0, result.stderr
    assert '<p id="x">clause</p>' in result.stdout


def test_axe_core_is_the_pinned_version() -> None:
    require(f"axe-core ({AXE.relative_to(REPO)}, npm)", AXE.is_file())
    installed = json.loads((NODE_MODULES / "axe-core" / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == pinned("axe-core")
    assert f"axe v{pinned('axe-core')}" in AXE.read_text(encoding="utf-8")[:200]
