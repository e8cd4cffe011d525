"""Where a project's sources are, and turning council ids a clerk types into safe paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ProtocolError, did_you_mean

COUNCIL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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
        return sorted(p.stem for p in self.councils.glob("*.yaml") if COUNCIL_ID.match(p.stem))

    def council_path(self, council_id: str) -> Path:
        """The file of a council id, refusing anything that is not a plain id inside councils/."""
        if not COUNCIL_ID.match(council_id):
            raise ProtocolError(
                f"'{council_id}' is not a council id",
                hint="a council id is the name of a file in councils/ without '.yaml', "
                "in lower case letters, digits and '-', e.g. hexham",
            )
        path = self.councils / f"{council_id}.yaml"
        if not path.is_file():
            close = did_you_mean(council_id, self.council_ids())
            raise ProtocolError(
                f"no council '{council_id}' in councils/" + (f" ({close})" if close else ""),
                hint=None if close else "run 'protocolc list' to see the councils",
            )
        return path


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
