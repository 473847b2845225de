"""Subscriber rows: who gets which digests, and the cursor of what they have been told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import SubscriberError
from notifier.models import ALL, Frequency, SubscriberState
from notifier.store import events as store_events
from notifier.store.schema import outbox, send_log, subscribers


@dataclass(frozen=True, kw_only=True)
class Subscriber:
    id: int
    email: str
    name: str
    topics: tuple[str, ...]  # topic ids, or ("all",)
    councils: tuple[str, ...]  # council ids, or ("all",)
    frequency: Frequency
    state: SubscriberState
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    event_cursor: int
    token_generation: int

    def wants_council(self, council: str) -> bool:
        return ALL in self.councils or council in self.councils


async def add(
    conn: AsyncConnection,
    *,
    email: str,
    name: str,
    topics: Sequence[str],
    councils: Sequence[str],
    frequency: Frequency,
    state: SubscriberState,
    now: datetime,
) -> Subscriber:
    """Store a new subscriber; they start at the newest event, not the whole history.

    ``email`` must already be normalised (``notifier.subscribers.normalize_email``).
    """
    if await by_email(conn, email) is not None:
        raise SubscriberError(f"{email} is already subscribed")
    try:
        # A savepoint, so a racing duplicate leaves the caller's transaction usable.
        async with conn.begin_nested():
            result = await conn.execute(
                subscribers.insert()
                .returning(subscribers.c.id)
                .values(
                    email=email,
                    name=name,
                    topics=list(topics),
                    councils=list(councils),
                    frequency=frequency.value,
                    state=state.value,
                    created_at=now,
                    updated_at=now,
                    confirmed_at=now if state is SubscriberState.ACTIVE else None,
                    event_cursor=await store_events.last_id(conn),
                )
            )
    except sa.exc.IntegrityError:
        raise SubscriberError(f"{email} is already subscribed") from None
    subscriber = await get(conn, int(result.scalar_one()))
    assert subscriber is not None
    return subscriber


async def get(conn: AsyncConnection, subscriber_id: int) -> Subscriber | None:
    row = (
        (await conn.execute(sa.select(subscribers).where(subscribers.c.id == subscriber_id)))
        .mappings()
        .first()
    )
    return _subscriber(row) if row else None


async def by_email(conn: AsyncConnection, email: str) -> Subscriber | None:
    row = (
        (await conn.execute(sa.select(subscribers).where(subscribers.c.email == email)))
        .mappings()
        .first()
    )
    return _subscriber(row) if row else None


async def all_subscribers(
    conn: AsyncConnection,
    *,
    state: SubscriberState | None = None,
    frequency: Frequency | None = None,
) -> list[Subscriber]:
    query = sa.select(subscribers).order_by(subscribers.c.id)
    if state is not None:
        query = query.where(subscribers.c.state == state.value)
    if frequency is not None:
        query = query.where(subscribers.c.frequency == frequency.value)
    return [_subscriber(row) for row in (await conn.execute(query)).mappings().all()]


async def update(
    conn: AsyncConnection,
    subscriber_id: int,
    *,
    now: datetime,
    name: str | None = None,
    topics: Sequence[str] | None = None,
    councils: Sequence[str] | None = None,
    frequency: Frequency | None = None,
    state: SubscriberState | None = None,
) -> Subscriber:
    """Change the given fields; confirming or unsubscribing stamps the time it happened."""
    current = await get(conn, subscriber_id)
    if current is None:
        raise SubscriberError(f"no subscriber with id {subscriber_id}")
    values: dict[str, Any] = {"updated_at": now}
    if name is not None:
        values["name"] = name
    if topics is not None:
        values["topics"] = list(topics)
    if councils is not None:
        values["councils"] = list(councils)
    if frequency is not None:
        values["frequency"] = frequency.value
    if state is not None and state is not current.state:
        values["state"] = state.value
        if state is SubscriberState.ACTIVE:
            values["confirmed_at"] = current.confirmed_at or now
            values["unsubscribed_at"] = None
            if current.state is SubscriberState.UNSUBSCRIBED:
                # Coming back does not replay what happened while they were away.
                values["event_cursor"] = await store_events.last_id(conn)
        elif state is SubscriberState.UNSUBSCRIBED:
            values["unsubscribed_at"] = now
    await conn.execute(
        subscribers.update().where(subscribers.c.id == subscriber_id).values(**values)
    )
    updated = await get(conn, subscriber_id)
    assert updated is not None
    return updated


async def set_cursor(conn: AsyncConnection, subscriber_id: int, event_id: int) -> None:
    """Advance the cursor; never moves it back (a late, slower planner must not rewind it)."""
    await conn.execute(
        subscribers.update()
        .where(subscribers.c.id == subscriber_id, subscribers.c.event_cursor < event_id)
        .values(event_cursor=event_id)
    )


async def advance_cursors(
    conn: AsyncConnection, subscriber_ids: Sequence[int], event_id: int
) -> None:
    """``set_cursor`` for many subscribers at once."""
    if subscriber_ids:
        await conn.execute(
            subscribers.update()
            .where(subscribers.c.id.in_(subscriber_ids), subscribers.c.event_cursor < event_id)
            .values(event_cursor=event_id)
        )


async def stored_row(conn: AsyncConnection, subscriber_id: int) -> dict[str, Any]:
    """The whole stored row, every column, for a data export."""
    query = sa.select(subscribers).where(subscribers.c.id == subscriber_id)
    return dict((await conn.execute(query)).mappings().one())


async def revoke_links(conn: AsyncConnection, subscriber_id: int) -> None:
    """Invalidate every signed link sent to the subscriber so far."""
    await conn.execute(
        subscribers.update()
        .where(subscribers.c.id == subscriber_id)
        .values(token_generation=subscribers.c.token_generation + 1)
    )


async def purge(conn: AsyncConnection, subscriber_id: int) -> None:
    """Delete the subscriber and everything stored about them (GDPR erasure)."""
    await conn.execute(send_log.delete().where(send_log.c.subscriber_id == subscriber_id))
    await conn.execute(outbox.delete().where(outbox.c.subscriber_id == subscriber_id))
    await conn.execute(subscribers.delete().where(subscribers.c.id == subscriber_id))


def _subscriber(row: sa.RowMapping) -> Subscriber:
    return Subscriber(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        topics=tuple(row["topics"]),
        councils=tuple(row["councils"]),
        frequency=Frequency(row["frequency"]),
        state=SubscriberState(row["state"]),
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        unsubscribed_at=row["unsubscribed_at"],
        event_cursor=row["event_cursor"],
        token_generation=row["token_generation"],
    )
