"""`make bench`: how protocolc's build time compares with WeasyPrint's own, measured in one run.

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from protocolc import api  # noqa: E402
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


def main() -> int:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="protocolc-bench-"))
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

    shutil.rmtree(work, ignore_errors=True)
    print(
        f"\nbenchmark took {time.perf_counter() - started:.0f} s "
        f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
