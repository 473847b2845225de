"""Digests: which item versions each subscriber should hear about, planned from the events.

Planning is pure (``plan``): a subscriber, the item events after their cursor and what the send
log says they were already told go in; the entries of one digest come out. ``make_digests`` is
the one function that does I/O: it reads events and subscribers, renders, builds the messages
and, per batch of subscribers in one transaction, enqueues each message, writes its send-log
rows and advances the cursors, so a crash either plans a digest completely or not at all.

The Message-ID is derived from (subscriber, event range, entries), so planning again after a
crash that happened before the commit produces the same id and the outbox keeps one copy.

A digest holds at most ``digest.max_items`` entries; the rest are held, not dropped: the
subscriber's cursor stops just before the first event of a held entry, so the next digest plans
them again, and the send log keeps what this one told from being told twice.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from notifier import mail, resources
from notifier.config import Settings
from notifier.models import ALL, EventType, Frequency, ItemSnapshot, SubscriberState, Topic
from notifier.render import DigestRenderer
from notifier.store import events as store_events
from notifier.store import locks
from notifier.store import outbox as store_outbox
from notifier.store import send_log as store_send_log
from notifier.store import subscribers as store_subscribers
from notifier.store.subscribers import Subscriber
from notifier.tokens import Purpose, Tokens
from notifier.topics import load_topics

log = logging.getLogger(__name__)

DIGEST_EVENTS = (
    EventType.ITEM_NEW,
    EventType.ITEM_CHANGED,
    EventType.ITEM_RECLASSIFIED,
    EventType.ITEM_DECIDED,
)
BATCH = 250  # subscribers planned and committed together
LOCK_TTL = timedelta(minutes=15)


class Reason(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    DECIDED = "decided"


@dataclass(frozen=True, kw_only=True)
class ItemEvent:
    """An item event with its snapshot parsed once for every subscriber."""

    id: int
    type: EventType
    snapshot: ItemSnapshot
    topics: tuple[str, ...]  # the snapshot's topic ids in topics-file order

    @classmethod
    def of(cls, event: store_events.Event, topic_order: Sequence[str]) -> ItemEvent:
        snapshot = event.snapshot
        rank = {topic: position for position, topic in enumerate(topic_order)}
        topics = tuple(sorted(snapshot.topic_ids, key=lambda t: (rank.get(t, len(rank)), t)))
        return cls(id=event.id, type=event.type, snapshot=snapshot, topics=topics)


@dataclass(frozen=True, kw_only=True)
class Told:
    """What the send log says a subscriber has been told about the items in question."""

    versions: frozenset[tuple[int, str, str]] = frozenset()  # (item id, content hash, reason)
    items: frozenset[int] = frozenset()  # items told as new or changed, any version


@dataclass(frozen=True, kw_only=True)
class Entry:
    snapshot: ItemSnapshot
    reason: Reason
    topics: tuple[str, ...]  # the subscriber's topics it matched; () for a pure follow-up
    old: ItemSnapshot | None = None  # changed: the version before this window
    follow_up: bool = False  # decided: the subscriber was told about the agenda point before
    covers: ItemSnapshot | None = None  # decided: the agenda point, new in this same digest
    reclassified: bool = False  # new to the subscriber because its topics changed, not new


@dataclass(frozen=True, kw_only=True)
class Plan:
    subscriber: Subscriber
    entries: tuple[Entry, ...]
    after_event: int  # the subscriber's cursor when planned
    until_event: int  # the cursor once sent; short of the window's end when entries are held
    held: int = 0  # entries beyond max_items, held for the next digest

    def message_id(self, domain: str) -> str:
        """Deterministic: the same subscriber, window and entries give the same id, so a
        re-plan after a crash is dropped by the outbox; the entries' hash tells apart two
        digests from one window (when held entries keep the cursor where it was)."""
        told = "|".join(
            f"{e.snapshot.item_id}:{e.snapshot.content_hash}:{e.reason.value}" for e in self.entries
        )
        digest = hashlib.blake2b(told.encode(), digest_size=5).hexdigest()
        return (
            f"digest.{self.subscriber.id}.{self.after_event}-{self.until_event}.{digest}@{domain}"
        )


@dataclass(kw_only=True)
class _Pending:
    first_type: EventType
    latest: ItemEvent
    old: ItemSnapshot | None = None


def plan(
    subscriber: Subscriber,
    item_events: Iterable[ItemEvent],
    *,
    told: Told,
    until_event: int,
    max_items: int = 50,
) -> Plan | None:
    """The digest for one subscriber, or None when there is nothing to tell them."""
    pending: dict[int, _Pending] = {}
    decided: dict[int, ItemEvent] = {}
    first_event: dict[tuple[int, bool], int] = {}  # (item, is a decision) -> first event id
    for event in item_events:
        if event.id <= subscriber.event_cursor or event.id > until_event:
            continue
        snap = event.snapshot
        first_event.setdefault((snap.item_id, event.type is EventType.ITEM_DECIDED), event.id)
        if event.type is EventType.ITEM_DECIDED:
            decided[snap.item_id] = event
            continue
        state = pending.get(snap.item_id)
        if state is None:
            pending[snap.item_id] = _Pending(first_type=event.type, latest=event, old=snap.old)
        else:
            state.latest = event  # several events in one window: tell the latest version once

    entries: list[Entry] = []
    for item_id, state in pending.items():
        if item_id in decided:
            continue  # a minutes point is told as its decision
        snap = state.latest.snapshot
        topics = _matching(subscriber, state.latest)
        if not topics or not subscriber.wants_council(snap.council.value) or snap.procedural:
            continue
        if state.first_type is EventType.ITEM_RECLASSIFIED:
            if item_id in told.items:
                continue  # already told about under its earlier topics
            reason = Reason.NEW
        elif state.first_type is EventType.ITEM_CHANGED:
            reason = Reason.CHANGED
        else:
            reason = Reason.NEW
        if any(
            (item_id, snap.content_hash, r) in told.versions for r in (Reason.NEW, Reason.CHANGED)
        ):
            continue
        old = state.old if reason is Reason.CHANGED else None
        entries.append(
            Entry(
                snapshot=snap,
                reason=reason,
                topics=topics,
                old=old,
                reclassified=state.first_type is EventType.ITEM_RECLASSIFIED,
            )
        )

    in_this = {entry.snapshot.item_id: entry for entry in entries}
    for item_id, event in decided.items():
        snap = event.snapshot
        if (item_id, snap.content_hash, Reason.DECIDED) in told.versions:
            continue
        topics = _matching(subscriber, event)
        agenda = in_this.get(snap.decides_item_id) if snap.decides_item_id is not None else None
        follow_up = snap.decides_item_id is not None and snap.decides_item_id in told.items
        if not (follow_up or agenda) and not (
            topics and subscriber.wants_council(snap.council.value) and not snap.procedural
        ):
            continue
        covers = None
        if agenda is not None and agenda.reason is Reason.NEW and agenda in entries:
            # The agenda point and its decision arrive together: one entry tells both.
            entries.remove(agenda)
            covers = agenda.snapshot
            topics = topics or agenda.topics
        entries.append(
            Entry(
                snapshot=snap,
                reason=Reason.DECIDED,
                topics=topics,
                follow_up=follow_up,
                covers=covers,
            )
        )

    if not entries:
        return None
    entries.sort(key=_recency, reverse=True)
    kept, held = entries[:max_items], entries[max_items:]
    if held:
        # Held entries go in the next digest: the cursor stops short of their first event,
        # and the send log keeps what this digest tells from being told again.
        firsts = [first_event[(e.snapshot.item_id, e.reason is Reason.DECIDED)] for e in held]
        firsts += [first_event[(e.covers.item_id, False)] for e in held if e.covers]
        until_event = min(firsts) - 1
    return Plan(
        subscriber=subscriber,
        entries=tuple(kept),
        after_event=subscriber.event_cursor,
        until_event=until_event,
        held=len(held),
    )


def _matching(subscriber: Subscriber, event: ItemEvent) -> tuple[str, ...]:
    if ALL in subscriber.topics:
        return event.topics
    return tuple(topic for topic in event.topics if topic in subscriber.topics)


def _recency(entry: Entry) -> tuple[datetime, int]:
    snap = entry.snapshot
    when = snap.meeting_starts_at
    if when is None and snap.document_date:
        when = datetime.combine(snap.document_date, time(), tzinfo=UTC)
    return (when or datetime.min.replace(tzinfo=UTC), snap.version_id)


@dataclass(frozen=True, kw_only=True)
class Composed:
    """A planned digest rendered into a complete message."""

    plan: Plan
    message_id: str
    subject: str
    text: str
    html: str
    body: bytes


@dataclass(kw_only=True)
class _Context:
    settings: Settings
    renderer: DigestRenderer
    tokens: Tokens
    topic_order: tuple[str, ...]
    now: datetime
    domain: str
    sender: str = field(init=False)

    def __post_init__(self) -> None:
        self.sender = self.settings.mail.from_address


def _context(settings: Settings, now: datetime) -> _Context:
    topics: list[Topic] = load_topics(settings.topics_file)
    renderer = DigestRenderer(
        templates_dir=settings.templates_dir or resources.templates_dir(), topics=topics
    )
    return _Context(
        settings=settings,
        renderer=renderer,
        tokens=Tokens(settings.web),
        topic_order=tuple(topic.id for topic in topics),
        now=now,
        domain=settings.mail.list_id,
    )


def compose(context: _Context, plan: Plan) -> Composed:
    subscriber = plan.subscriber
    unsubscribe = context.tokens.url(
        Purpose.UNSUBSCRIBE, subscriber.id, subscriber.token_generation
    )
    manage = context.tokens.url(Purpose.MANAGE, subscriber.id, subscriber.token_generation)
    rendered = context.renderer.render(plan, manage_url=manage, unsubscribe_url=unsubscribe)
    message_id = plan.message_id(context.domain)
    mail_settings = context.settings.mail
    links = [f"<{unsubscribe}>"]
    if mail_settings.unsubscribe_mailto:
        links.insert(0, f"<mailto:{mail_settings.unsubscribe_mailto}?subject=afmeld>")
    headers = {
        "List-Id": f"KKR-overblik <{mail_settings.list_id}>",
        "List-Unsubscribe": ", ".join(links),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if mail_settings.reply_to:
        headers["Reply-To"] = mail_settings.reply_to
    body = mail.build_message(
        sender=context.sender,
        recipient=mail.mailbox(subscriber.name, subscriber.email),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=message_id,
        date=context.now,
        headers=headers,
    )
    return Composed(
        plan=plan,
        message_id=message_id,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        body=body,
    )


async def _load(
    conn: AsyncConnection, frequency: Frequency, topic_order: Sequence[str]
) -> tuple[list[Subscriber], list[ItemEvent], int]:
    until = await store_events.last_id(conn)
    people = await store_subscribers.all_subscribers(
        conn, state=SubscriberState.ACTIVE, frequency=frequency
    )
    people = [person for person in people if person.event_cursor < until]
    if not people:
        return [], [], until
    after = min(person.event_cursor for person in people)
    events = await store_events.since(conn, after, types=DIGEST_EVENTS, until_id=until)
    item_events = [ItemEvent.of(event, topic_order) for event in events]
    return people, item_events, until


async def _told(
    conn: AsyncConnection, people: Sequence[Subscriber], item_ids: Collection[int]
) -> dict[int, Told]:
    rows = await store_send_log.told(conn, [person.id for person in people], item_ids)
    versions: dict[int, set[tuple[int, str, str]]] = {}
    items: dict[int, set[int]] = {}
    for subscriber_id, item_id, content_hash, reason in rows:
        versions.setdefault(subscriber_id, set()).add((item_id, content_hash, reason))
        if reason != Reason.DECIDED:
            items.setdefault(subscriber_id, set()).add(item_id)
    return {
        sid: Told(versions=frozenset(v), items=frozenset(items.get(sid, ())))
        for sid, v in versions.items()
    }


def _plans(
    context: _Context,
    people: Sequence[Subscriber],
    item_events: Sequence[ItemEvent],
    told: dict[int, Told],
    until: int,
) -> list[Plan]:
    plans = []
    for person in people:
        found = plan(
            person,
            item_events,
            told=told.get(person.id, Told()),
            until_event=until,
            max_items=context.settings.digest.max_items,
        )
        if found is not None:
            plans.append(found)
    return plans


def _relevant_items(item_events: Sequence[ItemEvent]) -> set[int]:
    ids: set[int] = set()
    for event in item_events:
        ids.add(event.snapshot.item_id)
        if event.snapshot.decides_item_id is not None:
            ids.add(event.snapshot.decides_item_id)
    return ids


async def compose_digests(
    engine: AsyncEngine, settings: Settings, frequency: Frequency, *, now: datetime
) -> list[Composed]:
    """Plan and render every due digest without storing anything (dry run, preview)."""
    context = _context(settings, now)
    async with engine.connect() as conn:
        people, item_events, until = await _load(conn, frequency, context.topic_order)
        told = await _told(conn, people, _relevant_items(item_events))
    return [compose(context, found) for found in _plans(context, people, item_events, told, until)]


async def make_digests(
    engine: AsyncEngine, settings: Settings, frequency: Frequency, *, now: datetime
) -> int:
    """Plan, render and enqueue the due digests of one frequency; return messages enqueued.

    A lease in the database keeps two replicas from planning the same frequency at once.
    """
    owner = f"digest-{uuid.uuid4().hex[:12]}"
    lock = f"digest:{frequency.value}"
    if not await locks.acquire(engine, lock, owner=owner, now=now, ttl=LOCK_TTL):
        log.info("digest planning for %s already running elsewhere", frequency.value)
        return 0
    try:
        context = _context(settings, now)
        async with engine.connect() as conn:
            people, item_events, until = await _load(conn, frequency, context.topic_order)
        relevant = _relevant_items(item_events)
        enqueued = 0
        for start in range(0, len(people), BATCH):
            batch = people[start : start + BATCH]
            async with engine.begin() as conn:
                told = await _told(conn, batch, relevant)
                plans = _plans(context, batch, item_events, told, until)
                composed = [compose(context, found) for found in plans]
                enqueued += await _store(conn, composed, batch, until=until, now=now)
        log.info(
            "planned %s digests",
            frequency.value,
            extra={"frequency": frequency.value, "subscribers": len(people), "enqueued": enqueued},
        )
        return enqueued
    finally:
        await locks.release(engine, lock, owner=owner)


async def _store(
    conn: AsyncConnection,
    composed: Sequence[Composed],
    batch: Sequence[Subscriber],
    *,
    until: int,
    now: datetime,
) -> int:
    ids = await store_outbox.enqueue_many(
        conn,
        [
            {
                "message_id": message.message_id,
                "kind": "digest",
                "recipient": message.plan.subscriber.email,
                "subject": message.subject,
                "body": message.body,
                "subscriber_id": message.plan.subscriber.id,
            }
            for message in composed
        ],
        now=now,
    )
    log_rows: list[dict[str, Any]] = []
    for message in composed:
        outbox_id = ids.get(message.message_id)
        if outbox_id is None:
            continue  # planned before (same subscriber and event range)
        log_rows += [
            {
                "subscriber_id": message.plan.subscriber.id,
                "item_id": entry.snapshot.item_id,
                "content_hash": entry.snapshot.content_hash,
                "reason": entry.reason.value,
                "outbox_id": outbox_id,
                "created_at": now,
            }
            for entry in message.plan.entries
        ]
        log_rows += [
            {
                "subscriber_id": message.plan.subscriber.id,
                "item_id": entry.covers.item_id,
                "content_hash": entry.covers.content_hash,
                "reason": Reason.NEW.value,
                "outbox_id": outbox_id,
                "created_at": now,
            }
            for entry in message.plan.entries
            if entry.covers is not None
        ]
    await store_send_log.record(conn, log_rows)
    # Empty digests are not sent, but those subscribers' cursors move on too; a digest with
    # held entries moves its subscriber's cursor only up to them.
    short = {m.plan.subscriber.id: m.plan.until_event for m in composed if m.plan.held}
    await store_subscribers.advance_cursors(
        conn, [person.id for person in batch if person.id not in short], until
    )
    for subscriber_id, cursor in short.items():
        await store_subscribers.set_cursor(conn, subscriber_id, cursor)
    return len(ids)
