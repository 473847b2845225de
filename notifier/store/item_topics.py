"""Items' topics after classification: find stale ones, reclassify, tell about changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from notifier.models import EventType, Item, TopicMatch
from notifier.store import documents as store_documents
from notifier.store import items as store_items
from notifier.store import meetings as store_meetings
from notifier.store import topic_corrections as store_corrections
from notifier.store.context import Context, as_item
from notifier.store.db import Database
from notifier.store.leases import Leases

Classify = Callable[[Item], tuple[TopicMatch, ...]]
LEASE = "reclassify"
LEASE_TTL = timedelta(minutes=30)


class ItemTopics:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def stale(self, topics_version: str) -> int:
        """Live items classified by other topic definitions than ``topics_version``."""
        async with self._db.read() as conn:
            return await store_items.count_stale(conn, topics_version)

    async def reclassify_if_stale(
        self, classify: Classify, *, topics_version: str, owner: str, now: datetime
    ) -> int | None:
        """Reclassify when stored items were classified by other topic definitions; returns how
        many changed topics, or None when nothing was stale (or another replica is at it: a
        lease keeps replicas starting together from doing it twice)."""
        if not await self.stale(topics_version):
            return None
        leases = Leases(self._db)
        if not await leases.acquire(LEASE, owner=owner, now=now, ttl=LEASE_TTL):
            return None
        try:
            _, changed = await self.reclassify(classify, topics_version=topics_version, now=now)
        finally:
            await leases.release(LEASE, owner=owner)
        return changed

    async def reclassify(
        self, classify: Classify, *, topics_version: str, now: datetime
    ) -> tuple[int, int]:
        """Classify every live item again (topics.toml or the classifier changed).

        Items whose topics change get an ``item.reclassified`` event, so subscribers of a newly
        matching topic hear about them once. Returns (items looked at, items whose topics
        changed). One transaction: a crash leaves the old classification whole.
        """
        looked, changed = 0, 0
        async with self._db.write() as conn:
            meetings = {m.id: m.meeting for m in await store_meetings.all_meetings(conn)}
            documents = {d.id: d for d in await store_documents.select(conn, sa.true())}
            live = await store_items.live_with_documents(conn)
            # A correction by the secretariat wins over the classifier for its item.
            chosen = await store_corrections.chosen(conn, None)
            for stored, document_id in live:
                looked += 1
                topics = store_corrections.override(
                    classify(as_item(stored)), chosen.get(stored.id)
                )
                await store_items.set_topics(
                    conn, stored.id, topics, topics_version=topics_version, now=now
                )
                if [m.topic for m in topics] == [m.topic for m in stored.topics]:
                    continue
                document = documents[document_id]
                meeting = meetings.get(document.meeting_id) if document.meeting_id else None
                context = Context.of_stored(conn, document, meeting, now)
                await context.item_event(
                    EventType.ITEM_RECLASSIFIED,
                    as_item(stored),
                    stored.id,
                    stored.version_id,
                    topics,
                    old=context.stored(stored),
                )
                changed += 1
        return looked, changed
