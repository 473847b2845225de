"""Subscriber rows: who gets which digests, and the cursor of what they have been told.

``Subscribers`` is the facade the subscription lifecycle (``notifier.subscriptions``) uses; every
method is one transaction, and a change that sends mail (a signup's confirmation) stores the
message in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import SubscriberError
from notifier.models import Frequency, Message, Subscriber, SubscriberState
from notifier.store import events as store_events
from notifier.store import outbox as store_outbox
from notifier.store import outbox_parts
from notifier.store import send_log as store_send_log
from notifier.store.db import Database
from notifier.store.schema import outbox, send_log, subscribers

if TYPE_CHECKING:  # imported there: it needs store.digests, which needs this module
    from notifier.store.first_digest import FirstDigest

Compose = Callable[[Subscriber], Message]
_TIMES = ("created_at", "confirmed_at", "unsubscribed_at")
# What a subscriber chose; ``change`` and an import's ``put`` take any of them.
CHOICES = ("name", "topics", "councils", "frequency", "keywords", "excluded", "paused_until")


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
        keywords=tuple(row["keywords"] or ()),
        excluded=tuple(row["excluded"] or ()),
        paused_until=row["paused_until"],
        first_digest=row["first_digest"],
    )


async def get(conn: AsyncConnection, subscriber_id: int) -> Subscriber | None:
    query = sa.select(subscribers).where(subscribers.c.id == subscriber_id)
    row = (await conn.execute(query)).mappings().first()
    return _subscriber(row) if row else None


async def by_email(conn: AsyncConnection, email: str) -> Subscriber | None:
    query = sa.select(subscribers).where(subscribers.c.email == email)
    row = (await conn.execute(query)).mappings().first()
    return _subscriber(row) if row else None


async def select(
    conn: AsyncConnection,
    *,
    state: SubscriberState | None = None,
    frequency: Frequency | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> list[Subscriber]:
    """Subscribers by id; ``after_id`` and ``limit`` read them a page at a time."""
    query = sa.select(subscribers).where(subscribers.c.id > after_id).order_by(subscribers.c.id)
    if limit is not None:
        query = query.limit(limit)
    if state is not None:
        query = query.where(subscribers.c.state == state.value)
    if frequency is not None:
        query = query.where(subscribers.c.frequency == frequency.value)
    return [_subscriber(row) for row in (await conn.execute(query)).mappings().all()]


async def insert(
    conn: AsyncConnection,
    *,
    email: str,
    name: str,
    topics: Sequence[str],
    councils: Sequence[str],
    frequency: Frequency,
    state: SubscriberState,
    now: datetime,
    keywords: Sequence[str] = (),
    excluded: Sequence[str] = (),
    paused_until: date | None = None,
    first_digest: bool = False,
) -> Subscriber:
    """Store a new subscriber; they start at the newest event, not the whole history.

    ``email`` must already be normalised (``notifier.subscriptions.normalize_email``).
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
                    keywords=list(keywords),
                    excluded=list(excluded),
                    paused_until=paused_until,
                    first_digest=first_digest,
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


async def change(
    conn: AsyncConnection,
    subscriber_id: int,
    *,
    now: datetime,
    name: str | None = None,
    topics: Sequence[str] | None = None,
    councils: Sequence[str] | None = None,
    frequency: Frequency | None = None,
    state: SubscriberState | None = None,
    keywords: Sequence[str] | None = None,
    excluded: Sequence[str] | None = None,
    paused_until: date | None = None,
    resume: bool = False,
    first_digest: bool | None = None,
) -> Subscriber:
    """Change the given fields (None: leave as is; ``resume`` ends a pause); confirming or
    unsubscribing stamps the time it happened."""
    current = await get(conn, subscriber_id)
    if current is None:
        raise SubscriberError(f"no subscriber with id {subscriber_id}")
    values: dict[str, Any] = {"updated_at": now}
    if name is not None:
        values["name"] = name
    for key, chosen in (
        ("topics", topics),
        ("councils", councils),
        ("keywords", keywords),
        ("excluded", excluded),
    ):
        if chosen is not None:
            values[key] = list(chosen)
    if frequency is not None:
        values["frequency"] = frequency.value
    if paused_until is not None or resume:
        values["paused_until"] = paused_until
    if first_digest is not None:
        values["first_digest"] = first_digest
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


async def advance_cursors(
    conn: AsyncConnection, subscriber_ids: Sequence[int], event_id: int
) -> None:
    """Move the cursors on; never back (a late, slower planner must not rewind them)."""
    if subscriber_ids:
        await conn.execute(
            subscribers.update()
            .where(subscribers.c.id.in_(subscriber_ids), subscribers.c.event_cursor < event_id)
            .values(event_cursor=event_id)
        )


async def revoke_links(conn: AsyncConnection, subscriber_id: int) -> None:
    """Invalidate every signed link sent to the subscriber so far."""
    await conn.execute(
        subscribers.update()
        .where(subscribers.c.id == subscriber_id)
        .values(token_generation=subscribers.c.token_generation + 1)
    )


class Subscribers:
    """Subscribers and their changes; every method is one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, subscriber_id: int) -> Subscriber | None:
        async with self._db.read() as conn:
            return await get(conn, subscriber_id)

    async def by_email(self, email: str) -> Subscriber | None:
        async with self._db.read() as conn:
            return await by_email(conn, email)

    async def all(
        self, *, state: SubscriberState | None = None, frequency: Frequency | None = None
    ) -> list[Subscriber]:
        async with self._db.read() as conn:
            return await select(conn, state=state, frequency=frequency)

    async def add(
        self, *, email: str, state: SubscriberState, now: datetime, **choices: Any
    ) -> Subscriber:
        """A new subscriber with these choices (see ``CHOICES``)."""
        async with self._db.write() as conn:
            return await insert(conn, email=email, state=state, now=now, **choices)

    async def put(
        self,
        *,
        email: str,
        state: SubscriberState,
        now: datetime,
        update: bool,
        times: Mapping[str, datetime] = {},
        first_digest: bool = False,
        **choices: Any,
    ) -> str:
        """An imported row: add the subscriber, or with ``update`` change an existing one to
        match; ``times`` restores created_at, confirmed_at and unsubscribed_at from an export.
        Returns "added", "updated" or "unchanged"."""
        async with self._db.write() as conn:
            current = await by_email(conn, email)
            if current is None:
                subscriber = await insert(
                    conn, email=email, state=state, now=now, first_digest=first_digest, **choices
                )
                outcome = "added"
            elif not update:
                raise SubscriberError(f"{email} is already subscribed (--update changes it)")
            else:
                subscriber = await change(
                    conn,
                    current.id,
                    now=now,
                    state=state,
                    resume=choices.get("paused_until") is None,
                    first_digest=first_digest,
                    **choices,
                )
                same = _chosen(subscriber) == _chosen(current)
                outcome = "unchanged" if same and not times else "updated"
            if times:
                await conn.execute(
                    subscribers.update()
                    .where(subscribers.c.id == subscriber.id)
                    .values(**{key: times[key] for key in _TIMES if key in times})
                )
            return outcome

    async def change(
        self, subscriber_id: int, *, now: datetime, revoke: bool = False, **fields: Any
    ) -> Subscriber:
        """Change fields (``CHOICES``, state, ``resume``); ``revoke`` also invalidates every
        link sent before."""
        async with self._db.write() as conn:
            if revoke:
                await revoke_links(conn, subscriber_id)
            return await change(conn, subscriber_id, now=now, **fields)

    async def signup(
        self,
        *,
        email: str,
        now: datetime,
        compose: Compose,
        first_digest: bool = False,
        **choices: Any,
    ) -> Subscriber:
        """A web signup: a new address becomes pending; a pending or unsubscribed one takes
        the new choices and becomes pending again (an unsubscribed one's old links revoked); an
        active one is left as it is. Whichever it was, ``compose(subscriber)`` makes the mail
        to send (a confirmation, or "you are already subscribed"), stored in the same
        transaction."""
        async with self._db.write() as conn:
            subscriber = await by_email(conn, email)
            if subscriber is None:
                try:
                    subscriber = await insert(
                        conn,
                        email=email,
                        state=SubscriberState.PENDING,
                        now=now,
                        first_digest=first_digest,
                        **choices,
                    )
                except SubscriberError:  # signed up by a concurrent request a moment ago
                    subscriber = await by_email(conn, email)
                    assert subscriber is not None
            elif subscriber.state is not SubscriberState.ACTIVE:
                if subscriber.state is SubscriberState.UNSUBSCRIBED:
                    await revoke_links(conn, subscriber.id)
                subscriber = await change(
                    conn,
                    subscriber.id,
                    now=now,
                    state=SubscriberState.PENDING,
                    first_digest=first_digest,
                    resume=True,
                    **choices,
                )
            await store_outbox.enqueue(conn, [compose(subscriber)], now=now)
            return subscriber

    async def mail_link(
        self, email: str, *, now: datetime, compose: Callable[[Subscriber], Message]
    ) -> bool:
        """Store ``compose(subscriber)`` for a subscriber who is not unsubscribed (a fresh link
        for one whose link expired); False, and nothing stored, for any other address."""
        async with self._db.write() as conn:
            subscriber = await by_email(conn, email)
            if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
                return False
            await store_outbox.enqueue(conn, [compose(subscriber)], now=now)
            return True

    async def confirm(
        self, subscriber_id: int, *, now: datetime, first: FirstDigest | None = None
    ) -> Subscriber:
        """Pending -> active; mail starts with what happens from now on, not what happened
        while pending, except a first digest of the last month when they asked for one
        (``first``), stored in the same transaction."""
        async with self._db.write() as conn:
            await change(conn, subscriber_id, now=now, state=SubscriberState.ACTIVE)
            await advance_cursors(conn, [subscriber_id], await store_events.last_id(conn))
            refreshed = await get(conn, subscriber_id)
            assert refreshed is not None
            if refreshed.first_digest:
                if first is not None:
                    await first.store(conn, refreshed, now=now)
                refreshed = await change(conn, subscriber_id, now=now, first_digest=False)
            return refreshed

    async def purge(self, subscriber_id: int) -> None:
        """Delete the subscriber and everything stored about them (GDPR erasure)."""
        async with self._db.write() as conn:
            await conn.execute(send_log.delete().where(send_log.c.subscriber_id == subscriber_id))
            theirs = sa.select(outbox.c.id).where(outbox.c.subscriber_id == subscriber_id)
            await outbox_parts.erase(conn, theirs)
            await conn.execute(subscribers.delete().where(subscribers.c.id == subscriber_id))

    async def export(self, subscriber_id: int) -> dict[str, Any]:
        """Everything stored about one subscriber: the whole row, the send log and the
        messages (without bodies), for an access request."""
        async with self._db.read() as conn:
            query = sa.select(subscribers).where(subscribers.c.id == subscriber_id)
            return {
                "subscriber": dict((await conn.execute(query)).mappings().one()),
                "send_log": await store_send_log.for_subscriber(conn, subscriber_id),
                "messages": await store_outbox.for_subscriber(conn, subscriber_id),
            }


def _chosen(subscriber: Subscriber) -> tuple[Any, ...]:
    return (*(getattr(subscriber, key) for key in CHOICES), subscriber.state)
