"""The web app's feed cache: built incrementally, it serves what a full build would; it sees
another process's new items within its check interval (an injected clock, no sleeps), and a
source's failure re-renders nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import feedparser

from notifier import feeds, resources, templates
from notifier.feed_entries import Folding
from notifier.models import Council, DocumentKind
from notifier.store import Store
from notifier.web.file_cache import FileCache
from tests.factories import Spec, app_for, publish, source_for
from tests.test_feeds import BASE, TOPICS
from tests.test_web import asgi_client, make_settings

T0 = datetime(2024, 3, 1, 9, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def renderer() -> feeds.FeedRenderer:
    env = templates.environment(resources.templates_dir())
    return feeds.FeedRenderer(base_url=BASE, topics=TOPICS, env=env)


async def full_build(store: Store) -> dict[str, feeds.File]:
    latest = await store.archive.latest(types=feeds.FEED_EVENTS, limit=feeds.EVENT_WINDOW)
    return feeds.build_files(renderer(), feeds.fold(latest), await store.archive.meetings())


async def assert_same_as_full_build(cache: FileCache, store: Store) -> None:
    cached, full = await cache.files(), await full_build(store)
    assert cached.keys() == full.keys()
    for path, file in full.items():
        assert cached[path].body == file.body, path
        assert cached[path].last_modified == file.last_modified, path
    latest = await store.archive.latest(types=feeds.FEED_EVENTS, limit=feeds.EVENT_WINDOW)
    assert await cache.entries() == feeds.fold(latest).entries


async def test_incremental_builds_equal_a_full_build(store: Store) -> None:
    cache = FileCache(store, renderer(), clock=Clock())  # sees its own process's writes at once
    await assert_same_as_full_build(cache, store)  # empty
    agenda = [
        Spec(title="Sundhedsaftale", text="Første udgave.", topics=["sundhed"], number="1"),
        Spec(title="Letbane", topics=["trafik_infrastruktur"], number="2"),
        Spec(title="Godkendelse af dagsorden", number="3", procedural=True),
    ]
    await publish(store, agenda, now=T0)
    await assert_same_as_full_build(cache, store)
    await publish(
        store,
        [Spec(title="Praktikpladser", topics=["uddannelse", "sundhed"])],
        council=Council.NORDJYLLAND,
        kind=DocumentKind.NEWSLETTER,
        day=date(2024, 6, 20),
        now=T0 + timedelta(hours=1),
    )
    await assert_same_as_full_build(cache, store)
    # A change to one point, another removed (the document again without it).
    changed = Spec(title="Sundhedsaftale", text="Anden udgave.", topics=["sundhed"], number="1")
    await publish(store, [changed, agenda[2]], now=T0 + timedelta(days=1))
    await assert_same_as_full_build(cache, store)
    # The minutes decide the point: its entry changes, no second one appears.
    decided = Spec(title="Sundhedsaftale", topics=["social"], number="1", beslutning="Godkendt.")
    await publish(store, [decided], kind=DocumentKind.MINUTES, now=T0 + timedelta(days=2))
    await assert_same_as_full_build(cache, store)
    (entry,) = [e for e in await cache.entries() if e.snapshot.title == "Sundhedsaftale"]
    assert entry.decision is not None and entry.decision.beslutning == "Godkendt."
    # Folded in two batches, cut anywhere, the events make what one fold of them makes.
    events = await store.archive.since(0, types=feeds.FEED_EVENTS)
    for cut in range(len(events) + 1):
        folding = Folding()
        folding.add(events[:cut])
        folding.add(events[cut:])
        assert folding.recent() == feeds.fold(events), cut


async def test_another_process_new_item_shows_within_the_check_interval(
    database_url: str,
) -> None:
    reader, writer = await Store.open(database_url), await Store.open(database_url)
    try:
        clock = Clock()
        cache = FileCache(reader, renderer(), interval=5.0, clock=clock)
        await publish(writer, [Spec(title="Sundhedsaftale", topics=["sundhed"])], now=T0)
        before = await cache.files()
        assert "Sundhedsaftale" in before["feeds/emne/sundhed.rss"].body.decode()
        await publish(
            writer,
            [Spec(title="Letbane", topics=["trafik_infrastruktur"])],
            council=Council.SJAELLAND,
            now=T0 + timedelta(hours=1),
        )
        clock.now += 4.9
        assert await cache.files() is before  # not asked yet: no database round trip
        clock.now += 0.1
        after = await cache.files()
        for path in (
            "feeds/alle.rss",
            "feeds/kkr/sjaelland.atom",
            "feeds/emne/trafik_infrastruktur.rss",
        ):
            assert "Letbane" in after[path].body.decode(), path
        # Feeds the new item is not in are the very same files: not rendered again.
        for path in ("feeds/emne/sundhed.rss", "feeds/kkr/hovedstaden.atom", feeds.OPML_PATH):
            assert after[path] is before[path], path
        assert after["kalender/sjaelland.ics"] is not before["kalender/sjaelland.ics"]
        await assert_same_as_full_build(cache, reader)
    finally:
        await reader.close()
        await writer.close()


async def test_a_source_failure_renders_nothing_again(store: Store) -> None:
    clock = Clock()
    cache = FileCache(store, renderer(), interval=5.0, clock=clock)
    await publish(store, [Spec(title="Sundhedsaftale", topics=["sundhed"])], now=T0)
    before = await cache.files()
    await store.polls.fail(source_for(Council.HOVEDSTADEN), "timeout", owner="test", now=T0)
    assert await cache.files() is before
    clock.now += 60  # checked again: nothing it shows has changed
    assert await cache.files() is before


async def test_etag_of_an_untouched_feed_survives_a_new_item(sqlite_store: Store) -> None:
    app = app_for(make_settings(sqlite_store, "http://testserver"), sqlite_store)
    await publish(sqlite_store, [Spec(title="Sundhedsaftale", topics=["sundhed"])], now=T0)
    async with asgi_client(app) as client:
        first = await client.get("/feeds/emne/sundhed.rss")
        other = await client.get("/feeds/kkr/sjaelland.rss")
        await publish(
            sqlite_store,
            [Spec(title="Letbane", topics=["trafik_infrastruktur"])],
            council=Council.SJAELLAND,
            now=T0 + timedelta(hours=1),
        )
        same = await client.get(
            "/feeds/emne/sundhed.rss", headers={"If-None-Match": first.headers["etag"]}
        )
        assert same.status_code == 304 and same.headers["etag"] == first.headers["etag"]
        moved = await client.get(
            "/feeds/kkr/sjaelland.rss", headers={"If-None-Match": other.headers["etag"]}
        )
        assert moved.status_code == 200 and moved.headers["etag"] != other.headers["etag"]
        assert [e.title for e in feedparser.parse(moved.content).entries] == ["Letbane"]


async def test_the_entries_start_over_from_the_window_once_they_doubled(
    sqlite_store: Store,
) -> None:
    clock = Clock()
    cache = FileCache(sqlite_store, renderer(), window=2, clock=clock)

    async def newest_two() -> list[feeds.Entry]:
        latest = await sqlite_store.archive.latest(types=feeds.FEED_EVENTS, limit=2)
        return feeds.fold(latest).entries

    titles = []
    for n in range(4):
        titles.append(f"Punkt {n}")
        await publish(
            sqlite_store, [Spec(title=titles[-1])], day=date(2024, 1, 1) + timedelta(days=n)
        )
        # Folded from fewer than twice the window when checked: everything since the start.
        shown = [entry.snapshot.title for entry in await cache.entries()]
        assert sorted(shown) == sorted(titles)
    clock.now += 5  # the next check, after four events, starts over from the newest two
    assert await cache.entries() == await newest_two()
    assert [entry.snapshot.title for entry in await cache.entries()] == ["Punkt 3", "Punkt 2"]
