"""The send log: which item versions went (or are planned to go) to which subscriber, and why
(conn-level helpers for the store's use cases), and ``SendLog``, the console's view of it:
which messages went to whom and what each told."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store import outbox as store_outbox
from notifier.store.db import Database, insert
from notifier.store.schema import documents, item_versions, items, outbox, send_log


def _each(name: str) -> sa.Select[Any]:
    """The values of a JSON array bound as ``name``, a row each (SQLite's json_each)."""
    values = sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value")
    return sa.select(values.c.value)


_TOLD_COLUMNS = (
    send_log.c.subscriber_id,
    send_log.c.item_id,
    send_log.c.content_hash,
    send_log.c.reason,
)
# SQLite: the ids as two JSON arrays, one statement for every batch. An IN list of a batch's
# ~2,000 item ids was expanded by SQLAlchemy into as many parameters each time: 5 ms of the
# event loop's CPU per batch of digests, 1-2 s per planning run of 10,000 subscribers.
_TOLD_SQLITE = sa.select(*_TOLD_COLUMNS).where(
    send_log.c.subscriber_id.in_(_each("subscribers")), send_log.c.item_id.in_(_each("items"))
)


async def told(
    conn: AsyncConnection, subscriber_ids: Collection[int], item_ids: Collection[int]
) -> list[tuple[int, int, str, str]]:
    """(subscriber id, item id, content hash, reason) logged for these subscribers and items."""
    if not subscriber_ids or not item_ids:
        return []
    if conn.dialect.name == "sqlite":
        ids = {"subscribers": json.dumps(list(subscriber_ids)), "items": json.dumps(list(item_ids))}
        result = await conn.execute(_TOLD_SQLITE, ids)
    else:
        result = await conn.execute(
            sa.select(*_TOLD_COLUMNS).where(
                send_log.c.subscriber_id.in_(list(subscriber_ids)),
                send_log.c.item_id.in_(list(item_ids)),
            )
        )
    return [(row[0], row[1], row[2], row[3]) for row in result.all()]


ToldRows = Sequence[tuple[int, str, str]]  # what a message tells: (item id, content hash, reason)


async def record(
    conn: AsyncConnection, messages: Sequence[tuple[int, int, ToldRows]], *, now: datetime
) -> None:
    """Log what each message tells, given as (subscriber id, outbox id, its told rows); a
    version already logged for a subscriber with that reason is kept once.

    A digest run logs about fifty rows per subscriber, and SQLAlchemy's executemany prepares
    each row's parameters in Python at several times the cost of the insert: the statement is
    compiled once here and the rows go to the driver as plain tuples, built column by column
    (the loops run in C), each value through its column type's own bind processor (so they
    are stored exactly as before; the batch's one time is processed once)."""
    columns: dict[str, list[Any]] = {
        key: [] for key in ("subscriber_id", "item_id", "content_hash", "reason", "outbox_id")
    }
    for subscriber_id, outbox_id, told in messages:
        if told:
            item_ids, hashes, reasons = zip(*told, strict=True)
            columns["subscriber_id"] += [subscriber_id] * len(told)
            columns["item_id"] += item_ids
            columns["content_hash"] += hashes
            columns["reason"] += reasons
            columns["outbox_id"] += [outbox_id] * len(told)
    count = len(columns["item_id"])
    if not count:
        return
    dialect = conn.dialect
    compiled = (
        insert(conn, send_log)
        .on_conflict_do_nothing()
        .compile(dialect=dialect, column_keys=[*columns, "created_at"])
    )
    assert compiled.positiontup is not None  # both backends' drivers take positional styles
    ordered = []
    for key in compiled.positiontup:
        processor = send_log.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if key == "created_at":
            ordered.append([now if processor is None else processor(now)] * count)
        else:
            values = columns[key]
            ordered.append(values if processor is None else list(map(processor, values)))
    await conn.exec_driver_sql(str(compiled), list(zip(*ordered, strict=True)))


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


@dataclass(frozen=True, kw_only=True)
class SentMessage:
    """An outbox message as the console lists it (the body is read only when shown)."""

    id: int
    message_id: str
    kind: str
    recipient: str
    subject: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    subscriber_id: int | None
    items: int  # send-log rows: the item versions it tells


@dataclass(frozen=True, kw_only=True)
class Run:
    """The digests one planning round stored (they share the round's time)."""

    created_at: datetime
    messages: int
    sent: int
    pending: int
    failed: int


@dataclass(frozen=True, kw_only=True)
class ToldItem:
    item_id: int
    number: str | None
    title: str
    reason: str
    council: str
    document_title: str
    document_url: str


def _messages() -> sa.Select[Any]:
    told = (
        sa.select(sa.func.count())
        .where(send_log.c.outbox_id == outbox.c.id)
        .correlate(outbox)
        .scalar_subquery()
    )
    return sa.select(
        outbox.c.id,
        outbox.c.message_id,
        outbox.c.kind,
        outbox.c.recipient,
        outbox.c.subject,
        outbox.c.state,
        outbox.c.attempts,
        outbox.c.last_error,
        outbox.c.created_at,
        outbox.c.sent_at,
        outbox.c.subscriber_id,
        told.label("items"),
    )


class SendLog:
    """What went to whom: the outbox's messages and the item versions each told."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def messages(
        self,
        *,
        limit: int = 100,
        subscriber_id: int | None = None,
        kind: str | None = None,
        created_at: datetime | None = None,
        recipient: str | None = None,
    ) -> list[SentMessage]:
        """Messages newest first, narrowed by any of the filters given."""
        query = _messages().order_by(outbox.c.id.desc()).limit(limit)
        if subscriber_id is not None:
            query = query.where(outbox.c.subscriber_id == subscriber_id)
        if kind is not None:
            query = query.where(outbox.c.kind == kind)
        if created_at is not None:
            query = query.where(outbox.c.created_at == created_at)
        if recipient is not None:
            query = query.where(outbox.c.recipient.contains(recipient, autoescape=True))
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [SentMessage(**row) for row in rows]

    async def message(self, outbox_id: int) -> tuple[SentMessage, bytes] | None:
        """One message and its complete RFC 5322 body."""
        async with self._db.read() as conn:
            row = (
                (await conn.execute(_messages().where(outbox.c.id == outbox_id))).mappings().first()
            )
            body = (await store_outbox.bodies(conn, [outbox_id])).get(outbox_id)
        if row is None or body is None:
            return None
        return SentMessage(**row), body

    async def told_in(self, outbox_id: int) -> list[ToldItem]:
        """The item versions a digest told, in the order they were logged."""
        # The title of the version told (an item may have been retitled since).
        told_title = (
            sa.select(sa.func.max(item_versions.c.title))
            .where(
                item_versions.c.item_id == send_log.c.item_id,
                item_versions.c.content_hash == send_log.c.content_hash,
            )
            .correlate(send_log)
            .scalar_subquery()
        )
        query = (
            sa.select(
                send_log.c.item_id,
                items.c.number,
                sa.func.coalesce(told_title, items.c.title).label("title"),
                send_log.c.reason,
                documents.c.council,
                documents.c.title.label("document_title"),
                documents.c.url.label("document_url"),
            )
            .join(items, items.c.id == send_log.c.item_id)
            .join(documents, documents.c.id == items.c.document_id)
            .where(send_log.c.outbox_id == outbox_id)
            .order_by(send_log.c.id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [ToldItem(**row) for row in rows]

    async def runs(self, *, limit: int = 30) -> list[Run]:
        """The newest digest planning rounds with how their messages fared."""

        def count(state: str) -> sa.ColumnElement[int]:
            return sa.func.sum(sa.case((outbox.c.state == state, 1), else_=0))

        query = (
            sa.select(
                outbox.c.created_at,
                sa.func.count().label("messages"),
                count("sent").label("sent"),
                count("pending").label("pending"),
                count("failed").label("failed"),
            )
            .where(outbox.c.kind == "digest")
            .group_by(outbox.c.created_at)
            .order_by(outbox.c.created_at.desc())
            .limit(limit)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            Run(
                created_at=row["created_at"],
                messages=int(row["messages"]),
                sent=int(row["sent"] or 0),
                pending=int(row["pending"] or 0),
                failed=int(row["failed"] or 0),
            )
            for row in rows
        ]
