"""The cheap first check of a build: are a document's outputs current, judged from the raw input files alone?

Deciding that a document is up to date the thorough way (build.py) means loading the library,
resolving the document and hashing its whole resolved form. Most builds change nothing, so first
a cheaper question is asked: are the files this document is made from byte for byte the ones that
made its outputs last time, and are the outputs untouched since? The files are the council's
council.yaml and document file (and the names of its other documents), the library files its
document type uses (clauses/library.yaml and clauses/<document>/), the templates each format reads,
protocolc's code and the versions of what renders, and for the PDF the font files.

What a build did is recorded in a cache file outside the output folder (the outputs and their
manifests stay byte for byte reproducible): per document, a key per format over those files, and
the size, modification time and inode of every file written. A document is skipped only when all
of them match; any doubt (no cache, a damaged or partial one, a file touched, an input changed,
warnings to show) sends it to the thorough check, which rebuilds only what really changed and
records the document again. So a lost or interrupted cache costs time, never a stale output.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .formats import FORMATS, filename
from .project import COUNCIL_ID, NAME, Project
from .write import manifest_name, write_atomic

PACKAGED_TEMPLATES = Path(__file__).parent / "templates"

SCHEME = "protocolc-quick-2"
MODEL_DIFF = "model-diff"  # the site's page of changes from the model, checked like a format
FONT_FAMILIES = ("DejaVu Serif", "DejaVu Sans")  # the families templates/protocol.css names
COUNCIL_FILE = "council.yaml"


@cache
def environment_key() -> str:
    """protocolc's own code and the versions of what renders: what changes outputs without any source changing."""
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        code.update(path.read_bytes())
    parts = [f"code={code.hexdigest()}"]
    for package in ("protocolc", "weasyprint", "jinja2", "markdown-it-py"):
        try:
            parts.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}=?")
    return "\n".join(parts)


@cache
def fonts_key() -> str:
    """The font files the stylesheet's families resolve to: only the PDF embeds them. Asked once per process."""
    if not shutil.which("fc-match"):
        return "fonts=?"
    parts = []
    for family in FONT_FAMILIES:
        found = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False)
        path = Path(found.stdout.strip())
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        parts.append(f"{family}={path.name}:{digest}")
    return "\n".join(parts)


def build_date() -> dt.date:
    """The day a draft is built on (SOURCE_DATE_EPOCH when set, for reproducible builds): its pages print it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def format_templates(name: str) -> tuple[str, ...]:
    """The template files a format reads, with those of the formats it starts from (the PDF reads the HTML's)."""
    fmt = FORMATS[name]
    return fmt.templates + tuple(t for u in fmt.uses for t in FORMATS[u].templates)


def cache_folder() -> Path:
    """$PROTOCOLC_CACHE, else $XDG_CACHE_HOME/protocolc, else ~/.cache/protocolc."""
    explicit = os.environ.get("PROTOCOLC_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "protocolc"


RACY_NS = 2_000_000_000  # a file changed this close to when it was hashed is read again next time


class FileHashes:
    """Each input file's hash, read again only when its size, times or inode changed (as git's index does).

    A file changed within two seconds before it was hashed is not trusted by its times (it could change
    again within the same clock tick): it is read again until it has been still for longer.
    Links are always read, with where they lead.
    """

    def __init__(self, table: Any) -> None:
        self.table: dict[str, list[Any]] = table if isinstance(table, dict) else {}
        self.changed = False

    def content(self, path: str) -> str:
        try:
            found = os.lstat(path)
        except OSError:
            return "missing"
        if stat.S_ISLNK(found.st_mode):
            return "link " + os.path.realpath(path) + " " + self._read(path)
        signature = [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino]
        recorded = self.table.get(path)
        if (
            isinstance(recorded, list)
            and len(recorded) == 6
            and recorded[:4] == signature
            and isinstance(recorded[4], int)
            and max(found.st_mtime_ns, found.st_ctime_ns) < recorded[4] - RACY_NS
            and isinstance(recorded[5], str)
        ):
            return recorded[5]
        hashed_at = time.time_ns()
        digest = self._read(path)
        self.table[path] = [*signature, hashed_at, digest]
        self.changed = True
        return digest

    @staticmethod
    def _read(path: str) -> str:
        try:
            with open(path, "rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            return "missing"

    def update(self, digest: Any, root: str, names: Iterable[str]) -> None:
        """Each file's name (relative to `root`) and content hash into `digest`; a missing file as missing."""
        for name in names:
            digest.update(f"{name}\0{self.content(os.path.join(root, name))}\0".encode())


def template_digest(folders: list[Path], names: tuple[str, ...], hashes: FileHashes | None = None) -> str:
    """The files these templates resolve to in `folders` (the first found wins, as Templates finds them)."""
    hashes = hashes or FileHashes({})
    digest = hashlib.sha256()
    for name in names:
        path = next((f / name for f in folders if (f / name).is_file()), None)
        if path is None:  # the thorough check reports it
            digest.update(f"{name}\0missing\0".encode())
            continue
        hashes.update(digest, str(path.parent), (name,))
    return digest.hexdigest()


def _stat(path: str) -> list[int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ino]


class QuickCheck:
    """The first check of one build (one project, one output folder, one set of formats, one day).

    `day` is the day drafts are built on (SOURCE_DATE_EPOCH or today): a draft's pages print it.
    """

    def __init__(self, project: Project, out: Path, formats: tuple[str, ...], site: bool, day: str) -> None:
        self.project, self.out, self.formats, self.site = project, out, formats, site
        self.path = self.cache_path(out, "documents")
        self.entries: dict[str, Any] = {}
        self.changed = False
        files: Any = None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("scheme") == SCHEME and isinstance(data.get("documents"), dict):
                self.entries, files = data["documents"], data.get("files")
        except (OSError, ValueError):
            pass
        self.hashes = FileHashes(files)
        self.root = str(project.root)
        self.day = day
        self._common: dict[str, str] = {}
        self._library: dict[str, str] = {}
        self._documents: dict[str, list[str]] = {}
        self._adopted: set[str] = set()  # councils whose folder has adopted/
        self._listed: set[str] = set()  # council folders seen in councils/, and those of them that are links
        self._linked: set[str] = set()

    @staticmethod
    def cache_path(out: Path, what: str) -> Path:
        """The cache file of one output folder: `documents` (this check) or `site` (the index, see site.py)."""
        return cache_folder() / f"{hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32]}.{what}.json"

    # --- the keys -------------------------------------------------------------------------------------
    def _common_key(self, name: str) -> str:
        """What a format's outputs depend on besides the document's own files: code, templates, fonts."""
        if name not in self._common:
            parts = [SCHEME, name, environment_key()]
            if name != MODEL_DIFF:
                folders = [f for f in (self.project.templates, PACKAGED_TEMPLATES) if f.is_dir()]
                parts.append(template_digest(folders, format_templates(name), self.hashes))
                if FORMATS[name].needs_fonts:
                    parts.append(fonts_key())
            self._common[name] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        return self._common[name]

    def _library_key(self, document_id: str) -> str:
        """clauses/library.yaml and every file of clauses/<document>/."""
        if document_id not in self._library:
            folder = self.project.clauses / document_id
            files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
            names = ["clauses/library.yaml", *(p.relative_to(self.project.root).as_posix() for p in files)]
            digest = hashlib.sha256()
            self.hashes.update(digest, self.root, names)
            self._library[document_id] = digest.hexdigest()
        return self._library[document_id]

    def documents(self, council_id: str) -> list[str]:
        """The documents of a council as its folder lists them (no file is read)."""
        if council_id not in self._documents:
            try:
                with os.scandir(f"{self.root}/councils/{council_id}") as listed:
                    names = sorted(e.name for e in listed)
            except OSError:
                names = []
            self._documents[council_id] = [n[:-5] for n in names if n[-5:] == ".yaml" and n != COUNCIL_FILE]
            if "adopted" in names:
                self._adopted.add(council_id)
        return self._documents[council_id]

    def keys(self, council_id: str, document_id: str) -> dict[str, str]:
        """A key per format (and for the site's page of changes from the model) over the files it is made from.

        The council's files: council.yaml, the document's file, its adopted snapshots (which decide whether
        the sources are published or a draft), and the names of its other documents; the day a draft is built.
        """
        digest = hashlib.sha256(f"{','.join(self.documents(council_id))}\0{self.day}\0".encode())
        folder = f"councils/{council_id}"
        if council_id in self._linked or council_id not in self._listed:
            digest.update(b"\0link " + os.path.realpath(os.path.join(self.root, folder)).encode())
        adopted = f"{folder}/adopted/{document_id}"
        snapshots: list[str] = []
        if council_id in self._adopted:
            with contextlib.suppress(OSError), os.scandir(os.path.join(self.root, adopted)) as listed:
                snapshots = sorted(f"{adopted}/{e.name}" for e in listed)
        files = (f"{folder}/{COUNCIL_FILE}", f"{folder}/{document_id}.yaml", *snapshots)
        self.hashes.update(digest, self.root, files)
        own = digest.hexdigest() + self._library_key(document_id)
        names = self.formats + ((MODEL_DIFF,) if self.site and "html" in self.formats else ())
        return {name: hashlib.sha256((own + self._common_key(name)).encode()).hexdigest() for name in names}

    # --- which documents ------------------------------------------------------------------------------
    def names(self, specs: list[str] | None) -> list[tuple[str, str]] | None:
        """(council, document) pairs as Workspace.names gives them, from the folders alone; None when unsure."""
        try:
            with os.scandir(self.project.councils) as listed:
                folders = [e for e in listed if COUNCIL_ID.match(e.name) and e.is_dir()]
        except OSError:
            return None
        self._listed = {e.name for e in folders}
        self._linked = {e.name for e in folders if e.is_symlink()}
        if specs is None:
            specs = sorted(self._listed)
        found: list[tuple[str, str]] = []
        for spec in specs:
            if not NAME.match(spec):
                return None
            council_id, _, document_id = spec.partition("/")
            documents = self.documents(council_id)
            if not documents and not (self.project.councils / council_id).is_dir():
                return None
            if document_id:
                if document_id not in documents:
                    return None
                found.append((council_id, document_id))
            elif not documents:
                return None
            else:
                found += [(council_id, d) for d in documents]
        return list(dict.fromkeys(found))

    # --- the check ------------------------------------------------------------------------------------
    def _files(self, document_id: str) -> list[str]:
        files = [filename(document_id, f) for f in self.formats] + [manifest_name(document_id)]
        if self.site and "html" in self.formats:
            files.append(f"{document_id}.{MODEL_DIFF}.html")
        return files

    def _entry(self, council_id: str, document_id: str) -> str:
        """One record per document and kind of build: `serve` builds a site as md,html and some councils as PDF too.

        Any build that writes a document's files rewrites its manifest, so records of other kinds of build
        no longer match it: they can only send the document to the thorough check.
        """
        return f"{council_id}/{document_id} {','.join(self.formats)}{' site' if self.site else ''}"

    def fresh(self, council_id: str, document_id: str, keys: dict[str, str]) -> bool:
        """Whether the cache vouches that this document's outputs are current: `keys` are its keys now."""
        entry = self.entries.get(self._entry(council_id, document_id))
        if not isinstance(entry, dict) or entry.get("formats") != list(self.formats):
            return False
        recorded = entry.get("keys")
        if not isinstance(recorded, dict) or any(recorded.get(k) != v for k, v in keys.items()):
            return False
        stats = entry.get("files")
        if not isinstance(stats, dict):
            return False
        folder = f"{self.out}/{council_id}/"
        return all(stats.get(name) == _stat(folder + name) for name in self._files(document_id))

    def record(self, council_id: str, document_id: str, keys: dict[str, str]) -> None:
        """Vouch for a document just built or found current: its keys (taken before it was built) and its files."""
        folder = f"{self.out}/{council_id}/"
        stats = {name: _stat(folder + name) for name in self._files(document_id)}
        name = self._entry(council_id, document_id)
        if any(s is None for s in stats.values()):
            self.forget(council_id, document_id)
            return
        self.entries[name] = {"formats": list(self.formats), "keys": keys, "files": stats}
        self.changed = True

    def forget(self, council_id: str, document_id: str) -> None:
        if self.entries.pop(self._entry(council_id, document_id), None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the cache whole (a failure to write it only means the next build checks the slow way)."""
        if not self.changed and not self.hashes.changed:
            return
        data = {"scheme": SCHEME, "out": str(self.out.resolve()), "documents": self.entries, "files": self.hashes.table}
        with contextlib.suppress(OSError):
            write_atomic(self.path, json.dumps(data, separators=(",", ":")).encode("utf-8"))


class IndexRecord:
    """Whether build/index.html is still what a site build would write, so a no-op build can leave it alone.

    Asked only after a build of every council found every document up to date (nothing in the council
    folders was written). The index then depends on the day (review states), the index template,
    protocolc's code, which councils and documents the project has, and which folders the output
    folder holds; the record keeps a hash of those and the index file's size, time and inode.
    """

    def __init__(self, project: Project, out: Path, day: Any, known: set[tuple[str, str]]) -> None:
        self.out = out
        self.path = QuickCheck.cache_path(out, "site")
        folders = [f for f in (project.templates, PACKAGED_TEMPLATES) if f.is_dir()]
        digest = hashlib.sha256(f"{SCHEME}\0{day}\0{environment_key()}\0".encode())
        digest.update(template_digest(folders, ("index.html.j2",)).encode())
        digest.update(repr(sorted(known)).encode())
        try:
            digest.update(repr(sorted(e.name for e in os.scandir(out) if e.is_dir(follow_symlinks=False))).encode())
        except OSError:
            digest.update(b"\0no output folder")
        self.key = digest.hexdigest()

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def _index(self) -> list[int] | None:
        return _stat(str(self.index))

    def current(self) -> bool:
        try:
            recorded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        index = self._index()
        return index is not None and recorded == {"key": self.key, "index": index}

    def save(self) -> None:
        index = self._index()
        if index is not None:
            with contextlib.suppress(OSError):
                write_atomic(self.path, json.dumps({"key": self.key, "index": index}).encode("utf-8"))
