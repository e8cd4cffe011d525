"""load.py: located YAML values, strict typing, and every problem with its file, line, column and hint."""

from __future__ import annotations

import pytest
from conftest import TINY, TmpProject, find_problem, line_of, only_problem

from protocolc.errors import ProtocolError, Source
from protocolc.load import load_library
from protocolc.model import PartialDate
from protocolc.sources import Map, Seq, Str, parse_yaml

PATH = "councils/t.yaml"


def parse_error(text: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_yaml(text, PATH)
    return info.value


def council_error(tmp_project: TmpProject, text: str) -> ProtocolError:
    tmp_project.council_file("t", text)
    with pytest.raises(ProtocolError) as info:
        tmp_project.council("t")
    return info.value


# --- located values ------------------------------------------------------------------------------------------


def test_scalar_knows_its_line_and_column():
    value = parse_yaml("name: Hexham Town Council\nterms:\n  clerk: Town Clerk\n", PATH)
    assert isinstance(value, Map) and isinstance(value["terms"], Map)
    assert value["name"] == "Hexham Town Council"
    assert value["name"].source == Source(PATH, 1, 7)
    assert value["terms"]["clerk"].source == Source(PATH, 3, 10)
    assert value.key_sources["terms"] == Source(PATH, 2, 1)
    assert value["terms"].key_sources["clerk"] == Source(PATH, 3, 3)


def test_sequence_items_are_located():
    value = parse_yaml("sections:\n  - introduction\n  - roles\n", PATH)
    assert isinstance(value["sections"], Seq)
    assert [(s, s.source) for s in value["sections"]] == [
        ("introduction", Source(PATH, 2, 5)),
        ("roles", Source(PATH, 3, 5)),
    ]


def test_folded_block_scalar_points_at_its_first_content_line():
    text = "id: x\ntext: >-\n    The first line of the text\n    and the second.\n"
    value = parse_yaml(text, PATH)
    assert value["text"] == "The first line of the text and the second."
    assert value["text"].source == Source(PATH, 3, 5)


def test_literal_block_scalar_skips_blank_lines_before_its_text():
    value = parse_yaml("closing: |-\n\n  Background papers\n", PATH)
    assert value["closing"].source == Source(PATH, 3, 3)


def test_library_clause_text_is_located_in_its_section_file(project):
    library = load_library(project.root)
    clause = library.clauses()["councillors.equal"]
    path = project.root / "clauses" / "councillors.yaml"
    id_line = line_of(path, "id: councillors.equal")
    assert clause.source == Source("clauses/councillors.yaml", id_line, 5)
    # `text: >-` is on the next line; the words start on the line after, indented six spaces
    assert clause.text.source == Source("clauses/councillors.yaml", id_line + 2, 7)
    assert clause.text.value.startswith("All {{ councillors }} have the same rights")


def test_council_change_text_is_located(project, workspace):
    council = workspace.council("hexham")
    change = next(c for c in council.changes if c.target == "councillors.areas.advocates")
    path = project.root / "councils" / "hexham.yaml"
    line = line_of(path, "- replace: councillors.areas.advocates")
    assert change.source == Source("councils/hexham.yaml", line, 5)
    assert change.text.source == Source("councils/hexham.yaml", line + 1, 11)


# --- YAML problems -------------------------------------------------------------------------------------------


def test_duplicate_key_names_both_lines():
    problem = only_problem(parse_error("name: A\nkind: town\nname: B\n"))
    assert problem.message == "duplicate key 'name' (first given on line 1)"
    assert problem.source == Source(PATH, 3, 1)
    assert problem.hint == "YAML keeps only the last of repeated keys: remove or merge one of them"


def test_duplicate_keys_are_all_reported():
    error = parse_error("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert [(p.message, p.source) for p in error.problems] == [
        ("duplicate key 'c' (first given on line 3)", Source(PATH, 4, 3)),
        ("duplicate key 'a' (first given on line 1)", Source(PATH, 5, 1)),
    ]


def test_tab_indentation_hint_mentions_tabs():
    problem = only_problem(parse_error("name: A\n\tkind: town\n"))
    assert problem.message == "invalid YAML: found character '\\t' that cannot start any token"
    assert problem.source == Source(PATH, 2, 1)
    assert problem.hint == "YAML does not allow tab characters for indentation: use spaces"


def test_tab_inside_a_list_is_located():
    problem = only_problem(parse_error("sections:\n  -\tintroduction\n"))
    assert problem.source == Source(PATH, 2, 4)
    assert "tab" in problem.hint


def test_a_colon_inside_a_value_gets_the_quoting_hint():
    problem = only_problem(parse_error("text: a: b\n"))
    assert problem.message == "the text after 'text:' contains ': ', which YAML reads as the start of another key"
    assert problem.source == Source(PATH, 1, 8)
    assert problem.hint == 'put the text in quotes: text: "a: b"'


def test_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(10))}]")
    problem = only_problem(parse_error("\n".join(lines) + "\n"))
    assert problem.message == "file is too large or uses too many aliases"


def test_empty_file_is_an_empty_mapping():
    assert parse_yaml("# nothing yet\n", PATH) == {}


# --- values stay the strings the clerk typed -----------------------------------------------------------------


def test_scalars_stay_strings(tmp_project: TmpProject):
    tmp_project.council_file(
        "t",
        """\
        name: "yes"
        kind: parish
        versions:
          - version: 1.10
            minute: 0123
          - version: no
            approved_by: on
          - version: 2023-03-02
            minute: 19:30
        """,
    )
    council = tmp_project.council("t")
    assert council.name == "yes"
    assert [v.version for v in council.versions] == ["1.10", "no", "2023-03-02"]
    assert [v.minute for v in council.versions] == ["0123", None, "19:30"]
    assert council.versions[1].approved_by == "on"
    assert all(type(v.version) is str for v in council.versions)


def test_parse_yaml_never_types_values():
    value = parse_yaml("a: 1.10\nb: no\nc: 2023-03-02\nd: ~\ne: 0x1F\n", PATH)
    assert dict(value) == {"a": "1.10", "b": "no", "c": "2023-03-02", "d": "~", "e": "0x1F"}
    assert all(isinstance(v, Str) for v in value.values())


def test_booleans_are_only_true_or_false(tmp_project: TmpProject):
    error = council_error(
        tmp_project,
        TINY
        + """\
sections:
  - section: roles
    clauses:
      - clause: roles.servants
        numbered: no
""",
    )
    problem = only_problem(error)
    assert problem.message == "numbered must be true or false, not 'no'"
    assert problem.source == Source(PATH, 14, 19)
    assert problem.hint == "write true or false"


def test_true_and_false_are_read(tmp_project: TmpProject):
    tmp_project.council_file(
        "t",
        TINY
        + """\
sections:
  - section: roles
    clauses:
      - roles.summary
      - clause: roles.servants
        numbered: false
      - clause: roles.electorate
        join: true
""",
    )
    refs = tmp_project.council("t").outline[0].clauses
    assert [(r.clause.id, r.numbered, r.join) for r in refs] == [
        ("roles.summary", True, False),
        ("roles.servants", False, False),
        ("roles.electorate", True, True),
    ]


# --- dates ---------------------------------------------------------------------------------------------------


def test_impossible_date_is_rejected(tmp_project: TmpProject):
    error = council_error(tmp_project, 'name: T\nkind: parish\nversions:\n  - version: "1"\n    adopted: 2023-02-30\n')
    problem = only_problem(error)
    assert problem.message == "adopted '2023-02-30' is not a real date"
    assert problem.source == Source(PATH, 5, 14)
    assert problem.hint == "write it as YYYY-MM-DD (2023-03-02) or, if only the month is known, YYYY-MM (2023-03)"


def test_month_only_date_is_accepted(tmp_project: TmpProject):
    tmp_project.council_file(
        "t", 'name: T\nkind: parish\nversions:\n  - version: "1"\n    adopted: 2020-12\n    review_by: 2023-12\n'
    )
    version = tmp_project.council("t").current
    assert version.adopted == PartialDate(2020, 12)
    assert version.review_by == PartialDate(2023, 12)
    assert version.adopted.british() == "December 2020"


def test_review_before_adoption_is_rejected(tmp_project: TmpProject):
    error = council_error(
        tmp_project,
        'name: T\nkind: parish\nversions:\n  - version: "1"\n    adopted: 2020-12\n    review_by: 2020-11\n',
    )
    problem = only_problem(error)
    assert problem.message == "review_by 2020-11 is not after adopted 2020-12"
    assert problem.source == Source(PATH, 6, 16)
    assert problem.hint == "the review date must come after the adoption date"


def test_versions_out_of_order_are_rejected(tmp_project: TmpProject):
    error = council_error(
        tmp_project,
        'name: T\nkind: parish\nversions:\n  - version: "2"\n    adopted: 2021-05-01\n'
        '  - version: "3"\n    adopted: 2019-01-05\n',
    )
    problem = only_problem(error)
    assert problem.message == "version '3' was adopted before the version listed above it"
    assert problem.source == Source(PATH, 7, 14)
    assert problem.hint == "list versions oldest first"


def test_every_problem_in_a_file_is_reported_at_once(tmp_project: TmpProject):
    error = council_error(
        tmp_project,
        'name: T\nkind: towm\nversions:\n  - version: "1"\n    adopted: 2023-02-30\nterms:\n  councilors: Members\n',
    )
    assert problem_sources(error) == {
        "kind 'towm' is not one of: town, parish, community, city, village, neighbourhood": Source(PATH, 2, 7),
        "adopted '2023-02-30' is not a real date": Source(PATH, 5, 14),
        "unknown term 'councilors'": Source(PATH, 7, 15),
    }


def problem_sources(error: ProtocolError) -> dict[str, Source | None]:
    return {p.message: p.source for p in error.problems}


# --- unknown names and suggestions ---------------------------------------------------------------------------


def test_unknown_key_in_a_change_suggests_the_right_one(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY + "changes:\n  - ommit: councillors.equal\n")
    problem = find_problem(error, "unknown key 'ommit' in a change")
    assert problem.source == Source(PATH, 11, 5)
    assert problem.hint == "did you mean 'omit'?"


def test_unknown_top_level_key_suggests(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY + "chnages:\n  - omit: councillors.equal\n")
    problem = only_problem(error)
    assert problem.message == "unknown key 'chnages' in council file 't'"
    assert problem.source == Source(PATH, 10, 1)
    assert problem.hint == "did you mean 'changes'?"


def test_unknown_key_without_close_match_lists_allowed(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY + "numbering2: x\n")
    problem = only_problem(error)
    assert problem.message == "unknown key 'numbering2' in council file 't'"
    assert problem.hint == "did you mean 'numbering'?"
    error = council_error(tmp_project, TINY.replace("  items: a)\n", "  items: a)\n  colour: red\n"))
    problem = only_problem(error)
    assert problem.message == "unknown key 'colour' in numbering"
    assert problem.hint == "allowed keys: sections, clauses, items, punctuation"


def test_unknown_term(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY + "terms:\n  councilors: Members\n")
    problem = only_problem(error)
    assert problem.message == "unknown term 'councilors'"
    assert problem.source == Source(PATH, 11, 15)
    assert problem.hint.startswith("did you mean 'councillors'")


def test_bad_kind_suggests(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY.replace("kind: parish", "kind: towm"))
    problem = only_problem(error)
    assert problem.message == "kind 'towm' is not one of: town, parish, community, city, village, neighbourhood"
    assert problem.source == Source(PATH, 2, 7)
    assert problem.hint == "did you mean 'town'?"


def test_bad_numbering_style(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY.replace('sections: "1."', 'sections: "2."'))
    problem = only_problem(error)
    assert problem.message == "numbering sections '2.' is not one of: 1., 1.0, 1, none"
    assert problem.source == Source(PATH, 4, 13)


def test_unknown_library_clause_in_outline(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY + "sections:\n  - section: roles\n    clauses:\n      - roles.summery\n")
    problem = only_problem(error)
    assert problem.message == "no library clause 'roles.summery'"
    assert problem.source == Source(PATH, 13, 9)
    assert problem.hint.startswith("did you mean 'roles.summary'")


def test_unknown_library_section_in_outline(tmp_project: TmpProject):
    error = council_error(tmp_project, TINY + "sections:\n  - introductoin\n")
    problem = only_problem(error)
    assert problem.message == "no library section 'introductoin'"
    assert problem.source == Source(PATH, 11, 5)
    assert problem.hint == "did you mean 'introduction'?"


def test_missing_required_keys(tmp_project: TmpProject):
    error = council_error(tmp_project, "name: T\n")
    assert problem_sources(error) == {
        "council file 't' needs 'kind:'": Source(PATH, 1, 1),
        "council file 't' needs 'versions:'": Source(PATH, 1, 1),
    }


def test_local_clause_may_not_reuse_a_library_id(tmp_project: TmpProject):
    error = council_error(
        tmp_project,
        TINY + "sections:\n  - section: roles\n    clauses:\n      - id: roles.summary\n        text: Mine.\n",
    )
    problem = only_problem(error)
    assert problem.message == "local clause id 'roles.summary' is already a library clause"
    assert problem.source == Source(PATH, 13, 9)


def test_council_file_that_is_not_utf8(tmp_project: TmpProject):
    tmp_project.path("councils/t.yaml").write_bytes(b"name: Caf\xe9\nkind: parish\n")
    with pytest.raises(ProtocolError) as info:
        tmp_project.council("t")
    problem = only_problem(info.value)
    assert problem.message == "file is not UTF-8 text (invalid continuation byte at byte 9)"
    assert problem.source == Source(PATH, 1, 10)
    assert problem.hint.startswith("save the file as UTF-8 in your editor")


# --- the library ---------------------------------------------------------------------------------------------


def test_real_library_loads(project):
    library = load_library(project.root)
    assert [s.id for s in library.sections] == [
        "introduction",
        "roles",
        "councillors",
        "officers",
        "expectations",
        "problems",
        "political-groups",
    ]
    assert library.section("political-groups").optional
    assert not library.section("roles").optional
    assert library.terms["councillors"].value == "Councillors"
    assert library.title.value == "Member/Officer Relations Protocol"


def test_library_section_listed_without_a_file(tmp_project: TmpProject):
    index = tmp_project.path("clauses/library.yaml")
    text = index.read_text(encoding="utf-8").replace("  - problems\n", "  - problems\n  - complaints\n")
    index.write_text(text, encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root)
    problem = only_problem(info.value)
    assert problem.message == "no file clauses/complaints.yaml for section 'complaints'"
    assert problem.source == Source("clauses/library.yaml", line_of(index, "- complaints"), 5)


def test_library_section_misspelt_suggests_the_file(tmp_project: TmpProject):
    index = tmp_project.path("clauses/library.yaml")
    index.write_text(index.read_text(encoding="utf-8").replace("  - problems\n", "  - problem\n"), encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root)
    problem = only_problem(info.value)
    assert problem.message == "no file clauses/problem.yaml for section 'problem'"
    assert problem.hint == "did you mean 'problems'?"


def test_library_without_index(tmp_project: TmpProject):
    tmp_project.path("clauses/library.yaml").unlink()
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root)
    problem = only_problem(info.value)
    assert problem.message == "the clause library has no index file"
    assert problem.source == Source("clauses/library.yaml")


def test_clause_id_used_twice_in_library(tmp_project: TmpProject):
    path = tmp_project.path("clauses/problems.yaml")
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: roles.summary\n    text: Again.\n", encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root)
    problem = only_problem(info.value)
    roles_line = line_of(tmp_project.path("clauses/roles.yaml"), "id: roles.summary")
    assert problem.message == f"clause id 'roles.summary' is used twice (first at clauses/roles.yaml:{roles_line}:5)"
    assert problem.source == Source("clauses/problems.yaml", line_of(path, "id: roles.summary"), 5)


def test_section_id_must_match_file_name(tmp_project: TmpProject):
    path = tmp_project.path("clauses/problems.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("id: problems", "id: troubles"), encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root)
    problem = only_problem(info.value)
    assert problem.message == "section id 'troubles' does not match its file name 'problems.yaml'"
    assert problem.source == Source("clauses/problems.yaml", line_of(path, "id: troubles"), 5)


def test_unlisted_section_file_is_only_a_warning(tmp_project: TmpProject):
    tmp_project.write("clauses/annex.yaml", "id: annex\nheading: Annex\nclauses:\n  - id: annex.one\n    text: One.\n")
    library = load_library(tmp_project.root)
    assert "annex.one" not in library.clauses()


def test_every_real_council_loads(workspace):
    for council_id in workspace.project.council_ids():
        council = workspace.council(council_id)
        assert council.id == council_id
        assert council.versions
