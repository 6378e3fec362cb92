"""`record`: the dataclass decorator for the modules `reportgen verdict` imports.

Python 3.11 compiles every method a dataclass generates with its own `exec`: `__init__`,
`__repr__`, `__eq__`, `__hash__`, and a frozen class's `__setattr__` and `__delattr__`. For the
records the gate imports that was about a tenth of its start-up (44 M of 1,162 M instructions
for the sample's verdict), paid at every start for methods the gate never calls. `record`
lets `dataclasses` generate only `__init__` (and a frozen class's guards) and gives the class
one shared `__repr__`, `__eq__` and `__hash__` that read its fields when called: the same
results as the generated ones (the same repr, equality of the same class's compared fields,
a frozen record hashable by them, a mutable one unhashable), at a cost paid only on use.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(
        f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr
    )
    return f"{type(self).__qualname__}({shown})"


def _key(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.compare)


def _eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _key(self) == _key(other)


def _hash(self: Any) -> int:
    return hash(
        tuple(
            getattr(self, f.name)
            for f in dataclasses.fields(self)
            if (f.compare if f.hash is None else f.hash)
        )
    )


def _finish(cls: type[_T], frozen: bool, slots: bool) -> type[_T]:
    own = dict(cls.__dict__)
    made = dataclasses.dataclass(cls, frozen=frozen, slots=slots, repr=False, eq=False)
    # A method the class writes itself stays, as with `dataclass`.
    shared: dict[str, Any] = {
        name: method for name, method in (("__repr__", _repr), ("__eq__", _eq)) if name not in own
    }
    # As `dataclass(eq=True)`: frozen records hash by their fields, mutable ones not at all,
    # unless the class writes its own `__hash__` (an `__eq__` alone sets it to None).
    if own.get("__hash__") is None and not ("__hash__" in own and "__eq__" not in own):
        shared["__hash__"] = _hash if frozen else None
    for name, value in shared.items():
        setattr(made, name, value)
    return made


@overload
def record(cls: type[_T], /) -> type[_T]: ...
@overload
def record(*, frozen: bool = True, slots: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(
    cls: type[_T] | None = None, /, *, frozen: bool = True, slots: bool = False
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """`dataclass(frozen=True)` by default, with `repr`, `==` and `hash` shared (see above)."""
    if cls is None:
        return lambda inner: _finish(inner, frozen, slots)
    return _finish(cls, frozen, slots)
