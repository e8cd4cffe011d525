"""`make bench`: how protocolc's build time compares with WeasyPrint's own, measured in one run.

    python bench/bench.py          every section
    python bench/bench.py stats    only `protocolc stats` on 50, 100 and 1,000 generated councils

Every figure is printed with the target it is held to; targets are reported, not asserted.
Times are wall-clock on this machine; ratios between figures of the same run are what matter.
"""

from __future__ import annotations

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
from protocolc.model import Document, Library  # noqa: E402
from protocolc.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PROTOCOLC = [sys.executable, "-m", "protocolc"]
FIVE = ["cottingham", "duston", "hexham", "langport", "mumbles"]
rows: list[tuple[str, str, str]] = []


def report(what: str, value: str, target: str = "") -> None:
    rows.append((what, value, target))
    print(f"  {what:58} {value:>14}  {target}", flush=True)


def timed(fn, repeat: int = 1) -> float:
    """The best of `repeat` runs: the least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_cli(project: Path, *args: str) -> tuple[float, int]:
    """Wall time of one `protocolc` command in a fresh process, and that process's peak RSS in KiB."""
    wrapper = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *PROTOCOLC, "--project", str(project), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"protocolc {' '.join(args)} failed:\n{done.stderr}")
    return elapsed, int(done.stdout.strip().splitlines()[-1])


def stats_section(work: Path) -> None:
    """`protocolc stats` on 50, 100 and 1,000 generated councils, in this process.

    Two figures each: the report alone (resolved documents to printed text: what stats.py does) and the
    whole command less the interpreter's start (loading and resolving every council, then the report).
    Each is the best of a few runs in wall-clock time, with the processor time of that run beside it:
    on a busy machine the processor time is the steadier figure.
    """

    def clocked(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
        best = (float("inf"), float("inf"))
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
        return best

    figures: dict[int, tuple[tuple[float, float], tuple[float, float]]] = {}
    for count in (50, 100, 1000):
        folder = work / f"stats-{count}"
        generate(folder, count)
        workspace = api.Workspace.open(Project(folder))
        ids = workspace.project.council_ids()
        documents: list[Document] = []

        def resolve_all(
            workspace: api.Workspace = workspace, ids: list[str] = ids, into: list[Document] = documents
        ) -> None:
            into[:] = [workspace.document(cid) for cid in ids]

        def run(documents: list[Document] = documents, library: Library = workspace.library) -> None:
            stats.format_report(stats.report(documents, library))

        repeat = 5 if count <= 100 else 2
        loading = clocked(resolve_all, repeat)
        reporting = clocked(run, repeat)
        figures[count] = (reporting, (loading[0] + reporting[0], loading[1] + reporting[1]))
    print(
        "\n`protocolc stats` on generated councils, in one process: wall-clock (processor time);"
        "\nthe report takes resolved documents to printed text"
    )
    for count, (reporting, whole) in figures.items():
        target = "target < 10 s" if count == 1000 else ""
        report(f"{count:,} councils: report", f"{reporting[0]:.3f} s ({reporting[1]:.3f})", target)
        report(f"{count:,} councils: load + resolve + report", f"{whole[0]:.2f} s ({whole[1]:.2f})", target)
    for n, what in ((0, "report"), (1, "load + resolve + report")):
        wall = figures[100][n][0] / figures[50][n][0]
        cpu = figures[100][n][1] / figures[50][n][1]
        report(f"{what}, 100 councils / 50", f"{wall:.2f}x ({cpu:.2f}x)", "target <= 2.5x")


def main() -> int:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="protocolc-bench-"))
    if sys.argv[1:] == ["stats"]:  # `bench/bench.py stats`: this section alone
        stats_section(work)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    project = Project(REPO)
    print(f"protocolc benchmark on {os.cpu_count()} cores (python {sys.version.split()[0]})\n")

    # 1. The floor: WeasyPrint alone, the five councils' HTML to PDF, serially, in this warmed process.
    import weasyprint

    workspace = api.Workspace.open(project)
    docs = [workspace.document(c) for c in FIVE]
    pages = [workspace.renderer.html_text(d) for d in docs]
    base_url = str(project.templates)

    def floor() -> None:
        for html in pages:
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")

    floor()  # warm: fonts, caches
    t_floor = timed(floor, repeat=3)

    # 2. A full build of the five, all formats, serially, in the same warmed process.
    out = work / "build"
    t_full = timed(lambda: api.build(project, FIVE, out_dir=out, jobs=1, force=True), repeat=3)
    overhead = (t_full - t_floor) / t_full

    # 3. A no-op rebuild, and a rebuild after one library clause changed.
    t_noop = timed(lambda: api.build(project, FIVE, out_dir=out, jobs=1), repeat=3)
    copy = work / "edited"
    for folder in ("clauses", "councils", "templates"):
        shutil.copytree(REPO / folder, copy / folder)
    edited = Project(copy)
    api.build(edited, FIVE, out_dir=copy / "build", jobs=1)
    clause = copy / "clauses" / "introduction.yaml"
    clause.write_text(
        clause.read_text(encoding="utf-8").replace("respect and courtesy", "respect, and courtesy"), encoding="utf-8"
    )
    rebuilt: list = []
    t_one = timed(lambda: rebuilt.extend(api.build(edited, FIVE, out_dir=copy / "build", jobs=1)))
    n_rebuilt = sum(r.state == "built" for r in rebuilt)
    t_cli_full, _ = run_cli(REPO, "build", "--all", "-o", str(work / "cli"), "--force", "-j", "1", "-q")
    t_cli_noop, _ = run_cli(REPO, "build", "--all", "-o", str(work / "cli"), "-j", "1", "-q")

    print("Five seed councils (md + html + pdf)")
    report("WeasyPrint alone: 5 HTML -> PDF, serial, warm (floor)", f"{t_floor:.3f} s")
    report("full build of the 5, serial, warm (api.build)", f"{t_full:.3f} s")
    report("protocolc's own share of the full build", f"{overhead:.1%}", "target <= 10%")
    report("no-op rebuild / full build", f"{t_noop / t_full:.1%}", "target <= 5%")
    report(f"one library clause changed ({n_rebuilt} of 5 rebuilt) / full build", f"{t_one / t_full:.1%}")
    report("full build as a command (cold process, -j 1)", f"{t_cli_full:.3f} s")
    report("no-op rebuild as a command (cold process) / command full build", f"{t_cli_noop / t_cli_full:.1%}")

    # 4. A thousand generated councils: Markdown + HTML.
    many = work / "many"
    generate(many, 1000)
    print("\n1,000 generated councils")
    t_md1000, _ = run_cli(many, "build", "--all", "--format", "md,html", "-j", "2", "-q", "--force")
    report("Markdown + HTML, -j 2, total", f"{t_md1000:.2f} s", "target < 20 s")
    report("Markdown + HTML, -j 2, per council", f"{1000 * t_md1000 / 1000:.1f} ms")

    # 5. A hundred of them with PDF, one and two workers; peak memory of 100 and of 10 councils.
    hundred = work / "hundred"
    generate(hundred, 100)
    ten = work / "ten"
    generate(ten, 10)
    t_pdf1, rss100 = run_cli(hundred, "build", "--all", "-j", "1", "-q", "--force")
    t_pdf2, _ = run_cli(hundred, "build", "--all", "-j", "2", "-q", "--force")
    _, rss10 = run_cli(ten, "build", "--all", "-j", "1", "-q", "--force")
    print("\n100 generated councils with PDF")
    report("all formats, -j 1", f"{t_pdf1:.2f} s")
    report("all formats, -j 2", f"{t_pdf2:.2f} s")
    report("speed-up of -j 2 over -j 1", f"{t_pdf1 / t_pdf2:.2f}x", "target >= 1.7x")
    report("peak RSS, 100 councils, -j 1", f"{rss100 / 1024:.0f} MiB")
    report("peak RSS, 10 councils, -j 1", f"{rss10 / 1024:.0f} MiB")
    report("peak RSS 100 / 10", f"{rss100 / rss10:.2f}x", "target <= 1.5x")

    # 6. `protocolc stats` on 50, 100 and 1,000 generated councils.
    stats_section(work)

    shutil.rmtree(work, ignore_errors=True)
    print(
        f"\nbenchmark took {time.perf_counter() - started:.0f} s "
        f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
