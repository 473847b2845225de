"""Typed records that flow through the pipeline.

Pure stages (extract, split, diff, classify, digest planning) take and return these values;
only ``store`` turns them into rows. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True, kw_only=True)
class Meeting:
    """The meeting an agenda or minutes document belongs to."""

    council: Council | None
    starts_at: datetime | None  # aware, Europe/Copenhagen
    place: str | None = None
    on: date | None = None  # the day, when only the day is known (a bilag listed under it)

    @property
    def day(self) -> date | None:
        return self.starts_at.date() if self.starts_at else self.on


@dataclass(frozen=True, kw_only=True)
class Document:
    """One fetched document after extraction: clean text, no markup, no page chrome."""

    url: str
    kind: DocumentKind
    title: str
    date: date | None  # publication date (newsletter) or meeting date (agenda/minutes)
    text: str  # normalised full text (NFC, no control characters, hyphenation rejoined)
    content_type: str = "text/html"
    meeting: Meeting | None = None
    supplementary: bool = False  # a tillægsdagsorden: a change to a known meeting
    links: tuple[str, ...] = ()  # absolute links found in the document (bilag, referat, ...)
    html: str | None = None  # main-content HTML for newsletters, for splitting by headings
    # (heading, body) pairs found by the extractor when the markup shows them; split.py uses
    # them for newsletters and falls back to text heuristics when empty.
    sections: tuple[tuple[str, str], ...] = ()
    council: Council | None = None  # as given by the source, else inferred from the text


@dataclass(frozen=True, kw_only=True)
class Item:
    """A newsletter section or an agenda/minutes point."""

    key: str  # stable within its document: "3.2" for a point, a slug of the heading for a section
    position: int  # order within the document, from 0
    title: str
    text: str
    number: str | None = None  # "3.2" (no trailing dot)
    case_number: str | None = None  # "SAG-2021-01954"
    indstilling: str | None = None
    beslutning: str | None = None  # minutes only
    procedural: bool = False

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.text, self.indstilling or "", self.beslutning or "")


@dataclass(frozen=True, kw_only=True)
class TopicMatch:
    """Why an item belongs to a topic: its score and the evidence that decided it."""

    topic: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Evidence:
    term: str  # the configured term that matched
    matched: str  # the text as it stood in the item
    where: str  # "title" or "text" (or "indstilling", "beslutning")


@dataclass(frozen=True, kw_only=True)
class Topic:
    id: str
    name: str  # Danish display name
    description: str = ""
    terms: dict[str, float] = field(default_factory=dict)  # term -> weight


_FOLD = re.compile(r"[\W_]+", re.UNICODE)


def canonical(text: str) -> str:
    """A form of the text that ignores whitespace, hyphenation, punctuation and case.

    Identity and change detection use it, so re-extracting the same page with different line
    breaks or soft hyphens is not a change.
    """
    return _FOLD.sub("", unicodedata.normalize("NFC", text).casefold())


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(canonical(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def slug(text: str, max_length: int = 80) -> str:
    """A URL- and key-safe ASCII slug; Danish letters are spelled out (æ->ae, ø->oe, å->aa)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    for src, dst in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        folded = folded.replace(src, dst)
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_length].rstrip("-")


@dataclass(frozen=True, kw_only=True)
class ItemSnapshot:
    """An item version as later stages see it: the payload of every ``item.*`` event.

    A snapshot carries everything a digest, a feed entry or an alert needs, so consumers read
    the events table and never re-join the ingest tables.
    """

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

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(match.topic for match in self.topics)

    def to_json(self) -> dict[str, object]:
        return {
            "item_id": self.item_id,
            "version_id": self.version_id,
            "council": self.council.value,
            "document_id": self.document_id,
            "document_url": self.document_url,
            "document_title": self.document_title,
            "document_kind": self.document_kind.value,
            "document_date": self.document_date.isoformat() if self.document_date else None,
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "case_number": self.case_number,
            "indstilling": self.indstilling,
            "beslutning": self.beslutning,
            "procedural": self.procedural,
            "topics": [topic_match_to_json(match) for match in self.topics],
            "content_hash": self.content_hash,
            "meeting_starts_at": self.meeting_starts_at.isoformat()
            if self.meeting_starts_at
            else None,
            "meeting_place": self.meeting_place,
            "old": self.old.to_json() if self.old else None,
            "decides_item_id": self.decides_item_id,
            "decides_title": self.decides_title,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ItemSnapshot:
        def opt_str(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value is not None else None

        raw_topics = data.get("topics") or []
        assert isinstance(raw_topics, list)
        old = data.get("old")
        doc_date = opt_str("document_date")
        starts = opt_str("meeting_starts_at")
        decides = data.get("decides_item_id")
        return cls(
            item_id=int(str(data["item_id"])),
            version_id=int(str(data["version_id"])),
            council=Council(str(data["council"])),
            document_id=int(str(data["document_id"])),
            document_url=str(data["document_url"]),
            document_title=str(data["document_title"]),
            document_kind=DocumentKind(str(data["document_kind"])),
            document_date=date.fromisoformat(doc_date) if doc_date else None,
            number=opt_str("number"),
            title=str(data["title"]),
            text=str(data["text"]),
            case_number=opt_str("case_number"),
            indstilling=opt_str("indstilling"),
            beslutning=opt_str("beslutning"),
            procedural=bool(data.get("procedural")),
            topics=tuple(topic_match_from_json(raw) for raw in raw_topics),
            content_hash=str(data.get("content_hash") or ""),
            meeting_starts_at=datetime.fromisoformat(starts) if starts else None,
            meeting_place=opt_str("meeting_place"),
            old=cls.from_json(old) if isinstance(old, dict) else None,
            decides_item_id=int(str(decides)) if decides is not None else None,
            decides_title=opt_str("decides_title"),
        )


def topic_match_to_json(match: TopicMatch) -> dict[str, object]:
    return {
        "topic": match.topic,
        "score": round(match.score, 4),
        "evidence": [
            {"term": e.term, "matched": e.matched, "where": e.where} for e in match.evidence
        ],
    }


def topic_match_from_json(raw: object) -> TopicMatch:
    assert isinstance(raw, dict)
    return TopicMatch(
        topic=str(raw["topic"]),
        score=float(raw["score"]),
        evidence=tuple(
            Evidence(term=str(e["term"]), matched=str(e["matched"]), where=str(e["where"]))
            for e in raw.get("evidence", [])
        ),
    )


@dataclass(frozen=True, kw_only=True)
class StoredItem:
    """The current version of an item as the store holds it, for diffing against a new fetch."""

    id: int
    key: str
    position: int
    number: str | None
    title: str
    text: str
    content_hash: str
    version_id: int
    case_number: str | None = None
    indstilling: str | None = None
    beslutning: str | None = None
    procedural: bool = False
    topics: tuple[TopicMatch, ...] = ()
    decides_item_id: int | None = None
