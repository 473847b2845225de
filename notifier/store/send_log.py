"""The send log: which item versions went (or are planned to go) to which subscriber, and why
(conn-level helpers for the store's use cases), and ``SendLog``, the console's view of it:
which messages went to whom and what each told.

A message's log row names a list of (item, content hash, reason) rows (``send_log_sets``),
stored once however many messages told the same: the subscribers of a group get the same
digest (``digest_groups``), so a run of 10,000 digests stores a few hundred lists."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store import outbox as store_outbox
from notifier.store.db import Database, json_values, per_dialect
from notifier.store.schema import (
    documents,
    item_versions,
    items,
    outbox,
    send_log,
    send_log_set_rows,
    send_log_sets,
)

ToldRows = Sequence[tuple[int, str, str]]  # what a message tells: (item id, content hash, reason)
ToldSets = Mapping[int, list[tuple[int, str, str]]]  # list id -> its rows about some items


def _in(conn: AsyncConnection, column: sa.ColumnElement[int], name: str) -> Any:
    # SQLite: the ids as one JSON array. An IN list of ~2,000 ids was expanded by SQLAlchemy
    # into as many parameters each time: 5 ms of the event loop's CPU per batch of digests.
    if conn.dialect.name == "sqlite":
        return column.in_(json_values(name))
    return column.in_(sa.bindparam(name, expanding=True))


def _ids(conn: AsyncConnection, values: Collection[int]) -> Any:
    return json.dumps(list(values)) if conn.dialect.name == "sqlite" else list(values)


def told_sets_query(conn: AsyncConnection) -> sa.Select[Any]:
    """The rows of logged lists about the items bound as ``items``."""
    return sa.select(
        send_log_set_rows.c.set_id,
        send_log_set_rows.c.item_id,
        send_log_set_rows.c.content_hash,
        send_log_set_rows.c.reason,
    ).where(_in(conn, send_log_set_rows.c.item_id, "items"))


def told_query(conn: AsyncConnection) -> sa.Select[Any]:
    """The lists bound as ``sets`` logged for the subscribers bound as ``subscribers``."""
    return sa.select(send_log.c.subscriber_id, send_log.c.set_id).where(
        _in(conn, send_log.c.subscriber_id, "subscribers"),
        _in(conn, send_log.c.set_id, "sets"),
    )


async def told_sets(
    conn: AsyncConnection, item_ids: Collection[int]
) -> dict[int, list[tuple[int, str, str]]]:
    """The logged lists that told any of these items, with their rows about them: read once
    per planning run (its own lists cannot concern a later batch: a subscriber is planned
    once per run)."""
    if not item_ids:
        return {}
    rows = await conn.execute(told_sets_query(conn), {"items": _ids(conn, item_ids)})
    found: dict[int, list[tuple[int, str, str]]] = {}
    for set_id, item_id, content_hash, reason in rows:
        found.setdefault(set_id, []).append((item_id, content_hash, reason))
    return found


async def told(
    conn: AsyncConnection, subscriber_ids: Collection[int], sets: ToldSets
) -> list[tuple[int, int, str, str]]:
    """(subscriber id, item id, content hash, reason) logged for these subscribers in these
    lists (``told_sets``)."""
    if not subscriber_ids or not sets:
        return []
    rows = await conn.execute(
        told_query(conn), {"subscribers": _ids(conn, subscriber_ids), "sets": _ids(conn, sets)}
    )
    return [(sid, *row) for sid, set_id in rows for row in sets[set_id]]


@functools.lru_cache(maxsize=1024)
def _digest(rows: tuple[tuple[int, str, str], ...]) -> str:
    """A list's sha256. A group's members hold the very same tuple, batch after batch."""
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


@per_dialect
def _new_sets(dialect: ModuleType) -> Any:
    return (
        dialect.insert(send_log_sets)
        .on_conflict_do_nothing(index_elements=["digest"])
        .returning(send_log_sets.c.id, send_log_sets.c.digest)
    )


async def _set_ids(
    conn: AsyncConnection, lists: Collection[tuple[tuple[int, str, str], ...]], now: datetime
) -> dict[str, int]:
    """Each distinct list stored once (kept if stored before): digest -> list id."""
    digests = {_digest(rows): rows for rows in lists}
    added = await conn.execute(_new_sets(conn), [{"digest": d, "created_at": now} for d in digests])
    ids = {digest: int(set_id) for set_id, digest in added}
    if ids:
        await conn.execute(
            send_log_set_rows.insert(),
            [
                {
                    "set_id": ids[digest],
                    "position": position,
                    "item_id": item_id,
                    "content_hash": content_hash,
                    "reason": reason,
                }
                for digest in ids
                for position, (item_id, content_hash, reason) in enumerate(digests[digest])
            ],
        )
    kept = [digest for digest in digests if digest not in ids]
    if kept:
        rows = await conn.execute(
            sa.select(send_log_sets.c.id, send_log_sets.c.digest).where(
                send_log_sets.c.digest.in_(kept)
            )
        )
        ids.update({digest: int(set_id) for set_id, digest in rows})
    return ids


async def record(
    conn: AsyncConnection, messages: Sequence[tuple[int, int | None, ToldRows]], *, now: datetime
) -> None:
    """Log what each message tells, given as (subscriber id, outbox id or None, its told rows):
    a row per message that tells anything, naming its list."""
    told = [(sid, oid, tuple(rows)) for sid, oid, rows in messages if rows]
    if not told:
        return
    ids = await _set_ids(conn, {rows: None for _sid, _oid, rows in told}, now)
    await conn.execute(
        send_log.insert(),
        [
            {
                "subscriber_id": sid,
                "set_id": ids[_digest(rows)],
                "outbox_id": oid,
                "created_at": now,
            }
            for sid, oid, rows in told
        ],
    )


_TOLD_ROWS = send_log.join(send_log_set_rows, send_log_set_rows.c.set_id == send_log.c.set_id)


async def for_subscriber(conn: AsyncConnection, subscriber_id: int) -> list[dict[str, Any]]:
    """Everything logged for a subscriber, oldest first, for a data export."""
    query = (
        sa.select(
            send_log_set_rows.c.item_id,
            send_log_set_rows.c.content_hash,
            send_log_set_rows.c.reason,
            send_log.c.created_at,
        )
        .select_from(_TOLD_ROWS)
        .where(send_log.c.subscriber_id == subscriber_id)
        .order_by(send_log.c.id, send_log_set_rows.c.position)
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
        .select_from(_TOLD_ROWS)
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
        told = send_log_set_rows
        told_title = (
            sa.select(sa.func.max(item_versions.c.title))
            .where(
                item_versions.c.item_id == told.c.item_id,
                item_versions.c.content_hash == told.c.content_hash,
            )
            .correlate(told)
            .scalar_subquery()
        )
        query = (
            sa.select(
                told.c.item_id,
                items.c.number,
                sa.func.coalesce(told_title, items.c.title).label("title"),
                told.c.reason,
                documents.c.council,
                documents.c.title.label("document_title"),
                documents.c.url.label("document_url"),
            )
            .select_from(_TOLD_ROWS)
            .join(items, items.c.id == told.c.item_id)
            .join(documents, documents.c.id == items.c.document_id)
            .where(send_log.c.outbox_id == outbox_id)
            .order_by(send_log.c.id, told.c.position)
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
