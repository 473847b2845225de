"""Documents the quality gate holds: list them, release one (its items are told now), or
dismiss one (told to nobody, off the list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import StoreError
from notifier.models import DISMISSED, Council, DocumentKind
from notifier.store import documents as store_documents
from notifier.store import meetings as store_meetings
from notifier.store.apply import announce
from notifier.store.context import Context
from notifier.store.db import Database
from notifier.store.schema import documents


@dataclass(frozen=True, kw_only=True)
class Held:
    id: int
    source_id: str
    council: Council
    kind: DocumentKind
    url: str
    title: str
    reasons: tuple[str, ...]
    since: datetime  # when it was last seen


# Both read the held documents only (the index ix_documents_held), however many are stored.
HELD = (
    sa.select(documents)
    .where(documents.c.review.is_not(None))
    .order_by(documents.c.last_seen_at.desc(), documents.c.id.desc())
)
UNTOLD = sa.select(documents.c.id).where(
    documents.c.review.is_not(None), documents.c.review_notified.is_(False)
)


class Review:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def held(self) -> list[Held]:
        """Held documents waiting for a person, newest first."""
        async with self._db.read() as conn:
            rows = (await conn.execute(HELD)).mappings()
            return [
                Held(
                    id=row["id"],
                    source_id=row["source_id"],
                    council=Council(row["council"]),
                    kind=DocumentKind(row["kind"]),
                    url=row["url"],
                    title=row["title"],
                    reasons=tuple(row["review"]),
                    since=row["last_seen_at"],
                )
                for row in rows
                if row["review"] and row["review"] != [DISMISSED]
            ]

    async def unannounced(self) -> list[Held]:
        """Held documents the secretariat's chat has not heard of."""
        async with self._db.read() as conn:
            fresh = set((await conn.execute(UNTOLD)).scalars())
        return [held for held in await self.held() if held.id in fresh]

    async def announced(self, document_id: int) -> bool:
        """Mark the secretariat as told of a held document; False if another replica did."""
        async with self._db.write() as conn:
            done = await conn.execute(
                documents.update()
                .where(documents.c.id == document_id, documents.c.review_notified.is_(False))
                .values(review_notified=True)
            )
        return bool(done.rowcount)

    async def release(self, document_id: int, *, now: datetime) -> int:
        """Tell about the document's items now, as if the gate had let it through; returns how
        many items were told."""
        async with self._db.write() as conn:
            await self._row(conn, document_id)
            await conn.execute(
                documents.update().where(documents.c.id == document_id).values(review=None)
            )
            # The stored document, now not held, with its meeting: the items' snapshots carry
            # the meeting's date and place, which digests and feeds show and sort by.
            (document,) = await store_documents.select(conn, documents.c.id == document_id)
            meeting = await store_meetings.of_document(conn, document)
            context = Context.of_stored(conn, document, meeting, now)
            return await announce(context)

    async def dismiss(self, document_id: int) -> None:
        """Leave the document untold and off the list (until a later version passes)."""
        async with self._db.write() as conn:
            await self._row(conn, document_id)
            await conn.execute(
                documents.update().where(documents.c.id == document_id).values(review=[DISMISSED])
            )

    @staticmethod
    async def _row(conn: AsyncConnection, document_id: int) -> sa.RowMapping:
        row = (
            (await conn.execute(sa.select(documents).where(documents.c.id == document_id)))
            .mappings()
            .first()
        )
        if row is None or not row["review"] or row["review"] == [DISMISSED]:
            raise StoreError(f"document {document_id} is not held for review")
        found: sa.RowMapping = row
        return found
