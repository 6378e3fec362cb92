"""`reportgen.records.record` behaves as the `dataclass` it stands for: repr, ==, hash, frozen."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest

from reportgen.records import record


def _pair(frozen: bool, slots: bool) -> tuple[type[Any], type[Any]]:
    """The same class made by `record` and by `dataclass`."""

    def body() -> dict[str, Any]:
        return {
            "__annotations__": {"a": "int", "b": "tuple[str, ...]", "c": "float", "d": "str"},
            "b": field(default=()),
            "c": field(default=0.5, compare=False),
            "d": field(default="x", repr=False),
        }

    ours = record(frozen=frozen, slots=slots)(type("Point", (), body()))
    theirs = dataclass(frozen=frozen, slots=slots)(type("Point", (), body()))
    return ours, theirs


@pytest.mark.parametrize("frozen", [True, False])
@pytest.mark.parametrize("slots", [True, False])
def test_record_matches_dataclass(frozen: bool, slots: bool) -> None:
    ours, theirs = _pair(frozen, slots)
    values = [(1, ("a",), 0.5, "x"), (1, ("a",), 9.0, "y"), (2, (), 0.5, "x")]
    for left in values:
        assert repr(ours(*left)) == repr(theirs(*left))
        for right in values:
            assert (ours(*left) == ours(*right)) == (theirs(*left) == theirs(*right))
            assert (ours(*left) != ours(*right)) == (theirs(*left) != theirs(*right))
            if frozen:
                same = hash(ours(*left)) == hash(ours(*right))
                assert same == (hash(theirs(*left)) == hash(theirs(*right)))
    # Another class with the same fields is never equal, as with dataclass.
    assert ours(*values[0]) != theirs(*values[0])
    assert (ours.__hash__ is None) == (theirs.__hash__ is None) == (not frozen)
    assert hasattr(ours, "__slots__") == slots
    assert [f.name for f in dataclasses.fields(ours)] == ["a", "b", "c", "d"]
    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            ours(*values[0]).a = 3
    else:
        point = ours(*values[0])
        point.a = 3
        assert point.a == 3


def test_record_keeps_the_methods_a_class_writes() -> None:
    @record
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    assert repr(Own(1)) == "own"
    assert Own(1) == Own(2)
    assert Own.__hash__ is object.__hash__

    @record
    class EqOnly:
        a: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, EqOnly)

    # An `__eq__` alone leaves the hash to `record`, as `dataclass` does.
    assert hash(EqOnly(1)) == hash(EqOnly(1))


def test_record_repr_of_a_cycle_does_not_recurse() -> None:
    @record(frozen=False)
    class Node:
        child: Any = None

    node = Node()
    node.child = node
    assert repr(node) == "test_record_repr_of_a_cycle_does_not_recurse.<locals>.Node(child=...)"
