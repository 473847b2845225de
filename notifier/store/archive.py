"""What the feeds, the calendars and the archive read."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from notifier.models import Council, Event, EventType, StoredMeeting
from notifier.store import events as store_events
from notifier.store import meetings as store_meetings
from notifier.store.db import Database
from notifier.store.schema import items, outbox, outbox_bodies


class Archive:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def latest(self, *, types: Sequence[EventType], limit: int) -> list[Event]:
        """The newest events of these types, newest first."""
        async with self._db.read() as conn:
            return await store_events.latest(conn, types=types, limit=limit)

    async def since(
        self, after_id: int, *, types: Sequence[EventType] | None = None, limit: int | None = None
    ) -> list[Event]:
        """Events after ``after_id``, oldest first."""
        async with self._db.read() as conn:
            return await store_events.since(conn, after_id, types=types, limit=limit)

    async def last_event_id(self) -> int:
        async with self._db.read() as conn:
            return await store_events.last_id(conn)

    async def meetings(self, council: Council | None = None) -> list[StoredMeeting]:
        async with self._db.read() as conn:
            return await store_meetings.all_meetings(conn, council)

    async def point(self, item_id: int, *, types: Sequence[EventType]) -> list[Event]:
        """The events (of these types, oldest first) that make up one point's archive entry:
        its own and those of the minutes points that decide it."""
        async with self._db.read() as conn:
            deciding = sa.select(items.c.id).where(items.c.decides_item_id == item_id)
            ids = {item_id, *(await conn.scalars(deciding)).all()}
            return await store_events.for_items(conn, ids, types=types)

    async def message(self, message_id: str) -> bytes | None:
        """A stored message (the complete RFC 5322 bytes) by its Message-ID, for viewing a
        digest in the browser; None when there is none (or it was erased with its
        subscriber)."""
        async with self._db.read() as conn:
            body = await conn.scalar(
                sa.select(outbox_bodies.c.body)
                .join(outbox, outbox.c.id == outbox_bodies.c.outbox_id)
                .where(outbox.c.message_id == message_id)
            )
            return bytes(body) if body is not None else None
