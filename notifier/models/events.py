"""Events: the durable log later stages consume, one small typed payload per kind.

``item.*`` events carry an ``ItemSnapshot``, everything a digest, a feed entry or an alert needs,
so consumers read events and never re-join the ingest tables. Payloads go to and from JSON
through ``notifier.models.serialize``, the one serializer; the store keeps an item snapshot's
text, indstilling and beslutning once, in its item version, and puts them back on every read
(``notifier.store.events``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from notifier.models.kinds import Council, DocumentKind, EventType
from notifier.models.topics import TopicMatch


@dataclass(frozen=True, kw_only=True)
class ItemSnapshot:
    """An item version as later stages see it: the payload of every ``item.*`` event."""

    item_id: int
    version_id: int
    council: Council
    document_id: int
    document_url: str
    document_title: str
    document_kind: DocumentKind
    document_date: date | None
    number: str | None
    title: str
    text: str
    case_number: str | None = None
    indstilling: str | None = None
    beslutning: str | None = None
    procedural: bool = False
    topics: tuple[TopicMatch, ...] = ()
    content_hash: str = ""
    meeting_starts_at: datetime | None = None
    meeting_place: str | None = None
    old: ItemSnapshot | None = None  # item.changed: the version before
    decides_item_id: int | None = None  # item.decided: the agenda point this minutes point decides
    decides_title: str | None = None
    # From a source's first poll: history for the archive and the feeds, not news to mail.
    baseline: bool = False

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """Strongest first: the classifier orders its matches by score."""
        return tuple(match.topic for match in self.topics)


@dataclass(frozen=True, kw_only=True)
class DocumentPayload:
    """``document.new`` / ``document.changed``."""

    document_id: int
    council: Council
    url: str
    title: str
    kind: DocumentKind
    date: date | None
    content_type: str
    review: tuple[str, ...] = ()  # document.held: why


@dataclass(frozen=True, kw_only=True)
class MeetingPayload:
    """``meeting.new`` / ``meeting.changed`` (moved, or a new document for the meeting)."""

    meeting_id: int
    council: Council
    day: date
    starts_at: datetime | None
    place: str | None
    document_url: str
    document_kind: DocumentKind
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class SourcePayload:
    """``source.*``: a failed poll, a held-back result, a recovery."""

    source_id: str
    council: Council
    reason: str | None = None
    consecutive_failures: int | None = None  # source.failed
    previous: str | None = None  # source.recovered: the state it recovered from


Payload = ItemSnapshot | DocumentPayload | MeetingPayload | SourcePayload

PAYLOAD_TYPES: dict[str, type[Payload]] = {
    "item": ItemSnapshot,
    "document": DocumentPayload,
    "meeting": MeetingPayload,
    "source": SourcePayload,
}


def payload_type(event_type: EventType) -> type[Payload]:
    return PAYLOAD_TYPES[event_type.value.split(".", 1)[0]]


@dataclass(frozen=True, kw_only=True)
class Event:
    id: int
    type: EventType
    created_at: datetime
    source_id: str | None
    document_id: int | None
    item_id: int | None
    payload: Payload

    @property
    def snapshot(self) -> ItemSnapshot:
        """The item version an ``item.*`` event carries."""
        if not isinstance(self.payload, ItemSnapshot):
            raise TypeError(f"{self.type} carries no item snapshot")
        return self.payload
