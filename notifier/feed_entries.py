"""Pure: item events folded into what the feeds and the archive show.

* One entry per newsletter section and per agenda point. When the minutes bring a point's
  decision (``item.decided``), the decision joins the agenda point's entry, which is updated in
  place: a feed reader sees the entry change, not a second one with the same title. A minutes
  point whose agenda point is not (or no longer) in view stays an entry of its own.
* An entry is dated by its document (the meeting's start, else the document's own date), not
  by when it was fetched, and the feeds and the archive are ordered by that date. ``updated``
  moves on only for news seen after the fact: a change to a point, or a decision, found by a
  later poll (a new source's back catalogue moves nothing).
* Procedural points ("Godkendelse af dagsorden", "Eventuelt") and removed items are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from notifier.models import Council, Event, EventType, ItemSnapshot

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
FEED_EVENTS = (
    EventType.ITEM_NEW,
    EventType.ITEM_CHANGED,
    EventType.ITEM_DECIDED,
    EventType.ITEM_RECLASSIFIED,
    EventType.ITEM_REMOVED,
)
_VERSION_EVENTS = (EventType.ITEM_NEW, EventType.ITEM_CHANGED, EventType.ITEM_DECIDED)

FeedKey = tuple[str | None, Council | None]
"""What a feed selects: (topic, council), either None for all."""


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One point in the feeds and the archive."""

    snapshot: ItemSnapshot  # the point (or section) as last told
    published: datetime  # its document's own date
    updated: datetime  # published, or when a later change or decision was seen
    decision: ItemSnapshot | None = None  # the minutes point that decided it

    @property
    def item_id(self) -> int:
        return self.snapshot.item_id


@dataclass(frozen=True, kw_only=True)
class Recent:
    """The entries the feeds show, and when what each selection shows last changed.

    A feed can change without a newer entry in it: an item is removed, or reclassified out of
    a topic, or lets an older one back into the newest ones. So a feed's Last-Modified is the
    time of the newest event that touched an item it selects, before or after that event.
    """

    entries: list[Entry]
    changed: dict[FeedKey, datetime]


def document_time(snapshot: ItemSnapshot) -> datetime | None:
    """When the point's document is dated: the meeting's start, else the document's date."""
    if snapshot.meeting_starts_at is not None:
        return snapshot.meeting_starts_at
    if snapshot.document_date is not None:
        return datetime.combine(snapshot.document_date, time(), COPENHAGEN).astimezone(UTC)
    return None


def keys(snapshot: ItemSnapshot) -> list[FeedKey]:
    """Every feed selection the snapshot is in."""
    found: list[FeedKey] = [(None, None), (None, snapshot.council)]
    for topic in snapshot.topic_ids:
        found += [(topic, None), (topic, snapshot.council)]
    return found


def fold(events: Iterable[Event]) -> Recent:
    """Fold item events (any order) into one entry per point, newest document first."""
    folding = Folding()
    folding.add(events)
    return folding.recent()


class Folding:
    """``fold`` kept open: events are added in batches, each newer than the last, and the
    entries stay in memory between them, so one new item costs one event's work, not a
    re-read of them all."""

    def __init__(self) -> None:
        self._entries: dict[int, Entry] = {}
        self._merged: dict[int, int] = {}  # minutes item -> the agenda item whose entry holds it
        self._decisions: dict[int, ItemSnapshot] = {}  # each merged minutes item's last version
        self._removed: set[int] = set()
        self._seen: dict[int, ItemSnapshot] = {}  # each item's last snapshot, removed or not
        self._changed: dict[FeedKey, datetime] = {}
        self._order: dict[int, tuple[Entry, tuple[float, tuple[int, ...], int]]] = {}
        self.last_id = 0  # the newest event folded in
        self.count = 0  # events folded in

    def add(self, events: Iterable[Event]) -> set[FeedKey]:
        """Fold in events newer than those added before; return every selection whose
        entries or Last-Modified may have changed (a superset: rendering one more is safe)."""
        touched: set[FeedKey] = set()
        before: dict[int, Entry | None] = {}
        for event in sorted(events, key=lambda e: e.id):
            self.last_id = max(self.last_id, event.id)
            if event.item_id is None:
                continue
            self.count += 1
            snapshot = event.snapshot
            for item_id in (snapshot.item_id, snapshot.decides_item_id):
                if item_id is not None:
                    agenda = self._merged.get(item_id, item_id)
                    for found in (item_id, agenda):
                        before.setdefault(found, self._entries.get(found))
            # Every entry the event touched: a decision leaving or joining an agenda point's
            # entry changes that entry's feeds as well as the minutes point's own.
            for target in self._apply(event, snapshot):
                earlier = self._seen.get(target)
                shown = self._entries[target].snapshot if target in self._entries else snapshot
                for key in {*keys(shown), *(keys(earlier) if earlier else ())}:
                    if key not in self._changed or self._changed[key] < event.created_at:
                        self._changed[key] = event.created_at
                    touched.add(key)
                self._seen[target] = shown
        for item_id, old in before.items():
            new = self._entries.get(item_id)
            for entry in (old, new):
                if entry is not None:
                    touched.update(keys(entry.snapshot))
        return touched

    def recent(self) -> Recent:
        live = [
            entry
            for item_id, entry in self._entries.items()
            if item_id not in self._removed and not entry.snapshot.procedural
        ]
        live.sort(key=self._sort_key)
        return Recent(entries=live, changed=dict(self._changed))

    def _sort_key(self, entry: Entry) -> tuple[float, tuple[int, ...], int]:
        # Kept per entry: re-sorting after one new item then costs no recomputed keys.
        cached = self._order.get(entry.item_id)
        if cached is None or cached[0] is not entry:
            cached = (entry, _newest_first(entry))
            self._order[entry.item_id] = cached
        return cached[1]

    def _apply(self, event: Event, snapshot: ItemSnapshot) -> list[int]:
        """Fold one event in; returns the ids of the entries it touched, its own first."""
        entries, merged = self._entries, self._merged
        item_id = snapshot.item_id
        touched = [item_id]
        agenda = merged.get(item_id)
        if agenda is not None and (
            event.type is EventType.ITEM_REMOVED
            or (event.type in _VERSION_EVENTS and snapshot.decides_item_id != agenda)
        ):
            # It no longer decides that agenda point (republished minutes where the point is
            # another matter): the decision leaves the point's entry. A changed minutes point's
            # item.changed carries no link; the item.decided after it, if it still decides the
            # point, joins it again below.
            self._unmerge(item_id, event)
            touched.append(agenda)
            agenda = None
        decides = snapshot.decides_item_id
        if (
            event.type is EventType.ITEM_DECIDED
            and decides in entries
            and decides not in self._removed  # a removed point's entry would hide its decision
        ):
            merged[item_id] = decides
            self._decisions[item_id] = snapshot
            entries.pop(item_id, None)  # the minutes point's own entry, from its item.new
            entries[decides] = _later(entries[decides], event, decision=snapshot)
            return [decides, *touched]
        if agenda is not None:  # new topics for a decision joined to its point: not shown
            return [agenda]
        current = entries.get(item_id)
        if event.type is EventType.ITEM_REMOVED:
            self._removed.add(item_id)
            touched += self._release(item_id)
        elif event.type is EventType.ITEM_RECLASSIFIED:
            self._removed.discard(item_id)
            # New topics for the same version: the entry moves between feeds but is not
            # "updated".
            if current is not None:
                entries[item_id] = replace(
                    current, snapshot=replace(current.snapshot, topics=snapshot.topics)
                )
        elif event.type in _VERSION_EVENTS:
            self._removed.discard(item_id)
            if current is None:
                published = document_time(snapshot) or event.created_at
                entries[item_id] = Entry(snapshot=snapshot, published=published, updated=published)
            else:
                entries[item_id] = replace(_later(current, event), snapshot=snapshot)
        return touched

    def _unmerge(self, item_id: int, event: Event) -> None:
        """Take a minutes point's decision out of its agenda point's entry (another decision
        of that point shows instead, if any); unless it was removed, it is its own entry again,
        as the version last shown, for the event to fold into."""
        agenda = self._merged.pop(item_id)
        last = self._decisions.pop(item_id)
        entry = self._entries[agenda]
        others = [s for m, s in self._decisions.items() if self._merged[m] == agenda]
        if event.type is not EventType.ITEM_REMOVED:
            entry = _later(entry, event)  # the point's entry changed: news for its readers
            published = document_time(last) or entry.published
            self._entries[item_id] = Entry(snapshot=last, published=published, updated=published)
        self._entries[agenda] = replace(entry, decision=others[-1] if others else None)

    def _release(self, agenda: int) -> list[int]:
        """A removed agenda point's decisions become entries of their own: the minutes still
        hold them. Returns their ids."""
        entry = self._entries.get(agenda)
        if entry is None or entry.decision is None:
            return []  # no decision joined (the scan below is for decided points only)
        joined = [m for m, a in self._merged.items() if a == agenda]
        for item_id in joined:
            del self._merged[item_id]
            last = self._decisions.pop(item_id)
            published = document_time(last) or entry.published
            # Seen when the decision joined the point's entry, not now.
            self._entries[item_id] = Entry(
                snapshot=last, published=published, updated=max(published, entry.updated)
            )
        self._entries[agenda] = replace(entry, decision=None)
        return joined


def _later(entry: Entry, event: Event, *, decision: ItemSnapshot | None = None) -> Entry:
    """The entry after news about it: ``updated`` moves to when the news was seen, unless it
    came with a source's back catalogue (then to the news's own date at most)."""
    snapshot = event.snapshot
    seen_at = (document_time(snapshot) or entry.updated) if snapshot.baseline else event.created_at
    return replace(
        entry,
        decision=decision if decision is not None else entry.decision,
        updated=max(entry.updated, seen_at),
    )


def _newest_first(entry: Entry) -> tuple[float, tuple[int, ...], int]:
    """Newest document first; a meeting's points in their agenda order."""
    number = tuple(int(part) for part in (entry.snapshot.number or "").split(".") if part.isdigit())
    return (-entry.published.timestamp(), number, entry.item_id)


def select(entries: Sequence[Entry], key: FeedKey, limit: int) -> list[Entry]:
    """The newest ``limit`` entries a feed selection holds."""
    topic, council = key
    chosen = (
        entry
        for entry in entries
        if (council is None or entry.snapshot.council is council)
        and (topic is None or topic in entry.snapshot.topic_ids)
    )
    return list(islice(chosen, limit))  # stops at the limit: no scan of the older entries
