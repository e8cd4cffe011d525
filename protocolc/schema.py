"""JSON Schemas for the YAML sources, so editors complete keys and flag mistakes while the clerk types.

The schemas are built from the same key tables the loader checks against, and
list the project's own clause, item and term names, so an editor can offer
`councillors.areas.policy` when the clerk starts typing an id.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .load import CHANGE_ACTIONS, COUNCIL_KEYS, DOCUMENT_KEYS, DOCUMENT_TYPE_KEYS, KINDS, PUNCTUATION, VERSION_KEYS
from .model import CASES, ENDINGS, LABELS, Clause, Item, Library
from .numbering import STYLES

SCHEMA = "https://json-schema.org/draft/2020-12/schema"
# YYYY-MM or YYYY-MM-DD with a month of the calendar and a day that month can have (29 February always passes).
DATE = (
    r"^\d{4}-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12]\d|3[01]))?"
    r"|(?:0[469]|11)(?:-(?:0[1-9]|[12]\d|30))?|02(?:-(?:0[1-9]|1\d|2\d))?)$"
)
# Any JSON value: a value that is none of these is one a YAML 1.1 reader made (PyYAML, ajv's YAML loaders turn
# an unquoted 2013-02-21 into a date object), which the schema must accept as the date it was written as.
JSON_TYPES = ["string", "number", "integer", "boolean", "null", "array", "object"]
ID = r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$"
FILES = {
    "council": "council.schema.json",
    "document": "document.schema.json",
    "document-type": "document-type.schema.json",
    "section": "section.schema.json",
    "library": "library.schema.json",
}
CHANGE_TITLES = {
    "omit": "omit: leave out a section, clause or item",
    "replace": "replace: new wording for a clause, item or heading",
    "variant": "variant: use a named library variant",
    "insert": "insert: a new clause or item before or after another",
    "amend": "amend: a library clause's punctuation or capitals, keeping it shared",
}
FORMAT = {"enum": [1, "1"], "description": "the version of this file's format (1)"}


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


def _ids(names: list[str], description: str) -> dict[str, Any]:
    """A new id: the editor suggests the known ones but accepts new ones of the right shape."""
    return {"type": "string", "pattern": ID, "description": description, "examples": names}


def _known(names: list[str], description: str) -> dict[str, Any]:
    """An id that must already exist: an enum, so an editor flags a misspelt one and completes the rest."""
    return {"type": "string", "enum": sorted(set(names)), "description": description}


def _target(library_ids: list[str], sections: list[str], lists: list[str], description: str) -> dict[str, Any]:
    """A change's target: a library id (from the enum), or a council's own: a clause or section whose id does not
    start with a library section's id, or an item the council inserted into a library list (`<list id>.<key>`).

    So 'councillors.equl' is flagged ('councillors' is a section, not a list); a misspelt item key of a library
    list cannot be told from a council's new item, and is left to `protocolc check`.
    """
    alternation = "|".join(re.escape(s) for s in sorted(sections))
    own = r"^(?!(?:" + alternation + r")(?:\.|$))" + ID[1:]
    new_item = r"^(?:" + "|".join(re.escape(i) for i in sorted(lists)) + r")\.[a-z0-9][a-z0-9-]*$"
    return {
        "description": description,
        "anyOf": [
            {"title": "a library section, clause or item", **_known(library_ids, description)},
            {"title": "the council's own clause or section", "type": "string", "pattern": own},
            {"title": "an item the council inserted into a library list", "type": "string", "pattern": new_item},
        ],
    }


def _date(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [
            {
                "title": "a date written YYYY-MM-DD or YYYY-MM",
                "type": "string",
                "pattern": DATE,
                "patternErrorMessage": "not a date: write YYYY-MM-DD (2025-05-12) or YYYY-MM, a real month and day",
            },
            {"title": "a date as a YAML 1.1 reader gives it", "not": {"type": JSON_TYPES}},
        ],
    }


def _clause(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": _ids([], "a stable id: lower-case words joined by '-' and '.', e.g. councillors.areas"),
        "heading": _text("a sub-heading printed above the clause"),
        "text": _text("Markdown; {{ councillors }} and the other terms are variables"),
        "items": {"$ref": "#/$defs/items"},
        "variants": {
            "type": "object",
            "description": "named alternative wordings a council can pick",
            "additionalProperties": {
                "anyOf": [
                    {"title": "alternative text", **_text("alternative text")},
                    {
                        "title": "alternative heading and text",
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"heading": _text("alternative heading"), "text": _text("alternative text")},
                    },
                ]
            },
        },
    }
    props |= extra or {}
    return {"type": "object", "additionalProperties": False, "required": ["id"], "properties": props}


def _items_def() -> dict[str, Any]:
    """A list: item key -> text, or an item with text, variants and a list of its own (any depth)."""
    item = {
        "anyOf": [
            {"title": "an item's text", **_text("the item's text")},
            {
                "title": "an item with variants or a list of its own",
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": {
                    "text": _text("the item's text"),
                    "variants": {"type": "object", "additionalProperties": _text("alternative wording")},
                    "items": {"$ref": "#/$defs/items"},
                },
            },
        ]
    }
    return {
        "type": "object",
        "minProperties": 1,
        "description": "a list: item key -> text",
        "propertyNames": {"pattern": r"^[a-z0-9][a-z0-9-]*$"},
        "additionalProperties": item,
    }


def _all_items(owner: str, items: tuple[Item, ...]) -> list[str]:
    return [found for i in items for found in (f"{owner}.{i.key}", *_all_items(f"{owner}.{i.key}", i.items))]


LAYOUT = {
    "numbered": {"type": "boolean", "description": "false: print without a number"},
    "join": {"type": "boolean", "description": "true: continue the paragraph of the clause before"},
}


def _has_items(clauses: dict[str, Clause], item_id: str) -> bool:
    """Whether a library item (`councillors.areas.policy`) has a list of its own."""
    clause_id = next((c for c in clauses if item_id.startswith(c + ".")), None)
    if clause_id is None:
        return False
    found: Clause | Item = clauses[clause_id]
    for key in item_id[len(clause_id) + 1 :].split("."):
        match = next((i for i in found.items if i.key == key), None)
        if match is None:
            return False
        found = match
    return bool(found.items)


def council_schema(library: Library) -> dict[str, Any]:
    """councils/<id>/council.yaml: who the council is."""
    properties: dict[str, Any] = {
        "format": FORMAT,
        "name": _text("the council's full name, e.g. Hexham Town Council"),
        "kind": {"enum": list(KINDS), "description": "town, parish, community, ..."},
        "clerk": _text("the clerk's official title, e.g. Town Clerk"),
        "contact": _text("a contact address printed where the text uses {{ contact }}"),
        "county_association": _text("the county association of local councils, e.g. ERNLLCA"),
        "terms": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: _text(f"library default: {t.value}") for k, t in library.all_terms().items()},
        },
    }
    assert set(properties) == set(COUNCIL_KEYS)
    return {
        "$schema": SCHEMA,
        "$id": FILES["council"],
        "title": "protocolc council file",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "kind"],
        "properties": properties,
    }


def document_schema(library: Library) -> dict[str, Any]:
    """councils/<id>/<document>.yaml: one of a council's documents."""
    types = list(library.documents.values())
    sections = [s.id for t in types for s in t.sections]
    all_clauses = {cid: c for t in types for cid, c in t.clauses().items()}
    clauses = sorted(all_clauses)
    items = sorted(i for c in all_clauses.values() for i in _all_items(c.id, c.items))
    lists = sorted(c.id for c in all_clauses.values() if c.items) + [i for i in items if _has_items(all_clauses, i)]
    targets = _target(sections + clauses + items, sections, lists, "a section, clause or list item id")
    clause_entry = {
        "anyOf": [
            {"title": "a library clause", **_known(clauses, "a library clause")},
            {
                "title": "a library clause with layout options",
                "type": "object",
                "additionalProperties": False,
                "required": ["clause"],
                "properties": {"clause": _known(clauses, "a library clause"), **LAYOUT},
            },
            {"title": "the council's own clause", **_clause(LAYOUT)},
        ]
    }
    section_entry = {
        "anyOf": [
            {"title": "a library section", **_known(sections, "a library section with its default clauses")},
            {
                "title": "a library section with the council's run of clauses",
                "type": "object",
                "additionalProperties": False,
                "required": ["section"],
                "properties": {
                    "section": _known(sections, "a library section"),
                    "heading": _text("the council's own heading"),
                    "numbered": LAYOUT["numbered"],
                    "clauses": {"type": "array", "items": clause_entry},
                },
            },
            {
                "title": "the council's own section",
                "type": "object",
                "additionalProperties": False,
                "required": ["id"],
                "properties": {
                    "id": _ids([], "the id of the council's own section"),
                    "heading": _text("the section's heading"),
                    "numbered": LAYOUT["numbered"],
                    "clauses": {"type": "array", "items": clause_entry},
                },
            },
        ]
    }
    change_shapes = {
        "omit": {},
        "replace": {
            "text": _text("the new wording"),
            "heading": _text("the new heading"),
            "with": _known(clauses + items, "reuse the wording of this library clause or item"),
        },
        "amend": {
            "text": _text("the library wording with the council's punctuation and capitals (the words unchanged)"),
            "heading": _text("the library heading with the council's punctuation and capitals"),
        },
        "variant": {"use": _text("the variant's name")},
        "insert": {
            "before": targets,
            "after": targets,
            "text": _text("the new clause's or item's text"),
            "heading": _text("a sub-heading"),
            "items": _clause()["properties"]["items"],
            **LAYOUT,
        },
    }
    assert set(change_shapes) == set(CHANGE_ACTIONS)
    changes = {
        "type": "array",
        "items": {
            "oneOf": [
                {
                    "title": CHANGE_TITLES[action],
                    "type": "object",
                    "additionalProperties": False,
                    "required": [action],
                    "properties": {
                        action: targets if action != "insert" else _ids([], "the new clause's or item's id"),
                        **fields,
                    },
                }
                for action, fields in change_shapes.items()
            ]
        },
    }
    version = {
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": _text('the version label, in quotes: "1.10"'),
            "adopted": _date("YYYY-MM-DD, or YYYY-MM"),
            "minute": _text("the minute reference, in quotes"),
            "review_by": _date("YYYY-MM-DD, or YYYY-MM"),
            "approved_by": _text("who approved it (e.g. Council)"),
            "note": _text("a short note"),
        },
    }
    assert set(version["properties"]) == set(VERSION_KEYS)  # type: ignore[call-overload]
    properties: dict[str, Any] = {
        "format": FORMAT,
        "title": _text("the document's title, if not the library's"),
        "labels": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                k: _text(f"library default: {library.labels[k].value}") for k in LABELS if k in library.labels
            },
        },
        "numbering": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "levels": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"enum": list(STYLES)},
                    "description": "one style per level: sections, clauses, list items, items of items, ...",
                },
                "punctuation": {"enum": list(PUNCTUATION)},
            },
        },
        "lists": {
            "type": "object",
            "description": "how library list items print: 'all:' for every list, or a list's id",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "case": {"enum": list(CASES), "description": "how each item begins (its first letter)"},
                    "ending": {"enum": list(ENDINGS), "description": "how each item ends"},
                    "before-last": {"enum": list(ENDINGS), "description": "how the second-to-last item ends"},
                    "last": {"enum": list(ENDINGS), "description": "how the last item ends"},
                },
            },
        },
        "versions": {"type": "array", "items": version, "description": "oldest first; empty until adopted"},
        "sections": {"type": "array", "items": section_entry, "description": "the document's outline"},
        "changes": changes,
        "closing": _text("text printed after the last section"),
    }
    assert set(properties) == set(DOCUMENT_KEYS)
    return {
        "$schema": SCHEMA,
        "$id": FILES["document"],
        "title": "protocolc council document file",
        "type": "object",
        "additionalProperties": False,
        "required": ["versions"],
        "properties": properties,
        "$defs": {"items": _items_def()},
    }


def section_schema() -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "$id": FILES["section"],
        "title": "protocolc clause library section",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "heading"],
        "properties": {
            "id": _ids([], "the section id: the file's name without .yaml"),
            "heading": _text("the section's heading"),
            "variants": {"type": "object", "additionalProperties": _text("an alternative heading")},
            "clauses": {
                "type": "array",
                "items": _clause(
                    {
                        "model": {
                            "type": "boolean",
                            "description": "false: councils may pick it; the model leaves it out",
                        }
                    }
                ),
            },
        },
        "$defs": {"items": _items_def()},
    }


def library_schema() -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "$id": FILES["library"],
        "title": "protocolc clause library index",
        "type": "object",
        "additionalProperties": False,
        "required": ["terms", "labels"],
        "properties": {
            "format": FORMAT,
            "terms": {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z][a-z_]*$"},
                "additionalProperties": _text("the default wording of the term"),
            },
            "labels": {
                "type": "object",
                "additionalProperties": False,
                "required": list(LABELS),
                "properties": {k: _text("a label of the version-control table") for k in LABELS},
            },
        },
    }


def document_type_schema() -> dict[str, Any]:
    """clauses/<document>/document.yaml: a document type's title and the order of its sections."""
    properties = {
        "format": FORMAT,
        "title": _text("the default document title"),
        "terms": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z_]*$"},
            "additionalProperties": _text("a term only this document type uses"),
        },
        "sections": {"type": "array", "items": _ids([], "a section file beside this one")},
        "optional": {"type": "array", "items": _ids([], "a section councils may add")},
    }
    assert set(properties) == set(DOCUMENT_TYPE_KEYS)
    return {
        "$schema": SCHEMA,
        "$id": FILES["document-type"],
        "title": "protocolc document type",
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "sections"],
        "properties": properties,
    }


def schemas(library: Library) -> dict[str, str]:
    """File name -> JSON text, stable byte for byte."""
    built = {
        "council": council_schema(library),
        "document": document_schema(library),
        "document-type": document_type_schema(),
        "section": section_schema(),
        "library": library_schema(),
    }
    return {FILES[k]: json.dumps(v, indent=2, ensure_ascii=False) + "\n" for k, v in built.items()}
