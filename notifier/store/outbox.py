"""The outbox: complete messages stored before sending, claimed with a lease, marked once sent.

Claiming is one statement on both backends: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED)`` on PostgreSQL, where concurrent replicas skip each other's rows; SQLite drops the
locking clause and serialises writers, and the outer conditions make the claim conditional.
A claim holds until ``claimed_until``; a worker that dies leaves rows that become claimable again
when the lease runs out, or at once when the worker was a process on this host that is gone.

A digest that fails for good (its recipient's 5xx, or 4xx until ``smtp.max_attempts``) is not
lost: its send-log rows go and the subscriber's ``replay_from`` is set to the digest's start
(``cursor_from``), so their next digest is planned from there and carries its items.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import StoreError
from notifier.models import Message, OutboxMessage
from notifier.smtp_data import canonical
from notifier.store import outbox_parts
from notifier.store.db import Database, per_dialect
from notifier.store.leases import holder_is_dead
from notifier.store.schema import outbox, outbox_bodies, send_log, subscribers

log = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


async def enqueue(
    conn: AsyncConnection,
    messages: Sequence[Message],
    *,
    now: datetime,
    cursor_from: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Store messages to send in one statement; returns message_id -> row id of those that were
    new (a message whose Message-ID is already stored is a re-plan and is kept once, unless it
    is a digest that failed: planned again after its failure, it goes out again).
    ``cursor_from``: message_id -> the digest's start, for a replay should it fail."""
    if not messages:
        return {}
    cursor_from = cursor_from or {}
    unique: dict[str, Message] = {}
    for message in messages:  # one statement may not upsert a row twice (PostgreSQL)
        unique.setdefault(message.message_id, message)
    rows = [
        {
            "message_id": message.message_id,
            "kind": message.kind,
            "recipient": message.recipient,
            "subject": message.subject,
            "subscriber_id": message.subscriber_id,
            "next_attempt_at": now,
            "created_at": now,
            "cursor_from": cursor_from.get(message.message_id),
        }
        for message in unique.values()
    ]
    result = await conn.execute(_enqueue_statement(conn), rows)
    ids = {row.message_id: int(row.id) for row in result}
    kept = [message for message in unique.values() if message.message_id in ids]
    part_ids = await outbox_parts.store(conn, [run for m in kept for run in m.shared])
    bodies: list[dict[str, Any]] = []
    layouts: dict[int, list[int] | None] = {}
    for message in kept:
        body = message.body if message.canonical else canonical(message.body)
        layout = None
        if message.shared:
            body, layout = outbox_parts.split(body, message.shared, part_ids)
        outbox_id = ids[message.message_id]
        layouts[outbox_id] = layout
        text = None if layout is None else outbox_parts.as_text(layout)
        bodies.append({"outbox_id": outbox_id, "body": body, "layout": text})
    if bodies:
        await conn.execute(_bodies_statement(conn), bodies)
        await outbox_parts.link(conn, layouts)
    return ids


@per_dialect
def _enqueue_statement(dialect: ModuleType) -> Any:
    # Constants are written into the SQL, not bound: a bound value in the upsert's SET or
    # WHERE makes SQLAlchemy send the rows one INSERT at a time (a digest batch: 50 statements
    # instead of one).
    statement = dialect.insert(outbox)
    return statement.on_conflict_do_update(
        index_elements=["message_id"],
        set_={
            "subject": statement.excluded.subject,
            "state": _constant(PENDING),
            "attempts": sa.literal_column("0"),
            "next_attempt_at": statement.excluded.next_attempt_at,
            "claimed_by": sa.null(),
            "claimed_until": sa.null(),
            "last_error": sa.null(),
            "sent_at": sa.null(),
            "cursor_from": statement.excluded.cursor_from,
        },
        where=sa.and_(outbox.c.state == _constant(FAILED), outbox.c.kind == _constant("digest")),
    ).returning(outbox.c.id, outbox.c.message_id)


@per_dialect
def _bodies_statement(dialect: ModuleType) -> Any:
    # A failed digest planned again replaces its body (same Message-ID, new content).
    upsert = dialect.insert(outbox_bodies)
    return upsert.on_conflict_do_update(
        index_elements=["outbox_id"],
        set_={"body": upsert.excluded.body, "layout": upsert.excluded.layout},
    )


def _constant(word: str) -> sa.ColumnElement[str]:
    """One of this module's own words as an SQL string literal (never outside input)."""
    assert word.isidentifier()
    return sa.literal_column(f"'{word}'", sa.String)


async def bodies(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, bytes]:
    """outbox id -> its stored message."""
    rows = await conn.execute(
        sa.select(outbox_bodies.c.outbox_id, outbox_bodies.c.body, outbox_bodies.c.layout).where(
            outbox_bodies.c.outbox_id.in_(list(ids))
        )
    )
    return await outbox_parts.whole(conn, [(int(r.outbox_id), r.body, r.layout) for r in rows])


async def for_subscriber(conn: AsyncConnection, subscriber_id: int) -> list[dict[str, Any]]:
    """Every message stored for a subscriber (without bodies), for a data export."""
    query = (
        sa.select(
            outbox.c.message_id,
            outbox.c.kind,
            outbox.c.recipient,
            outbox.c.subject,
            outbox.c.state,
            outbox.c.attempts,
            outbox.c.last_error,
            outbox.c.created_at,
            outbox.c.sent_at,
        )
        .where(outbox.c.subscriber_id == subscriber_id)
        .order_by(outbox.c.id)
    )
    return [dict(row) for row in (await conn.execute(query)).mappings().all()]


async def depth(conn: AsyncConnection) -> int:
    value = await conn.scalar(
        sa.select(sa.func.count()).select_from(outbox).where(outbox.c.state == PENDING)
    )
    return int(value or 0)


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        outbox.c.state == PENDING,
        outbox.c.next_attempt_at <= now,
        sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
    )


def _mine(ids: Sequence[int], worker_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(outbox.c.id.in_(list(ids)), outbox.c.claimed_by == worker_id)


class Outbox:
    """Every method is one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, messages: Sequence[Message], *, now: datetime) -> dict[str, int]:
        async with self._db.write() as conn:
            return await enqueue(conn, messages, now=now)

    async def depth(self) -> int:
        """Messages still to be sent (due now or waiting for a retry)."""
        async with self._db.read() as conn:
            return await depth(conn)

    async def due(self, *, now: datetime) -> int:
        """Pending messages due by ``now``, including those another sender holds a lease on."""
        async with self._db.read() as conn:
            value = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.state == PENDING, outbox.c.next_attempt_at <= now)
            )
        return int(value or 0)

    async def claim(
        self, *, worker_id: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` due, unclaimed (or lease-expired) messages for this worker."""
        candidates = (
            sa.select(outbox.c.id)
            .where(_claimable(now))
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            outbox.update()
            .where(outbox.c.id.in_(candidates.scalar_subquery()), _claimable(now))
            .values(claimed_by=worker_id, claimed_until=lease_until)
            .returning(
                outbox.c.id,
                outbox.c.message_id,
                outbox.c.recipient,
                outbox.c.attempts,
                outbox.c.claimed_until,
            )
        )
        async with self._db.write() as conn:
            rows = (await conn.execute(statement)).mappings().all()
            found = await bodies(conn, [row["id"] for row in rows]) if rows else {}
        return sorted(
            (OutboxMessage(**row, body=found[row["id"]]) for row in rows),
            key=lambda message: message.id,
        )

    async def renew(self, message_id: int, *, worker_id: str, lease_until: datetime) -> bool:
        """Extend this worker's lease on a pending message; False if it no longer holds it
        (the lease ran out and another sender claimed it, or it is no longer pending)."""
        async with self._db.write() as conn:
            result = await conn.execute(
                outbox.update()
                .where(_mine([message_id], worker_id), outbox.c.state == PENDING)
                .values(claimed_until=lease_until)
            )
        return bool(result.rowcount)

    @contextlib.asynccontextmanager
    async def holding(
        self,
        message_id: int,
        worker_id: str,
        clock: Callable[[], datetime],
        *,
        lease: timedelta,
        first: timedelta,
    ) -> AsyncIterator[None]:
        """Renew the lease on one message while the block runs (a send can wait up to
        ``smtp.data_timeout`` for the server's reply, longer than a lease): after ``first``,
        then every third of ``lease``. A failed renewal is logged, not raised: the
        send under way must not be cut off mid-message."""

        async def beat() -> None:
            while True:
                try:
                    await self.renew(message_id, worker_id=worker_id, lease_until=clock() + lease)
                except StoreError as exc:
                    log.warning("could not renew a message's lease: %s", exc)
                await asyncio.sleep(lease.total_seconds() / 3)

        # Nearly every send ends long before ``first``: a timer, cheaper than a task made and
        # cancelled for each message, starts the beats.
        beating: list[asyncio.Task[None]] = []
        loop = asyncio.get_running_loop()
        timer = loop.call_later(
            first.total_seconds(), lambda: beating.append(loop.create_task(beat()))
        )
        try:
            yield
        finally:
            timer.cancel()
            for task in beating:
                task.cancel()
                await asyncio.wait({task})

    async def mark_sent(self, ids: Sequence[int], *, worker_id: str, now: datetime) -> None:
        await self._finish(
            ids, worker_id, state=SENT, sent_at=now, attempts=outbox.c.attempts + 1, last_error=None
        )

    async def mark_retry(
        self, message_id: int, *, worker_id: str, error: str, next_attempt_at: datetime
    ) -> None:
        await self._finish(
            [message_id],
            worker_id,
            attempts=outbox.c.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_error=error,
        )

    async def postpone(
        self, ids: Sequence[int], *, worker_id: str, error: str, next_attempt_at: datetime
    ) -> None:
        """The server, not these messages, failed (an outage): give them back with their
        attempts untouched, due again at ``next_attempt_at``."""
        await self._finish(ids, worker_id, next_attempt_at=next_attempt_at, last_error=error)

    async def mark_failed(self, message_id: int, *, worker_id: str, error: str) -> bool:
        """Fail the message for good. A digest's items go back to its subscriber: what it told
        leaves the send log and their next digest is planned from its start. Returns whether
        that happened."""
        async with self._db.write() as conn:
            row = (
                await conn.execute(
                    outbox.update()
                    .where(_mine([message_id], worker_id))
                    .values(
                        state=FAILED,
                        attempts=outbox.c.attempts + 1,
                        last_error=error,
                        claimed_by=None,
                        claimed_until=None,
                    )
                    .returning(outbox.c.kind, outbox.c.subscriber_id, outbox.c.cursor_from)
                )
            ).first()
            if row is None or row.kind != "digest" or row.subscriber_id is None:
                return False
            if row.cursor_from is None:
                return False
            await conn.execute(send_log.delete().where(send_log.c.outbox_id == message_id))
            start = row.cursor_from
            replay = subscribers.c.replay_from
            await conn.execute(
                subscribers.update()
                .where(subscribers.c.id == row.subscriber_id)
                .values(
                    replay_from=sa.case(
                        (replay.is_(None), start), (replay > start, start), else_=replay
                    )
                )
            )
        return True

    async def free_dead_claims(self, *, worker_id: str, now: datetime) -> int:
        """Give back the claims of senders that died on this host (a restart after a crash):
        their messages need not wait for the claims to run out. Returns how many."""
        async with self._db.read() as conn:
            holders = await conn.scalars(
                sa.select(outbox.c.claimed_by)
                .distinct()
                .where(
                    outbox.c.state == PENDING,
                    outbox.c.claimed_by.is_not(None),
                    outbox.c.claimed_by != worker_id,
                    outbox.c.claimed_until >= now,
                )
            )
            dead = [holder for holder in holders if holder and holder_is_dead(holder)]
        if not dead:
            return 0
        async with self._db.write() as conn:
            result = await conn.execute(
                outbox.update()
                .where(outbox.c.claimed_by.in_(dead), outbox.c.state == PENDING)
                .values(claimed_by=None, claimed_until=None)
            )
        return int(result.rowcount)

    async def release(self, ids: Sequence[int], *, worker_id: str) -> None:
        """Give back claims not used (on shutdown), so another worker need not wait for the
        lease."""
        async with self._db.write() as conn:
            await conn.execute(
                outbox.update()
                .where(_mine(ids, worker_id), outbox.c.state == PENDING)
                .values(claimed_by=None, claimed_until=None)
            )

    async def _finish(self, ids: Sequence[int], worker_id: str, **values: Any) -> None:
        async with self._db.write() as conn:
            await conn.execute(
                outbox.update()
                .where(_mine(ids, worker_id))
                .values(claimed_by=None, claimed_until=None, **values)
            )
