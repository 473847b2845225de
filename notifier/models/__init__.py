"""Typed records that flow through the pipeline.

Pure stages (extract, split, diff, classify, digest planning) take and return these values;
only ``store`` turns them into rows. Nothing here does I/O. One module per family of records;
import them from here.
"""

from notifier.models.documents import (
    DISMISSED,
    Document,
    Item,
    Meeting,
    StoredDocument,
    StoredItem,
    StoredMeeting,
    canonical,
    content_hash,
    slug,
    unique_keys,
)
from notifier.models.events import (
    DocumentPayload,
    Event,
    ItemSnapshot,
    MeetingPayload,
    Payload,
    SourcePayload,
)
from notifier.models.kinds import (
    ALL,
    COUNCIL_NAMES,
    Council,
    DocumentKind,
    EventType,
    Frequency,
    SourceKind,
    SubscriberState,
)
from notifier.models.outbox import Message, OutboxMessage
from notifier.models.sources import (
    CLOCK_SKEW,
    FetchState,
    SourceState,
    Validators,
    from_the_future,
)
from notifier.models.subscribers import Subscriber
from notifier.models.topics import Evidence, Topic, TopicMatch

__all__ = [
    "ALL",
    "CLOCK_SKEW",
    "COUNCIL_NAMES",
    "DISMISSED",
    "Council",
    "Document",
    "DocumentKind",
    "DocumentPayload",
    "Event",
    "EventType",
    "Evidence",
    "FetchState",
    "Frequency",
    "Item",
    "ItemSnapshot",
    "Meeting",
    "MeetingPayload",
    "Message",
    "OutboxMessage",
    "Payload",
    "SourceKind",
    "SourcePayload",
    "SourceState",
    "StoredDocument",
    "StoredItem",
    "StoredMeeting",
    "Subscriber",
    "SubscriberState",
    "Topic",
    "TopicMatch",
    "Validators",
    "canonical",
    "content_hash",
    "from_the_future",
    "slug",
    "unique_keys",
]
