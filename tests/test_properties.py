"""Property tests: dates, random sequences of changes, and mangled council files."""

from __future__ import annotations

import calendar
import contextlib
import datetime
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import TINY, TINY_COUNCIL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocolc.errors import ProtocolError, Source
from protocolc.load import load_council, load_document, load_library
from protocolc.model import COUNCIL, Change, Clause, ClauseRef, Council, CouncilDocument, Document, PartialDate, Text
from protocolc.resolve import resolve

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PATH = "councils/tiny/protocol.yaml"


# --- (a) PartialDate -----------------------------------------------------------------------------------------


@SETTINGS
@given(st.dates(min_value=datetime.date(1000, 1, 1)), st.booleans())
def test_partial_date_round_trips(day: datetime.date, month_only: bool):
    text = day.isoformat()[:7] if month_only else day.isoformat()
    parsed = PartialDate.parse(text)
    assert parsed.iso() == text
    assert (parsed.year, parsed.month, parsed.day) == (day.year, day.month, None if month_only else day.day)
    expected = day.strftime("%B %Y") if month_only else f"{day.day} {day.strftime('%B %Y')}"
    assert parsed.british() == expected


@SETTINGS
@given(st.integers(1000, 9999), st.integers(0, 99), st.one_of(st.none(), st.integers(0, 99)))
def test_partial_date_accepts_exactly_the_real_dates(year: int, month: int, day: int | None):
    text = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
    try:
        datetime.date(year, month, 1 if day is None else day)
        real = True
    except ValueError:
        real = False
    if real:
        assert PartialDate.parse(text).iso() == text
    else:
        with pytest.raises(ValueError):
            PartialDate.parse(text)


DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")


@SETTINGS
@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=12))
def test_partial_date_rejects_anything_else(text: str):
    if DATE_SHAPE.fullmatch(text):
        year, month, *rest = (int(part) for part in text.split("-"))
        day = rest[0] if rest else 1
        real = 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
        if real:
            assert PartialDate.parse(text).iso() == text
            return
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_partial_dates_order_by_time():
    assert PartialDate.parse("2020-12") < PartialDate.parse("2021-01-01") < PartialDate.parse("2021-01-02")


# --- (b) random omit / insert sequences ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def library(project):
    return load_library(project.root)


@pytest.fixture(scope="module")
def base_council(library, project, tmp_path_factory) -> tuple[Council, CouncilDocument, Path]:
    root = tmp_path_factory.mktemp("props")
    path = root / PATH
    path.parent.mkdir(parents=True)
    path.write_text(TINY, encoding="utf-8")
    (path.parent / "council.yaml").write_text(TINY_COUNCIL, encoding="utf-8")
    return load_council(path.parent, root, library), load_document(path, root, library), root


def library_ids(library) -> tuple[list[str], list[str], list[str]]:
    model = [s for s in library.documents["protocol"].sections if not s.optional]
    sections = [s.id for s in model]
    clauses = [c.id for s in model for c in s.clauses]
    items = [f"{c.id}.{i.key}" for s in model for c in s.clauses for i in c.items]
    return sections, clauses, items


@st.composite
def change_plans(draw, library) -> list[tuple]:
    """Abstract changes: ('omit', id), ('item', new id, anchor, position) or ('clause', ..., numbered)."""
    sections, clauses, items = library_ids(library)
    new_clauses: list[str] = []
    new_items: list[str] = []
    plan = []
    for n in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(["omit", "omit", "item", "clause"]))
        position = draw(st.sampled_from(["before", "after"]))
        if kind == "omit":
            plan.append(("omit", draw(st.sampled_from(sections + clauses + items + new_clauses + new_items))))
        elif kind == "item":
            anchor = draw(st.sampled_from(items + new_items))
            target = f"{anchor.rsplit('.', 1)[0]}.new{n}"
            new_items.append(target)
            plan.append(("item", target, anchor, position))
        else:
            anchor = draw(st.sampled_from(clauses + new_clauses + items[:2] + sections[:1]))
            target = f"tiny.new{n}"
            new_clauses.append(target)
            plan.append(("clause", target, anchor, position, draw(st.booleans())))
    return plan


def as_changes(plan: list[tuple]) -> tuple[Change, ...]:
    changes = []
    for n, step in enumerate(plan):
        src = Source(PATH, 20 + n, 5)
        if step[0] == "omit":
            changes.append(Change("omit", step[1], src))
        elif step[0] == "item":
            _, target, anchor, position = step
            changes.append(
                Change("insert", target, src, text=Text(f"Item {n};", src, COUNCIL), position=position, anchor=anchor)
            )
        else:
            _, target, anchor, position, numbered = step
            clause = Clause(target, src, COUNCIL, text=Text(f"Clause {n}.", src, COUNCIL))
            ref = ClauseRef(clause, src, numbered=numbered)
            changes.append(Change("insert", target, src, position=position, anchor=anchor, clause=ref))
    return tuple(changes)


def as_yaml(plan: list[tuple]) -> str:
    lines = ["changes:"] if plan else []
    for n, step in enumerate(plan):
        if step[0] == "omit":
            lines.append(f"  - omit: {step[1]}")
        elif step[0] == "item":
            _, target, anchor, position = step
            lines += [f"  - insert: {target}", f"    {position}: {anchor}", f"    text: Item {n};"]
        else:
            _, target, anchor, position, numbered = step
            lines += [f"  - insert: {target}", f"    {position}: {anchor}", f"    text: Clause {n}."]
            lines.append(f"    numbered: {'true' if numbered else 'false'}")
    return TINY + "\n".join(lines) + "\n"


def check_numbering(doc: Document) -> None:
    """Sections numbered 1., 2., ...; within each, numbered clauses n.1, n.2, ...; items a), b), ..."""
    numbered_sections = [s for s in doc.sections if s.number is not None]
    assert [s.number for s in numbered_sections] == [f"{k}." for k in range(1, len(numbered_sections) + 1)]
    for section in doc.sections:
        numbers = [c.number for c in section.clauses if c.number is not None]
        if section.number is None:
            assert numbers == []
            continue
        prefix = section.number.rstrip(".")
        assert numbers == [f"{prefix}.{k}" for k in range(1, len(numbers) + 1)]
        for clause in section.clauses:
            labels = [i.label for i in clause.items]
            assert labels == [f"{chr(ord('a') + k)})" for k in range(len(labels))]
    ids = [c.id for s in doc.sections for c in s.clauses]
    assert len(ids) == len(set(ids))


def test_random_changes_keep_numbering_consecutive(library, base_council):
    council, document, _ = base_council
    outcomes = {"resolved": 0, "refused": 0}

    @SETTINGS
    @given(data=st.data())
    def check(data) -> None:
        plan = data.draw(change_plans(library))
        try:
            doc = resolve(library, council, replace(document, changes=as_changes(plan)))
        except ProtocolError as exc:
            assert all(p.source is not None for p in exc.problems), str(exc)
            outcomes["refused"] += 1
            return
        outcomes["resolved"] += 1
        check_numbering(doc)
        omitted = {step[1] for step in plan if step[0] == "omit"}
        present = {c.id for s in doc.sections for c in s.clauses} | {s.id for s in doc.sections}
        present |= {i.id for s in doc.sections for c in s.clauses for i in c.items}
        assert not (omitted & present)

    check()
    assert outcomes["resolved"] > 0


def test_random_changes_in_a_council_file_raise_only_protocol_errors(library, base_council):
    council, _, root = base_council
    path = root / PATH
    outcomes = {"resolved": 0, "refused": 0}

    @SETTINGS
    @given(data=st.data())
    def check(data) -> None:
        plan = data.draw(change_plans(library))
        path.write_text(as_yaml(plan), encoding="utf-8")
        try:
            doc = resolve(library, council, load_document(path, root, library))
        except ProtocolError as exc:
            assert all(p.source is not None and p.source.path == PATH for p in exc.problems), str(exc)
            outcomes["refused"] += 1
            return
        outcomes["resolved"] += 1
        check_numbering(doc)

    check()
    assert outcomes["resolved"] > 0


def test_the_generators_reach_a_valid_document(library, base_council):
    """Guard for the two properties above: a typical plan resolves, so they do not pass only on errors."""
    council, document, root = base_council
    plan = [
        ("omit", "councillors.equal"),
        ("item", "councillors.areas.new1", "councillors.areas.policy", "after"),
        ("clause", "tiny.new2", "roles.servants", "before", True),
        ("omit", "problems"),
    ]
    doc = resolve(library, council, replace(document, changes=as_changes(plan)))
    check_numbering(doc)
    roles = next(s for s in doc.sections if s.id == "roles")
    assert [c.id for c in roles.clauses][:3] == ["roles.summary", "tiny.new2", "roles.servants"]


# --- (c) mangled council files -------------------------------------------------------------------------------


@st.composite
def mutations(draw, lines: list[str]) -> list[str]:
    lines = list(lines)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "tab", "indent"]))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "tab":
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + "\t" + lines[i][j:]
        else:
            delta = draw(st.integers(-4, 4))
            stripped = lines[i].lstrip(" ")
            indent = max(0, len(lines[i]) - len(stripped) + delta)
            lines[i] = " " * indent + stripped
    return lines


@pytest.mark.parametrize("council_id", ["hexham", "duston"])
def test_mangled_council_files_raise_only_protocol_errors(library, project, tmp_path_factory, council_id: str):
    root = tmp_path_factory.mktemp(f"mangled-{council_id}")
    folder = root / "councils" / council_id
    folder.mkdir(parents=True)
    council = load_council(project.root / "councils" / council_id, project.root, library)
    path = folder / "protocol.yaml"
    original = (project.root / "councils" / council_id / "protocol.yaml").read_text(encoding="utf-8").splitlines()
    outcomes = {"loaded": 0, "refused": 0}

    @SETTINGS
    @given(mutations(original))
    def check(lines: list[str]) -> None:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            document = load_document(path, root, library)
        except ProtocolError as exc:
            assert exc.problems
            expected = f"councils/{council_id}/protocol.yaml"
            assert all(p.source is None or p.source.path == expected for p in exc.problems)
            outcomes["refused"] += 1
            return
        outcomes["loaded"] += 1
        with contextlib.suppress(ProtocolError):
            resolve(library, council, document)

    check()
    assert outcomes["refused"] > 0  # the mutations do break files


@pytest.mark.parametrize("library_file", ["protocol/expectations.yaml", "library.yaml", "protocol/document.yaml"])
def test_mangled_library_files_never_crash_check_or_render(tmp_path_factory, library_file: str):
    """Random edits to a library file: `check` reports problems or passes, and what passes also renders."""
    from conftest import copy_project

    from protocolc import api
    from protocolc.check import check as check_project

    tmp = copy_project(tmp_path_factory.mktemp("mangled-library") / "project")
    path = tmp.path(f"clauses/{library_file}")
    original = path.read_text(encoding="utf-8").splitlines()
    outcomes = {"clean": 0, "problems": 0}

    @SETTINGS
    @given(mutations(original))
    def run(lines: list[str]) -> None:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = check_project(tmp.project, ["hexham"])
        if report.errors:
            outcomes["problems"] += 1
            return
        outcomes["clean"] += 1
        workspace = api.Workspace.open(tmp.project)
        workspace.render(workspace.document("hexham"), ("md", "html"))

    run()
    assert outcomes["problems"] > 0
