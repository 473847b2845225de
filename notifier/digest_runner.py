"""Makes the due digests of one frequency: read, plan (``digest``), compose, store.

Subscribers are planned in batches; each batch's messages, send-log rows and cursors are stored
in one transaction (``store.digests.record``), so a crash either plans a digest completely or
not at all. A lease in the database keeps two replicas from planning one frequency at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from notifier.compose import Composed, Composer
from notifier.config import DigestSettings
from notifier.digest import (
    DIGEST_EVENTS,
    ItemEvent,
    Plan,
    Told,
    plan,
    relevant_items,
    told_by_subscriber,
    told_rows,
)
from notifier.models import Frequency, Subscriber
from notifier.store import Planned, Store

log = logging.getLogger(__name__)

BATCH = 250  # subscribers planned and committed together
LOCK_TTL = timedelta(minutes=15)


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

    async def compose(self, frequency: Frequency, *, now: datetime) -> list[Composed]:
        """Plan and render every due digest without storing anything (dry run, preview)."""
        people, item_events, until = await self._due(frequency, now=now)
        told = await self._told(people, item_events)
        plans = self._plans(people, item_events, told, until)
        return [self._composer.digest(found, now=now) for found in plans]

    async def make(self, frequency: Frequency, *, now: datetime) -> int:
        """Plan, render and enqueue the due digests of one frequency; return messages
        enqueued."""
        owner = f"digest-{uuid.uuid4().hex[:12]}"
        lock = f"digest:{frequency.value}"
        leases = self._store.leases
        if not await leases.acquire(lock, owner=owner, now=now, ttl=LOCK_TTL):
            log.info("digest planning for %s already running elsewhere", frequency.value)
            return 0
        try:
            people, item_events, until = await self._due(frequency, now=now)
            enqueued = 0
            for start in range(0, len(people), BATCH):
                batch = people[start : start + BATCH]
                told = await self._told(batch, item_events)
                plans = self._plans(batch, item_events, told, until)
                planned = [self._planned(found, now) for found in plans]
                enqueued += await self._store.digests.record(
                    planned, subscriber_ids=[p.id for p in batch], until=until, now=now
                )
            log.info(
                "planned %s digests",
                frequency.value,
                extra={
                    "frequency": frequency.value,
                    "subscribers": len(people),
                    "enqueued": enqueued,
                },
            )
            return enqueued
        finally:
            await leases.release(lock, owner=owner)

    def _planned(self, found: Plan, now: datetime) -> Planned:
        composed = self._composer.digest(found, now=now)
        return Planned(
            message=composed.message,
            subscriber_id=found.subscriber.id,
            told=told_rows(found),
            cursor=found.until_event,
        )

    async def _due(
        self, frequency: Frequency, *, now: datetime
    ) -> tuple[list[Subscriber], list[ItemEvent], int]:
        due = await self._store.digests.due(frequency, types=DIGEST_EVENTS)
        item_events = [ItemEvent.of(event) for event in due.events]
        # A paused subscriber is left out, cursor and all: what happens meanwhile comes in
        # their first digest after the pause (max_items holds back the rest for the next).
        today = now.astimezone(self._settings.zone).date()
        people = [person for person in due.people if not person.paused(today)]
        return people, item_events, due.until

    async def _told(
        self, people: Sequence[Subscriber], item_events: Sequence[ItemEvent]
    ) -> dict[int, Told]:
        rows = await self._store.digests.told(
            [person.id for person in people], relevant_items(item_events)
        )
        return told_by_subscriber(rows)

    def _plans(
        self,
        people: Sequence[Subscriber],
        item_events: Sequence[ItemEvent],
        told: dict[int, Told],
        until: int,
    ) -> list[Plan]:
        plans = []
        for person in people:
            found = plan(
                person,
                item_events,
                told=told.get(person.id, Told()),
                until_event=until,
                max_items=self._settings.max_items,
            )
            if found is not None:
                plans.append(found)
        return plans
