"""Writes a judged poll: documents, versions, items, meetings and the events later stages read.

Runs inside the poll's one write transaction (``Polls.finish``). Every ``item.*`` event carries
the full ``ItemSnapshot`` (stored with its text left to the item version it names, which is
written here first: ``store.events``); a quiet plan (a discarded result taken as the new
baseline) writes the state and no events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import (
    DocumentKind,
    EventType,
    Item,
    MeetingPayload,
)
from notifier.plan import DocumentPlan, SourcePlan
from notifier.split import link_decisions
from notifier.store import documents as store_documents
from notifier.store import events as store_events
from notifier.store import items as store_items
from notifier.store import meetings as store_meetings
from notifier.store import topic_corrections as store_corrections
from notifier.store.context import Context, as_item


@dataclass(kw_only=True)
class Applied:
    documents_new: int = 0
    documents_changed: int = 0
    items_new: int = 0
    items_changed: int = 0
    items_removed: int = 0


async def apply(conn: AsyncConnection, plan: SourcePlan, *, now: datetime) -> Applied:
    applied = Applied()
    # Minutes last (a stable sort keeps the listing order otherwise): their decisions are
    # linked to the meeting's agenda points, which must be stored by then even when the
    # listing shows the minutes first, as a newest-first listing does.
    for doc_plan in sorted(plan.documents, key=lambda p: p.document.kind is DocumentKind.MINUTES):
        await _apply_document(conn, plan, doc_plan, now, applied)
    return applied


async def _apply_document(
    conn: AsyncConnection,
    plan: SourcePlan,
    doc_plan: DocumentPlan,
    now: datetime,
    applied: Applied,
) -> None:
    document = doc_plan.document
    meeting_id = await _record_meeting(conn, plan, doc_plan, now)
    stored = doc_plan.stored
    was_held = bool(stored and stored.review)
    context = Context(
        conn=conn,
        plan=plan,
        document=document,
        document_id=0,
        now=now,
        # A held document that passes now is told whole by announce(), each item against
        # what was last told of it: told here, this poll's edits would go out against versions
        # nobody was told, and then again.
        held=bool(doc_plan.review) or was_held,
        pending=[],
    )
    if stored is None:
        document_id = await store_documents.insert(
            conn,
            source_id=plan.source_id,
            key=doc_plan.key,
            document=document,
            council=plan.council,
            content_hash=doc_plan.content_hash,
            meeting_id=meeting_id,
            review=doc_plan.review,
            now=now,
        )
        applied.documents_new += 1
        context.document_id = document_id
        await context.document_event(EventType.DOCUMENT_NEW)
    else:
        document_id = stored.id
        context.document_id = document_id
        await store_documents.update(
            conn,
            stored,
            document=document,
            content_hash=doc_plan.content_hash,
            meeting_id=meeting_id or stored.meeting_id,
            review=doc_plan.review,
            now=now,
        )
        if doc_plan.changed:
            applied.documents_changed += 1
            await context.document_event(EventType.DOCUMENT_CHANGED)

    version = plan.topics_version
    touched: list[tuple[int, int, Item]] = []  # (item id, version id, item) new or changed
    diff = doc_plan.diff
    # Keys may change hands among the document's live items (a point inserted or taken off
    # renumbers the rest): those that change keys, and those leaving whose key another takes,
    # give theirs up before any item is inserted or updated under its new key.
    rekeyed = [(old, item) for old, item in [*diff.changed, *diff.moved] if old.key != item.key]
    wanted = {item.key for _, item in [*diff.changed, *diff.moved]} | {i.key for i in diff.new}
    await store_items.free_keys(
        conn,
        [old.id for old, _ in rekeyed] + [old.id for old in diff.removed if old.key in wanted],
    )
    back = await store_items.reclaim(
        conn,
        document_id,
        returning=diff.new if stored else (),
        taken=[item.key for _, item in rekeyed],
    )
    new = [(item, doc_plan.topics[item.key]) for item in diff.new if item.key not in back]
    ids = await store_items.insert_many(
        conn, document_id=document_id, new=new, topics_version=version, now=now
    )
    for (item, topics), (item_id, version_id) in zip(new, ids, strict=True):
        await context.item_event(EventType.ITEM_NEW, item, item_id, version_id, topics)
        touched.append((item_id, version_id, item))
        applied.items_new += 1
    # A point taken off and put back is the same item: with the same text it is told as new
    # again in its version told before (the send log keeps it from whoever was told of it, the
    # feeds show it again), with another text as changed from the version that left.
    returned = [(back[item.key], item) for item in diff.new if item.key in back]
    changed = [*diff.changed, *returned]
    # A correction by the secretariat wins over the classifier for its item.
    chosen = await store_corrections.chosen(conn, [old.id for old, _ in changed])
    for old, item in changed:
        topics = store_corrections.override(doc_plan.topics[item.key], chosen.get(old.id))
        version_id = await store_items.update(
            conn, old, item, topics=topics, topics_version=version, now=now
        )
        if old.content_hash == item.content_hash:
            await context.item_event(EventType.ITEM_NEW, item, old.id, version_id, topics)
            applied.items_new += 1
        else:
            await context.item_event(
                EventType.ITEM_CHANGED, item, old.id, version_id, topics, old=context.stored(old)
            )
            applied.items_changed += 1
        touched.append((old.id, version_id, item))
    for old, item in diff.moved:
        await store_items.update(
            conn, old, item, topics=old.topics, topics_version=version, now=now
        )
    for old in diff.removed:
        await store_items.remove(conn, old.id, now)
        if not context.held:  # held: announce() tells it once the document may be told
            await context.append(EventType.ITEM_REMOVED, context.stored(old))
        applied.items_removed += 1
    if document.kind is DocumentKind.MINUTES and meeting_id is not None:
        linked = {old.id for old, _ in changed if old.decides_item_id is not None}
        await _record_decisions(context, meeting_id, touched, doc_plan, linked)
    if doc_plan.review and (doc_plan.review != (stored.review if stored else ()) or touched):
        await context.document_event(EventType.DOCUMENT_HELD, review=doc_plan.review)
    elif was_held and not doc_plan.review:
        # It passes the gate now: what it holds was never told, so it is told now.
        await announce(context)
    await context.flush()


async def announce(context: Context) -> int:
    """Tell about every live item of a document that was held: released after review, or
    passing the quality gate now. Returns how many items were told.

    Each is told against what was last told of it: new if nothing was (or the same text), else
    changed from the version last told, which is what its followers have; an item told and
    since taken off is told removed, in the version last told."""
    context.held = False
    live = (await store_items.live_by_document(context.conn, [context.document_id]))[
        context.document_id
    ]
    told = await store_events.last_told(context.conn, context.document_id)
    # Minutes: their decisions too, which were linked while held but not told.
    decided = await store_items.live_by_id(
        context.conn, {s.decides_item_id for s in live if s.decides_item_id and s.beslutning}
    )
    for stored in live:
        item = as_item(stored)
        last = told.get(stored.id)
        if last is None or last.snapshot.content_hash == stored.content_hash:
            await context.item_event(
                EventType.ITEM_NEW, item, stored.id, stored.version_id, stored.topics
            )
        else:
            await context.item_event(
                EventType.ITEM_CHANGED,
                item,
                stored.id,
                stored.version_id,
                stored.topics,
                old=replace(last.snapshot, old=None),
            )
        target = decided.get(stored.decides_item_id or 0)
        if target is not None and stored.beslutning:
            await context.item_event(
                EventType.ITEM_DECIDED,
                item,
                stored.id,
                stored.version_id,
                target.topics,
                decides=target,
            )
    # Points told and taken off while it was held leave the feeds and the archive now.
    here = {stored.id for stored in live}
    for item_id, last in told.items():
        if item_id not in here and last.type is not EventType.ITEM_REMOVED:
            snapshot = replace(last.snapshot, old=None, baseline=context.plan.baseline)
            await context.append(EventType.ITEM_REMOVED, snapshot)
    await context.document_event(EventType.DOCUMENT_RELEASED)
    return len(live)


async def _record_meeting(
    conn: AsyncConnection, plan: SourcePlan, doc_plan: DocumentPlan, now: datetime
) -> int | None:
    document = doc_plan.document
    meeting = document.meeting
    if meeting is None or meeting.day is None:
        return None
    meeting_id, status = await store_meetings.upsert(
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
    if not plan.quiet:
        payload = MeetingPayload(
            meeting_id=meeting_id,
            council=plan.council,
            day=meeting.day,
            starts_at=meeting.starts_at,
            place=meeting.place,
            document_url=document.url,
            document_kind=document.kind,
            reason=reason,
        )
        await store_events.append(conn, event_type, payload, now=now, source_id=plan.source_id)
    return meeting_id


async def _record_decisions(
    context: Context,
    meeting_id: int,
    touched: list[tuple[int, int, Item]],
    doc_plan: DocumentPlan,
    linked: set[int],
) -> None:
    """Link minutes points to the agenda points they decide; tell about new decisions. A
    changed point (of the ids in ``linked``, those linked now) that no longer decides the
    agenda point it did loses the link: that point's archive entry shows its decisions."""
    agenda = await store_items.meeting_agenda(context.conn, meeting_id)
    # Named by id: a key is unique within one document, and a meeting may have several
    # agendas (a supplementary one numbering from 1 again).
    mapping = link_decisions(
        [as_item(stored, key=str(stored.id)) for stored in agenda], doc_plan.items
    )
    agenda_by_id = {str(stored.id): stored for stored in agenda}
    links: list[tuple[int, int | None]] = []
    for item_id, version_id, item in touched:
        target = agenda_by_id.get(mapping.get(item.key, ""))
        if target is None:
            if item_id in linked:
                links.append((item_id, None))
            continue
        links.append((item_id, target.id))
        if item.beslutning:
            await context.item_event(
                EventType.ITEM_DECIDED, item, item_id, version_id, target.topics, decides=target
            )
    await store_items.set_decides(context.conn, links)
