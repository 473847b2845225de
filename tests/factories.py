"""Put realistic ingest results in a test database through the real ingest path.

Digest, feed and web tests need items with known topics; they get them from ``publish``, which
builds a Document and Items and runs ``ingest.plan_document`` + ``ingest.apply`` exactly as a
poll does, with a classifier that returns the topics the test names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from notifier import ingest
from notifier.config import SourceConfig
from notifier.models import (
    Council,
    Document,
    DocumentKind,
    EventType,
    Evidence,
    Item,
    ItemSnapshot,
    Meeting,
    SourceKind,
    TopicMatch,
    slug,
)
from notifier.store import events as store_events
from notifier.store import sources as store_sources

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True, kw_only=True)
class Spec:
    """One item to publish: a newsletter section or an agenda/minutes point."""

    title: str
    text: str = "KKR drøftede sagen."
    topics: Sequence[str] = ()
    number: str | None = None
    case_number: str | None = None
    indstilling: str | None = None
    beslutning: str | None = None
    procedural: bool = False


class SpecClassifier:
    """Returns the topics each Spec named, with evidence pointing at its title."""

    version = "test"

    def __init__(self, specs: Sequence[Spec]) -> None:
        self._topics = {spec.title: tuple(spec.topics) for spec in specs}

    def classify_item(self, item: Item) -> tuple[TopicMatch, ...]:
        return tuple(
            TopicMatch(
                topic=topic,
                score=1.0,
                evidence=(Evidence(term=topic, matched=item.title[:30], where="title"),),
            )
            for topic in self._topics.get(item.title, ())
        )


async def publish(
    conn: AsyncConnection,
    specs: Sequence[Spec],
    *,
    council: Council = Council.HOVEDSTADEN,
    kind: DocumentKind = DocumentKind.AGENDA,
    day: date = date(2021, 4, 19),
    title: str | None = None,
    url: str | None = None,
    now: datetime | None = None,
) -> list[ItemSnapshot]:
    """Store one document with these items; return the snapshots of the events it appended."""
    now = now or datetime.now(UTC)
    source_id = f"test-{council.value}"
    await store_sources.ensure(
        conn,
        SourceConfig(
            id=source_id,
            kkr=council,
            kind=SourceKind.LISTING,
            url=f"http://127.0.0.1/{council.value}",
        ),
    )
    name = {
        DocumentKind.AGENDA: "Dagsorden",
        DocumentKind.MINUTES: "Referat",
        DocumentKind.NEWSLETTER: "Nyhedsbrev",
        DocumentKind.OTHER: "Dokument",
    }[kind]
    title = title or f"{name} {council.danish_name} {day.isoformat()}"
    url = url or f"http://127.0.0.1/{council.value}/{slug(title)}.pdf"
    meeting = None
    if kind in (DocumentKind.AGENDA, DocumentKind.MINUTES):
        meeting = Meeting(
            council=council,
            starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=COPENHAGEN),
            place="Virtuelt via Teams",
        )
    items = [
        Item(
            key=spec.number or slug(spec.title),
            position=position,
            title=spec.title,
            text=spec.text,
            number=spec.number,
            case_number=spec.case_number,
            indstilling=spec.indstilling,
            beslutning=spec.beslutning,
            procedural=spec.procedural,
        )
        for position, spec in enumerate(specs)
    ]
    document = Document(
        url=url,
        kind=kind,
        title=title,
        date=day,
        text="\n\n".join(f"{item.title}\n{item.text}" for item in items),
        content_type="application/pdf" if meeting else "text/html",
        meeting=meeting,
    )
    before = await store_events.last_id(conn)
    plan = ingest.SourcePlan(source_id=source_id, council=council)
    plan.documents.append(
        await ingest.plan_document(
            conn, source_id=source_id, council=council, document=document, items=items
        )
    )
    await ingest.apply(conn, plan, classifier=SpecClassifier(specs), now=now)
    return [
        event.snapshot
        for event in await store_events.since(conn, before, types=store_events.ITEM_EVENTS)
        if event.type is not EventType.ITEM_REMOVED
    ]
