"""A council's typography as settings: list styles (`lists:`), amendments of library wording (`amend:`),
facts a council sets but never prints (`check`), and library clauses the model leaves out (`model: false`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TmpProject, find_problem, only_problem

from protocolc import api, check, stats
from protocolc.cli import main
from protocolc.errors import ProtocolError
from protocolc.model import LIBRARY, DocItem, Document
from protocolc.resolve import model_document, resolve

AREAS = """\
sections:
  - section: councillors
    clauses:
      - councillors.areas
  - section: expectations
    clauses:
      - expectations.councillors
"""


def items(doc: Document, clause_id: str) -> list[DocItem]:
    return next(c for s in doc.sections for c in s.clauses if c.id == clause_id).items


def texts(doc: Document, clause_id: str) -> list[str]:
    return [i.passage.markdown for i in items(doc, clause_id)]


def test_list_styles_set_case_and_closing_marks(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        AREAS
        + """\
lists:
  all: {ending: none}
  councillors.areas: {case: lower, ending: ";", before-last: "; and", last: "."}
"""
    )
    doc = tmp_project.document()
    assert texts(doc, "councillors.areas") == [
        "to determine Council policy and provide community leadership;",
        "to monitor and review Council performance in delivering services;",
        "to represent the Council externally; and",
        "to act as advocates for their constituents.",
    ]
    expect = texts(doc, "expectations.councillors")
    assert expect[0] == "A working partnership"
    assert not any(t.endswith((";", ".")) for t in expect)


def test_lower_case_keeps_a_capitalised_term(tmp_project: TmpProject) -> None:
    """'{{ Staff }} to understand ...': a council that spells the term 'Officers' keeps its capital."""
    tmp_project.tiny(AREAS + "lists:\n  expectations.councillors: {case: lower}\n")
    expect = texts(tmp_project.document(), "expectations.councillors")
    assert expect[0] == "a working partnership;"
    assert expect[1].startswith("Officers to understand")
    lower = "terms:\n  staff: officers\n  officers: officers\n  officer: officer\n"
    tmp_project.tiny(AREAS + lower + "lists:\n  expectations.councillors: {case: lower}\n")
    assert texts(tmp_project.document(), "expectations.councillors")[1].startswith("officers to understand")


def test_a_councils_own_items_print_as_written(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        AREAS
        + """\
lists:
  all: {case: lower, ending: "."}
changes:
  - insert: councillors.areas.extra
    after: councillors.areas.advocates
    text: To Keep the peace;
  - replace: councillors.areas.policy
    text: To set policy
"""
    )
    areas = texts(tmp_project.document(), "councillors.areas")
    assert areas == [
        "To set policy",
        "to monitor and review Council performance in delivering services.",
        "to represent the Council externally.",
        "to act as advocates for their constituents.",
        "To Keep the peace;",
    ]


@pytest.mark.parametrize(
    ("style", "message", "hint"),
    [
        ("councillors.area: {case: lower}", "no list 'councillors.area' in this document", "councillors.areas"),
        ("councillors.equal: {case: lower}", "'councillors.equal' is not a list: it has no items", "list's id"),
    ],
)
def test_a_style_for_no_list_is_an_error_at_its_line(
    tmp_project: TmpProject, style: str, message: str, hint: str
) -> None:
    path = tmp_project.tiny(AREAS.replace("councillors.areas\n", "councillors.areas\n      - councillors.equal\n"))
    path.write_text(path.read_text(encoding="utf-8") + f"lists:\n  {style}\n", encoding="utf-8")
    with pytest.raises(ProtocolError) as err:
        tmp_project.document()
    problem = only_problem(err.value)
    assert problem.message == message and hint in (problem.hint or "")
    assert problem.source.path == "councils/tiny/protocol.yaml" and problem.source.line == 15


def test_a_bad_list_style_is_refused_when_loading(tmp_project: TmpProject) -> None:
    tmp_project.tiny(AREAS + 'lists:\n  all: {case: title, ending: "!"}\n')
    with pytest.raises(ProtocolError) as err:
        tmp_project.document()
    assert find_problem(err.value, "case 'title' is not one of: as-written, lower, upper")
    assert find_problem(err.value, "ending '!' is not one of: as-written, none, ;, ., ,, ; and, ; or, :")


AMEND_SERVANTS = """\
changes:
  - amend: roles.servants
    text: >-
      {{ Councillors }} and {{ officers }} are servants of the public and they are
      indispensable to one another. But their responsibilities are distinct.
"""


def test_an_amendment_keeps_library_provenance_and_is_counted(tmp_project: TmpProject, tmp_path: Path) -> None:
    tmp_project.tiny(AMEND_SERVANTS)
    doc = tmp_project.document()
    clause = next(c for s in doc.sections for c in s.clauses if c.id == "roles.servants")
    assert clause.text is not None
    assert clause.text.markdown.endswith("one another. But their responsibilities are distinct.")
    assert clause.origin == LIBRARY and clause.text.origin == LIBRARY
    assert clause.text.source.path == "clauses/protocol/roles.yaml"
    assert clause.text.amendment is not None and clause.text.amendment.path == "councils/tiny/protocol.yaml"
    # shared all the same: the passage counts with every other council that prints roles.servants
    workspace = api.Workspace.open(tmp_project.project)
    report = stats.report([workspace.document(c) for c in ("tiny", "mumbles")], workspace.library)
    tiny = report.shares[0]
    assert tiny.amended == 1 and tiny.shared > 0
    assert "amended" in stats.format_report(report)
    api.build(tmp_project.project, ["tiny"], ["md"], tmp_path)
    entries = json.loads((tmp_path / "tiny" / "protocol.manifest.json").read_text(encoding="utf-8"))["clauses"]
    servants = next(e for e in entries if e["id"] == "roles.servants")
    assert servants["origin"] == "library" and servants["amended"].startswith("councils/tiny/protocol.yaml:")
    assert "amended" not in next(e for e in entries if e["id"] == "roles.electorate")


def test_diff_calls_an_amendment_an_amendment(tmp_project: TmpProject) -> None:
    tmp_project.tiny(AMEND_SERVANTS)
    result = CliRunner().invoke(main, ["--project", str(tmp_project.root), "diff", "model", "tiny", "--no-color"])
    assert "(reworded: an amendment of library wording)" in result.output, result.output


def test_an_amendment_that_changes_words_is_refused_with_a_hint(tmp_project: TmpProject) -> None:
    path = tmp_project.tiny(AMEND_SERVANTS.replace("But their", "But all their"))
    with pytest.raises(ProtocolError) as err:
        tmp_project.document()
    problem = only_problem(err.value)
    assert "changes the wording ('(nothing)' becomes 'all')" in problem.message
    assert "'- replace: roles.servants'" in (problem.hint or "")
    assert problem.source.path == "councils/tiny/protocol.yaml" and problem.source.line == 9
    assert path.is_file()


def test_a_list_items_closing_and_is_punctuation(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        AREAS + "changes:\n  - amend: councillors.areas.represent\n    text: To represent the Council externally\n"
    )
    assert texts(tmp_project.document(), "councillors.areas")[2] == "To represent the Council externally"


def test_only_library_wording_can_be_amended(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        """\
changes:
  - replace: roles.servants
    text: Servants of the public.
  - amend: roles.servants
    text: servants of the public
"""
    )
    with pytest.raises(ProtocolError) as err:
        tmp_project.document()
    problem = only_problem(err.value)
    assert "'roles.servants' is not library wording here" in problem.message


def test_amend_needs_text_or_heading(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - amend: roles.servants\n")
    with pytest.raises(ProtocolError) as err:
        tmp_project.document()
    assert "'amend:' needs the amended 'text:'" in only_problem(err.value).message


def test_check_warns_about_a_fact_no_document_prints(tmp_project: TmpProject) -> None:
    tmp_project.tiny("clerk: Town Clerk\ncontact: clerk@example.org\n")
    report = check.check(tmp_project.project, ["tiny"])
    warnings = {p.source.line: p for p in report.warnings if p.source and "council.yaml" in p.source.path}
    assert sorted(warnings) == [3, 4]
    assert warnings[3].message.startswith("'clerk:' is set but no document of this council prints it")
    assert "{{ clerk_title }}" in (warnings[3].hint or "")
    assert "{{ contact }}" in (warnings[4].hint or "")
    tmp_project.tiny(
        "clerk: Town Clerk\ncontact: clerk@example.org\n"
        "changes:\n  - replace: roles.servants\n    text: Ask the {{ clerk_title }} at {{ contact }}.\n"
    )
    assert not [w for w in check.check(tmp_project.project, ["tiny"]).warnings if "adopted snapshot" not in w.message]


def test_the_fixture_councils_that_never_print_their_clerk_are_warned(project) -> None:
    report = check.check(project)
    assert not report.errors
    assert sorted(p.source.path for p in report.warnings if p.source) == [
        "councils/cottingham/council.yaml",
        "councils/duston/council.yaml",
        "councils/mumbles/council.yaml",
    ]


def test_the_county_association_fact_names_the_association(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "county_association: ERNLLCA\n"
        "changes:\n  - replace: roles.servants\n    text: Advice is available from {{ county_association }}.\n"
    )
    doc = tmp_project.document()
    assert "Advice is available from ERNLLCA." in tmp_project.markdown()
    assert "county_association" in doc.variables_used
    assert not [w for w in check.check(tmp_project.project, ["tiny"]).warnings if "adopted snapshot" not in w.message]


def test_a_clause_outside_the_model_is_left_out_of_defaults_but_can_be_picked(tmp_project: TmpProject) -> None:
    roles = tmp_project.path("clauses/protocol/roles.yaml")
    roles.write_text(
        roles.read_text(encoding="utf-8").replace(
            "  - id: roles.summary\n", "  - id: roles.summary\n    model: false\n"
        ),
        encoding="utf-8",
    )
    workspace = api.Workspace.open(tmp_project.project)
    model = resolve(workspace.library, workspace.council("hexham"), model_document(workspace.library, "protocol"))
    ids = [c.id for s in model.sections for c in s.clauses]
    assert "roles.summary" not in ids and "roles.servants" in ids
    tmp_project.tiny("sections:\n  - section: roles\n    clauses: [roles.summary]\n")
    assert [c.id for c in tmp_project.document().sections[0].clauses] == ["roles.summary"]


def test_new_writes_every_fact_the_model_prints(real_project, tmp_path: Path) -> None:
    """`protocolc new` writes each fact the library's model prints (set, or a placeholder to fill in)."""
    import shutil

    from protocolc.resolve import model_council

    workspace = api.Workspace.open(real_project)
    library = workspace.library
    model = resolve(library, model_council(library), model_document(library, "protocol"))
    printed = [fact for fact, (names, _) in check.FACT_VARIABLES.items() if names & model.variables_used]
    assert printed == ["clerk", "contact", "county_association"]
    root = tmp_path / "repo"
    shutil.copytree(real_project.root / "clauses", root / "clauses")
    (root / "councils").mkdir()
    args = ["new", "testville", "--name", "Testville Parish Council", "--kind", "parish", "--clerk", "Parish Clerk"]
    result = CliRunner().invoke(main, ["--project", str(root), *args])
    assert result.exit_code == 0, result.output
    written = (root / "councils" / "testville" / "council.yaml").read_text(encoding="utf-8")
    for fact in printed:
        assert f"\n{fact}: " in written or f"\n# {fact}: " in written, (fact, written)
