"""Documents, their items and meetings: as extracted, and as the store holds them.

Identity helpers live here too (``canonical``, ``content_hash``, ``slug``): a version is a hash
of the canonical text, so whitespace, hyphenation and case are never a change.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from notifier.models.kinds import Council, DocumentKind
from notifier.models.topics import TopicMatch


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

    @cached_property
    def content_hash(self) -> str:
        # Cached: diffing, storing and every event of one poll ask for it.
        return content_hash(self.title, self.text, self.indstilling or "", self.beslutning or "")


# ASCII's characters that are not letters or digits, as bytes, to delete from UTF-8 text.
_ASCII_NOT_ALNUM = bytes(code for code in range(128) if not chr(code).isalnum())


def canonical(text: str) -> str:
    """A form of the text that ignores whitespace, hyphenation, punctuation and case: its
    letters and digits (``str.isalnum``; what ``re.sub(r"[\\W_]+", "", ...)`` keeps) of
    the NFC form, case-folded.

    Identity and change detection use it, so re-extracting the same page with different line
    breaks or soft hyphens is not a change. Every stored content hash is of this form, so it
    must never change; it is built with C-speed string calls (ASCII punctuation deleted as
    bytes, then each other kind of character that is not a letter or digit) rather than a
    regex, which took twice as long, and every new document and item is hashed.
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    # UTF-8 puts no byte below 0x80 inside a multi-byte character, so deleting ASCII bytes
    # leaves the others whole; surrogatepass keeps a lone surrogate (not alnum: removed below).
    kept = (
        folded.encode("utf-8", "surrogatepass")
        .translate(None, _ASCII_NOT_ALNUM)
        .decode("utf-8", "surrogatepass")
    )
    if not kept.isascii():
        for char in set(kept):
            if not char.isalnum():
                kept = kept.replace(char, "")
    return kept


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


def unique_keys(bases: Sequence[str]) -> list[str]:
    """One key per item, unique within its document, from the key each would have alone (a
    heading's slug, a point's number).

    A key decides which stored item an item is on the next poll, so it must not move when the
    document has not changed, and should move little when it has: an item takes its own base
    key if no earlier item did, and a repeat takes "base-2", "base-3", ... by its occurrence,
    skipping any that is another item's own base key ("Nyt fra KKR 2" keeps "nyt-fra-kkr-2";
    the second "Nyt fra KKR" becomes "nyt-fra-kkr-3"). When nothing collides these are the
    keys repeats always had."""
    used = set(bases)
    following: dict[str, int] = {}  # base -> the suffix its next repeat tries first
    keys: list[str] = []
    for base in bases:
        suffix = following.get(base)
        if suffix is None:
            following[base] = 2
            keys.append(base)
            continue
        while f"{base}-{suffix}" in used:
            suffix += 1
        key = f"{base}-{suffix}"
        used.add(key)
        following[base] = suffix + 1
        keys.append(key)
    return keys


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


# A stored document's review when the secretariat dismissed it: told to nobody, off the list.
DISMISSED = "dismissed"


@dataclass(frozen=True, kw_only=True)
class StoredDocument:
    id: int
    source_id: str
    key: str
    url: str
    kind: DocumentKind
    council: Council
    title: str
    date: date | None
    content_hash: str
    meeting_id: int | None
    supplementary: bool
    review: tuple[str, ...] = ()  # why the quality gate holds it; () when it may be told


@dataclass(frozen=True, kw_only=True)
class StoredMeeting:
    id: int
    council: Council
    day: date
    starts_at: datetime | None
    place: str | None
    title: str
    agenda_url: str | None
    updated_at: datetime

    @property
    def meeting(self) -> Meeting:
        return Meeting(
            council=self.council, starts_at=self.starts_at, place=self.place, on=self.day
        )
