"""Stored items follow the topic definitions: reclassified at start when those changed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier import ingest
from notifier.classify import Classifier
from notifier.models import EventType
from notifier.store import events as store_events
from notifier.store.schema import items
from notifier.topics import load_topics
from tests.factories import Spec, publish

TOPICS = Path("config/topics.toml")


async def test_stale_classifications_are_redone_once(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        # Stored under other topic definitions (the factory's classifier, version "test").
        await publish(
            conn,
            [
                Spec(title="Status for klima VIP-projekterne", text="DK2020 klimaplaner."),
                Spec(title="Takster for botilbud", text="Rammeaftale på det sociale område."),
            ],
        )
        before = await store_events.last_id(conn)
    classifier = Classifier(load_topics(TOPICS))
    changed = await ingest.reclassify_if_stale(
        engine, classifier=classifier, owner="test", now=datetime.now(UTC)
    )
    assert changed == 2
    async with engine.connect() as conn:
        versions = set((await conn.execute(sa.select(items.c.topics_version))).scalars())
        events = await store_events.since(conn, before)
    assert versions == {classifier.version}
    assert {e.type for e in events} == {EventType.ITEM_RECLASSIFIED}
    # The snapshot keeps the meeting, so a digest dates the point by its meeting.
    assert all(e.snapshot.meeting_starts_at is not None for e in events)
    assert {e.snapshot.meeting_place for e in events} == {"Virtuelt via Teams"}
    assert {e.snapshot.title: e.snapshot.topic_ids for e in events} == {
        "Status for klima VIP-projekterne": ("klima_miljoe",),
        "Takster for botilbud": ("social",),
    }
    # Up to date now: nothing to do, nothing appended.
    assert (
        await ingest.reclassify_if_stale(
            engine, classifier=classifier, owner="test", now=datetime.now(UTC)
        )
        is None
    )
