"""What the feeds, the calendars and the archive read."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from notifier.models import Council, Event, EventType, StoredMeeting
from notifier.store import events as store_events
from notifier.store import meetings as store_meetings
from notifier.store import outbox as store_outbox
from notifier.store.db import Database
from notifier.store.schema import items, outbox


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

    async def newest(self, *, types: Sequence[EventType], limit: int) -> tuple[list[Event], int]:
        """``latest`` and, read with it, the newest event id of any type (where to go on)."""
        async with self._db.read() as conn:
            last = await store_events.last_id(conn)
            found = await store_events.latest(conn, types=types, limit=limit)
            return [event for event in found if event.id <= last], last

    async def after(self, after_id: int, *, types: Sequence[EventType]) -> tuple[list[Event], int]:
        """Events of these types after ``after_id``, oldest first, and the newest event id of
        any type, read together: the next call starts there and skips the other types."""
        async with self._db.read() as conn:
            last = await store_events.last_id(conn)
            if last <= after_id:
                return [], after_id
            return await store_events.since(conn, after_id, types=types, until_id=last), last

    def appended_here(self, types: Sequence[EventType]) -> int:
        """How many events of these types this process has committed: a cache in this
        process learns of its own writes without a database round trip."""
        return sum(self._db.appended[kind.value] for kind in types)

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
            outbox_id = await conn.scalar(
                sa.select(outbox.c.id).where(outbox.c.message_id == message_id)
            )
            if outbox_id is None:
                return None
            return (await store_outbox.bodies(conn, [outbox_id])).get(outbox_id)
