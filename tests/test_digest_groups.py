"""Planning by subscription group: subscribers who would get the same digest share one plan and
one render, yet each gets their own name, links, headers and Message-ID; a subscriber of the
same subscription at another cursor, or told about other items, still gets exactly their own
items. And the shared planning gives what planning each subscriber alone gives."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import re
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from pytest import MonkeyPatch

from notifier import mail
from notifier.digest import DIGEST_EVENTS, ItemEvent, Told, plan, told_by_subscriber
from notifier.digest_groups import Planner
from notifier.errors import StoreError
from notifier.models import Council, Frequency, SubscriberState
from notifier.runtime import Runtime
from notifier.shared_renders import SharedRenders
from notifier.smtp_data import is_canonical
from notifier.store import Store
from notifier.store import digests as store_digests
from notifier.store import send_log as store_send_log
from notifier.tokens import Purpose
from tests.factories import Spec, make_digests, publish
from tests.smtp import Sink, running_sink
from tests.test_digest import NOW, body, settings_for, subscribe

KLIMA = ("klima_miljoe", "sundhed")


def titles(message: EmailMessage) -> set[str]:
    text = body(message, "plain")
    return {
        title for title in ("Klimaplan", "Sygehus", "Skolereform", "Ny klimasag") if title in text
    }


def unsubscribe_token(message: EmailMessage) -> str:
    match = re.search(r"<(https://[^>]+)>", message["List-Unsubscribe"])
    assert match is not None
    return urlsplit(match[1]).path.rsplit("/", 1)[-1]


async def test_alike_subscribers_share_items_but_not_name_links_or_headers(store: Store) -> None:
    with running_sink() as sink:
        await _alike(store, sink)


async def _alike(store: Store, sink: Sink) -> None:
    settings = settings_for(sink)
    anna = await subscribe(store, "anna@example.org", topics=KLIMA, name="Anna & Ærø")
    bo = await subscribe(store, "bo@example.org", topics=KLIMA, name="Bo <Berg>")
    told = await subscribe(store, "told@example.org", topics=KLIMA, name="Tove")
    other = await subscribe(store, "skole@example.org", topics=("uddannelse",), name="Sara")
    snapshots = await publish(
        store,
        [
            Spec(title="Klimaplan", topics=["klima_miljoe"], number="1"),
            Spec(title="Sygehus", topics=["sundhed"], number="2"),
            Spec(title="Skolereform", topics=["uddannelse"], number="3"),
        ],
    )
    # Told about the hospital already (as a first digest tells, without moving the cursor).
    sygehus = next(s for s in snapshots if s.title == "Sygehus")
    async with store.db.write() as conn:
        await store_send_log.record(
            conn, [(told, None, [(sygehus.item_id, sygehus.content_hash, "new")])], now=NOW
        )
    late = await subscribe(store, "late@example.org", topics=KLIMA, name="Lars")
    await publish(
        store,
        [Spec(title="Ny klimasag", topics=["klima_miljoe"], number="1")],
        council=Council.SJAELLAND,
        day=date(2021, 4, 20),
    )

    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 5
    runtime = Runtime(settings, store=store)
    try:
        report = await runtime.deliverer.run_once(now=NOW)
        assert report.sent == 5
        [a] = sink.to("anna@example.org")
        [b] = sink.to("bo@example.org")
        [t] = sink.to("told@example.org")
        [s] = sink.to("skole@example.org")
        [la] = sink.to("late@example.org")

        assert titles(a) == titles(b) == {"Klimaplan", "Sygehus", "Ny klimasag"}
        assert titles(t) == {"Klimaplan", "Ny klimasag"}  # not told the hospital twice
        assert titles(la) == {"Ny klimasag"}  # only what came after they joined
        assert titles(s) == {"Skolereform"}
        assert a["Subject"] == b["Subject"]

        # Their own name, links, headers and Message-ID.
        assert a["To"] != b["To"] and "anna@example.org" in a["To"]
        assert a["Message-ID"] != b["Message-ID"] and f"digest.{anna}." in a["Message-ID"]
        # A salutation takes no full stop in Danish: a line of its own, then the text.
        assert re.search(r"^Kære Anna & Ærø\r?\n\r?\nHer er ", body(a, "plain"), re.M)
        assert "Kære Anna &amp; Ærø<br><br>Her er " in body(a, "html")
        assert "Kære Bo &lt;Berg&gt;<br>" in body(b, "html") and "Anna" not in body(b, "html")
        ids = {}
        for message, who in ((a, anna), (b, bo), (t, told), (s, other), (la, late)):
            token = unsubscribe_token(message)
            assert runtime.tokens.read(Purpose.UNSUBSCRIBE, token)[0] == who
            assert token in body(message, "plain") and token in body(message, "html")
            ids[who] = token
        assert len(set(ids.values())) == 5

        # Apart from what is personal, the two mails say the same.
        def impersonal(message: EmailMessage, name: str, token: str) -> str:
            text = body(message, "plain").replace(name, "NAME").replace(token, "TOKEN")
            return re.sub(r"(/abonnement/\w+/|/mail/)\S+", r"\1LINK", text)

        assert impersonal(a, "Anna & Ærø", ids[anna]) == impersonal(b, "Bo <Berg>", ids[bo])
    finally:
        await runtime.aclose()


async def test_shared_planning_equals_planning_each_alone(store: Store) -> None:
    """Every mix of topics, councils, own and excluded words, cursor and send-log state."""
    early = await store.subscribers.add(
        email="p@example.org",
        name="P",
        topics=("all",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=NOW,
    )
    agenda = [
        Spec(title="Klimaplan for Movia", topics=["klima_miljoe"], number="1"),
        Spec(title="Sygehusbyggeri", topics=["sundhed", "klima_miljoe"], number="2"),
        Spec(title="Letbanen", text="Movia og letbanen.", topics=["uddannelse"], number="3"),
        Spec(title="Godkendelse", number="4", procedural=True),
    ]
    first = await publish(store, agenda)
    later = await store.subscribers.add(
        email="q@example.org",
        name="Q",
        topics=("all",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=NOW,
    )
    changed = dataclasses.replace(agenda[0], text="Movia og sygehusene: ændret tekst.")
    await publish(store, [changed, *agenda[1:]])  # the same document, one point changed
    await publish(
        store,
        [Spec(title="Skole", topics=["uddannelse"], number="5")],
        council=Council.NORDJYLLAND,
        day=date(2021, 5, 1),
    )
    due = await store.digests.due(Frequency.DAILY, types=DIGEST_EVENTS)
    events = [ItemEvent.of(event) for event in due.events]
    assert {e.type.value for e in events} == {"item.new", "item.changed"}
    told_states = [
        Told(),
        told_by_subscriber([(early.id, first[1].item_id, first[1].content_hash, "new")])[early.id],
    ]
    planner = Planner(events, until=due.until, max_items=2)
    compared = 0
    for topics, councils, words, excluded, cursor, told in itertools.product(
        [("all",), ("klima_miljoe",), ("sundhed", "uddannelse"), ()],
        [("all",), ("nordjylland",), ("hovedstaden", "sjaelland")],
        [(), ("Movia",), ("letbane", "sygehus*")],
        [(), ("Movia",)],
        [early.event_cursor, later.event_cursor],
        told_states,
    ):
        subscriber = dataclasses.replace(
            early,
            topics=topics,
            councils=councils,
            keywords=words,
            excluded=excluded,
            event_cursor=cursor,
        )
        alone = plan(subscriber, events, told=told, until_event=due.until, max_items=2)
        shared = planner.plan(subscriber, told)
        assert shared == alone, subscriber
        if alone is not None:
            assert shared is not None and shared.subscriber is subscriber
            assert shared.message_id("x") == alone.message_id("x")
            assert shared.told == alone.told
            compared += 1
    assert compared > 50


async def test_due_subscribers_and_events_are_read_in_pages(
    store: Store, monkeypatch: MonkeyPatch
) -> None:
    monkeypatch.setattr(store_digests, "PAGE", 2)
    for n in range(3):
        await subscribe(store, f"all{n}@example.org", topics=("all",))
    await publish(
        store, [Spec(title=f"Sag {n}", topics=["sundhed"], number=str(n)) for n in range(5)]
    )
    due = await store.digests.due(Frequency.DAILY, types=DIGEST_EVENTS)
    assert [e.snapshot.title for e in due.events] == [f"Sag {n}" for n in range(5)]
    assert due.until >= due.events[-1].id
    assert [p.email for p in due.people] == [f"all{n}@example.org" for n in range(3)]


async def test_a_shared_encoding_gives_the_message_built_for_each_alone(store: Store) -> None:
    """Subscribers sharing a render get bodies encoded once for all (``mail.Prepared``): each
    must be byte for byte the message built from their own text and HTML, canonical, and read
    back by the email package as that text and HTML (names with markup, non-ASCII, none, and a
    line break, which is encoded the long way)."""
    settings = settings_for(None)
    names = ["Anna & Ærø", "Bo <Berg>", "", "Linje\nbrud", "x" * 120, "Ånd  "]
    people = [
        await subscribe(store, f"p{n}@example.org", topics=KLIMA, name=name)
        for n, name in enumerate(names)
    ]
    await publish(
        store,
        [
            Spec(title="Klimaplan = 1. " + "lang " * 40, topics=["klima_miljoe"], number="1"),
            Spec(title="Sygehus æøå", text="Tekst.\r\nMere \t", topics=["sundhed"], number="2"),
        ],
    )
    due = await store.digests.due(Frequency.DAILY, types=DIGEST_EVENTS)
    planner = Planner([ItemEvent.of(e) for e in due.events], until=due.until, max_items=20)
    runtime = Runtime(settings, store=store)
    composer, shared = runtime.composer, SharedRenders()
    for person in due.people:
        found = planner.plan(person, Told())
        assert found is not None
        composed = composer.digest(found, now=NOW, shared=shared)
        raw = composed.body
        headers = {
            name: re.search(rb"\r\n" + name.encode() + rb": ([^\r]*)\r\n", raw)[1].decode()  # type: ignore[index]
            for name in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To")
        }
        alone = mail.build_message(
            sender=settings.mail.from_address,
            recipient=mail.mailbox(person.name, person.email),
            subject=composed.subject,
            text=composed.text,
            html=composed.html,
            message_id=composed.message_id,
            date=NOW,
            headers=headers,
        )
        assert raw == alone, person.name
        assert is_canonical(raw) and composed.message.canonical
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage) and not message.defects
        plain, html = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and html is not None
        assert plain["Content-Transfer-Encoding"] == html["Content-Transfer-Encoding"]
        assert plain.get_content().replace("\r\n", "\n") == composed.text
        assert html.get_content().replace("\r\n", "\n") == composed.html.replace("\r\n", "\n")
        part_lines = raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n")
        assert max(len(line) for line in part_lines) <= 76
    assert len(people) == len(due.people)
    await runtime.aclose()


async def test_planning_leaves_nothing_frozen_for_the_garbage_collector(
    store: Store, monkeypatch: MonkeyPatch
) -> None:
    # Planning freezes what lives long (digest_runner); left frozen, it would never be freed.
    await subscribe(store, "anna@example.org", topics=KLIMA, name="Anna")
    await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
    with running_sink() as sink:
        settings = settings_for(sink)
        assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
        assert gc.get_freeze_count() == 0

        await publish(store, [Spec(title="Klimaplan 2", topics=["klima_miljoe"], number="2")])

        async def full_disk(*_args: object, **_kwargs: object) -> int:
            raise StoreError("database error: database or disk is full")

        monkeypatch.setattr(store.digests, "record", full_disk)
        with pytest.raises(StoreError):
            await make_digests(store, settings, Frequency.DAILY, now=NOW)
        assert gc.get_freeze_count() == 0
