"""A poll of one source as the store sees it: begin, look up, and finish in one transaction.

``begin`` takes the source's lease and reads everything an unchanged poll needs (the source's
state and the validators of its URLs); ``lookup`` reads what the store holds of documents that
did change; ``finish``, ``hold`` and ``fail`` write the outcome (documents, items, events,
validators, the source's health) and give the lease back, each in one transaction. A poll whose
pages are all unchanged therefore costs two transactions.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import StoreError
from notifier.models import (
    EventType,
    FetchState,
    SourcePayload,
    SourceState,
    StoredDocument,
    from_the_future,
)
from notifier.plan import Known, SourcePlan, Wanted
from notifier.store import documents as store_documents
from notifier.store import events as store_events
from notifier.store import items as store_items
from notifier.store import leases
from notifier.store import sources as store_sources
from notifier.store.apply import Applied, apply
from notifier.store.db import Database
from notifier.store.sources import FetchRecord, SourceRef

log = logging.getLogger(__name__)


def lease_name(source_id: str) -> str:
    return f"poll:{source_id}"


@dataclass(frozen=True, kw_only=True)
class PollStart:
    state: SourceState
    known: Sequence[StoredDocument]  # the source's newest documents, newest first
    fetch_states: dict[str, FetchState]  # of the source's URL and the known documents


class Polls:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def begin(
        self,
        source: SourceRef,
        *,
        owner: str,
        now: datetime,
        ttl: timedelta,
        min_gap: float = 0.0,
        known_limit: int = 50,
    ) -> PollStart | None:
        """Take the source's lease and read its state; None when the poll should be skipped
        (another process holds the lease, or polled the source less than ``min_gap`` seconds
        ago)."""
        async with self._db.write() as conn:
            # The lease first: on PostgreSQL it waits for a replica finishing this source's
            # poll to commit, so the state read next shows that poll (min_gap then skips).
            if not await leases.take(conn, lease_name(source.id), owner=owner, now=now, ttl=ttl):
                return None
            state, own = await store_sources.ensure_polled(conn, source)
            polled = state.last_polled_at
            if from_the_future(polled, now):
                log.warning(
                    "source %s was last polled at %s, ahead of the clock; polling it now",
                    source.id,
                    polled,
                    extra={"source": source.id},
                )
                polled = None
            if min_gap and polled and (now - polled).total_seconds() < min_gap:
                await leases.give_up(conn, lease_name(source.id), owner=owner)
                return None
            known, fetch_states = await store_documents.newest_of_source(
                conn, source.id, known_limit
            )
            if own is not None:
                fetch_states[source.url] = own
            return PollStart(state=state, known=known, fetch_states=fetch_states)

    async def renew(self, source_id: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Extend the poll's lease: False when it was lost (taken over after expiry)."""
        return await leases.Leases(self._db).renew(
            lease_name(source_id), owner=owner, now=now, ttl=ttl
        )

    @contextlib.asynccontextmanager
    async def heartbeat(
        self, source_id: str, *, owner: str, clock: Callable[[], datetime], ttl: timedelta
    ) -> AsyncIterator[leases.HeldLease]:
        """Keep the poll's lease while the poll runs (see ``Leases.heartbeat``)."""
        async with leases.Leases(self._db).heartbeat(
            lease_name(source_id), owner=owner, clock=clock, ttl=ttl
        ) as held:
            yield held

    async def fetch_states(self, urls: Collection[str]) -> dict[str, FetchState]:
        async with self._db.read() as conn:
            return await store_sources.fetch_states(conn, urls)

    async def lookup(
        self, source_id: str, wanted: Sequence[Wanted], *, unreadable: Collection[str] = ()
    ) -> Known:
        """What the store holds of these documents, with their live items."""
        async with self._db.read() as conn:
            documents = await store_documents.matching(
                conn,
                source_id=source_id,
                keys={w.key for w in wanted},
                urls={w.url for w in wanted} | set(unreadable),
                content_hashes={w.content_hash for w in wanted},
            )
            live = await store_items.live_by_document(conn, [d.id for d in documents])
            stored_documents, stored_items = await store_documents.counts_of_source(conn, source_id)
            return Known(
                documents=documents,
                live_items=live,
                stored_items=stored_items,
                stored_documents=stored_documents,
                unreadable=sum(1 for d in documents if d.url in unreadable and live.get(d.id)),
            )

    async def finish(
        self,
        source: SourceRef,
        *,
        previous: SourceState,
        plan: SourcePlan | None,
        fetched: Sequence[FetchRecord],
        errors: Sequence[str],
        failed: bool,
        owner: str,
        now: datetime,
        found: int | None = None,
        checked: Collection[str] = (),
    ) -> Applied:
        """Apply the judged plan, remember the validators, record the source's health and give
        back the lease, in one transaction.

        ``failed``: the source itself could not be read this time (its page failed, or every
        document did); errors besides that are recorded without counting as a failed poll.
        ``found``: how many documents the source's page led to, when it was read this time.
        ``checked``: URLs the server said were unchanged (not due for another check for a while).
        """
        async with self._db.write() as conn:
            if plan is not None:
                await store_events.in_commit_order(conn)
            await _give_back(conn, source.id, owner, now)
            applied = await apply(conn, plan, now=now) if plan is not None else Applied()
            if found is not None:
                await store_sources.update(conn, source.id, found_documents=found)
            await store_sources.save_fetch_states(conn, fetched, now)
            await store_sources.mark_checked(conn, checked, now)
            if failed:
                await _failure(conn, source, "; ".join(errors), now)
            else:
                await _success(conn, source, previous, now, published=applied.items_new > 0)
                if errors:
                    await _failure(conn, source, "; ".join(errors), now, count=False)
        return applied

    async def hold(
        self,
        source: SourceRef,
        *,
        previous: SourceState,
        kind: str,
        reason: str,
        fingerprint: str | None,
        owner: str,
        now: datetime,
    ) -> None:
        """Hold the poll back: nothing changes but the source's state and one alert event (not
        repeated while the same result stays held)."""
        event = EventType.SOURCE_BROKEN if kind == "broken" else EventType.SOURCE_SUSPECT
        alert_again = previous.state != kind or fingerprint != previous.held_fingerprint
        async with self._db.write() as conn:
            await _give_back(conn, source.id, owner, now)
            await store_sources.update(
                conn,
                source.id,
                state=kind,
                state_reason=reason,
                last_polled_at=now,
                held_fingerprint=fingerprint,
            )
            if alert_again:
                payload = SourcePayload(source_id=source.id, council=source.council, reason=reason)
                await store_events.append(conn, event, payload, now=now, source_id=source.id)

    async def fail(
        self, source: SourceRef, reason: str, *, owner: str, now: datetime, polled: bool = True
    ) -> None:
        """The source could not be polled at all: count the failure, give back the lease.
        ``polled=False``: the poll's own write failed, so nothing of it counts as polled (the
        retry the service makes soon is not skipped by ``min_gap``)."""
        async with self._db.write() as conn:
            await _give_back(conn, source.id, owner, now)
            await _failure(conn, source, reason, now, polled=polled)


async def _give_back(conn: AsyncConnection, source_id: str, owner: str, now: datetime) -> None:
    """A poll writes its outcome (and gives back its lease, in the same transaction) only
    while it holds the source's lease: one whose lease ran out (a stalled process) and was
    taken over must not write over the new holder's poll."""
    if not await leases.give_back(conn, lease_name(source_id), owner=owner, now=now):
        raise StoreError(f"lost the lease on source {source_id} to another worker; poll dropped")


async def _success(
    conn: AsyncConnection,
    source: SourceRef,
    previous: SourceState,
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
    if published or previous.last_published_at is None:
        values["last_published_at"] = now
    await store_sources.update(conn, source.id, **values)
    if previous.state != "ok" or previous.consecutive_failures:
        payload = SourcePayload(
            source_id=source.id, council=source.council, previous=previous.state
        )
        await store_events.append(
            conn, EventType.SOURCE_RECOVERED, payload, now=now, source_id=source.id
        )


async def _failure(
    conn: AsyncConnection,
    source: SourceRef,
    reason: str,
    now: datetime,
    *,
    count: bool = True,
    polled: bool = True,
) -> None:
    if count:
        failures = await store_sources.record_failure(
            conn, source.id, reason=reason, now=now, polled=polled
        )
    else:
        await store_sources.update(conn, source.id, last_failure_at=now, last_failure_reason=reason)
        failures = 0
    payload = SourcePayload(
        source_id=source.id, council=source.council, reason=reason, consecutive_failures=failures
    )
    await store_events.append(conn, EventType.SOURCE_FAILED, payload, now=now, source_id=source.id)
