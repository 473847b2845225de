"""The one serializer: records (dataclasses) to JSON-ready values and back.

pydantic's TypeAdapter does the work for every record type (dates, enums, nested records,
tuples), so no record hand-writes its own to_json/from_json and the two directions cannot drift.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def to_json(value: Any, kind: Any = None) -> Any:
    """``value`` as JSON-ready dicts, lists, strings and numbers."""
    return _adapter(kind if kind is not None else type(value)).dump_python(value, mode="json")


def from_json(kind: type[T], data: Any) -> T:
    """A ``kind`` record from what ``to_json`` made (also from older rows missing new fields
    that have defaults)."""
    value: T = _adapter(kind).validate_python(data)
    return value
