"""The clerk's journey (issue 15): messages in words, commands that take councils, and builds that degrade
gracefully when the PDF's system libraries are missing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from protocolc.cli import main


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(root), *args])


# --- status and stats --------------------------------------------------------------------------------


def test_status_today_in_british_form_is_answered_in_words(project) -> None:
    result = run(project.root, "status", "--today", "12/05/2025")
    assert result.exit_code == 2
    assert "'%Y-%m-%d'" not in result.output
    assert (
        "'12/05/2025' is not a date: dates are written year-month-day: 12/05/2025 (day/month/year) is 2025-05-12"
        in result.output
    )
    assert "Traceback" not in result.output


def test_status_today_that_is_no_date_at_all(project) -> None:
    words = run(project.root, "status", "--today", "next tuesday")
    assert words.exit_code == 2
    assert "'next tuesday' is not a date: dates are written year-month-day, e.g. 2025-05-12 for 12 May 2025" in (
        words.output
    )
    impossible = run(project.root, "status", "--today", "2025-02-30")
    assert impossible.exit_code == 2
    assert "'2025-02-30' is not a day of the calendar (dates are written year-month-day)" in impossible.output


def test_status_of_named_councils_only(project) -> None:
    result = run(project.root, "status", "--today", "2023-10-15", "duston", "hexham")
    assert result.exit_code == 0, result.output
    names = [row.split()[0] for row in result.output.splitlines()[1:]]
    assert names == ["hexham/protocol", "duston/protocol"]


def test_status_of_a_misspelt_council(project) -> None:
    result = run(project.root, "status", "hexam")
    assert result.exit_code == 1
    assert "no council 'hexam'" in result.output and "did you mean 'hexham'?" in result.output


def test_status_fail_no_review(project) -> None:
    dated = run(project.root, "status", "--today", "2023-10-15", "--fail-no-review", "duston", "hexham")
    assert dated.exit_code == 0, dated.output
    undated = run(project.root, "status", "--today", "2023-10-15", "--fail-no-review")
    assert undated.exit_code == 1
    line = next(li for li in undated.output.splitlines() if li.startswith("no review date: "))
    assert sorted(line.split(": ", 1)[1].split(" (")[0].split(", ")) == [
        "cottingham/protocol",
        "langport/protocol",
        "mumbles/protocol",
    ]
    assert "review_by: YYYY-MM-DD" in line
    without_flag = run(project.root, "status", "--today", "2023-10-15")
    assert without_flag.exit_code == 0


def test_stats_of_one_council_is_measured_against_all(project) -> None:
    everyone = run(project.root, "stats")
    one = run(project.root, "stats", "hexham")
    assert everyone.exit_code == 0 and one.exit_code == 0, one.output
    hexham_row = next(li for li in everyone.output.splitlines() if li.strip().startswith("hexham "))
    rows = [li.split() for li in one.output.splitlines() if li.startswith("  ") and li.split()[0].isalpha()]
    table = [r for r in rows if len(r) in (4, 5) and r[1].isdigit()]
    assert [r[0] for r in table] == ["hexham", "overall"]
    assert table[0] == hexham_row.split()
    assert int(table[0][2]) > 0  # shared with the other councils, though only hexham is shown
    copies = [li.split()[0] for li in one.output.splitlines() if li.startswith("     councils/")]
    assert copies and all(
        any(c.startswith("councils/hexham/") for c in group) for group in _candidate_groups(one.output)
    )


def _candidate_groups(output: str) -> list[list[str]]:
    groups: list[list[str]] = []
    for line in output.splitlines():
        if line.startswith("  ") and line.strip()[:1].isdigit() and ". " in line and "words" in line:
            groups.append([])
        elif line.startswith("     councils/") and groups:
            groups[-1].append(line.split()[0])
    return groups


def test_stats_of_a_misspelt_council(project) -> None:
    result = run(project.root, "stats", "hexam")
    assert result.exit_code == 1
    assert "did you mean 'hexham'?" in result.output


# --- the PDF without Pango ---------------------------------------------------------------------------


def test_build_without_pango_writes_markdown_and_html_and_says_how_to_install_it(tmp_path, monkeypatch) -> None:
    import builtins

    from conftest import copy_project

    real_import = builtins.__import__

    def no_pango(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    tmp = copy_project(tmp_path / "project")
    result = run(tmp.root, "build", "hexham", "--jobs", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    folder = tmp.root / "build" / "hexham"
    assert (folder / "protocol.md").is_file() and (folder / "protocol.html").is_file()
    assert not (folder / "protocol.pdf").exists()
    lines = result.output.splitlines()
    first = next(i for i, line in enumerate(lines) if "error:" in line)
    assert lines[first].startswith("build/hexham/protocol.pdf: error: the PDF needs the Pango library")
    hint = "\n".join(lines[first + 1 :])
    assert "sudo apt install libpango-1.0-0 libpangoft2-1.0-0" in hint  # Debian/Ubuntu
    assert "sudo dnf install pango" in hint  # Fedora
    assert "brew install pango" in hint  # macOS
    assert "pacman -S mingw-w64-x86_64-pango" in hint  # Windows (MSYS2)
    assert "--format md,html" in hint
    manifest = (folder / "protocol.manifest.json").read_text(encoding="utf-8")
    assert "protocol.html" in manifest and "protocol.pdf" not in manifest
    monkeypatch.setattr(builtins, "__import__", real_import)
    again = run(tmp.root, "build", "hexham", "--jobs", "1")  # with Pango back, the PDF is made and nothing else
    assert again.exit_code == 0, again.output
    assert (folder / "protocol.pdf").is_file()
