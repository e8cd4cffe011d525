"""Stage 7, the command: `protocolc import FILE --council ID [--document protocol] [--force]`.

Reads FILE, runs the stages and writes councils/<id>/council.yaml, councils/<id>/<document>.yaml and
councils/<id>/<document>.import-report.txt. An existing council is refused unless --force; on any
error nothing is written. The lead registers it in cli.py with `main.add_command(import_command)`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from ..errors import ProtocolError, Source
from ..project import COUNCIL_ID, find_project
from ..write import write_atomic

DOCUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def existing(councils: Path, council_id: str) -> list[Path]:
    """What already stands for this council id: its folder."""
    return [p for p in (councils / council_id,) if p.exists()]


def run_import(
    project_dir: Path | None,
    file: Path,
    council_id: str,
    document: str,
    force: bool,
    tolerance: float | None = None,
) -> tuple[list[Path], str]:
    """Import FILE as council `council_id`; returns the files written and the proofing report."""
    if not COUNCIL_ID.match(council_id):
        raise ProtocolError(
            f"'{council_id}' is not a council id",
            hint="use lower-case letters, digits and '-', e.g. hexham or much-wenlock",
        )
    if not DOCUMENT_ID.match(document):
        raise ProtocolError(f"'{document}' is not a document id", hint="use lower-case letters, e.g. protocol")
    project = find_project(explicit=project_dir)
    there = existing(project.councils, council_id)
    if there and not force:
        shown = " and ".join(p.relative_to(project.root).as_posix() for p in there)
        raise ProtocolError(
            f"council '{council_id}' already exists ({shown})",
            hint="choose another --council id, or give --force to replace its imported files",
        )
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ProtocolError(f"cannot read {file}: {exc.strerror}", Source(str(file)), "check the file's name") from exc
    from ..load import load_library
    from . import import_document
    from .align import TOLERANCE

    library = load_library(project.root)
    result = import_document(
        data, file.name, council_id, library, document, TOLERANCE if tolerance is None else tolerance
    )
    folder = project.councils / council_id
    outputs = {
        folder / "council.yaml": result.emitted.council_yaml,
        folder / f"{document}.yaml": result.emitted.document_yaml,
        folder / f"{document}.import-report.txt": result.emitted.report,
    }
    for path, text in outputs.items():
        write_atomic(path, text.encode("utf-8"))
    return list(outputs), result.emitted.report


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--council", "council_id", required=True, help="The new council's id, e.g. hexham.")
@click.option("--document", default="protocol", show_default=True, help="The document's id.")
@click.option("--force", is_flag=True, help="Replace the files of a council that already exists.")
@click.option(
    "--exact",
    is_flag=True,
    help="Keep every capital and punctuation mark as written (less library text is shared).",
)
@click.option("--report/--no-report", default=False, help="Also print the proofing report.")
@click.pass_context
def import_command(
    ctx: click.Context, file: Path, council_id: str, document: str, force: bool, exact: bool, report: bool
) -> None:
    """Make a council's YAML files from its existing document (.docx, .pdf, .txt or .md).

    \b
    Examples:
      protocolc import "Member Officer Protocol.docx" --council much-wenlock
      protocolc import protocol.pdf --council hexham --force --report

    Writes councils/<id>/council.yaml, councils/<id>/<document>.yaml and a proofing report
    (<document>.import-report.txt) listing what matched the library exactly, nearly (with the
    differing words), what is the council's own, and anything it could not place.
    """
    project_dir = ctx.obj if isinstance(ctx.obj, Path) else None
    try:
        written, text = run_import(project_dir, file, council_id, document, force, 0.0 if exact else None)
    except ProtocolError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path}")
    if report:
        click.echo(text, nl=False)
    else:
        click.echo(text.splitlines()[2].strip())
