"""Item rows and their versions (conn-level helpers for the store's use cases)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import DocumentKind, Item, StoredItem, TopicMatch
from notifier.models.serialize import from_json, to_json
from notifier.store import search as store_search
from notifier.store.prepared import Prepared, Row
from notifier.store.schema import documents, item_versions, items

_COLUMNS = (
    items.c.id,
    items.c.document_id,
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
_TOPICS = tuple[TopicMatch, ...]


def topics_json(topics: Sequence[TopicMatch]) -> object:
    return to_json(tuple(topics), _TOPICS)


def _stored(row: Row) -> StoredItem:
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
        topics=from_json(_TOPICS, row["topics"]),
        decides_item_id=row["decides_item_id"],
    )


def _live() -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(*_COLUMNS)
        .join(item_versions, item_versions.c.id == items.c.current_version_id)
        .where(items.c.removed_at.is_(None))
        .order_by(items.c.document_id, items.c.position)
    )


async def live_by_document(
    conn: AsyncConnection, document_ids: Collection[int]
) -> dict[int, list[StoredItem]]:
    """The live items of each document, in order."""
    found: dict[int, list[StoredItem]] = {document_id: [] for document_id in document_ids}
    if not document_ids:
        return found
    query = _live().where(items.c.document_id.in_(list(document_ids)))
    for row in (await conn.execute(query)).mappings().all():
        found[row["document_id"]].append(_stored(row))
    return found


async def live_by_id(conn: AsyncConnection, ids: Collection[int]) -> dict[int, StoredItem]:
    if not ids:
        return {}
    rows = (await conn.execute(_live().where(items.c.id.in_(list(ids))))).mappings().all()
    return {int(row["id"]): _stored(row) for row in rows}


async def live_with_documents(conn: AsyncConnection) -> list[tuple[StoredItem, int]]:
    """Every live item with its document id, for reclassification."""
    rows = (await conn.execute(_live())).mappings().all()
    return [(_stored(row), row["document_id"]) for row in rows]


async def meeting_agenda(conn: AsyncConnection, meeting_id: int) -> list[StoredItem]:
    return [_stored(row) for row in (await _AGENDA.execute(conn, {"meeting_id": meeting_id})).rows]


_AGENDA = Prepared(  # every minutes document asks
    _live()
    .join(documents, documents.c.id == items.c.document_id)
    .where(
        documents.c.meeting_id == sa.bindparam("meeting_id"),
        documents.c.kind == DocumentKind.AGENDA.value,
    )
)


async def count_stale(conn: AsyncConnection, topics_version: str) -> int:
    """Live items classified by other topic definitions than ``topics_version``."""
    # Two ranges instead of "!=", so both databases can answer from the topics_version index.
    other = (items.c.topics_version < topics_version) | (items.c.topics_version > topics_version)
    query = sa.select(sa.func.count()).where(items.c.removed_at.is_(None), other)
    return int(await conn.scalar(query) or 0)


async def insert_many(
    conn: AsyncConnection,
    *,
    document_id: int,
    new: Sequence[tuple[Item, Sequence[TopicMatch]]],
    topics_version: str,
    now: datetime,
) -> list[tuple[int, int]]:
    """Store new items of one document and their first versions, four statements for them
    all; return (item id, version id) of each, in order."""
    if not new:
        return []
    rows = [
        {"document_id": document_id, "created_at": now, **_values(i, t, topics_version, now)}
        for i, t in new
    ]
    # Each insert is one multi-row statement. Asking for the rows back in parameter order
    # would make SQLAlchemy insert them one by one on SQLite (it cannot rely on RETURNING's
    # order there), so each row comes back with what identifies it instead: its key within the
    # document, and its version's item.
    inserted = await _INSERT_ITEMS.execute(conn, rows)
    by_key = {row["key"]: int(row["id"]) for row in inserted.rows}
    item_ids = [by_key[item.key] for item, _topics in new]
    versions = await _INSERT_VERSIONS.execute(
        conn, [_version(item_id, i, now) for item_id, (i, _t) in zip(item_ids, new, strict=True)]
    )
    by_item = {int(row["item_id"]): int(row["id"]) for row in versions.rows}
    version_ids = [by_item[item_id] for item_id in item_ids]
    await _SET_VERSION.execute(
        conn,
        [
            {"item_ref": item_id, "version_ref": version_id}
            for item_id, version_id in zip(item_ids, version_ids, strict=True)
        ],
    )
    await store_search.index(
        conn,
        [
            (item_id, version_id, i)
            for item_id, version_id, (i, _t) in zip(item_ids, version_ids, new, strict=True)
        ],
    )
    return list(zip(item_ids, version_ids, strict=True))


_INSERT_ITEMS = Prepared(items.insert().returning(items.c.id, items.c.key))
_INSERT_VERSIONS = Prepared(
    item_versions.insert().returning(item_versions.c.id, item_versions.c.item_id)
)
_SET_VERSION = Prepared(
    items.update()
    .where(items.c.id == sa.bindparam("item_ref"))
    .values(current_version_id=sa.bindparam("version_ref"))
)


async def update(
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
        version_id = await _add_version(conn, stored.id, item, now)
    await conn.execute(
        items.update()
        .where(items.c.id == stored.id)
        .values(
            current_version_id=version_id,
            removed_at=None,
            **_values(item, topics, topics_version, now),
        )
    )
    return version_id


def _values(
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
        "topics": topics_json(topics),
        "topics_version": topics_version,
        "updated_at": now,
    }


def _version(item_id: int, item: Item, now: datetime) -> dict[str, object]:
    return {
        "item_id": item_id,
        "content_hash": item.content_hash,
        "title": item.title,
        "text": item.text,
        "indstilling": item.indstilling,
        "beslutning": item.beslutning,
        "created_at": now,
    }


async def _add_version(conn: AsyncConnection, item_id: int, item: Item, now: datetime) -> int:
    result = await conn.execute(
        item_versions.insert().returning(item_versions.c.id).values(**_version(item_id, item, now))
    )
    version_id = int(result.scalar_one())
    await conn.execute(
        items.update().where(items.c.id == item_id).values(current_version_id=version_id)
    )
    await store_search.index(conn, [(item_id, version_id, item)])
    return version_id


async def reclaim(
    conn: AsyncConnection,
    document_id: int,
    *,
    returning: Sequence[Item],
    taken: Collection[str],
) -> dict[str, StoredItem]:
    """Settle the document's removed items with the keys a poll is about to use: a key names
    one item of a document, removed or not (``uq_items_document_id_key``).

    A removed item is a ``returning`` (new) item come back when it has that item's text, under
    whatever key (a point put back elsewhere in the agenda), else when it has its key; it is
    returned under the new item's key, for ``update`` to bring back to life as the same item.
    A removed item gives up a key a returning item or a live item renumbered onto it
    (``taken``) is about to hold, unless it is the item that holds it again."""
    if not (returning or taken):
        return {}
    query = (
        sa.select(*_COLUMNS)
        .join(item_versions, item_versions.c.id == items.c.current_version_id)
        .where(items.c.document_id == document_id, items.c.removed_at.is_not(None))
        .order_by(items.c.id)
    )
    rows = (await conn.execute(query)).mappings().all()
    free = {row["id"]: row for row in rows}
    claimed: dict[str, sa.RowMapping] = {}
    for item in returning:  # the same text first, under its own key if it has one
        same = [row for row in free.values() if row["content_hash"] == item.content_hash]
        if same:
            row = min(same, key=lambda row: row["key"] != item.key)
            claimed[item.key] = free.pop(row["id"])
    for item in returning:  # then the same key: the point again, its text edited
        keyed = next((row for row in free.values() if row["key"] == item.key), None)
        if item.key not in claimed and keyed is not None:
            claimed[item.key] = free.pop(keyed["id"])
    # Every returning item's key, claimed or not: a new point under the old number of a removed
    # one that comes back under another number is inserted before that one is renumbered.
    wanted = {*taken, *(item.key for item in returning)}
    for row in rows:
        if row["key"] in wanted and claimed.get(row["key"]) is not row:
            # "~" is in no slug or point number, so the new key can be no item's real one.
            await conn.execute(
                items.update()
                .where(items.c.id == row["id"])
                .values(key=f"{row['key']}~{row['id']}")
            )
    return {key: _stored(row) for key, row in claimed.items()}


async def free_keys(conn: AsyncConnection, item_ids: Sequence[int]) -> None:
    """Give these items a key no item holds ("~" is in no slug or point number), until their
    update gives them their new one."""
    if item_ids:
        await conn.execute(
            items.update()
            .where(items.c.id.in_(list(item_ids)))
            .values(key=items.c.key + "~" + sa.cast(items.c.id, sa.String))
        )


async def remove(conn: AsyncConnection, item_id: int, now: datetime) -> None:
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
        .values(topics=topics_json(topics), topics_version=topics_version, updated_at=now)
    )


async def set_decides(conn: AsyncConnection, links: Sequence[tuple[int, int | None]]) -> None:
    """Link minutes points to the agenda points they decide, given as (item id, decided item
    id; None: it decides none), in one statement for them all."""
    if links:
        await _SET_DECIDES.execute(
            conn, [{"item_ref": item_id, "decides_ref": decides} for item_id, decides in links]
        )


_SET_DECIDES = Prepared(
    items.update()
    .where(items.c.id == sa.bindparam("item_ref"))
    .values(decides_item_id=sa.bindparam("decides_ref"))
)
