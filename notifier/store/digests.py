"""What digest planning reads (subscribers, item events, the send log) and how a planned batch
is stored: messages, send-log rows and cursors in one transaction, so a crash either stores a
batch of digests completely or not at all.

A subscriber whose digest failed for good has a replay point (see ``outbox``): planning reads
events from there for them, and storing their next digest clears it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Event, EventType, Frequency, Message, Subscriber, SubscriberState
from notifier.store import events as store_events
from notifier.store import outbox as store_outbox
from notifier.store import send_log as store_send_log
from notifier.store import subscribers as store_subscribers
from notifier.store.db import Database
from notifier.store.schema import subscribers
from notifier.store.send_log import ToldSets

PAGE = 250  # rows read at a time


@dataclass(frozen=True, kw_only=True)
class Due:
    """Subscribers of one frequency with events after their cursor, and those events."""

    people: list[Subscriber]
    events: list[Event]
    until: int  # the newest event id when read
    replay: dict[int, int] = field(default_factory=dict)  # subscriber id -> replay point


@dataclass(frozen=True, kw_only=True)
class Planned:
    """One composed digest and what it tells."""

    message: Message
    subscriber_id: int
    told: Sequence[tuple[int, str, str]]  # (item id, content hash, reason)
    cursor: int  # the subscriber's cursor once this is stored
    start: int  # the event this digest was planned after (a replay of it starts there)
    replayed: int | None = None  # the replay point this digest carried, cleared once stored


class Digests:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def due(self, frequency: Frequency, *, types: Sequence[EventType]) -> Due:
        async with self._db.read() as conn:
            until = await store_events.last_id(conn)
            # In pages, subscribers and events alike: turning thousands of rows into records in
            # one go would hold the event loop (and the web app) for as long.
            people: list[Subscriber] = []
            while True:
                found = await store_subscribers.select(
                    conn,
                    state=SubscriberState.ACTIVE,
                    frequency=frequency,
                    after_id=people[-1].id if people else 0,
                    limit=PAGE,
                )
                people += found
                if len(found) < PAGE:
                    break
            people = [person for person in people if person.event_cursor < until]
            if not people:
                return Due(people=[], events=[], until=until)
            replay = await _replay_points(conn, [person.id for person in people])
            after = min(
                min(person.event_cursor for person in people), min(replay.values(), default=until)
            )
            events: list[Event] = []
            while True:
                page = await store_events.since(
                    conn, after, types=types, until_id=until, limit=PAGE
                )
                events += page
                if len(page) < PAGE:
                    break
                after = page[-1].id
        return Due(people=people, events=events, until=until, replay=replay)

    async def told_sets(self, item_ids: Collection[int]) -> ToldSets:
        """The send log's lists that told any of these items (``send_log.told_sets``)."""
        async with self._db.read() as conn:
            return await store_send_log.told_sets(conn, item_ids)

    async def told(
        self, subscriber_ids: Collection[int], sets: ToldSets
    ) -> list[tuple[int, int, str, str]]:
        """(subscriber id, item id, content hash, reason) the send log holds for these
        subscribers in these lists."""
        if not sets:
            return []  # nothing logged about these items: no subscriber to look up
        async with self._db.read() as conn:
            return await store_send_log.told(conn, subscriber_ids, sets)

    async def record(
        self,
        planned: Sequence[Planned],
        *,
        subscriber_ids: Sequence[int],
        until: int,
        now: datetime,
    ) -> int:
        """Store a batch: the messages (a re-planned Message-ID is kept once), what they tell,
        and every batch subscriber's cursor (``until``, or short of held entries). Returns how
        many messages were new."""
        async with self._db.write() as conn:
            ids = await store_outbox.enqueue(
                conn,
                [p.message for p in planned],
                now=now,
                cursor_from={p.message.message_id: p.start for p in planned},
            )
            await store_send_log.record(
                conn,
                [
                    (p.subscriber_id, ids[p.message.message_id], p.told)
                    for p in planned
                    if p.message.message_id in ids
                ],
                now=now,
            )
            # Empty digests are not sent, but those subscribers' cursors move on too; a digest
            # with held entries moves its subscriber's cursor only up to them.
            short = {p.subscriber_id: p.cursor for p in planned if p.cursor < until}
            await store_subscribers.advance_cursors(
                conn, [sid for sid in subscriber_ids if sid not in short], until
            )
            await advance_each(conn, short)
            for p in planned:
                if p.replayed is not None and p.message.message_id in ids:
                    # A later failure may have set an earlier point meanwhile: keep that one.
                    # A replay that held entries back stops short of them, behind the cursor
                    # (which never moves back): the next digest replays from there.
                    await conn.execute(
                        subscribers.update()
                        .where(
                            subscribers.c.id == p.subscriber_id,
                            subscribers.c.replay_from >= p.replayed,
                        )
                        .values(
                            replay_from=sa.case(
                                (subscribers.c.event_cursor > p.cursor, p.cursor), else_=None
                            )
                        )
                    )
        return len(ids)


async def advance_each(conn: AsyncConnection, cursors: Mapping[int, int]) -> None:
    """Move each subscriber's cursor to its own event, never back: one executemany, as a
    batch's digests with held entries stop at as many different events."""
    if cursors:
        statement = (
            subscribers.update()
            .where(
                subscribers.c.id == sa.bindparam("who"),
                subscribers.c.event_cursor < sa.bindparam("to"),
            )
            .values(event_cursor=sa.bindparam("to"))
        )
        await conn.execute(statement, [{"who": who, "to": to} for who, to in cursors.items()])


async def _replay_points(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, int]:
    rows = await conn.execute(
        sa.select(subscribers.c.id, subscribers.c.replay_from).where(
            subscribers.c.id.in_(list(ids)), subscribers.c.replay_from.is_not(None)
        )
    )
    return {int(row.id): int(row.replay_from) for row in rows}
