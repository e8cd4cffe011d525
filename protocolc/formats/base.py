"""What every output format is: a name, an extension, what it reads, and a function from a Job to bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: listing the formats loads neither the layout nor Jinja
    from ..layout import Layout
    from ..templating import Templates


@dataclass
class Job:
    """One document being rendered: its layout, the templates, and the outputs rendered so far (by format name)."""

    layout: Layout
    templates: Templates
    formats: dict[str, Format]
    done: dict[str, bytes] = field(default_factory=dict)

    def output(self, name: str) -> bytes:
        """Another format's output of this document, rendered once however many formats need it."""
        if name not in self.done:
            self.done[name] = self.formats[name].render(self)
        return self.done[name]


@dataclass(frozen=True)
class Format:
    """An output format: its name on the command line, its file extension, what it reads, how it renders."""

    name: str
    extension: str
    description: str
    render: Callable[[Job], bytes]
    templates: tuple[str, ...] = ()  # template files it reads: a change to them re-renders this format only
    uses: tuple[str, ...] = ()  # other formats whose output it starts from (PDF from HTML)
    needs_fonts: bool = False  # embeds fonts, so the font files are among its inputs
