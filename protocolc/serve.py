"""`protocolc serve`: a live preview of the site while a clerk edits the YAML.

The site is built into the build folder as `build --all` would; a watcher rebuilds
(incrementally) whenever a file under clauses/, councils/ or templates/ changes; every
HTML page served gets a small script that reloads it after a rebuild and, while the
sources have a mistake, shows the mistake (file:line and message) at the top of the page
instead of stopping.
"""

from __future__ import annotations

import functools
import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
    """What the server shows: which build it is on, and the problems of the latest attempt."""

    project: Project
    out: Path
    councils: tuple[str, ...] = ()
    generation: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> None:
        """Build the site again; a mistake is recorded for the page to show, never raised."""
        problems: list[str] = []
        try:
            ids = self.project.council_ids()
            results = api.build(self.project, ids, ["md", "html"], self.out, jobs=1, site=True)
            if self.councils:
                results += api.build(self.project, list(self.councils), ["md", "html", "pdf"], self.out, jobs=1)
            for result in results:
                if result.error:
                    problems += [str(p) for p in result.error.problems]
            api.write_site(self.project, self.out)
        except ProtocolError as exc:
            problems += [str(p) for p in exc.problems]
        with self.lock:
            self.errors = list(dict.fromkeys(problems))
            if not problems:
                self.generation += 1

    def state(self) -> dict:
        with self.lock:
            return {"generation": self.generation, "errors": list(self.errors)}


class Handler(SimpleHTTPRequestHandler):
    """Serves the build folder; HTML pages get the reload script, and the state is served as JSON."""

    preview: Preview

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = self.path.split("?", 1)[0]
        if path == STATE_PATH:
            self._send(200, "application/json", json.dumps(self.preview.state()).encode("utf-8"))
            return
        if path == "/" and len(self.preview.councils) == 1:
            self.send_response(302)
            self.send_header("Location", f"/{self.preview.councils[0]}/protocol.html")
            self.end_headers()
            return
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            page = file.read_text(encoding="utf-8")
            page = page.replace("</body>", RELOAD_SCRIPT + "</body>") if "</body>" in page else page + RELOAD_SCRIPT
            self._send(200, "text/html; charset=utf-8", page.encode("utf-8"))
            return
        if path in ("/", "/index.html") and self.preview.errors:
            body = (
                "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>protocolc: build failed</title>"
            )
            body += (
                f"</head><body><h1>The sources have a mistake</h1><pre>{html.escape(chr(10).join(self.preview.errors))}"
            )
            body += "</pre>" + RELOAD_SCRIPT + "</body></html>"
            self._send(200, "text/html; charset=utf-8", body.encode("utf-8"))
            return
        super().do_GET()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(preview.out)))


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
    ready: Callable[[ThreadingHTTPServer, Preview], None] | None = None,
    stop: threading.Event | None = None,
    on_rebuild: Callable[[Preview], None] | None = None,
) -> None:
    """Build, then serve and rebuild on every change until `stop` is set (or the process is interrupted)."""
    for council_id in councils:
        project.council_folder(split_name(council_id)[0])  # an unknown council is an error now, not a blank page later
    preview = Preview(project, out or project.root / "build", councils)
    preview.rebuild()
    server = make_server(preview, host, port)
    stop = stop or threading.Event()
    watching = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop, watching, on_rebuild), daemon=True)
    watcher.start()
    watching.wait(10)  # a change made as soon as the page is served must not be missed
    threading.Thread(target=lambda: (stop.wait(), server.shutdown()), daemon=True).start()
    if ready:
        ready(server, preview)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
