"""Sources as they were at a git revision, read without touching the working tree.

`hexham@HEAD~3`, `hexham@v1.0` (a tag, or a version label from the council's
history), `hexham@2023-03-02` (the last commit on or before that day).
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from pathlib import Path

from .errors import ProtocolError, Source
from .project import Project

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SAFE_REV = re.compile(r"^[A-Za-z0-9._/~^@{}:+-]+$")


def _git(root: Path, *args: str) -> str | None:
    """Run git in the project; None when git says no."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError:
        raise ProtocolError("git is not installed", hint="install git to compare against a revision") from None
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def resolve_revision(project: Project, council_id: str, rev: str, document_id: str = "protocol") -> str:
    """The commit a revision names: a git revision, a date, or a version label of the council."""
    if not SAFE_REV.match(rev) or rev.startswith("-"):
        raise ProtocolError(f"'{rev}' is not a revision", hint="use a tag, a commit, HEAD~N, a date or a version label")
    if _git(project.root, "rev-parse", "--is-inside-work-tree") is None:
        raise ProtocolError(
            f"cannot read '{council_id}@{rev}': {project.root} is not in a git repository",
            hint="revisions need the project to be a git repository",
        )
    commit = _git(project.root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit:
        return commit
    if DATE.match(rev):
        commit = _git(project.root, "rev-list", "-1", f"--before={rev} 23:59:59", "HEAD")
        if commit:
            return commit
        raise ProtocolError(f"no commit on or before {rev}", hint="the repository's history starts later")
    label = rev[1:] if rev[:1] in "vV" and rev[1:2].isdigit() else rev
    pattern = rf"version:[ ]*[\"']?{re.escape(label)}[\"']?[ ]*$"  # pickaxe regexes are POSIX extended
    found = _git(
        project.root,
        "log",
        "--format=%H",
        "--reverse",
        "-G",
        pattern,
        "--",
        f"{_prefix(project)}councils/{council_id}/{document_id}.yaml",
    )
    if found:
        return found.splitlines()[0]
    raise ProtocolError(
        f"unknown revision '{rev}' for {council_id}",
        hint="give a tag, a commit (e.g. HEAD~1), a date (2023-03-02) or a version label from the council's versions",
    )


def _prefix(project: Project) -> str:
    prefix = _git(project.root, "rev-parse", "--show-prefix") or ""
    return prefix


def export(project: Project, commit: str, into: Path) -> Project:
    """Write clauses/, councils/ and templates/ as they were at `commit` into a folder; return it as a Project."""
    prefix = _prefix(project)
    paths = [f"{prefix}{name}" for name in ("clauses", "councils", "templates")]
    present = [p for p in paths if _git(project.root, "cat-file", "-e", f"{commit}:{p}") is not None]
    if f"{prefix}councils" not in present:
        raise ProtocolError(f"revision {commit[:12]} has no councils/ folder", hint="pick a later revision")
    done = subprocess.run(
        ["git", "-C", str(project.root), "archive", "--format=tar", commit, *present], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise ProtocolError(f"cannot read revision {commit[:12]}: {done.stderr.decode(errors='replace').strip()}")
    try:
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
            tar.extractall(into, filter="data")
    except tarfile.FilterError as exc:  # a link out of the project, an absolute path, a device file
        member = exc.tarinfo
        name = member.name.removeprefix(prefix) if prefix else member.name
        what = f"a link to {member.linkname}, outside the project" if member.issym() or member.islnk() else "not a file"
        raise ProtocolError(
            f"{name} at revision {commit[:12]} is {what}",
            Source(name),
            "protocolc reads only plain files inside the project; pick another revision, or compare without '@'",
        ) from None
    except (tarfile.TarError, OSError) as exc:
        raise ProtocolError(f"cannot read revision {commit[:12]}: {exc}") from None
    return Project(into / prefix if prefix else into)
