"""Pure: which item versions each subscriber should hear about, planned from the events.

A subscriber, the item events after their cursor and what the send log says they were already
told go in; the entries of one digest come out. ``digest_runner`` does the I/O around it.

The Message-ID is derived from (subscriber, event range, entries), so planning again after a
crash that happened before the commit produces the same id and the outbox keeps one copy.

A digest holds at most ``digest.max_items`` entries; the rest are held, not dropped: the
subscriber's cursor stops just before the first event of a held entry, so the next digest plans
them again, and the send log keeps what this one told from being told twice.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum

from notifier import keywords
from notifier.feed_entries import Entry as ArchiveEntry
from notifier.models import ALL, Event, EventType, ItemSnapshot, Subscriber

DIGEST_EVENTS = (
    EventType.ITEM_NEW,
    EventType.ITEM_CHANGED,
    EventType.ITEM_RECLASSIFIED,
    EventType.ITEM_DECIDED,
)


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
    topics: tuple[str, ...]  # the snapshot's topic ids, strongest first (its primary topic)

    @classmethod
    def of(cls, event: Event) -> ItemEvent:
        snapshot = event.snapshot
        return cls(id=event.id, type=event.type, snapshot=snapshot, topics=snapshot.topic_ids)

    @classmethod
    def of_snapshot(cls, snapshot: ItemSnapshot) -> ItemEvent:
        return cls(id=0, type=EventType.ITEM_NEW, snapshot=snapshot, topics=snapshot.topic_ids)

    @functools.cached_property
    def folded(self) -> str:
        """The folded text subscribers' own words are looked for in, made once per event."""
        return keywords.folded_text(self.snapshot)


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
    words: tuple[str, ...] = ()  # the subscriber's own words it holds
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
    first: bool = False  # a new subscriber's first digest: the last month's items

    def message_id(self, domain: str) -> str:
        """Deterministic: the same subscriber, window and entries give the same id, so a
        re-plan after a crash is dropped by the outbox; the entries' hash tells apart two
        digests from one window (when held entries keep the cursor where it was)."""
        return (
            f"digest.{self.subscriber.id}.{self.after_event}-{self.until_event}."
            f"{self.entries_hash}@{domain}"
        )

    @functools.cached_property
    def entries_hash(self) -> str:
        told = "|".join(
            f"{e.snapshot.item_id}:{e.snapshot.content_hash}:{e.reason.value}" for e in self.entries
        )
        return hashlib.blake2b(told.encode(), digest_size=5).hexdigest()

    @functools.cached_property
    def told(self) -> tuple[tuple[int, str, str], ...]:
        """What this digest tells, as send-log rows (item, content hash, reason)."""
        rows = [(e.snapshot.item_id, e.snapshot.content_hash, e.reason.value) for e in self.entries]
        rows += [
            (e.covers.item_id, e.covers.content_hash, Reason.NEW.value)
            for e in self.entries
            if e.covers is not None
        ]
        return tuple(rows)

    def for_subscriber(self, subscriber: Subscriber) -> Plan:
        """This digest for another subscriber who would get the same (``digest_groups``)."""
        member = dataclasses.replace(self, subscriber=subscriber)
        # The same entries: hashed and listed once for the whole group.
        member.__dict__["entries_hash"] = self.entries_hash
        member.__dict__["told"] = self.told
        return member


@dataclass(kw_only=True)
class _Pending:
    first_type: EventType
    latest: ItemEvent
    old: ItemSnapshot | None = None


@dataclass(frozen=True, kw_only=True)
class Window:
    """The item events after one cursor, up to the window's end, per item: the same for every
    subscriber at that cursor, so a planning run builds it once per cursor."""

    pending: dict[int, _Pending]  # items told as new or changed, by item id
    decided: dict[int, ItemEvent]  # decisions, by item id
    first_event: dict[tuple[int, bool], int]  # (item, is a decision) -> first event id


Matching = Callable[[ItemEvent], tuple[tuple[str, ...], tuple[str, ...]]]


def window(item_events: Iterable[ItemEvent], *, after: int, until: int) -> Window:
    pending: dict[int, _Pending] = {}
    decided: dict[int, ItemEvent] = {}
    first_event: dict[tuple[int, bool], int] = {}
    for event in item_events:
        if event.id <= after or event.id > until:
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
    return Window(pending=pending, decided=decided, first_event=first_event)


def plan(
    subscriber: Subscriber,
    item_events: Iterable[ItemEvent],
    *,
    told: Told,
    until_event: int,
    max_items: int = 50,
    events: Window | None = None,
    matching: Matching | None = None,
) -> Plan | None:
    """The digest for one subscriber, or None when there is nothing to tell them.

    ``events`` (the window after the subscriber's cursor) and ``matching`` (the subscriber's
    topics and words an event matches) are what a planning run shares between subscribers
    (``digest_groups``); made here from ``item_events`` when not given."""
    if events is None:
        events = window(item_events, after=subscriber.event_cursor, until=until_event)
    if matching is None:
        matching = functools.partial(_matching, subscriber)
    pending, decided, first_event = events.pending, events.decided, events.first_event
    entries: list[Entry] = []
    for item_id, state in pending.items():
        if item_id in decided:
            continue  # a minutes point is told as its decision
        snap = state.latest.snapshot
        topics, words = matching(state.latest)
        if (
            not (topics or words)
            or not subscriber.wants_council(snap.council.value)
            or snap.procedural
            or snap.baseline  # a new source's back catalogue: history, not news
        ):
            continue
        if state.first_type is EventType.ITEM_RECLASSIFIED:
            if item_id in told.items:
                continue  # already told about under its earlier topics
            reason = Reason.NEW
        elif state.first_type is EventType.ITEM_CHANGED:
            reason = Reason.CHANGED
        else:
            reason = Reason.NEW
        if any((item_id, snap.content_hash, r) in told.versions for r in Reason):
            # A version told as a decision was told too: a minutes point reclassified after
            # its decision went out is not news (``told.items`` leaves decisions out).
            continue
        old = state.old if reason is Reason.CHANGED else None
        entries.append(
            Entry(
                snapshot=snap,
                reason=reason,
                topics=topics,
                words=words,
                old=old,
                reclassified=state.first_type is EventType.ITEM_RECLASSIFIED,
            )
        )

    in_this = {entry.snapshot.item_id: entry for entry in entries}
    for item_id, event in decided.items():
        snap = event.snapshot
        if (item_id, snap.content_hash, Reason.DECIDED) in told.versions:
            continue
        if _excludes(subscriber, event):
            # Checked here, not only by ``matching``: a follow-up is told without a match.
            continue
        topics, words = matching(event)
        agenda = in_this.get(snap.decides_item_id) if snap.decides_item_id is not None else None
        follow_up = snap.decides_item_id is not None and snap.decides_item_id in told.items
        if not (follow_up or agenda) and not (
            (topics or words)
            and subscriber.wants_council(snap.council.value)
            and not snap.procedural
            and not snap.baseline
        ):
            continue
        covers = None
        if agenda is not None and agenda.reason is Reason.NEW and agenda in entries:
            # The agenda point and its decision arrive together: one entry tells both.
            entries.remove(agenda)
            covers = agenda.snapshot
            topics = topics or agenda.topics
            words = words or agenda.words
        entries.append(
            Entry(
                snapshot=snap,
                reason=Reason.DECIDED,
                topics=topics,
                words=words,
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


def first(
    subscriber: Subscriber,
    entries: Iterable[ArchiveEntry],
    *,
    since: datetime,
    max_items: int = 50,
) -> Plan | None:
    """A new subscriber's first digest: the archive's points dated from ``since`` on that match
    their topics, words and councils, a point and its decision as one entry. A new source's
    back catalogue counts too: they asked for the history. Its window is empty: the cursor
    stays where confirming put it, and the send log keeps these versions from being told
    again."""
    found: list[Entry] = []
    for archived in entries:
        snap = archived.snapshot
        if archived.published < since or snap.procedural:
            continue
        topics, words = _matching(subscriber, ItemEvent.of_snapshot(snap))
        if not (topics or words) or not subscriber.wants_council(snap.council.value):
            continue
        decision = archived.decision
        if decision is not None and _excludes(subscriber, ItemEvent.of_snapshot(decision)):
            # The decision holds an excluded word: the agenda point is told without it.
            decision = None
        if decision is not None:
            found.append(
                Entry(
                    snapshot=decision,
                    reason=Reason.DECIDED,
                    topics=topics,
                    words=words,
                    covers=snap,
                )
            )
        else:
            found.append(Entry(snapshot=snap, reason=Reason.NEW, topics=topics, words=words))
    if not found:
        return None
    found.sort(key=_recency, reverse=True)
    return Plan(
        subscriber=subscriber,
        entries=tuple(found[:max_items]),
        after_event=subscriber.event_cursor,
        until_event=subscriber.event_cursor,
        first=True,
    )


def _matching(subscriber: Subscriber, event: ItemEvent) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the subscriber's topics, the subscriber's own words) the item matches; neither when it
    holds one of their excluded words."""
    if ALL in subscriber.topics:
        topics = event.topics
    else:
        topics = tuple(topic for topic in event.topics if topic in subscriber.topics)
    if not (subscriber.keywords or subscriber.excluded):
        return topics, ()
    words = keywords.matcher(subscriber.keywords, subscriber.excluded)
    if words.excludes(event.folded):
        return (), ()
    return topics, words.found(event.folded)


def _excludes(subscriber: Subscriber, event: ItemEvent) -> bool:
    """Whether the item holds one of the subscriber's excluded words."""
    return bool(subscriber.excluded) and keywords.matcher((), subscriber.excluded).excludes(
        event.folded
    )


def _recency(entry: Entry) -> tuple[datetime, int]:
    snap = entry.snapshot
    when = snap.meeting_starts_at
    if when is None and snap.document_date:
        when = datetime.combine(snap.document_date, time(), tzinfo=UTC)
    return (when or datetime.min.replace(tzinfo=UTC), snap.version_id)


def told_by_subscriber(rows: Iterable[tuple[int, int, str, str]]) -> dict[int, Told]:
    """Send-log rows (subscriber, item, content hash, reason) grouped per subscriber."""
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


def relevant_items(item_events: Sequence[ItemEvent]) -> set[int]:
    """The items (and the agenda points decisions refer to) whose send log matters."""
    ids: set[int] = set()
    for event in item_events:
        ids.add(event.snapshot.item_id)
        if event.snapshot.decides_item_id is not None:
            ids.add(event.snapshot.decides_item_id)
    return ids


def told_rows(plan: Plan) -> list[tuple[int, str, str]]:
    """What a digest tells, as send-log rows (item, content hash, reason)."""
    return list(plan.told)
