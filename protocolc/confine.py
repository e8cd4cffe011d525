"""Every file protocolc reads lies inside the project, every file it writes inside the output folder.

A link committed to a documents repository (`councils/x/protocol.yaml -> /etc/passwd`, `build -> /home/...`)
must not make protocolc print a file from elsewhere or write over one: links that resolve outside are
refused, naming the link as the clerk sees it, never printing what is behind it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ProtocolError, Source

SOURCE_FOLDERS = ("clauses", "councils", "templates")


def shown(path: Path, root: Path) -> str:
    """A path relative to the root as written, links not followed: the name of the link, not of its target."""
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return absolute.as_posix()


def _link_in(path: Path, root: Path) -> Path:
    """The first link on the way from the root down to `path` (the path itself when none is found)."""
    base = Path(os.path.abspath(root))
    absolute = Path(os.path.abspath(path))
    try:
        parts = absolute.relative_to(base).parts
    except ValueError:
        return absolute
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            return current
    return absolute


def _which(link: Path, path: Path, base: Path) -> str:
    """How a message names the link: 'this file' when it is the file the message is about."""
    if os.path.abspath(link) == os.path.abspath(path):
        return "this folder" if link.is_dir() else "this file"
    return shown(link, base)


def is_inside(path: Path, root: Path) -> bool:
    """Whether a path, every link followed, lies inside the root (itself resolved)."""
    return path.resolve().is_relative_to(root.resolve())


def check_read(path: Path, root: Path, base: Path | None = None) -> None:
    """Refuse to read a file of the project that resolves outside it (through a link anywhere on its way).

    Paths are shown relative to `base` (default: the root).
    """
    if is_inside(path, root):
        return
    link = _link_in(path, root)
    base = base or root
    raise ProtocolError(
        f"{_which(link, path, base)} is a link to {os.path.realpath(link)}, outside the project",
        Source(shown(path, base)),
        "protocolc reads only files inside the project: replace the link with a copy of the file",
    )


def check_write(path: Path, out: Path) -> None:
    """Refuse to write a file that would land outside the output folder (a linked council folder, say)."""
    if is_inside(path.parent, out):
        return
    link = _link_in(path.parent, out)
    raise ProtocolError(
        f"{_which(link, path, out.parent)} is a link to {os.path.realpath(link)}, outside the output folder",
        Source(shown(path, out.parent)),
        "protocolc writes only inside its output folder: remove the link",
    )


def check_default_output(root: Path, out: Path) -> None:
    """The project's own build/ may not be a link out of the project (a committed `build -> /somewhere`)."""
    if out.is_symlink() and not is_inside(out, root):
        raise ProtocolError(
            f"this folder is a link to {os.path.realpath(out)}, outside the project",
            Source(shown(out, root)),
            "remove the link (build/ is made by protocolc), or give the output folder with -o",
        )


def misplaced_output(root: Path, out: Path) -> str | None:
    """Why an output folder given with -o would overwrite the project's sources; None when it is fine."""
    target = out.resolve()
    project = root.resolve()
    if target == project:
        return "the project folder itself"
    for name in SOURCE_FOLDERS:
        folder = (project / name).resolve()
        if target == folder or target.is_relative_to(folder):
            return f"the project's {name}/ folder"
    return None
