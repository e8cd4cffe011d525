"""HTML: the web page (templates/protocol.html.j2 with protocol.css), also what the PDF is laid out from."""

from __future__ import annotations

from .base import Format, Job

TEMPLATE = "protocol.html.j2"
STYLESHEET = "protocol.css"


def render(job: Job) -> bytes:
    layout = job.layout
    text = job.templates.render(True, TEMPLATE, layout.document.name, layout=layout)
    return text.encode("utf-8")


FORMAT = Format("html", "html", "a web page", render, templates=(TEMPLATE, STYLESHEET))
