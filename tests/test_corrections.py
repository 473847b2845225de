"""The secretariat's topic corrections: they win over the classifier for their item (now, on
reclassification and on new versions), digests and feeds follow them through an
``item.reclassified`` event, a held document's items are told with them on release, and they
export as labelled data in the classifier's test-set format."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from notifier import feeds
from notifier.cli import main
from notifier.config import Settings
from notifier.models import EventType, Frequency, Item, SubscriberState, TopicMatch
from notifier.store import Store
from tests.factories import Spec, compose_digests, publish

NOW = datetime(2024, 5, 1, 8, tzinfo=UTC)
SETTINGS = Settings(web={"secret_key": "x" * 40})
BY = "sekretariat@kkr.example"
POINTS = [
    Spec(title="Sundhedsaftale for 2024", number="1", topics=["sundhed"]),
    Spec(title="Busplan for regionen", number="2", topics=["trafik_infrastruktur"]),
]
REAL_SET = Path(__file__).resolve().parent / "data" / "classify_real.jsonl"


async def _subscribe(store: Store, email: str, topics: tuple[str, ...]) -> None:
    await store.subscribers.add(
        email=email,
        name="",
        topics=topics,
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=NOW,
    )


async def _told(store: Store) -> dict[str, list[str]]:
    composed = await compose_digests(store, SETTINGS, Frequency.DAILY, now=NOW)
    return {
        c.plan.subscriber.email: sorted(e.snapshot.title for e in c.plan.entries) for c in composed
    }


async def _item_id(store: Store, title: str) -> int:
    (item,) = [i for i in await store.corrections.recent() if i.title == title]
    return item.id


async def test_a_correction_before_the_digest_decides_who_is_told(store: Store) -> None:
    await _subscribe(store, "klima@kommune.dk", ("klima_miljoe",))
    await _subscribe(store, "sundhed@kommune.dk", ("sundhed",))
    await publish(store, POINTS, now=NOW)
    item_id = await _item_id(store, "Sundhedsaftale for 2024")
    before = await store.archive.last_event_id()

    assert await store.corrections.correct(item_id, ["klima_miljoe"], by=BY, now=NOW)

    (event,) = await store.archive.since(before)
    assert event.type is EventType.ITEM_RECLASSIFIED
    assert event.snapshot.topic_ids == ("klima_miljoe",)
    assert event.snapshot.old is not None and event.snapshot.old.topic_ids == ("sundhed",)
    # The digest planned after the correction follows it: the klima subscriber hears of the
    # item, the sundhed subscriber does not.
    assert await _told(store) == {"klima@kommune.dk": ["Sundhedsaftale for 2024"]}
    # So do the feeds: the entry moved from the sundhed feed to the klima feed.
    events = await store.archive.latest(types=feeds.FEED_EVENTS, limit=feeds.EVENT_WINDOW)
    (entry,) = [e for e in feeds.fold(events).entries if e.snapshot.item_id == item_id]
    assert entry.snapshot.topic_ids == ("klima_miljoe",)
    (shown,) = [i for i in await store.corrections.recent() if i.id == item_id]
    assert shown.topics == ("klima_miljoe",) and shown.corrected_by == BY


async def test_a_correction_keeps_the_classifiers_evidence_for_topics_it_found(
    store: Store,
) -> None:
    await publish(store, POINTS, now=NOW)
    item_id = await _item_id(store, "Busplan for regionen")
    await store.corrections.correct(
        item_id, ["klima_miljoe", "trafik_infrastruktur"], by=BY, now=NOW
    )
    (event,) = await store.archive.since(await store.archive.last_event_id() - 1)
    first, added = event.snapshot.topics
    # The classifier's own match stays first (the primary topic), the added one says who chose.
    assert first.topic == "trafik_infrastruktur" and first.evidence[0].where == "title"
    assert added.topic == "klima_miljoe" and added.evidence[0].where == "correction"


async def test_the_same_topics_again_record_the_label_but_tell_nothing(store: Store) -> None:
    await publish(store, POINTS, now=NOW)
    item_id = await _item_id(store, "Busplan for regionen")
    before = await store.archive.last_event_id()
    assert not await store.corrections.correct(item_id, ["trafik_infrastruktur"], by=BY, now=NOW)
    assert await store.archive.since(before) == []
    assert [row["topics"] for row in await store.corrections.export()] == [["trafik_infrastruktur"]]


class _Says:
    """A classifier that puts every item under one topic."""

    def __init__(self, topic: str) -> None:
        self.topic = topic

    def __call__(self, item: Item) -> tuple[TopicMatch, ...]:
        return (TopicMatch(topic=self.topic, score=1.0),)


async def test_a_correction_wins_over_reclassification_and_new_versions(store: Store) -> None:
    await publish(store, POINTS, now=NOW)
    item_id = await _item_id(store, "Sundhedsaftale for 2024")
    await store.corrections.correct(item_id, ["social"], by=BY, now=NOW)

    # topics.toml changed: every item is classified again, and the corrected one stays put.
    before = await store.archive.last_event_id()
    looked, changed = await store.item_topics.reclassify(
        _Says("uddannelse"), topics_version="v2", now=NOW
    )
    assert (looked, changed) == (2, 1)  # only the uncorrected item changed
    (event,) = await store.archive.since(before)
    assert event.snapshot.title == "Busplan for regionen"

    # A new version of the corrected item is told under the chosen topics.
    edited = [
        Spec(title="Sundhedsaftale for 2024", number="1", topics=["sundhed"], text="Ny tekst."),
        POINTS[1],
    ]
    before = await store.archive.last_event_id()
    await publish(store, edited, now=NOW + timedelta(days=1))
    (changed_event,) = [
        e for e in await store.archive.since(before) if e.type is EventType.ITEM_CHANGED
    ]
    assert changed_event.snapshot.item_id == item_id
    assert changed_event.snapshot.topic_ids == ("social",)


async def test_a_held_documents_items_are_told_with_their_corrected_topics(store: Store) -> None:
    await _subscribe(store, "social@kommune.dk", ("social",))
    await publish(store, POINTS, problems=["numbering skips 1.2"], now=NOW)
    item_id = await _item_id(store, "Sundhedsaftale for 2024")
    before = await store.archive.last_event_id()
    assert await store.corrections.correct(item_id, ["social"], by=BY, now=NOW)
    assert await store.archive.since(before) == []  # held: nobody has been told, nothing to say
    assert await _told(store) == {}

    (held,) = await store.review.held()
    await store.review.release(held.id, now=NOW)
    assert await _told(store) == {"social@kommune.dk": ["Sundhedsaftale for 2024"]}


async def _two_corrections(database: str) -> int:
    store = await Store.open(database)
    try:
        await publish(store, POINTS, now=NOW)
        item_id = await _item_id(store, "Sundhedsaftale for 2024")
        await store.corrections.correct(item_id, [], by=BY, now=NOW)  # no topic is a label too
        await store.corrections.correct(item_id, ["sundhed", "social"], by=BY, now=NOW)
        return item_id
    finally:
        await store.close()


def test_corrections_export_in_the_test_sets_format(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    item_id = asyncio.run(_two_corrections(database))
    config = tmp_path / "notifier.toml"
    config.write_text(f'database_url = "{database}"\n', encoding="utf-8")

    result = CliRunner().invoke(main, ["--config", str(config), "corrections", "export"])

    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    row = json.loads(line)
    real = json.loads(REAL_SET.read_text(encoding="utf-8").splitlines()[0])
    assert list(row) == list(real)  # the same fields, in the same order
    assert row["topics"] == ["sundhed", "social"]
    assert row["title"] == "Sundhedsaftale for 2024" and row["kind"] == "agenda-point"
    assert row["url"].startswith("http://127.0.0.1/hovedstaden/")
    assert row["council"] == "hovedstaden" and row["id"] == f"c{item_id}"


async def test_the_review_queue_counts_each_subscriber_told_of_an_item_once(store: Store) -> None:
    """Two sundhed subscribers share one logged list, an all-topics subscriber has another;
    one of them was told of the item again in a list of its own: still three subscribers."""
    from notifier.store import send_log as store_send_log
    from tests.factories import make_digests

    for n, topics in enumerate((("sundhed",), ("sundhed",), ("all",))):
        await _subscribe(store, f"p{n}@kommune.dk", topics)
    await publish(store, POINTS, now=NOW)
    assert await make_digests(store, SETTINGS, Frequency.DAILY, now=NOW) == 3
    told = {item.title: item.told for item in await store.corrections.recent()}
    assert told == {"Sundhedsaftale for 2024": 3, "Busplan for regionen": 1}
    sundhed = await _item_id(store, "Sundhedsaftale for 2024")
    first = await store.subscribers.by_email("p0@kommune.dk")
    assert first is not None
    async with store.db.write() as conn:
        await store_send_log.record(
            conn, [(first.id, None, [(sundhed, "x" * 64, "changed")])], now=NOW
        )
    told = {item.title: item.told for item in await store.corrections.recent()}
    assert told == {"Sundhedsaftale for 2024": 3, "Busplan for regionen": 1}
    (only,) = await store.corrections.recent(item_id=sundhed)
    assert only.told == 3
