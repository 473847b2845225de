"""The one place that wires a poll: fetch -> extract -> split -> diff -> classify -> store.

A poll of one source collects everything first, judges it (a site redesign that yields nothing
is "broken", an implausible churn is "suspect" and held back), and only then writes, in one
transaction with the fetch validators, so a crash mid-poll leaves the previous state intact and
the next poll simply repeats the work.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import os
import re
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from notifier import extract as extraction
from notifier import ingest
from notifier.classify import Classifier
from notifier.config import IngestSettings, Settings, SourceConfig
from notifier.errors import ExtractError, FetchError
from notifier.extract import Link
from notifier.fetch import Fetcher, Response
from notifier.ingest import ItemClassifier, SourcePlan
from notifier.judge import Verdict, judge
from notifier.models import Document, DocumentKind, EventType, Item, Meeting, SourceKind
from notifier.split import split
from notifier.store import documents as store_documents
from notifier.store import events as store_events
from notifier.store import locks
from notifier.store import sources as store_sources
from notifier.store.sources import FetchState, SourceState
from notifier.topics import load_topics

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class SourceSummary:
    """What one poll of one source did; the `poll --json` contract."""

    id: str
    requests: int = 0
    not_modified: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    items_new: int = 0
    items_changed: int = 0
    items_removed: int = 0
    errors: list[str] = field(default_factory=list)
    state: str = "ok"  # ok | failed | broken | suspect | skipped

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "requests": self.requests,
            "not_modified": self.not_modified,
            "documents_new": self.documents_new,
            "documents_changed": self.documents_changed,
            "items_new": self.items_new,
            "items_changed": self.items_changed,
            "items_removed": self.items_removed,
            "errors": list(self.errors),
            "state": self.state,
        }


@dataclass(frozen=True, kw_only=True)
class _Fetched:
    """A document URL after fetching: either unchanged or a new body to process."""

    url: str
    response: Response | None  # None: unchanged (304, or the same bytes as last time)
    body_hash: str | None


class Pipeline:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        fetcher: Fetcher,
        classifier: ItemClassifier,
        settings: IngestSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        owner: str | None = None,
    ) -> None:
        self._engine = engine
        self.fetcher = fetcher
        self._classifier = classifier
        self._settings = settings
        self._clock = clock
        self._owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        # pdfium is not thread-safe; one worker keeps extraction off the event loop safely.
        self._extractor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        self._write_lock = asyncio.Lock()

    def close(self) -> None:
        self._extractor.shutdown(wait=True)

    async def poll_all(self, sources: Sequence[SourceConfig]) -> list[SourceSummary]:
        return list(await asyncio.gather(*(self.poll(source) for source in sources)))

    async def poll(self, source: SourceConfig, *, min_gap: float = 0.0) -> SourceSummary:
        """Poll one source; never raises for the source's own failures.

        ``min_gap`` (seconds) skips the poll when any process polled the source more recently,
        which keeps replicas sharing one database from polling a source twice per interval.
        """
        summary = SourceSummary(id=source.id)
        lock = f"poll:{source.id}"
        now = self._clock()
        if not await locks.acquire(
            self._engine, lock, owner=self._owner, now=now, ttl=timedelta(minutes=30)
        ):
            summary.state = "skipped"
            return summary
        try:
            async with self._engine.begin() as conn:
                state = await store_sources.ensure(conn, source)
            if (
                min_gap
                and state.last_polled_at
                and (now - state.last_polled_at).total_seconds() < min_gap
            ):
                summary.state = "skipped"
                return summary
            await self._poll(source, state, summary)
        except FetchError as exc:
            await self._fail(source, summary, f"{exc.url}: {exc}", requests=exc.requests)
        except Exception as exc:  # one source's bug must not stop the others
            log.exception("poll failed", extra={"source": source.id})
            await self._fail(source, summary, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            await locks.release(self._engine, lock, owner=self._owner)
        return summary

    async def _poll(self, source: SourceConfig, state: SourceState, summary: SourceSummary) -> None:
        now = self._clock()
        listing_saves: list[tuple[str, Response]] = []
        if source.kind is SourceKind.PAGE:
            links = [Link(url=source.url, text="", date=None)]
        else:
            links, listing = await self._document_urls(source, summary)
            if listing is not None:
                listing_saves.append((source.url, listing))
            if listing is not None and not links:
                async with self._engine.connect() as conn:
                    known = await store_documents.count_of_source(conn, source.id)
                if known:
                    await self._flag(
                        source, state, summary, "broken", "listing has no document links"
                    )
                    return
        by_url = {link.url: link for link in links}
        fetched = await self._fetch_documents(list(by_url), summary)
        extracted: list[tuple[Document, list[Item]]] = []
        unreadable: list[str] = []
        for item in fetched:
            if item.response is None:
                continue
            try:
                document = await asyncio.get_running_loop().run_in_executor(
                    self._extractor, _extract, item.response, source
                )
            except ExtractError as exc:
                summary.errors.append(f"{item.url}: {exc}")
                unreadable.append(item.url)
                continue
            document = _attach_bilag(document, by_url.get(item.url), source)
            extracted.append((document, split(document)))
        # Sources may share documents (a listing and a feed of the same newsletters): plan and
        # apply one source at a time so two never insert the same document at once.
        async with self._write_lock:
            plan = await self._plan(source, extracted, unreadable)
            verdict = self._verdict(plan, state)
            if verdict is not None:
                await self._flag(
                    source,
                    state,
                    summary,
                    verdict.state,
                    verdict.reason,
                    fingerprint=plan.fingerprint,
                )
                return
            async with self._engine.begin() as conn:
                applied = await ingest.apply(conn, plan, classifier=self._classifier, now=now)
                for url, response in listing_saves:
                    await _save(conn, url, response, None, now)
                for item in fetched:
                    if item.response is not None:
                        await _save(conn, item.url, item.response, item.body_hash, now)
                await self._succeed(
                    conn, source, state, summary, now, published=applied.items_new > 0
                )
        summary.documents_new = applied.documents_new
        summary.documents_changed = applied.documents_changed
        summary.items_new = applied.items_new
        summary.items_changed = applied.items_changed
        summary.items_removed = applied.items_removed
        if summary.errors:
            await self._fail(source, summary, "; ".join(summary.errors), count_request=False)
        log.info("polled", extra={"source": source.id, **summary.to_json()})

    async def _plan(
        self,
        source: SourceConfig,
        extracted: list[tuple[Document, list[Item]]],
        unreadable: list[str],
    ) -> SourcePlan:
        plan = SourcePlan(source_id=source.id, council=source.kkr)
        async with self._engine.connect() as conn:
            for url in unreadable:
                known = await store_documents.by_url(conn, url)
                if known and await store_documents.live_items(conn, known.id):
                    plan.unreadable += 1
            plan.stored_items = await store_documents.count_live_items(conn, source.id)
            plan.stored_documents = await store_documents.count_of_source(conn, source.id)
            for document, items in extracted:
                plan.documents.append(
                    await ingest.plan_document(
                        conn,
                        source_id=source.id,
                        council=source.kkr,
                        document=document,
                        items=items,
                    )
                )
            await conn.rollback()
        return plan

    async def _document_urls(
        self, source: SourceConfig, summary: SourceSummary
    ) -> tuple[list[Link], Response | None]:
        """Links the listing or feed leads to; on a 304, the documents we already know."""
        async with self._engine.connect() as conn:
            stored = await store_sources.fetch_states(conn, [source.url])
        previous = stored.get(source.url)
        response = await self.fetcher.get(
            source.url, validators=previous.validators if previous else None
        )
        summary.requests += response.requests
        if response.not_modified:
            summary.not_modified += 1
            async with self._engine.connect() as conn:
                known = await store_documents.of_source(conn, source.id)
            newest = sorted(known, key=lambda d: (d.date is not None, d.date), reverse=True)
            return [
                Link(url=doc.url, text=doc.title, date=doc.date)
                for doc in newest[: source.max_documents]
            ], None
        pattern = re.compile(source.link_pattern) if source.link_pattern else None
        if source.kind is SourceKind.FEED:
            links = extraction.feed_links(response.body, base_url=response.url)
        else:
            links = extraction.listing_links(response.body, base_url=response.url, pattern=pattern)
        unique: dict[str, Link] = {}
        for link in links:
            unique.setdefault(link.url, link)
        return list(unique.values())[: source.max_documents], response

    async def _fetch_documents(self, urls: list[str], summary: SourceSummary) -> list[_Fetched]:
        async with self._engine.connect() as conn:
            states = await store_sources.fetch_states(conn, urls)

        async def one(url: str) -> _Fetched | None:
            state: FetchState | None = states.get(url)
            try:
                response = await self.fetcher.get(
                    url, validators=state.validators if state else None
                )
            except FetchError as exc:
                summary.requests += exc.requests
                summary.errors.append(f"{url}: {exc}")
                return None
            summary.requests += response.requests
            if response.not_modified:
                summary.not_modified += 1
                return _Fetched(url=url, response=None, body_hash=None)
            body_hash = hashlib.sha256(response.body).hexdigest()
            if state is not None and state.body_hash == body_hash:
                return _Fetched(url=url, response=None, body_hash=body_hash)
            return _Fetched(url=url, response=response, body_hash=body_hash)

        results = await asyncio.gather(*(one(url) for url in urls))
        return [result for result in results if result is not None]

    def _verdict(self, plan: SourcePlan, state: SourceState) -> Verdict | None:
        """Released: apply. Discarded: apply quietly as the new baseline. Else judge."""
        if state.release_requested:
            return None
        if state.discarded_fingerprint and plan.fingerprint == state.discarded_fingerprint:
            plan.quiet = True
            return None
        return judge(plan, self._settings)

    async def _flag(
        self,
        source: SourceConfig,
        state: SourceState,
        summary: SourceSummary,
        kind: str,
        reason: str,
        *,
        fingerprint: str | None = None,
    ) -> None:
        """Hold the poll back: nothing changes except the source's state and one alert event."""
        summary.state = kind
        summary.errors.append(reason)
        now = self._clock()
        event = EventType.SOURCE_BROKEN if kind == "broken" else EventType.SOURCE_SUSPECT
        alert_again = state.state != kind or fingerprint != state.held_fingerprint
        async with self._engine.begin() as conn:
            await store_sources.update(
                conn,
                source.id,
                state=kind,
                state_reason=reason,
                last_polled_at=now,
                held_fingerprint=fingerprint,
            )
            if alert_again:
                await store_events.append(
                    conn,
                    event,
                    now=now,
                    source_id=source.id,
                    payload={"source_id": source.id, "reason": reason, "council": source.kkr.value},
                )
        log.warning(
            "source held back", extra={"source": source.id, "state": kind, "reason": reason}
        )

    async def _succeed(
        self,
        conn: AsyncConnection,
        source: SourceConfig,
        state: SourceState,
        summary: SourceSummary,
        now: datetime,
        *,
        published: bool,
    ) -> None:
        values: dict[str, object] = {
            "state": "ok",
            "state_reason": None,
            "consecutive_failures": 0,
            "last_polled_at": now,
            "last_success_at": now,
            "release_requested": False,
            "held_fingerprint": None,
            "discarded_fingerprint": None,
        }
        if published or state.last_published_at is None:
            values["last_published_at"] = now
        await store_sources.update(conn, source.id, **values)
        if state.state != "ok" or state.consecutive_failures:
            await store_events.append(
                conn,
                EventType.SOURCE_RECOVERED,
                now=now,
                source_id=source.id,
                payload={
                    "source_id": source.id,
                    "previous": state.state,
                    "council": source.kkr.value,
                },
            )

    async def _fail(
        self,
        source: SourceConfig,
        summary: SourceSummary,
        reason: str,
        *,
        requests: int = 0,
        count_request: bool = True,
    ) -> None:
        if count_request:
            summary.requests += requests
            summary.errors.append(reason)
            summary.state = "failed"
        now = self._clock()
        async with self._engine.begin() as conn:
            failures = await store_sources.record_failure(conn, source.id, reason=reason, now=now)
            await store_events.append(
                conn,
                EventType.SOURCE_FAILED,
                now=now,
                source_id=source.id,
                payload={
                    "source_id": source.id,
                    "reason": reason,
                    "consecutive_failures": failures,
                    "council": source.kkr.value,
                },
            )
        log.warning("poll failed", extra={"source": source.id, "reason": reason})


def _attach_bilag(document: Document, link: Link | None, source: SourceConfig) -> Document:
    """A bilag listed under a meeting's date belongs to that meeting.

    Its PDF rarely says which meeting it is for; the listing does, by the date beside the link.
    Attached, it reaches the store as a change to a known meeting rather than a loose document.
    """
    if document.kind is not DocumentKind.OTHER or document.meeting is not None or link is None:
        return document
    if link.date is None or "bilag" not in f"{link.text} {link.url}".casefold():
        return document
    meeting = Meeting(council=source.kkr, starts_at=None, on=link.date)
    return dataclasses.replace(document, meeting=meeting, date=document.date or link.date)


def _extract(response: Response, source: SourceConfig) -> Document:
    return extraction.extract(
        response.body, url=response.url, content_type=response.content_type, council=source.kkr
    )


async def _save(
    conn: AsyncConnection, url: str, response: Response, body_hash: str | None, now: datetime
) -> None:
    await store_sources.save_fetch_state(
        conn,
        url,
        validators=response.validators,
        body_hash=body_hash,
        status=response.status,
        now=now,
    )


async def release(engine: AsyncEngine, source_id: str, *, discard: bool, now: datetime) -> str:
    """Let a held-back source's next poll through (its changes are told as usual), or discard
    the held result: the next poll that finds the same result stores it quietly as the new
    baseline, telling nobody; a different result is judged afresh."""
    async with engine.begin() as conn:
        state = await store_sources.get(conn, source_id)
        if state is None:
            return "unknown source"
        if discard:
            await store_sources.update(
                conn,
                source_id,
                discarded_fingerprint=state.held_fingerprint,
                held_fingerprint=None,
                release_requested=False,
            )
            return "discarded"
        await store_sources.update(conn, source_id, release_requested=True)
        return "released"


def build(settings: Settings, engine: AsyncEngine, *, fetcher: Fetcher | None = None) -> Pipeline:
    """A pipeline wired from settings: the same for `poll --once` and `run`."""
    return Pipeline(
        engine=engine,
        fetcher=fetcher or Fetcher(settings.fetch),
        classifier=Classifier(load_topics(settings.topics_file)),
        settings=settings.ingest,
    )
