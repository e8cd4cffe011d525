"""load.py: located YAML values, strict typing, and every problem with its file, line, column and hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY, TINY_COUNCIL, TmpProject, find_problem, line_of, only_problem

from protocolc.api import Workspace
from protocolc.errors import Problem, ProtocolError, Source
from protocolc.load import load_council, load_document, load_library
from protocolc.model import Council, CouncilDocument, Item, PartialDate
from protocolc.project import Project
from protocolc.sources import Map, Seq, Str, parse_yaml

PATH = "councils/t.yaml"  # for parse_yaml, which only names the file
COUNCIL_PATH = "councils/t/council.yaml"
DOC_PATH = "councils/t/protocol.yaml"
FORMAT_HINT = "this protocolc reads format 1: upgrade protocolc (pip install -U protocolc), or write 'format: 1'"


def parse_error(text: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_yaml(text, PATH)
    return info.value


def load_t_council(tmp_project: TmpProject, text: str) -> Council:
    """councils/t/council.yaml with exactly `text`, loaded."""
    tmp_project.write(COUNCIL_PATH, text)
    return load_council(tmp_project.path("councils/t"), tmp_project.root, tmp_project.library())


def council_error(tmp_project: TmpProject, text: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        load_t_council(tmp_project, text)
    return info.value


def load_t_document(
    tmp_project: TmpProject, text: str, warnings: list[Problem] | None = None, document: str = "protocol"
) -> CouncilDocument:
    """councils/t/<document>.yaml with exactly `text` (beside a plain council.yaml), loaded."""
    tmp_project.write(COUNCIL_PATH, TINY_COUNCIL)
    path = tmp_project.write(f"councils/t/{document}.yaml", text)
    return load_document(path, tmp_project.root, tmp_project.library(), warnings)


def document_error(tmp_project: TmpProject, text: str, document: str = "protocol") -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        load_t_document(tmp_project, text, document=document)
    return info.value


def library_error(tmp_project: TmpProject) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root)
    return info.value


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problem_sources(error: ProtocolError) -> dict[str, Source | None]:
    return {p.message: p.source for p in error.problems}


# --- located values ------------------------------------------------------------------------------------------


def test_scalar_knows_its_line_and_column() -> None:
    value = parse_yaml("name: Hexham Town Council\nterms:\n  clerk: Town Clerk\n", PATH)
    assert isinstance(value, Map) and isinstance(value["terms"], Map)
    assert value["name"] == "Hexham Town Council"
    assert value["name"].source == Source(PATH, 1, 7)
    assert value["terms"]["clerk"].source == Source(PATH, 3, 10)
    assert value.key_sources["terms"] == Source(PATH, 2, 1)
    assert value["terms"].key_sources["clerk"] == Source(PATH, 3, 3)


def test_sequence_items_are_located() -> None:
    value = parse_yaml("sections:\n  - introduction\n  - roles\n", PATH)
    assert isinstance(value["sections"], Seq)
    assert [(s, s.source) for s in value["sections"]] == [
        ("introduction", Source(PATH, 2, 5)),
        ("roles", Source(PATH, 3, 5)),
    ]


def test_folded_block_scalar_points_at_its_first_content_line() -> None:
    text = "id: x\ntext: >-\n    The first line of the text\n    and the second.\n"
    value = parse_yaml(text, PATH)
    assert value["text"] == "The first line of the text and the second."
    assert value["text"].source == Source(PATH, 3, 5)


def test_literal_block_scalar_skips_blank_lines_before_its_text() -> None:
    value = parse_yaml("closing: |-\n\n  Background papers\n", PATH)
    assert value["closing"].source == Source(PATH, 3, 3)


def test_library_clause_text_is_located_in_its_section_file(project: Project) -> None:
    library = load_library(project.root)
    clause = library.documents["protocol"].clauses()["councillors.equal"]
    path = project.root / "clauses" / "protocol" / "councillors.yaml"
    id_line = line_of(path, "id: councillors.equal")
    assert clause.source == Source("clauses/protocol/councillors.yaml", id_line, 5)
    # `text: >-` is on the next line; the words start on the line after, indented six spaces
    assert clause.text.source == Source("clauses/protocol/councillors.yaml", id_line + 2, 7)
    assert clause.text.value.startswith("All {{ councillors }} have the same rights")


def test_council_change_text_is_located(project: Project, workspace: Workspace) -> None:
    document = workspace.source("hexham", "protocol")
    change = next(c for c in document.changes if c.target == "councillors.areas.advocates")
    path = project.root / "councils" / "hexham" / "protocol.yaml"
    line = line_of(path, "- replace: councillors.areas.advocates")
    assert change.source == Source("councils/hexham/protocol.yaml", line, 5)
    assert change.text.source == Source("councils/hexham/protocol.yaml", line + 1, 11)


def test_council_facts_are_located(project: Project, workspace: Workspace) -> None:
    council = workspace.council("hexham")
    path = project.root / "councils" / "hexham" / "council.yaml"
    assert council.source.path == "councils/hexham/council.yaml"
    term = council.terms["authority"]
    assert term.value == "authority"
    assert term.source == Source("councils/hexham/council.yaml", line_of(path, "  authority: authority"), 14)


# --- YAML problems -------------------------------------------------------------------------------------------


def test_duplicate_key_names_both_lines() -> None:
    problem = only_problem(parse_error("name: A\nkind: town\nname: B\n"))
    assert problem.message == "duplicate key 'name' (first given on line 1)"
    assert problem.source == Source(PATH, 3, 1)
    assert problem.hint == "YAML keeps only the last of repeated keys: remove or merge one of them"


def test_duplicate_keys_are_all_reported() -> None:
    error = parse_error("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert [(p.message, p.source) for p in error.problems] == [
        ("duplicate key 'c' (first given on line 3)", Source(PATH, 4, 3)),
        ("duplicate key 'a' (first given on line 1)", Source(PATH, 5, 1)),
    ]


def test_tab_indentation_hint_mentions_tabs() -> None:
    problem = only_problem(parse_error("name: A\n\tkind: town\n"))
    assert problem.message == "invalid YAML: found character '\\t' that cannot start any token"
    assert problem.source == Source(PATH, 2, 1)
    assert problem.hint == "YAML does not allow tab characters for indentation: use spaces"


def test_tab_inside_a_list_is_located() -> None:
    problem = only_problem(parse_error("sections:\n  -\tintroduction\n"))
    assert problem.source == Source(PATH, 2, 4)
    assert "tab" in problem.hint


def test_a_colon_inside_a_value_gets_the_quoting_hint() -> None:
    problem = only_problem(parse_error("text: a: b\n"))
    assert problem.message == "the text after 'text:' contains ': ', which YAML reads as the start of another key"
    assert problem.source == Source(PATH, 1, 8)
    assert problem.hint == 'put the text in quotes: text: "a: b"'


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(10))}]")
    problem = only_problem(parse_error("\n".join(lines) + "\n"))
    assert problem.message == "file is too large or uses too many aliases"


def test_empty_file_is_an_empty_mapping() -> None:
    assert parse_yaml("# nothing yet\n", PATH) == {}


# --- values stay the strings the clerk typed -----------------------------------------------------------------


def test_scalars_stay_strings(tmp_project: TmpProject) -> None:
    council = load_t_council(tmp_project, 'name: "yes"\nkind: parish\nclerk: 0123\n')
    assert council.name == "yes"
    assert council.clerk_title == "0123"
    document = load_t_document(
        tmp_project,
        """\
versions:
  - version: 1.10
    minute: 0123
  - version: no
    approved_by: on
  - version: 2023-03-02
    minute: 19:30
""",
    )
    assert [v.version for v in document.versions] == ["1.10", "no", "2023-03-02"]
    assert [v.minute for v in document.versions] == ["0123", None, "19:30"]
    assert document.versions[1].approved_by == "on"
    assert all(type(v.version) is str for v in document.versions)


def test_parse_yaml_never_types_values() -> None:
    value = parse_yaml("a: 1.10\nb: no\nc: 2023-03-02\nd: ~\ne: 0x1F\n", PATH)
    assert dict(value) == {"a": "1.10", "b": "no", "c": "2023-03-02", "d": "~", "e": "0x1F"}
    assert all(isinstance(v, Str) for v in value.values())


def test_booleans_are_only_true_or_false(tmp_project: TmpProject) -> None:
    error = document_error(
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
    assert problem.source == Source(DOC_PATH, 10, 19)
    assert problem.hint == "write true or false"


def test_true_and_false_are_read(tmp_project: TmpProject) -> None:
    document = load_t_document(
        tmp_project,
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
    refs = document.outline[0].clauses
    assert [(r.clause.id, r.numbered, r.join) for r in refs] == [
        ("roles.summary", True, False),
        ("roles.servants", False, False),
        ("roles.electorate", True, True),
    ]


# --- dates and versions --------------------------------------------------------------------------------------


def test_impossible_date_is_rejected(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, 'versions:\n  - version: "1"\n    adopted: 2023-02-30\n')
    problem = only_problem(error)
    assert problem.message == "adopted '2023-02-30' is not a real date"
    assert problem.source == Source(DOC_PATH, 3, 14)
    assert problem.hint == "write it as YYYY-MM-DD (2023-03-02) or, if only the month is known, YYYY-MM (2023-03)"


def test_month_only_date_is_accepted(tmp_project: TmpProject) -> None:
    document = load_t_document(
        tmp_project, 'versions:\n  - version: "1"\n    adopted: 2020-12\n    review_by: 2023-12\n'
    )
    version = document.current
    assert version.adopted == PartialDate(2020, 12)
    assert version.review_by == PartialDate(2023, 12)
    assert version.adopted.british() == "December 2020"


def test_review_before_adoption_is_rejected(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, 'versions:\n  - version: "1"\n    adopted: 2020-12\n    review_by: 2020-11\n')
    problem = only_problem(error)
    assert problem.message == "review_by 2020-11 is not after adopted 2020-12"
    assert problem.source == Source(DOC_PATH, 4, 16)
    assert problem.hint == "the review date must come after the adoption date"


def test_versions_out_of_order_are_rejected(tmp_project: TmpProject) -> None:
    error = document_error(
        tmp_project,
        'versions:\n  - version: "2"\n    adopted: 2021-05-01\n  - version: "3"\n    adopted: 2019-01-05\n',
    )
    problem = only_problem(error)
    assert problem.message == "version '3' was adopted before the version listed above it"
    assert problem.source == Source(DOC_PATH, 5, 14)
    assert problem.hint == "list versions oldest first"


def test_empty_versions_is_a_document_not_yet_adopted(tmp_project: TmpProject) -> None:
    document = load_t_document(tmp_project, "versions: []\n")
    assert document.versions == ()
    assert document.current.version == "draft"
    assert document.current.adopted is None
    assert document.current.note == "not yet adopted"


def test_every_problem_in_a_document_file_is_reported_at_once(tmp_project: TmpProject) -> None:
    error = document_error(
        tmp_project,
        'numbering:\n  levels: ["1.", "2.", "a)"]\nversions:\n  - version: "1"\n    adopted: 2023-02-30\n'
        "sections:\n  - introductoin\n",
    )
    assert problem_sources(error) == {
        "numbering style '2.' is not one of: 1., 1.0, 1, 1.1, a), (a), a., A., (i), i., bullet, none": Source(
            DOC_PATH, 2, 18
        ),
        "adopted '2023-02-30' is not a real date": Source(DOC_PATH, 5, 14),
        "no library section 'introductoin'": Source(DOC_PATH, 7, 5),
    }


def test_every_problem_in_a_council_file_is_reported_at_once(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, "name: T\nkind: towm\nterms:\n  councilors: Members\nclark: Town Clerk\n")
    assert problem_sources(error) == {
        "unknown key 'clark' in this council file": Source(COUNCIL_PATH, 5, 1),
        "kind 'towm' is not one of: town, parish, community, city, village, neighbourhood": Source(COUNCIL_PATH, 2, 7),
        "unknown term 'councilors'": Source(COUNCIL_PATH, 4, 15),
    }


# --- unknown names and suggestions ---------------------------------------------------------------------------


def test_unknown_key_in_a_change_suggests_the_right_one(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY + "changes:\n  - ommit: councillors.equal\n")
    problem = find_problem(error, "unknown key 'ommit' in a change")
    assert problem.source == Source(DOC_PATH, 7, 5)
    assert problem.hint == "did you mean 'omit'?"


def test_unknown_top_level_key_suggests(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY + "chnages:\n  - omit: councillors.equal\n")
    problem = only_problem(error)
    assert problem.message == "unknown key 'chnages' in this document file"
    assert problem.source == Source(DOC_PATH, 6, 1)
    assert problem.hint == "did you mean 'changes'?"
    error = council_error(tmp_project, "nmae: T\nname: T\nkind: parish\n")
    problem = only_problem(error)
    assert problem.message == "unknown key 'nmae' in this council file"
    assert problem.source == Source(COUNCIL_PATH, 1, 1)
    assert problem.hint == "did you mean 'name'?"


def test_unknown_key_without_close_match_lists_allowed(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY + "numbering2: x\n")
    problem = only_problem(error)
    assert problem.message == "unknown key 'numbering2' in this document file"
    assert problem.hint == "did you mean 'numbering'?"
    error = document_error(tmp_project, TINY + "colour: red\n")
    problem = only_problem(error)
    assert problem.message == "unknown key 'colour' in this document file"
    assert problem.hint == "allowed keys: format, title, labels, numbering, lists, versions, sections, changes, closing"
    error = document_error(tmp_project, TINY.replace("numbering:\n", "numbering:\n  colour: red\n"))
    problem = only_problem(error)
    assert problem.message == "unknown key 'colour' in numbering"
    assert problem.source == Source(DOC_PATH, 2, 3)
    assert problem.hint == "allowed keys: levels, punctuation"
    error = council_error(tmp_project, "name: T\nkind: parish\ncolour: red\n")
    assert only_problem(error).hint == ("allowed keys: format, name, kind, clerk, contact, county_association, terms")


def test_facts_in_a_document_file_are_unknown_keys(tmp_project: TmpProject) -> None:
    """A legacy one-file council split wrongly: the facts belong in council.yaml."""
    error = document_error(tmp_project, "name: T\n" + TINY)
    problem = only_problem(error)
    assert problem.message == "unknown key 'name' in this document file"
    assert problem.source == Source(DOC_PATH, 1, 1)


def test_unknown_term(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, TINY_COUNCIL + "terms:\n  councilors: Members\n")
    problem = only_problem(error)
    assert problem.message == "unknown term 'councilors'"
    assert problem.source == Source(COUNCIL_PATH, 4, 15)
    assert problem.hint.startswith("did you mean 'councillors'")


def test_bad_kind_suggests(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, TINY_COUNCIL.replace("kind: parish", "kind: towm"))
    problem = only_problem(error)
    assert problem.message == "kind 'towm' is not one of: town, parish, community, city, village, neighbourhood"
    assert problem.source == Source(COUNCIL_PATH, 2, 7)
    assert problem.hint == "did you mean 'town'?"


def test_bad_numbering_style(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY.replace('levels: ["1.",', 'levels: ["2.",'))
    problem = only_problem(error)
    assert problem.message == (
        "numbering style '2.' is not one of: 1., 1.0, 1, 1.1, a), (a), a., A., (i), i., bullet, none"
    )
    assert problem.source == Source(DOC_PATH, 2, 12)
    assert problem.hint is None  # nothing close: the message lists every style
    error = document_error(tmp_project, TINY.replace('"a)"]', '"a)", "(I)"]'))
    problem = only_problem(error)
    assert problem.message.startswith("numbering style '(I)' is not one of: ")
    assert problem.hint == "did you mean '(i)' or '(a)'?"


def test_numbering_is_read(tmp_project: TmpProject) -> None:
    document = load_t_document(
        tmp_project,
        'numbering:\n  levels: ["1.0", "1.1", "(a)", "(i)"]\n  punctuation: none\nversions: []\n',
    )
    assert document.numbering.levels == ("1.0", "1.1", "(a)", "(i)")
    assert document.numbering.punctuation == "none"
    assert document.numbering.source == Source(DOC_PATH, 2, 11)
    assert document.numbering.style(3) == "(i)"
    assert document.numbering.style(4) == "bullet"  # past the given levels (resolve refuses it for real lists)


def test_numbering_defaults(tmp_project: TmpProject) -> None:
    numbering = load_t_document(tmp_project, "versions: []\n").numbering
    assert numbering.levels == ("none", "none", "bullet")
    assert numbering.punctuation == "as-written"
    assert numbering.source is None


def test_numbering_problems(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, "numbering:\n  levels: []\n  punctuation: dots\nversions: []\n")
    assert problem_sources(error) == {
        "numbering levels is empty": Source(DOC_PATH, 2, 11),
        "numbering punctuation 'dots' is not one of: as-written, none": Source(DOC_PATH, 3, 16),
    }
    error = document_error(tmp_project, 'numbering:\n  levels: "1."\nversions: []\n')
    assert (
        only_problem(error).message == "numbering levels must be a list (lines starting with '- '), not the text '1.'"
    )


def test_unknown_library_clause_in_outline(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY + "sections:\n  - section: roles\n    clauses:\n      - roles.summery\n")
    problem = only_problem(error)
    assert problem.message == "no library clause 'roles.summery'"
    assert problem.source == Source(DOC_PATH, 9, 9)
    assert problem.hint.startswith("did you mean 'roles.summary'")


def test_unknown_library_section_in_outline(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY + "sections:\n  - introductoin\n")
    problem = only_problem(error)
    assert problem.message == "no library section 'introductoin'"
    assert problem.source == Source(DOC_PATH, 7, 5)
    assert problem.hint == "did you mean 'introduction'?"


def test_missing_required_keys(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, "clerk: Clerk\n")
    assert problem_sources(error) == {
        "this council file needs 'name:'": Source(COUNCIL_PATH, 1, 1),
        "this council file needs 'kind:'": Source(COUNCIL_PATH, 1, 1),
    }
    error = document_error(tmp_project, 'numbering:\n  levels: ["1.", "1.1", "a)"]\n')
    problem = only_problem(error)
    assert problem.message == "this document file needs 'versions:'"
    assert problem.source == Source(DOC_PATH, 1, 1)
    assert problem.hint == "add a 'versions:' line"


def test_local_clause_may_not_reuse_a_library_id(tmp_project: TmpProject) -> None:
    error = document_error(
        tmp_project,
        TINY + "sections:\n  - section: roles\n    clauses:\n      - id: roles.summary\n        text: Mine.\n",
    )
    problem = only_problem(error)
    assert problem.message == "local clause id 'roles.summary' is already a library clause"
    assert problem.source == Source(DOC_PATH, 9, 9)


def test_council_file_that_is_not_utf8(tmp_project: TmpProject) -> None:
    tmp_project.path("councils/t").mkdir(parents=True)
    tmp_project.path(COUNCIL_PATH).write_bytes(b"name: Caf\xe9\nkind: parish\n")
    with pytest.raises(ProtocolError) as info:
        load_council(tmp_project.path("councils/t"), tmp_project.root, tmp_project.library())
    problem = only_problem(info.value)
    assert problem.message == "file is not UTF-8 text (invalid continuation byte at byte 9)"
    assert problem.source == Source(COUNCIL_PATH, 1, 10)
    assert problem.hint.startswith("save the file as UTF-8 in your editor")


def test_document_file_that_is_not_utf8(tmp_project: TmpProject) -> None:
    tmp_project.write(COUNCIL_PATH, TINY_COUNCIL)
    tmp_project.path(DOC_PATH).write_bytes(b'versions:\n  - version: "1"\n    note: r\xe9vis\xe9\n')
    with pytest.raises(ProtocolError) as info:
        load_document(tmp_project.path(DOC_PATH), tmp_project.root, tmp_project.library())
    problem = only_problem(info.value)
    assert problem.message.startswith("file is not UTF-8 text (invalid continuation byte at byte")
    assert problem.source == Source(DOC_PATH, 3, 12)


# --- council.yaml and the documents beside it -------------------------------------------------------------------


def test_council_facts_are_read(tmp_project: TmpProject) -> None:
    council = load_t_council(
        tmp_project,
        "name: Tiny Parish Council\nkind: community\nclerk: Proper Officer\ncontact: clerk@tiny.example\n"
        "county_association: Tinyshire ALC\nterms:\n  councillors: Members\n",
    )
    assert (council.id, council.name, council.kind) == ("t", "Tiny Parish Council", "community")
    assert council.clerk_title == "Proper Officer"
    assert council.contact == "clerk@tiny.example"
    assert council.county_association == "Tinyshire ALC"
    assert {k: t.value for k, t in council.terms.items()} == {"councillors": "Members"}
    assert council.terms["councillors"].origin == "council"
    assert council.source == Source(COUNCIL_PATH, 1, 1)


def test_council_lists_the_documents_beside_it(tmp_project: TmpProject) -> None:
    tmp_project.write("councils/t/protocol.yaml", TINY)
    tmp_project.write("councils/t/standing-orders.yaml", TINY)
    tmp_project.write("councils/t/notes.txt", "not a document")
    council = load_t_council(tmp_project, TINY_COUNCIL)
    assert council.documents == ("protocol", "standing-orders")


def test_council_without_documents_lists_none(tmp_project: TmpProject) -> None:
    assert load_t_council(tmp_project, TINY_COUNCIL).documents == ()


def test_council_yaml_missing(tmp_project: TmpProject) -> None:
    tmp_project.write(DOC_PATH, TINY)
    with pytest.raises(ProtocolError) as info:
        load_council(tmp_project.path("councils/t"), tmp_project.root, tmp_project.library())
    problem = only_problem(info.value)
    assert problem.message == "council 't' has no council.yaml"
    assert problem.source == Source("councils/t/")
    assert problem.hint == (
        "create councils/t/council.yaml with the council's 'name:' and 'kind:' "
        "(or run 'protocolc new t --name ... --kind ...')"
    )


def test_council_yaml_missing_stops_its_documents(tmp_project: TmpProject) -> None:
    """Asking for a document of a folder without council.yaml names the missing file, not the document."""
    tmp_project.write(DOC_PATH, TINY)
    with pytest.raises(ProtocolError) as info:
        tmp_project.document("t")
    assert only_problem(info.value).message == "council 't' has no council.yaml"


def test_council_yaml_that_is_not_a_mapping(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, "- name: T\n")
    problem = only_problem(error)
    assert problem.message == "this council file must be a mapping of 'key: value' lines, not a list"
    assert problem.source == Source(COUNCIL_PATH, 1, 1)


def test_document_of_an_unknown_type(tmp_project: TmpProject) -> None:
    error = document_error(tmp_project, TINY, document="minutes")
    problem = only_problem(error)
    assert problem.message == "the library has no document type 'minutes'"
    assert problem.source == Source("councils/t/minutes.yaml")
    assert problem.hint == "a council's document files are named after a folder in clauses/ (protocol)"
    error = document_error(tmp_project, TINY, document="protocl")
    problem = only_problem(error)
    assert problem.message == "the library has no document type 'protocl'"
    assert problem.hint == "did you mean 'protocol'?"


def test_document_is_read(tmp_project: TmpProject) -> None:
    document = load_t_document(
        tmp_project,
        TINY + "title: Tiny Protocol\nclosing: Adopted by the Council.\nlabels:\n  adopted: Approved on\n",
    )
    assert (document.council_id, document.id) == ("t", "protocol")
    assert document.source == Source(DOC_PATH, 1, 1)
    assert document.title.value == "Tiny Protocol"
    assert document.title.source == Source(DOC_PATH, 6, 8)
    assert document.closing.value == "Adopted by the Council."
    assert document.labels["adopted"].value == "Approved on"
    assert document.outline is None  # the model document's sections
    assert document.changes == ()
    assert [v.version for v in document.versions] == ["1"]


# --- format: the version of a file's format ---------------------------------------------------------------------


def test_format_1_is_read_everywhere(tmp_project: TmpProject) -> None:
    """The fixture's library, document types and councils all say 'format: 1'."""
    assert "format: 1" in tmp_project.path("clauses/library.yaml").read_text(encoding="utf-8")
    assert "format: 1" in tmp_project.path("clauses/protocol/document.yaml").read_text(encoding="utf-8")
    load_t_council(tmp_project, "format: 1\n" + TINY_COUNCIL)
    assert load_t_document(tmp_project, "format: 1\n" + TINY).versions


@pytest.mark.parametrize("value", ["2", '"1.0"', "one"])
def test_unknown_format_in_a_document_file(tmp_project: TmpProject, value: str) -> None:
    error = document_error(tmp_project, f"format: {value}\n" + TINY)
    problem = only_problem(error)
    shown = value.strip('"')
    assert problem.message == f"this file is written in format {shown}, which this protocolc does not read"
    assert problem.source == Source(DOC_PATH, 1, 9)
    assert problem.hint == FORMAT_HINT


def test_unknown_format_in_a_council_file(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, "format: 2\n" + TINY_COUNCIL)
    problem = only_problem(error)
    assert problem.message == "this file is written in format 2, which this protocolc does not read"
    assert problem.source == Source(COUNCIL_PATH, 1, 9)
    assert problem.hint == FORMAT_HINT


def test_format_that_is_not_text(tmp_project: TmpProject) -> None:
    error = council_error(tmp_project, "format:\n  version: 1\n" + TINY_COUNCIL)
    problem = only_problem(error)
    assert problem.message.startswith("this file is written in format ")
    assert problem.source == Source(COUNCIL_PATH, 2, 3)
    assert problem.hint == FORMAT_HINT


def test_unknown_format_in_the_library_index(tmp_project: TmpProject) -> None:
    edit(tmp_project.path("clauses/library.yaml"), "format: 1", "format: 2")
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "this file is written in format 2, which this protocolc does not read"
    line = line_of(tmp_project.path("clauses/library.yaml"), "format: 2")
    assert problem.source == Source("clauses/library.yaml", line, 9)
    assert problem.hint == FORMAT_HINT


def test_unknown_format_in_a_document_type(tmp_project: TmpProject) -> None:
    path = tmp_project.path("clauses/protocol/document.yaml")
    edit(path, "format: 1", "format: 3")
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "this file is written in format 3, which this protocolc does not read"
    assert problem.source == Source("clauses/protocol/document.yaml", line_of(path, "format: 3"), 9)


# --- nested items -------------------------------------------------------------------------------------------


NESTED = """\
sections:
  - section: roles
    clauses:
      - roles.summary
      - id: t.duties
        text: "The Clerk:"
        items:
          advise: advises the Council;
          records:
            text: "keeps the records:"
            items:
              minutes: the minutes;
              accounts:
                text: the accounts.
"""


def test_nested_items_are_read(tmp_project: TmpProject) -> None:
    document = load_t_document(tmp_project, TINY + NESTED)
    clause = document.outline[0].clauses[1].clause
    assert clause.id == "t.duties" and clause.is_list
    assert [i.key for i in clause.items] == ["advise", "records"]
    advise, records = clause.items
    assert advise.items == ()
    assert records.text.value == "keeps the records:"
    assert records.text.source == Source(DOC_PATH, 15, 19)
    assert [(i.key, i.text.value, i.items) for i in records.items] == [
        ("minutes", "the minutes;", ()),
        ("accounts", "the accounts.", ()),
    ]
    assert records.items[0].text.source == Source(DOC_PATH, 17, 24)
    assert all(isinstance(i, Item) for i in records.items)


def test_nested_items_in_the_library(tmp_project: TmpProject) -> None:
    path = tmp_project.path("clauses/protocol/councillors.yaml")
    edit(
        path,
        "      policy: To determine {{ council }} policy and provide community leadership;\n",
        "      policy:\n"
        '        text: "To determine {{ council }} policy:"\n'
        "        items:\n"
        "          budget: the budget;\n"
        "          plans:\n"
        "            text: its plans;\n"
        "            variants:\n"
        "              short: plans;\n",
    )
    clause = load_library(tmp_project.root).documents["protocol"].clauses()["councillors.areas"]
    policy = clause.items[0]
    assert policy.key == "policy" and policy.text.value == "To determine {{ council }} policy:"
    assert [i.key for i in policy.items] == ["budget", "plans"]
    assert policy.items[1].variants["short"].value == "plans;"
    assert policy.items[0].text.origin == "library"


def test_nested_item_problems_are_located(tmp_project: TmpProject) -> None:
    bad = NESTED.replace("              minutes:", "              Minutes:").replace(
        "                text: the accounts.\n", "                txt: the accounts.\n"
    )
    error = document_error(tmp_project, TINY + bad)
    assert problem_sources(error) == {
        "item key 'Minutes' is not valid": Source(DOC_PATH, 17, 15),
        "unknown key 'txt' in item 'accounts'": Source(DOC_PATH, 19, 17),
        "item 'accounts' needs 'text:'": Source(DOC_PATH, 19, 17),
    }
    assert find_problem(error, "item key 'Minutes' is not valid").hint == (
        "use lower-case words joined by '-', e.g. working-partnership"
    )
    assert find_problem(error, "unknown key 'txt' in item 'accounts'").hint == "did you mean 'text'?"


def test_nested_items_may_not_be_empty(tmp_project: TmpProject) -> None:
    bad = NESTED.replace(
        "            items:\n              minutes: the minutes;\n"
        "              accounts:\n                text: the accounts.\n",
        "            items: {}\n",
    )
    error = document_error(tmp_project, TINY + bad)
    problem = only_problem(error)
    assert problem.message == "items is empty"
    assert problem.source == Source(DOC_PATH, 16, 20)
    assert problem.hint == "give at least one item, or remove 'items:'"


# --- the library ---------------------------------------------------------------------------------------------


def test_fixture_library_loads(project: Project) -> None:
    library = load_library(project.root)
    assert list(library.documents) == ["protocol"]
    protocol = library.document("protocol")
    assert protocol is library.documents["protocol"]
    assert [s.id for s in protocol.sections] == [
        "introduction",
        "roles",
        "councillors",
        "officers",
        "expectations",
        "problems",
        "political-groups",
    ]
    assert protocol.section("political-groups").optional
    assert not protocol.section("roles").optional
    assert protocol.section("nothing") is None
    assert library.terms["councillors"].value == "Councillors"
    assert library.terms["councillors"].source.path == "clauses/library.yaml"
    assert library.labels["version_control"].value == "Document Version Control"
    assert protocol.title.value == "Member/Officer Relations Protocol"
    assert protocol.title.source.path == "clauses/protocol/document.yaml"
    assert library.document("standing-orders") is None


def test_library_section_listed_without_a_file(tmp_project: TmpProject) -> None:
    index = tmp_project.path("clauses/protocol/document.yaml")
    edit(index, "  - problems\n", "  - problems\n  - complaints\n")
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "no file clauses/protocol/complaints.yaml for section 'complaints'"
    assert problem.source == Source("clauses/protocol/document.yaml", line_of(index, "- complaints"), 5)


def test_library_section_misspelt_suggests_the_file(tmp_project: TmpProject) -> None:
    index = tmp_project.path("clauses/protocol/document.yaml")
    edit(index, "  - problems\n", "  - problem\n")
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "no file clauses/protocol/problem.yaml for section 'problem'"
    assert problem.hint == "did you mean 'problems'?"


def test_library_without_index(tmp_project: TmpProject) -> None:
    tmp_project.path("clauses/library.yaml").unlink()
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "the clause library has no index file"
    assert problem.source == Source("clauses/library.yaml")
    assert problem.hint.startswith("create clauses/library.yaml with 'terms:' and 'labels:'")


def test_library_index_needs_every_label(tmp_project: TmpProject) -> None:
    index = tmp_project.path("clauses/library.yaml")
    edit(index, "  minute: Minute\n", "")
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "labels needs 'minute:'"
    assert problem.source == Source("clauses/library.yaml", line_of(index, "  version_control:"), 3)


def test_library_without_document_types(tmp_project: TmpProject) -> None:
    (tmp_project.path("clauses/protocol/document.yaml")).unlink()
    warnings: list[Problem] = []
    with pytest.raises(ProtocolError) as info:
        load_library(tmp_project.root, warnings)
    problem = only_problem(info.value)
    assert problem.message == "the clause library has no document types"
    assert problem.source == Source("clauses")
    assert problem.hint == "add a folder such as clauses/protocol/ with a document.yaml"


def test_folder_without_document_yaml_is_only_a_warning(tmp_project: TmpProject) -> None:
    tmp_project.write("clauses/minutes/agenda.yaml", "id: agenda\nheading: Agenda\n")
    tmp_project.write("clauses/stray.yaml", "id: stray\n")
    warnings: list[Problem] = []
    library = load_library(tmp_project.root, warnings)
    assert list(library.documents) == ["protocol"]
    assert [(w.message, w.source, w.severity) for w in warnings] == [
        (
            "folder clauses/minutes/ has no document.yaml, so it is not a document type",
            Source("clauses/minutes"),
            "warning",
        ),
        ("file is not part of the library", Source("clauses/stray.yaml"), "warning"),
    ]


def test_clause_id_used_twice_in_library(tmp_project: TmpProject) -> None:
    path = tmp_project.path("clauses/protocol/problems.yaml")
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: roles.summary\n    text: Again.\n", encoding="utf-8")
    problem = only_problem(library_error(tmp_project))
    roles_line = line_of(tmp_project.path("clauses/protocol/roles.yaml"), "id: roles.summary")
    assert problem.message == (
        f"clause id 'roles.summary' is used twice (first at clauses/protocol/roles.yaml:{roles_line}:5)"
    )
    assert problem.source == Source("clauses/protocol/problems.yaml", line_of(path, "id: roles.summary"), 5)


def test_section_id_must_match_file_name(tmp_project: TmpProject) -> None:
    path = tmp_project.path("clauses/protocol/problems.yaml")
    edit(path, "id: problems", "id: troubles")
    problem = only_problem(library_error(tmp_project))
    assert problem.message == "section id 'troubles' does not match its file name 'problems.yaml'"
    assert problem.source == Source("clauses/protocol/problems.yaml", line_of(path, "id: troubles"), 5)


def test_unlisted_section_file_is_only_a_warning(tmp_project: TmpProject) -> None:
    tmp_project.write(
        "clauses/protocol/annex.yaml", "id: annex\nheading: Annex\nclauses:\n  - id: annex.one\n    text: One.\n"
    )
    warnings: list[Problem] = []
    library = load_library(tmp_project.root, warnings)
    assert "annex.one" not in library.documents["protocol"].clauses()
    warning = only_problem(ProtocolError(warnings))
    assert warning.severity == "warning"
    assert warning.message == "section file is not listed in clauses/protocol/document.yaml"
    assert warning.source == Source("clauses/protocol/annex.yaml")
    assert warning.hint == "add '- annex' to 'sections:' (the model document) or to 'optional:'"


def test_every_fixture_council_and_document_loads(workspace: Workspace) -> None:
    for council_id in workspace.project.council_ids():
        council = workspace.council(council_id)
        assert council.id == council_id
        assert council.documents == ("protocol",)
        document = workspace.source(council_id, "protocol")
        assert (document.council_id, document.id) == (council_id, "protocol")
        assert document.versions


def test_a_workspace_reads_a_council_again_only_when_it_changed(tmp_project: TmpProject) -> None:
    tmp_project.tiny()
    path = tmp_project.write("councils/tiny/council.yaml", TINY_COUNCIL + "contact: 01234\n")
    workspace = Workspace.open(tmp_project.project)
    first: list[Problem] = []
    second: list[Problem] = []
    council = workspace.council("tiny", first)
    assert workspace.council("tiny", second) is council  # read once...
    assert first == second and [p.severity for p in first] == ["warning"]  # ...and its warnings given again
    path.write_text(TINY_COUNCIL + 'contact: "01234"\n', encoding="utf-8")
    third: list[Problem] = []
    changed = workspace.council("tiny", third)
    assert changed.contact == "01234" and not third
    tmp_project.write("councils/tiny/standing-orders.yaml", "versions: []\n")
    assert workspace.council("tiny", []).documents == ("protocol", "standing-orders")
    path.write_text("name: [\n", encoding="utf-8")
    for _ in range(2):  # a council with a mistake fails every time, with the same message
        with pytest.raises(ProtocolError) as failed:
            workspace.council("tiny", [])
        assert "council.yaml:1" in str(failed.value)
