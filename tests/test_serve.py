"""The live preview server (protocolc serve): live reload, and an HTTP layer that malformed requests,
clients that vanish or say nothing, and paths leading out of the build folder cannot upset."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner
from conftest import TmpProject

from protocolc.cli import main
from protocolc.project import Project
from protocolc.serve import STATE_PATH, Preview, PreviewServer, make_server, serve

# --- a server on a hand-made build folder ---------------------------------------------------------------

Capture = pytest.CaptureFixture[str]
PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body><p>{}</p></body></html>"


@dataclass
class Running:
    server: PreviewServer
    preview: Preview
    folder: Path

    @property
    def port(self) -> int:
        return self.server.server_address[1]


def start(preview: Preview, **options: float) -> tuple[PreviewServer, threading.Thread]:
    server = make_server(preview, "127.0.0.1", 0, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def stop(server: PreviewServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(5)
    assert not thread.is_alive()


@pytest.fixture
def site(project: Project, tmp_path: Path) -> Iterator[Running]:
    """A server (1 s timeout, 4 workers) on a build folder with pages, folders and symlinks in and out of it."""
    folder = tmp_path / "build"
    (folder / "hexham").mkdir(parents=True)
    (folder / "index.html").write_text(PAGE.format("the index"), encoding="utf-8")
    (folder / "hexham" / "protocol.html").write_text(PAGE.format("Hexham's protocol"), encoding="utf-8")
    (folder / "hexham" / "protocol.md").write_text("# Hexham\n", encoding="utf-8")
    (folder / "hexham" / "protocol.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(8 * 1024 * 1024))
    (folder / "empty").mkdir()
    (folder / "withindex").mkdir()
    (folder / "withindex" / "index.html").write_text(PAGE.format("a folder's index"), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the browser\n", encoding="utf-8")
    (outside / "index.html").write_text(PAGE.format("outside"), encoding="utf-8")
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "alias.md").symlink_to(folder / "hexham" / "protocol.md")  # a symlink within the folder is fine
    preview = Preview(project, folder)
    server, thread = start(preview, timeout=1.0, workers=4, waiting=2)
    yield Running(server, preview, folder)
    stop(server, thread)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(port: int, data: bytes, timeout: float = 5.0) -> Reply:
    """Send raw bytes, read the whole answer (the server closes the connection after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return Reply(status, headers, body)


def get(port: int, target: str | bytes, method: str = "GET") -> Reply:
    raw = target.encode("latin-1") if isinstance(target, str) else target
    return exchange(port, method.encode() + b" " + raw + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")


def assert_quiet(capfd: Capture) -> None:
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert err == "", err


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/%00", 400),
        ("/hexham/protocol%00.html", 400),
        ("/%zz", 400),
        ("/hexham/protocol.html%", 400),
        ("/%ff%fe", 400),  # not UTF-8
        ("/hexham/%0a", 400),
        ("/../../etc/passwd", 400),
        ("/hexham/%2e%2e/%2e%2e/etc/passwd", 400),
        ("hexham/protocol.html", 400),
        ("/" + "a" * 60_000, 414),
        ("/" + "a" * 9_000, 414),
        ("/" + "a" * 8_000, 404),  # under the limit, but a name too long for the file system
    ],
)
def test_malformed_requests_get_a_plain_error_and_no_traceback(
    site: Running, capfd: Capture, target: str, status: int
) -> None:
    reply = get(site.port, target)
    assert reply.status == status
    assert reply.headers["content-type"].startswith("text/plain")
    assert b"Traceback" not in reply.body
    assert get(site.port, "/hexham/protocol.md").status == 200  # the server carries on
    assert_quiet(capfd)


def test_pages_files_and_state_are_served(site: Running, capfd: Capture) -> None:
    page = get(site.port, "/hexham/protocol.html")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert b"Hexham's protocol" in page.body and STATE_PATH.encode() in page.body  # the live-reload script
    assert int(page.headers["content-length"]) == len(page.body)
    markdown = get(site.port, "/hexham/protocol.md?v=2")
    assert (markdown.status, markdown.body) == (200, b"# Hexham\n")
    assert get(site.port, "/alias.md").body == b"# Hexham\n"
    assert get(site.port, "/hexham/%70rotocol.md").body == b"# Hexham\n"  # escapes are decoded
    pdf = get(site.port, "/hexham/protocol.pdf")
    assert pdf.body == (site.folder / "hexham" / "protocol.pdf").read_bytes()
    assert pdf.headers["content-type"] == "application/pdf"
    head = get(site.port, "/hexham/protocol.pdf", method="HEAD")
    assert (head.status, head.body, head.headers["content-length"]) == (200, b"", pdf.headers["content-length"])
    assert json.loads(get(site.port, STATE_PATH).body) == {"generation": 0, "errors": []}
    assert get(site.port, "/nothing-here.html").status == 404
    assert_quiet(capfd)


def test_folders_are_served_as_their_index_and_never_listed(site: Running, capfd: Capture) -> None:
    for target in ("/empty/", "/empty", "/hexham/", "/hexham"):
        reply = get(site.port, target)
        assert reply.status == 404, target
        assert b"protocol" not in reply.body  # no listing of what the folder holds
    moved = get(site.port, "/withindex")
    assert (moved.status, moved.headers["location"]) == (301, "/withindex/")
    index = get(site.port, "/withindex/")
    assert index.status == 200 and b"a folder's index" in index.body
    assert b"the index" in get(site.port, "/").body
    assert_quiet(capfd)


def test_nothing_outside_the_build_folder_is_served(site: Running, capfd: Capture) -> None:
    for target in ("/escape/secret.txt", "/escape/", "/escape/index.html", "/secret.txt"):
        reply = get(site.port, target)
        assert reply.status == 404, target
        assert b"not for the browser" not in reply.body and b"outside" not in reply.body
    assert get(site.port, "/etc/passwd").status == 404
    assert_quiet(capfd)


def test_the_first_page_shows_the_mistakes_while_nothing_was_built(site: Running, capfd: Capture) -> None:
    (site.folder / "index.html").unlink()
    site.preview.errors = ["councils/hexham.yaml:3:7: error: <no such clause>"]
    reply = get(site.port, "/")
    assert reply.status == 200
    assert b"councils/hexham.yaml:3:7: error: &lt;no such clause&gt;" in reply.body
    site.preview.errors = []
    assert get(site.port, "/").status == 404
    assert_quiet(capfd)


def test_clients_that_disconnect_are_dropped_quietly(site: Running, capfd: Capture) -> None:
    for _ in range(3):
        socket.create_connection(("127.0.0.1", site.port)).close()  # connects and goes at once
    for _ in range(3):  # asks for 8 MB, then resets the connection before reading it
        sock = socket.create_connection(("127.0.0.1", site.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(b"GET /hexham/protocol.pdf HTTP/1.0\r\n\r\n")
        sock.recv(1)
        sock.close()
    with socket.create_connection(("127.0.0.1", site.port)) as sock:  # sends half a request and goes
        sock.sendall(b"GET /hexham/proto")
    time.sleep(0.3)
    assert get(site.port, "/hexham/protocol.md").status == 200
    assert_quiet(capfd)


def test_a_silent_client_is_closed_after_the_timeout_and_others_are_served_meanwhile(
    site: Running, capfd: Capture
) -> None:
    with socket.create_connection(("127.0.0.1", site.port), timeout=5) as idle:
        began = time.monotonic()
        assert get(site.port, "/hexham/protocol.md").status == 200
        assert idle.recv(1) == b""  # closed by the server, with no answer
        waited = time.monotonic() - began
    assert 0.8 <= waited <= 3.0  # the fixture's timeout is 1 s
    assert_quiet(capfd)


def test_a_client_that_drips_its_request_is_cut_off_at_the_timeout(site: Running, capfd: Capture) -> None:
    with socket.create_connection(("127.0.0.1", site.port), timeout=5) as slow:
        began = time.monotonic()
        slow.sendall(b"GET /hexham/protocol.md HTTP/1.0\r\n")
        while time.monotonic() - began < 4:  # a header line every 0.2 s: each read is quick, the request never ends
            if select.select([slow], [], [], 0.2)[0]:
                break  # closed by the server
            try:
                slow.sendall(b"X-Slow: y\r\n")
            except OSError:
                break
        waited = time.monotonic() - began
    assert 0.8 <= waited <= 2.0  # the fixture's timeout is 1 s, for the whole request
    assert get(site.port, "/hexham/protocol.md").status == 200
    assert_quiet(capfd)


def test_connections_beyond_the_pool_are_refused_with_503_not_a_thread_each(
    project: Project, tmp_path: Path, capfd: Capture
) -> None:
    (tmp_path / "a.md").write_text("a\n", encoding="utf-8")
    server, thread = start(Preview(project, tmp_path), timeout=1.0, workers=2, waiting=1)
    port = server.server_address[1]
    threads = threading.active_count()
    idle = []
    try:
        for _ in range(3):  # two hold the workers, one waits its turn
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            time.sleep(0.1)
        for _ in range(10):
            reply = get(port, "/a.md")
            assert reply.status == 503
            assert reply.headers["retry-after"] == "1"
        assert threading.active_count() == threads  # no thread per connection
        for sock in idle:
            assert sock.recv(1) == b""  # each closed after its timeout
        assert get(port, "/a.md").body == b"a\n"  # and the workers are free again
    finally:
        for sock in idle:
            sock.close()
        stop(server, thread)
    assert_quiet(capfd)


def test_the_log_says_what_was_rebuilt_and_when_or_lists_the_problems(project: Project, tmp_path: Path) -> None:
    preview = Preview(project, tmp_path)
    preview.finished = dt.datetime(2026, 11, 25, 12, 4, 31)
    preview.rebuilt = {"hexham": ("protocol.md", "protocol.html"), "duston": ("model-diff.html",)}
    assert preview.report() == [
        "12:04:31 rebuilt hexham (protocol.md, protocol.html)",
        "12:04:31 rebuilt duston (model-diff.html)",
    ]
    preview.rebuilt = {}
    assert preview.report() == ["12:04:31 rebuilt nothing: every document is up to date"]
    preview.errors = ["councils/a.yaml:3:1: error: one", "councils/b.yaml:9:2: error: two"]
    assert preview.report() == ["12:04:31 2 problems:", *preview.errors]
    preview.errors = preview.errors[:1]
    assert preview.report()[0] == "12:04:31 1 problem:"


# --- the live preview of a real project -----------------------------------------------------------------


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a server on 127.0.0.1 we started
        data: bytes = response.read()
    return data.decode("utf-8")


def wait_for(condition: Callable[[], object], timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


Served = tuple[str, TmpProject, list[list[str]]]  # base URL, project, the log: each rebuild's report


@pytest.fixture
def preview(tmp_project: TmpProject) -> Iterator[Served]:
    """`serve` on a free port in a thread, on a copy of the project; yields (base URL, project, log)."""
    started = threading.Event()
    stopping = threading.Event()
    box: dict[str, str] = {}
    log: list[list[str]] = []

    def ready(server: PreviewServer, state: Preview) -> None:
        box["url"] = f"http://127.0.0.1:{server.server_address[1]}"
        started.set()

    thread = threading.Thread(
        target=serve,
        kwargs=dict(
            project=tmp_project.project,
            councils=("hexham",),
            host="127.0.0.1",
            port=0,
            ready=ready,
            stop=stopping,
            on_rebuild=lambda state: log.append(state.report()),
        ),
    )
    thread.start()
    assert started.wait(60)
    yield box["url"], tmp_project, log
    stopping.set()
    thread.join(10)
    assert not thread.is_alive()


def test_serve_rebuilds_on_change_and_shows_mistakes_in_the_page(preview: Served) -> None:
    url, tmp, log = preview
    page = fetch(f"{url}/hexham/protocol.html")
    assert "It is not the role of Councillors" in page
    assert STATE_PATH in page  # the live-reload script
    assert json.loads(fetch(url + STATE_PATH)) == {"generation": 1, "errors": []}
    council = tmp.path("councils/hexham/protocol.yaml")
    good = council.read_text(encoding="utf-8")
    council.write_text(
        good.replace("It is not the role of Councillors", "It is never the role of Councillors"), encoding="utf-8"
    )
    wait_for(lambda: json.loads(fetch(url + STATE_PATH))["generation"] == 2)
    # The adopted text stays at protocol.html; the edit is a draft beside it (see adoption.py).
    assert "It is never the role of Councillors" in fetch(f"{url}/hexham/protocol.draft.html")
    assert "It is never the role of Councillors" not in fetch(f"{url}/hexham/protocol.html")
    wait_for(lambda: log)
    assert re.fullmatch(r"\d\d:\d\d:\d\d rebuilt hexham \(protocol\.draft\.md, protocol\.draft\.html.*\)", log[0][0]), (
        log
    )
    assert all(" rebuilt hexham " in line for line in log[0])  # only hexham changed
    council.write_text(
        good.replace("  - replace: councillors.areas.advocates", "  - replace: councillors.areas.advocate"),
        encoding="utf-8",
    )
    wait_for(lambda: json.loads(fetch(url + STATE_PATH))["errors"])
    errors = json.loads(fetch(url + STATE_PATH))["errors"]
    assert errors[0].startswith("councils/hexham/protocol.yaml:")
    assert "no section, clause or item 'councillors.areas.advocate'" in errors[0]
    assert "It is never the role of Councillors" in fetch(f"{url}/hexham/protocol.draft.html")  # the last good build
    wait_for(lambda: len(log) >= 2)
    assert re.fullmatch(r"\d\d:\d\d:\d\d 1 problem:", log[-1][0]) and log[-1][1:] == errors
    council.write_text(good, encoding="utf-8")
    wait_for(lambda: not json.loads(fetch(url + STATE_PATH))["errors"])
    assert "It is not the role of Councillors" in fetch(f"{url}/hexham/protocol.html")


def test_serve_redirects_to_the_council_and_refuses_unknown_ones(preview: Served, tmp_project: TmpProject) -> None:
    url, _, _ = preview
    with urllib.request.urlopen(url + "/", timeout=5) as response:  # noqa: S310
        assert response.url.endswith("/hexham/protocol.html")
    result = CliRunner().invoke(main, ["--project", str(tmp_project.root), "serve", "hexam", "--port", "0"])
    assert result.exit_code == 1
    assert "no council 'hexam' in councils/ (did you mean 'hexham'?)" in result.output


def test_the_serve_command_logs_rebuilds_and_problems_and_never_a_traceback(tmp_project: TmpProject) -> None:
    """The real command in a process of its own: what a clerk sees in the terminal."""
    command = [sys.executable, "-m", "protocolc", "--project", str(tmp_project.root), "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[tuple[str, str]] = queue.Queue()
    seen: list[tuple[str, str]] = []

    def read(name: str, stream: IO[str]) -> None:
        for line in stream:
            lines.put((name, line.rstrip("\n")))

    for name, stream in (("out", process.stdout), ("err", process.stderr)):
        assert stream is not None
        threading.Thread(target=read, args=(name, stream), daemon=True).start()

    def expect(pattern: str, timeout: float = 30.0) -> tuple[str, str]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                seen.append(lines.get(timeout=0.2))
            except queue.Empty:
                continue
            if re.fullmatch(pattern, seen[-1][1]):
                return seen[-1]
        raise AssertionError(f"no line matching {pattern!r} in {seen}")

    try:
        serving = expect(r"serving .* at http://127\.0\.0\.1:\d+/ \(Ctrl\+C to stop\)")[1]
        port = int(serving.rsplit(":", 1)[1].split("/")[0])
        for target in ("/%00", "/" + "a" * 60_000, "/../../etc/passwd", "/hexham/"):
            assert get(port, target).status in (400, 404, 414)
        socket.create_connection(("127.0.0.1", port)).close()
        council = tmp_project.path("councils/duston/protocol.yaml")
        good = council.read_text(encoding="utf-8")
        council.write_text(good.replace("Councillors are responsible", "Councillors are answerable"), encoding="utf-8")
        assert expect(r"\d\d:\d\d:\d\d rebuilt duston \(.*\)") == ("out", seen[-1][1])
        # The adopted text is unchanged; the edit is a draft, built beside it (see adoption.py).
        assert "(protocol.draft.md, protocol.draft.html)" in seen[-1][1]
        council.write_text(good.replace("version: 167/23", "version: [167/23", 1), encoding="utf-8")
        assert expect(r"\d\d:\d\d:\d\d 1 problem:")[0] == "err"
        assert expect(r"councils/duston/protocol\.yaml:\d+:\d+: error: .*")[0] == "err"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(15)
    time.sleep(0.2)
    while not lines.empty():
        seen.append(lines.get())
    assert process.returncode == 0
    assert ("out", "stopped") in seen
    assert not [line for line in seen if "Traceback" in line[1]], seen
