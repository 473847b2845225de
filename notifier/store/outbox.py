"""The outbox: complete messages stored before sending, claimed with a lease, marked once sent.

Claiming is one statement on both backends: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED)`` on PostgreSQL, where concurrent replicas skip each other's rows; SQLite drops the
locking clause and serialises writers, and the outer conditions make the claim conditional.
A claim holds until ``claimed_until``; a worker that dies leaves rows that become claimable again
when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store.db import insert
from notifier.store.schema import outbox

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    id: int
    message_id: str
    recipient: str
    body: bytes
    attempts: int
    claimed_until: datetime  # the lease this worker holds it under


async def enqueue(
    conn: AsyncConnection,
    *,
    message_id: str,
    kind: str,
    recipient: str,
    subject: str,
    body: bytes,
    subscriber_id: int | None,
    now: datetime,
) -> int | None:
    """Store a message to send; None when ``message_id`` is already stored (a re-plan)."""
    message = {
        "message_id": message_id,
        "kind": kind,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "subscriber_id": subscriber_id,
    }
    return (await enqueue_many(conn, [message], now=now)).get(message_id)


async def enqueue_many(
    conn: AsyncConnection, messages: Sequence[Mapping[str, Any]], *, now: datetime
) -> dict[str, int]:
    """``enqueue`` for many messages in one statement; returns message_id -> id of those new.

    Each mapping holds the keyword arguments of ``enqueue`` except ``now``.
    """
    if not messages:
        return {}
    statement = (
        insert(conn, outbox)
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(outbox.c.id, outbox.c.message_id)
    )
    rows = [{**message, "next_attempt_at": now, "created_at": now} for message in messages]
    result = await conn.execute(statement, rows)
    return {row.message_id: int(row.id) for row in result}


async def depth(conn: AsyncConnection) -> int:
    """Messages still to be sent (due now or waiting for a retry)."""
    value = await conn.scalar(
        sa.select(sa.func.count()).select_from(outbox).where(outbox.c.state == PENDING)
    )
    return int(value or 0)


async def claim(
    conn: AsyncConnection, *, worker_id: str, now: datetime, lease_until: datetime, limit: int
) -> list[OutboxMessage]:
    """Take up to ``limit`` due, unclaimed (or lease-expired) messages for this worker."""
    claimable = sa.and_(
        outbox.c.state == PENDING,
        outbox.c.next_attempt_at <= now,
        sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
    )
    candidates = (
        sa.select(outbox.c.id)
        .where(claimable)
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        outbox.update()
        .where(outbox.c.id.in_(candidates.scalar_subquery()), claimable)
        .values(claimed_by=worker_id, claimed_until=lease_until)
        .returning(
            outbox.c.id,
            outbox.c.message_id,
            outbox.c.recipient,
            outbox.c.body,
            outbox.c.attempts,
            outbox.c.claimed_until,
        )
    )
    rows = (await conn.execute(statement)).mappings().all()
    return sorted((OutboxMessage(**row) for row in rows), key=lambda message: message.id)


async def renew(
    conn: AsyncConnection, message_id: int, *, worker_id: str, lease_until: datetime
) -> bool:
    """Extend this worker's lease on a pending message; False if it no longer holds it
    (the lease ran out and another sender claimed it, or it is no longer pending)."""
    result = await conn.execute(
        outbox.update()
        .where(
            outbox.c.id == message_id,
            outbox.c.claimed_by == worker_id,
            outbox.c.state == PENDING,
        )
        .values(claimed_until=lease_until)
    )
    return bool(result.rowcount)


async def mark_sent(
    conn: AsyncConnection, ids: Sequence[int], *, worker_id: str, now: datetime
) -> None:
    await conn.execute(
        outbox.update()
        .where(outbox.c.id.in_(ids), outbox.c.claimed_by == worker_id)
        .values(
            state=SENT,
            sent_at=now,
            attempts=outbox.c.attempts + 1,
            claimed_by=None,
            claimed_until=None,
            last_error=None,
        )
    )


async def mark_retry(
    conn: AsyncConnection,
    message_id: int,
    *,
    worker_id: str,
    error: str,
    next_attempt_at: datetime,
) -> None:
    await conn.execute(
        outbox.update()
        .where(outbox.c.id == message_id, outbox.c.claimed_by == worker_id)
        .values(
            attempts=outbox.c.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_error=error,
            claimed_by=None,
            claimed_until=None,
        )
    )


async def mark_failed(
    conn: AsyncConnection, message_id: int, *, worker_id: str, error: str
) -> None:
    await conn.execute(
        outbox.update()
        .where(outbox.c.id == message_id, outbox.c.claimed_by == worker_id)
        .values(
            state=FAILED,
            attempts=outbox.c.attempts + 1,
            last_error=error,
            claimed_by=None,
            claimed_until=None,
        )
    )


async def release(conn: AsyncConnection, ids: Sequence[int], *, worker_id: str) -> None:
    """Give back claims not used (on shutdown), so another worker need not wait for the lease."""
    await conn.execute(
        outbox.update()
        .where(outbox.c.id.in_(ids), outbox.c.claimed_by == worker_id, outbox.c.state == PENDING)
        .values(claimed_by=None, claimed_until=None)
    )


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


async def due(conn: AsyncConnection, *, now: datetime) -> int:
    """Pending messages due by ``now``, including those another sender holds a lease on."""
    value = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(outbox.c.state == PENDING, outbox.c.next_attempt_at <= now)
    )
    return int(value or 0)
