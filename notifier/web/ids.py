"""The ``{name:id}`` path parameter: a row id, as digits that fit a 64-bit integer column.

Starlette's ``int`` takes any run of digits, and an id too large for the database's integer
made the query fail (a 500 for ``/punkt/99999999999999999999``). At most 18 digits always fits
a signed 64-bit integer; a longer number is no route, so it is a 404 like any unknown id."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class IdConvertor(Convertor[int]):
    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())
