"""`make bench`: protocolc's speed at the scale of every council in the country, as ratios measured in one run.

    python bench/bench.py                  every section
    python bench/bench.py startup five     only those sections (startup, stats, five, thousand, pdf, tenk)
    python bench/bench.py stats            only `protocolc stats` on 50, 100 and 1,000 generated councils

Every figure is printed with its floor or target beside it; targets are reported, not asserted.
Times are wall-clock on this machine (the best of a few runs where cheap); ratios between figures
of the same run are what matter. "Command" figures are whole `protocolc` processes started cold
with the default --jobs; "in-process" figures are api calls in this warmed process.
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from protocolc import api, stats  # noqa: E402
from protocolc.formats import FORMATS, Job  # noqa: E402
from protocolc.layout import lay_out  # noqa: E402
from protocolc.model import Document  # noqa: E402
from protocolc.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PROTOCOLC = [sys.executable, "-m", "protocolc"]
FIVE = ["cottingham", "duston", "hexham", "langport", "mumbles"]
SECTIONS = ("startup", "stats", "five", "thousand", "pdf", "tenk")
rows: list[tuple[str, str, str, bool | None]] = []


def report(what: str, value: str, target: str = "", met: bool | None = None) -> None:
    """One figure; with a target, whether this run met it (printed at the end as well)."""
    rows.append((what, value, target, met))
    verdict = "" if met is None else ("  met" if met else "  NOT MET")
    print(f"  {what:66} {value:>14}  {target}{verdict}", flush=True)


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """The best of `repeat` runs: the least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_process(args: list[str], repeat: int = 1, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Best wall time of a fresh process running `args`, and its peak RSS in KiB."""
    wrapper = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
    )
    best, rss = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=False, env=env
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
        if elapsed < best:
            best, rss = elapsed, int(done.stdout.strip().splitlines()[-1])
    return best, rss


def run_cli(project: Path, *args: str, repeat: int = 1) -> tuple[float, int]:
    """Wall time of one `protocolc` command in a fresh process (cold: default --jobs unless given)."""
    return run_process([*PROTOCOLC, "--project", str(project), *args], repeat)


def import_floor() -> float:
    """The least any command costs: Python starting and importing what every command needs."""
    return run_process([sys.executable, "-c", "import yaml, jinja2, click"], repeat=7)[0]


def startup_section(floor: float) -> None:
    print("\nStart-up: commands that render nothing (cold processes, best of 7)")
    report("floor: python -c 'import yaml, jinja2, click'", f"{floor * 1000:.0f} ms")
    for args, limit in ((["--version"], 1.3), (["list"], None), (["check"], None)):
        t, _ = run_cli(REPO, *args, repeat=7)
        met = None if limit is None else t / floor <= limit
        report(f"protocolc {' '.join(args)} / floor", f"{t / floor:.2f}x", f"target <= {limit}x" if limit else "", met)


def five_section(work: Path, floor: float) -> None:
    import weasyprint

    project = Project(REPO)
    workspace = api.Workspace.open(project)
    docs = [workspace.document(c) for c in FIVE]
    pages = [Job(lay_out(d), workspace.templates, FORMATS).output("html").decode("utf-8") for d in docs]
    # The same inputs WeasyPrint gets in a build (formats/pdf.py): the page, its stylesheet found from the
    # templates folder, and the paged-media print.css; without protocolc's tagging finisher and URL fetcher.
    base_url = workspace.templates.folders[0].resolve().as_uri() + "/"
    print_css = workspace.templates.path("print.css").read_text(encoding="utf-8")

    def weasyprint_alone() -> None:
        for html in pages:
            sheets = [weasyprint.CSS(string=print_css, base_url=base_url)]
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(stylesheets=sheets, pdf_variant="pdf/ua-1")

    weasyprint_alone()  # warm: fonts, caches
    t_floor = timed(weasyprint_alone, repeat=3)
    out = work / "five"
    printed = ["md", "html", "pdf"]  # what the floor makes: the DOCX (on request) is not part of it
    t_full = timed(lambda: api.build(project, FIVE, printed, out_dir=out, jobs=1, force=True), repeat=3)
    t_noop = timed(lambda: api.build(project, FIVE, printed, out_dir=out, jobs=1), repeat=3)

    copy = work / "edited"
    for folder in ("clauses", "councils", "templates"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, copy / folder)
    edited = Project(copy)
    api.build(edited, FIVE, printed, out_dir=copy / "build", jobs=1)
    clause = copy / "clauses" / "protocol" / "introduction.yaml"
    clause.write_text(
        clause.read_text(encoding="utf-8").replace("respect and courtesy", "respect, and courtesy"), encoding="utf-8"
    )
    rebuilt: list[api.DocumentResult] = []
    t_one = timed(lambda: rebuilt.extend(api.build(edited, FIVE, printed, out_dir=copy / "build", jobs=1)))
    n_rebuilt = sum(r.state == "built" for r in rebuilt)

    cli_out = str(work / "five-cli")
    t_cli_full, _ = run_cli(REPO, "build", "--all", "-o", cli_out, "--force", "-q")
    t_cli_noop, _ = run_cli(REPO, "build", "--all", "-o", cli_out, "-q", repeat=5)
    t_cli_noop1, _ = run_cli(REPO, "build", "--all", "-o", cli_out, "-q", "-j", "1", repeat=5)

    print("\nFive seed councils (md + html + pdf)")
    report("in-process: WeasyPrint alone, 5 HTML -> PDF, serial, warm (floor)", f"{t_floor:.3f} s")
    report("in-process: full build of the 5, serial, warm", f"{t_full:.3f} s")
    share = (t_full - t_floor) / t_full
    report("in-process: protocolc's own share of the full build", f"{share:.1%}", "target <= 10%", share <= 0.1)
    report("in-process: no-op rebuild / full build", f"{t_noop / t_full:.1%}", "target <= 5%", t_noop / t_full <= 0.05)
    report(f"in-process: one library clause changed ({n_rebuilt} of 5 rebuilt) / full", f"{t_one / t_full:.1%}")
    report("command: full build --all (cold, default --jobs)", f"{t_cli_full:.2f} s")
    report(
        "command: no-op build --all (cold, default --jobs) / floor",
        f"{t_cli_noop / floor:.2f}x",
        "target <= 2x",
        t_cli_noop / floor <= 2,
    )
    report(
        "command: no-op build --all (cold, -j 1) / floor",
        f"{t_cli_noop1 / floor:.2f}x",
        "target <= 2x",
        t_cli_noop1 / floor <= 2,
    )
    report("command: no-op / full build --all", f"{t_cli_noop / t_cli_full:.1%}")


def scale_section(work: Path, count: int, floor: float, full_limit: float, noop_limit: float | None) -> None:
    """md + html for `count` generated councils as commands: a full build with -j 2, then a no-op."""
    folder = work / f"gen-{count}"
    started = time.perf_counter()
    generate(folder, count)
    t_gen = time.perf_counter() - started
    out = str(folder / "build")
    t_full, _ = run_cli(folder, "build", "--all", "--format", "md,html", "-j", "2", "-q", "--force", "-o", out)
    t_noop, _ = run_cli(folder, "build", "--all", "--format", "md,html", "-j", "2", "-q", "-o", out, repeat=2)
    t_site, _ = run_cli(folder, "build", "--all", "--format", "md,html", "-q", "-o", out)
    floor_script = str(Path(__file__).resolve().parent / "floor.py")
    t_least, _ = run_process([sys.executable, floor_script, str(folder), str(folder / "floor"), "2"])
    print(f"\n{count:,} generated councils, Markdown + HTML (generated in {t_gen:.0f} s)")
    report("floor: compose the YAML, plain Jinja, write (bench/floor.py), -j 2", f"{t_least:.2f} s")
    report("command: full build --all, -j 2", f"{t_full:.2f} s", f"target < {full_limit:.0f} s", t_full < full_limit)
    report("command: full build, per council", f"{1000 * t_full / count:.2f} ms")
    report("command: full build / floor", f"{t_full / t_least:.1f}x")
    if noop_limit is None:
        report("command: no-op build --all, -j 2 / full build", f"{t_noop / t_full:.2%}")
    else:
        met = t_noop / t_full <= noop_limit
        report(
            "command: no-op build --all, -j 2 / full build",
            f"{t_noop / t_full:.2%}",
            f"target <= {noop_limit:.0%}",
            met,
        )
    report("command: no-op build --all, default --jobs", f"{t_site:.2f} s")
    report("command: no-op build --all, default --jobs / import floor", f"{t_site / floor:.1f}x")
    if count <= 1000:
        project = Project(folder)
        ids = project.council_ids()[:100]
        t_site_in = timed(lambda: api.build(project, ids, ["md", "html"], folder / "in", force=True, site=True))
        t_plain_in = timed(lambda: api.build(project, ids, ["md", "html"], folder / "in2", force=True))
        share = (t_site_in - t_plain_in) / t_site_in
        report("in-process, 100 councils: pages of changes from the model / build", f"{share:.1%}")
    shutil.rmtree(folder, ignore_errors=True)


def pdf_section(work: Path) -> None:
    hundred = work / "hundred"
    generate(hundred, 100)
    ten = work / "ten"
    generate(ten, 10)
    t_pdf1, rss100 = run_cli(hundred, "build", "--all", "-j", "1", "-q", "--force")
    t_pdf2, _ = run_cli(hundred, "build", "--all", "-j", "2", "-q", "--force")
    _, rss10 = run_cli(ten, "build", "--all", "-j", "1", "-q", "--force")
    print("\n100 generated councils with PDF (commands)")
    report("all formats, -j 1", f"{t_pdf1:.2f} s")
    report("all formats, -j 2", f"{t_pdf2:.2f} s")
    report("speed-up of -j 2 over -j 1", f"{t_pdf1 / t_pdf2:.2f}x", "target >= 1.7x", t_pdf1 / t_pdf2 >= 1.7)
    report("peak RSS, 100 councils, -j 1", f"{rss100 / 1024:.0f} MiB")
    report("peak RSS, 10 councils, -j 1", f"{rss10 / 1024:.0f} MiB")
    report("peak RSS 100 / 10", f"{rss100 / rss10:.2f}x", "target <= 1.5x", rss100 / rss10 <= 1.5)


def stats_section(work: Path) -> None:
    """`protocolc stats` on 50, 100 and 1,000 generated councils, in this process.

    Two figures each: the report alone (resolved documents to printed text: what stats.py does) and the
    whole command less the interpreter's start (loading and resolving every council, then the report).
    Each is the best of a few runs in wall-clock time, with the processor time of that run beside it:
    on a busy machine the processor time is the steadier figure.
    """

    def clocked(
        fn: Callable[[], object], repeat: int, setup: Callable[[], object] = lambda: None
    ) -> tuple[float, float]:
        # This process still holds what earlier sections made; frozen, the collector no longer walks it on
        # every full collection, so a figure depends on this section's councils, not on what ran before.
        gc.collect()
        gc.freeze()
        best = (float("inf"), float("inf"))
        for _ in range(repeat):
            setup()
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
        return best

    figures: dict[int, tuple[tuple[float, float], tuple[float, float]]] = {}
    command = float("nan")
    for count in (50, 100, 1000):
        folder = work / f"stats-{count}"
        generate(folder, count)
        project = Project(folder)
        ids = project.council_ids()
        documents: list[Document] = []
        # Each run resolves with a workspace just opened (its library loaded, untimed), as a command does: a
        # workspace that had resolved the same councils before would find them in its memos, and the 50
        # councils fit in them where the 100 do not.
        opened: list[api.Workspace] = [api.Workspace.open(project)]

        def open_workspace(project: Project = project, opened: list[api.Workspace] = opened) -> None:
            opened[:] = [api.Workspace.open(project)]

        def resolve_all(
            opened: list[api.Workspace] = opened, ids: list[str] = ids, into: list[Document] = documents
        ) -> None:
            into[:] = [opened[0].document(cid) for cid in ids]

        def run(documents: list[Document] = documents, opened: list[api.Workspace] = opened) -> None:
            stats.format_report(stats.report(documents, opened[0].library))

        repeat = 9 if count <= 100 else 2  # the small figures are a tenth of a second: many runs, the best kept
        loading = clocked(resolve_all, repeat, setup=open_workspace)
        reporting = clocked(run, repeat)
        figures[count] = (reporting, (loading[0] + reporting[0], loading[1] + reporting[1]))
        if count == 1000:
            command, _ = run_cli(folder, "stats", repeat=2)
    print(
        "\n`protocolc stats` on generated councils, in one process: wall-clock (processor time);"
        "\nthe report takes resolved documents to printed text"
    )
    for count, (reporting, whole) in figures.items():
        report(f"{count:,} councils: report", f"{reporting[0]:.3f} s ({reporting[1]:.3f})")
        report(f"{count:,} councils: load + resolve + report", f"{whole[0]:.2f} s ({whole[1]:.2f})")
    report("1,000 councils: the whole command (cold process)", f"{command:.2f} s", "target < 10 s", command < 10)
    for n, what in ((0, "report"), (1, "load + resolve + report")):
        wall = figures[100][n][0] / figures[50][n][0]
        cpu = figures[100][n][1] / figures[50][n][1]
        report(f"{what}, 100 councils / 50", f"{wall:.2f}x ({cpu:.2f}x)", "target <= 2.5x", cpu <= 2.5)


def main(argv: list[str]) -> int:
    chosen = [a for a in argv if a in SECTIONS] or list(SECTIONS)
    unknown = [a for a in argv if a not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="protocolc-bench-"))
    os.environ["PROTOCOLC_CACHE"] = str(work / "cache")  # a cold build cache, not the user's
    load = os.getloadavg()[0]
    print(f"protocolc benchmark on {os.cpu_count()} cores (python {sys.version.split()[0]}), load average {load:.1f}")
    # What an installed wheel has: protocolc's bytecode compiled (PYTHONDONTWRITEBYTECODE would otherwise make
    # every command compile protocolc's sources again, which the floor's packages never do).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "protocolc")], check=True, capture_output=True)
    floor = import_floor()
    try:
        if "startup" in chosen:
            startup_section(floor)
        # stats' in-process figures are a tenth of a second each: measured before the builds and the PDF
        # section have filled this process and kept both cores busy for minutes (after them, one run in three
        # gave the 100-council report 2.7x the 50-council one; measured first, 1.3-1.9x).
        if "stats" in chosen:
            stats_section(work)
        if "five" in chosen:
            five_section(work, floor)
        if "thousand" in chosen:
            scale_section(work, 1000, floor, 3.0, None)
        if "pdf" in chosen:
            pdf_section(work)
        if "tenk" in chosen:
            scale_section(work, 10000, floor, 30.0, 0.05)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    targets = [(what, value, target, met) for what, value, target, met in rows if met is not None]
    missed = [row for row in targets if not row[3]]
    print(f"\ntargets: {len(targets) - len(missed)} of {len(targets)} met" + (":" if not missed else "; not met:"))
    for what, value, target, _ in missed:
        print(f"  {what}: {value} ({target})")
    print(
        f"\nbenchmark took {time.perf_counter() - started:.0f} s "
        f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
