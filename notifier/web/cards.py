"""Pure: archive entries as the pages show them, every value a plain string the templates
escape (an excerpt from ``render.excerpt``, the date in Danish, the decision when it came)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from notifier import danish
from notifier.feed_entries import Entry
from notifier.models import DocumentKind, ItemSnapshot
from notifier.point_text import point_summary
from notifier.prose import authored_lines
from notifier.render import INDSTILLING_CHARS, KIND_WORDS, excerpt, shorten
from notifier.untrusted import safe_url

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True, kw_only=True)
class Card:
    item_id: int
    heading: str  # "3. Title" for an agenda point
    url: str  # the point's own page
    document_url: str  # empty when not http(s)
    document: str  # "Dagsorden, punkt 3 · Dagsorden KKR Hovedstaden 19. april 2021"
    council: str
    day: str  # "19. april 2021"
    iso_day: str
    excerpt: str
    topics: tuple[str, ...]  # topic names
    decided: str  # the decision, shortened; empty until the minutes came


def card(entry: Entry, topic_names: Mapping[str, str]) -> Card:
    snap = entry.snapshot
    day = entry.published.astimezone(COPENHAGEN).date()
    decision = entry.decision.beslutning if entry.decision else snap.beslutning
    return Card(
        item_id=snap.item_id,
        heading=f"{snap.number}. {snap.title}" if snap.number else snap.title,
        url=f"/punkt/{snap.item_id}",
        document_url=safe_url(snap.document_url, ""),
        document=_document(snap),
        council=snap.council.danish_name,
        day=danish.long_date(day),
        iso_day=day.isoformat(),
        excerpt=excerpt(
            snap.title,
            snap.text,
            point=snap.number is not None,
            decision=decision,
            lines=authored_lines(snap.document_url),
        ),
        topics=tuple(topic_names.get(topic, topic) for topic in snap.topic_ids),
        decided=shorten(decision or "", INDSTILLING_CHARS),
    )


def _document(snap: ItemSnapshot) -> str:
    kind = KIND_WORDS[snap.document_kind]
    where = f"{kind}, punkt {snap.number}" if snap.number else kind
    return f"{where} · {snap.document_title}"


@dataclass(frozen=True, kw_only=True)
class Point:
    """One agenda point (or newsletter section) on its own page."""

    card: Card
    paragraphs: tuple[str, ...]  # the point's text (without Indstilling and Beslutning)
    case_number: str
    indstilling: tuple[str, ...]
    beslutning: tuple[str, ...]
    decision_url: str  # the minutes the decision is in
    awaits_minutes: bool  # an agenda point whose minutes have not come
    meeting_place: str


def point(entry: Entry, topic_names: Mapping[str, str]) -> Point:
    snap = entry.snapshot
    decision = entry.decision
    beslutning = decision.beslutning if decision else snap.beslutning
    text = point_summary(snap.text, beslutning) if snap.number is not None else snap.text
    return Point(
        card=card(entry, topic_names),
        paragraphs=_paragraphs(text, title=snap.title),
        case_number=snap.case_number or "",
        indstilling=_paragraphs(snap.indstilling or ""),
        beslutning=_paragraphs(beslutning or ""),
        decision_url=safe_url(decision.document_url, "") if decision else "",
        awaits_minutes=snap.document_kind is DocumentKind.AGENDA and not beslutning,
        meeting_place=snap.meeting_place or "",
    )


def _paragraphs(text: str, *, title: str = "") -> tuple[str, ...]:
    found = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text) if part.strip()]
    if found and title and found[0].casefold() == " ".join(title.split()).casefold():
        found = found[1:]
    return tuple(found)
