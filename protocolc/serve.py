"""`protocolc serve`: a live preview of the site while a clerk edits the YAML.

The site is built into the build folder as `build --all` would; a watcher rebuilds
(incrementally) whenever a file under clauses/, councils/ or templates/ changes; every
HTML page served gets a small script that reloads it after a rebuild and, while the
sources have a mistake, shows the mistake (file:line and message) at the top of the page
instead of stopping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import io
import json
import os
import queue
import re
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from . import api
from .errors import ProtocolError
from .project import Project, split_name

STATE_PATH = "/__protocolc__/state"
RELOAD_SCRIPT = """
<script>
(function () {
  var seen = null;
  function show(errors) {
    var box = document.getElementById("protocolc-errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "protocolc-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:sticky;top:0;z-index:9;background:#fff4f4;color:#6b0000;border:3px solid #a4000f;"
        + "padding:0.8em 1em;font:15px/1.4 monospace;white-space:pre-wrap;margin:0 0 1em";
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.textContent = "The sources have a mistake; this page shows the last good build.\\n\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("STATE_PATH", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.generation !== seen && !s.errors.length) { location.reload(); return; }
      seen = s.generation;
      show(s.errors);
    }).catch(function () {}).finally(function () { setTimeout(poll, 700); });
  }
  poll();
})();
</script>
""".replace("STATE_PATH", STATE_PATH)


@dataclass
class Preview:
    """What the server shows: which build it is on, and the problems of the latest attempt.

    After each attempt `rebuilt` says which councils had files written (council id -> file names)
    and `finished` when the attempt ended, for the log.
    """

    project: Project
    out: Path
    councils: tuple[str, ...] = ()
    generation: int = 0
    errors: list[str] = field(default_factory=list)
    rebuilt: dict[str, tuple[str, ...]] = field(default_factory=dict)
    finished: dt.datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> None:
        """Build the site again; a mistake is recorded for the page to show, never raised."""
        problems: list[str] = []
        written: dict[str, list[str]] = {}
        try:
            ids = self.project.council_ids()
            results = api.build(self.project, ids, ["md", "html"], self.out, jobs=1, site=True)
            if self.councils:
                results += api.build(self.project, list(self.councils), ["md", "html", "pdf"], self.out, jobs=1)
            for result in results:
                if result.error:
                    problems += [str(p) for p in result.error.problems]
                for path in result.written:
                    names = written.setdefault(result.council_id, [])
                    if path.name not in names and path.name != "manifest.json":  # the build's own record
                        names.append(path.name)
            api.write_site(self.project, self.out)
        except ProtocolError as exc:
            problems += [str(p) for p in exc.problems]
        except OSError as exc:
            problems.append(f"{exc.filename or self.out}: error: cannot write the preview: {exc.strerror}")
        with self.lock:
            self.errors = list(dict.fromkeys(problems))
            self.rebuilt = {council: tuple(names) for council, names in written.items()}
            self.finished = dt.datetime.now()
            if not problems:
                self.generation += 1

    def state(self) -> dict[str, object]:
        with self.lock:
            return {"generation": self.generation, "errors": list(self.errors)}

    def report(self) -> list[str]:
        """The log lines for the latest attempt: what was rebuilt, or its problems (each file:line: message).

        e.g. `12:04:31 rebuilt hexham (protocol.md, protocol.html)` or `12:04:31 2 problems:` then the problems.
        """
        with self.lock:
            when = (self.finished or dt.datetime.now()).strftime("%H:%M:%S")
            if self.errors:
                count = len(self.errors)
                return [f"{when} {count} problem{'s' if count != 1 else ''}:", *self.errors]
            if not self.rebuilt:
                return [f"{when} rebuilt nothing: every document is up to date"]
            return [f"{when} rebuilt {council} ({', '.join(names)})" for council, names in self.rebuilt.items()]


# --- the HTTP layer ------------------------------------------------------------------------------------

MAX_REQUEST_LINE = 8 * 1024  # longer request lines get 414; no page of the site needs a URL this long
TIMEOUT = 10.0  # seconds a connection may stay silent (or stall) before it is closed
WORKERS = 16  # connections served at once
WAITING = 16  # connections that may wait for a worker; any more are answered 503
DISCONNECTS = (ConnectionError, TimeoutError)  # the client went away or stalled: nothing to report
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class BadRequest(Exception):
    """The request's path is malformed; answered with 400 and the reason."""


class Handler(SimpleHTTPRequestHandler):
    """Serves the build folder; HTML pages get the reload script, and the state is served as JSON.

    Only regular files inside the build folder are served (symlinks are resolved first); a folder is
    served as its index.html or not at all; malformed requests get 400 or 414, never a traceback.
    """

    preview: Preview
    timeout = TIMEOUT  # StreamRequestHandler.setup applies it to the connection
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n%(explain)s\n"

    # --- the request ------------------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # The timeout bounds the whole request, not each read: a client dripping a byte at a time is cut off too.
        self.rfile.close()  # the socket's own file: it would keep the socket open after the connection ends
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, self.timeout))

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if len(self.requestline) > MAX_REQUEST_LINE:  # latin-1: one character a byte
            self.send_error(
                HTTPStatus.REQUEST_URI_TOO_LONG, explain=f"Request lines are limited to {MAX_REQUEST_LINE} bytes."
            )
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - the name http.server calls
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        try:
            path = request_path(self.path)
        except BadRequest as exc:
            self.send_error(HTTPStatus.BAD_REQUEST, explain=str(exc))
            return
        if path == STATE_PATH:
            self._send(200, "application/json", json.dumps(self.preview.state()).encode("utf-8"), body)
            return
        if path == "/" and len(self.preview.councils) == 1:
            self._redirect(HTTPStatus.FOUND, f"/{self.preview.councils[0]}/protocol.html")
            return
        file = self._file(path)
        if file is not None and file.is_dir():  # a folder is its index.html, or nothing: no listings
            file = self._file(path.rstrip("/") + "/index.html")
            if file is not None and not path.endswith("/"):  # the page's relative links need the slash
                self._redirect(HTTPStatus.MOVED_PERMANENTLY, urllib.parse.quote(path + "/"))
                return
        if file is None or not file.is_file():
            if path in ("/", "/index.html") and self.preview.errors:
                self._send(200, "text/html; charset=utf-8", self._error_page(), body)
                return
            self.send_error(HTTPStatus.NOT_FOUND, explain="There is no page at this address in the preview.")
            return
        if file.suffix == ".html":
            try:
                page = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                self.send_error(HTTPStatus.NOT_FOUND, explain="There is no page at this address in the preview.")
                return
            page = page.replace("</body>", RELOAD_SCRIPT + "</body>") if "</body>" in page else page + RELOAD_SCRIPT
            self._send(200, "text/html; charset=utf-8", page.encode("utf-8"), body)
            return
        self._send_file(file, body)

    def _file(self, path: str) -> Path | None:
        """The file or folder a (decoded, checked) URL path names, if it lies inside the build folder."""
        root = Path(self.directory).resolve()
        try:
            target = root.joinpath(*[part for part in path.split("/") if part]).resolve()
            if not target.is_relative_to(root) or not target.exists():
                return None
        except (OSError, ValueError):  # too long a name, a symlink loop, ...
            return None
        return target

    def _error_page(self) -> bytes:
        problems = html.escape("\n".join(self.preview.errors))
        page = (
            "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>protocolc: build failed</title>"
            f"</head><body><h1>The sources have a mistake</h1><pre>{problems}</pre>{RELOAD_SCRIPT}</body></html>"
        )
        return page.encode("utf-8")

    # --- the response -----------------------------------------------------------------------------------

    def _send(self, status: int, content_type: str, data: bytes, body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _send_file(self, file: Path, body: bool) -> None:
        try:
            handle = file.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, explain="There is no page at this address in the preview.")
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(file)))
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.copyfile(handle, self.wfile)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # --- clients that go away ---------------------------------------------------------------------------

    def handle(self) -> None:
        try:
            super().handle()
        except DISCONNECTS:
            self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        try:
            super().copyfile(source, outputfile)
        except DISCONNECTS:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket until a deadline; a read after it (or one that would wait past it) times out.

    The socket's own timeout (which also bounds each write of the answer) is restored after each read.
    """

    def __init__(self, sock: socket.socket, timeout: float | None) -> None:
        self.sock = sock
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout if timeout is not None else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            return self.sock.recv_into(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the client took too long to send its request")
        self.sock.settimeout(left)
        try:
            return self.sock.recv_into(buffer)
        finally:
            self.sock.settimeout(self.timeout)


def request_path(target: str) -> str:
    """The decoded path of a request target, without query or fragment; BadRequest when it is malformed.

    Malformed: not starting with `/`, an invalid %-escape, bytes that are not UTF-8, a control
    character (NUL included), or a `..` segment (a path that would climb out of the build folder).
    """
    raw = target.split("?", 1)[0].split("#", 1)[0]
    if not raw.startswith("/"):
        raise BadRequest("The path must start with '/'.")
    if _BAD_ESCAPE.search(raw):
        raise BadRequest("The path has a '%' that is not followed by two hexadecimal digits.")
    try:
        path = urllib.parse.unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The path is not valid UTF-8.") from None
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        raise BadRequest("The path holds a control character.")
    if ".." in path.split("/"):
        raise BadRequest("The path leads outside the preview.")
    return path


class PreviewServer(HTTPServer):
    """An HTTP server with a fixed pool of worker threads that never prints a traceback.

    At most `workers` connections are handled at once and as many more wait their turn; a
    connection beyond those is answered 503 at once, so a flood of idle connections cannot
    make the server start thread after thread. A client that disconnects or stalls (see the
    handler's timeout) is dropped quietly.
    """

    def __init__(
        self,
        address: tuple[str, int],
        handler: Callable[..., Handler],
        workers: int = WORKERS,
        waiting: int = WAITING,
    ) -> None:
        super().__init__(address, handler)
        self.pending: queue.Queue[tuple[socket.socket, Any] | None] = queue.Queue(maxsize=max(1, waiting))
        self.workers = [
            threading.Thread(target=self._work, name=f"preview-worker-{n}", daemon=True) for n in range(workers)
        ]
        for worker in self.workers:
            worker.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            self.pending.put_nowait((request, client_address))
        except queue.Full:
            self._busy(request)

    def _work(self) -> None:
        while (item := self.pending.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def _busy(self, request: socket.socket) -> None:
        body = b"503 Service Unavailable\nThe preview is busy; reload the page in a moment.\n"
        head = (
            "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            request.settimeout(0.5)
            request.sendall(head.encode("ascii") + body)
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, DISCONNECTS):
            return
        # A fault of the preview itself: one line, not a traceback.
        print(f"error: the preview could not answer a request: {type(error).__name__}: {error}", file=sys.stderr)

    def server_close(self) -> None:
        """Stop listening, drop the connections still waiting, and let the workers end."""
        super().server_close()
        while True:
            try:
                item = self.pending.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.shutdown_request(item[0])
        for _ in self.workers:
            with contextlib.suppress(queue.Full):
                self.pending.put_nowait(None)


def make_server(
    preview: Preview,
    host: str,
    port: int,
    *,
    timeout: float = TIMEOUT,
    workers: int = WORKERS,
    waiting: int = WAITING,
) -> PreviewServer:
    """A server for the preview's build folder; `timeout` is how long a silent connection is kept open."""
    handler = type("PreviewHandler", (Handler,), {"preview": preview, "timeout": timeout})
    return PreviewServer(
        (host, port),
        functools.partial(handler, directory=str(preview.out)),
        workers=workers,
        waiting=waiting,
    )


def watch(
    preview: Preview,
    stop: threading.Event,
    watching: threading.Event,
    on_rebuild: Callable[[Preview], None] | None = None,
) -> None:
    """Rebuild whenever a source file changes, until `stop` is set; `watching` is set once changes are seen."""
    from watchfiles import watch as watch_files

    folders = [str(preview.project.root / name) for name in ("clauses", "councils", "templates")]
    for changes in watch_files(
        *[f for f in folders if Path(f).is_dir()],
        stop_event=stop,
        debounce=200,
        step=50,
        rust_timeout=300,
        yield_on_timeout=True,
    ):
        watching.set()  # the first (empty) yield comes once the watcher is in place
        if not changes:
            continue
        preview.rebuild()
        if on_rebuild:
            on_rebuild(preview)


def serve(
    project: Project,
    councils: tuple[str, ...],
    host: str,
    port: int,
    out: Path | None = None,
    ready: Callable[[PreviewServer, Preview], None] | None = None,
    stop: threading.Event | None = None,
    on_rebuild: Callable[[Preview], None] | None = None,
    timeout: float = TIMEOUT,
    workers: int = WORKERS,
) -> None:
    """Build, then serve and rebuild on every change until `stop` is set (or the process is interrupted).

    `timeout` is how long a silent connection is kept open; `workers` how many are served at once.
    """
    for council_id in councils:
        project.council_folder(split_name(council_id)[0])  # an unknown council is an error now, not a blank page later
    preview = Preview(project, out or project.root / "build", councils)
    preview.rebuild()
    server = make_server(preview, host, port, timeout=timeout, workers=workers)
    stop = stop or threading.Event()
    watching = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop, watching, on_rebuild), daemon=True)
    watcher.start()
    watching.wait(10)  # a change made as soon as the page is served must not be missed

    def shut_down_when_stopped() -> None:
        stop.wait()
        server.shutdown()

    threading.Thread(target=shut_down_when_stopped, daemon=True).start()
    if ready:
        ready(server, preview)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
