"""The append-only events table that later stages consume by id (conn-level helpers)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Event, EventType, ItemSnapshot, Payload
from notifier.models.events import payload_type
from notifier.models.serialize import from_json, to_json
from notifier.store.db import APPENDED
from notifier.store.schema import events


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
    result = await conn.execute(events.insert().returning(events.c.id).values(**values))
    conn.info.setdefault(APPENDED, []).append(type.value)
    return int(result.scalar_one())


async def append_many(conn: AsyncConnection, rows: Sequence[dict[str, object]]) -> None:
    """Append events made by ``row``, in order, in one statement."""
    if rows:
        await conn.execute(events.insert(), list(rows))
        conn.info.setdefault(APPENDED, []).extend(str(row["type"]) for row in rows)


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
    return {
        "type": type.value,
        "created_at": now,
        "source_id": source_id,
        "document_id": document_id,
        "item_id": item_id,
        "item_version_id": version_id,
        "payload": to_json(payload),
    }


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
    rows = (await conn.execute(query)).mappings().all()
    return [_event(row) for row in rows]


async def latest(conn: AsyncConnection, *, types: Sequence[EventType], limit: int) -> list[Event]:
    """The newest events of the given types, newest first."""
    query = (
        sa.select(events)
        .where(events.c.type.in_([t.value for t in types]))
        .order_by(events.c.id.desc())
        .limit(limit)
    )
    return [_event(row) for row in (await conn.execute(query)).mappings().all()]


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
    return [_event(row) for row in (await conn.execute(query)).mappings().all()]


async def last_id(conn: AsyncConnection) -> int:
    value = await conn.scalar(sa.select(sa.func.max(events.c.id)))
    return int(value or 0)


def _event(row: sa.RowMapping) -> Event:
    kind = EventType(row["type"])
    return Event(
        id=row["id"],
        type=kind,
        created_at=row["created_at"],
        source_id=row["source_id"],
        document_id=row["document_id"],
        item_id=row["item_id"],
        payload=from_json(payload_type(kind), row["payload"]),
    )
