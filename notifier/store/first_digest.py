"""A new subscriber's first digest, stored in the transaction that confirms them.

Confirming reads the newest item events, lets the caller plan and compose the digest from them
(``plan``: digest planning is not the store's business), and stores the message with its
send-log rows, as a digest run stores its batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Event, EventType, Subscriber
from notifier.store import events as store_events
from notifier.store import outbox as store_outbox
from notifier.store import send_log as store_send_log
from notifier.store.digests import Planned


@dataclass(frozen=True, kw_only=True)
class FirstDigest:
    """How confirming makes a new subscriber's first digest (the last month's items): the item
    events it is planned from are read in the confirming transaction, and what ``plan`` makes
    of them is stored in it, as a digest run stores its batch."""

    types: Sequence[EventType]
    limit: int  # newest events read
    plan: Callable[[Subscriber, list[Event]], Planned | None]

    async def store(self, conn: AsyncConnection, subscriber: Subscriber, *, now: datetime) -> None:
        events = await store_events.latest(conn, types=self.types, limit=self.limit)
        planned = self.plan(subscriber, events[::-1])
        if planned is not None:
            await _store_planned(conn, planned, now=now)


async def _store_planned(conn: AsyncConnection, planned: Planned, *, now: datetime) -> None:
    ids = await store_outbox.enqueue(conn, [planned.message], now=now)
    outbox_id = ids.get(planned.message.message_id)
    if outbox_id is None:
        return
    await store_send_log.record(conn, [(planned.subscriber_id, outbox_id, planned.told)], now=now)
