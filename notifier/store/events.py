"""The append-only events table that later stages consume by id (conn-level helpers).

An ``item.*`` event's payload refers to its item version instead of repeating its text: ``row``
leaves ``text``, ``indstilling`` and ``beslutning`` out of the snapshot (and out of the ``old``
one of item.changed), and every read here puts them back from ``item_versions`` (by the
snapshot's ``version_id``, one query per batch), so consumers get the very snapshot that was
appended. Rows written before carry the text themselves and are read as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Event, EventType, ItemSnapshot, Payload
from notifier.models.events import payload_type
from notifier.models.serialize import from_json, to_json
from notifier.store.db import APPENDED
from notifier.store.prepared import Prepared
from notifier.store.schema import events, item_versions, items

# Snapshot fields that item_versions holds: stored once there, not in every event.
_BY_VERSION = ("text", "indstilling", "beslutning")
# Version ids per query when filling them back (well under every backend's parameter limit).
_PAGE = 5000


async def append(
    conn: AsyncConnection,
    type: EventType,
    payload: Payload,
    *,
    now: datetime,
    source_id: str | None = None,
    document_id: int | None = None,
) -> int:
    values = row(type, payload, now=now, source_id=source_id, document_id=document_id)
    await in_commit_order(conn)
    result = await _APPEND_ONE.execute(conn, values)
    conn.info.setdefault(APPENDED, []).append(type.value)
    return int(result.rows[0]["id"])


async def append_many(conn: AsyncConnection, rows: Sequence[dict[str, object]]) -> None:
    """Append events made by ``row``, in order, in one statement."""
    if rows:
        await in_commit_order(conn)
        await _APPEND.execute(conn, rows)
        conn.info.setdefault(APPENDED, []).extend(str(row["type"]) for row in rows)


# PostgreSQL hands out ids when rows are inserted, and transactions commit in any order: a reader
# that takes max(id) as its cursor (digest planning, the feeds) would pass over an event
# inserted before and committed after a later one, for good. Appending takes a lock held to the
# end of the transaction, so ids are handed out in the order they are committed. SQLite runs
# one writer at a time anyway.
_APPEND_LOCK = 0x6B6B72  # "kkr"


async def in_commit_order(conn: AsyncConnection) -> None:
    """Take the append lock (see above); a transaction that will append events and lock rows
    too takes it first, so two such transactions cannot each hold what the other waits for."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})


_APPEND = Prepared(events.insert())
_APPEND_ONE = Prepared(events.insert().returning(events.c.id))


def row(
    type: EventType,
    payload: Payload,
    *,
    now: datetime,
    source_id: str | None = None,
    document_id: int | None = None,
) -> dict[str, object]:
    """An event as a row for ``append_many``."""
    if not isinstance(payload, payload_type(type)):
        raise TypeError(f"{type} takes a {payload_type(type).__name__}")
    item_id = version_id = None
    if isinstance(payload, ItemSnapshot):
        item_id, version_id = payload.item_id, payload.version_id
        document_id = payload.document_id
    data = to_json(payload)
    return {
        "type": type.value,
        "created_at": now,
        "source_id": source_id,
        "document_id": document_id,
        "item_id": item_id,
        "item_version_id": version_id,
        "payload": _by_reference(data) if isinstance(payload, ItemSnapshot) else data,
    }


def _by_reference(data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's JSON without what its version row holds."""
    stripped = {key: value for key, value in data.items() if key not in _BY_VERSION}
    if data.get("old") is not None:
        stripped["old"] = _by_reference(data["old"])
    return stripped


async def since(
    conn: AsyncConnection,
    after_id: int,
    *,
    types: Sequence[EventType] | None = None,
    limit: int | None = None,
    until_id: int | None = None,
) -> list[Event]:
    """Events with id > after_id (and <= until_id), oldest first."""
    query = sa.select(events).where(events.c.id > after_id).order_by(events.c.id)
    if types:
        query = query.where(events.c.type.in_([t.value for t in types]))
    if until_id is not None:
        query = query.where(events.c.id <= until_id)
    if limit is not None:
        query = query.limit(limit)
    return await _events(conn, (await conn.execute(query)).mappings().all())


async def latest(conn: AsyncConnection, *, types: Sequence[EventType], limit: int) -> list[Event]:
    """The newest events of the given types, newest first."""
    query = (
        sa.select(events)
        .where(events.c.type.in_([t.value for t in types]))
        .order_by(events.c.id.desc())
        .limit(limit)
    )
    return await _events(conn, (await conn.execute(query)).mappings().all())


async def for_items(
    conn: AsyncConnection, item_ids: Collection[int], *, types: Sequence[EventType]
) -> list[Event]:
    """The events of these items (of the given types), oldest first."""
    if not item_ids:
        return []
    query = (
        sa.select(events)
        .where(
            events.c.item_id.in_(list(item_ids)),
            events.c.type.in_([t.value for t in types]),
        )
        .order_by(events.c.id)
    )
    return await _events(conn, (await conn.execute(query)).mappings().all())


# What an item's followers were told of it: its versions and its leaving (not its decisions).
_TOLD = (EventType.ITEM_NEW.value, EventType.ITEM_CHANGED.value, EventType.ITEM_REMOVED.value)


async def last_told(conn: AsyncConnection, document_id: int) -> dict[int, Event]:
    """The last item.new, item.changed or item.removed event of each item of the document,
    live or taken off, by item id: what was last told of it."""
    of_document = sa.select(items.c.id).where(items.c.document_id == document_id)
    last = (
        sa.select(sa.func.max(events.c.id))
        .where(events.c.item_id.in_(of_document), events.c.type.in_(_TOLD))
        .group_by(events.c.item_id)
    )
    query = sa.select(events).where(events.c.id.in_(last)).order_by(events.c.id)
    found = await _events(conn, (await conn.execute(query)).mappings().all())
    return {event.item_id: event for event in found if event.item_id is not None}


async def last_id(conn: AsyncConnection) -> int:
    value = await conn.scalar(sa.select(sa.func.max(events.c.id)))
    return int(value or 0)


async def _events(conn: AsyncConnection, rows: Sequence[sa.RowMapping]) -> list[Event]:
    """Events of these rows, item snapshots completed from their versions."""
    snapshots = [row["payload"] for row in rows if _is_item(row)]
    wanted = {version for data in snapshots for version in _referred(data)}
    texts: dict[int, dict[str, Any]] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), _PAGE):
        query = sa.select(
            item_versions.c.id, *(item_versions.c[name] for name in _BY_VERSION)
        ).where(item_versions.c.id.in_(ordered[start : start + _PAGE]))
        for found in (await conn.execute(query)).mappings().all():
            texts[found["id"]] = {name: found[name] for name in _BY_VERSION}
    return [_event(row, texts) for row in rows]


def _is_item(row: sa.RowMapping) -> bool:
    return payload_type(EventType(row["type"])) is ItemSnapshot


def _referred(data: dict[str, Any]) -> Iterable[int]:
    """Version ids whose text this snapshot (or its old one) leaves to item_versions."""
    if "text" not in data:
        yield int(data["version_id"])
    if data.get("old") is not None:
        yield from _referred(data["old"])


def _completed(data: dict[str, Any], texts: dict[int, dict[str, Any]]) -> dict[str, Any]:
    if "text" in data and data.get("old") is None:
        return data
    full = dict(data)
    if "text" not in data:
        version = int(data["version_id"])
        if version not in texts:
            raise LookupError(f"item version {version} of an event is missing")
        full.update(texts[version])
    if data.get("old") is not None:
        full["old"] = _completed(data["old"], texts)
    return full


def _event(row: sa.RowMapping, texts: dict[int, dict[str, Any]]) -> Event:
    kind = EventType(row["type"])
    data = row["payload"]
    if _is_item(row):
        data = _completed(data, texts)
    return Event(
        id=row["id"],
        type=kind,
        created_at=row["created_at"],
        source_id=row["source_id"],
        document_id=row["document_id"],
        item_id=row["item_id"],
        payload=from_json(payload_type(kind), data),
    )
