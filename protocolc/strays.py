"""Files in councils/ that protocolc will not read, and ids with characters that only look right.

A clerk who names a folder `Hexham/` or a file `protocol.yml` sees nothing built and no error; a
council id typed with a Cyrillic 'а' or a zero-width space looks right and names nothing. Each is a
warning naming the file and the rename that fixes it, or an error naming the character.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .errors import Problem, Source
from .project import COUNCIL_ID, DOCUMENT_ID, Project

YAML_LIKE = re.compile(r"\.(ya?ml)$", re.IGNORECASE)
COUNCIL_FILE = "council.yaml"


def odd_characters(value: str) -> str | None:
    """The first character of an id that is not plain ASCII, named: "'а' (CYRILLIC SMALL LETTER A) at position 3"."""
    for index, char in enumerate(value, 1):
        if not char.isascii() or not char.isprintable():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            shown = char if char.isprintable() and not unicodedata.category(char).startswith(("C", "Z")) else ""
            quoted = f"'{shown}' " if shown else ""
            return f"{quoted}({name}, U+{ord(char):04X}) at character {index}"
    return None


def odd_suffix(value: str) -> str:
    """`: it has the character ...` for a message about an id, or nothing when every character is plain."""
    odd = odd_characters(value)
    return f": it has the character {odd}" if odd else ""


# Letters of other alphabets that look like Latin ones, as keyboards and copied text bring them in.
LOOKALIKES = str.maketrans("аеорсухіјѕһԁԛԝАВЕКМНОРСТХІЈЅ", "aeopcyxijshdqwABEKMHOPCTXIJS")


def plain_id(name: str) -> str:
    """The id a misnamed folder or file most likely meant: `St_Ives` -> `st-ives`, Cyrillic 'а' -> 'a'."""
    latin = unicodedata.normalize("NFKD", name.translate(LOOKALIKES))
    ascii_only = latin.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


def _rename_hint(folder: str, wrong: str, right: str, suffix: str = "") -> str:
    if right:
        return f"rename {folder}{wrong}{suffix} to {folder}{right}{suffix}"
    return f"rename {folder}{wrong}{suffix}: ids are lower-case letters, digits and '-'"


def stray_files(project: Project) -> list[Problem]:
    """Warnings for files and folders in councils/ that protocolc does not read, each with the rename that fixes it."""
    councils = project.councils
    if not councils.is_dir():
        return []
    problems: list[Problem] = []

    def warn(path: str, message: str, hint: str) -> None:
        problems.append(Problem(message, Source(path), hint, severity="warning"))

    with os.scandir(councils) as listed:  # scandir: whether an entry is a folder comes with its name
        entries = sorted(listed, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        where = f"councils/{name}"
        if entry.is_dir():
            if not COUNCIL_ID.match(name):
                odd = odd_characters(name)
                reason = f"has the character {odd}" if odd else "is not a council id"
                right = plain_id(name)
                hint = _rename_hint("councils/", name, right, "/")
                if right and (councils / right).exists():
                    hint = f"councils/{right}/ already exists: move what you need into it, then delete this folder"
                warn(where + "/", f"protocolc does not read this folder: its name {reason}", hint)
                continue
            problems += _stray_in_council(Path(entry.path), where)
        elif YAML_LIKE.search(name):
            stem = YAML_LIKE.sub("", name)
            cid = plain_id(stem) or "<id>"
            warn(
                where,
                "protocolc does not read YAML files directly in councils/: each council has a folder",
                f"move it to councils/{cid}/{COUNCIL_FILE} (name, kind, terms) and councils/{cid}/protocol.yaml "
                "(the document: versions, sections, changes)",
            )
    return problems


def _stray_in_council(folder: Path, where: str) -> list[Problem]:
    problems: list[Problem] = []
    with os.scandir(folder) as listed:
        names = sorted(e.name for e in listed if not e.name.startswith(".") and e.is_file())
    for name in names:
        if (name.endswith(".yaml") and DOCUMENT_ID.match(name[:-5])) or not YAML_LIKE.search(name):
            continue  # the usual case, decided without the checks below
        stem = YAML_LIKE.sub("", name)
        right = (plain_id(stem) or "<document>") + ".yaml"
        if not name.endswith(".yaml"):
            message = "protocolc reads only files ending in '.yaml' (lower case), so it does not read this file"
        elif stem != "council" and not DOCUMENT_ID.match(stem):
            odd = odd_characters(stem)
            reason = f"has the character {odd}" if odd else "is not a document id"
            message = f"protocolc does not read this file: its name {reason}"
        else:
            continue
        if right == name:
            right = "<document>.yaml"
        problems.append(
            Problem(message, Source(f"{where}/{name}"), f"rename {where}/{name} to {where}/{right}", severity="warning")
        )
    return problems
