"""The append-only events table that later stages consume by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import EventType, ItemSnapshot
from notifier.store.schema import events

ITEM_EVENTS = (
    EventType.ITEM_NEW,
    EventType.ITEM_CHANGED,
    EventType.ITEM_REMOVED,
    EventType.ITEM_DECIDED,
    EventType.ITEM_RECLASSIFIED,
)


@dataclass(frozen=True, kw_only=True)
class Event:
    id: int
    type: EventType
    created_at: datetime
    source_id: str | None
    document_id: int | None
    item_id: int | None
    payload: dict[str, Any]

    @property
    def snapshot(self) -> ItemSnapshot:
        """The item version an ``item.*`` event carries."""
        return ItemSnapshot.from_json(self.payload)


async def append(
    conn: AsyncConnection,
    type: EventType,
    *,
    now: datetime,
    payload: dict[str, Any],
    source_id: str | None = None,
    document_id: int | None = None,
    item_id: int | None = None,
    item_version_id: int | None = None,
) -> int:
    result = await conn.execute(
        events.insert()
        .returning(events.c.id)
        .values(
            type=type.value,
            created_at=now,
            source_id=source_id,
            document_id=document_id,
            item_id=item_id,
            item_version_id=item_version_id,
            payload=payload,
        )
    )
    return int(result.scalar_one())


async def append_item(
    conn: AsyncConnection,
    type: EventType,
    snapshot: ItemSnapshot,
    *,
    now: datetime,
    source_id: str | None,
) -> int:
    return await append(
        conn,
        type,
        now=now,
        payload=snapshot.to_json(),
        source_id=source_id,
        document_id=snapshot.document_id,
        item_id=snapshot.item_id,
        item_version_id=snapshot.version_id,
    )


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


async def last_id(conn: AsyncConnection) -> int:
    value = await conn.scalar(sa.select(sa.func.max(events.c.id)))
    return int(value or 0)


def _event(row: sa.RowMapping) -> Event:
    return Event(
        id=row["id"],
        type=EventType(row["type"]),
        created_at=row["created_at"],
        source_id=row["source_id"],
        document_id=row["document_id"],
        item_id=row["item_id"],
        payload=row["payload"],
    )
