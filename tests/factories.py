"""Put realistic ingest results in a test database through the real ingest path.

Digest, feed and web tests need items with known topics; they get them from ``publish``, which
builds a Document and Items and plans and stores them exactly as a poll does (``store.polls``
and ``plan.plan_source``), with a classifier that returns the topics the test names.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from starlette.applications import Starlette

from notifier.compose import Composed
from notifier.config import Settings
from notifier.deliver import DeliveryReport
from notifier.models import (
    Council,
    Document,
    DocumentKind,
    EventType,
    Evidence,
    Frequency,
    Item,
    ItemSnapshot,
    Meeting,
    SourceKind,
    TopicMatch,
    slug,
)
from notifier.plan import Extracted, ItemClassifier, plan_source, wanted
from notifier.runtime import Runtime
from notifier.store import SourceRef, Store, sqlite_inline
from notifier.web.app import create_app

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
    store: Store,
    specs: Sequence[Spec],
    *,
    council: Council = Council.HOVEDSTADEN,
    kind: DocumentKind = DocumentKind.AGENDA,
    day: date = date(2021, 4, 19),
    title: str | None = None,
    url: str | None = None,
    now: datetime | None = None,
    problems: Sequence[str] = (),
    baseline: bool = False,
    supplementary: bool = False,
) -> list[ItemSnapshot]:
    """Store one document with these items; return the snapshots of the events it appended.

    ``problems`` are what splitting found wrong (the quality gate holds such a document);
    ``baseline`` stores it as a new source's first poll would (history, not news);
    ``supplementary``: a supplementary agenda (a document of its own in the meeting)."""
    now = now or datetime.now(UTC)
    source = source_for(council)
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
        supplementary=supplementary,
    )
    return await store_document(
        store,
        source,
        document,
        items,
        classifier=SpecClassifier(specs),
        now=now,
        problems=problems,
        baseline=baseline,
    )


async def store_poll(
    store: Store,
    source: SourceRef,
    document: Document,
    items: Sequence[Item],
    *,
    classifier: ItemClassifier,
    topic_count: int,
    now: datetime,
    problems: Sequence[str] = (),
    baseline: bool = False,
) -> None:
    """Plan and store one document in one poll of ``source``: begin, look up, plan, finish."""
    await store_documents(
        store,
        source,
        [(document, items, problems)],
        classifier=classifier,
        topic_count=topic_count,
        now=now,
        baseline=baseline,
    )


async def store_documents(
    store: Store,
    source: SourceRef,
    documents: Sequence[tuple[Document, Sequence[Item], Sequence[str]]],
    *,
    classifier: ItemClassifier,
    topic_count: int,
    now: datetime,
    baseline: bool = False,
) -> None:
    """Plan and store documents (each with its items and split problems) in one poll of
    ``source``, as the pipeline stores what one poll of a listing fetched."""
    start = await store.polls.begin(source, owner="publish", now=now, ttl=timedelta(minutes=5))
    assert start is not None
    refs = [wanted(document, source.council) for document, _, _ in documents]  # hashed once
    extracted = [
        Extracted(document=document, items=items, problems=problems, ref=ref)
        for (document, items, problems), ref in zip(documents, refs, strict=True)
    ]
    known = await store.polls.lookup(source.id, refs)
    plan = plan_source(
        source_id=source.id,
        council=source.council,
        extracted=extracted,
        known=known,
        classifier=classifier,
        topic_count=topic_count,
        baseline=baseline,
    )
    await store.polls.finish(
        source,
        previous=start.state,
        plan=plan,
        fetched=[],
        errors=[],
        failed=False,
        owner="publish",
        now=now,
    )


async def store_document(
    store: Store,
    source: SourceRef,
    document: Document,
    items: Sequence[Item],
    *,
    classifier: SpecClassifier,
    now: datetime,
    problems: Sequence[str] = (),
    baseline: bool = False,
) -> list[ItemSnapshot]:
    """Plan and store one document as a poll of ``source`` would; return the snapshots of the
    item events it appended."""
    before = await store.archive.last_event_id()
    await store_poll(
        store,
        source,
        document,
        items,
        classifier=classifier,
        topic_count=6,
        now=now,
        problems=problems,
        baseline=baseline,
    )
    return [
        event.snapshot
        for event in await store.archive.since(before)
        if event.type.is_item and event.type is not EventType.ITEM_REMOVED
    ]


def source_for(council: Council) -> SourceRef:
    return SourceRef(
        id=f"test-{council.value}",
        council=council,
        kind=SourceKind.LISTING,
        url=f"http://127.0.0.1/{council.value}",
    )


def runtime_for(store: Store, settings: Settings, **parts: Any) -> Runtime:
    """A runtime on the test's store (which the test closes)."""
    return Runtime(settings, store=store, **parts)


async def make_digests(
    store: Store, settings: Settings, frequency: Frequency, *, now: datetime
) -> int:
    runtime = runtime_for(store, settings)
    try:
        return await runtime.digests.make(frequency, now=now)
    finally:
        await runtime.aclose()


async def compose_digests(
    store: Store, settings: Settings, frequency: Frequency, *, now: datetime
) -> list[Composed]:
    return await runtime_for(store, settings).digests.compose(frequency, now=now)


async def deliver(store: Store, settings: Settings, *, now: datetime) -> DeliveryReport:
    runtime = runtime_for(store, settings)
    try:
        return await runtime.deliverer.run_once(now=now)
    finally:
        await runtime.aclose()


def app_for(
    settings: Settings, store: Store, *, scheduler_running: Callable[[], bool] = lambda: True
) -> Starlette:
    """The web app on the test's store."""
    return create_app(runtime_for(store, settings), scheduler_running=scheduler_running)


# The six KKR areas' ids in config/topics.toml, for fixtures that spread items over them.
TOPIC_IDS = (
    "sundhed",
    "social",
    "uddannelse",
    "trafik_infrastruktur",
    "klima_miljoe",
    "vaekst_beskaeftigelse",
)


async def publish_agendas(
    store: Store,
    texts: Sequence[str],
    *,
    per_document: int = 25,
    topics: Sequence[str] = TOPIC_IDS,
) -> None:
    """Store ``texts`` as agenda points, ``per_document`` to an agenda, one agenda a day from
    2015 in turn across the councils and topics (the benches' filler)."""
    councils = list(Council)
    for doc in range(len(texts) // per_document):
        specs = [
            Spec(
                title=f"Punkt {doc}-{n} " + texts[doc * per_document + n][:40],
                text=texts[doc * per_document + n],
                number=str(n + 1),
                topics=[topics[(doc + n) % len(topics)]],
            )
            for n in range(per_document)
        ]
        await publish(
            store,
            specs,
            council=councils[doc % len(councils)],
            day=date(2015, 1, 1) + timedelta(days=doc),
            now=datetime.now(UTC),
        )


def tampered(token: str) -> str:
    """``token`` with one character of its signature changed. Not the last one: base64's last
    character of a 20-byte signature carries 2 bits the decoder ignores, so replacing the last
    two characters gave a token that still verified about once in a thousand runs."""
    at = len(token) - 6
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


@contextlib.asynccontextmanager
async def sqlite_statements(store: Store) -> AsyncIterator[list[str]]:
    """Every statement SQLite runs for ``store`` meanwhile, from SQLite's own trace: BEGIN
    and COMMIT included, and the statements that run on the driver without SQLAlchemy's
    statement events (``store.prepared``). An executemany counts once per row."""
    seen: list[str] = []
    tracing = True

    def trace(sql: str) -> None:
        if tracing:
            seen.append(sql.strip())

    def connected(dbapi_connection: Any, _record: object) -> None:
        sqlite_inline.driver(dbapi_connection).set_trace_callback(trace)

    engine = store.db.engine.sync_engine
    sa.event.listen(engine, "connect", connected)
    await store.db.dispose()  # the connections made from now on are traced
    try:
        yield seen
    finally:
        tracing = False
        sa.event.remove(engine, "connect", connected)


@contextlib.asynccontextmanager
async def statements_run(store: Store) -> AsyncIterator[list[str]]:
    """Every statement the database runs for ``store`` meanwhile: SQLite's own trace (see
    ``sqlite_statements``), elsewhere SQLAlchemy's events (every statement goes through it;
    transactions begin and end by driver calls, not statements)."""
    counted = sqlite_statements if store.db.dialect == "sqlite" else sqlalchemy_statements
    async with counted(store) as seen:
        yield seen


@contextlib.asynccontextmanager
async def sqlalchemy_statements(store: Store) -> AsyncIterator[list[str]]:
    """Every statement run through SQLAlchemy for ``store`` meanwhile (on SQLite, not those
    that run on the driver: ``store.prepared``, the BEGINs); an executemany counts once."""
    seen: list[str] = []

    def statement(_conn: object, _cursor: object, text: str, *_args: object) -> None:
        seen.append(text.strip())

    engine = store.db.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)


def offloads(monkeypatch: Any) -> list[str]:
    """The names of the SQLite calls sent to a thread from now on (``sqlite_inline``), in
    order, for the rest of the test."""
    offloaded: list[str] = []
    in_thread = sqlite_inline._in_thread

    async def counted(function: Callable[..., Any], *args: Any) -> Any:
        offloaded.append(getattr(function, "__name__", "?"))
        return await in_thread(function, *args)

    monkeypatch.setattr(sqlite_inline, "_in_thread", counted)
    return offloaded
