"""Long texts and payloads are stored compressed on SQLite and read back exactly as written;
rows written before stay readable, and a downgrade unpacks them for the older code."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.dialects import sqlite

from notifier.store import Store
from notifier.store.column_types import (
    JSON_DICTIONARY,
    PACK_FROM,
    TEXT_DICTIONARY,
    PackedJSON,
    pack,
    unpack,
)
from notifier.store.db import _alembic_config
from tests.factories import Spec, publish

NOW = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)
TEXT = (
    "Baggrund\nKKR Sjælland drøftede status for klima VIP-projekterne (SAG-2021-01954). "
    "Kommunerne i regionen har sammen søgt midler til grøn omstilling og kollektiv trafik. "
) * 12
TITLE = " ".join(["Dagsorden for mødet i KKR Sjælland om klima, grøn omstilling og trafik"] * 4)
STORED = (
    ("item_versions", "text"),
    ("item_versions", "indstilling"),
    ("events", "payload"),
    ("items", "topics"),
)


def test_short_values_stay_text_and_long_ones_are_packed() -> None:
    assert pack("KKR drøftede sagen.") == "KKR drøftede sagen."
    packed = pack(TEXT)
    assert isinstance(packed, bytes) and len(packed) < len(TEXT.encode()) / 3
    for value in (TEXT, "æøå" * 300, "🚆 " * 200, "x" * (PACK_FROM - 1)):
        assert unpack(pack(value)) == value


async def _storage(store: Store) -> dict[tuple[str, str], set[str]]:
    """The storage class (SQLite) or Python type (PostgreSQL) of each packed column's values."""
    found: dict[tuple[str, str], set[str]] = {}
    async with store.db.engine.connect() as conn:
        for table, column in STORED:
            if store.db.dialect == "sqlite":
                rows = await conn.exec_driver_sql(
                    f"SELECT DISTINCT typeof({column}) FROM {table} WHERE {column} IS NOT NULL"
                )
                found[table, column] = {row[0] for row in rows}
            else:
                rows = await conn.exec_driver_sql(f"SELECT {column} FROM {table}")
                found[table, column] = {type(row[0]).__name__ for row in rows}
    return found


async def test_long_values_are_packed_on_sqlite_and_read_back_as_written(store: Store) -> None:
    spec = Spec(
        title="3.2. Status for klima VIP-projekterne",
        text=TEXT,
        topics=["klima", "trafik"],
        indstilling="Det indstilles, at KKR tager orienteringen til efterretning. " * 5,
        beslutning="Godkendt.",
    )
    [snapshot] = await publish(store, [spec], title=TITLE, now=NOW)
    assert (snapshot.text, snapshot.indstilling, snapshot.beslutning) == (
        spec.text,
        spec.indstilling,
        "Godkendt.",
    )
    assert snapshot.document_title == TITLE
    [event] = [e for e in await store.archive.since(0) if e.type.is_item]
    assert event.snapshot == snapshot
    storage = await _storage(store)
    if store.db.dialect == "sqlite":
        assert storage == {column: {"blob"} for column in STORED}
    else:  # PostgreSQL keeps its own types (TOAST compresses long values)
        assert storage == {
            ("item_versions", "text"): {"str"},
            ("item_versions", "indstilling"): {"str"},
            ("events", "payload"): {"dict"},
            ("items", "topics"): {"list"},
        }


async def test_rows_written_before_packing_read_unchanged(sqlite_store: Store) -> None:
    spec = Spec(title="3.2. Status for klima VIP-projekterne", text=TEXT, topics=["klima"])
    [snapshot] = await publish(sqlite_store, [spec], title=TITLE, now=NOW)
    async with sqlite_store.db.engine.begin() as conn:
        for event_id, payload in await conn.exec_driver_sql("SELECT id, payload FROM events"):
            # As SQLAlchemy's JSON type wrote them: plain text, ASCII-escaped.
            old = json.dumps(json.loads(unpack(payload)))
            await conn.exec_driver_sql(
                "UPDATE events SET payload = ? WHERE id = ?", (old, event_id)
            )
        await conn.exec_driver_sql("UPDATE item_versions SET text = ?", (TEXT,))
    storage = await _storage(sqlite_store)
    assert storage["item_versions", "text"] == storage["events", "payload"] == {"text"}
    assert storage["items", "topics"] == {"blob"}  # left packed: both kinds at once
    [event] = [e for e in await sqlite_store.archive.since(0) if e.type.is_item]
    assert event.snapshot == snapshot


async def test_a_downgrade_unpacks_values_for_the_older_code(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/kkr.db")
    try:
        spec = Spec(
            title="3.2. Status for klima VIP-projekterne",
            text=TEXT,
            topics=["klima"],
            indstilling="Det indstilles, at KKR tager orienteringen til efterretning. " * 5,
        )
        [snapshot] = await publish(store, [spec], title=TITLE, now=NOW)
        async with store.db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0009"))
        assert await _storage(store) == {column: {"text"} for column in STORED}
        async with store.db.engine.connect() as conn:
            document_text = await conn.exec_driver_sql("SELECT text FROM document_versions")
            assert document_text.scalar_one() == ""  # as the older code requires: not null
        async with store.db.engine.connect() as conn:
            text, payload = (
                await conn.execute(
                    sa.text(
                        "SELECT v.text, e.payload FROM item_versions AS v, events AS e "
                        "WHERE e.item_version_id = v.id"
                    )
                )
            ).one()
        assert text == TEXT
        assert json.loads(payload)["document_title"] == snapshot.document_title
    finally:
        await store.close()


@pytest.mark.parametrize("value", ["", "kort", "a" * PACK_FROM])
def test_values_round_trip_at_the_edges(value: str) -> None:
    assert unpack(pack(value)) == value


def test_payloads_with_a_lone_surrogate_stay_storable() -> None:
    """Scraped text should never hold one, but a JSON payload that did was storable before
    packing (the JSON type wrote ASCII escapes) and must stay so."""
    dialect = sqlite.dialect()
    bind = PackedJSON().bind_processor(dialect)
    read = PackedJSON().result_processor(dialect, None)
    assert bind is not None and read is not None
    payload = {"title": "Referat \ud800 fra KKR Sjælland " * 20}
    stored = bind(payload)
    assert isinstance(stored, bytes)
    assert read(stored) == payload


def test_values_are_packed_against_the_dictionary_of_their_kind() -> None:
    """A point's text shares its phrases with Danish prose, a payload its shape with the
    store's JSON: a preset dictionary saves what short values cannot find in themselves."""
    indstilling = "Det indstilles, at KKR Sjælland tager orienteringen til efterretning."
    packed = pack(indstilling)
    assert isinstance(packed, bytes) and len(packed) < len(indstilling.encode()) * 0.6
    plain = zlib.compress(TEXT.encode())
    assert len(pack(TEXT)) < len(plain)
    assert unpack(plain) == TEXT  # as 0010 and 0011 wrote them: still read
    payload = {"item_id": 7, "council": "sjaelland", "document_kind": "agenda", "old": None}
    as_json = json.dumps(payload, separators=(",", ":"))
    with_shape = pack(as_json, JSON_DICTIONARY)
    assert isinstance(with_shape, bytes) and len(with_shape) < len(as_json) * 0.7
    assert json.loads(unpack(with_shape)) == payload


def test_a_value_packed_with_an_unknown_dictionary_is_an_error_not_garbage() -> None:
    compressor = zlib.compressobj(zdict=b"a dictionary this version never shipped " * 20)
    packed = compressor.compress(TEXT.encode()) + compressor.flush()
    with pytest.raises(ValueError, match="unknown dictionary"):
        unpack(packed)


def test_shipped_dictionaries_never_change() -> None:
    """Values packed with a dictionary can be read only with that very dictionary: a new one
    is added beside the old (scripts/pack_dictionaries.py), a shipped one never edited."""
    assert zlib.adler32(TEXT_DICTIONARY) == 780245259
    assert zlib.adler32(JSON_DICTIONARY) == 812468240


async def test_revision_0011_writes_what_the_code_at_0011_reads(tmp_path: Path) -> None:
    """Migrating to 0011 (not head) with this code must not pack against a dictionary: the
    code at 0011 has none and could not read the stems it keeps to edit an item."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/kkr.db")
    try:
        spec = Spec(title="3.2. Status for klima VIP-projekterne", text=TEXT, topics=["klima"])
        await publish(store, [spec], title=TITLE, now=NOW)
        async with store.db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0010"))
            await conn.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0011"))
            stems = await conn.exec_driver_sql("SELECT stems FROM item_search_stems")
            [packed] = stems.scalars().all()
        assert isinstance(packed, bytes)
        assert json.loads(zlib.decompress(packed))  # as 0011's unpack reads it
    finally:
        await store.close()


def test_a_damaged_value_is_an_error_not_part_of_the_text() -> None:
    """A value packed against a dictionary that lost its end is refused, as zlib.decompress
    refuses a plain one, rather than read back as the first part of the text."""
    packed = pack(TEXT)
    assert isinstance(packed, bytes) and unpack(packed) == TEXT
    with pytest.raises(zlib.error):
        unpack(packed[:-8])
    with pytest.raises(zlib.error):
        unpack(zlib.compress(TEXT.encode())[:-8])
