"""model.py: quick_init gives frozen dataclasses the __init__ they had, only cheaper."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from protocolc import model, numbering
from protocolc.errors import Source
from protocolc.model import Clause, Item, PartialDate, Passage, Text, Version, quick_init

QUICK = [
    cls
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
]
QUICK.append(numbering.Number)
SOURCE = Source("councils/t/protocol.yaml", 3, 5)


def test_every_value_class_has_the_quick_init() -> None:
    assert len(QUICK) >= 20
    for cls in QUICK:
        assert "__setattr__" not in cls.__init__.__code__.co_names, cls
    assert "__setattr__" in numbering.Style.__init__.__code__.co_names  # a frozen dataclass's own __init__


def test_fields_defaults_and_factories_are_the_dataclass_ones() -> None:
    text = Text("Words.", SOURCE, model.COUNCIL)
    assert vars(text) == {"value": "Words.", "source": SOURCE, "origin": "council", "amendment": None}
    assert list(vars(text)) == [f.name for f in dataclasses.fields(Text)]
    first, second = Item("a", text), Item("b", text)
    assert first.variants == {} and first.variants is not second.variants and first.items == ()
    clause = Clause("roles.summary", SOURCE, model.LIBRARY, text=text, is_list=True)
    assert clause.heading is None and clause.in_model and clause.variants == {} and clause.is_list
    assert Version("1.0", None, SOURCE, note="n") == Version("1.0", None, SOURCE, None, None, None, "n")


def test_values_stay_frozen_comparable_and_picklable() -> None:
    passage = Passage("Text.", SOURCE, model.LIBRARY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        passage.markdown = "changed"  # type: ignore[misc]
    assert passage == Passage("Text.", SOURCE, model.LIBRARY, amendment=SOURCE)  # amendment is not compared
    assert hash(passage) == hash(Passage("Text.", SOURCE, model.LIBRARY))
    assert dataclasses.replace(passage, markdown="Other.").markdown == "Other."
    assert pickle.loads(pickle.dumps(passage)) == passage
    assert PartialDate(2024, 5, 1) < PartialDate(2024, 5, 2) < PartialDate(2024, 6, 1)
    with pytest.raises(TypeError):
        Text("Words.", SOURCE)  # type: ignore[call-arg]


def test_quick_init_refuses_what_it_does_not_handle() -> None:
    @dataclasses.dataclass(frozen=True)
    class Counted:
        n: int
        seen: int = dataclasses.field(default=0, init=False)

    with pytest.raises(TypeError):
        quick_init(Counted)
