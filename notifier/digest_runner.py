"""Makes the due digests of one frequency: read, plan (``digest``), compose, store.

One ``digest_groups.Planner`` per run plans each group of alike subscribers once, and one
``SharedRenders`` renders each shared digest once; a batch is planned and composed in a thread,
so the event loop (the web app) keeps answering while thousands of digests are made.

Subscribers are planned in batches; each batch's messages, send-log rows and cursors are stored
in one transaction (``store.digests.record``), so a crash either plans a digest completely or
not at all. A lease in the database keeps two replicas from planning one frequency at once; it
is short and renewed while planning runs, and its owner is this process's worker id, so a
restart after a crash takes it over at once.

A subscriber whose last digest failed for good has a replay point: their next digest (one they
would get anyway, because something new is due) is planned from there, so it carries the
failed digest's items too.

The daily and weekly digests are scheduled: ``make_scheduled`` runs one occurrence once, and
records it (``store.schedules``), so replicas and a start after a missed occurrence agree on
whether it ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

from notifier.compose import Composed, Composer
from notifier.config import DigestSettings
from notifier.digest import (
    DIGEST_EVENTS,
    ItemEvent,
    Plan,
    Told,
    relevant_items,
    told_by_subscriber,
    told_rows,
)
from notifier.digest_groups import Planner
from notifier.errors import StoreError
from notifier.models import Frequency, Subscriber, from_the_future
from notifier.shared_renders import SharedRenders
from notifier.store import Due, HeldLease, Planned, Store, worker_id
from notifier.store.send_log import ToldSets

log = logging.getLogger(__name__)

BATCH = 50  # subscribers planned together (short steps: the loop answers)
# Subscribers whose digests are committed together. A commit writes every page its rows
# touched, and a batch's rows touch pages all over the outbox's and send log's indexes: when
# the send log had a row per item told, committing every BATCH, a run of 10,000 wrote 1.6 GB
# (bench/planning.py), every WRITE_BATCH 1.1 GB. The large inserts and commits run in a
# thread (sqlite_inline).
WRITE_BATCH = 500
LEASE_TTL = timedelta(seconds=90)  # renewed every 30 s while planning runs


class DigestRunner:
    def __init__(
        self,
        *,
        store: Store,
        composer: Composer,
        settings: DigestSettings,
    ) -> None:
        self._store = store
        self._composer = composer
        self._settings = settings
        self._owner = worker_id()
        # One planner per frequency in this process; the lease keeps other processes out.
        self._locks = {frequency: asyncio.Lock() for frequency in Frequency}

    async def compose(self, frequency: Frequency, *, now: datetime) -> list[Composed]:
        """Plan and render every due digest without storing anything (dry run, preview)."""
        due = await self._store.digests.due(frequency, types=DIGEST_EVENTS)
        item_events = self._item_events(due)
        people = self._awake(due.people, now)
        sets = await self._store.digests.told_sets(relevant_items(item_events))
        told = await self._told(people, sets)
        planner = self._planner(item_events, due)
        shared = SharedRenders()
        plans = self._plans(planner, people, told, due)
        composed = [self._composed(found, now, shared) for found, _ in plans]
        return [one for one in composed if one is not None]

    async def make(self, frequency: Frequency, *, now: datetime) -> int:
        """Plan, render and enqueue the due digests of one frequency; return messages
        enqueued (0 when another process is planning them)."""
        async with self._lease(frequency, now) as held:
            return await self._make(frequency, now, held) if held else 0

    async def make_scheduled(
        self, frequency: Frequency, *, due_at: datetime, now: datetime, catching_up: bool = False
    ) -> int | None:
        """Run the daily or weekly digest due at ``due_at`` unless a run covered it already;
        returns messages enqueued, None when skipped.

        ``catching_up``: called on start, for an occurrence that may have passed while no
        process ran. When no run was ever recorded (a first start, an upgrade) it is counted
        as done rather than run, since nobody can say whether it was missed.
        """
        name = frequency.value
        async with self._lease(frequency, now) as held:
            if held is None:
                return None
            last = await self._store.schedules.last(name)
            if from_the_future(last, now):
                log.warning(
                    "the %s digest's last run is recorded for %s, ahead of the clock; running it",
                    name,
                    last,
                    extra={"frequency": name},
                )
            elif last is not None and last >= due_at:
                return None
            if last is None and catching_up:
                await self._store.schedules.done(name, due_at=due_at, now=now)
                return None
            if catching_up:
                log.info(
                    "catching up the %s digest due at %s, missed while no process ran",
                    name,
                    due_at.isoformat(timespec="minutes"),
                    extra={"frequency": name, "due_at": due_at.isoformat()},
                )
            enqueued = await self._make(frequency, now, held)
            await self._store.schedules.done(name, due_at=due_at, now=now)
            return enqueued

    @contextlib.asynccontextmanager
    async def _lease(self, frequency: Frequency, now: datetime) -> AsyncIterator[HeldLease | None]:
        """Hold the planning lease of a frequency (with a heartbeat); yields None when
        another process holds it."""
        name = f"digest:{frequency.value}"
        leases = self._store.leases
        async with self._locks[frequency]:
            if not await leases.acquire(name, owner=self._owner, now=now, ttl=LEASE_TTL):
                log.info("digest planning for %s already running elsewhere", frequency.value)
                yield None
                return
            loop = asyncio.get_running_loop()
            started = loop.time()

            def clock() -> datetime:
                return now + timedelta(seconds=loop.time() - started)

            try:
                async with leases.heartbeat(
                    name, owner=self._owner, clock=clock, ttl=LEASE_TTL
                ) as held:
                    yield held
            finally:
                try:
                    await leases.release(name, owner=self._owner)
                except StoreError as exc:
                    # Ours still: this process takes it again at once, others once it runs out.
                    log.warning("could not give back the %s lease: %s", name, exc)

    async def _make(self, frequency: Frequency, now: datetime, held: HeldLease) -> int:
        # Planning allocates much that lives until it ends, and every 25% the heap grows
        # Python runs a full garbage collection that stops all threads, /healthz with them:
        # 120-190 ms each with 10,000 subscribers (gc.callbacks in bench/planning.py). Frozen,
        # what lives long (the process's own objects, then what was read and the planner's
        # buckets) is left out of those collections; unfrozen once planning ends.
        gc.freeze()
        try:
            due = await self._store.digests.due(frequency, types=DIGEST_EVENTS)
            item_events = await asyncio.to_thread(self._item_events, due)
            people = self._awake(due.people, now)
            planner = self._planner(item_events, due)
            sets = await self._store.digests.told_sets(relevant_items(item_events))
            shared = SharedRenders()
            enqueued = 0
            gc.freeze()
            planned: list[Planned] = []
            planned_for: list[int] = []  # the subscribers planned, with a digest or without
            for start in range(0, len(people), BATCH):
                if held.lost:
                    # Another process took over (this one stalled past the lease): it plans the
                    # rest; what is stored here stays, and the outbox keeps each digest once.
                    log.warning("lost the %s planning lease; stopping", frequency.value)
                    planned_for = []
                    break
                batch = people[start : start + BATCH]
                told = await self._told(batch, sets)
                # Planning and rendering a batch is CPU work: in a thread, so the event loop (the
                # web app, /healthz) keeps answering meanwhile.
                made, skipped = await asyncio.to_thread(
                    self._planned_batch, planner, batch, told, due, shared, now
                )
                planned += made
                # A subscriber whose digest could not be composed keeps their cursor: the
                # next run tries the same news again (after a fix) instead of skipping it.
                planned_for += [person.id for person in batch if person.id not in skipped]
                if len(planned_for) >= WRITE_BATCH:
                    enqueued += await self._store.digests.record(
                        planned, subscriber_ids=planned_for, until=due.until, now=now
                    )
                    planned, planned_for = [], []
            if planned_for:
                enqueued += await self._store.digests.record(
                    planned, subscriber_ids=planned_for, until=due.until, now=now
                )
        finally:
            gc.unfreeze()
        log.info(
            "planned %s digests",
            frequency.value,
            extra={"frequency": frequency.value, "subscribers": len(people), "enqueued": enqueued},
        )
        return enqueued

    def _planned_batch(
        self,
        planner: Planner,
        batch: Sequence[Subscriber],
        told: dict[int, Told],
        due: Due,
        shared: SharedRenders,
        now: datetime,
    ) -> tuple[list[Planned], set[int]]:
        """The batch's digests, and the subscribers whose digest could not be composed."""
        planned: list[Planned] = []
        skipped: set[int] = set()
        for found, replayed in self._plans(planner, batch, told, due):
            one = self._planned(found, replayed, now, shared)
            if one is None:
                skipped.add(found.subscriber.id)
            else:
                planned.append(one)
        return planned, skipped

    def _composed(self, found: Plan, now: datetime, shared: SharedRenders) -> Composed | None:
        """One subscriber's digest, None when it cannot be made (an address no header can
        carry, say): one subscriber's bad data must not stop everyone's digest."""
        try:
            return self._composer.digest(found, now=now, shared=shared)
        except Exception:
            log.exception(
                "could not compose a digest; skipping this subscriber",
                extra={"subscriber_id": found.subscriber.id},
            )
            return None

    def _planned(
        self, found: Plan, replayed: int | None, now: datetime, shared: SharedRenders
    ) -> Planned | None:
        composed = self._composed(found, now, shared)
        if composed is None:
            return None
        return Planned(
            message=composed.message,
            subscriber_id=found.subscriber.id,
            told=told_rows(found),
            cursor=found.until_event,
            start=found.after_event,
            replayed=replayed,
        )

    def _item_events(self, due: Due) -> list[ItemEvent]:
        return [ItemEvent.of(event) for event in due.events]

    def _awake(self, people: Sequence[Subscriber], now: datetime) -> list[Subscriber]:
        """A paused subscriber is left out, cursor and all: what happens meanwhile comes in
        their first digest after the pause (max_items holds back the rest for the next)."""
        today = now.astimezone(self._settings.zone).date()
        return [person for person in people if not person.paused(today)]

    async def _told(self, people: Sequence[Subscriber], sets: ToldSets) -> dict[int, Told]:
        rows = await self._store.digests.told([person.id for person in people], sets)
        return told_by_subscriber(rows)

    def _planner(self, item_events: Sequence[ItemEvent], due: Due) -> Planner:
        return Planner(item_events, until=due.until, max_items=self._settings.max_items)

    def _plans(
        self,
        planner: Planner,
        people: Sequence[Subscriber],
        told: dict[int, Told],
        due: Due,
    ) -> list[tuple[Plan, int | None]]:
        """Each due digest, with the replay point it carries (if any)."""
        plans: list[tuple[Plan, int | None]] = []
        for person in people:
            their_told = told.get(person.id, Told())
            found = planner.plan(person, their_told)
            if found is None:
                continue
            replay = due.replay.get(person.id)
            if replay is not None and replay < person.event_cursor:
                # There is news anyway: plan from the failed digest's start, so this one
                # carries its items too (the send log keeps the rest from being told twice).
                again = planner.plan(dataclasses.replace(person, event_cursor=replay), their_told)
                if again is not None:
                    plans.append((again, replay))
                    continue
            plans.append((found, None))
        return plans
