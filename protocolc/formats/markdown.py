"""Markdown: the text for review in git (templates/protocol.md.j2)."""

from __future__ import annotations

from .base import Format, Job

TEMPLATE = "protocol.md.j2"


def render(job: Job) -> bytes:
    layout = job.layout
    text = job.templates.render(False, TEMPLATE, layout.document.name, layout=layout)
    return text.encode("utf-8")


FORMAT = Format("md", "md", "Markdown, for review in git", render, templates=(TEMPLATE,))
