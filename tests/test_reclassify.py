"""Stored items follow the topic definitions: reclassified at start when those changed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from notifier.classify import Classifier
from notifier.models import EventType
from notifier.store import Store
from notifier.store.schema import items
from notifier.topics import load_topics
from tests.factories import Spec, publish

TOPICS = Path("config/topics.toml")


async def test_stale_classifications_are_redone_once(store: Store) -> None:
    # Stored under other topic definitions (the factory's classifier, version "test").
    await publish(
        store,
        [
            Spec(title="Status for klima VIP-projekterne", text="DK2020 klimaplaner."),
            Spec(title="Takster for botilbud", text="Rammeaftale på det sociale område."),
        ],
    )
    before = await store.archive.last_event_id()
    classifier = Classifier(load_topics(TOPICS))
    changed = await store.item_topics.reclassify_if_stale(
        classifier.classify_item,
        topics_version=classifier.version,
        owner="test",
        now=datetime.now(UTC),
    )
    assert changed == 2
    async with store.db.engine.connect() as conn:
        versions = set((await conn.execute(sa.select(items.c.topics_version))).scalars())
    events = await store.archive.since(before)
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
        await store.item_topics.reclassify_if_stale(
            classifier.classify_item,
            topics_version=classifier.version,
            owner="test",
            now=datetime.now(UTC),
        )
        is None
    )


async def test_a_held_documents_items_are_reclassified_but_not_told(store: Store) -> None:
    """The quality gate held the document: nobody was told of its items, so a new topic must
    not tell them either (the OCR brochure would reach every subscriber of its new topic)."""
    await publish(
        store,
        [Spec(title="Status for klima VIP-projekterne", text="DK2020 klimaplaner.")],
        problems=["numbering skips 1.2"],
    )
    before = await store.archive.last_event_id()
    classifier = Classifier(load_topics(TOPICS))
    changed = await store.item_topics.reclassify_if_stale(
        classifier.classify_item,
        topics_version=classifier.version,
        owner="test",
        now=datetime.now(UTC),
    )
    assert changed == 1  # its topics follow the definitions all the same
    assert [e.type for e in await store.archive.since(before)] == []
