"""resolve.py: every override operation, layout and numbering option, and the problems each can cause."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import jinja2
import pytest
from conftest import TINY, TmpProject, find_problem, line_of, only_problem

from protocolc import resolve as resolve_module
from protocolc.api import Workspace
from protocolc.clerktext import ClerkTextError
from protocolc.errors import Problem, ProtocolError, Source
from protocolc.model import COUNCIL, LIBRARY, DocClause, DocSection, Document
from protocolc.numbering import STYLES, Number, number
from protocolc.project import Project
from protocolc.templating import markdown_text

PATH = "councils/tiny/protocol.yaml"
REPO = Path(__file__).resolve().parents[1]


# --- helpers -------------------------------------------------------------------------------------------------


def clause_ids(doc: Document) -> list[str]:
    return [c.id for s in doc.sections for c in s.clauses]


def clause(doc: Document, clause_id: str) -> DocClause:
    return next(c for s in doc.sections for c in s.clauses if c.id == clause_id)


def section(doc: Document, section_id: str) -> DocSection:
    return next(s for s in doc.sections if s.id == section_id)


def items(doc: Document, clause_id: str) -> list[tuple[str, str | None, str]]:
    return [(i.id, i.label, i.passage.markdown) for i in clause(doc, clause_id).items]


def item_keys(doc: Document, clause_id: str) -> list[str]:
    return [i.id.rsplit(".", 1)[1] for i in clause(doc, clause_id).items]


def resolve_error(tmp_project: TmpProject, tail: str) -> ProtocolError:
    tmp_project.tiny(tail)
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    return info.value


def change_line(tmp_project: TmpProject, needle: str) -> int:
    return line_of(tmp_project.path(PATH), needle)


# --- the model document --------------------------------------------------------------------------------------


def test_no_outline_gives_the_model_document(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    doc = tmp_project.document()
    assert [s.id for s in doc.sections] == [
        "introduction",
        "roles",
        "councillors",
        "officers",
        "expectations",
        "problems",
    ]
    assert clause_ids(doc)[:4] == ["introduction.aim", "introduction.familiarity", "roles.summary", "roles.servants"]
    assert all(c.origin == LIBRARY for s in doc.sections for c in s.clauses)
    assert doc.title.markdown == "Member/Officer Relations Protocol"


# --- omit ----------------------------------------------------------------------------------------------------


def test_omit_clause(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - omit: councillors.equal\n")
    doc = tmp_project.document()
    assert "councillors.equal" not in clause_ids(doc)
    assert [c.id for c in section(doc, "councillors").clauses] == [
        "councillors.areas",
        "councillors.day-to-day",
        "councillors.clerk-responsibility",
    ]
    # the clauses after it are renumbered
    assert [c.number for c in section(doc, "councillors").clauses] == ["3.1", "3.2", "3.3"]


def test_omit_item_reletters_the_list(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - omit: councillors.areas.policy\n")
    doc = tmp_project.document()
    assert items(doc, "councillors.areas") == [
        ("councillors.areas.performance", "a)", "To monitor and review Council performance in delivering services;"),
        ("councillors.areas.represent", "b)", "To represent the Council externally; and"),
        ("councillors.areas.advocates", "c)", "To act as advocates for their constituents."),
    ]


def test_omit_section_renumbers_the_rest(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - omit: roles\n")
    doc = tmp_project.document()
    assert [s.id for s in doc.sections] == ["introduction", "councillors", "officers", "expectations", "problems"]
    assert [s.number for s in doc.sections] == ["1.", "2.", "3.", "4.", "5."]
    assert clause(doc, "councillors.areas").number == "2.1"


def test_omitting_every_item_keeps_a_list_that_has_a_heading(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - omit: expectations.principles.close-relationships\n")
    doc = tmp_project.document()
    assert clause(doc, "expectations.principles").items == ()
    assert clause(doc, "expectations.principles").heading.markdown == "General Principles"


# --- replace -------------------------------------------------------------------------------------------------


def test_replace_clause_text(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - replace: officers.role\n    text: Our {{ officers }} advise the {{ council }}.\n")
    doc = tmp_project.document()
    c = clause(doc, "officers.role")
    assert c.text.markdown == "Our Officers advise the Council."
    assert c.origin == COUNCIL
    assert c.source == Source(PATH, change_line(tmp_project, "text: Our"), 11)
    assert c.number == "4.1"


def test_replace_item_text(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - replace: councillors.areas.advocates\n    text: to speak for their electors.\n")
    doc = tmp_project.document()
    assert items(doc, "councillors.areas")[3] == ("councillors.areas.advocates", "d)", "to speak for their electors.")
    item = clause(doc, "councillors.areas").items[3]
    assert item.passage.origin == COUNCIL
    assert item.passage.source == Source(PATH, change_line(tmp_project, "text: to speak"), 11)


def test_replace_section_heading(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - replace: officers\n    heading: Our {{ staff }}\n")
    doc = tmp_project.document()
    assert section(doc, "officers").heading.markdown == "Our Officers"
    assert section(doc, "officers").heading.origin == COUNCIL


def test_replace_clause_heading(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - replace: expectations.principles\n    heading: Principles\n")
    c = clause(tmp_project.document(), "expectations.principles")
    assert c.heading.markdown == "Principles"
    assert [i.passage.origin for i in c.items] == [LIBRARY]


def test_replace_with_library_item(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "changes:\n  - replace: expectations.councillors.respect\n    with: expectations.officers.respect\n"
    )
    doc = tmp_project.document()
    item = next(i for i in clause(doc, "expectations.councillors").items if i.id.endswith(".respect"))
    assert item.passage.markdown == "Respect, courtesy, integrity and appropriate confidentiality;"
    assert item.passage.origin == LIBRARY
    expectations = tmp_project.path("clauses/protocol/expectations.yaml")
    officers = line_of(expectations, "id: expectations.officers")
    assert item.passage.source == Source(
        "clauses/protocol/expectations.yaml", line_of(expectations, "respect: Respect", officers), 16
    )


def test_replace_with_library_clause(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - replace: councillors.day-to-day\n    with: introduction.familiarity\n")
    assert clause(tmp_project.document(), "councillors.day-to-day").text.markdown == (
        "Close personal familiarity should be avoided."
    )


def test_replace_errors(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project,
        """\
        changes:
          - replace: councillors.areas.policy
            heading: Policy
          - replace: officers
            text: Staff
          - replace: councillors.areas
            heading: Areas
          - replace: officers.role
            with: officers.rol
        """,
    )
    assert [(p.message, p.source.line) for p in error.problems] == [
        ("'councillors.areas.policy' is a list item: replace it with 'text:'", 7),
        ("'officers' is a section: replace its 'heading:'", 9),
        ("clause 'councillors.areas' has no heading to replace", 11),
        ("no library clause or item 'officers.rol' with text to reuse", 13),
    ]
    assert error.problems[2].hint == "replace its 'text:' instead"
    assert error.problems[3].hint.startswith("did you mean 'officers.role'")


def test_replace_text_of_list_without_lead_in(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - replace: expectations.principles\n    text: Words.\n")
    problem = only_problem(error)
    assert problem.message == "clause 'expectations.principles' is a list without lead-in text"


# --- variants ------------------------------------------------------------------------------------------------


def test_clause_variant(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - variant: roles.summary\n    use: employees\n")
    c = clause(tmp_project.document(), "roles.summary")
    assert c.text.markdown == "The respective roles of Councillors and employees can be summarised as follows:"
    assert c.origin == LIBRARY
    assert c.source == Source(
        "clauses/protocol/roles.yaml", line_of(tmp_project.path("clauses/protocol/roles.yaml"), "employees:"), 18
    )


def test_clause_heading_variant(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - variant: expectations.principles\n    use: some\n")
    c = clause(tmp_project.document(), "expectations.principles")
    assert c.heading.markdown == "Some general principles"
    assert len(c.items) == 1  # the items are untouched


def test_item_and_section_variants(tmp_project: TmpProject) -> None:
    tmp_project.write(
        "clauses/protocol/problems.yaml",
        """\
        id: problems
        heading: When Things go Wrong
        variants:
          short: Problems
        clauses:
          - id: problems.disciplinary
            text: It may be necessary to invoke the {{ council }}'s disciplinary procedure.
          - id: problems.steps
            text: "Steps:"
            items:
              talk:
                text: Talk first;
                variants:
                  formal: Meet formally first;
              write: Then write.
        """,
    )
    tmp_project.tiny(
        """\
        changes:
          - variant: problems
            use: short
          - variant: problems.steps.talk
            use: formal
        """
    )
    doc = tmp_project.document()
    assert section(doc, "problems").heading.markdown == "Problems"
    assert items(doc, "problems.steps") == [
        ("problems.steps.talk", "a)", "Meet formally first;"),
        ("problems.steps.write", "b)", "Then write."),
    ]


def test_unknown_variant_suggests(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - variant: roles.summary\n    use: employes\n")
    problem = only_problem(error)
    assert problem.message == "'roles.summary' has no variant 'employes'"
    assert problem.source == Source(PATH, 7, 5)
    assert problem.hint == "did you mean 'employees'?"


def test_variant_of_clause_without_variants(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - variant: officers.role\n    use: short\n")
    problem = only_problem(error)
    assert problem.message == "'officers.role' has no variant 'short'"
    assert problem.hint == "it has no variants: use 'replace:' with the council's own text"


def test_unknown_variant_with_nothing_close_lists_the_variants(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - variant: roles.summary\n    use: xyz\n")
    assert only_problem(error).hint == "its variants are: employees"


# --- insert --------------------------------------------------------------------------------------------------


def test_insert_item_before(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "changes:\n  - insert: councillors.areas.lead\n    before: councillors.areas.policy\n    text: To lead;\n"
    )
    doc = tmp_project.document()
    assert items(doc, "councillors.areas")[:2] == [
        ("councillors.areas.lead", "a)", "To lead;"),
        ("councillors.areas.policy", "b)", "To determine Council policy and provide community leadership;"),
    ]
    assert clause(doc, "councillors.areas").items[0].passage.origin == COUNCIL


def test_insert_item_after(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "changes:\n  - insert: councillors.areas.lead\n    after: councillors.areas.advocates\n    text: To lead.\n"
    )
    assert item_keys(tmp_project.document(), "councillors.areas") == [
        "policy",
        "performance",
        "represent",
        "advocates",
        "lead",
    ]


def test_insert_item_after_an_inserted_item(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        """\
        changes:
          - insert: councillors.areas.one
            after: councillors.areas.policy
            text: One;
          - insert: councillors.areas.two
            after: councillors.areas.one
            text: Two;
        """
    )
    assert item_keys(tmp_project.document(), "councillors.areas")[:3] == ["policy", "one", "two"]


def test_insert_clause_after(tmp_project: TmpProject) -> None:
    """The README's own example: '- insert: hexham.extra / after: councillors.day-to-day / text: ...'."""
    tmp_project.tiny("changes:\n  - insert: tiny.extra\n    after: councillors.day-to-day\n    text: An extra rule.\n")
    doc = tmp_project.document()
    assert [c.id for c in section(doc, "councillors").clauses] == [
        "councillors.areas",
        "councillors.equal",
        "councillors.day-to-day",
        "tiny.extra",
        "councillors.clerk-responsibility",
    ]
    extra = clause(doc, "tiny.extra")
    assert (extra.number, extra.origin, extra.text.markdown) == ("3.4", COUNCIL, "An extra rule.")


def test_insert_clause_before(tmp_project: TmpProject) -> None:
    tmp_project.tiny("changes:\n  - insert: tiny.first\n    before: roles.summary\n    text: First of all.\n")
    doc = tmp_project.document()
    assert [c.id for c in section(doc, "roles").clauses][:2] == ["tiny.first", "roles.summary"]
    assert clause(doc, "tiny.first").number == "2.1"
    assert clause(doc, "roles.summary").number == "2.2"


def test_insert_with_both_before_and_after(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project,
        "changes:\n  - insert: councillors.areas.x\n    before: councillors.areas.policy\n"
        "    after: councillors.areas.policy\n    text: X\n",
    )
    problem = only_problem(error)
    assert problem.message == "'insert:' needs exactly one of 'before:' or 'after:' naming where it goes"
    assert problem.source == Source(PATH, 7, 5)


def test_insert_with_neither_before_nor_after(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - insert: councillors.areas.x\n    text: X\n")
    problem = only_problem(error)
    assert problem.message == "'insert:' needs exactly one of 'before:' or 'after:' naming where it goes"
    assert problem.source == Source(PATH, 7, 5)


def test_insert_item_id_already_used(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project,
        "changes:\n  - insert: councillors.areas.policy\n    after: councillors.areas.represent\n    text: X\n",
    )
    problem = only_problem(error)
    assert problem.message == "'councillors.areas.policy' is already used"
    assert problem.source == Source(PATH, 7, 5)
    assert problem.hint == "an inserted clause or item needs a new id"


def test_insert_clause_with_library_id(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - insert: roles.summary\n    after: roles.servants\n    text: X\n")
    problem = find_problem(error, "'roles.summary' is already a library clause")
    assert problem.source == Source(PATH, 7, 13)


def test_insert_next_to_unknown_anchor(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project, "changes:\n  - insert: councillors.areas.x\n    after: councillors.areas.polcy\n    text: X\n"
    )
    problem = only_problem(error)
    assert problem.message == "no section, clause or item 'councillors.areas.polcy'"
    assert problem.hint.startswith("did you mean 'councillors.areas.policy'")


# --- unknown and missing targets -----------------------------------------------------------------------------


def test_unknown_target_names_the_change_and_suggests(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - omit: councillors.equl\n")
    problem = only_problem(error)
    assert problem.message == "no section, clause or item 'councillors.equl'"
    assert problem.source == Source(PATH, 7, 5)
    assert problem.hint.startswith("did you mean 'councillors.equal'")
    assert str(problem).startswith(
        "councils/tiny/protocol.yaml:7:5: error: no section, clause or item 'councillors.equl'\n"
    )


def test_target_left_out_by_the_outline(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "sections:\n  - introduction\nchanges:\n  - omit: councillors.equal\n")
    problem = only_problem(error)
    assert problem.message == "'councillors.equal' is not in this council's document"
    assert problem.source == Source(PATH, 9, 5)
    assert problem.hint == f"it is left out by 'sections:' at {PATH}:7:5; list it there or remove this change"


def test_omit_of_an_optional_section_the_council_never_had(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - omit: political-groups\n")
    problem = only_problem(error)
    assert problem.message == "'political-groups' is an optional section and is not in this document"
    assert problem.source == Source(PATH, 7, 5)
    assert problem.hint is not None
    assert problem.hint.startswith("optional sections are left out unless listed under 'sections:'")
    assert "'- section: political-groups'" in problem.hint
    assert "earlier 'omit:'" not in problem.hint


def test_misspelt_anchor_is_reported_at_its_line_with_close_matches_only(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project, "changes:\n  - insert: tiny.extra\n    text: Extra.\n    after: councillors.equl\n"
    )
    problem = only_problem(error)
    assert problem.message == "no section, clause or item 'councillors.equl'"
    assert problem.source == Source(PATH, 9, 12)  # the 'after:' value, not the '- insert:' line
    assert problem.hint == "did you mean 'councillors.equal'?"


def test_unrelated_ids_are_not_suggested(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - omit: councillors.chair\n")
    problem = only_problem(error)
    assert problem.hint == "see the ids in clauses/"


def test_target_left_out_by_an_earlier_omit(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project, "changes:\n  - omit: councillors\n  - replace: councillors.equal\n    text: Equal.\n"
    )
    problem = only_problem(error)
    assert problem.message == "'councillors.equal' is not in this council's document"
    assert problem.source == Source(PATH, 8, 5)
    assert problem.hint == f"it was left out by the 'omit: councillors' at {PATH}:7:5; remove one of the two changes"


def test_all_problems_are_reported_together(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project,
        "changes:\n  - omit: councillors.equl\n  - variant: roles.summary\n    use: nope\n"
        "  - replace: officers.role\n    text: '{{ clerk_titel }}'\n",
    )
    assert [p.source.line for p in error.problems] == [7, 8, 11]


# --- layout --------------------------------------------------------------------------------------------------


LAYOUT = """\
sections:
  - section: roles
    clauses:
      - roles.summary
      - clause: roles.servants
        numbered: false
      - clause: roles.electorate
        join: true
      - roles.officers-responsible
"""


def test_numbered_false_and_join(tmp_project: TmpProject) -> None:
    tmp_project.tiny(LAYOUT)
    doc = tmp_project.document()
    assert [(c.id, c.number, c.join) for c in doc.sections[0].clauses] == [
        ("roles.summary", "1.1", False),
        ("roles.servants", None, False),
        ("roles.electorate", None, True),
        ("roles.officers-responsible", "1.2", False),
    ]
    assert [[c.id for c in p] for p in doc.sections[0].paragraphs] == [
        ["roles.summary"],
        ["roles.servants", "roles.electorate"],
        ["roles.officers-responsible"],
    ]
    markdown = tmp_project.markdown()
    assert (
        "\n\nCouncillors and Officers are servants of the public and they are indispensable to one another, "
        "but their responsibilities are distinct. Councillors are responsible to the electorate"
    ) in markdown
    assert "\n\n**1.2** Officers are responsible to the Council.\n" in markdown


def test_join_after_a_list_is_an_error(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project,
        """\
        sections:
          - section: councillors
            clauses:
              - councillors.areas
              - clause: councillors.equal
                join: true
        """,
    )
    problem = only_problem(error)
    assert problem.message == "clause 'councillors.equal' cannot join the clause before it"
    assert problem.source == Source(PATH, 10, 9)
    assert problem.hint.startswith("'join: true' continues the paragraph of a clause with text only")


def test_join_as_first_clause_is_an_error(tmp_project: TmpProject) -> None:
    error = resolve_error(
        tmp_project, "sections:\n  - section: roles\n    clauses:\n      - clause: roles.servants\n        join: true\n"
    )
    assert only_problem(error).message == "clause 'roles.servants' cannot join the clause before it"


def test_unnumbered_section(tmp_project: TmpProject) -> None:
    tmp_project.tiny("sections:\n  - introduction\n  - section: roles\n    numbered: false\n  - problems\n")
    doc = tmp_project.document()
    assert [s.number for s in doc.sections] == ["1.", None, "2."]
    assert [c.number for c in section(doc, "roles").clauses] == [None] * 4
    assert clause(doc, "problems.disciplinary").number == "2.1"


def test_local_section_without_heading(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "sections:\n  - id: tiny.preamble\n    clauses:\n      - id: tiny.hello\n        text: Hello.\n  - problems\n"
    )
    doc = tmp_project.document()
    assert doc.sections[0].heading is None
    assert clause(doc, "tiny.hello").origin == COUNCIL
    assert clause(doc, "tiny.hello").number == "1.1"


# --- numbering -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "numbers"),
    [("1.", ["1.", "2.", "3."]), ("1.0", ["1.0", "2.0", "3.0"]), ("1", ["1", "2", "3"]), ("none", [None] * 3)],
)
def test_section_numbering_styles(tmp_project: TmpProject, style: str, numbers: list[str | None]) -> None:
    tmp_project.council_file(
        "tiny",
        f'name: T\nkind: parish\nnumbering:\n  levels: ["{style}", "1.1", "a)"]\n'
        'versions:\n  - version: "1"\nsections:\n  - introduction\n  - roles\n  - problems\n',
    )
    doc = tmp_project.document()
    assert [s.number for s in doc.sections] == numbers
    expected = "3.1" if style != "none" else None
    assert clause(doc, "problems.disciplinary").number == expected
    markdown = tmp_project.markdown()
    if style == "none":
        assert "\n## Introduction\n" in markdown
        assert "**" not in markdown
    else:
        assert f"\n## {numbers[2]} When Things go Wrong\n" in markdown
        assert "\n**3.1** If the matter cannot be resolved informally" in markdown


def test_clause_numbering_none(tmp_project: TmpProject) -> None:
    tmp_project.council_file(
        "tiny",
        'name: T\nkind: parish\nnumbering:\n  levels: ["1.", none, "a)"]\n'
        'versions:\n  - version: "1"\nsections:\n  - roles\n',
    )
    doc = tmp_project.document()
    assert doc.sections[0].number == "1."
    assert [c.number for c in doc.sections[0].clauses] == [None] * 4


def test_clause_numbers_in_the_real_councils(workspace: Workspace) -> None:
    doc = workspace.document("hexham")
    assert [c.number for c in section(doc, "roles").clauses if c.number] == ["2.1", "2.2", "2.3", "2.4"]
    doc = workspace.document("cottingham")
    assert [s.number for s in doc.sections] == ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0"]
    assert clause(doc, "cottingham.reason").number == "1.1"


def test_item_labels_letters_and_bullets(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    assert [i[1] for i in items(tmp_project.document(), "councillors.areas")] == ["a)", "b)", "c)", "d)"]
    tmp_project.council_file("tiny", 'name: T\nkind: parish\nversions:\n  - version: "1"\n')
    doc = tmp_project.document()
    assert [i[1] for i in items(doc, "councillors.areas")] == [None] * 4
    markdown = tmp_project.markdown()
    assert "\n- To determine Council policy and provide community leadership;\n" in markdown


def test_many_items_keep_distinct_labels(tmp_project: TmpProject) -> None:
    inserts = "".join(
        f"  - insert: councillors.areas.x{n}\n    after: councillors.areas.{'advocates' if n == 0 else f'x{n - 1}'}\n"
        f"    text: Extra {n}.\n"
        for n in range(30)
    )
    tmp_project.tiny("changes:\n" + inserts)
    labels = [i[1] for i in items(tmp_project.document(), "councillors.areas")]
    assert len(labels) == 34
    assert labels[:3] == ["a)", "b)", "c)"]
    assert labels[25:28] == ["z)", "aa)", "bb)"]
    assert len(set(labels)) == len(labels)


def test_punctuation_none_strips_item_endings(tmp_project: TmpProject) -> None:
    tmp_project.council_file(
        "tiny",
        'name: T\nkind: parish\nnumbering:\n  punctuation: none\nversions:\n  - version: "1"\n'
        "changes:\n  - replace: councillors.areas.advocates\n    text: To act for constituents; or\n",
    )
    doc = tmp_project.document()
    assert [i[2] for i in items(doc, "councillors.areas")] == [
        "To determine Council policy and provide community leadership",
        "To monitor and review Council performance in delivering services",
        "To represent the Council externally",
        "To act for constituents",
    ]
    # only list items: the lead-in keeps its colon and clause text its full stop
    assert clause(doc, "councillors.areas").text.markdown == "Councillors have four main areas of responsibility:"
    assert clause(doc, "councillors.equal").text.markdown.endswith("should be treated equally.")


def test_punctuation_as_written_keeps_endings(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    assert items(tmp_project.document(), "councillors.areas")[2][2] == "To represent the Council externally; and"


# --- text rendering: variables and the sandbox ---------------------------------------------------------------


def test_undefined_variable_suggests_the_right_one(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - replace: officers.role\n    text: 'Ask the {{ clerk_titel }}.'\n")
    problem = only_problem(error)
    assert problem.message == "unknown variable in text: 'clerk_titel' is undefined"
    assert problem.source == Source(PATH, 8, 11)
    assert problem.hint.startswith("did you mean 'clerk_title'")


def test_statements_in_text_are_refused(tmp_project: TmpProject) -> None:
    """Clerk text is text with placeholders: a loop (any statement but `{% if name %}`) is refused where written."""
    error = resolve_error(
        tmp_project, "changes:\n  - replace: officers.role\n    text: '{% for x in cllrs %}x{% endfor %}Words.'\n"
    )
    problem = only_problem(error)
    assert problem.message == "text uses the statement {% for %}, which texts may not use"
    assert problem.source == Source(PATH, 8, 11)
    assert "{{ ref('section.clause') }}" in (problem.hint or "")


def test_a_fact_may_be_printed_only_when_it_is_given(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "changes:\n  - replace: officers.role\n"
        "    text: 'Ask the {{ clerk_title }}{% if contact %} at {{ contact }}{% endif %}.'\n"
    )
    role = next(c for s in tmp_project.document().sections for c in s.clauses if c.id == "officers.role")
    assert role.text is not None and role.text.markdown == "Ask the Clerk."
    tmp_project.write(
        "councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\ncontact: clerk@tiny.example\n"
    )
    role = next(c for s in tmp_project.document().sections for c in s.clauses if c.id == "officers.role")
    assert role.text is not None and role.text.markdown == "Ask the Clerk at clerk@tiny.example."


def test_template_syntax_error_in_text(tmp_project: TmpProject) -> None:
    error = resolve_error(tmp_project, "changes:\n  - replace: officers.role\n    text: 'Ask the {{ clerk_title.'\n")
    problem = only_problem(error)
    assert problem.message.startswith("template error in text:")
    assert problem.source == Source(PATH, 8, 11)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ council.__class__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ councillors.__class__.__mro__[1].__subclasses__() }}",
        "{{ council.format.__globals__ }}",
    ],
)
def test_sandbox_refuses_python_internals(tmp_project: TmpProject, expression: str) -> None:
    tmp_project.tiny(f'changes:\n  - replace: officers.role\n    text: "{expression}"\n')
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.source == Source(PATH, 8, 11)
    assert "class '" not in str(info.value)


@pytest.mark.parametrize("expression", ["{{ 1 / 0 }}", "{{ councillors + 1 }}", "{{ council.split(1) }}"])
def test_text_that_fails_while_rendering_is_a_protocol_error(tmp_project: TmpProject, expression: str) -> None:
    """Whatever goes wrong inside clause text is the clerk's problem to fix, reported with its line, never a crash."""
    tmp_project.tiny(f'changes:\n  - replace: officers.role\n    text: "Words {expression}"\n')
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    assert only_problem(info.value).source == Source(PATH, 8, 11)


def test_capitalised_term_even_when_council_writes_it_lower_case(tmp_project: TmpProject) -> None:
    tmp_project.council_file(
        "tiny",
        "terms:\n  councillors: members\n  clerk: proper officer\n"
        + TINY
        + "changes:\n  - replace: officers.role\n"
        + '    text: "{{ Councillors }} and the {{ clerk }} meet; {{ councillors }} listen to the {{ Clerk }}."\n',
    )
    doc = tmp_project.document()
    assert clause(doc, "officers.role").text.markdown == (
        "Members and the proper officer meet; members listen to the Proper officer."
    )
    assert section(doc, "councillors").heading.markdown == "Members"


def test_duston_headings_capitalise_lower_case_terms(workspace: Workspace) -> None:
    doc = workspace.document("duston")
    assert section(doc, "councillors").heading.markdown == "Councillors"
    assert section(doc, "roles").heading.markdown == "Roles of Councillors and Officers"
    assert clause(doc, "councillors.day-to-day").text.markdown.endswith("day to day running of the council.")


def test_council_facts_are_variables(tmp_project: TmpProject) -> None:
    tmp_project.council_file(
        "tiny",
        textwrap.dedent(
            """\
            name: Tiny Town Council
            kind: town
            clerk: Town Clerk
            contact: clerk@example.org
            versions:
              - version: "2.1"
                adopted: 2023-03-02
                minute: "12/23"
                review_by: 2026-03
            changes:
              - replace: officers.role
                text: >-
                  {{ council_name }} ({{ council_kind }}), {{ clerk_title }}, {{ contact }}, v{{ version }},
                  {{ adopted }}, {{ review_by }}, {{ minute }}.
            """
        ),
    )
    assert clause(tmp_project.document(), "officers.role").text.markdown == (
        "Tiny Town Council (town), Town Clerk, clerk@example.org, v2.1, 2 March 2023, March 2026, 12/23."
    )


def test_terms_are_markdown_escaped(tmp_project: TmpProject) -> None:
    tmp_project.council_file(
        "tiny",
        "terms:\n  clerk: '*Clerk*'\n" + TINY + "changes:\n  - replace: officers.role\n    text: 'The {{ clerk }}.'\n",
    )
    assert clause(tmp_project.document(), "officers.role").text.markdown == r"The \*Clerk\*."


# --- ids stay unique --------------------------------------------------------------------------------------------


def test_insert_item_into_a_councils_own_list(tmp_project: TmpProject) -> None:
    """Items of a council's own list are addressed like library items: '<list id>.<key>'."""
    tmp_project.tiny(
        """\
        sections:
          - id: tiny.steps
            heading: Steps
            clauses:
              - id: tiny.list
                text: "Steps:"
                items:
                  one: One;
                  two: Two.
        changes:
          - insert: tiny.list.extra
            after: tiny.list.one
            text: Extra;
          - replace: tiny.list.one
            text: First;
        """
    )
    doc = tmp_project.document()
    assert items(doc, "tiny.list") == [
        ("tiny.list.one", "a)", "First;"),
        ("tiny.list.extra", "b)", "Extra;"),
        ("tiny.list.two", "c)", "Two."),
    ]


def test_omit_item_of_a_councils_own_list(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        """\
        sections:
          - id: tiny.steps
            heading: Steps
            clauses:
              - id: tiny.list
                text: "Steps:"
                items:
                  one: One;
                  two: Two.
        changes:
          - omit: tiny.list.one
        """
    )
    assert items(tmp_project.document(), "tiny.list") == [("tiny.list.two", "a)", "Two.")]


def test_a_local_clause_id_used_twice_is_an_error(tmp_project: TmpProject) -> None:
    """Two clauses with one id would share an HTML anchor and make changes and the manifest ambiguous."""
    error = resolve_error(
        tmp_project,
        """\
        sections:
          - id: tiny.first
            heading: First
            clauses:
              - id: tiny.twice
                text: One.
          - id: tiny.second
            heading: Second
            clauses:
              - id: tiny.twice
                text: Two.
        """,
    )
    assert any("tiny.twice" in p.message for p in error.problems), str(error)


# --- nested items: items of items, numbered by a fourth level ----------------------------------------------------

FOUR_LEVELS = 'numbering:\n  levels: ["1.", "1.1", "a)", "(i)"]\nversions:\n  - version: "1"\n    adopted: 2024-01-15\n'
DUTIES = """\
changes:
  - insert: tiny.duties
    after: councillors.equal
    text: "The {{ clerk }}:"
    items:
      advise: advises the {{ council }};
      records:
        text: "keeps the records:"
        items:
          minutes: the minutes;
          accounts: the accounts;
          letters: the letters; and
      other: does other things.
"""


def nested(tmp_project: TmpProject, head: str = FOUR_LEVELS, tail: str = "") -> Document:
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write("councils/tiny/protocol.yaml", head + DUTIES + tail)
    return tmp_project.document()


def sub_items(doc: Document, clause_id: str, key: str) -> list[tuple[str, str | None, str | None, str]]:
    item = next(i for i in clause(doc, clause_id).items if i.id == f"{clause_id}.{key}")
    return [(i.id, i.label, i.number, i.passage.markdown) for i in item.items]


def test_nested_items_are_numbered_by_the_fourth_level(tmp_project: TmpProject) -> None:
    doc = nested(tmp_project)
    duties = clause(doc, "tiny.duties")
    assert (duties.number, duties.text.markdown) == ("3.3", "The Clerk:")
    assert [(i.id, i.label, i.number) for i in duties.items] == [
        ("tiny.duties.advise", "a)", "3.3(a)"),
        ("tiny.duties.records", "b)", "3.3(b)"),
        ("tiny.duties.other", "c)", "3.3(c)"),
    ]
    assert sub_items(doc, "tiny.duties", "records") == [
        ("tiny.duties.records.minutes", "(i)", "3.3(b)(i)", "the minutes;"),
        ("tiny.duties.records.accounts", "(ii)", "3.3(b)(ii)", "the accounts;"),
        ("tiny.duties.records.letters", "(iii)", "3.3(b)(iii)", "the letters; and"),
    ]
    assert duties.items[0].items == ()
    assert duties.items[1].passage.markdown == "keeps the records:"
    # every passage, nested ones included, is part of the clause (stats, manifest and diff count them)
    assert [p.markdown for p in duties.passages][-3:] == ["the accounts;", "the letters; and", "does other things."]
    assert len(duties.passages) == 1 + 3 + 3


def test_nested_item_passages_are_located(tmp_project: TmpProject) -> None:
    doc = nested(tmp_project)
    minutes = clause(doc, "tiny.duties").items[1].items[0]
    assert minutes.passage.origin == COUNCIL
    assert minutes.passage.source == Source(PATH, line_of(tmp_project.path(PATH), "minutes: the minutes"), 20)


def test_nested_items_in_markdown(tmp_project: TmpProject) -> None:
    nested(tmp_project)
    assert (
        "\na) advises the Council;\n\nb) keeps the records:\n\n(i) the minutes;\n\n(ii) the accounts;\n\n"
        "(iii) the letters; and\n\nc) does other things.\n"
    ) in tmp_project.markdown()


def test_too_few_numbering_levels_for_nested_items(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.tiny(DUTIES)
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.message == (
        "numbering gives 3 levels but this document has 4 (sections, clauses, list items, and items inside items)"
    )
    assert problem.source == Source(PATH, 2, 11)
    assert problem.hint == 'give a style for each level, e.g. levels: ["1.", "1.1", "a)", "(i)"]'


def test_nested_items_without_numbering_are_bullets(tmp_project: TmpProject) -> None:
    """The default numbering (no 'numbering:') has no levels to run out of: deeper items are bullets."""
    doc = nested(tmp_project, head='versions:\n  - version: "1"\n')
    assert [(i.label, i.number) for i in clause(doc, "tiny.duties").items[1].items] == [(None, None)] * 3
    assert "\n- keeps the records:\n  - the minutes;\n" in tmp_project.markdown()


def test_omit_replace_and_insert_nested_items(tmp_project: TmpProject) -> None:
    doc = nested(
        tmp_project,
        tail="""\
  - omit: tiny.duties.records.accounts
  - replace: tiny.duties.records.letters
    text: the correspondence.
  - insert: tiny.duties.records.deeds
    before: tiny.duties.records.minutes
    text: the deeds;
""",
    )
    assert sub_items(doc, "tiny.duties", "records") == [
        ("tiny.duties.records.deeds", "(i)", "3.3(b)(i)", "the deeds;"),
        ("tiny.duties.records.minutes", "(ii)", "3.3(b)(ii)", "the minutes;"),
        ("tiny.duties.records.letters", "(iii)", "3.3(b)(iii)", "the correspondence."),
    ]
    inserted = clause(doc, "tiny.duties").items[1].items[0]
    assert inserted.passage.source == Source(PATH, line_of(tmp_project.path(PATH), "text: the deeds;"), 11)


def test_omitting_an_item_with_items_removes_them_too(tmp_project: TmpProject) -> None:
    doc = nested(tmp_project, tail="  - omit: tiny.duties.records\n")
    assert [(i.id, i.label) for i in clause(doc, "tiny.duties").items] == [
        ("tiny.duties.advise", "a)"),
        ("tiny.duties.other", "b)"),
    ]
    with pytest.raises(ProtocolError) as info:
        nested(tmp_project, tail="  - omit: tiny.duties.records\n  - omit: tiny.duties.records.minutes\n")
    problem = only_problem(info.value)
    assert problem.message == "no section, clause or item 'tiny.duties.records.minutes'"
    assert problem.source == Source(PATH, line_of(tmp_project.path(PATH), "- omit: tiny.duties.records.minutes"), 5)


def test_nested_library_item_left_out_by_an_earlier_omit(tmp_project: TmpProject) -> None:
    tmp_project.write("clauses/protocol/problems.yaml", LIBRARY_NESTED)
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        FOUR_LEVELS + "changes:\n  - omit: problems.steps.talk\n  - omit: problems.steps.talk.formally\n",
    )
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.message == "'problems.steps.talk.formally' is not in this council's document"
    assert problem.source == Source(PATH, 8, 5)


def test_unknown_nested_item_suggests(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write("councils/tiny/protocol.yaml", FOUR_LEVELS + DUTIES + "  - omit: tiny.duties.records.minute\n")
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.message == "no section, clause or item 'tiny.duties.records.minute'"
    assert problem.hint.startswith("did you mean 'tiny.duties.records.minutes'")


LIBRARY_NESTED = """\
id: problems
heading: When Things go Wrong
clauses:
  - id: problems.disciplinary
    text: It may be necessary to invoke the {{ council }}'s disciplinary procedure.
  - id: problems.steps
    text: "Steps:"
    items:
      talk:
        text: "Talk first:"
        items:
          informally: informally;
          formally:
            text: formally;
            variants:
              meeting: at a meeting;
      write: Then write.
"""


def test_nested_library_items_take_changes(tmp_project: TmpProject) -> None:
    tmp_project.write("clauses/protocol/problems.yaml", LIBRARY_NESTED)
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        FOUR_LEVELS
        + """\
changes:
  - variant: problems.steps.talk.formally
    use: meeting
  - insert: problems.steps.talk.mediate
    after: problems.steps.talk.formally
    text: through a mediator.
  - replace: problems.steps.talk.informally
    with: problems.steps.write
""",
    )
    doc = tmp_project.document()
    assert clause(doc, "problems.steps").number == "6.2"
    assert sub_items(doc, "problems.steps", "talk") == [
        ("problems.steps.talk.informally", "(i)", "6.2(a)(i)", "Then write."),
        ("problems.steps.talk.formally", "(ii)", "6.2(a)(ii)", "at a meeting;"),
        ("problems.steps.talk.mediate", "(iii)", "6.2(a)(iii)", "through a mediator."),
    ]
    origins = [i.passage.origin for i in clause(doc, "problems.steps").items[0].items]
    assert origins == [LIBRARY, LIBRARY, COUNCIL]


def test_unknown_variant_of_a_nested_item(tmp_project: TmpProject) -> None:
    tmp_project.write("clauses/protocol/problems.yaml", LIBRARY_NESTED)
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        FOUR_LEVELS + "changes:\n  - variant: problems.steps.talk.formally\n    use: meting\n",
    )
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.source == Source(PATH, 7, 5)
    assert problem.message == "'problems.steps.talk.formally' has no variant 'meting'"
    assert problem.hint == "did you mean 'meeting'?"


def test_punctuation_none_strips_nested_item_endings(tmp_project: TmpProject) -> None:
    head = FOUR_LEVELS.replace('"(i)"]\n', '"(i)"]\n  punctuation: none\n')
    doc = nested(tmp_project, head=head)
    assert [i[3] for i in sub_items(doc, "tiny.duties", "records")] == ["the minutes", "the accounts", "the letters"]


# --- numbering styles ---------------------------------------------------------------------------------------------

# style -> the labels of councillors.areas's four items (clause 3.1) and what ref() prints for the second one
ITEM_STYLES = {
    "1.": (["1.", "2.", "3.", "4."], "2"),
    "1.0": (["1.0", "2.0", "3.0", "4.0"], "2"),
    "1": (["1", "2", "3", "4"], "2"),
    "1.1": (["3.1.1", "3.1.2", "3.1.3", "3.1.4"], "3.1.2"),
    "a)": (["a)", "b)", "c)", "d)"], "3.1(b)"),
    "(a)": (["(a)", "(b)", "(c)", "(d)"], "3.1(b)"),
    "a.": (["a.", "b.", "c.", "d."], "3.1(b)"),
    "A.": (["A.", "B.", "C.", "D."], "3.1(B)"),
    "(i)": (["(i)", "(ii)", "(iii)", "(iv)"], "3.1(ii)"),
    "i.": (["i.", "ii.", "iii.", "iv."], "3.1(ii)"),
    "bullet": ([None] * 4, "3.1"),
    "none": ([None] * 4, None),
}


def styled(tmp_project: TmpProject, levels: list[str], tail: str = "") -> Document:
    quoted = ", ".join(f'"{level}"' for level in levels)
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        f'numbering:\n  levels: [{quoted}]\nversions:\n  - version: "1"\n' + tail,
    )
    return tmp_project.document()


@pytest.mark.parametrize("style", list(ITEM_STYLES))
def test_item_numbering_styles(tmp_project: TmpProject, style: str) -> None:
    labels, ref = ITEM_STYLES[style]
    doc = styled(tmp_project, ["1.", "1.1", style])
    areas = clause(doc, "councillors.areas").items
    assert [i.label for i in areas] == labels
    assert areas[1].number == ref
    markdown = tmp_project.markdown()
    first = "To determine Council policy and provide community leadership;"
    # a lettered item is a paragraph starting with its label, escaped where Markdown would read a list ('1\\.')
    assert (f"\n{markdown_text(labels[0] + ' ' + first)}\n" if labels[0] else f"\n- {first}\n") in markdown


def test_every_style_is_covered() -> None:
    assert set(ITEM_STYLES) == set(STYLES)


@pytest.mark.parametrize(
    ("style", "labels", "ref"),
    [
        ("1.1", ["2.1", "2.2", "2.3", "2.4"], "2.2"),
        ("a)", ["a)", "b)", "c)", "d)"], "2(b)"),
        ("(a)", ["(a)", "(b)", "(c)", "(d)"], "2(b)"),
        ("i.", ["i.", "ii.", "iii.", "iv."], "2(ii)"),
        ("1", ["1", "2", "3", "4"], "2"),
        ("none", [None] * 4, None),
    ],
)
def test_clause_numbering_styles(
    tmp_project: TmpProject, style: str, labels: list[str | None], ref: str | None
) -> None:
    text = "See {{ ref('roles.servants') }}." if ref else "See below."
    doc = styled(
        tmp_project,
        ["1.", style, "bullet"],
        f'changes:\n  - replace: introduction.familiarity\n    text: "{text}"\n',
    )
    assert [c.number for c in section(doc, "roles").clauses] == labels
    assert clause(doc, "introduction.familiarity").text.markdown == (f"See {ref}." if ref else "See below.")


def test_composite_clause_numbers_need_a_numbered_section(tmp_project: TmpProject) -> None:
    """'1.1' takes its first part from the section: under an unnumbered section the clauses have no number."""
    doc = styled(tmp_project, ["none", "1.1", "a)"])
    assert [s.number for s in doc.sections] == [None] * 6
    assert {c.number for s in doc.sections for c in s.clauses} == {None}
    # lettered items under an unnumbered clause still get their letters, referred to as '(b)'
    assert [i.label for i in clause(doc, "councillors.areas").items] == ["a)", "b)", "c)", "d)"]
    assert clause(doc, "councillors.areas").items[1].number == "(b)"


@pytest.mark.parametrize(
    ("style", "n", "parent", "label", "ref"),
    [
        ("1.", 3, None, "3.", "3"),
        ("1.0", 3, None, "3.0", "3"),
        ("1", 3, None, "3", "3"),
        ("1.1", 3, "2", "2.3", "2.3"),
        ("1.1", 3, None, None, None),
        ("a)", 3, "2", "c)", "2(c)"),
        ("a)", 3, None, "c)", "(c)"),
        ("(a)", 27, "2.1", "(aa)", "2.1(aa)"),
        ("a.", 28, "2", "bb.", "2(bb)"),
        ("A.", 3, "2", "C.", "2(C)"),
        ("(i)", 4, "2(b)", "(iv)", "2(b)(iv)"),
        ("i.", 14, "2", "xiv.", "2(xiv)"),
        ("bullet", 3, "2", None, "2"),
        ("bullet", 3, None, None, None),
        ("none", 3, "2", None, None),
    ],
)
def test_number(style: str, n: int, parent: str | None, label: str | None, ref: str | None) -> None:
    assert number(style, n, parent) == Number(label, ref)


# --- ref(): a clause's number, printed where another text refers to it ---------------------------------------------


def ref_document(tmp_project: TmpProject, text: str, levels: str = '["1.", "1.1", "a)"]', more: str = "") -> Document:
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        f'numbering:\n  levels: {levels}\nversions:\n  - version: "1"\n'
        + more
        + f'changes:\n  - replace: officers.role\n    text: "{text}"\n',
    )
    return tmp_project.document()


def ref_error(tmp_project: TmpProject, text: str, levels: str = '["1.", "1.1", "a)"]', more: str = "") -> Problem:
    with pytest.raises(ProtocolError) as info:
        ref_document(tmp_project, text, levels, more)
    return only_problem(info.value)


def test_ref_prints_a_clause_number(tmp_project: TmpProject) -> None:
    doc = ref_document(tmp_project, "As in {{ ref('roles.servants') }} and {{ ref('problems.disciplinary') }}.")
    assert clause(doc, "officers.role").text.markdown == "As in 2.2 and 6.1."


def test_ref_prints_an_item_and_a_section(tmp_project: TmpProject) -> None:
    doc = ref_document(tmp_project, "See {{ ref('councillors.areas.represent') }} of section {{ ref('councillors') }}.")
    assert clause(doc, "officers.role").text.markdown == "See 3.1(c) of section 3."


def test_ref_in_the_style_2_b(tmp_project: TmpProject) -> None:
    doc = ref_document(tmp_project, "Under {{ ref('roles.servants') }}.", levels='["1", "(a)", "(i)"]')
    assert clause(doc, "officers.role").text.markdown == "Under 2(b)."
    assert clause(doc, "roles.servants").number == "(b)"


def test_ref_follows_omits_and_inserts(tmp_project: TmpProject) -> None:
    """Numbers are worked out after every change, so a ref always prints the number the reader sees."""
    doc = ref_document(
        tmp_project,
        "See {{ ref('roles.officers-responsible') }} and {{ ref('councillors.areas.advocates') }}.",
    )
    assert clause(doc, "officers.role").text.markdown == "See 2.4 and 3.1(d)."
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        'numbering:\n  levels: ["1.", "1.1", "a)"]\nversions:\n  - version: "1"\n'
        "changes:\n"
        "  - omit: introduction\n"
        "  - omit: roles.servants\n"
        "  - omit: councillors.areas.policy\n"
        "  - replace: officers.role\n"
        "    text: \"See {{ ref('roles.officers-responsible') }} and {{ ref('councillors.areas.advocates') }}.\"\n",
    )
    assert clause(tmp_project.document(), "officers.role").text.markdown == "See 1.3 and 2.1(c)."


def test_ref_to_a_later_clause_and_to_a_councils_own(tmp_project: TmpProject) -> None:
    doc = ref_document(
        tmp_project,
        "See {{ ref('tiny.extra') }}.",
        more="sections:\n  - officers\n  - id: tiny.more\n    heading: More\n    clauses:\n"
        "      - id: tiny.extra\n        text: Extra.\n",
    )
    assert clause(doc, "officers.role").text.markdown == "See 2.1."


def test_ref_in_a_library_text(tmp_project: TmpProject) -> None:
    path = tmp_project.path("clauses/protocol/introduction.yaml")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Close personal familiarity should be avoided.",
            "Close personal familiarity should be avoided (see {{ ref('problems') }}).",
        ),
        encoding="utf-8",
    )
    tmp_project.tiny()
    assert clause(tmp_project.document(), "introduction.familiarity").text.markdown == (
        "Close personal familiarity should be avoided (see 6)."
    )


def test_ref_to_an_omitted_clause_is_a_located_error(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/tiny/council.yaml", "name: Tiny Parish Council\nkind: parish\n")
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        'numbering:\n  levels: ["1.", "1.1", "a)"]\nversions:\n  - version: "1"\n'
        "changes:\n"
        "  - omit: councillors.equal\n"
        "  - replace: officers.role\n"
        "    text: \"See {{ ref('councillors.equal') }}.\"\n",
    )
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.message == "ref('councillors.equal') names a clause this document leaves out"
    assert problem.source == Source(PATH, 8, 11)
    assert problem.hint == "refer to a clause the document prints, or put the clause back in its outline"


def test_ref_to_a_clause_left_out_by_the_outline(tmp_project: TmpProject) -> None:
    problem = ref_error(tmp_project, "See {{ ref('problems.disciplinary') }}.", more="sections:\n  - officers\n")
    assert problem.message == "ref('problems.disciplinary') names a clause this document leaves out"
    assert problem.source == Source(PATH, 9, 11)


def test_ref_to_an_unknown_id_is_a_located_error(tmp_project: TmpProject) -> None:
    problem = ref_error(tmp_project, "See {{ ref('councillors.equl') }}.")
    assert problem.message == "ref('councillors.equl') names no clause of this document"
    assert problem.source == Source(PATH, 7, 11)
    assert problem.hint.startswith("did you mean 'councillors.equal'")
    problem = ref_error(tmp_project, "See {{ ref('zzzz') }}.")
    assert problem.message == "ref('zzzz') names no clause of this document"
    assert problem.hint == "check the clause id"


def test_ref_to_an_unnumbered_clause(tmp_project: TmpProject) -> None:
    problem = ref_error(
        tmp_project,
        "See {{ ref('roles.servants') }}.",
        more="sections:\n  - section: roles\n    clauses:\n      - clause: roles.servants\n        numbered: false\n"
        "  - officers\n",
    )
    assert problem.message == "ref('roles.servants') names a clause that has no number in this document"
    assert problem.source == Source(PATH, 13, 11)
    assert problem.hint == "refer to a numbered clause, or number it (see 'numbering:' and 'numbered:')"


def test_ref_without_numbering_is_an_error(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    tmp_project.write(
        "councils/tiny/protocol.yaml",
        'versions:\n  - version: "1"\nchanges:\n  - replace: officers.role\n'
        "    text: \"See {{ ref('roles.servants') }}.\"\n",
    )
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    problem = only_problem(info.value)
    assert problem.message == "ref('roles.servants') names a clause that has no number in this document"
    assert problem.source == Source(PATH, 5, 11)


def test_every_bad_ref_is_reported(tmp_project: TmpProject) -> None:
    tmp_project.tiny(
        "changes:\n  - replace: officers.role\n    text: \"{{ ref('nope') }}\"\n"
        "  - replace: officers.advice\n    text: \"{{ ref('nada') }}\"\n"
    )
    with pytest.raises(ProtocolError) as info:
        tmp_project.document()
    assert [(p.message, p.source.line) for p in info.value.problems] == [
        ("ref('nope') names no clause of this document", 8),
        ("ref('nada') names no clause of this document", 10),
    ]


def test_an_inserted_item_is_named_after_its_list(tmp_project: TmpProject) -> None:
    """An item's id is its list's id and a key: one named after another list would not be where its id says."""
    error = resolve_error(
        tmp_project,
        "changes:\n  - insert: councillors.areas.x\n    after: expectations.officers.respect\n    text: X;\n",
    )
    problem = only_problem(error)
    assert problem.message == "'councillors.areas.x' is not an id of the list 'expectations.officers' it goes into"
    assert problem.source == Source(PATH, 7, 5)
    assert (
        problem.hint
        == "an item inserted next to 'expectations.officers.respect' is named 'expectations.officers.<new key>'"
    )
    error = resolve_error(
        tmp_project,
        DUTIES + "  - insert: tiny.duties.deeds\n    after: tiny.duties.records.minutes\n    text: deeds;\n",
    )
    assert find_problem(error, "'tiny.duties.deeds' is not an id of the list 'tiny.duties.records' it goes into")


def test_ref_without_an_id_is_an_error(tmp_project: TmpProject) -> None:
    """`{{ ref }}` alone would print the function itself (and a different address on every build)."""
    problem = ref_error(tmp_project, "See {{ ref }}.")
    assert problem.message == "ref needs the id of the clause it refers to"
    assert problem.source == Source(PATH, 7, 11)
    assert problem.hint == "write it as {{ ref('section.clause') }}"


# --- the index of ids a council's changes are applied through ---------------------------------------------------


def _linear_find(plan: list[resolve_module._Section], target: str) -> resolve_module._Found | None:
    """find() as a plain search of the outline in document order: what the index must always agree with."""
    for s in plan:
        if s.ref.section.id == target:
            return s, None, None, None
        for c in s.clauses:
            if c.id == target:
                return s, c, None, None
            for i, holder in resolve_module._walk_items(c.items):
                if i.id == target:
                    return s, c, i, holder
    return None


def _same(a: resolve_module._Found | None, b: resolve_module._Found | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and all(x is y for x, y in zip(a, b, strict=True))
    )


@pytest.mark.parametrize("project", ["repo", "generated"])
def test_id_index_agrees_with_a_search_of_the_outline_after_every_change(project: str, tmp_path: Path) -> None:
    if project == "repo":
        root = REPO
    else:
        sys.path.insert(0, str(REPO / "bench"))
        from generate import generate

        generate(tmp_path / "g", 12)
        root = tmp_path / "g"
    workspace = Workspace.open(Project(root))
    checked = 0
    for council_id in workspace.project.council_ids():
        for document_id in workspace.council(council_id, []).documents:
            source = workspace.source(council_id, document_id, [])
            doc_type = workspace.library.document(document_id)
            assert doc_type is not None
            plan = resolve_module._plan(doc_type, source)
            changer = resolve_module._Changer(doc_type, plan, resolve_module._left_out_by_outline(doc_type, source))
            ids = changer.known_ids() | {c.target for c in source.changes}
            for change in source.changes:
                changer.apply(change)
                for target in ids:
                    assert _same(changer.find(target), _linear_find(plan, target)), (council_id, change, target)
                assert changer.known_ids() == changer.library_ids | {
                    id_ for id_ in ids | {c.target for c in source.changes} if _linear_find(plan, id_)
                }
                checked += 1
    assert checked > 20


def test_kept_text_output_follows_the_values_it_prints() -> None:
    """A text's output is kept per text and values: other values render again, a failing text fails every time."""
    env = resolve_module.text_environment()
    text = "{{ Councillors }} and the {{ clerk | upper }}{% if contact %} ({{ contact }}){% endif %}"
    first = {"Councillors": "Members", "clerk": "clerk", "contact": ""}
    assert env.render(text, first) == "Members and the CLERK"
    assert env.render(text, {**first, "contact": "01234 567890"}) == "Members and the CLERK (01234 567890)"
    assert env.render(text, {**first, "clerk": "proper officer"}) == "Members and the PROPER OFFICER"
    assert env.render(text, first) == "Members and the CLERK"
    numbers = {"a.b": Number("1", "1"), "a.c": Number("2", "2")}
    for target, printed in (("a.b", "1"), ("a.c", "2")):  # ref() is not a plain string: rendered every time
        refs = resolve_module.References(numbers, set())
        assert env.render(f"see {{{{ ref('{target}') }}}}", {"ref": refs}) == f"see {printed}"
    for _ in range(2):
        with pytest.raises(jinja2.UndefinedError):
            env.render("{{ councillors }}", {"clerk": "Clerk"})
        with pytest.raises(ClerkTextError):
            env.render("{{ clerk * 2 }}", {"clerk": "Clerk"})
