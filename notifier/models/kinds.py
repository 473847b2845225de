"""The closed sets of values the whole service speaks in: councils, kinds, states, event types."""

from __future__ import annotations

from enum import StrEnum


class Council(StrEnum):
    """The five KKRs. The value is the id used in config, URLs and feeds."""

    HOVEDSTADEN = "hovedstaden"
    SJAELLAND = "sjaelland"
    SYDDANMARK = "syddanmark"
    MIDTJYLLAND = "midtjylland"
    NORDJYLLAND = "nordjylland"

    @property
    def danish_name(self) -> str:
        return COUNCIL_NAMES[self]


COUNCIL_NAMES: dict[Council, str] = {
    Council.HOVEDSTADEN: "KKR Hovedstaden",
    Council.SJAELLAND: "KKR Sjælland",
    Council.SYDDANMARK: "KKR Syddanmark",
    Council.MIDTJYLLAND: "KKR Midtjylland",
    Council.NORDJYLLAND: "KKR Nordjylland",
}


class SourceKind(StrEnum):
    LISTING = "listing"  # an HTML page whose links lead to documents
    FEED = "feed"  # RSS or Atom, one document per entry
    PAGE = "page"  # one page watched as a single document


class DocumentKind(StrEnum):
    NEWSLETTER = "newsletter"
    AGENDA = "agenda"  # dagsorden, including a tillægsdagsorden
    MINUTES = "minutes"  # referat
    OTHER = "other"


ALL = "all"  # in a subscriber's topics or councils: every one, including those added later


class Frequency(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


class SubscriberState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"


class EventType(StrEnum):
    DOCUMENT_NEW = "document.new"
    DOCUMENT_CHANGED = "document.changed"
    DOCUMENT_HELD = "document.held"  # the quality gate holds it for review; nobody is told
    DOCUMENT_RELEASED = "document.released"  # released after review (or it passes now)
    ITEM_NEW = "item.new"
    ITEM_CHANGED = "item.changed"
    ITEM_REMOVED = "item.removed"
    ITEM_DECIDED = "item.decided"  # a minutes point recorded the decision of an agenda point
    ITEM_RECLASSIFIED = "item.reclassified"  # topics changed after topics.toml changed
    MEETING_NEW = "meeting.new"
    MEETING_CHANGED = "meeting.changed"  # moved, or a tillægsdagsorden / new bilag arrived
    SOURCE_FAILED = "source.failed"
    SOURCE_BROKEN = "source.broken"
    SOURCE_SUSPECT = "source.suspect"
    SOURCE_RECOVERED = "source.recovered"

    @property
    def is_item(self) -> bool:
        return self.value.startswith("item.")
