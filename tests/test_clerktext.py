"""Clerk text is text with placeholders: names, ref('id'), quoted strings and case filters; nothing else runs."""

from __future__ import annotations

import time

import pytest

from protocolc.clerktext import ALLOWED_FILTERS, MAX_OUTPUT, ClerkText, ClerkTextError, markup_problems

VARIABLES: dict[str, object] = {"councillors": "members", "council": "parish council", "ref": lambda i: f"<{i}>"}


def render(source: str, variables: dict[str, object] | None = None) -> str:
    return ClerkText().render(source, VARIABLES if variables is None else variables)


def refused(source: str) -> ClerkTextError:
    with pytest.raises(ClerkTextError) as info:
        render(source)
    return info.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("No placeholders at all.", "No placeholders at all."),
        ("The {{ councillors }} of the {{ council }}.", "The members of the parish council."),
        ("See {{ ref('roles.servants') }}.", "See <roles.servants>."),
        ('See {{ ref("roles.servants") }}.', "See <roles.servants>."),
        ("{{ '{{' }} is printed as written", "{{ is printed as written"),
        (
            "{{ councillors | upper }} {{ councillors|capitalize }} {{ council | title }}",
            "MEMBERS Members Parish Council",
        ),
        ("{{ councillors | lower | trim }}", "members"),
    ],
)
def test_what_clerks_need_is_allowed(source: str, expected: str) -> None:
    assert render(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ 10**(10**8) }}", "text uses a calculation (**), which texts may not use"),
        ("{{ councillors + 1 }}", "text uses a calculation (+), which texts may not use"),
        ("{{ 1 / 0 }}", "text uses a calculation (/), which texts may not use"),
        ("{{ 1 }}", "text uses the value 1, which texts may not use"),
        ("{{ councillors ~ council }}", "text uses a calculation (~), which texts may not use"),
        ("{{ council if councillors else 'x' }}", "text uses a calculation (if ... else), which texts may not use"),
        ("{{ ('a'*10**10)|length }}", "text uses the filter 'length', which texts may not use"),
        ("{{ councillors | replace('s', 'x') }}", "text uses the filter 'replace', which texts may not use"),
        ("{{ councillors | upper(1) }}", "the filter 'upper' takes no arguments in a text"),
        ("{{ council.__class__.__mro__ }}", "text uses '.__class__' after a name, which texts may not use"),
        ("{{ council.split(1) }}", "text uses '.split' after a name, which texts may not use"),
        ("{{ council['x'] }}", "text uses '[...]' after a name, which texts may not use"),
        ("{{ range(10) }}", "text uses a call, which texts may not use"),
        ("{{ [1, 2] }}", "text uses a list or a table of values, which texts may not use"),
        ("{{ council is defined }}", "text uses a test ('is ...'), which texts may not use"),
        ("{{ ref(council) }}", "ref() takes exactly one clause id in quotes"),
        ("{{ ref('a', 'b') }}", "ref() takes exactly one clause id in quotes"),
        ("{{ ref(id='a') }}", "ref() takes exactly one clause id in quotes"),
        ("{% if council == 'x' %}x{% endif %}", "text uses the statement {% if %}, which texts may not use"),
        ("{% if council %}{{ 9**9 }}{% endif %}", "text uses a calculation (**), which texts may not use"),
        ("{% for i in range(9) %}{% endfor %}", "text uses the statement {% for %}, which texts may not use"),
        ("{% set x = 1 %}", "text uses the statement {% set %}, which texts may not use"),
        ("{% macro m() %}{% endmacro %}", "text uses the statement {% macro %}, which texts may not use"),
        ("{% include 'x' %}", "text uses the statement {% include %}, which texts may not use"),
        ("{% filter upper %}x{% endfilter %}", "text uses the statement {% filter %}, which texts may not use"),
    ],
)
def test_everything_else_is_refused_before_it_runs(source: str, message: str) -> None:
    error = refused(source)
    assert error.message == message
    assert error.hint


def test_the_hint_lists_what_is_allowed() -> None:
    hint = refused("{{ 1 + 1 }}").hint
    assert "{{ ref('section.clause') }}" in hint
    assert all(name in hint for name in ALLOWED_FILTERS)


def test_expressions_that_hung_are_refused_at_once() -> None:
    start = time.monotonic()
    for source in (
        "{{ 10**(10**8) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{{ ('a'*10**10)|length }}",
    ):
        refused(source)
    assert time.monotonic() - start < 2


def test_deeply_nested_text_is_refused_not_a_crash() -> None:
    with pytest.raises(ClerkTextError):
        render("{{ " + "(" * 5000 + "councillors" + ")" * 5000 + " }}")


def test_output_is_capped() -> None:
    big = "x" * (MAX_OUTPUT // 2 + 1)
    with pytest.raises(ClerkTextError) as info:
        render("{{ a }}{{ a }}", {"a": big})
    assert "more than" in info.value.message


def test_each_text_is_checked_and_compiled_once() -> None:
    text = ClerkText()
    first = text.compile("{{ councillors }}")
    assert text.compile("{{ councillors }}") is first


@pytest.mark.parametrize(
    ("markdown", "count"),
    [
        ("Plain words, a [link](https://example.org) and <https://example.org>.", 0),
        ("Escaped \\<b> is a character, not a tag; 3 < 4 and 5 > 4.", 0),
        ("![a](/etc/some.png) ![b](http://127.0.0.1:8000/px.png)", 2),
        ("Text <script>alert(1)</script>", 1),
        ("Text\n\n<div>\nblock\n</div>", 1),
        ("<!-- a comment -->", 1),
    ],
)
def test_images_and_html_are_found_in_rendered_markdown(markdown: str, count: int) -> None:
    assert len(markup_problems(markdown)) == count
