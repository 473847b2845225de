"""How a document's events are made while it is written (``store.apply``) or its items are
told outside a poll (release from review, reclassification, corrections): ``Context`` builds
the snapshots and appends the events, ``as_item`` turns a stored item back into an item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import (
    Document,
    DocumentPayload,
    EventType,
    Item,
    ItemSnapshot,
    Meeting,
    Payload,
    StoredDocument,
    StoredItem,
    TopicMatch,
)
from notifier.plan import SourcePlan
from notifier.store import events as store_events


def as_item(stored: StoredItem, *, key: str | None = None) -> Item:
    item = Item(
        key=stored.key if key is None else key,
        position=stored.position,
        title=stored.title,
        text=stored.text,
        number=stored.number,
        case_number=stored.case_number,
        indstilling=stored.indstilling,
        beslutning=stored.beslutning,
        procedural=stored.procedural,
    )
    # The stored hash is the hash of this very text: seed the cache instead of hashing it again.
    item.__dict__["content_hash"] = stored.content_hash
    return item


@dataclass(kw_only=True)
class Context:
    """One document being applied: builds its snapshots and appends its events."""

    conn: AsyncConnection
    plan: SourcePlan
    document: Document
    document_id: int
    now: datetime
    held: bool = False  # the quality gate holds the document: its items are not told
    # Events waiting for ``flush`` (one statement for a document's events); None: append each
    # at once.
    pending: list[dict[str, object]] | None = None

    @classmethod
    def of_stored(
        cls,
        conn: AsyncConnection,
        document: StoredDocument,
        meeting: Meeting | None,
        now: datetime,
    ) -> Context:
        """The context of a stored document, for events about its items outside a poll
        (reclassification, corrections); a document the quality gate holds tells nothing."""
        return cls(
            conn=conn,
            plan=SourcePlan(source_id=document.source_id, council=document.council),
            document=Document(
                url=document.url,
                kind=document.kind,
                title=document.title,
                date=document.date,
                text="",
                meeting=meeting,
            ),
            document_id=document.id,
            now=now,
            held=bool(document.review),
        )

    def snapshot(
        self,
        item: Item,
        item_id: int,
        version_id: int,
        topics: Sequence[TopicMatch],
        *,
        old: ItemSnapshot | None = None,
        decides: StoredItem | None = None,
    ) -> ItemSnapshot:
        meeting = self.document.meeting
        return ItemSnapshot(
            item_id=item_id,
            version_id=version_id,
            council=self.plan.council,
            document_id=self.document_id,
            document_url=self.document.url,
            document_title=self.document.title,
            document_kind=self.document.kind,
            document_date=self.document.date,
            number=item.number,
            title=item.title,
            text=item.text,
            case_number=item.case_number,
            indstilling=item.indstilling,
            beslutning=item.beslutning,
            procedural=item.procedural,
            topics=tuple(topics),
            content_hash=item.content_hash,
            meeting_starts_at=meeting.starts_at if meeting else None,
            meeting_place=meeting.place if meeting else None,
            old=old,
            decides_item_id=decides.id if decides else None,
            decides_title=decides.title if decides else None,
            baseline=self.plan.baseline,
        )

    def stored(self, stored: StoredItem) -> ItemSnapshot:
        return self.snapshot(as_item(stored), stored.id, stored.version_id, stored.topics)

    async def item_event(
        self,
        type: EventType,
        item: Item,
        item_id: int,
        version_id: int,
        topics: Sequence[TopicMatch],
        *,
        old: ItemSnapshot | None = None,
        decides: StoredItem | None = None,
    ) -> None:
        if self.held:
            return
        snapshot = self.snapshot(item, item_id, version_id, topics, old=old, decides=decides)
        await self.append(type, snapshot)

    async def document_event(self, type: EventType, *, review: tuple[str, ...] = ()) -> None:
        document = self.document
        payload = DocumentPayload(
            document_id=self.document_id,
            council=self.plan.council,
            url=document.url,
            title=document.title,
            kind=document.kind,
            date=document.date,
            content_type=document.content_type,
            review=review,
        )
        await self.append(type, payload)

    async def append(self, type: EventType, payload: Payload) -> None:
        """Every event an applied plan produces goes through here; a quiet plan makes none."""
        if self.plan.quiet:
            return
        row = store_events.row(
            type, payload, now=self.now, source_id=self.plan.source_id, document_id=self.document_id
        )
        if self.pending is None:
            await store_events.append_many(self.conn, [row])
        else:
            self.pending.append(row)

    async def flush(self) -> None:
        if self.pending:
            await store_events.append_many(self.conn, self.pending)
            self.pending.clear()
