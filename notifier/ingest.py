"""Turn what one poll of a source found into stored state and events.

Two steps, so the pipeline can look at everything a poll would change before changing anything
(collect first): ``plan`` reads the store and diffs; ``apply`` writes documents, items, versions
and the events later stages consume, in the caller's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from notifier.diff import ItemDiff, diff_items, document_key
from notifier.models import (
    Council,
    Document,
    DocumentKind,
    EventType,
    Item,
    ItemSnapshot,
    Meeting,
    StoredItem,
    TopicMatch,
    content_hash,
)
from notifier.split import link_decisions
from notifier.store import documents as store_documents
from notifier.store import events as store_events
from notifier.store import locks
from notifier.store.documents import StoredDocument


class ItemClassifier(Protocol):
    version: str

    def classify_item(self, item: Item) -> tuple[TopicMatch, ...]: ...


@dataclass(kw_only=True)
class DocumentPlan:
    document: Document
    items: list[Item]
    key: str
    content_hash: str
    stored: StoredDocument | None
    diff: ItemDiff

    @property
    def is_new(self) -> bool:
        return self.stored is None

    @property
    def changed(self) -> bool:
        return self.stored is not None and self.stored.content_hash != self.content_hash


@dataclass(kw_only=True)
class SourcePlan:
    source_id: str
    council: Council
    documents: list[DocumentPlan] = field(default_factory=list)
    stored_items: int = 0  # live items of the source before this poll
    stored_documents: int = 0
    unreadable: int = 0  # known documents with items that no longer extract
    # Applied without events: the operator discarded this result as noise (a renumbering, a
    # redesign); the store takes it as the new baseline and nobody is told.
    quiet: bool = False

    @property
    def items_new(self) -> int:
        return sum(len(plan.diff.new) for plan in self.documents)

    @property
    def items_changed(self) -> int:
        return sum(len(plan.diff.changed) for plan in self.documents)

    @property
    def items_removed(self) -> int:
        return sum(len(plan.diff.removed) for plan in self.documents)

    @property
    def churn(self) -> int:
        """Items appearing or vanishing in documents the store already knew."""
        return sum(
            len(plan.diff.new) + len(plan.diff.removed)
            for plan in self.documents
            if not plan.is_new
        )

    @property
    def fingerprint(self) -> str:
        """Identifies this poll's result, so the same held result is not alerted twice."""
        digest = hashlib.sha256()
        for plan in sorted(self.documents, key=lambda p: p.key):
            digest.update(f"{plan.key}:{plan.content_hash}\n".encode())
        return digest.hexdigest()


async def plan_document(
    conn: AsyncConnection,
    *,
    source_id: str,
    council: Council,
    document: Document,
    items: Sequence[Item],
) -> DocumentPlan:
    key = document_key(document, council)
    text_hash = content_hash(document.title, document.text)
    stored = await store_documents.by_key(conn, key)
    if stored is None:
        stored = await store_documents.by_url(conn, document.url)
    if stored is None:
        # Same content under a new URL and a new key (say, a retitled page): a move.
        moved = await store_documents.by_content(conn, source_id=source_id, content_hash=text_hash)
        stored = moved[0] if moved else None
    live = await store_documents.live_items(conn, stored.id) if stored else []
    return DocumentPlan(
        document=document,
        items=list(items),
        key=stored.key if stored else key,
        content_hash=text_hash,
        stored=stored,
        diff=diff_items(live, items),
    )


@dataclass(kw_only=True)
class Applied:
    documents_new: int = 0
    documents_changed: int = 0
    items_new: int = 0
    items_changed: int = 0
    items_removed: int = 0


async def apply(
    conn: AsyncConnection,
    plan: SourcePlan,
    *,
    classifier: ItemClassifier,
    now: datetime,
) -> Applied:
    applied = Applied()
    for doc_plan in plan.documents:
        await _apply_document(conn, plan, doc_plan, classifier, now, applied)
    return applied


async def _apply_document(
    conn: AsyncConnection,
    plan: SourcePlan,
    doc_plan: DocumentPlan,
    classifier: ItemClassifier,
    now: datetime,
    applied: Applied,
) -> None:
    document = doc_plan.document
    meeting_id = await _record_meeting(conn, plan, doc_plan, now, applied)
    stored = doc_plan.stored
    if stored is None:
        document_id = await store_documents.insert(
            conn,
            source_id=plan.source_id,
            key=doc_plan.key,
            document=document,
            council=plan.council,
            content_hash=doc_plan.content_hash,
            meeting_id=meeting_id,
            now=now,
        )
        applied.documents_new += 1
        await _document_event(conn, EventType.DOCUMENT_NEW, plan, document_id, document, now)
    else:
        document_id = stored.id
        await store_documents.update(
            conn,
            stored,
            document=document,
            content_hash=doc_plan.content_hash,
            meeting_id=meeting_id or stored.meeting_id,
            now=now,
        )
        if doc_plan.changed:
            applied.documents_changed += 1
            await _document_event(
                conn, EventType.DOCUMENT_CHANGED, plan, document_id, document, now
            )

    context = _Context(plan=plan, document=document, document_id=document_id, now=now)
    touched: list[tuple[int, int, Item]] = []  # (item id, version id, item) new or changed
    for item in doc_plan.diff.new:
        topics = classifier.classify_item(item)
        item_id, version_id = await store_documents.insert_item(
            conn,
            document_id=document_id,
            item=item,
            topics=topics,
            topics_version=classifier.version,
            now=now,
        )
        await context.item_event(conn, EventType.ITEM_NEW, item, item_id, version_id, topics)
        touched.append((item_id, version_id, item))
        applied.items_new += 1
    for old, item in doc_plan.diff.changed:
        topics = classifier.classify_item(item)
        version_id = await store_documents.update_item(
            conn, old, item, topics=topics, topics_version=classifier.version, now=now
        )
        await context.item_event(
            conn,
            EventType.ITEM_CHANGED,
            item,
            old.id,
            version_id,
            topics,
            old=context.snapshot_of_stored(old),
        )
        touched.append((old.id, version_id, item))
        applied.items_changed += 1
    for old, item in doc_plan.diff.moved:
        await store_documents.update_item(
            conn, old, item, topics=old.topics, topics_version=classifier.version, now=now
        )
    for old in doc_plan.diff.removed:
        await store_documents.remove_item(conn, old.id, now)
        await _append_item(conn, plan, EventType.ITEM_REMOVED, context.snapshot_of_stored(old), now)
        applied.items_removed += 1
    if document.kind is DocumentKind.MINUTES and meeting_id is not None:
        await _record_decisions(conn, context, meeting_id, touched, doc_plan)


async def _record_meeting(
    conn: AsyncConnection,
    plan: SourcePlan,
    doc_plan: DocumentPlan,
    now: datetime,
    applied: Applied,
) -> int | None:
    document = doc_plan.document
    meeting = document.meeting
    if meeting is None or meeting.day is None:
        return None
    meeting_id, status = await store_documents.upsert_meeting(
        conn,
        council=plan.council,
        meeting=meeting,
        title=f"Møde i {plan.council.danish_name}",
        agenda_url=document.url if document.kind is DocumentKind.AGENDA else None,
        now=now,
    )
    reason = None
    if status == "new":
        event_type = EventType.MEETING_NEW
    elif status == "changed":
        event_type, reason = EventType.MEETING_CHANGED, "moved"
    elif doc_plan.is_new:
        # A tillægsdagsorden, the minutes or new bilag for a meeting we already know.
        event_type, reason = EventType.MEETING_CHANGED, f"new document: {document.title}"
    else:
        return meeting_id
    await _append(
        conn,
        plan,
        event_type,
        now=now,
        payload={
            "meeting_id": meeting_id,
            "council": plan.council.value,
            "day": meeting.day.isoformat(),
            "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
            "place": meeting.place,
            "document_url": document.url,
            "document_kind": document.kind.value,
            "reason": reason,
        },
    )
    return meeting_id


async def _record_decisions(
    conn: AsyncConnection,
    context: _Context,
    meeting_id: int,
    touched: list[tuple[int, int, Item]],
    doc_plan: DocumentPlan,
) -> None:
    """Link minutes points to the agenda points they decide; tell about new decisions."""
    agenda = await store_documents.meeting_agenda_items(conn, meeting_id)
    if not agenda:
        return
    agenda_items = [_as_item(stored) for stored in agenda]
    mapping = link_decisions(agenda_items, doc_plan.items)
    agenda_by_key = {stored.key: stored for stored in agenda}
    for item_id, version_id, item in touched:
        target = agenda_by_key.get(mapping.get(item.key, ""))
        if target is None:
            continue
        await store_documents.set_decides(conn, item_id, target.id)
        if item.beslutning:
            await context.item_event(
                conn,
                EventType.ITEM_DECIDED,
                item,
                item_id,
                version_id,
                target.topics,
                decides=target,
            )


def _as_item(stored: StoredItem) -> Item:
    return Item(
        key=stored.key,
        position=stored.position,
        title=stored.title,
        text=stored.text,
        number=stored.number,
        case_number=stored.case_number,
        indstilling=stored.indstilling,
        beslutning=stored.beslutning,
        procedural=stored.procedural,
    )


@dataclass(frozen=True, kw_only=True)
class _Context:
    plan: SourcePlan
    document: Document
    document_id: int
    now: datetime

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
        )

    def snapshot_of_stored(self, stored: StoredItem) -> ItemSnapshot:
        return self.snapshot(_as_item(stored), stored.id, stored.version_id, stored.topics)

    async def item_event(
        self,
        conn: AsyncConnection,
        type: EventType,
        item: Item,
        item_id: int,
        version_id: int,
        topics: Sequence[TopicMatch],
        *,
        old: ItemSnapshot | None = None,
        decides: StoredItem | None = None,
    ) -> None:
        snapshot = self.snapshot(item, item_id, version_id, topics, old=old, decides=decides)
        await _append_item(conn, self.plan, type, snapshot, self.now)


async def _document_event(
    conn: AsyncConnection,
    type: EventType,
    plan: SourcePlan,
    document_id: int,
    document: Document,
    now: datetime,
) -> None:
    await _append(
        conn,
        plan,
        type,
        now=now,
        document_id=document_id,
        payload={
            "document_id": document_id,
            "council": plan.council.value,
            "url": document.url,
            "title": document.title,
            "kind": document.kind.value,
            "date": document.date.isoformat() if document.date else None,
            "content_type": document.content_type,
        },
    )


async def _append(
    conn: AsyncConnection,
    plan: SourcePlan,
    type: EventType,
    *,
    now: datetime,
    payload: dict[str, object],
    document_id: int | None = None,
) -> None:
    """Every event an applied plan produces goes through here; a quiet plan produces none."""
    if not plan.quiet:
        await store_events.append(
            conn,
            type,
            now=now,
            payload=payload,
            source_id=plan.source_id,
            document_id=document_id,
        )


async def _append_item(
    conn: AsyncConnection,
    plan: SourcePlan,
    type: EventType,
    snapshot: ItemSnapshot,
    now: datetime,
) -> None:
    if not plan.quiet:
        await store_events.append_item(conn, type, snapshot, now=now, source_id=plan.source_id)


async def reclassify_if_stale(
    engine: AsyncEngine, *, classifier: ItemClassifier, owner: str, now: datetime
) -> int | None:
    """Reclassify when stored items were classified by other topic definitions (topics.toml
    or the classifier changed since); returns how many changed topics, or None when nothing
    was stale. A lease keeps replicas starting together from doing it twice."""
    async with engine.connect() as conn:
        if not await store_documents.count_stale_items(conn, classifier.version):
            return None
    if not await locks.acquire(
        engine, "reclassify", owner=owner, now=now, ttl=timedelta(minutes=30)
    ):
        return None
    try:
        async with engine.begin() as conn:
            _, changed = await reclassify(conn, classifier=classifier, now=now)
    finally:
        await locks.release(engine, "reclassify", owner=owner)
    return changed


async def reclassify(
    conn: AsyncConnection, *, classifier: ItemClassifier, now: datetime
) -> tuple[int, int]:
    """Classify every live item again after topics.toml changed.

    Items whose topics change get an ``item.reclassified`` event, so subscribers of a newly
    matching topic hear about them once. Returns (items looked at, items whose topics changed).
    """
    looked, changed = 0, 0
    meetings = {
        stored.id: Meeting(
            council=stored.council,
            starts_at=stored.starts_at,
            place=stored.place,
            on=stored.day,
        )
        for stored in await store_documents.all_meetings(conn)
    }
    for stored, document in await store_documents.live_items_with_documents(conn):
        looked += 1
        item = _as_item(stored)
        topics = classifier.classify_item(item)
        await store_documents.set_topics(
            conn, stored.id, topics, topics_version=classifier.version, now=now
        )
        if [m.topic for m in topics] == [m.topic for m in stored.topics]:
            continue
        context = _Context(
            plan=SourcePlan(source_id=document.source_id, council=document.council),
            document=Document(
                url=document.url,
                kind=document.kind,
                title=document.title,
                date=document.date,
                text="",
                meeting=meetings.get(document.meeting_id) if document.meeting_id else None,
            ),
            document_id=document.id,
            now=now,
        )
        await context.item_event(
            conn,
            EventType.ITEM_RECLASSIFIED,
            item,
            stored.id,
            stored.version_id,
            topics,
            old=context.snapshot_of_stored(stored),
        )
        changed += 1
    return looked, changed
