"""The one place that wires a poll: fetch -> extract -> split -> plan -> judge -> store.

A poll of one source collects everything first, judges it (a site redesign that yields nothing
is "broken", an implausible churn is "suspect" and held back), and only then writes, in one
transaction with the fetch validators, so a crash mid-poll leaves the previous state intact and
the next poll simply repeats the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from notifier.config import IngestSettings, SourceConfig
from notifier.errors import ExtractError, FetchError, StoreError
from notifier.extract import Link
from notifier.extract.infer import with_listing_date
from notifier.extract.worker import ExtractWorker
from notifier.fetch import Fetcher, Response
from notifier.fetch.revalidate import to_fetch
from notifier.judge import Verdict, judge
from notifier.listing_walk import source_links
from notifier.models import FetchState, SourceKind
from notifier.plan import Extracted, ItemClassifier, Known, SourcePlan, plan_source, wanted
from notifier.poll_summary import SourceSummary
from notifier.store import FetchRecord, PollStart, SourceRef, Store

log = logging.getLogger(__name__)

# A poll's lease is short and renewed while the poll runs, so a dead poller's sources are
# free again within it.
LEASE_TTL = timedelta(seconds=90)
T = TypeVar("T")
__all__ = ["Pipeline", "SourceSummary", "source_ref"]


@dataclass(frozen=True, kw_only=True)
class _Fetched:
    """A document URL after fetching: either unchanged or a new body to process."""

    url: str
    response: Response | None  # None: a 304
    body_hash: str | None
    changed: bool  # False: a 304, or the same bytes as last time


def source_ref(source: SourceConfig) -> SourceRef:
    return SourceRef(id=source.id, council=source.kkr, kind=source.kind, url=source.url)


class Pipeline:
    def __init__(
        self,
        *,
        store: Store,
        fetcher: Fetcher,
        classifier: ItemClassifier,
        topic_count: int,
        settings: IngestSettings,
        owner: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        revalidate_interval: timedelta = timedelta(days=1),
        revalidate_per_poll: int = 5,
    ) -> None:
        self._store = store
        self.fetcher = fetcher
        self._classifier = classifier
        self._topic_count = topic_count
        self._settings = settings
        self._clock = clock
        self._owner = owner
        self._revalidate = (revalidate_interval, revalidate_per_poll)
        # Every parser runs in a bounded worker process: a PDF bomb or a pathological page
        # fails that document, and the event loop (with the web app) never waits for one.
        self.extractor = ExtractWorker(
            timeout=settings.extract_timeout, memory_mb=settings.extract_memory_mb
        )
        self._write_lock = asyncio.Lock()

    def close(self) -> None:
        self.extractor.close()

    async def poll_all(self, sources: Sequence[SourceConfig]) -> list[SourceSummary]:
        return list(await asyncio.gather(*(self.poll(source) for source in sources)))

    async def poll(self, source: SourceConfig, *, min_gap: float = 0.0) -> SourceSummary:
        """Poll one source; never raises for the source's own failures.

        ``min_gap`` (seconds) skips the poll when any process polled the source more recently,
        which keeps replicas sharing one database from polling a source twice per interval.
        """
        summary = SourceSummary(id=source.id)
        ref = source_ref(source)
        start = await self._store.polls.begin(
            ref,
            owner=self._owner,
            now=self._clock(),
            ttl=LEASE_TTL,
            min_gap=min_gap,
            known_limit=source.max_documents,
        )
        if start is None:
            summary.state = "skipped"
            return summary
        try:
            async with self._store.polls.heartbeat(
                source.id, owner=self._owner, clock=self._clock, ttl=LEASE_TTL
            ):
                await self._poll(source, ref, start, summary)
        except StoreError as exc:
            # The database, not the source, failed: the caller retries the whole poll. But a
            # write it refuses every time would fail every poll while the source looked healthy,
            # so it counts as the source's failed poll too (the console shows it, and
            # ``failure_alert_after`` of them alert the operator).
            await self._store_failed(ref, summary, exc)
            raise
        except FetchError as exc:
            summary.requests += exc.requests
            await self._fail(ref, summary, f"{exc.url}: {exc}")
        except ExtractError as exc:  # the listing or feed itself could not be read
            await self._fail(ref, summary, f"{source.url}: {exc}")
        except Exception as exc:  # one source's bug must not stop the others
            log.exception("poll failed", extra={"source": source.id})
            await self._fail(ref, summary, f"internal error: {type(exc).__name__}: {exc}")
        return summary

    async def _poll(
        self, source: SourceConfig, ref: SourceRef, start: PollStart, summary: SourceSummary
    ) -> None:
        now = self._clock()
        fetched: list[FetchRecord] = []
        found: int | None = None  # documents the source's page led to, when it was read
        listing: Response | None = None
        states = dict(start.fetch_states)
        if source.kind is SourceKind.PAGE:
            links = [Link(url=source.url, text="", date=None)]
        else:
            links, pages = await source_links(
                source,
                start,
                summary,
                fetcher=self.fetcher,
                extractor=self.extractor,
                states=states,
                lookup=self._store.polls.fetch_states,
                read_at=self._clock(),
            )
            listing = pages[0][1] if pages else None
            fetched.extend(_record(url, page, None) for url, page in pages)
            if listing is not None:
                found = len(links)
                if not links and start.known:
                    await self._hold(ref, start, summary, "broken", "listing has no document links")
                    return
        by_url = {link.url: link for link in links}
        missing = [url for url in by_url if url not in states]
        if missing:
            states |= await self._store.polls.fetch_states(missing)
        urls = list(by_url)
        if source.kind is not SourceKind.PAGE:
            interval, limit = self._revalidate
            # After a 304 every link is a known document: none is new, all wait their turn.
            new_at_once = listing is not None
            urls = to_fetch(
                urls, states, now=now, interval=interval, limit=limit, new_at_once=new_at_once
            )
        documents = await self._fetch_documents(urls, states, summary)
        checked = [item.url for item in documents if item.response is None]
        extracted: list[Extracted] = []
        unreadable: list[str] = []
        for item in documents:
            if item.response is None:
                continue
            if not item.changed:  # the same bytes: keep the new validators for a 304 next time
                fetched.append(_record(item.url, item.response, item.body_hash))
                continue
            try:
                document, parts = await self.extractor.document(
                    item.response.body,
                    url=item.response.url,
                    content_type=item.response.content_type,
                    council=source.kkr,
                )
            except ExtractError as exc:
                summary.errors.append(f"{item.url}: {exc}")
                unreadable.append(item.url)
                continue
            document = with_listing_date(document, by_url.get(item.url), source.kkr)
            extracted.append(
                Extracted(
                    document=document,
                    items=parts.items,
                    problems=parts.problems,
                    ref=wanted(document, source.kkr),
                )
            )
            fetched.append(_record(item.url, item.response, item.body_hash))
        # The source itself could not be read: its page failed, or every document did. An
        # unreadable document keeps no validators, so it is tried (and reported) again.
        # Known documents not asked this time were read before: they count as readable.
        readable = len(documents) - len(unreadable) + len(by_url) - len(urls)
        failed = bool(summary.errors) and (source.kind is SourceKind.PAGE or readable == 0)
        # A stop may cancel the poll at any await before this point; the writes that follow
        # are one short transaction, which a stop lets finish rather than cut in the middle.
        written = await _uncancelled(
            self._apply(
                ref, start, summary, extracted, unreadable, fetched, failed, now, found, checked
            )
        )
        if not written:
            return
        if failed:
            summary.state = "failed"
            log.warning("poll failed", extra={"source": source.id, "reason": summary.errors})
        log.info("polled", extra={"source": source.id, **summary.to_json()})

    async def _apply(
        self,
        ref: SourceRef,
        start: PollStart,
        summary: SourceSummary,
        extracted: list[Extracted],
        unreadable: list[str],
        fetched: list[FetchRecord],
        failed: bool,
        now: datetime,
        found: int | None,
        checked: list[str],
    ) -> bool:
        """Plan, judge and write; False when the verdict held the poll back."""
        # Sources may share documents (a listing and a feed of the same newsletters): plan and
        # apply one source at a time so two never insert the same document at once.
        async with self._write_lock:
            plan = await self._plan(ref, start, extracted, unreadable)
            verdict = self._verdict(plan, start) if plan is not None else None
            if verdict is not None:
                assert plan is not None
                await self._hold(ref, start, summary, verdict.state, verdict.reason, plan)
                return False
            applied = await self._store.polls.finish(
                ref,
                previous=start.state,
                plan=plan,
                fetched=fetched,
                errors=summary.errors,
                failed=failed,
                owner=self._owner,
                now=now,
                found=found,
                checked=checked,
            )
        summary.documents_new = applied.documents_new
        summary.documents_changed = applied.documents_changed
        summary.items_new = applied.items_new
        summary.items_changed = applied.items_changed
        summary.items_removed = applied.items_removed
        return True

    async def _plan(
        self,
        ref: SourceRef,
        start: PollStart,
        extracted: list[Extracted],
        unreadable: list[str],
    ) -> SourcePlan | None:
        if not extracted and not unreadable:
            return None
        refs = [found.ref or wanted(found.document, ref.council) for found in extracted]
        known: Known = await self._store.polls.lookup(ref.id, refs, unreadable=unreadable)
        # Classifying is about 2 s per MB of text (a 500-page PDF): in a thread, the event loop
        # and the web app on it keep answering meanwhile.
        return await asyncio.to_thread(
            plan_source,
            source_id=ref.id,
            council=ref.council,
            extracted=extracted,
            known=known,
            classifier=self._classifier,
            topic_count=self._topic_count,
            # The source's first successful poll brings its back catalogue, not news.
            baseline=start.state.last_success_at is None and not self._settings.mail_first_poll,
            undated=ref.kind is SourceKind.PAGE,
        )

    async def _fetch_documents(
        self, urls: list[str], states: dict[str, FetchState], summary: SourceSummary
    ) -> list[_Fetched]:
        async def one(url: str) -> _Fetched | None:
            state = states.get(url)
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
                return _Fetched(url=url, response=None, body_hash=None, changed=False)
            body_hash = hashlib.sha256(response.body).hexdigest()
            changed = state is None or state.body_hash != body_hash
            return _Fetched(url=url, response=response, body_hash=body_hash, changed=changed)

        if len(urls) == 1:  # a page, or one document due: gather would make a task for it
            results = [await one(urls[0])]
        else:
            results = await asyncio.gather(*(one(url) for url in urls))
        return [result for result in results if result is not None]

    def _verdict(self, plan: SourcePlan, start: PollStart) -> Verdict | None:
        """Released: apply. Discarded: apply quietly as the new baseline. Else judge."""
        state = start.state
        if state.release_requested:
            return None
        if state.discarded_fingerprint and plan.fingerprint == state.discarded_fingerprint:
            plan.quiet = True
            return None
        return judge(plan, self._settings)

    async def _hold(
        self,
        ref: SourceRef,
        start: PollStart,
        summary: SourceSummary,
        kind: str,
        reason: str,
        plan: SourcePlan | None = None,
    ) -> None:
        """Hold the poll back: nothing changes except the source's state and one alert event."""
        summary.state = kind
        summary.errors.append(reason)
        await self._store.polls.hold(
            ref,
            previous=start.state,
            kind=kind,
            reason=reason,
            fingerprint=plan.fingerprint if plan else None,
            owner=self._owner,
            now=self._clock(),
        )
        log.warning("source held back", extra={"source": ref.id, "state": kind, "reason": reason})

    async def _fail(self, ref: SourceRef, summary: SourceSummary, reason: str) -> None:
        summary.errors.append(reason)
        summary.state = "failed"
        try:
            await self._store.polls.fail(ref, reason, owner=self._owner, now=self._clock())
        except StoreError:
            log.exception("could not record a failed poll", extra={"source": ref.id})
        log.warning("poll failed", extra={"source": ref.id, "reason": reason})

    async def _store_failed(self, ref: SourceRef, summary: SourceSummary, exc: StoreError) -> None:
        summary.errors.append(str(exc))
        summary.state = "failed"
        # Recorded only if the database takes writes (and the lease is still this poll's):
        # while it is down, the caller's log and /readyz tell of it.
        with contextlib.suppress(StoreError):
            await self._store.polls.fail(
                ref, str(exc), owner=self._owner, now=self._clock(), polled=False
            )


async def _uncancelled(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end even when the caller is cancelled meanwhile, then re-raise."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        raise


def _record(url: str, response: Response, body_hash: str | None) -> FetchRecord:
    return FetchRecord(
        url=url, validators=response.validators, body_hash=body_hash, status=response.status
    )
