"""Document rows and their versions (conn-level helpers for the store's use cases)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Council, Document, DocumentKind, FetchState, StoredDocument
from notifier.store.db import json_values
from notifier.store.prepared import Prepared, Row
from notifier.store.schema import document_versions, documents, fetch_state, items
from notifier.store.sources import FETCH_COLUMNS, fetch_state_of


def _document(row: Row) -> StoredDocument:
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
        review=tuple(row["review"] or ()),
    )


async def select(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> list[StoredDocument]:
    rows = (await conn.execute(sa.select(documents).where(where))).mappings().all()
    return [_document(row) for row in rows]


async def matching(
    conn: AsyncConnection,
    *,
    source_id: str,
    keys: Collection[str],
    urls: Collection[str],
    content_hashes: Collection[str],
) -> list[StoredDocument]:
    """Documents known by any of these keys or URLs (any source), or by one of these content
    hashes within the source (a document that moved under a new URL and a new key)."""
    lists = {"keys": list(keys), "urls": list(urls), "hashes": list(content_hashes)}
    if conn.dialect.name == "sqlite":
        given = {name: json.dumps(values) for name, values in lists.items()}
        found = (await _MATCHING_SQLITE.execute(conn, {"source_id": source_id, **given})).rows
    else:
        found = (await conn.execute(_MATCHING, {"source_id": source_id, **lists})).mappings().all()
    return [_document(row) for row in found]


def _matching(keys: Any, urls: Any, hashes: Any, *, sqlite: bool = False) -> sa.Select[Any]:
    in_source: sa.ColumnElement[Any] = documents.c.source_id == sa.bindparam("source_id")
    if sqlite:
        # A hint that the source rules out few rows: SQLite otherwise reads all the source's
        # documents by their source_id index instead of the few with these content hashes.
        in_source = sa.func.likely(in_source)
    return sa.select(documents).where(
        sa.or_(
            documents.c.key.in_(keys),
            documents.c.url.in_(urls),
            in_source & documents.c.content_hash.in_(hashes),
        )
    )


# Built once: every poll that found a change asks. On SQLite the lists are JSON arrays, so the
# statement is the same at every execution and runs prepared.
_MATCHING = _matching(*(sa.bindparam(name, expanding=True) for name in ("keys", "urls", "hashes")))
_MATCHING_SQLITE = Prepared(_matching(*map(json_values, ("keys", "urls", "hashes")), sqlite=True))


async def newest_of_source(
    conn: AsyncConnection, source_id: str, limit: int
) -> tuple[list[StoredDocument], dict[str, FetchState]]:
    """The source's newest documents, newest first, and the fetch states of their URLs."""
    rows = await _NEWEST.execute(conn, {"source_id": source_id, "limit": limit})
    found: list[StoredDocument] = []
    states: dict[str, FetchState] = {}
    for row in rows.rows:
        found.append(_document(row))
        if (state := fetch_state_of(row)) is not None:
            states[row["url"]] = state
    return found, states


_NEWEST = Prepared(  # every poll asks
    sa.select(documents, *FETCH_COLUMNS)
    .select_from(documents.outerjoin(fetch_state, fetch_state.c.url == documents.c.url))
    .where(documents.c.source_id == sa.bindparam("source_id"))
    .order_by(documents.c.date.is_(None), documents.c.date.desc(), documents.c.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


async def counts_of_source(conn: AsyncConnection, source_id: str) -> tuple[int, int]:
    """How many documents the source has stored, and how many live items they hold."""
    row = (await _COUNTS.execute(conn, {"source_id": source_id})).rows[0]
    return int(row["documents"]), int(row["items"])


_COUNTS = Prepared(
    sa.select(  # one statement for both: every poll that found a change asks
        sa.select(sa.func.count())
        .where(documents.c.source_id == sa.bindparam("source_id"))
        .scalar_subquery()
        .label("documents"),
        sa.select(sa.func.count())
        .select_from(items.join(documents, documents.c.id == items.c.document_id))
        .where(documents.c.source_id == sa.bindparam("source_id"), items.c.removed_at.is_(None))
        .scalar_subquery()
        .label("items"),
    )
)


async def insert(
    conn: AsyncConnection,
    *,
    source_id: str,
    key: str,
    document: Document,
    council: Council,
    content_hash: str,
    meeting_id: int | None,
    review: tuple[str, ...],
    now: datetime,
) -> int:
    result = await _INSERT.execute(
        conn,
        {
            "source_id": source_id,
            "key": key,
            "url": document.url,
            "kind": document.kind.value,
            "council": council.value,
            "title": document.title,
            "date": document.date,
            "content_type": document.content_type,
            "meeting_id": meeting_id,
            "supplementary": document.supplementary,
            "content_hash": content_hash,
            "review": list(review) or None,
            "first_seen_at": now,
            "last_seen_at": now,
        },
    )
    document_id = int(result.rows[0]["id"])
    await _add_version(conn, document_id, document, content_hash, now)
    return document_id


async def update(
    conn: AsyncConnection,
    stored: StoredDocument,
    *,
    document: Document,
    content_hash: str,
    meeting_id: int | None,
    review: tuple[str, ...],
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
            review=list(review) or None,
            last_seen_at=now,
        )
    )
    if content_hash != stored.content_hash:
        await _add_version(conn, stored.id, document, content_hash, now)


async def _add_version(
    conn: AsyncConnection, document_id: int, document: Document, content_hash: str, now: datetime
) -> None:
    await _ADD_VERSION.execute(
        conn,
        {
            "document_id": document_id,
            "content_hash": content_hash,
            "url": document.url,
            "title": document.title,
            "created_at": now,
        },
    )


# Built once (the columns come from each call's parameters): every new document is stored
# with them.
_INSERT = Prepared(documents.insert().returning(documents.c.id))
_ADD_VERSION = Prepared(document_versions.insert())
