"""Documents, their versions, items with versions, and meetings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import (
    Council,
    Document,
    DocumentKind,
    Item,
    Meeting,
    StoredItem,
    TopicMatch,
    topic_match_from_json,
    topic_match_to_json,
)
from notifier.store.schema import document_versions, documents, item_versions, items, meetings


@dataclass(frozen=True, kw_only=True)
class StoredDocument:
    id: int
    source_id: str
    key: str
    url: str
    kind: DocumentKind
    council: Council
    title: str
    date: date | None
    content_hash: str
    meeting_id: int | None
    supplementary: bool


def _document(row: sa.RowMapping) -> StoredDocument:
    return StoredDocument(
        id=row["id"],
        source_id=row["source_id"],
        key=row["key"],
        url=row["url"],
        kind=DocumentKind(row["kind"]),
        council=Council(row["council"]),
        title=row["title"],
        date=row["date"],
        content_hash=row["content_hash"],
        meeting_id=row["meeting_id"],
        supplementary=row["supplementary"],
    )


async def _documents(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> list[StoredDocument]:
    rows = (await conn.execute(sa.select(documents).where(where))).mappings().all()
    return [_document(row) for row in rows]


async def by_key(conn: AsyncConnection, key: str) -> StoredDocument | None:
    found = await _documents(conn, documents.c.key == key)
    return found[0] if found else None


async def by_url(conn: AsyncConnection, url: str) -> StoredDocument | None:
    found = await _documents(conn, documents.c.url == url)
    return found[0] if found else None


async def by_content(
    conn: AsyncConnection, *, source_id: str, content_hash: str
) -> list[StoredDocument]:
    return await _documents(
        conn, (documents.c.source_id == source_id) & (documents.c.content_hash == content_hash)
    )


async def of_source(conn: AsyncConnection, source_id: str) -> list[StoredDocument]:
    return await _documents(conn, documents.c.source_id == source_id)


async def count_of_source(conn: AsyncConnection, source_id: str) -> int:
    query = sa.select(sa.func.count()).where(documents.c.source_id == source_id)
    return int(await conn.scalar(query) or 0)


async def insert(
    conn: AsyncConnection,
    *,
    source_id: str,
    key: str,
    document: Document,
    council: Council,
    content_hash: str,
    meeting_id: int | None,
    now: datetime,
) -> int:
    document_id = int(
        (
            await conn.execute(
                documents.insert()
                .returning(documents.c.id)
                .values(
                    source_id=source_id,
                    key=key,
                    url=document.url,
                    kind=document.kind.value,
                    council=council.value,
                    title=document.title,
                    date=document.date,
                    content_type=document.content_type,
                    meeting_id=meeting_id,
                    supplementary=document.supplementary,
                    content_hash=content_hash,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
        ).scalar_one()
    )
    await _add_version(conn, document_id, document, content_hash, now)
    return document_id


async def update(
    conn: AsyncConnection,
    stored: StoredDocument,
    *,
    document: Document,
    content_hash: str,
    meeting_id: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        documents.update()
        .where(documents.c.id == stored.id)
        .values(
            url=document.url,
            kind=document.kind.value,
            title=document.title,
            date=document.date,
            content_type=document.content_type,
            meeting_id=meeting_id,
            supplementary=document.supplementary,
            content_hash=content_hash,
            last_seen_at=now,
        )
    )
    if content_hash != stored.content_hash:
        await _add_version(conn, stored.id, document, content_hash, now)


async def _add_version(
    conn: AsyncConnection, document_id: int, document: Document, content_hash: str, now: datetime
) -> None:
    await conn.execute(
        document_versions.insert().values(
            document_id=document_id,
            content_hash=content_hash,
            url=document.url,
            title=document.title,
            text=document.text,
            created_at=now,
        )
    )


def _topics_json(topics: Sequence[TopicMatch]) -> list[dict[str, object]]:
    return [topic_match_to_json(match) for match in topics]


_ITEM_COLUMNS = (
    items.c.id,
    items.c.key,
    items.c.position,
    items.c.number,
    items.c.case_number,
    items.c.procedural,
    items.c.content_hash,
    items.c.topics,
    items.c.decides_item_id,
    items.c.current_version_id.label("version_id"),
    item_versions.c.title,
    item_versions.c.text,
    item_versions.c.indstilling,
    item_versions.c.beslutning,
)


def _stored_item(row: sa.RowMapping) -> StoredItem:
    return StoredItem(
        id=row["id"],
        key=row["key"],
        position=row["position"],
        number=row["number"],
        title=row["title"],
        text=row["text"],
        content_hash=row["content_hash"],
        version_id=row["version_id"],
        case_number=row["case_number"],
        indstilling=row["indstilling"],
        beslutning=row["beslutning"],
        procedural=row["procedural"],
        topics=tuple(topic_match_from_json(raw) for raw in row["topics"]),
        decides_item_id=row["decides_item_id"],
    )


def _live_items_query() -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(*_ITEM_COLUMNS)
        .join(item_versions, item_versions.c.id == items.c.current_version_id)
        .where(items.c.removed_at.is_(None))
        .order_by(items.c.document_id, items.c.position)
    )


async def live_items(conn: AsyncConnection, document_id: int) -> list[StoredItem]:
    query = _live_items_query().where(items.c.document_id == document_id)
    return [_stored_item(row) for row in (await conn.execute(query)).mappings().all()]


async def live_items_with_documents(
    conn: AsyncConnection,
) -> list[tuple[StoredItem, StoredDocument]]:
    """Every live item with its document, for reclassification."""
    docs = {doc.id: doc for doc in await _documents(conn, sa.true())}
    query = _live_items_query().add_columns(items.c.document_id)
    rows = (await conn.execute(query)).mappings().all()
    return [(_stored_item(row), docs[row["document_id"]]) for row in rows]


async def count_stale_items(conn: AsyncConnection, topics_version: str) -> int:
    """Live items classified by other topic definitions than ``topics_version``."""
    query = sa.select(sa.func.count()).where(
        items.c.removed_at.is_(None), items.c.topics_version != topics_version
    )
    return int(await conn.scalar(query) or 0)


async def count_live_items(conn: AsyncConnection, source_id: str) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(items.join(documents, documents.c.id == items.c.document_id))
        .where(documents.c.source_id == source_id, items.c.removed_at.is_(None))
    )
    return int(await conn.scalar(query) or 0)


async def insert_item(
    conn: AsyncConnection,
    *,
    document_id: int,
    item: Item,
    topics: Sequence[TopicMatch],
    topics_version: str,
    now: datetime,
) -> tuple[int, int]:
    """Store a new item and its first version; return (item id, version id)."""
    item_id = int(
        (
            await conn.execute(
                items.insert()
                .returning(items.c.id)
                .values(
                    document_id=document_id,
                    created_at=now,
                    **_item_values(item, topics, topics_version, now),
                )
            )
        ).scalar_one()
    )
    version_id = await _add_item_version(conn, item_id, item, now)
    return item_id, version_id


async def update_item(
    conn: AsyncConnection,
    stored: StoredItem,
    item: Item,
    *,
    topics: Sequence[TopicMatch],
    topics_version: str,
    now: datetime,
) -> int:
    """Record a new version of a stored item (its key or position may change too)."""
    version_id = stored.version_id
    if item.content_hash != stored.content_hash:
        version_id = await _add_item_version(conn, stored.id, item, now)
    await conn.execute(
        items.update()
        .where(items.c.id == stored.id)
        .values(
            current_version_id=version_id,
            removed_at=None,
            **_item_values(item, topics, topics_version, now),
        )
    )
    return version_id


def _item_values(
    item: Item, topics: Sequence[TopicMatch], topics_version: str, now: datetime
) -> dict[str, object]:
    """The item columns that follow its current version."""
    return {
        "key": item.key,
        "position": item.position,
        "number": item.number,
        "title": item.title,
        "case_number": item.case_number,
        "procedural": item.procedural,
        "content_hash": item.content_hash,
        "topics": _topics_json(topics),
        "topics_version": topics_version,
        "updated_at": now,
    }


async def _add_item_version(conn: AsyncConnection, item_id: int, item: Item, now: datetime) -> int:
    version_id = int(
        (
            await conn.execute(
                item_versions.insert()
                .returning(item_versions.c.id)
                .values(
                    item_id=item_id,
                    content_hash=item.content_hash,
                    title=item.title,
                    text=item.text,
                    indstilling=item.indstilling,
                    beslutning=item.beslutning,
                    created_at=now,
                )
            )
        ).scalar_one()
    )
    await conn.execute(
        items.update().where(items.c.id == item_id).values(current_version_id=version_id)
    )
    return version_id


async def remove_item(conn: AsyncConnection, item_id: int, now: datetime) -> None:
    await conn.execute(
        items.update().where(items.c.id == item_id).values(removed_at=now, updated_at=now)
    )


async def set_topics(
    conn: AsyncConnection,
    item_id: int,
    topics: Sequence[TopicMatch],
    *,
    topics_version: str,
    now: datetime,
) -> None:
    await conn.execute(
        items.update()
        .where(items.c.id == item_id)
        .values(topics=_topics_json(topics), topics_version=topics_version, updated_at=now)
    )


async def set_decides(conn: AsyncConnection, item_id: int, decides_item_id: int) -> None:
    await conn.execute(
        items.update().where(items.c.id == item_id).values(decides_item_id=decides_item_id)
    )


async def upsert_meeting(
    conn: AsyncConnection,
    *,
    council: Council,
    meeting: Meeting,
    title: str,
    agenda_url: str | None,
    now: datetime,
) -> tuple[int, Literal["new", "changed", "same"]]:
    """The meeting row for (council, day); reports whether it is new or its details moved."""
    assert meeting.day is not None
    row = (
        (
            await conn.execute(
                sa.select(meetings).where(
                    meetings.c.council == council.value, meetings.c.day == meeting.day
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        meeting_id = (
            await conn.execute(
                meetings.insert()
                .returning(meetings.c.id)
                .values(
                    council=council.value,
                    day=meeting.day,
                    starts_at=meeting.starts_at,
                    place=meeting.place,
                    title=title,
                    agenda_url=agenda_url,
                    updated_at=now,
                )
            )
        ).scalar_one()
        return int(meeting_id), "new"
    changes: dict[str, object] = {}
    if meeting.starts_at and meeting.starts_at != row["starts_at"]:
        changes["starts_at"] = meeting.starts_at
    if meeting.place and meeting.place != row["place"]:
        changes["place"] = meeting.place
    if agenda_url and not row["agenda_url"]:
        changes["agenda_url"] = agenda_url
    if not changes:
        return int(row["id"]), "same"
    await conn.execute(
        meetings.update().where(meetings.c.id == row["id"]).values(updated_at=now, **changes)
    )
    return int(row["id"]), "changed"


async def meeting_agenda_items(conn: AsyncConnection, meeting_id: int) -> list[StoredItem]:
    query = (
        _live_items_query()
        .join(documents, documents.c.id == items.c.document_id)
        .where(
            documents.c.meeting_id == meeting_id,
            documents.c.kind == DocumentKind.AGENDA.value,
        )
    )
    return [_stored_item(row) for row in (await conn.execute(query)).mappings().all()]


@dataclass(frozen=True, kw_only=True)
class StoredMeeting:
    id: int
    council: Council
    day: date
    starts_at: datetime | None
    place: str | None
    title: str
    agenda_url: str | None
    updated_at: datetime


async def all_meetings(
    conn: AsyncConnection, council: Council | None = None
) -> list[StoredMeeting]:
    query = sa.select(meetings).order_by(meetings.c.day.desc())
    if council is not None:
        query = query.where(meetings.c.council == council.value)
    rows = (await conn.execute(query)).mappings().all()
    return [StoredMeeting(**{**row, "council": Council(row["council"])}) for row in rows]
