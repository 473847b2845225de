"""The review queue's items: recent items with their topics, the secretariat's corrections of
those topics, and the corrections as labelled data.

A correction is one transaction: the chosen topics are kept (``topic_corrections``), written on
the item, announced with an ``item.reclassified`` event (unless the item's document is held, so
nobody has been told of it yet: releasing it tells it with the chosen topics), and written to
the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import StoreError
from notifier.models import (
    Council,
    DocumentKind,
    EventType,
    Meeting,
    StoredDocument,
    StoredItem,
)
from notifier.store import admin as store_admin
from notifier.store import documents as store_documents
from notifier.store import items as store_items
from notifier.store import meetings as store_meetings
from notifier.store import topic_corrections
from notifier.store.context import Context, as_item
from notifier.store.db import Database, insert
from notifier.store.schema import (
    documents,
    item_versions,
    items,
    send_log,
    send_log_set_rows,
)
from notifier.store.schema import (
    topic_corrections as corrections_table,
)

LABEL_KINDS = {
    DocumentKind.AGENDA: "agenda-point",
    DocumentKind.MINUTES: "agenda-point",
    DocumentKind.NEWSLETTER: "newsletter-section",
    DocumentKind.OTHER: "other",
}


@dataclass(frozen=True, kw_only=True)
class ReviewItem:
    """A live item as the review queue shows it."""

    id: int
    number: str | None
    title: str
    text: str
    topics: tuple[str, ...]  # as stored now (a correction included), strongest first
    document_id: int
    document_title: str
    document_url: str
    document_kind: DocumentKind
    document_date: date | None
    council: Council
    held: bool  # the document is held by the quality gate (or dismissed): nobody was told
    told: int  # subscribers a digest has told (or is about to tell) of it
    created_at: datetime
    corrected_by: str | None = None
    corrected_at: datetime | None = None


async def _told(conn: AsyncConnection, item_ids: Sequence[int]) -> dict[int, int]:
    """How many subscribers a digest told (or is about to tell) of each of these items, through
    the lists that told them. For the page's items only: as a column of the page's query,
    SQLite counted it for every live item before sorting them."""
    if not item_ids:
        return {}
    query = (
        sa.select(send_log_set_rows.c.item_id, sa.func.count(sa.distinct(send_log.c.subscriber_id)))
        .join(send_log, send_log.c.set_id == send_log_set_rows.c.set_id)
        .where(send_log_set_rows.c.item_id.in_(list(item_ids)))
        .group_by(send_log_set_rows.c.item_id)
    )
    return {int(item_id): int(count) for item_id, count in await conn.execute(query)}


class Corrections:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent(
        self, *, limit: int = 50, document_id: int | None = None, item_id: int | None = None
    ) -> list[ReviewItem]:
        """Live items, newest first (of one document, in order, when ``document_id`` is
        given)."""
        query = (
            sa.select(
                items.c.id,
                items.c.number,
                items.c.topics,
                items.c.created_at,
                item_versions.c.title,
                item_versions.c.text,
                documents.c.id.label("document_id"),
                documents.c.title.label("document_title"),
                documents.c.url.label("document_url"),
                documents.c.kind,
                documents.c.date,
                documents.c.council,
                documents.c.review,
                corrections_table.c.corrected_by,
                corrections_table.c.corrected_at,
            )
            .join(item_versions, item_versions.c.id == items.c.current_version_id)
            .join(documents, documents.c.id == items.c.document_id)
            .outerjoin(corrections_table, corrections_table.c.item_id == items.c.id)
            .where(items.c.removed_at.is_(None))
            .limit(limit)
        )
        if item_id is not None:
            query = query.where(items.c.id == item_id)
        if document_id is not None:
            query = query.where(items.c.document_id == document_id).order_by(items.c.position)
        else:
            query = query.order_by(items.c.created_at.desc(), items.c.id.desc())
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
            told = await _told(conn, [row["id"] for row in rows])
        return [
            ReviewItem(
                id=row["id"],
                number=row["number"],
                title=row["title"],
                text=row["text"],
                topics=tuple(match["topic"] for match in row["topics"]),
                document_id=row["document_id"],
                document_title=row["document_title"],
                document_url=row["document_url"],
                document_kind=DocumentKind(row["kind"]),
                document_date=row["date"],
                council=Council(row["council"]),
                held=bool(row["review"]),
                told=told.get(row["id"], 0),
                created_at=row["created_at"],
                corrected_by=row["corrected_by"],
                corrected_at=row["corrected_at"],
            )
            for row in rows
        ]

    async def correct(self, item_id: int, topics: Sequence[str], *, by: str, now: datetime) -> bool:
        """Set an item's topics as the secretariat chose them; returns whether they changed."""
        chosen = tuple(dict.fromkeys(topics))
        async with self._db.write() as conn:
            found = await _item(conn, item_id)
            stored = found.stored
            before = [match.topic for match in stored.topics]
            earlier = await conn.scalar(
                sa.select(corrections_table.c.classified).where(
                    corrections_table.c.item_id == item_id
                )
            )
            # What the classifier said, before any correction: the other half of the label.
            classified = list(earlier) if earlier is not None else before
            values = {"topics": list(chosen), "corrected_by": by, "corrected_at": now}
            await conn.execute(
                insert(conn, corrections_table)
                .values(item_id=item_id, classified=classified, **values)
                .on_conflict_do_update(index_elements=["item_id"], set_=values)
            )
            await store_admin.record(
                conn,
                actor=by,
                action="item.correct",
                target=f"item:{item_id}",
                detail={"before": before, "after": list(chosen)},
                now=now,
            )
            new = topic_corrections.corrected(stored.topics, chosen)
            if [match.topic for match in new] == before:
                return False
            await store_items.set_topics(
                conn, item_id, new, topics_version=found.topics_version, now=now
            )
            context = found.context(conn, now)
            await context.item_event(
                EventType.ITEM_RECLASSIFIED,
                as_item(stored),
                stored.id,
                stored.version_id,
                new,
                old=context.stored(stored),
            )
            return True

    async def export(self) -> list[dict[str, Any]]:
        """Every correction as a labelled example, in tests/data/classify_*.jsonl's format."""
        query = (
            sa.select(
                corrections_table.c.item_id,
                corrections_table.c.topics,
                item_versions.c.title,
                item_versions.c.text,
                documents.c.url,
                documents.c.kind,
                documents.c.council,
            )
            .join(items, items.c.id == corrections_table.c.item_id)
            .join(item_versions, item_versions.c.id == items.c.current_version_id)
            .join(documents, documents.c.id == items.c.document_id)
            .order_by(corrections_table.c.corrected_at, corrections_table.c.item_id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            {
                "id": f"c{row['item_id']}",
                "url": row["url"],
                "title": row["title"],
                "text": row["text"],
                "topics": list(row["topics"]),
                "kind": LABEL_KINDS[DocumentKind(row["kind"])],
                "council": row["council"],
                "source": "console",
                "split": "correction",
            }
            for row in rows
        ]


@dataclass(frozen=True, kw_only=True)
class _Found:
    stored: StoredItem
    topics_version: str
    document: StoredDocument
    meeting: Meeting | None

    def context(self, conn: AsyncConnection, now: datetime) -> Context:
        return Context.of_stored(conn, self.document, self.meeting, now)


async def _item(conn: AsyncConnection, item_id: int) -> _Found:
    row = (
        await conn.execute(
            sa.select(items.c.document_id, items.c.topics_version).where(
                items.c.id == item_id, items.c.removed_at.is_(None)
            )
        )
    ).first()
    if row is None:
        raise StoreError(f"no live item {item_id}")
    document_id, topics_version = int(row[0]), str(row[1])
    (document,) = await store_documents.select(conn, documents.c.id == document_id)
    live = await store_items.live_by_document(conn, [document_id])
    (stored,) = [item for item in live[document_id] if item.id == item_id]
    meeting = await store_meetings.of_document(conn, document)
    return _Found(stored=stored, topics_version=topics_version, document=document, meeting=meeting)
