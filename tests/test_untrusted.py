"""Untrusted text and files stay untrusted: the PDF loads nothing from outside, outputs change together,
workers die with their build, and whatever is found under build/ or in councils/ is never a crash."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TmpProject

from protocolc import api, site
from protocolc.build import stale_formats
from protocolc.confine import misplaced_output
from protocolc.errors import ProtocolError
from protocolc.formats.pdf import RefusedResource, confined_fetcher, pdf_bytes
from protocolc.project import Project
from protocolc.strays import odd_characters, plain_id, stray_files
from protocolc.templating import PACKAGED
from protocolc.write import remove_stale_temporaries, write_set

# --- the PDF refers to nothing outside the document ------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_fetcher_refuses_files_outside_the_templates_and_every_address(tmp_path: Path) -> None:
    fetch = confined_fetcher([tmp_path / "templates", PACKAGED])
    (tmp_path / "templates").mkdir()
    (tmp_path / "secret.svg").write_text("<svg/>")
    for url in (
        (tmp_path / "secret.svg").as_uri(),
        (tmp_path / "templates").as_uri() + "/../secret.svg",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/px.png",
        "https://example.org/x.css",
        "data:image/svg+xml,<svg/>",
        "file://otherhost" + str(PACKAGED / "protocol.css"),
    ):
        with pytest.raises(RefusedResource):
            fetch.fetch(url)
    assert fetch.fetch((PACKAGED / "protocol.css").as_uri()) is not None


def test_a_link_in_the_templates_folder_to_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "secret.svg").write_text("<svg/>")
    (tmp_path / "templates" / "logo.svg").symlink_to(tmp_path / "secret.svg")
    with pytest.raises(RefusedResource):
        confined_fetcher([tmp_path / "templates"]).fetch((tmp_path / "templates" / "logo.svg").as_uri())


def test_a_pdf_of_html_with_images_loads_none_of_them(tmp_path: Path, local_server: str) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    html = (
        f'<html><body><p>Words <img src="{secret.as_uri()}"> <img src="{local_server}/px.svg">'
        f'<img src="../../../../{secret}"></p></body></html>'
    )
    plain = pdf_bytes(html, PACKAGED.as_uri() + "/", url_fetcher=confined_fetcher([PACKAGED]))
    assert _Recorder.hits == []
    assert b"/Subtype /Image" not in plain and b"/Subtype/Image" not in plain
    assert plain.startswith(b"%PDF")


# --- a document's outputs change together or not at all -------------------------------------------------


def test_write_set_puts_back_what_it_replaced_when_a_later_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.md", "b.html"):
        (tmp_path / name).write_text(f"old {name}")
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str, dst: str | Path) -> None:
        calls.append(str(dst))
        if str(dst).endswith("b.html") and len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("protocolc.write.os.replace", replace)
    with pytest.raises(OSError) as info:
        write_set(tmp_path, {"a.md": b"new a", "b.html": b"new b"})
    assert info.value.filename == str(tmp_path / "b.html")
    assert (tmp_path / "a.md").read_text() == "old a.md"
    assert (tmp_path / "b.html").read_text() == "old b.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.html"]


def test_write_set_writes_nothing_when_one_file_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("old")
    (tmp_path / "b.html").mkdir()
    with pytest.raises(OSError) as info:
        write_set(tmp_path, {"a.md": b"new", "b.html": b"new"})
    assert info.value.filename == str(tmp_path / "b.html")
    assert (tmp_path / "a.md").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.html"]


def _limited_build(root: Path, out: Path, blocks: int) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (blocks * 1024, resource.RLIM_INFINITY))

    code = "import sys; from protocolc.cli import main; main(sys.argv[1:])"
    args = [sys.executable, "-c", code, "--project", str(root), "build", "hexham", "-o", str(out), "-j", "1"]
    return subprocess.run(args, capture_output=True, text=True, preexec_fn=limit, timeout=300, check=False)


def test_a_file_size_limit_leaves_the_previous_set_whole(tmp_project: TmpProject, tmp_path: Path) -> None:
    """`ulimit -f 16`: the PDF cannot be written, so neither the Markdown nor the HTML nor the manifest change."""
    out = tmp_path / "out"
    api.build(tmp_project.project, ["hexham"], ("md", "html"), out)
    before = {p.name: p.read_bytes() for p in (out / "hexham").iterdir()}
    clerk = tmp_project.path("councils/hexham/council.yaml")
    clerk.write_text(clerk.read_text(encoding="utf-8").replace("name: ", "name: New ", 1), encoding="utf-8")
    done = _limited_build(tmp_project.root, out, 16)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot write outputs: File too large; the previous outputs are kept as they were" in done.stderr
    assert {p.name: p.read_bytes() for p in (out / "hexham").iterdir()} == before


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".protocol.md.abc123.tmp").write_text("half")
    (tmp_path / "protocol.md").write_text("whole")
    (tmp_path / "notes.tmp").write_text("not ours: no leading dot")
    removed = remove_stale_temporaries(tmp_path)
    assert [p.name for p in removed] == [".protocol.md.abc123.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.tmp", "protocol.md"]


def test_a_worker_whose_parent_has_gone_exits() -> None:
    code = "from protocolc.build import _die_with_parent; _die_with_parent(1); print('still here')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "still here" not in done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_dies_when_its_parent_is_killed() -> None:
    """The worker asks the kernel for SIGTERM when its parent dies; the parent is killed with SIGKILL."""
    code = (
        "import os, sys, time\n"
        "from protocolc.build import _die_with_parent\n"
        "parent = os.getpid()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    _die_with_parent(parent)\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(0.5)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as stat:
            if stat.read().split()[2] == "Z":  # a zombie (no init to reap it in a container) has exited
                break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")


# --- anything under build/ is untrusted ------------------------------------------------------------------

SHAPES = ["[]", '{"outputs": 3}', '{"outputs": {}, "inputs": []}', "not json", '"a string"', "\xff\xfe", "null"]


@pytest.mark.parametrize("text", SHAPES)
def test_a_manifest_of_the_wrong_shape_means_rebuild(tmp_path: Path, text: str) -> None:
    (tmp_path / "protocol.manifest.json").write_text(text, encoding="latin-1")
    assert stale_formats(tmp_path, "protocol", {"md": "key"}) == ("md",)


@pytest.mark.parametrize(
    "text",
    [
        *SHAPES,
        '{"council": "bad", "title": 3, "version": "1"}',
        '{"council": "other", "title": "T", "version": "1"}',
        '{"council": "bad", "title": "T", "version": "1", "review_by": "soon"}',
    ],
)
def test_the_site_skips_manifests_it_cannot_use(tmp_path: Path, text: str) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "protocol.manifest.json").write_text(text, encoding="latin-1")
    found = site.entries(tmp_path, dt.date(2024, 1, 1))
    assert found == [] or found[0].review_by == "not recorded"


def test_a_deleted_council_leaves_the_index_but_its_files_stay(project: Project, tmp_path: Path) -> None:
    api.build(project, ["hexham"], ("md",), tmp_path)
    (tmp_path / "gone").mkdir()
    manifest = {"council": "gone", "document": "protocol", "title": "Protocol", "version": "1"}
    (tmp_path / "gone" / "protocol.manifest.json").write_text(json.dumps(manifest))
    notes: list[object] = []
    html = api.write_site(project, tmp_path, notes=notes).read_text(encoding="utf-8")  # type: ignore[arg-type]
    assert "hexham/protocol.md" in html and "gone/" not in html
    assert [str(n).splitlines()[0] for n in notes] == [
        f"{tmp_path}/gone/protocol.manifest.json: warning: gone/protocol is not a document of the project any more: "
        "left out of the index"
    ]
    assert (tmp_path / "gone" / "protocol.manifest.json").exists()


# --- reads inside the project, writes inside the output folder --------------------------------------------


def test_outputs_among_the_sources_are_refused(tmp_path: Path) -> None:
    assert misplaced_output(tmp_path, tmp_path) == "the project folder itself"
    assert misplaced_output(tmp_path, tmp_path / "councils") == "the project's councils/ folder"
    assert misplaced_output(tmp_path, tmp_path / "clauses" / "x") == "the project's clauses/ folder"
    assert misplaced_output(tmp_path, tmp_path / "templates") == "the project's templates/ folder"
    assert misplaced_output(tmp_path, tmp_path / "build") is None
    assert misplaced_output(tmp_path, tmp_path.parent / "public") is None


def test_a_link_to_a_file_inside_the_project_is_still_read(tmp_project: TmpProject) -> None:
    shared = tmp_project.path("councils/hexham/council.yaml")
    (tmp_project.path("councils/twin")).mkdir()
    tmp_project.path("councils/twin/council.yaml").symlink_to(shared)
    tmp_project.path("councils/twin/protocol.yaml").symlink_to(tmp_project.path("councils/hexham/protocol.yaml"))
    assert tmp_project.document("twin").council.id == "twin"


def test_the_project_build_folder_linked_outside_is_refused_but_o_may_point_anywhere(
    tmp_project: TmpProject, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    tmp_project.path("build").symlink_to(elsewhere)
    with pytest.raises(ProtocolError) as info:
        api.build(tmp_project.project, ["hexham"], ("md",))
    assert str(info.value.problems[0].source) == "build"
    assert list(elsewhere.iterdir()) == []
    results = api.build(tmp_project.project, ["hexham"], ("md",), tmp_path / "public")
    assert [r.state for r in results] == ["built"]


# --- files protocolc would not read, ids that only look right ---------------------------------------------


def test_odd_characters_are_named() -> None:
    assert odd_characters("hexham") is None
    assert odd_characters("hex\u200bham") == "(ZERO WIDTH SPACE, U+200B) at character 4"
    assert odd_characters("bаd") == "'а' (CYRILLIC SMALL LETTER A, U+0430) at character 2"
    assert plain_id("St_Ives") == "st-ives"
    assert plain_id("Неxham") == "hexham"


def test_stray_files_name_the_rename_that_fixes_them(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/Hexham2/council.yaml", "name: x\n")
    tmp_project.write("councils/x.yml", "name: x\n")
    tmp_project.write("councils/hexham/standing-orders.YAML", "versions: []\n")
    tmp_project.write("councils/hexham/README.md", "notes are not YAML: not reported\n")
    problems = stray_files(tmp_project.project)
    assert [(str(p.source), p.severity, p.hint) for p in problems] == [
        ("councils/Hexham2/", "warning", "rename councils/Hexham2/ to councils/hexham2/"),
        ("councils/hexham/standing-orders.YAML", "warning",
         "rename councils/hexham/standing-orders.YAML to councils/hexham/standing-orders.yaml"),
        ("councils/x.yml", "warning",
         "move it to councils/x/council.yaml (name, kind, terms) and councils/x/protocol.yaml "
         "(the document: versions, sections, changes)"),
    ]  # fmt: skip


def test_check_reports_stray_files_as_warnings(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/St_Ives/council.yaml", "name: x\n")
    from protocolc.check import check

    report = check(tmp_project.project, ["hexham"])
    assert not report.errors
    assert [str(w.source) for w in report.warnings] == ["councils/St_Ives/"]
    assert report.failed(strict=True)
