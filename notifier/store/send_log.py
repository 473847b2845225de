"""The send log: which item versions went (or are planned to go) to which subscriber, and why
(conn-level helpers for the store's use cases)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store.db import insert
from notifier.store.schema import send_log


async def told(
    conn: AsyncConnection, subscriber_ids: Collection[int], item_ids: Collection[int]
) -> list[tuple[int, int, str, str]]:
    """(subscriber id, item id, content hash, reason) logged for these subscribers and items."""
    if not subscriber_ids or not item_ids:
        return []
    query = sa.select(
        send_log.c.subscriber_id, send_log.c.item_id, send_log.c.content_hash, send_log.c.reason
    ).where(
        send_log.c.subscriber_id.in_(list(subscriber_ids)),
        send_log.c.item_id.in_(list(item_ids)),
    )
    return [(row[0], row[1], row[2], row[3]) for row in (await conn.execute(query)).all()]


async def record(conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Log the rows; a version already logged for a subscriber with that reason is kept once."""
    if rows:
        await conn.execute(insert(conn, send_log).on_conflict_do_nothing(), list(rows))


async def for_subscriber(conn: AsyncConnection, subscriber_id: int) -> list[dict[str, Any]]:
    """Everything logged for a subscriber, oldest first, for a data export."""
    query = (
        sa.select(
            send_log.c.item_id, send_log.c.content_hash, send_log.c.reason, send_log.c.created_at
        )
        .where(send_log.c.subscriber_id == subscriber_id)
        .order_by(send_log.c.id)
    )
    return [dict(row) for row in (await conn.execute(query)).mappings().all()]
