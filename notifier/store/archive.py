"""What the feeds, the calendars and the archive read."""

from __future__ import annotations

from collections.abc import Sequence

from notifier.models import Council, Event, EventType, StoredMeeting
from notifier.store import events as store_events
from notifier.store import meetings as store_meetings
from notifier.store.db import Database


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
