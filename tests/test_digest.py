"""Digests end to end: items published through the real ingest path, planned, rendered,
enqueued and delivered to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from notifier.config import Settings
from notifier.models import Council, DocumentKind, Frequency, SubscriberState
from notifier.store import Store
from notifier.store import digests as store_digests
from notifier.store import events as store_events
from notifier.store import send_log as store_send_log
from notifier.store.schema import send_log, send_log_sets, subscribers
from tests.factories import Spec, SpecClassifier, compose_digests, make_digests, publish
from tests.factories import deliver as deliver_once
from tests.smtp import Sink, running_sink

NOW = datetime(2021, 4, 20, 5, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sink() -> Iterator[Sink]:
    with running_sink() as sink:
        yield sink


def settings_for(sink: Sink | None) -> Settings:
    return Settings(
        topics_file=REPO / "config" / "topics.toml",
        smtp={
            "host": sink.host if sink else "",
            "port": sink.port if sink else 25,
            "security": "none",
            "messages_per_minute": 100_000,
        },
        mail={
            "from_address": "KKR Notifier <kkr@example.org>",
            "list_id": "kkr.example.org",
            "unsubscribe_mailto": "afmeld@example.org",
            "reply_to": "svar@example.org",
        },
        web={"base_url": "https://kkr.example.org", "secret_key": "test-secret"},
    )


async def subscribe(
    store: Store,
    email: str,
    *,
    topics: tuple[str, ...],
    councils: tuple[str, ...] = ("all",),
    name: str = "Politiker",
    frequency: Frequency = Frequency.DAILY,
) -> int:
    subscriber = await store.subscribers.add(
        email=email,
        name=name,
        topics=topics,
        councils=councils,
        frequency=frequency,
        state=SubscriberState.ACTIVE,
        now=NOW,
    )
    return subscriber.id


async def deliver(store: Store, settings: Settings, *, now: datetime = NOW) -> None:
    await deliver_once(store, settings, now=now)


def event_range(message: EmailMessage) -> int:
    """The first event a digest covers, from its Message-ID (digest.<id>.<from>-<to>@...)."""
    return int(message["Message-ID"].split(".")[2].split("-")[0])


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())


async def test_digest_reaches_matching_subscribers_once(store: Store, sink: Sink) -> None:
    settings = settings_for(sink)
    await subscribe(store, "klima@example.org", topics=("klima_miljoe",), name="Karen Klima")
    await subscribe(store, "skole@example.org", topics=("uddannelse",))
    await subscribe(store, "nord@example.org", topics=("all",), councils=("nordjylland",))
    await publish(
        store,
        [
            Spec(
                title="DK2020 klimaplaner",
                topics=["klima_miljoe"],
                number="3",
                indstilling="Det indstilles, at KKR tager orienteringen til efterretning.",
            ),
            Spec(
                title="Praktikpladser <script>alert(1)</script>\r\nBcc: evil@example.org",
                topics=["uddannelse", "klima_miljoe"],
                number="4",
            ),
            Spec(title="Godkendelse af dagsorden", number="1", procedural=True),
        ],
    )

    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 2
    await deliver(store, settings)

    assert sorted(r.recipients for r in sink.received) == [
        ("klima@example.org",),
        ("skole@example.org",),
    ]
    [klima] = sink.to("klima@example.org")
    assert klima.get_content_type() == "multipart/alternative"
    assert klima["Subject"] == "KKR-overblik: 2 nye punkter om Klima og miljø"
    assert klima["To"] == "Karen Klima <klima@example.org>"
    assert klima["From"] == "KKR Notifier <kkr@example.org>"
    assert klima["Reply-To"] == "svar@example.org"
    assert klima["List-Id"] == "KKR-overblik <kkr.example.org>"
    assert klima["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = klima["List-Unsubscribe"]
    assert "<mailto:afmeld@example.org?subject=afmeld>" in unsubscribe
    assert "<https://kkr.example.org/abonnement/afmeld/" in unsubscribe
    assert klima["Message-ID"].startswith("<digest.")
    assert klima["Bcc"] is None
    html = body(klima, "html")
    text = body(klima, "plain")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "DK2020 klimaplaner" in html and "mandag den 19. april 2021" in html
    assert "Indstilling:" in text and "tager orienteringen til efterretning" in text
    assert "Hvorfor: Klima og miljø" in text
    assert "style=" in html  # CSS inlined
    assert "Godkendelse af dagsorden" not in text

    # A second run has nothing new to tell anyone.
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 0
    await deliver(store, settings)
    assert len(sink.received) == 2


async def test_changed_item_says_what_changed_and_versions_go_once(
    sqlite_store: Store, sink: Sink
) -> None:
    store, settings = sqlite_store, settings_for(sink)
    await subscribe(store, "a@example.org", topics=("klima_miljoe",))
    spec = Spec(
        title="Klimaplan",
        topics=["klima_miljoe"],
        number="2",
        text="KKR drøftede planen. Fristen er 1. maj.",
    )
    await publish(store, [spec])
    await make_digests(store, settings, Frequency.DAILY, now=NOW)
    changed = Spec(
        title="Klimaplan",
        topics=["klima_miljoe"],
        number="2",
        text="KKR drøftede planen. Fristen er 1. juni.",
    )
    await publish(store, [changed])
    # The frequency changes in between; the send log still keeps each version to one mail.
    await store.subscribers.change(1, now=NOW, frequency=Frequency.WEEKLY)
    assert await make_digests(store, settings, Frequency.WEEKLY, now=NOW) == 1
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 0
    await deliver(store, settings)
    _first, second = sorted(sink.to("a@example.org"), key=event_range)
    assert "Ændret" in body(second, "plain")
    assert "Fristen er 1. maj." in body(second, "plain")
    assert "Fristen er 1. juni." in body(second, "plain")
    assert "1 ændret punkt" in second["Subject"]
    assert "#c05621" in body(second, "html")  # the orange "Ændret" badge


async def test_decision_follows_up_even_after_topics_changed(
    sqlite_store: Store, sink: Sink
) -> None:
    store, settings = sqlite_store, settings_for(sink)
    sid = await subscribe(store, "a@example.org", topics=("klima_miljoe",))
    await publish(store, [Spec(title="Fælles klimaindsats", topics=["klima_miljoe"], number="5")])
    await make_digests(store, settings, Frequency.DAILY, now=NOW)
    await store.subscribers.change(sid, now=NOW, topics=["sundhed"])
    await publish(
        store,
        [
            Spec(
                title="Fælles klimaindsats",
                number="5",
                beslutning="Indstillingen blev godkendt.",
            )
        ],
        kind=DocumentKind.MINUTES,
    )
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    _first, follow_up = sorted(sink.to("a@example.org"), key=event_range)
    assert "Besluttet: Indstillingen blev godkendt." in body(follow_up, "plain")
    assert "som du fik besked om" in body(follow_up, "plain")
    assert "#2f855a" in body(follow_up, "html")  # the green "Besluttet" badge


async def test_agenda_point_and_its_decision_in_one_window_are_one_entry(
    sqlite_store: Store, sink: Sink
) -> None:
    store, settings = sqlite_store, settings_for(sink)
    sid = await subscribe(store, "a@example.org", topics=("klima_miljoe",))
    await subscribe(store, "late@example.org", topics=("klima_miljoe",))
    await publish(store, [Spec(title="Fælles klimaindsats", topics=["klima_miljoe"], number="5")])
    # late@ subscribed before the minutes only: never told about the agenda point.
    await store.subscribers.change(2, now=NOW, state=SubscriberState.UNSUBSCRIBED)
    await store.subscribers.change(2, now=NOW, state=SubscriberState.ACTIVE)
    await publish(
        store,
        [
            Spec(
                title="Fælles klimaindsats",
                topics=["klima_miljoe"],
                number="5",
                beslutning="Indstillingen blev godkendt.",
            )
        ],
        kind=DocumentKind.MINUTES,
    )
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 2
    await deliver(store, settings)
    [both] = sink.to("a@example.org")
    text = body(both, "plain")
    assert "[Besluttet] Fælles klimaindsats\r\nKKR Hovedstaden, mandag den 19. april 2021" in text
    assert "[Nyt]" not in text
    assert "Referat, punkt 5\r\nBesluttet: Indstillingen blev godkendt." in text
    assert "Besluttet: Indstillingen blev godkendt." in text
    assert "som du fik besked om" not in text
    [late] = sink.to("late@example.org")
    assert "Besluttet: Indstillingen blev godkendt." in body(late, "plain")
    assert "som du fik besked om" not in body(late, "plain")
    # The agenda point counts as told: a later edit of it is told as a change, not as new.
    async with store.db.read() as conn:
        reasons = {row["reason"] for row in await store_send_log.for_subscriber(conn, sid)}
    assert reasons == {"new", "decided"}


async def test_new_subscriber_starts_at_now_and_empty_digests_are_not_sent(
    sqlite_store: Store, sink: Sink
) -> None:
    store, settings = sqlite_store, settings_for(sink)
    await publish(store, [Spec(title="Gammel sag", topics=["klima_miljoe"], number="1")])
    await subscribe(store, "late@example.org", topics=("all",))
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 0
    await publish(
        store,
        [Spec(title="Ny sag", topics=["sundhed"], number="1")],
        council=Council.SJAELLAND,
        day=date(2024, 5, 7),
    )
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    [message] = sink.to("late@example.org")
    assert "Ny sag" in body(message, "plain") and "Gammel sag" not in body(message, "plain")


async def test_mail_disabled_still_plans(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(None)
    await subscribe(sqlite_store, "a@example.org", topics=("all",))
    await publish(sqlite_store, [Spec(title="Sag", topics=["klima_miljoe"], number="1")])
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=NOW) == 1
    report = await deliver_once(sqlite_store, settings, now=NOW)
    assert report.disabled and report.sent == 0
    assert "mail is disabled" in caplog.text
    assert await sqlite_store.outbox.depth() == 1


async def test_dry_run_composes_without_storing(sqlite_store: Store) -> None:
    settings = settings_for(None)
    await subscribe(sqlite_store, "a@example.org", topics=("all",))
    await publish(sqlite_store, [Spec(title="Sag", topics=["klima_miljoe"], number="1")])
    composed = await compose_digests(sqlite_store, settings, Frequency.DAILY, now=NOW)
    assert [c.plan.subscriber.email for c in composed] == ["a@example.org"]
    again = await compose_digests(
        sqlite_store, settings, Frequency.DAILY, now=NOW + timedelta(hours=1)
    )
    assert [c.message_id for c in again] == [c.message_id for c in composed]


async def test_items_beyond_max_items_come_in_the_next_digests(
    sqlite_store: Store, sink: Sink
) -> None:
    store = sqlite_store
    settings = settings_for(sink).model_copy(
        update={"digest": settings_for(sink).digest.model_copy(update={"max_items": 1})}
    )
    await subscribe(store, "a@example.org", topics=("all",))
    titles = ["Klimaplan", "Sundhedsaftale", "Praktikpladser"]
    await publish(
        store,
        [Spec(title=t, topics=["klima_miljoe"], number=str(n)) for n, t in enumerate(titles)],
    )
    # One window, three digests: held entries keep the cursor where it was, and each digest
    # still gets its own Message-ID.
    assert [await make_digests(store, settings, Frequency.DAILY, now=NOW) for _ in range(4)] == [
        1,
        1,
        1,
        0,
    ]
    await deliver(store, settings)
    messages = sink.to("a@example.org")
    told = sorted(t for m in messages for t in titles if t in body(m, "plain"))
    assert told == sorted(titles)
    assert len({m["Message-ID"] for m in messages}) == 3
    texts = [body(m, "plain") for m in messages]
    said = [" ".join(text.split()) for text in texts]
    assert sum("Der er 2 punkter mere til dig. De kommer i næste mail" in t for t in said) == 1
    assert sum("Der er 1 punkt mere til dig. Det kommer i næste mail" in t for t in said) == 1


async def test_reclassified_item_is_new_to_the_subscriber_not_new(
    sqlite_store: Store, sink: Sink
) -> None:
    store, settings = sqlite_store, settings_for(sink)
    await subscribe(store, "sundhed@example.org", topics=("sundhed",))
    await subscribe(store, "alle@example.org", topics=("all",))
    await publish(store, [Spec(title="Akutfunktioner", topics=["klima_miljoe"], number="2")])
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1  # alle@ only
    classifier = SpecClassifier([Spec(title="Akutfunktioner", topics=["klima_miljoe", "sundhed"])])
    assert await store.item_topics.reclassify(
        classifier.classify_item, topics_version=classifier.version, now=NOW
    ) == (1, 1)
    # sundhed@ hears of it once, marked as new to them; alle@ was told about it already.
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    [message] = sink.to("sundhed@example.org")
    assert "[Nyt for dig] Akutfunktioner" in body(message, "plain")
    assert len(sink.to("alle@example.org")) == 1


async def test_a_decided_minutes_point_is_not_told_again_when_reclassified(store: Store) -> None:
    """Review: a decision is not in ``Told.items`` and the version check looked only at "new"
    and "changed", so once topics.toml changed a decided minutes point came back as
    "[Nyt for dig]"."""
    settings = settings_for(None)
    title = "Fælles klimaindsats"
    await subscribe(store, "a@example.org", topics=("klima_miljoe",))
    await publish(store, [Spec(title=title, topics=["klima_miljoe"], number="5")])
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1  # the agenda point
    # The minutes point finds no topic of its own; its decision follows up the agenda point.
    await publish(
        store,
        [Spec(title=title, number="5", beslutning="Indstillingen blev godkendt.", topics=[])],
        kind=DocumentKind.MINUTES,
    )
    [decided] = await compose_digests(store, settings, Frequency.DAILY, now=NOW)
    assert [(e.reason.value, e.follow_up) for e in decided.plan.entries] == [("decided", True)]
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    # New topic definitions: the same minutes point version is now in klima_miljoe too.
    classifier = SpecClassifier([Spec(title=title, topics=["klima_miljoe"])])
    await store.item_topics.reclassify(classifier.classify_item, topics_version="v2", now=NOW)
    again = await compose_digests(store, settings, Frequency.DAILY, now=NOW)
    assert [(e.reason.value, e.reclassified) for c in again for e in c.plan.entries] == []


async def test_a_scraped_link_that_is_not_http_never_becomes_a_link(
    sqlite_store: Store, sink: Sink
) -> None:
    store, settings = sqlite_store, settings_for(sink)
    await subscribe(store, "a@example.org", topics=("all",))
    await publish(
        store,
        [Spec(title="Takster for botilbud", topics=["social"], number="2")],
        url="javascript:alert(document.cookie)",
    )
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    [message] = sink.to("a@example.org")
    html = body(message, "html")
    assert "Takster for botilbud" in html
    assert "javascript:" not in html


async def test_one_digest_that_cannot_be_composed_stops_nobody_elses(
    store: Store, sink: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by a review: one subscriber whose address no header can carry (jørgen@, stored
    before signups refused it) made every daily run fail, for every subscriber. Now only that
    digest is skipped, logged with the subscriber id, and their cursor stays: once the address
    is fixed they get the news they were not told."""
    settings = settings_for(sink)
    anne = await subscribe(store, "anne@example.org", topics=("all",))
    odd = await subscribe(store, "jørgen@kommune.dk", topics=("all",))  # not via normalize_email
    await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    assert [r.subscriber_id for r in caplog.records if r.message.startswith("could not")] == [odd]
    async with store.db.engine.connect() as conn:
        rows = await conn.execute(sa.select(subscribers.c.id, subscribers.c.event_cursor))
        cursors = dict(rows.all())
    assert cursors[odd] == 0 and cursors[anne] > 0
    await deliver(store, settings)
    assert len(sink.to("anne@example.org")) == 1
    async with store.db.write() as conn:
        await conn.execute(
            subscribers.update().where(subscribers.c.id == odd).values(email="joergen@kommune.dk")
        )
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    [late] = sink.to("joergen@kommune.dk")
    assert "Klimaplan" in body(late, "plain")


async def test_cursors_move_each_to_its_own_event_and_never_back(store: Store) -> None:
    """Digests held short of their entries stop at different events: each subscriber's cursor
    goes to its own, in one statement on either database, and a later cursor stays."""
    ids = [await subscribe(store, f"p{n}@example.org", topics=("all",)) for n in range(3)]
    async with store.db.write() as conn:
        await conn.execute(subscribers.update().values(event_cursor=4))
        await conn.execute(
            subscribers.update().where(subscribers.c.id == ids[1]).values(event_cursor=9)
        )
        await store_digests.advance_each(conn, {ids[0]: 6, ids[1]: 7, ids[2]: 12})
        await store_digests.advance_each(conn, {})
        rows = await conn.execute(sa.select(subscribers.c.id, subscribers.c.event_cursor))
        cursors = dict(rows.all())
    assert [cursors[i] for i in ids] == [6, 9, 12]


async def test_a_run_larger_than_one_write_batch_enqueues_each_digest_once(
    sqlite_store: Store,
) -> None:
    """Digests are planned BATCH subscribers at a time and committed WRITE_BATCH at a time:
    every subscriber of a run spanning several commits gets one digest, a cursor moved to the
    end, and a second run finds nothing to tell."""
    from notifier.digest_runner import BATCH, WRITE_BATCH

    people = WRITE_BATCH * 2 + BATCH + 7  # three commits, the last one partial
    for n in range(people):
        topic = ("klima_miljoe", "uddannelse")[n % 2]
        await subscribe(sqlite_store, f"p{n}@example.org", topics=(topic,))
    await publish(
        sqlite_store,
        [
            Spec(title="DK2020 klimaplaner", topics=["klima_miljoe"], number="3"),
            Spec(title="Praktikpladser", topics=["uddannelse"], number="4"),
        ],
    )
    settings = settings_for(None)
    logs: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO send_log "):
            logs.append(statement)

    sa.event.listen(sqlite_store.db.engine.sync_engine, "before_cursor_execute", seen)
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=NOW) == people
    async with sqlite_store.db.read() as conn:
        per_person = await conn.execute(
            sa.text("SELECT subscriber_id, count(*) FROM outbox GROUP BY subscriber_id")
        )
        assert sorted(count for _id, count in per_person) == [1] * people
        cursors = await conn.execute(sa.select(sa.func.min(subscribers.c.event_cursor)))
        newest = await conn.execute(sa.text("SELECT max(id) FROM events"))
        assert cursors.scalar_one() == newest.scalar_one()
        logged = await conn.execute(sa.select(sa.func.count()).select_from(send_log))
        assert logged.scalar_one() == people  # a row per message
        lists = await conn.execute(sa.select(sa.func.count()).select_from(send_log_sets))
        assert lists.scalar_one() == 2  # what each of the two topics' digests told, once
    assert len(logs) == 3  # one send-log write per commit, not one per BATCH
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=NOW) == 0


POINT_TITLES = {
    "klima_miljoe": "DK2020 klimaplaner",
    "uddannelse": "Praktikpladser",
    "sundhed": "Sundhedsaftalen",
}


async def _digested(store: Store, followed: Sequence[str], published: Sequence[str]) -> list[int]:
    """A subscriber per topic followed, a point per topic published, one daily digest run:
    the subscribers' ids."""
    ids = [
        await subscribe(store, f"p{n}@example.org", topics=(topic,))
        for n, topic in enumerate(followed)
    ]
    points = [
        Spec(title=POINT_TITLES[topic], topics=[topic], number=str(n + 3))
        for n, topic in enumerate(published)
    ]
    await publish(store, points)
    assert await make_digests(store, settings_for(None), Frequency.DAILY, now=NOW) == len(ids)
    return ids


async def test_told_reads_the_send_log_for_just_these_subscribers_and_items(
    store: Store,
) -> None:
    """The planner's look-up of what was told (SQLite binds the ids as JSON arrays)."""
    ids = await _digested(
        store, ("klima_miljoe", "uddannelse", "all"), ("klima_miljoe", "uddannelse", "sundhed")
    )
    logged = []
    async with store.db.read() as conn:
        for sid in ids:
            logged += [
                (sid, row["item_id"], row["content_hash"], row["reason"])
                for row in await store_send_log.for_subscriber(conn, sid)
            ]
    assert len(logged) == 5  # one item each for the first two, all three for the third
    item_ids = sorted({row[1] for row in logged})
    wanted_people, wanted_items = ids[1:], [item_ids[0], item_ids[2], 10_000]
    expected = [row for row in logged if row[0] in wanted_people and row[1] in wanted_items]
    sets = await store.digests.told_sets(wanted_items)
    assert len(sets) == 2  # the first topic's list and the list of all three
    assert all(item_id in wanted_items for rows in sets.values() for item_id, *_ in rows)
    found = await store.digests.told(wanted_people, sets)
    assert sorted(found) == sorted(expected) and expected
    assert await store.digests.told([], sets) == []
    assert await store.digests.told(ids, {}) == []
    assert await store.digests.told_sets([]) == {}
    assert await store.digests.told_sets([10_000]) == {}


async def test_migration_0013_keeps_what_was_told_both_ways(store: Store) -> None:
    """Going back to 0012 writes a row per item version told again, in order; coming forward
    puts each message's rows into lists, a list once however many messages told it."""
    from alembic import command

    from notifier.store.db import _alembic_config

    ids = await _digested(
        store, ("klima_miljoe", "klima_miljoe", "all"), ("klima_miljoe", "uddannelse")
    )

    async def told() -> dict[int, list[tuple[int, str, str]]]:
        async with store.db.read() as conn:
            return {
                sid: [
                    (row["item_id"], row["content_hash"], row["reason"])
                    for row in await store_send_log.for_subscriber(conn, sid)
                ]
                for sid in ids
            }

    before = await told()
    assert [len(rows) for rows in before.values()] == [1, 1, 2]
    async with store.db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0012"))
    async with store.db.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT subscriber_id, item_id, content_hash, reason, outbox_id FROM send_log "
                "ORDER BY id"
            )
        )
        old = [tuple(row) for row in rows]
    assert [(sid, *row) for sid in ids for row in before[sid]] == [row[:4] for row in old]
    assert all(outbox_id is not None for *_, outbox_id in old)
    async with store.db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "head"))
    assert await told() == before
    async with store.db.engine.connect() as conn:
        counts = [
            await conn.scalar(sa.select(sa.func.count()).select_from(table))
            for table in (send_log, send_log_sets)
        ]
    assert counts == [3, 2]  # a row per message; the two klima subscribers share one list


async def test_a_replayed_digest_that_holds_points_back_tells_them_in_the_next(
    store: Store,
) -> None:
    """The replay of a failed digest may carry more points than a digest holds (max_items): the
    ones held back come in the next digest, as any digest's do. Before, the replay stopped its
    cursor short of them, behind the subscriber's cursor (which never moves back), and cleared
    its replay point: they were never told."""
    with running_sink() as sink:
        base = settings_for(sink)
        settings = base.model_copy(
            update={"digest": base.digest.model_copy(update={"max_items": 2})}
        )
        refusing = True
        sink.reply = lambda _m: "550 mailbox unavailable" if refusing else None
        await subscribe(store, "a@example.org", topics=("all",))
        titles = ["Klimaplan", "Sundhedsaftale", "Praktikpladser", "Erhvervsplan"]
        topics = ["klima_miljoe", "sundhed", "uddannelse", "vaekst_beskaeftigelse"]
        specs = [
            Spec(title=title, topics=[topic], number=str(n))
            for n, (title, topic) in enumerate(zip(titles, topics, strict=True), start=1)
        ]
        await publish(store, specs[:2], day=date(2021, 4, 19))
        assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
        await deliver_once(store, settings, now=NOW)  # refused for good: a replay point
        refusing = False
        for n, spec in enumerate(specs[2:], start=2):  # news: the replay rides on it
            day = date(2021, 4, 19) + timedelta(weeks=n)
            await publish(store, [spec], day=day, title=f"Dagsorden {n}")
            assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
            await deliver_once(store, settings, now=NOW)
        texts = [" ".join(body(m, "plain").split()) for m in sink.to("a@example.org")]
    assert "Der er 1 punkt mere til dig. Det kommer i næste mail" in texts[0]
    told = [title for text in texts for title in titles if f"] {title}" in text]
    assert sorted(told) == sorted(titles), told


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_an_event_inserted_first_is_committed_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL (SQLite has one writer at a time): poll A appends its events and is slow to
    commit while poll B appends and commits. Digests and feeds read up to the newest committed
    id; had B committed the higher id first, A's event would have been passed over for good.
    B waits for A instead."""
    settings = settings_for(None)
    await subscribe(store, "a@example.org", topics=("all",), frequency=Frequency.IMMEDIATE)
    appended, release = asyncio.Event(), asyncio.Event()
    append_many = store_events.append_many

    async def slow(conn: Any, rows: Any) -> None:
        await append_many(conn, rows)
        if not appended.is_set():
            appended.set()
            await release.wait()

    monkeypatch.setattr(store_events, "append_many", slow)
    a = asyncio.create_task(
        publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
    )
    await appended.wait()
    b = asyncio.create_task(
        publish(
            store,
            [Spec(title="Sundhedsaftale", topics=["sundhed"], number="1")],
            council=Council.SJAELLAND,
        )
    )
    await asyncio.sleep(0.3)
    assert not b.done()  # waits for A's commit
    assert await make_digests(store, settings, Frequency.IMMEDIATE, now=NOW) == 0
    release.set()
    await asyncio.gather(a, b)
    planned = await compose_digests(store, settings, Frequency.IMMEDIATE, now=NOW)
    assert sorted(e.snapshot.title for c in planned for e in c.plan.entries) == [
        "Klimaplan",
        "Sundhedsaftale",
    ]


async def test_a_minutes_point_deciding_no_agenda_point_shows_its_decision(
    sqlite_store: Store, sink: Sink
) -> None:
    """Found by a probe: a minutes point linked to no agenda point (one added at the meeting,
    minutes whose agenda was never listed) is told as new, and its mail showed the Baggrund
    and never what was decided."""
    store, settings = sqlite_store, settings_for(sink)
    await subscribe(store, "a@example.org", topics=("all",))
    await publish(
        store,
        [
            Spec(
                title="Orientering om den fælles klimaindsats",
                text="Baggrund\n\nKommunerne har vedtaget klimaplaner.\n\n"
                "Beslutning\n\nKKR bakkede op om den fælles indsats.",
                topics=["klima_miljoe"],
                number="2",
                beslutning="KKR bakkede op om den fælles indsats.",
            )
        ],
        kind=DocumentKind.MINUTES,
    )
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    [message] = sink.to("a@example.org")
    text, html = body(message, "plain"), body(message, "html")
    assert "[Nyt] Orientering om den fælles klimaindsats" in text
    assert "Referat, punkt 2\r\nBesluttet: KKR bakkede op om den fælles indsats." in text
    assert "Besluttet:</span> KKR bakkede op om den fælles indsats." in html
    # Its Baggrund too (found by review: the decision hid it), and the decision once.
    assert "Kommunerne har vedtaget klimaplaner." in text
    assert text.count("KKR bakkede op om den fælles indsats.") == 1


async def test_a_newsletter_section_links_its_page_without_promising_a_decision(
    sqlite_store: Store, sink: Sink
) -> None:
    """Found by a probe: every newsletter section's link to its page read "Se punktet og
    beslutningen", though a newsletter decides nothing."""
    store, settings = sqlite_store, settings_for(sink)
    await subscribe(store, "a@example.org", topics=("all",))
    await publish(
        store,
        [Spec(title="Ny aftale om akutfunktioner", topics=["sundhed"])],
        kind=DocumentKind.NEWSLETTER,
    )
    await publish(store, [Spec(title="Sundhedsaftale", topics=["sundhed"], number="3")])
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
    await deliver(store, settings)
    [message] = sink.to("a@example.org")
    text, html = body(message, "plain"), body(message, "html")
    assert text.count("Se punktet og beslutningen: ") == text.count("Se punktet: ") == 1
    assert html.count(">Se punktet og beslutningen</a>") == html.count(">Se punktet</a>") == 1
