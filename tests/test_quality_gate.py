"""What people are told: held documents wait for review, a new source's back catalogue is
history, feeds and the archive show one entry per point dated by its document."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from notifier import feeds
from notifier.config import Settings
from notifier.models import DocumentKind, EventType, Frequency, SubscriberState
from notifier.store import Store
from notifier.store.schema import documents
from tests.factories import Spec, compose_digests, publish

NOW = datetime(2024, 5, 1, 8, tzinfo=UTC)
SETTINGS = Settings(web={"secret_key": "x" * 40})
POINTS = [
    Spec(title="Sundhedsaftale", number="1", topics=["sundhed"], indstilling="Det indstilles."),
    Spec(title="Praktikpladser", number="2", topics=["uddannelse"]),
    Spec(title="Eventuelt", number="3", procedural=True),
]


async def _subscribe(store: Store) -> None:
    await store.subscribers.add(
        email="a@kommune.dk",
        name="A",
        topics=("all",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=NOW,
    )


async def _entries(store: Store) -> list[feeds.Entry]:
    events = await store.archive.latest(types=feeds.FEED_EVENTS, limit=feeds.EVENT_WINDOW)
    return feeds.fold(events).entries


async def _told(store: Store) -> list[str]:
    composed = await compose_digests(store, SETTINGS, Frequency.DAILY, now=NOW)
    return sorted(e.snapshot.title for c in composed for e in c.plan.entries)


async def test_a_held_document_is_told_to_nobody_until_it_passes(store: Store) -> None:
    await _subscribe(store)
    problem = "ToC lists 3.2 not found in the body"
    told = await publish(store, POINTS, problems=[problem], now=NOW)
    assert told == []  # stored, but no item events
    held = await store.archive.since(0, types=[EventType.DOCUMENT_HELD])
    assert [e.payload.review for e in held] == [(problem,)]
    assert await _told(store) == [] and await _entries(store) == []
    # The next poll finds the document whole: what it holds is told now.
    told = await publish(store, POINTS, now=NOW + timedelta(hours=1))
    assert sorted(s.title for s in told) == ["Eventuelt", "Praktikpladser", "Sundhedsaftale"]
    assert await _told(store) == ["Praktikpladser", "Sundhedsaftale"]
    released = await store.archive.since(0, types=[EventType.DOCUMENT_RELEASED])
    assert len(released) == 1


async def test_a_new_sources_back_catalogue_goes_to_the_feeds_not_the_mail(store: Store) -> None:
    await _subscribe(store)
    await publish(store, POINTS, baseline=True, now=NOW)
    assert await _told(store) == []
    assert [e.snapshot.title for e in await _entries(store)] == ["Sundhedsaftale", "Praktikpladser"]
    await publish(
        store,
        [Spec(title="Klimaplaner", number="1", topics=["klima_miljoe"])],
        day=date(2024, 6, 3),
    )
    assert await _told(store) == ["Klimaplaner"]


async def test_one_entry_per_agenda_point_updated_by_its_decision(store: Store) -> None:
    await publish(store, POINTS, now=NOW)
    decided = [
        Spec(title="Sundhedsaftale", number="1", topics=["sundhed"], beslutning="Godkendt."),
        Spec(title="Praktikpladser", number="2", topics=["uddannelse"], beslutning="Drøftet."),
    ]
    later = NOW + timedelta(days=14)
    await publish(store, decided, kind=DocumentKind.MINUTES, now=later)
    entries = await _entries(store)
    # Procedural points are out; each agenda point appears once, with its decision.
    assert [e.snapshot.title for e in entries] == ["Sundhedsaftale", "Praktikpladser"]
    assert [e.snapshot.document_kind for e in entries] == [DocumentKind.AGENDA] * 2
    assert [e.decision.beslutning if e.decision else None for e in entries] == [
        "Godkendt.",
        "Drøftet.",
    ]
    assert all(e.published.date() == date(2021, 4, 19) for e in entries)
    assert all(e.updated == later for e in entries)  # the decision was news when it came


async def test_the_operator_releases_or_dismisses_a_held_document(store: Store) -> None:
    await _subscribe(store)
    await publish(store, POINTS, problems=["no agenda points found"], now=NOW)
    await publish(
        store,
        [Spec(title="Busplan", number="1", topics=["trafik_infrastruktur"])],
        day=date(2024, 6, 3),
        problems=["numbering skips 1.2"],
        now=NOW,
    )
    held = await store.review.held()
    assert [h.reasons for h in held] == [("numbering skips 1.2",), ("no agenda points found",)]
    first, second = held
    assert await store.review.release(second.id, now=NOW) == 3
    await store.review.dismiss(first.id)
    assert await store.review.held() == []
    assert await _told(store) == ["Praktikpladser", "Sundhedsaftale"]


async def test_only_held_documents_are_stored_as_held(store: Store) -> None:
    """A document the gate lets through, or one released, stores SQL null: "review IS NOT
    NULL" (the console's home page, every alert check) then finds the held ones only, not
    every document (JSON 'null' was not null to SQL)."""
    await publish(store, POINTS, now=NOW)
    await publish(
        store,
        [Spec(title="Busplan", number="1", topics=["trafik_infrastruktur"])],
        day=date(2024, 6, 3),
        problems=["numbering skips 1.2"],
        now=NOW,
    )
    await publish(
        store,
        [Spec(title="Klimaplaner", number="1", topics=["klima_miljoe"])],
        day=date(2024, 7, 1),
        problems=["no agenda points found"],
        now=NOW,
    )

    async def marked() -> list[str]:
        async with store.db.engine.connect() as conn:
            query = sa.select(documents.c.title).where(documents.c.review.is_not(None))
            return sorted((await conn.execute(query)).scalars())

    held = await store.review.held()
    assert len(await marked()) == len(held) == 2
    assert [h.id for h in await store.review.unannounced()] == [h.id for h in held]
    await store.review.release(held[0].id, now=NOW)
    assert len(await marked()) == 1  # released: null again
    await store.review.dismiss(held[1].id)
    assert len(await marked()) == 1 and await store.review.held() == []  # dismissed: kept


async def test_a_released_documents_points_keep_their_meeting(store: Store) -> None:
    """Review: release() built the document without its meeting, so what was told had no
    meeting date or place; digests and feeds show those and sort by them."""
    await _subscribe(store)
    await publish(store, POINTS, problems=["numbering skips 1.2"], now=NOW)
    [held] = await store.review.held()
    before = await store.archive.last_event_id()
    assert await store.review.release(held.id, now=NOW) == 3
    told = [e.snapshot for e in await store.archive.since(before) if e.type.is_item]
    # publish() gives the meeting 10:00 Copenhagen time on 19 April 2021, as a passing poll does.
    starts = datetime(2021, 4, 19, 8, tzinfo=UTC)
    assert {(s.meeting_starts_at, s.meeting_place) for s in told} == {
        (starts, "Virtuelt via Teams")
    }
    assert [e.published for e in await _entries(store)] == [starts, starts]
    composed = await compose_digests(store, SETTINGS, Frequency.DAILY, now=NOW)
    assert {e.snapshot.meeting_starts_at for c in composed for e in c.plan.entries} == {starts}


EVERY_TOPIC = ["sundhed", "social", "uddannelse", "trafik_infrastruktur", "klima_miljoe"]


async def test_an_overview_held_by_the_gate_stays_held_when_polled_again_unchanged(
    store: Store,
) -> None:
    """Review: the overview rule judged only the items being told, so the next poll that
    changed nothing (an HTML page re-extracted) found no reason left and told the brochure to
    everyone. It stays held until its content changes or the operator releases it."""
    brochure = [Spec(title="Velkommen til KKR", text="Om alt i KKR.", topics=EVERY_TOPIC)]
    await publish(store, brochure, kind=DocumentKind.NEWSLETTER, now=NOW)
    [held] = await store.review.held()
    assert "an overview" in held.reasons[0]
    before = await store.archive.last_event_id()
    await publish(store, brochure, kind=DocumentKind.NEWSLETTER, now=NOW + timedelta(hours=1))
    assert await store.archive.since(before) == []
    assert [h.reasons for h in await store.review.held()] == [held.reasons]
    # Rewritten on one subject, it is news on that subject: it passes and is told.
    news = [Spec(title="Velkommen til KKR", text="Om sundhed.", topics=["sundhed"])]
    told = await publish(store, news, kind=DocumentKind.NEWSLETTER, now=NOW + timedelta(hours=2))
    assert [s.title for s in told] == ["Velkommen til KKR"]  # once, not changed then new
    assert await store.review.held() == []


async def _told_of(store: Store, after: int, title: str) -> list[tuple[str, str | None]]:
    """The item events about the point after event ``after``: type and the old text told."""
    return [
        (e.type.value, e.snapshot.old.text if e.snapshot.old else None)
        for e in await store.archive.since(after)
        if e.type.is_item and e.snapshot.title == title
    ]


async def test_a_point_edited_while_the_document_was_held_is_told_as_changed(
    store: Store,
) -> None:
    """Review: announce() told every item of a document passing the gate as new, so a point
    edited while it was held went out as new, without the text its followers had been told."""
    await publish(store, POINTS, now=NOW)
    old = POINTS[1].text
    edited = [POINTS[0], replace(POINTS[1], text="KKR drøftede sagen igen."), POINTS[2]]
    await publish(store, edited, problems=["numbering skips 1.2"], now=NOW + timedelta(hours=1))
    before = await store.archive.last_event_id()
    # Edited again by the poll that finds it whole: told once, changed from what was told.
    again = [POINTS[0], replace(POINTS[1], text="KKR drøftede sagen en tredje gang."), POINTS[2]]
    await publish(store, again, now=NOW + timedelta(hours=2))
    assert await _told_of(store, before, "Praktikpladser") == [("item.changed", old)]
    assert await _told_of(store, before, "Sundhedsaftale") == [("item.new", None)]

    # The same when the operator releases it.
    third = [POINTS[0], replace(POINTS[1], text="KKR besluttede sagen."), POINTS[2]]
    await publish(store, third, problems=["numbering skips 1.2"], now=NOW + timedelta(hours=3))
    [held] = await store.review.held()
    before = await store.archive.last_event_id()
    assert await store.review.release(held.id, now=NOW + timedelta(hours=4)) == 3
    told = await _told_of(store, before, "Praktikpladser")
    assert told == [("item.changed", "KKR drøftede sagen en tredje gang.")]


async def test_a_point_removed_while_the_document_was_held_leaves_the_feeds(store: Store) -> None:
    """Review: removals were not told while a document was held, and announce() told only its
    live items, so a point taken off meanwhile stayed in the feeds and the archive for good."""
    problem = ["numbering skips 1.2"]
    await publish(store, POINTS, now=NOW)
    extra = Spec(title="Busplan", number="4", topics=["trafik_infrastruktur"])
    # Held: Praktikpladser taken off; Busplan put on (and taken off again: never told).
    await publish(store, [POINTS[0], POINTS[2], extra], problems=problem, now=NOW + timedelta(1))
    await publish(store, [POINTS[0], POINTS[2]], now=NOW + timedelta(2))  # passes the gate
    removed = await store.archive.since(0, types=[EventType.ITEM_REMOVED])
    assert [e.snapshot.title for e in removed] == ["Praktikpladser"]
    assert [e.snapshot.title for e in await _entries(store)] == ["Sundhedsaftale"]

    # Released by the operator.
    before = await store.archive.last_event_id()
    await publish(store, [POINTS[2]], problems=problem, now=NOW + timedelta(3))
    [held] = await store.review.held()
    await store.review.release(held.id, now=NOW + timedelta(4))
    removed = await store.archive.since(before, types=[EventType.ITEM_REMOVED])
    assert [e.snapshot.title for e in removed] == ["Sundhedsaftale"]
    assert [e.snapshot.title for e in await _entries(store)] == []

    # Taken off while held and by the poll that lets it through: each told removed once.
    await publish(store, POINTS, now=NOW + timedelta(5))
    before = await store.archive.last_event_id()
    await publish(store, [POINTS[0], POINTS[2]], problems=problem, now=NOW + timedelta(6))
    await publish(store, [POINTS[2]], now=NOW + timedelta(7))
    removed = await store.archive.since(before, types=[EventType.ITEM_REMOVED])
    assert sorted(e.snapshot.title for e in removed) == ["Praktikpladser", "Sundhedsaftale"]
    assert [e.snapshot.title for e in await _entries(store)] == []


async def test_a_dismissed_document_stays_dismissed_until_a_later_version(store: Store) -> None:
    """Dismissed: off the list and told to nobody. The next poll finding the very same document
    (still failing the gate) must not put it back on the list; a later version that still
    fails goes back on it, with its reasons; one that passes is told."""
    await _subscribe(store)
    problem = ["numbering skips 1.2"]
    await publish(store, POINTS, problems=problem, now=NOW)
    [held] = await store.review.held()
    await store.review.dismiss(held.id)
    before = await store.archive.last_event_id()

    await publish(store, POINTS, problems=problem, now=NOW + timedelta(hours=1))
    assert await store.review.held() == []
    assert await store.archive.since(before) == []

    edited = [*POINTS[:2], Spec(title="Eventuelt og meddelelser", number="3", procedural=True)]
    await publish(store, edited, problems=problem, now=NOW + timedelta(hours=2))
    assert [h.reasons for h in await store.review.held()] == [tuple(problem)]
    await publish(store, edited, now=NOW + timedelta(hours=3))
    assert await store.review.held() == []
    assert await _told(store) == ["Praktikpladser", "Sundhedsaftale"]
