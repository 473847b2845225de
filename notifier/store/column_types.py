"""Column types the schema shares: aware UTC times, and long text and JSON packed on SQLite.

SQLite stores a row's text as it is, so the embedded database held every point's text twice
over (the item's versions, the document's) plus every event's payload in full. ``PackedText``
and ``PackedJSON`` store a long value zlib-compressed, as a BLOB in the same column (SQLite
keeps a BLOB as it is whatever the column's declared type), and give back the very value that
was stored; a short one, or one that does not shrink, stays plain text. Rows written before
stay as they were and read unchanged, so no migration rewrites them.

Values are compressed against a preset dictionary (zlib's ``zdict``: Danish prose for text, the
store's JSON shapes for JSON), which takes about a fifth off a point's text and two fifths off
an event's payload: short values share too little with themselves for plain zlib. The packed
value names its dictionary (zlib's header carries the dictionary's Adler-32), so every value
packed since this change, or before it without a dictionary, reads alike. A shipped dictionary
is never changed, only added to (``scripts/pack_dictionaries.py`` made them). Nothing may read these
columns in SQL (compare, search, ``json_extract``): only through these types. PostgreSQL
stores values unchanged: its TOAST compresses long values itself.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# Below this many bytes a value gains too little to be worth unreadable in the sqlite3 shell.
PACK_FROM = 64
# One below zlib's default: on the fixture points' texts level 6 packed 2% smaller at 1.4x
# the CPU (57 against 40 us a value: an ingest packs some 13 values a document); level 9
# saved about 1% more than 6 at twice its CPU.
_LEVEL = 5


def _dictionary(name: str) -> bytes:
    return resources.files("notifier").joinpath("data", name).read_bytes()


TEXT_DICTIONARY = _dictionary("pack_text.zdict")
JSON_DICTIONARY = _dictionary("pack_json.zdict")
# Compressors given their dictionary once, copied per value: taking in a 30 KB dictionary cost
# 80 us a value, more than compressing it (copied: 30 us, as much as zlib without one).
# Copying is all of a compressor's state, 256 KB at zlib's default memLevel 8 (a third of an
# ingest's packing, by instructions); at 5 its hash table and output buffer are an eighth, for
# values 1% larger on the fixture texts. The window stays 32 KB: the dictionaries fill it.
_MEM_LEVEL = 5
_PRIMED = {
    d: zlib.compressobj(_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, _MEM_LEVEL, zdict=d)
    for d in (TEXT_DICTIONARY, JSON_DICTIONARY)
}
# Likewise for reading (18 us a value copied against 26 us made afresh), one for every
# dictionary a stored value may name, by the Adler-32 its zlib header carries.
_INFLATERS = {zlib.adler32(d): zlib.decompressobj(zdict=d) for d in _PRIMED}
_FDICT = 0x20  # zlib header: a preset dictionary's id follows (RFC 1950)
# One encoder for every JSON value packed: json.dumps with options makes an encoder per call.
# The values are trees of plain data (payloads, topics), so the check for cycles is spared.
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware datetimes")
        return value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: Any) -> str | None:
            # SQLite DATETIME's own text ("2026-12-04 14:02:55.433682", the UTC wall time) in
            # one call: its processor formats a dict of seven fields, and a poll stores a few
            # stamps on every row it writes.
            utc = self.process_bind_param(value, dialect)
            return None if utc is None else utc.replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def pack(text: str, dictionary: bytes = TEXT_DICTIONARY) -> str | bytes:
    """``text`` as SQLite should store it: compressed against ``dictionary`` (one of the two
    shipped) when that pays, else as it is."""
    if len(text) < PACK_FROM // 4:  # under PACK_FROM bytes however it encodes (<= 4 each)
        return text
    raw = text.encode()
    if len(raw) < PACK_FROM:
        return text
    compressor = _PRIMED[dictionary].copy()
    packed = compressor.compress(raw) + compressor.flush()
    return packed if len(packed) < len(raw) * 0.9 else text


def unpack(value: str | bytes) -> str:
    if not isinstance(value, bytes):
        return value
    if len(value) < 6 or not value[1] & _FDICT:
        return zlib.decompress(value).decode()
    inflater = _INFLATERS.get(int.from_bytes(value[2:6], "big"))
    if inflater is None:
        raise ValueError("value packed with an unknown dictionary (written by a newer version?)")
    decompressor = inflater.copy()
    text = decompressor.decompress(value) + decompressor.flush()
    if not decompressor.eof:  # zlib.decompress refuses it; a decompressor hands back a part
        raise zlib.error("incomplete or truncated packed value")
    return text.decode()


class PackedText(sa.types.TypeDecorator[str]):
    """Text, compressed on SQLite when long (see the module's docstring)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | bytes | None:
        if value is None or dialect.name != "sqlite":
            return value  # type: ignore[no-any-return]
        return pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unpack(value)


class PackedJSON(sa.types.TypeDecorator[Any]):
    """JSON, compressed on SQLite when long (see the module's docstring); PostgreSQL's JSON
    type unchanged."""

    impl = sa.JSON
    cache_ok = True

    # The processors replace JSON's own on SQLite rather than run before them, which would
    # serialize the packed bytes again; the column stays JSON for the schema and migrations.
    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: Any) -> str | bytes | None:
            if value is None:
                return None
            # ASCII as the JSON type wrote it: a lone surrogate in scraped text stays storable.
            return pack(_JSON.encode(value), JSON_DICTIONARY)

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            return None if value is None else json.loads(unpack(value))

        return process
