"""The scheduled runs done: for each schedule (the daily and weekly digests), the newest
occurrence a run covered, so a process that starts after a missed occurrence runs it once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from notifier.models import CLOCK_SKEW
from notifier.store.db import Database, insert
from notifier.store.schema import schedule_runs


class Schedules:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def last(self, name: str) -> datetime | None:
        """The newest occurrence of ``name`` a run covered; None when none was recorded."""
        async with self._db.read() as conn:
            value = await conn.scalar(
                sa.select(schedule_runs.c.due_at).where(schedule_runs.c.name == name)
            )
        return value

    async def done(self, name: str, *, due_at: datetime, now: datetime) -> None:
        """Record that the occurrence ``due_at`` ran; never moves back to an older one (but from
        one recorded ahead of the clock)."""
        async with self._db.write() as conn:
            statement = insert(conn, schedule_runs).values(name=name, due_at=due_at, done_at=now)
            statement = statement.on_conflict_do_update(
                index_elements=["name"],
                set_={"due_at": statement.excluded.due_at, "done_at": statement.excluded.done_at},
                # A run recorded ahead of the clock (see CLOCK_SKEW) gives way to a real one.
                where=(schedule_runs.c.due_at < statement.excluded.due_at)
                | (schedule_runs.c.due_at > now + CLOCK_SKEW),
            )
            await conn.execute(statement)
