"""The command line: parse arguments, call protocolc.api, print. Nothing else lives here."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .confine import misplaced_output
from .errors import Problem, ProtocolError
from .formats import NAMES as FORMAT_NAMES
from .project import KINDS, Project, find_project

if TYPE_CHECKING:
    from . import adoption
    from .build import DocumentResult
    from .model import Document, PartialDate
    from .workspace import Workspace

# Each command imports what it uses when it runs: `--version`, `list` or `check` load no WeasyPrint,
# no comparison and no build machinery.
FORMAT_CHOICES = ", ".join(FORMAT_NAMES)


def fail(exc: ProtocolError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


def open_project(ctx: click.Context) -> Project:
    try:
        return find_project(explicit=ctx.obj)
    except ProtocolError as exc:
        fail(exc)
        raise  # unreachable


def refuse_misplaced_output(project: Project, output: Path | None) -> None:
    """`-o` may not point at the project itself or its sources: outputs would be written among them (exit 2)."""
    where = misplaced_output(project.root, output) if output is not None else None
    if where:
        click.echo(
            f"error: the output folder {output} is {where}: outputs would be written among the sources", err=True
        )
        click.echo("  hint: give an output folder of its own, e.g. -o build or -o public", err=True)
        sys.exit(2)


def shown(path: Path) -> str:
    """A path as short as it can be said from where the clerk is standing."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def when(date: PartialDate | None, missing: str) -> str:
    """A version's date in British form, or what to print when the council's records do not give it."""
    return date.british() if date else missing


def echo_table(rows: Sequence[tuple[str, ...]]) -> None:
    """Rows as aligned columns; the first row is the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def parse_formats(value: str) -> list[str]:
    formats = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMAT_NAMES]
    if unknown or not formats:
        raise click.BadParameter(f"'{value}': give one or more of {FORMAT_CHOICES}, separated by commas")
    return formats


class LazyGroup(click.Group):
    """Commands kept in their own modules, loaded only when run or listed (click's documented lazy group)."""

    LAZY = {"import": ("protocolc.importer.command", "import_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            import importlib

            module, name = self.LAZY[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: this folder or the nearest parent holding councils/).",
)
@click.version_option(package_name="protocolc")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """Compile council governance documents from a shared clause library.

    \b
    Example:
      protocolc build hexham      # build/hexham/protocol.md, .html, .pdf
      protocolc build --all
      protocolc list
    """
    ctx.obj = project
    # A command builds many small, long-lived objects (every council's located YAML values, clauses) and few
    # cycles: collecting the youngest generation every 700 allocations costs about a tenth of `stats`.
    # The older generations keep Python's ratios (10, 10): WeasyPrint and python-docx leave cycles behind
    # every document, and with rarer full collections a 100-council PDF build grew by 0.5 MiB a council.
    gc.set_threshold(100_000, 10, 10)


@main.command()
@click.argument("councils", nargs=-1, metavar="COUNCIL[/DOCUMENT]...")
@click.option("--all", "all_councils", is_flag=True, help="Build every document of every council in councils/.")
@click.option(
    "--format",
    "formats",
    default="md,html,pdf",
    show_default=True,
    metavar="LIST",
    help=f"Comma-separated formats: {FORMAT_CHOICES}.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: build/ in the project).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the number of cores)."
)
@click.option("--force", is_flag=True, help="Rebuild even councils whose outputs are up to date.")
@click.option("--shard", metavar="K/N", default=None, help="Build only the K-th of N stable shares (for CI matrices).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
@click.pass_context
def build(
    ctx: click.Context,
    councils: tuple[str, ...],
    all_councils: bool,
    formats: str,
    output: Path | None,
    jobs: int | None,
    force: bool,
    shard: str | None,
    quiet: bool,
) -> None:
    """Build councils' documents into build/<council>/<document>.*, skipping those already up to date.

    A council's name builds all its documents; COUNCIL/DOCUMENT builds one. --all also writes the site's
    index (build/index.html); once it exists, building some councils updates it too.

    \b
    Examples:
      protocolc build hexham
      protocolc build hexham/protocol
      protocolc build duston langport --format md,html
      protocolc build --all -o public
      protocolc build --all --shard 2/4 --jobs 2
    """
    from . import api
    from . import build as build_stage
    from .strays import stray_files

    chosen = parse_formats(formats)
    if not councils and not all_councils:
        raise click.UsageError("name one or more councils, or give --all (see 'protocolc list')")
    if councils and all_councils:
        raise click.UsageError("give council names or --all, not both")
    project = open_project(ctx)
    refuse_misplaced_output(project, output)
    ids = project.council_ids() if all_councils else list(dict.fromkeys(councils))
    if all_councils:
        for problem in stray_files(project):
            click.echo(str(problem), err=True)
    try:
        if shard:
            ids = build_stage.shard(ids, shard)
        # A site (build/index.html) is written by --all; once there, building some councils keeps it current.
        site = not shard and (all_councils or ((output or project.root / "build") / "index.html").is_file())
        with BuildProgress(len(ids), quiet) as progress:
            jobs = jobs or build_stage.default_jobs()
            results = api.build(
                project,
                ids,
                chosen,
                output,
                jobs=jobs,
                force=force,
                site=all_councils or site,
                progress=progress.update,
            )
        notes: list[Problem] = []
        unchanged = all_councils and all(r.state == build_stage.UP_TO_DATE for r in results)
        index = api.write_site(project, output, notes=notes, unchanged=unchanged) if site else None
    except ProtocolError as exc:
        fail(exc)
    failed = [r for r in results if r.error]
    for result in results:
        for problem in (*result.warnings, *(result.error.problems if result.error else ())):
            click.echo(str(problem), err=True)
    for problem in notes:
        click.echo(str(problem), err=True)
    if len(results) > 1 and (failed or not quiet):
        counts = {state: sum(r.state == state for r in results) for state in build_stage.STATES}
        summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        names = f": {', '.join(r.name for r in failed)}" if failed else ""
        click.echo(f"{len(results)} documents: {summary}{names}", err=bool(failed))
    if index is not None and not quiet:
        click.echo(f"site: {shown(index)}")
    if failed:
        sys.exit(1)


class BuildProgress:
    """A progress bar on a terminal for more than a few councils; otherwise one line per council."""

    BAR_FROM = 4

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet = total, quiet
        self.bar = None
        if not quiet and total >= self.BAR_FROM and sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
            )
            self.task = self.bar.add_task("build", total=total)

    def __enter__(self) -> BuildProgress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def update(self, result: DocumentResult) -> None:
        from . import build as build_stage

        if self.bar:
            self.bar.advance(self.task)
        elif not self.quiet and result.state == build_stage.BUILT:
            names = ", ".join(p.name for p in result.written)
            click.echo(f"built {result.name}: {shown(result.written[0].parent)}/ ({names})")
        elif not self.quiet and result.state == build_stage.UP_TO_DATE:
            click.echo(f"up to date {result.name}")


@main.command(name="site")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The build folder to index (default: build/ in the project).",
)
@click.pass_context
def site_command(ctx: click.Context, output: Path | None) -> None:
    """Write index.html listing every council built in the build folder.

    `build --all` does this itself; run it after gathering the parts of a sharded build.

    \b
    Example:
      protocolc site
    """
    from . import api

    project = open_project(ctx)
    refuse_misplaced_output(project, output)
    notes: list[Problem] = []
    try:
        index = api.write_site(project, output, notes=notes)
    except ProtocolError as exc:
        fail(exc)
    for problem in notes:
        click.echo(str(problem), err=True)
    click.echo(f"site: {shown(index)}")


@main.command(name="list")
@click.pass_context
def list_councils(ctx: click.Context) -> None:
    """List councils' documents with their current version, adoption and review dates.

    \b
    Example:
      protocolc list
    """
    from .strays import stray_files

    project = open_project(ctx)
    documents = load_documents(project, None)
    for problem in stray_files(project):
        click.echo(str(problem), err=True)
    rows = [("document", "council", "version", "adopted", "review by")]
    for doc in documents:
        v = doc.current
        rows.append((doc.name, doc.council.name, v.version, when(v.adopted, "not recorded"), when(v.review_by, "-")))
    echo_table(rows)


def load_documents(project: Project, names: list[str] | None, jobs: int = 1) -> list[Document]:
    """Every document named ('hexham', 'hexham/protocol'; None: all), resolved; any problem ends the command."""
    from . import api
    from . import build as build_stage

    try:
        workspace = api.Workspace.open(project)
        return build_stage.resolve_many(workspace, workspace.names(names), jobs)
    except ProtocolError as exc:
        fail(exc)
        raise  # unreachable


@main.command(name="stats")
@click.argument("councils", nargs=-1, metavar="COUNCIL[/DOCUMENT]...")
@click.option("--min-words", default=8, show_default=True, help="Shortest sentence or item listed as a candidate.")
@click.pass_context
def stats_command(ctx: click.Context, councils: tuple[str, ...], min_words: int) -> None:
    """Show how much wording councils (all by default) share through the library, and what could move there.

    \b
    Examples:
      protocolc stats
      protocolc stats hexham
    """
    from . import api, stats
    from . import build as build_stage

    project = open_project(ctx)
    documents = load_documents(project, None, build_stage.default_jobs())  # shares are measured against every council
    named = {d.council.id for d in load_documents(project, council_names(councils))} if councils else None
    try:
        report = stats.report(documents, api.Workspace.open(project).library, min_words)
    except ProtocolError as exc:
        fail(exc)
    if named is not None:
        report = report.only(named)
    click.echo(stats.format_report(report))


@main.command(name="diff")
@click.argument("first")
@click.argument("second")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "html", "json"]),
    default="text",
    show_default=True,
    help="text for the terminal, md or html for meeting papers, json for tools.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of the terminal.",
)
@click.option("--color/--no-color", default=None, help="Colour the text output (default: only on a terminal).")
@click.pass_context
def diff_command(
    ctx: click.Context, first: str, second: str, fmt: str, output: Path | None, color: bool | None
) -> None:
    """Compare two documents clause by clause (exit 0 when identical, 1 when they differ, 2 on error).

    Each argument is a council (its protocol) or COUNCIL/DOCUMENT, 'model' (the
    library's own text, or model/DOCUMENT), or either followed by @REVISION:

    \b
    - a version label from the document's versions (hexham@1.0, hexham/protocol@v1.0):
      the text as adopted, read from its snapshot in councils/COUNCIL/adopted/;
    - a git tag or commit, HEAD~N, or a date: the sources as committed then (a date
      means the commit date: the last commit on or before that day).

    Against the model, the model is the first side, so a council's own clauses
    show as additions and the model text it left out as omissions.

    \b
    Examples:
      protocolc diff duston langport
      protocolc diff hexham model
      protocolc diff hexham@v1.0 hexham --format html -o changes.html
    """
    from . import api, diff_format
    from .write import write_atomic

    try:
        project = find_project(explicit=ctx.obj)
        comparison = api.compare(project, first, second)
    except ProtocolError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(2)
    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    text = diff_format.render(comparison, fmt, color=use_color and fmt == "text")
    if output is None:
        click.echo(text, nl=False, color=use_color)
    else:
        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as exc:
            click.echo(f"error: cannot write {output}: {exc.strerror}", err=True)
            sys.exit(2)
        click.echo(diff_format.summary_line(comparison))
    sys.exit(0 if comparison.identical else 1)


@main.command(name="check")
@click.argument("councils", nargs=-1, metavar="COUNCIL...")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.pass_context
def check_command(ctx: click.Context, councils: tuple[str, ...], strict: bool) -> None:
    """Check the library and councils (all by default) without rendering; list every problem.

    \b
    Examples:
      protocolc check
      protocolc check hexham --strict
    """
    from . import check

    report = check.check(open_project(ctx), councils or None)
    for problem in report.problems:
        click.echo(str(problem), err=problem.severity == "error" or strict)
    click.echo(report.summary(), err=report.failed(strict))
    sys.exit(1 if report.failed(strict) else 0)


class Day(click.ParamType):  # type: ignore[type-arg]  # generic only in some click versions
    """A day written year-month-day (2025-05-12); anything else is answered in words, with the same day rewritten."""

    name = "date"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                self.fail(f"'{text}' is not a day of the calendar (dates are written year-month-day)", param, ctx)
        hint = "dates are written year-month-day"
        parts = [p for p in text.replace(".", "/").replace("-", "/").split("/") if p]
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            with contextlib.suppress(ValueError):  # a British day/month/year, the way a clerk writes it
                day = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
                hint += f": {text} (day/month/year) is {day.isoformat()}"
        else:
            hint += ", e.g. 2025-05-12 for 12 May 2025"
        self.fail(f"'{text}' is not a date: {hint}", param, ctx)


def one_document(workspace: Workspace, name: str) -> tuple[str, str]:
    """The one (council, document) that `name` ('hexham' or 'hexham/protocol') names, for adopt and redline."""
    pairs = workspace.names([name])
    if len(pairs) != 1:
        raise ProtocolError(
            f"council '{name}' has {len(pairs)} documents",
            hint=f"name one: {', '.join(f'{c}/{d}' for c, d in pairs)}",
        )
    return pairs[0]


def council_names(councils: tuple[str, ...]) -> list[str] | None:
    return list(councils) or None


@main.command(name="status")
@click.argument("councils", nargs=-1, metavar="COUNCIL[/DOCUMENT]...")
@click.option("--fail-overdue", is_flag=True, help="Exit 1 when any council's review is overdue (for CI).")
@click.option("--fail-drafts", is_flag=True, help="Exit 1 when any document is a draft (not as adopted).")
@click.option("--fail-no-review", is_flag=True, help="Exit 1 when any document has no review date recorded (for CI).")
@click.option(
    "--today",
    type=Day(),
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge review dates as of this day instead of today.",
)
@click.pass_context
def status_command(
    ctx: click.Context,
    councils: tuple[str, ...],
    fail_overdue: bool,
    fail_drafts: bool,
    fail_no_review: bool,
    today: dt.date | None,
) -> None:
    """Show councils' documents (all by default) with their current version and review state, most urgent first.

    Then the drafts: documents whose sources now say other words than those adopted (or never adopted),
    each with the clauses that changed and where each change was made (the library or the council's file).

    \b
    Examples:
      protocolc status
      protocolc status hexham duston
      protocolc status --fail-overdue --fail-drafts --fail-no-review
    """
    from . import adoption, api, status

    project = open_project(ctx)
    try:
        workspace = api.Workspace.open(project)
        pubs = [adoption.publication(workspace, c, d) for c, d in workspace.names(council_names(councils))]
    except ProtocolError as exc:
        fail(exc)
    documents = [p.published for p in pubs]
    day = today or dt.date.today()
    found = status.statuses(documents, day)
    rows = [("document", "version", "adopted", "review by", "state")]
    for s in found:
        v = s.document.current
        rows.append((s.document.name, v.version, when(v.adopted, "not recorded"), when(v.review_by, "-"), s.label))
    echo_table(rows)
    drafts = [p for p in pubs if p.is_draft]
    if drafts:
        click.echo("")
        click.echo("drafts (not as adopted):")
    for p in drafts:
        if p.adopted is None:
            click.echo(f"  {p.current.name}: never adopted (record it with 'protocolc adopt {p.current.name} ...')")
            continue
        changes = p.changes()
        n = len(changes)
        click.echo(
            f"  {p.current.name}: {n} clause{'s' if n != 1 else ''} changed since version {p.adopted.current.version}"
        )
        echo_changes(changes, redline=False)
    failed = False
    overdue = [s.document.name for s in found if s.state == status.OVERDUE]
    if overdue and fail_overdue:
        click.echo(f"review overdue: {', '.join(overdue)}", err=True)
        failed = True
    unknown = [s.document.name for s in found if s.state == status.UNKNOWN]
    if unknown and fail_no_review:
        click.echo(
            f"no review date: {', '.join(unknown)}"
            " (add 'review_by: YYYY-MM-DD' to the current version in the document's file)",
            err=True,
        )
        failed = True
    if drafts and fail_drafts:
        click.echo(f"drafts: {', '.join(p.current.name for p in drafts)}", err=True)
        failed = True
    if failed:
        sys.exit(1)


@main.command(name="schema")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the schemas to (default: schemas/ in the project).",
)
@click.pass_context
def schema_command(ctx: click.Context, output: Path | None) -> None:
    """Write JSON Schemas for council, section and library files, for editors that complete YAML.

    Start a YAML file with `# yaml-language-server: $schema=../schemas/council.schema.json`
    and VS Code's YAML extension (and others) will complete keys and ids and flag mistakes.

    \b
    Example:
      protocolc schema
    """
    from . import api, schema
    from .write import write_set

    project = open_project(ctx)
    try:
        library = api.Workspace.open(project).library
    except ProtocolError as exc:
        fail(exc)
    folder = output or project.root / "schemas"
    files = {name: text.encode("utf-8") for name, text in schema.schemas(library).items()}
    try:
        written = write_set(folder, files)  # all the schemas change together, or none does
    except OSError as exc:
        click.echo(f"{exc.filename or folder}: error: cannot write the schemas: {exc.strerror}", err=True)
        click.echo(
            "  hint: the previous schemas are kept; check the folder is writable and the disk not full", err=True
        )
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {shown(path)}")


@main.command(name="serve")
@click.argument("councils", nargs=-1)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.pass_context
def serve_command(ctx: click.Context, councils: tuple[str, ...], host: str, port: int) -> None:
    """Preview the site in a browser, rebuilding and reloading as you edit.

    Every council is built as Markdown and HTML (the councils named also as PDF);
    the open page reloads after each change, and a mistake in the sources is shown
    at the top of the page, with its file and line, until it is fixed.

    \b
    Examples:
      protocolc serve
      protocolc serve hexham --port 8080
    """
    from .serve import Preview, PreviewServer, serve

    project = open_project(ctx)

    def ready(server: PreviewServer, preview: Preview) -> None:
        host, port = server.server_address[:2]
        address = f"http://{host!s}:{port}/"
        click.echo(f"serving {shown(preview.out)} at {address} (Ctrl+C to stop)")
        if preview.errors:
            rebuilt(preview)

    def rebuilt(preview: Preview) -> None:
        # e.g. `12:04:31 rebuilt hexham (protocol.md, protocol.html)`, or `12:04:31 2 problems:` and the problems
        for line in preview.report():
            click.echo(line, err=bool(preview.errors))

    try:
        serve(project, councils, host, port, ready=ready, on_rebuild=rebuilt)
    except ProtocolError as exc:
        fail(exc)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror}", err=True)
        click.echo("  hint: choose another port with --port", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("stopped")


COUNCIL_OPTIONS = (
    click.option("--name", help="The council's full name, e.g. 'Hexham Town Council'."),
    click.option("--kind", type=click.Choice(KINDS), help="What kind of council it is."),
    click.option("--clerk", metavar="TITLE", help="The clerk's official title (default: the model's, 'Clerk')."),
    click.option("--contact", metavar="ADDRESS", help="A contact address printed in the documents."),
    click.option("--county-association", metavar="NAME", help="The county association of local councils."),
)


def council_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that give a new council's facts (protocolc init and new)."""
    for option in reversed(COUNCIL_OPTIONS):
        command = option(command)
    return command


@main.command(name="init")
@click.argument("folder", type=click.Path(path_type=Path), metavar="DIR")
@click.option("--council", "council_id", metavar="ID", help="The first council's id (default: made from --name).")
@council_options
def init_command(folder: Path, council_id: str | None, **facts: str | None) -> None:
    """Start a documents repository in DIR: the model library, one council, a CI workflow and a README.

    Facts not given as options are asked for at a terminal; in a script, give at least --name
    (and --kind unless the name says it, as in "Testville Parish Council").

    \b
    Example:
      protocolc init documents --name 'Testville Parish Council' --kind parish
    """
    from . import scaffold

    try:
        created = scaffold.init_repository(folder, scaffold.Answers(council_id, **facts))
    except ProtocolError as exc:
        fail(exc)
    click.echo(created.summary())


@main.command(name="new")
@click.argument("council_id", metavar="COUNCIL")
@council_options
def new_command(council_id: str, **facts: str | None) -> None:
    """Add a council to this repository, started from the model: councils/COUNCIL/ with one file per document.

    Facts not given as options are asked for at a terminal; in a script, give at least --name
    (and --kind unless the name says it, as in "Testville Parish Council").

    \b
    Example:
      protocolc new testville --name 'Testville Parish Council' --kind parish --clerk 'Parish Clerk'
    """
    from . import scaffold

    try:
        created = scaffold.new_council(open_project(click.get_current_context()), scaffold.Answers(council_id, **facts))
    except ProtocolError as exc:
        fail(exc)
    click.echo(created.summary())


@main.command(name="snapshot")
@click.argument("names", nargs=-1, required=True, metavar="COUNCIL[/DOCUMENT]...")
@click.option("--version", "label", default=None, metavar="LABEL", help="The version to record (default: the latest).")
@click.pass_context
def snapshot_command(ctx: click.Context, names: tuple[str, ...], label: str | None) -> None:
    """Record the sources' text as the adopted snapshot of a version already listed in the document's YAML.

    Use it once for documents adopted before protocolc kept snapshots, when the sources still hold the
    adopted text; for a new adoption use 'protocolc adopt', which adds the version entry too.

    \b
    Example:
      protocolc snapshot hexham
      protocolc snapshot hexham/protocol --version 1.0
    """
    from . import adoption, api

    project = open_project(ctx)
    try:
        workspace = api.Workspace.open(project)
        for council_id, document_id in workspace.names(list(names)):
            path = adoption.write_snapshot(workspace, council_id, document_id, label)
            click.echo(f"wrote {shown(path)}")
    except ProtocolError as exc:
        fail(exc)


@main.command(name="adopt")
@click.argument("name", metavar="COUNCIL[/DOCUMENT]")
@click.option("--minute", required=True, help="The minute that records the adoption, e.g. 101/26.")
@click.option("--date", "date", required=True, metavar="YYYY-MM-DD", help="The date of the meeting that adopted it.")
@click.option("--version", "label", default=None, metavar="LABEL", help="The new version's label (default: the next).")
@click.option("--review-by", default=None, metavar="YYYY-MM[-DD]", help="When the document is next to be reviewed.")
@click.option("--approved-by", default=None, metavar="WHO", help="Who adopted it, e.g. Council or a committee.")
@click.pass_context
def adopt_command(
    ctx: click.Context,
    name: str,
    minute: str,
    date: str,
    label: str | None,
    review_by: str | None,
    approved_by: str | None,
) -> None:
    """Record that a meeting adopted a document's current text: the version entry, the snapshot, the outputs.

    Adds the version to the document's YAML (its comments and layout kept), writes the adopted snapshot
    councils/COUNCIL/adopted/DOCUMENT/VERSION.yaml, and builds the document. Nothing is written if the
    document has errors, the date is before the last adoption, or the version label is already used.
    The version label defaults to the next after the last (1.0 -> 1.1).

    \b
    Example:
      protocolc adopt hexham --minute 101/26 --date 2026-11-25 --review-by 2029-11
    """
    from . import adoption, api

    project = open_project(ctx)
    try:
        workspace = api.Workspace.open(project)
        council_id, document_id = one_document(workspace, name)
        done = adoption.adopt(
            workspace,
            council_id,
            document_id,
            minute=minute,
            date=date,
            version=label,
            review_by=review_by,
            approved_by=approved_by,
        )
    except ProtocolError as exc:
        fail(exc)
    click.echo(f"adopted {council_id}/{document_id} version {done.version} (minute {minute}, {date})")
    click.echo(f"wrote {shown(done.yaml_path)}")
    click.echo(f"wrote {shown(done.snapshot_path)}")
    results = api.build(project, [f"{council_id}/{document_id}"])
    for result in results:
        for problem in (*result.warnings, *(result.error.problems if result.error else ())):
            click.echo(str(problem), err=True)
        if result.written:
            click.echo(f"built {result.name}: {', '.join(p.name for p in result.written)}")
    if any(r.error for r in results):
        sys.exit(1)


def echo_changes(changes: list[adoption.ClauseChange], redline: bool) -> None:
    for change in changes:
        number = f"{change.number} " if change.number else ""
        what = {"reworded": "reworded", "only-first": "left out", "only-second": "added"}.get(change.status, "")
        click.echo(f"    {number}{change.id}: {what}, from {change.where} ({change.source.short})")
        if redline and change.redline:
            text = " ".join(
                c.text if c.op == "equal" else f"[-{c.text}-]" if c.op == "delete" else f"{{+{c.text}+}}"
                for c in change.redline
            )
            click.echo(f"      {text}")


@main.command(name="impact")
@click.argument("councils", nargs=-1, metavar="COUNCIL[/DOCUMENT]...")
@click.pass_context
def impact_command(ctx: click.Context, councils: tuple[str, ...]) -> None:
    """Show which councils' adopted documents an edit of the sources changes, clause by clause with a redline.

    Each document's latest adopted snapshot is compared with what its sources resolve to now, so after
    an edit to clauses/ this lists every council the edit reaches ([-removed-] {+added+} words).
    Exit 0 when nothing changes, 1 when some document would change.

    \b
    Example:
      protocolc impact
    """
    from . import adoption, api

    project = open_project(ctx)
    drafts = 0
    try:
        workspace = api.Workspace.open(project)
        for council_id, document_id in workspace.names(list(councils) or None):
            found = adoption.publication(workspace, council_id, document_id)
            changes = found.changes()
            if not changes:
                continue
            drafts += 1
            version = found.adopted.current.version if found.adopted else "?"
            click.echo(f"{council_id}/{document_id}: {len(changes)} changed since version {version}")
            echo_changes(changes, redline=True)
    except ProtocolError as exc:
        fail(exc)
    click.echo(f"{drafts} document{'s' if drafts != 1 else ''} changed from the adopted text")
    sys.exit(1 if drafts else 0)


@main.command(name="redline")
@click.argument("name", metavar="COUNCIL[/DOCUMENT]")
@click.option("--from", "first", default=None, metavar="VERSION", help="The adopted version (default: the latest).")
@click.option("--to", "second", default=None, metavar="VERSION", help="A later version (default: the current draft).")
@click.option("--full", is_flag=True, help="The whole document, not only the changed clauses.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "md", "docx"]),
    default="pdf",
    show_default=True,
    help="pdf for the agenda pack, docx with Word's tracked changes, html or md.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The file to write."
)
@click.pass_context
def redline_command(
    ctx: click.Context, name: str, first: str | None, second: str | None, full: bool, fmt: str, output: Path | None
) -> None:
    """Write the changes proposed to an adopted document as a council paper, for the agenda pack.

    Compares the latest adopted version with the current draft (or --from VERSION --to VERSION), showing
    each changed clause whole by its printed number, deletions struck through and insertions underlined,
    and closes with the list of changes for the minutes. Written to build/COUNCIL/DOCUMENT.redline.EXT.

    \b
    Examples:
      protocolc redline hexham
      protocolc redline hexham --from 1.0 --to 1.1 --format docx
    """
    from . import api, redline
    from .write import write_atomic

    project = open_project(ctx)
    try:
        workspace = api.Workspace.open(project)
        council_id, document_id = one_document(workspace, name)
        paper = redline.make(workspace, council_id, document_id, first, second, full)
        target = output or project.root / "build" / council_id / f"{document_id}.redline.{fmt}"
        data = redline.render(paper, fmt, project.root, workspace.templates.path("reference.docx"))
    except ProtocolError as exc:
        fail(exc)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
    except OSError as exc:
        click.echo(f"error: cannot write {target}: {exc.strerror}", err=True)
        sys.exit(1)
    click.echo(f"wrote {shown(target)}")
    click.echo(f"changes: {'; '.join(paper.summary) if paper.summary else 'none'}")
