"""Where a project's sources are, and turning council ids a clerk types into safe paths."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ProtocolError, did_you_mean

COUNCIL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DOCUMENT_ID = COUNCIL_ID
KINDS = ("town", "parish", "community", "city", "village", "neighbourhood")  # what a council may be
MODEL = "model"  # the library's own text, named like a council (diff model hexham)
ID_HINT = "in lower case letters, digits and '-', e.g. hexham"


def _odd(value: str) -> str:
    """Name a character that only looks right (Cyrillic 'а', a zero-width space) in a refused id."""
    from .strays import odd_suffix

    return odd_suffix(value)


@dataclass(frozen=True)
class Project:
    """A folder holding clauses/, councils/ and templates/."""

    root: Path

    @property
    def clauses(self) -> Path:
        return self.root / "clauses"

    @property
    def councils(self) -> Path:
        return self.root / "councils"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def council_ids(self) -> list[str]:
        """The councils: folders of councils/ named by a plain id."""
        if not self.councils.is_dir():
            return []
        with os.scandir(self.councils) as listed:  # whether an entry is a folder comes with its name
            return sorted(e.name for e in listed if COUNCIL_ID.match(e.name) and e.is_dir())

    def council_folder(self, council_id: str) -> Path:
        """The folder of a council id, refusing anything that is not a plain id inside councils/."""
        if not COUNCIL_ID.match(council_id):
            raise ProtocolError(
                f"'{council_id}' is not a council id{_odd(council_id)}",
                hint=f"a council id is the name of a folder in councils/, {ID_HINT}",
            )
        folder = self.councils / council_id
        if not folder.is_dir():
            close = did_you_mean(council_id, self.council_ids())
            raise ProtocolError(
                f"no council '{council_id}' in councils/" + (f" ({close})" if close else ""),
                hint=None if close else "run 'protocolc list' to see the councils",
            )
        return folder

    def document_path(self, council_id: str, document_id: str) -> Path:
        """councils/<council>/<document>.yaml, refusing anything but plain ids."""
        folder = self.council_folder(council_id)
        if not DOCUMENT_ID.match(document_id):
            raise ProtocolError(
                f"'{document_id}' is not a document id{_odd(document_id)}",
                hint="a document id is the name of a file beside council.yaml without '.yaml', e.g. protocol",
            )
        path = folder / f"{document_id}.yaml"
        if not path.is_file() or document_id == "council":
            documents = sorted(p.stem for p in folder.glob("*.yaml") if p.name != "council.yaml")
            close = did_you_mean(document_id, documents)
            raise ProtocolError(
                f"council '{council_id}' has no document '{document_id}'" + (f" ({close})" if close else ""),
                hint=None if close else f"its documents: {', '.join(documents) or 'none yet'}",
            )
        return path


NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}(/[a-z0-9][a-z0-9-]{0,63})?$")


def split_name(name: str) -> tuple[str, str | None]:
    """'hexham/protocol' -> ('hexham', 'protocol'); 'hexham' -> ('hexham', None): every document of the council."""
    if not NAME.match(name):
        raise ProtocolError(
            f"'{name}' is not a council or document name{_odd(name)}",
            hint=f"name a council (a folder of councils/, {ID_HINT}) or one of its documents: hexham/protocol",
        )
    council_id, _, document_id = name.partition("/")
    return council_id, (document_id or None)


def find_project(start: Path | None = None, explicit: Path | None = None) -> Project:
    """The project folder: --project if given, else the current folder or the nearest parent holding councils/."""
    if explicit is not None:
        root = explicit.resolve()
        if not (root / "councils").is_dir():
            raise ProtocolError(
                f"{explicit} is not a protocolc project: it has no councils/ folder",
                hint="point --project at the folder that holds clauses/, councils/ and templates/",
            )
        return Project(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "councils").is_dir():
            return Project(folder)
    raise ProtocolError(
        f"no protocolc project here: neither {here} nor any folder above it has a councils/ folder",
        hint="run protocolc inside a project, or give --project DIR",
    )
