"""A point taken off a document and later put back is the same item, on both databases.

The removed row keeps its key (a key names one item of a document, removed or not), so a point
that returns must bring that row back instead of inserting a second one: before, the insert
broke ``uq_items_document_id_key`` and the document's every later poll failed the same way.

What subscribers get when a point returns:

* the same text as before it left: ``item.new`` for the same item and the same version. Digests
  never told anyone it was removed, so to a politician who already had it in a digest nothing
  happened: the send log's record of that version keeps it out of their next digest. Anyone
  never told of it (subscribed since, or it left before their digest) gets it as new. The feeds
  and the archive, which did drop it on removal, show it again.
* another text: ``item.changed`` from the version that left, so whoever knew the point reads
  what changed, as for any edit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier import feed_entries
from notifier.digest import Reason
from notifier.models import EventType, Frequency, SubscriberState
from notifier.store import Store
from notifier.store.schema import item_versions, items
from tests.factories import Spec, compose_digests, make_digests, publish
from tests.test_digest import settings_for

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = date(2021, 3, 1)
A = Spec(title="Klimaplaner", number="1", text="Klima og energi drøftes.", topics=["klima_miljoe"])
B = Spec(title="Busdrift", number="2", text="Trafik og busser i regionen.", topics=["klima_miljoe"])
C = Spec(title="Skoler", number="3", text="Skoler og uddannelse for unge.", topics=["uddannelse"])
B_EDITED = Spec(
    title="Busdrift", number="2", text="Trafik, busser og tog i regionen.", topics=["klima_miljoe"]
)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


async def item_rows(engine: AsyncEngine) -> dict[str, tuple[int, bool, str]]:
    """Key -> (item id, live, current text) of every item row."""
    query = sa.select(
        items.c.key, items.c.id, items.c.removed_at.is_(None), item_versions.c.text
    ).join(item_versions, item_versions.c.id == items.c.current_version_id)
    async with engine.connect() as conn:
        return {key: (i, bool(live), text) for key, i, live, text in await conn.execute(query)}


async def versions_of(engine: AsyncEngine, item_id: int) -> int:
    query = sa.select(sa.func.count()).where(item_versions.c.item_id == item_id)
    async with engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


async def titles_found(store: Store, query: str) -> list[str]:
    found = await store.search.search(query, types=feed_entries.FEED_EVENTS)
    entries = {e.item_id: e for e in feed_entries.fold(found.events).entries}
    return [entries[item_id].snapshot.title for item_id in found.item_ids]


async def archive_titles(store: Store) -> list[str]:
    events = await store.archive.latest(types=feed_entries.FEED_EVENTS, limit=1000)
    return sorted(entry.snapshot.title for entry in feed_entries.fold(events).entries)


async def test_a_point_that_returns_unchanged_is_the_same_item_again(
    store: Store, engine: AsyncEngine
) -> None:
    first = await publish(store, [A, B, C], day=DAY, now=at(0))
    b_id = next(s.item_id for s in first if s.number == "2")
    b_version = next(s.version_id for s in first if s.number == "2")
    await publish(store, [A, C], day=DAY, now=at(1))
    assert await titles_found(store, "busser") == []

    told = await publish(store, [A, B, C], day=DAY, now=at(2))

    [back] = told
    assert (back.item_id, back.version_id, back.number) == (b_id, b_version, "2")
    events = await store.archive.since(0)
    assert events[-1].type is EventType.ITEM_NEW and events[-1].snapshot.item_id == b_id
    rows = await item_rows(engine)
    assert rows["2"] == (b_id, True, B.text) and len(rows) == 3
    assert await versions_of(engine, b_id) == 1
    assert await titles_found(store, "busser") == ["Busdrift"]
    assert await archive_titles(store) == ["Busdrift", "Klimaplaner", "Skoler"]
    # And it is simply there from now on: the next poll of the same document tells nothing.
    assert await publish(store, [A, B, C], day=DAY, now=at(3)) == []


async def test_a_point_that_returns_with_another_text_is_changed(
    store: Store, engine: AsyncEngine
) -> None:
    first = await publish(store, [A, B, C], day=DAY, now=at(0))
    b_id = next(s.item_id for s in first if s.number == "2")
    await publish(store, [A, C], day=DAY, now=at(1))

    [back] = await publish(store, [A, B_EDITED, C], day=DAY, now=at(2))

    assert back.item_id == b_id and back.text == B_EDITED.text
    assert back.old is not None and back.old.text == B.text
    events = await store.archive.since(0)
    assert events[-1].type is EventType.ITEM_CHANGED
    assert (await item_rows(engine))["2"] == (b_id, True, B_EDITED.text)
    assert await versions_of(engine, b_id) == 2
    assert await titles_found(store, "tog") == ["Busdrift"]
    assert await publish(store, [A, B_EDITED, C], day=DAY, now=at(3)) == []


async def test_a_point_renumbered_onto_a_removed_points_number(
    store: Store, engine: AsyncEngine
) -> None:
    """Point 2 leaves, then point 3 becomes point 2: point 3's item takes the number (it is the
    same text), and the removed point gives up the key it no longer answers to."""
    first = await publish(store, [A, B, C], day=DAY, now=at(0))
    c_id = next(s.item_id for s in first if s.number == "3")
    await publish(store, [A, C], day=DAY, now=at(1))
    c_as_2 = Spec(title=C.title, number="2", text=C.text, topics=C.topics)

    assert await publish(store, [A, c_as_2], day=DAY, now=at(2)) == []

    rows = await item_rows(engine)
    assert rows["2"] == (c_id, True, C.text)
    assert sorted(live for _, live, _ in rows.values()) == [False, True, True]
    # The old point 2 coming back as point 3 is the old point 2 again (its text says so).
    [again] = await publish(store, [A, c_as_2, replace(B, number="3")], day=DAY, now=at(3))
    assert again.title == B.title and again.number == "3" and again.old is None


async def subscribe(store: Store, email: str, now: datetime) -> None:
    await store.subscribers.add(
        email=email,
        name="Politiker",
        topics=("klima_miljoe",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=now,
    )


async def test_whoever_was_told_of_a_returning_point_is_not_told_again(store: Store) -> None:
    settings = settings_for(None)
    await subscribe(store, "klima@example.org", at(0))
    await publish(store, [A, B, C], day=DAY, now=at(1))
    assert await make_digests(store, settings, Frequency.DAILY, now=at(2)) == 1
    await subscribe(store, "ny@example.org", at(2))

    await publish(store, [A, C], day=DAY, now=at(3))
    await publish(store, [A, B, C], day=DAY, now=at(4))

    # Only the subscriber who never heard of the point hears of it, as a new point.
    [plan] = [c.plan for c in await compose_digests(store, settings, Frequency.DAILY, now=at(5))]
    assert plan.subscriber.email == "ny@example.org"
    assert [(e.snapshot.title, e.reason) for e in plan.entries] == [("Busdrift", Reason.NEW)]
    assert await make_digests(store, settings, Frequency.DAILY, now=at(5)) == 1

    await publish(store, [A, C], day=DAY, now=at(6))
    await publish(store, [A, B_EDITED, C], day=DAY, now=at(7))
    # Back with another text: news to both, told as what changed.
    composed = await compose_digests(store, settings, Frequency.DAILY, now=at(8))
    assert sorted(c.plan.subscriber.email for c in composed) == [
        "klima@example.org",
        "ny@example.org",
    ]
    for digest in composed:
        [entry] = digest.plan.entries
        assert entry.reason is Reason.CHANGED and entry.old is not None
        assert entry.old.text == B.text and entry.snapshot.text == B_EDITED.text


async def test_a_point_that_returns_under_another_number_is_the_same_item(
    store: Store, engine: AsyncEngine
) -> None:
    """A point taken off the agenda and put back later in it (its number taken meanwhile, or
    simply at the end) is the same point: its text says so. As another item it would be told
    again, as new, to everyone who already had it in a digest."""
    settings = settings_for(None)
    await subscribe(store, "klima@example.org", at(0))
    first = await publish(store, [A, B, C], day=DAY, now=at(1))
    b_id = next(s.item_id for s in first if s.number == "2")
    assert await make_digests(store, settings, Frequency.DAILY, now=at(2)) == 1
    await publish(store, [A, C], day=DAY, now=at(3))

    [back] = await publish(store, [A, C, replace(B, number="4")], day=DAY, now=at(4))

    assert (back.item_id, back.number) == (b_id, "4")
    assert await compose_digests(store, settings, Frequency.DAILY, now=at(5)) == []
    rows = await item_rows(engine)
    assert rows["4"] == (b_id, True, B.text) and len(rows) == 3
    assert await archive_titles(store) == ["Busdrift", "Klimaplaner", "Skoler"]


async def test_removed_points_swapping_numbers_come_back_as_themselves(
    store: Store, engine: AsyncEngine
) -> None:
    """Two removed points come back, each under the other's number: each is its own item again
    (the keys change hands within one poll without breaking the key's uniqueness)."""
    first = await publish(store, [A, B, C], day=DAY, now=at(0))
    ids = {s.title: s.item_id for s in first}
    await publish(store, [A], day=DAY, now=at(1))

    told = await publish(
        store, [A, replace(C, number="2"), replace(B, number="3")], day=DAY, now=at(2)
    )

    assert {(s.title, s.item_id, s.number) for s in told} == {
        (B.title, ids[B.title], "3"),
        (C.title, ids[C.title], "2"),
    }
    assert all(s.old is None for s in told)
    rows = await item_rows(engine)
    assert rows["2"] == (ids[C.title], True, C.text)
    assert rows["3"] == (ids[B.title], True, B.text)
    assert len(rows) == 3


async def test_a_new_point_takes_the_number_of_a_removed_point_come_back_elsewhere(
    store: Store, engine: AsyncEngine
) -> None:
    """A point taken off comes back under another number while a new point takes its old one:
    the new point is inserted before the returning one is renumbered, so the removed row must
    give up its key first. Before, the insert broke ``uq_items_document_id_key`` and every later
    poll of the document failed the same way."""
    first = await publish(store, [A, B, C], day=DAY, now=at(0))
    b_id = next(s.item_id for s in first if s.number == "2")
    await publish(store, [A, C], day=DAY, now=at(1))
    new = Spec(title="Sundhed", number="2", text="Nyt punkt om sygehuse.", topics=["sundhed"])

    told = await publish(store, [A, new, C, replace(B, number="4")], day=DAY, now=at(2))

    assert {(s.title, s.number) for s in told} == {("Sundhed", "2"), ("Busdrift", "4")}
    assert next(s.item_id for s in told if s.title == "Busdrift") == b_id
    rows = await item_rows(engine)
    assert rows["4"] == (b_id, True, B.text)
    assert rows["2"][0] != b_id and rows["2"][2] == new.text
    assert len(rows) == 4


async def test_a_point_inserted_or_taken_off_tells_only_that_point(
    store: Store, engine: AsyncEngine
) -> None:
    """A point inserted renumbers the ones after it onto each other's keys; they are the same
    points, stored under their new keys (a key changes hands within one poll) and not told.
    Before, each was told changed into the next one's text."""
    first = await publish(store, [A, B, C], day=DAY, now=at(0))
    ids = {s.title: s.item_id for s in first}
    new = Spec(title="Sygehuse", number="2", text="Nyt punkt om sygehuse.", topics=["sundhed"])

    told = await publish(
        store, [A, new, replace(B, number="3"), replace(C, number="4")], day=DAY, now=at(1)
    )
    assert [(s.title, s.old) for s in told] == [("Sygehuse", None)]
    rows = await item_rows(engine)
    assert (rows["3"][0], rows["4"][0]) == (ids["Busdrift"], ids["Skoler"])

    removed = await store.archive.since(0, types=[EventType.ITEM_REMOVED])
    told = await publish(store, [A, replace(C, number="2")], day=DAY, now=at(2))
    assert told == []
    gone = await store.archive.since(
        removed[-1].id if removed else 0, types=[EventType.ITEM_REMOVED]
    )
    assert sorted(e.snapshot.title for e in gone) == ["Busdrift", "Sygehuse"]
    assert (await item_rows(engine))["2"][0] == ids["Skoler"]
