"""Write stage: outputs land whole or not at all, and a manifest records what was written."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import DocItem, Document


def _count_words(text: str) -> int:
    from .model import count_words  # imported when first needed: a no-op build never loads the model

    return count_words(text)


def manifest_name(document_id: str) -> str:
    """Each document's manifest sits beside its outputs: `build/hexham/protocol.manifest.json`."""
    return f"{document_id}.manifest.json"


def _item_entries(items: tuple[DocItem, ...], words: Callable[[str], int]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for item in items:
        passage = item.passage
        entry = {
            "id": item.id,
            "number": item.label,
            "origin": passage.origin,
            "source": passage.source.short,
            "words": words(passage.markdown),
        }
        if passage.amendment:
            entry["amended"] = passage.amendment.short
        entries.append(entry)
        if item.items:
            entries += _item_entries(item.items, words)
    return entries


def manifest(
    doc: Document,
    outputs: dict[str, bytes],
    inputs: dict[str, str] | None = None,
    words: Callable[[str], int] = _count_words,
) -> dict[str, Any]:
    """What a build wrote and where every clause's words came from.

    `words` counts a text's words as model.count_words does (Templates.word_counts remembers them by text).
    """
    clauses: list[dict[str, Any]] = []
    for section in doc.sections:
        for clause in section.clauses:
            heading, text = clause.heading, clause.text
            entry = {
                "id": clause.id,
                "number": clause.number,
                "origin": clause.origin,
                "source": clause.source.short,
                "words": (words(heading.markdown) if heading else 0) + (words(text.markdown) if text else 0),
            }
            # the first amended of heading and text
            amended = heading.amendment if heading and heading.amendment else text.amendment if text else None
            if amended:
                entry["amended"] = amended.short
            clauses.append(entry)
            if clause.items:
                clauses += _item_entries(clause.items, words)
    current = doc.current
    return {
        "council": doc.council.id,
        "document": doc.id,
        "name": doc.council.name,
        "title": doc.title.markdown,
        "version": current.version,
        "adopted": current.adopted.iso() if current.adopted else None,
        "review_by": current.review_by.iso() if current.review_by else None,
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
        "inputs": inputs,
        "clauses": clauses,
    }


def manifest_bytes(
    doc: Document,
    outputs: dict[str, bytes],
    inputs: dict[str, str] | None = None,
    words: Callable[[str], int] = _count_words,
) -> bytes:
    return (indented_json(manifest(doc, outputs, inputs, words)) + "\n").encode("utf-8")


class _NotPlain(Exception):
    """A value indented_json leaves to the json module."""


_SCALARS = frozenset({str, int, bool, type(None)})
_KEYS = frozenset({str})


def _flat(value: object) -> bool:
    """A non-empty dict of scalars under str keys: a clause's entry in the manifest."""
    return (
        type(value) is dict
        and bool(value)
        and _KEYS.issuperset(map(type, value))
        and _SCALARS.issuperset(map(type, value.values()))
    )


class _Indented:
    """Writes what json.dumps(indent=2, ensure_ascii=False) writes, leaving the flat parts to the C encoder.

    With an indent the json module writes in Python, one generator call per value; a manifest lists every clause,
    so that was a third of the time of rendering a document. The C encoder writes a flat dict, or a list of them,
    with the indent put into its item separator; the separators between the dicts of a list are then put right.
    An encoded string never holds a line break, so '},<line break>' is only ever the end of one of those dicts.
    """

    def __init__(self) -> None:
        self.encoders: dict[str, Callable[[object], str]] = {}  # indent -> the C encoder of flat dicts at that depth

    def encode(self, value: object, indent: str) -> str:
        if indent not in self.encoders:
            encoder = json.JSONEncoder(ensure_ascii=False, separators=(",\n" + indent, ": "), check_circular=False)
            self.encoders[indent] = encoder.encode
        return self.encoders[indent](value)

    def write(self, value: object, indent: str, out: list[str]) -> None:
        kind = type(value)
        inner = indent + "  "
        if kind is dict and value:
            assert isinstance(value, dict)
            if _flat(value):
                out.append("{\n" + inner + self.encode(value, inner)[1:-1] + "\n" + indent + "}")
                return
            separator = "{\n" + inner
            for key, item in value.items():
                if type(key) is not str:
                    raise _NotPlain
                out.append(separator + encode_basestring(key) + ": ")
                self.write(item, inner, out)
                separator = ",\n" + inner
            out.append("\n" + indent + "}")
        elif kind is list and value:
            assert isinstance(value, list)
            if all(map(_flat, value)):
                deeper = inner + "  "
                body = self.encode(value, deeper)[2:-2]  # '[{"id": ...,\n<deeper>"words": 3},\n<deeper>{...}]'
                body = body.replace("},\n" + deeper + "{", "\n" + inner + "},\n" + inner + "{\n" + deeper)
                out.append("[\n" + inner + "{\n" + deeper + body + "\n" + inner + "}\n" + indent + "]")
                return
            separator = "[\n" + inner
            for item in value:
                out.append(separator)
                self.write(item, inner, out)
                separator = ",\n" + inner
            out.append("\n" + indent + "]")
        elif kind in _SCALARS or kind is dict or kind is list:  # a scalar, {} or []
            out.append(json.dumps(value, ensure_ascii=False))
        else:
            raise _NotPlain


def indented_json(value: object) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte, several times as fast for a manifest.

    Anything but str, int, bool, None and lists and dicts of them (str keys) is left to the json module.
    """
    out: list[str] = []
    try:
        _Indented().write(value, "", out)
    except (_NotPlain, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(out)


TEMP_SUFFIX = ".tmp"


def _spare_names(path: Path) -> Iterator[str]:
    """Random names for a temporary file beside `path` (`.protocol.html.<random>.tmp`), a hundred at most."""
    for _ in range(100):
        yield os.path.join(path.parent, f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


# A new file only (never one that is there, nor through a link), closed in any program this process starts.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`: `.protocol.html.<random>.tmp`, removed by the next build if left.

    What tempfile.mkstemp does (a random name, created only if free, readable by its owner alone), in half its
    time: a build creates several of these per document.
    """
    for name in _spare_names(path):
        try:
            return os.open(name, _NEW_FILE, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(path))


def _write_all(fd: int, data: bytes) -> None:
    """All of `data` to the file, straight to the descriptor (no buffered file object around it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _mode(path: Path) -> int:
    """The path's own file type (a link is a link, not what it points to); 0 when there is nothing there."""
    try:
        return os.lstat(path).st_mode
    except (OSError, ValueError):
        return 0


def _backup(path: Path) -> str | None:
    """A hard link to the file at `path` under a new temporary name beside it; None where there are no hard links.

    os.link refuses a name that is taken, so the name needs no reserving first.
    """
    for backup in _spare_names(path):
        try:
            os.link(path, backup)
        except FileExistsError:
            continue
        except OSError:
            return None
        return backup
    return None


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    write_set(path.parent, {path.name: data})


class WriteError(OSError):
    """Writing a set of files failed; nothing of the set was changed. `filename` is the file that failed."""


def write_set(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write several files so that they change together or not at all.

    Every file is written to a temporary file beside its target first; only when all of them are
    written are they renamed into place. If a rename fails part-way, the files already replaced are
    put back from hard links of the previous versions, so the previous set stays whole. No temporary
    file is left behind either way. The last file renamed needs no such link: no rename after it can fail.
    """
    if not files:
        folder.mkdir(parents=True, exist_ok=True)
        return []
    targets = [folder / name for name in files]
    temps: dict[Path, str] = {}
    backups: dict[Path, str] = {}
    replaced: list[Path] = []
    modes: list[int] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            mode = _mode(target)
            if stat.S_ISDIR(mode):
                raise WriteError(21, "a folder is in the way", str(target))
            modes.append(mode)
            try:
                fd, tmp = _temporary(target)
            except OSError:
                if temps:  # the folder is there: a file already went into it
                    raise
                folder.mkdir(parents=True, exist_ok=True)  # the first file: the folder may be missing (or fail here)
                fd, tmp = _temporary(target)
            temps[target] = tmp
            try:
                try:
                    _write_all(fd, data)
                    os.fchmod(fd, 0o644)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise WriteError(exc.errno or 0, exc.strerror or str(exc), str(target)) from None
        for target, mode in zip(targets[:-1], modes, strict=False):
            if stat.S_ISREG(mode):
                backup = _backup(target)
                if backup is not None:  # else no hard links here: that file cannot be put back if a rename fails
                    backups[target] = backup
        for target in targets:
            try:
                os.replace(temps[target], target)
            except OSError as exc:
                raise WriteError(exc.errno or 0, exc.strerror or str(exc), str(target)) from None
            del temps[target]
            replaced.append(target)
    except BaseException:
        if len(replaced) < len(targets):  # else the whole set is in place: nothing to put back
            for target in reversed(replaced):
                if target in backups:
                    with contextlib.suppress(OSError):
                        os.replace(backups.pop(target), target)
        raise
    finally:
        for leftover in (*temps.values(), *backups.values()):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
    return targets


def write_outputs(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file of one document together: all of them change, or none does."""
    return write_set(folder, files)


def remove_files(folder: Path, names: list[str]) -> None:
    """Those of the named files that are in the folder, removed: one listing rather than a removal tried per name.

    When the folder cannot be listed, each removal is tried (and fails as it would have).
    """
    try:
        present: set[str] | None = set(os.listdir(folder))
    except OSError:
        present = None
    for name in names:
        if present is None or name in present:
            (folder / name).unlink(missing_ok=True)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Temporary files a killed build left in a folder (`.protocol.pdf.x8d2k.tmp`): removed before writing."""
    removed = []
    try:
        candidates = list(folder.glob(f".*{TEMP_SUFFIX}"))
    except OSError:
        return []
    for path in candidates:
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
