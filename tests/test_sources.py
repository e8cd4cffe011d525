"""sources.py: the YAML layer refuses what it cannot read safely and explains every mistake at the right place.

Each test runs with libyaml's parser (when PyYAML has it) and with the pure-Python one, so the
messages do not depend on how PyYAML was built.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import find_problem, only_problem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocolc import sources
from protocolc.errors import Problem, ProtocolError, Source
from protocolc.model import PartialDate
from protocolc.sources import MAX_BYTES, MAX_DEPTH, Reader, Str, character_name, parse_yaml, read_yaml

PATH = "councils/t.yaml"
HEAD = "name: Bad Parish Council\nkind: parish\n"
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(autouse=True, params=LOADERS, ids=[loader.__name__ for loader in LOADERS])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    monkeypatch.setattr(sources, "YAML_LOADER", request.param)
    yield request.param


def problem_of(text: str) -> Problem:
    with pytest.raises(ProtocolError) as info:
        parse_yaml(text, PATH)
    problem: Problem = only_problem(info.value)
    return problem


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ProtocolError) as info:
        parse_yaml(text, PATH)
    return list(info.value.problems)


# --- (A) limits and refusals ----------------------------------------------------------------------------------


def test_an_alias_inside_its_own_value_is_refused() -> None:
    problem = problem_of("closing: &a [*a]\n")
    assert problem.message == "the alias '*a' is inside the value it repeats ('&a'), so it would repeat for ever"
    assert problem.source == Source(PATH, 1, 14)
    assert problem.hint == "remove '*a' from inside '&a'"


def test_an_alias_inside_its_own_mapping_is_refused() -> None:
    problem = problem_of("a: 1\nclosing: &loop\n  inner:\n    again: *loop\n")
    assert problem.message.startswith("the alias '*loop' is inside the value it repeats")
    assert problem.source == Source(PATH, 4, 12)


def test_aliases_to_finished_values_still_work() -> None:
    value = parse_yaml("a: &x [one, two]\nb: *x\nc: &y text\nd: *y\n", PATH)
    assert value["b"] == ["one", "two"] and value["d"] == "text"
    assert value["b"].source == Source(PATH, 1, 4)


def test_an_undefined_alias_is_explained_as_text_needing_quotes() -> None:
    problem = problem_of("closing: *adopted\n")
    assert problem.message == (
        "a value starting with '*' repeats the value marked '&adopted', but no value above is marked so"
    )
    assert problem.hint == 'if this is text, put it in quotes: closing: "*adopted"'


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("[", "]"), ("{a: ", "}"), ("\n", "")],
    ids=["flow lists", "flow mappings", "block mappings"],
)
def test_nesting_deeper_than_the_limit_is_refused(opening: str, closing: str) -> None:
    if opening == "\n":
        text = "".join(" " * level + "k:\n" for level in range(MAX_DEPTH + 5)) + " " * (MAX_DEPTH + 5) + "k: v\n"
    else:
        text = "a: " + opening * (MAX_DEPTH + 5) + "x" + closing * (MAX_DEPTH + 5) + "\n"
    problem = problem_of(text)
    assert problem.message == f"lists and mappings are nested more than {MAX_DEPTH} levels deep here"
    assert problem.source is not None and problem.source.line >= 1 and problem.source.column >= 1


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    value = parse_yaml(text, PATH)["a"]
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == ["x"]


def test_a_hundred_thousand_brackets_finish_quickly_without_recursion_error() -> None:
    start = time.perf_counter()
    problem = problem_of("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested more than" in problem.message
    assert time.perf_counter() - start < 5


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(10))}]")
    problem = problem_of("\n".join(lines) + "\n")
    assert problem.message == "file is too large or uses too many aliases"
    assert problem.source is not None and problem.source.line > 1


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    text = "closing: " + "x" * MAX_BYTES + "\n"
    problem = problem_of(text)
    assert problem.message == f"file is too large ({len(text):,} bytes; the limit is {MAX_BYTES:,})"
    assert problem.source == Source(PATH)
    path = tmp_path / "councils" / "big.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        read_yaml(path, tmp_path)
    assert only_problem(info.value).source == Source("councils/big.yaml")


def test_a_file_just_under_the_size_limit_is_read() -> None:
    text = "closing: " + "x" * (MAX_BYTES - 20) + "\n"
    assert len(parse_yaml(text, PATH)["closing"]) == MAX_BYTES - 20


def test_a_nul_byte_is_placed_and_named() -> None:
    problem = problem_of("name: Bad\x00x\n")
    assert problem.message == "the control character U+0000 NULL is not allowed"
    assert problem.source == Source(PATH, 1, 10)


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
        ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
        ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    ],
)
def test_bidirectional_controls_are_refused_by_name(char: str, name: str) -> None:
    problem = problem_of(f"a: 1\nclosing: abc{char}def\n")
    assert problem.message == f"the invisible bidirectional control character {name} is not allowed"
    assert problem.source == Source(PATH, 2, 13)


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\x07", "U+0007 BELL"),
        ("\x0c", "U+000C FORM FEED"),
        ("\x1b", "U+001B ESCAPE"),
        ("\x7f", "U+007F DELETE"),
        ("\x85", "U+0085 NEXT LINE"),
        ("\x9b", "U+009B C1 CONTROL CHARACTER"),
    ],
)
def test_other_control_characters_are_refused_by_name(char: str, name: str) -> None:
    problem = problem_of(f"closing: a{char}b\n")
    assert problem.message == f"the control character {name} is not allowed"
    assert problem.source == Source(PATH, 1, 11)


def test_every_bad_character_is_reported_up_to_a_limit() -> None:
    problems = problems_of("a: \x01\nb: \x02\n" + "c: \x03\n" * 30)
    assert [p.source.line for p in problems if p.source] == list(range(1, sources.MAX_CHARACTER_PROBLEMS + 1))


def test_tabs_and_windows_line_endings_are_fine() -> None:
    value = parse_yaml("name: Bad\r\ntext: |\r\n  a\tb\r\nkind: parish\r\n", PATH)
    assert value["text"] == "a\tb\n"
    assert value["kind"].source == Source(PATH, 4, 7)


def test_a_byte_order_mark_does_not_shift_the_first_line() -> None:
    assert parse_yaml("\ufeffname: Bad\n", PATH)["name"].source == Source(PATH, 1, 7)


def test_an_escaped_surrogate_in_double_quotes_is_refused() -> None:
    problem = problem_of('a: 1\nclosing: "Adopted \\ud800"\n')
    assert problem.message == (
        "the '\\' escape in this quoted text gives U+D800 SURROGATE (half of a character, alone), which is not allowed"
    )
    assert problem.source == Source(PATH, 2, 10)


def test_an_escaped_control_character_in_double_quotes_is_refused() -> None:
    problem = problem_of('closing: "bell\\a and nul\\0"\n')
    assert problem.message.startswith("the '\\' escape in this quoted text gives U+0007 BELL")


def test_ordinary_escapes_are_read() -> None:
    assert parse_yaml('closing: "caf\\u00e9\\ttab"\n', PATH)["closing"] == "café\ttab"


def test_character_names() -> None:
    assert character_name("\x00") == "U+0000 NULL"
    assert character_name("\x1f") == "U+001F INFORMATION SEPARATOR ONE"
    assert character_name("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert character_name("\udfff") == "U+DFFF SURROGATE (half of a character, alone)"
    assert character_name("\uffff") == "U+FFFF NON-CHARACTER"


@pytest.mark.parametrize(
    ("line", "tag", "column"),
    [
        ("closing: !!binary QWRvcHRlZA==", "!!binary", 10),
        ("closing: !!python/object/apply:os.system [ls]", "!!python/object/apply:os.system", 10),
        ("closing: !custom text", "!custom", 10),
        ("closing: !!str 12", "!!str", 10),
        ("closing: ! text", "!", 10),
        ("closing: &anchor !!map {a: b}", "!!map", 18),
        ("- !!set {a}", "!!set", 3),
    ],
)
def test_every_tag_is_refused(line: str, tag: str, column: int) -> None:
    problem = problem_of(line + "\n")
    assert problem.message == f"'{tag}' is a YAML tag, which protocolc does not read"
    assert problem.source == Source(PATH, 1, column)
    assert problem.hint is not None and problem.hint.startswith(f"remove '{tag}'")


def test_a_quoted_exclamation_mark_is_text() -> None:
    assert parse_yaml("closing: '!important'\n", PATH)["closing"] == "!important"


def test_a_second_document_is_refused() -> None:
    problem = problem_of("a: 1\n---\nb: 2\n")
    assert problem.message == "the file holds a second YAML document here"
    assert problem.source == Source(PATH, 2, 1)


# --- dates ----------------------------------------------------------------------------------------------------


def read_date(text: str) -> tuple[PartialDate | None, list[Problem]]:
    value = Str(text)
    value.source, value.plain = Source(PATH, 3, 14), True
    r = Reader()
    return r.date(value, "adopted"), r.problems


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("12/05/2025", "2025-05-12"),
        ("12.05.2025", "2025-05-12"),
        ("12-05-2025", "2025-05-12"),
        ("31/12/2025", "2025-12-31"),
        ("12/31/2025", "2025-12-31"),
        ("12 May 2025", "2025-05-12"),
        ("12th May 2025", "2025-05-12"),
        ("1st of March 2023", "2023-03-01"),
        ("May 12, 2025", "2025-05-12"),
        ("12 Sept 2025", "2025-09-12"),
        ("March 2023", "2023-03"),
        ("2025-5-12", "2025-05-12"),
        ("2025/05/12", "2025-05-12"),
        ("2025-5", "2025-05"),
    ],
)
def test_dates_written_other_ways_get_year_month_day(written: str, iso: str) -> None:
    parsed, problems = read_date(written)
    assert parsed is None
    assert [(p.message, p.source) for p in problems] == [
        (f"adopted '{written}' is not written year-month-day", Source(PATH, 3, 14))
    ]
    assert problems[0].hint is not None and problems[0].hint.startswith(f"write {iso}: ")


@pytest.mark.parametrize("written", ["2023-02-30", "31/02/2025", "2025-13-01", "next Tuesday", "12/05/25"])
def test_impossible_dates_are_not_real(written: str) -> None:
    parsed, problems = read_date(written)
    assert parsed is None
    assert [p.message for p in problems] == [f"adopted '{written}' is not a real date"]


@pytest.mark.parametrize("written", ["0000-06", "1899-12-31", "2201-01", "9999-12-31"])
def test_years_outside_1900_to_2200_are_refused(written: str) -> None:
    parsed, problems = read_date(written)
    assert parsed is None
    assert [p.message for p in problems] == [f"adopted '{written}' has the year {written[:4]}"]
    assert problems[0].hint == "write the real year, between 1900 and 2200, e.g. 2024-06"


@pytest.mark.parametrize("written", ["1900-01-01", "2024-06", "2200-12-31"])
def test_years_from_1900_to_2200_are_read(written: str) -> None:
    parsed, problems = read_date(written)
    assert problems == [] and parsed is not None and parsed.iso() == written


# --- (B) syntax errors in plain words, on the right line -------------------------------------------------------


def test_a_missing_colon_is_reported_on_its_own_line() -> None:
    text = HEAD + 'versions:\n  - version: "1"\n    adopted: 2024-01-15\nclerk Parish Clerk\nterms:\n  clerk: x\n'
    problem = problem_of(text)
    assert problem.message == "line 6 has no ':' after the key"
    assert problem.source == Source(PATH, 6, 1)
    assert problem.hint == "write `clerk: Parish Clerk`"


def test_a_missing_colon_before_a_nested_key() -> None:
    problem = problem_of(HEAD + "terms:\n  clerk Parish Clerk\n  chair: Chair\n")
    assert problem.message == "line 4 has no ':' after the key"
    assert problem.source == Source(PATH, 4, 3)


def test_a_missing_space_after_the_colon() -> None:
    problem = problem_of(HEAD + "clerk:Parish Clerk\nterms:\n  a: b\n")
    assert problem.message == "line 3 has no space after the ':' of its key"
    assert problem.hint == "write `clerk: Parish Clerk`"


def test_a_line_that_may_continue_long_text_mentions_indenting_it() -> None:
    problem = problem_of(HEAD + "closing: Adopted by the whole Council\nat its meeting\nterms:\n  a: b\n")
    assert problem.message == "line 4 has no ':' after the key"
    assert problem.hint == (
        "write `at: its meeting`; if the line continues the text of line 3, indent it more than 'closing:'"
    )


def test_a_quote_never_closed_is_placed_where_it_opened() -> None:
    problem = problem_of(HEAD + 'versions:\n  - version: "1\n    adopted: 2024-01-15\n')
    assert problem.message == 'the quote (") opened here, on line 4 at column 14, is never closed'
    assert problem.source == Source(PATH, 4, 14)
    assert problem.hint == 'close the quoted text with another ": version: "1"'


def test_a_quote_closed_lines_later_by_another_value_is_placed_where_it_opened() -> None:
    text = HEAD + 'clerk: "Parish Clerk\nversions:\n  - version: "1"\n    adopted: 2024-01-15\n'
    problem = problem_of(text)
    assert problem.message == 'the quote (") opened here, on line 3 at column 8, is not closed on its line'
    assert problem.source == Source(PATH, 3, 8)
    assert problem.hint == 'close the quoted text on the same line: clerk: "Parish Clerk"'


def test_text_quoted_over_several_lines_is_still_fine() -> None:
    value = parse_yaml(HEAD + 'closing: "Adopted by\n  the Council"\nterms:\n  a: b\n', PATH)
    assert value["closing"] == "Adopted by the Council"


def test_an_apostrophe_inside_single_quotes() -> None:
    problem = problem_of(HEAD + "closing: 'the Clerk's duty'\n")
    assert problem.message == "the apostrophe in 'Clerk's' ends the text quoted with ' at column 10"
    assert problem.source == Source(PATH, 3, 20)
    assert problem.hint == (
        'put text with an apostrophe in double quotes: closing: "the Clerk\'s duty" '
        "(or write the apostrophe twice: Clerk''s)"
    )


def test_a_plural_apostrophe_inside_single_quotes() -> None:
    problem = problem_of(HEAD + "closing: 'the councillors' duty'\n")
    assert problem.message == "the apostrophe in 'councillors'' ends the text quoted with ' at column 10"
    assert 'closing: "the councillors\' duty"' in (problem.hint or "")


def test_text_after_a_closing_quote() -> None:
    problem = problem_of(HEAD + 'versions:\n  - version: "1" (draft)\n')
    assert problem.message == 'there is more text after the closing " (column 16) of the quoted text'
    assert problem.source == Source(PATH, 4, 18)
    assert problem.hint == 'put all of the text inside the quotes: version: "1 (draft)"'


@pytest.mark.parametrize(
    ("text", "line", "indent", "expected", "like"),
    [
        ("terms:\n  clerk: a\n   chair: b\n", 5, 3, 2, "'clerk:' on line 4"),
        ("terms:\n  clerk: a\n chair: b\n", 5, 1, 2, "'clerk:' on line 4"),
        ('versions:\n  - version: "1"\n     adopted: 2024-01-15\n', 5, 5, 4, "'version:' on line 4"),
        ('versions:\n  - version: "1"\n   adopted: 2024-01-15\n', 5, 3, 4, "'version:' on line 4"),
        ("closing: >-\n    some text\n   terms: x\n", 5, 3, 0, "'closing:' on line 3"),
    ],
    ids=["one more", "one fewer", "one more in a list", "one fewer in a list", "after a block"],
)
def test_inconsistent_indentation_names_the_line_and_the_expected_indent(
    text: str, line: int, indent: int, expected: int, like: str
) -> None:
    problem = problem_of(HEAD + text)
    spaces = "1 space" if indent == 1 else f"{indent} spaces"
    assert (
        problem.message
        == f"line {line} is indented {spaces} where {expected} spaces are expected (lining up with {like})"
    )
    assert problem.source == Source(PATH, line, indent + 1)


def test_a_line_less_indented_than_its_block_of_text() -> None:
    problem = problem_of(HEAD + "closing: |-\n   Adopted 2024\n\n  By the Council\n")
    assert problem.message == (
        "line 6 is indented 2 spaces, less than the first line of the text under 'closing: |-' "
        "(line 4, indented 3 spaces)"
    )
    assert problem.source == Source(PATH, 6, 3)


def test_an_indented_first_key_is_blamed_not_the_next_line() -> None:
    problem = problem_of("# Bad Parish Council\n name: Bad Parish Council\nkind: parish\n")
    assert problem.message == "line 2 is indented 1 space, but the first key of a file starts at the left edge"
    assert problem.source == Source(PATH, 2, 2)


def test_a_missing_colon_in_a_list_item() -> None:
    problem = problem_of(HEAD + 'versions:\n  - version "1.0"\n    adopted: 2020-12\n')
    assert problem.message == "line 4 has no ':' after the key"
    assert problem.source == Source(PATH, 4, 5)
    assert problem.hint == 'write `version: "1.0"`'


def test_list_items_read_as_more_text_of_a_less_indented_first_item() -> None:
    text = HEAD + "sections:\n  - section: roles\n    clauses:\n     - roles.summary\n      - roles.servants\n"
    problem = problem_of(text + "      - clause: roles.electorate\n        join: true\n")
    assert problem.message == (
        "line 6 is indented 5 spaces and the list items after it 6 spaces, so YAML reads lines 7 to 8 as more of "
        "the text on line 6"
    )
    assert problem.source == Source(PATH, 6, 6)


def test_a_missing_colon_before_a_block_of_text() -> None:
    text = HEAD + "items:\n  leadership >-\n    to give leadership\n    and direction.\n  policies: to act\n"
    problem = problem_of(text)
    assert problem.message == "line 4 has no ':' after the key"
    assert problem.hint == "write `leadership: >-`"


def test_a_missing_colon_before_a_comment() -> None:
    problem = problem_of("terms:\n  council Council    # the council as the text names it\n  authority: Council\n")
    assert problem.message == "line 2 has no ':' after the key"
    assert problem.hint == "write `council: Council`"


def test_a_missing_colon_on_the_first_key() -> None:
    problem = problem_of("# the library\ntitle Member/Officer Relations Protocol\n\n# terms\nterms:\n  a: b\n")
    assert problem.message == "line 2 has no ':' after the key"
    assert problem.hint == "write `title: Member/Officer Relations Protocol`"


def test_a_first_entry_pushed_right_is_offered_as_the_line_to_move() -> None:
    problem = problem_of("items:\n   leadership: a\n  policies: b\n")
    assert problem.message == (
        "line 3 is indented 2 spaces where 3 spaces are expected (lining up with 'leadership:' on line 2)"
    )
    assert problem.hint == (
        "indent line 3 by exactly 3 spaces to line it up with 'leadership:' on line 2 "
        "(or, if line 2 is the one out of line, indent it by 2 spaces); use spaces only"
    )


def test_a_list_item_indented_like_the_keys_above() -> None:
    problem = problem_of("clauses:\n  - id: a\n    text: x\n\n    - id: b\n    text: y\n")
    assert problem.message == (
        "line 5 starts a list item ('- ') indented 4 spaces, among the keys of the mapping above, "
        "but the list's '-' on line 2 is indented 2 spaces"
    )
    assert problem.source == Source(PATH, 5, 5)


def test_a_dash_after_a_key_is_taken_for_a_folded_block() -> None:
    problem = problem_of("a: 1\ntext: -\n  more text\n")
    assert problem.message == "a list item ('- ') cannot start on the same line as its key"
    assert problem.source == Source(PATH, 2, 7)
    assert problem.hint == "to start text on the lines below, write text: >- (a '>' before the '-')"


def test_a_list_on_the_line_of_its_key() -> None:
    problem = problem_of("clauses:  - id: x\n    text: y\n")
    assert problem.message == "a list item ('- ') cannot start on the same line as its key"
    assert problem.hint == "start the list on the next line, indented, with clauses: alone on its line"


def test_a_missing_space_after_a_colon_in_a_list_item() -> None:
    problem = problem_of("changes:\n  - insert:expectations.x\n    after: y\n")
    assert problem.message == "line 2 has no space after the ':' of its key"
    assert problem.source == Source(PATH, 2, 5)
    assert problem.hint == "write `insert: expectations.x`"


def test_a_character_that_cannot_begin_a_key() -> None:
    problem = problem_of("a: 1\n@b: 2\n")
    assert problem.message == "'@' cannot begin a key or a value"
    assert problem.source == Source(PATH, 2, 1)
    assert problem.hint == "delete it, or put the text it begins in quotes"


def test_a_colon_inside_an_unquoted_value() -> None:
    problem = problem_of(HEAD + "closing: Adopted: 2024\n")
    assert problem.message == "the text after 'closing:' contains ': ', which YAML reads as the start of another key"
    assert problem.source == Source(PATH, 3, 17)
    assert problem.hint == 'put the text in quotes: closing: "Adopted: 2024"'


def test_a_comment_cutting_unquoted_text_short_is_an_error_at_the_hash() -> None:
    line = "closing: Reasonable notice is given (see policy #12);"
    problem = problem_of(HEAD + line + "\n")
    assert problem.message == "YAML reads '#12);' as a comment, so the text stops at '...is given (see policy'"
    assert problem.source == Source(PATH, 3, line.index("#") + 1)
    assert problem.hint is not None and '"Reasonable notice is given (see policy #12);"' in problem.hint


def test_a_comment_cutting_a_list_item_short_is_an_error() -> None:
    problem = problem_of("items:\n  - see minute #12\n")
    assert problem.source == Source(PATH, 2, 16)


@pytest.mark.parametrize(
    "text",
    [
        "# a comment on its own line\nclosing: text\n",
        "closing: text   # a note, with a space after the hash\n",
        "closing: 'quoted text' #12\n",
        'closing: "quoted text" #12\n',
        "closing: policy#12 stays text\n",
        "closing: >-\n  block text #12\n",
    ],
)
def test_comments_that_cut_nothing_are_fine(text: str) -> None:
    assert parse_yaml(text, PATH)["closing"]


def test_a_stray_quote_at_the_end_of_an_unquoted_value() -> None:
    problem = problem_of(HEAD + 'versions:\n  - minute: 45/25"\n')
    assert problem.message == "the unquoted value '45/25\"' ends with a stray '\"'"
    assert problem.source == Source(PATH, 4, 18)
    assert problem.hint == 'write minute: "45/25" (quotes at both ends) or minute: 45/25 (no quotes)'


def test_quotes_in_the_middle_of_unquoted_text_are_fine() -> None:
    value = parse_yaml('closing: the so-called "Clerk"\nnote: the councillors\'\n', PATH)
    assert value["closing"] == 'the so-called "Clerk"' and value["note"] == "the councillors'"


def test_a_stray_quote_at_the_start_is_an_unclosed_quote() -> None:
    problem = problem_of(HEAD + 'versions:\n  - minute: "45/25\n')
    assert problem.message.startswith('the quote (") opened here, on line 4 at column 13')


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("text: @clerk", "a value cannot start with '@' unless it is in quotes", 'text: "@clerk"'),
        ("text: `clerk`", "a value cannot start with '`' unless it is in quotes", 'text: "`clerk`"'),
        ("text: [draft] notes", "a value starting with '[' is read as a list", 'text: "[draft] notes"'),
        (
            "text: *important* thing",
            "a value cannot start with '*' unless it is in quotes",
            'text: "*important* thing"',
        ),
        ("text: [draft", "the '[' here starts a list that is never closed with ']'", 'text: "[draft"'),
    ],
)
def test_values_starting_with_a_reserved_character_need_quotes(line: str, message: str, hint: str) -> None:
    problem = problem_of(line + "\n")
    assert problem.message == message
    assert problem.source == Source(PATH, 1, 7)
    assert problem.hint is not None and problem.hint.endswith(hint)


def test_a_backslash_in_double_quotes_suggests_single_quotes() -> None:
    problem = problem_of('closing: "See C:\\Council\\Policies"\n')
    assert problem.message == "a '\\' inside double quotes starts an escape code, and this one is not valid"
    assert problem.hint == "use single quotes for text containing '\\': closing: 'See C:\\Council\\Policies'"


def test_a_tab_keeps_its_message() -> None:
    problem = problem_of("name: A\n\tkind: town\n")
    assert problem.message == "invalid YAML: found character '\\t' that cannot start any token"
    assert problem.source == Source(PATH, 2, 1)


def test_duplicate_keys_and_tags_are_reported_together() -> None:
    problems = problems_of("a: 1\nb: !!str 2\na: 3\n")
    assert [p.source for p in problems] == [Source(PATH, 2, 4), Source(PATH, 3, 1)]
    assert find_problem(ProtocolError(problems), "duplicate key 'a' (first given on line 1)")


def test_a_key_that_is_a_list_is_refused() -> None:
    problem = problem_of("[a, b]: c\n")
    assert problem.message == "a key must be plain text"


# --- the property: any text gives values or a ProtocolError, quickly ----------------------------------------------

YAML_TEXT = st.lists(
    st.one_of(
        st.sampled_from(list(" \t\n\r:-#'\"[]{},&*!|>?%@`\\")),
        st.sampled_from(["  ", "\n  ", "\n- ", ": ", " #", "key", "text", "'s", "---", "\\u", "\\ud800", "\u202e"]),
        st.characters(max_codepoint=0x10FFFF),
    ),
    max_size=120,
).map(lambda chunks: "".join(chunks))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(YAML_TEXT)
def test_any_text_gives_values_or_a_protocol_error_quickly(text: str) -> None:
    start = time.perf_counter()
    try:
        parse_yaml(text, PATH)
    except ProtocolError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.source is not None and problem.source.path == PATH
            assert problem.message and "Traceback" not in problem.message
    assert time.perf_counter() - start < 5


LINES = st.lists(
    st.sampled_from(
        [
            "name: Bad Parish Council",
            "kind: parish",
            "clerk Parish Clerk",
            "clerk: 'the Clerk's duty'",
            'clerk: "Parish Clerk',
            "versions:",
            '  - version: "1"',
            "    adopted: 2024-01-15",
            "   adopted: 2024-01-15",
            '     minute: 45/25"',
            "closing: Adopted: 2024",
            "closing: see policy #12);",
            "closing: >-",
            "  block text",
            "terms:",
            "  clerk: Clerk",
            "   chair: Chair",
            " chair: Chair",
            "\tkind: town",
            "closing: &a [*a]",
            "x: [a, {b: [c",
            "---",
            "",
            "# comment",
        ]
    ),
    max_size=12,
).map(lambda lines: "\n".join(lines) + "\n")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(LINES)
def test_any_mix_of_plausible_mistakes_gives_a_located_protocol_error(text: str) -> None:
    try:
        parse_yaml(text, PATH)
    except ProtocolError as exc:
        lines = text.count("\n") + 1
        for problem in exc.problems:
            assert problem.source is not None and 1 <= problem.source.line <= lines, str(problem)
            assert problem.source.column >= 1


@pytest.mark.parametrize("text", ["", "a", "a\n", "\n\n", "a\nb\r\nc", "x\u2028y\u2029z", "a\rb", "a\r\n\r\nb", "é\n"])
def test_lines_are_split_where_yaml_ends_a_line(text: str) -> None:
    """The quick split of a file with only '\\n' gives the lines the regular expression does."""
    assert sources._split_lines(text) == sources.LINE_BREAK.split(text)


@pytest.mark.parametrize(
    "content",
    [b"a: 1\n", b"a: 1\r\nb: 2\r\n", b"a\rb\r\n\r\nc", "clerk: Cl\u00e9rc\n".encode(), b"", b"\xef\xbb\xbfa: 1\n"],
)
def test_read_text_short_way_gives_what_the_careful_way_gives(tmp_path: Path, content: bytes) -> None:
    """A file inside the project is read the short way; text and name are those of the step-by-step reading."""
    folder = tmp_path / "councils" / "t"
    folder.mkdir(parents=True)
    (folder / "council.yaml").write_bytes(content)
    path = tmp_path / "councils" / "." / "t" / "council.yaml"
    expected = (path.read_text(encoding="utf-8"), "councils/t/council.yaml")
    assert sources.read_text(path, tmp_path) == expected
    assert sources._read_text_checked(path, tmp_path) == expected


def test_read_text_refuses_as_the_careful_way_does(tmp_path: Path) -> None:
    """Bad bytes, a huge file and a link out of the project each get the careful way's message."""
    (tmp_path / "bad.yaml").write_bytes(b"a: caf\xe9\n")
    (tmp_path / "huge.yaml").write_bytes(b"#" * (MAX_BYTES + 1))
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(outside)
    for name, expected in [("bad", "not UTF-8"), ("huge", "too large"), ("link", "outside the project")]:
        with pytest.raises(ProtocolError) as exc:
            sources.read_text(tmp_path / f"{name}.yaml", tmp_path)
        assert expected in str(exc.value)
        with pytest.raises(ProtocolError) as careful:
            sources._read_text_checked(tmp_path / f"{name}.yaml", tmp_path)
        assert str(exc.value) == str(careful.value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="yYnNtTfFoOeEsSrRuUlLaA~-.+0129: ", min_size=1, max_size=12))
def test_quoting_check_skips_only_what_yaml_reads_as_text(value: str) -> None:
    """The quoting check's short cuts warn exactly where YAML's implicit-type rules say 'not text'."""
    plain = Str(value)
    plain.plain, plain.source = True, Source(PATH, 1, 1)
    reader = Reader()
    reader.string(plain, "clerk")
    seen_as = sources.IMPLICIT_TYPES.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    try:
        loaded = yaml.safe_load(value)
    except yaml.YAMLError:
        loaded = value
    expected = value.strip() != "" and seen_as != "tag:yaml.org,2002:str" and not isinstance(loaded, str)
    assert bool(reader.warnings) == expected
