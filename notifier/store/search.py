"""Full-text search over the archive, one interface on both databases.

The index holds each item's current version (``index`` is called wherever a version is
written, in the same transaction, so it never lags the items; SQLite's keeps older versions
too, which no search counts). SQLite searches an FTS5 table
of Danish stems, PostgreSQL a tsvector of the 'danish' configuration (``search_text``). What a
search shows is what the archive shows: the agenda point for a hit in its decision, and no
removed, procedural or held items.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Council, Event, EventType, Item
from notifier.store import events as store_events
from notifier.store.db import Database
from notifier.store.prepared import Prepared
from notifier.store.schema import documents, items, meetings
from notifier.store.search_text import fts_query, fts_row, search_fields, ts_query

MAX_HITS = 2000  # items a query is ranked over; a query matching more shows the best of them

# SQLite's index holds item versions (rowid = version id): a hit counts if it is its item's
# current version, found by an index of items by current version that covers the query.
_SQLITE_HITS = sa.text(
    "SELECT items.id, items.decides_item_id, bm25(item_search, 4.0, 1.0) AS rank "
    "FROM item_search JOIN items ON items.current_version_id = item_search.rowid "
    "WHERE item_search MATCH :query ORDER BY rank LIMIT :limit"
)
# ts_rank grows with relevance, bm25 shrinks: negate so both sort ascending.
_POSTGRES_HITS = sa.text(
    "SELECT items.id, items.decides_item_id, -ts_rank(s.document, q.query) AS rank "
    "FROM item_search AS s JOIN items ON items.id = s.item_id, "
    "to_tsquery('danish', :query) AS q(query) "
    "WHERE s.document @@ q.query ORDER BY rank LIMIT :limit"
)

_ADD = Prepared(sa.text("INSERT INTO item_search (rowid, title, body) VALUES (:id, :title, :body)"))


async def index(conn: AsyncConnection, versions: Sequence[tuple[int, int, Item]]) -> None:
    """Make the index hold these new versions of items, given as (item id, version id, item),
    in one statement (call it in the versions' transaction).

    SQLite's FTS5 table is contentless, and a contentless table forgets a row only when given
    the very stems it was indexed with. Rather than keep every item's stems a second time for
    that (migration 0012), it indexes versions and never forgets one: a search counts a hit
    only in an item's current version (``_SQLITE_HITS``). Old versions are a few percent of
    the index (an edit is rare); a stemmer that changes needs a migration rebuilding it."""
    if not versions:
        return
    fielded = [
        (
            item_id,
            version_id,
            search_fields(item.title, item.text, item.indstilling, item.beslutning),
        )
        for item_id, version_id, item in versions
    ]
    if conn.dialect.name == "postgresql":
        await conn.execute(
            sa.text(
                "INSERT INTO item_search (item_id, title, body) VALUES (:id, :title, :body) "
                "ON CONFLICT (item_id) DO UPDATE SET title = excluded.title, body = excluded.body"
            ),
            [
                {"id": item_id, "title": title, "body": body}
                for item_id, _version_id, (title, body) in fielded
            ],
        )
        return
    rows = []
    for _item_id, version_id, fields in fielded:
        title_stems, body_stems = fts_row(*fields)
        rows.append({"id": version_id, "title": title_stems, "body": body_stems})
    await _ADD.execute(conn, rows)


@dataclass(frozen=True, kw_only=True)
class Found:
    """One page of a search: how many points matched, the page's point ids in order, and the
    item events that make up their archive entries (the points' and their decisions')."""

    total: int
    item_ids: list[int]
    events: list[Event]


@dataclass(frozen=True)
class _Shown:
    item_id: int
    rank: float
    when: date | datetime | None


class Search:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(
        self,
        query: str,
        *,
        types: Sequence[EventType],
        topic: str | None = None,
        council: Council | None = None,
        newest_first: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> Found:
        """The points matching every word of ``query`` (in any inflected form), best first or
        newest first, filtered by topic and council; ``types`` are the item events an archive
        entry is built from."""
        async with self._db.read() as conn:
            hits = await _hits(conn, query)
            shown = await _shown(conn, hits, topic=topic, council=council)
            if newest_first:
                shown.sort(key=lambda s: (_sortable(s.when), -s.rank), reverse=True)
            page = [s.item_id for s in shown[offset : offset + limit]]
            events = await _entry_events(conn, page, types)
        return Found(total=len(shown), item_ids=page, events=events)


def _sortable(when: date | datetime | None) -> str:
    return when.isoformat() if when is not None else ""


async def _hits(conn: AsyncConnection, query: str) -> dict[int, float]:
    """Best rank per point shown (a hit in a decision counts for its agenda point)."""
    postgres = conn.dialect.name == "postgresql"
    expression = ts_query(query) if postgres else fts_query(query)
    if expression is None:
        return {}
    statement = _POSTGRES_HITS if postgres else _SQLITE_HITS
    rows = await conn.execute(statement, {"query": expression, "limit": MAX_HITS})
    best: dict[int, float] = {}
    for item_id, decides, rank in rows:
        shown = decides or item_id
        if shown not in best or rank < best[shown]:
            best[shown] = float(rank)
    return best


async def _shown(
    conn: AsyncConnection,
    hits: dict[int, float],
    *,
    topic: str | None,
    council: Council | None,
) -> list[_Shown]:
    """The hits the archive shows, best first."""
    if not hits:
        return []
    # Topics only when filtering by one: up to MAX_HITS lists to decompress and parse.
    topics = [items.c.topics] if topic is not None else []
    query = (
        sa.select(items.c.id, *topics, documents.c.review, documents.c.date, meetings.c.starts_at)
        .join(documents, documents.c.id == items.c.document_id)
        .outerjoin(meetings, meetings.c.id == documents.c.meeting_id)
        .where(
            items.c.id.in_(list(hits)),
            items.c.removed_at.is_(None),
            items.c.procedural.is_(False),
        )
    )
    if council is not None:
        query = query.where(documents.c.council == council.value)
    shown = []
    for row in (await conn.execute(query)).mappings():
        if _held(row["review"]) or (topic is not None and not _has_topic(row["topics"], topic)):
            continue
        when = row["starts_at"] or row["date"]
        shown.append(_Shown(item_id=row["id"], rank=hits[row["id"]], when=when))
    shown.sort(key=lambda s: (s.rank, -s.item_id))
    return shown


def _held(review: Any) -> bool:
    return bool(review)  # held for review, or dismissed: never told


def _has_topic(topics: Any, topic: str) -> bool:
    return any(isinstance(match, dict) and match.get("topic") == topic for match in topics or ())


async def _entry_events(
    conn: AsyncConnection, item_ids: Collection[int], types: Sequence[EventType]
) -> list[Event]:
    """The events of these points and of the minutes points deciding them, oldest first."""
    if not item_ids:
        return []
    deciding = sa.select(items.c.id).where(items.c.decides_item_id.in_(list(item_ids)))
    ids = {*item_ids, *(await conn.scalars(deciding)).all()}
    return await store_events.for_items(conn, ids, types=types)
