"""The SMTP server goes away for longer than max_attempts × backoff, or refuses one recipient:
no digest is lost and none goes twice.

Real digests (published through the ingest path, planned, composed), a real aiosmtpd on
127.0.0.1, both databases, and an injected clock: ten hours of outage take seconds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notifier.config import Settings
from notifier.deliver import Deliverer
from notifier.models import Frequency, Message
from notifier.store import Store
from notifier.transport import SmtpTransport
from tests.factories import Spec, make_digests, publish
from tests.smtp import Received, Sink, free_port, running_sink
from tests.test_deliver import states
from tests.test_digest import NOW, settings_for, subscribe

PEOPLE = [f"p{n}@example.org" for n in range(5)]


@contextmanager
def server(sink: Sink) -> Iterator[Sink]:
    """The sink on its fixed port (an outage ends with the server back where it was)."""
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def outage_settings(port: int) -> Settings:
    settings = settings_for(Sink(port=port))
    settings.smtp.max_attempts = 3
    settings.smtp.retry_backoff = 60
    settings.smtp.outage_max_wait = 900
    return settings


async def outage(deliverer: Deliverer) -> int:
    """Ten hours of sending rounds every five minutes, all failing; returns how many tried."""
    tries = 0
    for minute in range(0, 600, 5):
        report = await deliverer.run_once(now=NOW + timedelta(minutes=minute))
        assert report.sent == report.failed == 0
        assert report.unreachable
        tries += not report.waiting
    return tries


def body(message: Received) -> str:
    return str(message.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


@pytest.mark.parametrize("fault", ["down", "421"])
async def test_an_outage_longer_than_every_retry_loses_no_digest(store: Store, fault: str) -> None:
    """down: the server stops (open connections break, new ones are refused); 421: it answers
    every message "service not available". Ten hours, far beyond max_attempts (3) × backoff
    (60 s doubling): the messages keep their attempts and all go once it is back."""
    for email in PEOPLE:
        await subscribe(store, email, topics=("all",))
    refusing = False
    sink = Sink(
        port=free_port(),
        reply=lambda _m: "421 4.3.2 service not available" if refusing else None,
    )
    settings = outage_settings(sink.port)
    deliverer = Deliverer(
        store, settings, transport=SmtpTransport(settings.smtp), worker_id="sender"
    )
    try:
        with server(sink):
            # Before the outage: one digest each, and the connections stay open.
            await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
            await make_digests(store, settings, Frequency.DAILY, now=NOW)
            assert (await deliverer.run_once(now=NOW)).sent == len(PEOPLE)
            await publish(
                store,
                [Spec(title="Sundhedsaftale", topics=["sundhed"], number="2")],
                title="Dagsorden 2",
            )
            await make_digests(store, settings, Frequency.DAILY, now=NOW)
            if fault == "421":
                refusing = True
                tries = await outage(deliverer)
        if fault == "down":
            tries = await outage(deliverer)
        waiting = [(state, attempts) for state, attempts, _ in (await states(store)).values()]
        assert sorted(waiting) == [("pending", 0)] * len(PEOPLE)
        # Backoff doubles from 60 s up to 15 min: far fewer tries than rounds, four an hour.
        assert 10 <= tries <= 600 // 15 + 6, tries
        with server(Sink(port=sink.port)) as back:
            later = NOW + timedelta(hours=11)
            report = await deliverer.run_once(now=later)
    finally:
        await deliverer.aclose()
    assert report.sent == len(PEOPLE) and report.failed == 0
    ids = Counter(str(r.message["Message-ID"]) for r in back.received)
    assert sorted(r.recipients[0] for r in back.received) == sorted(PEOPLE)
    assert set(ids.values()) == {1}
    assert all("Sundhedsaftale" in body(r) for r in back.received)
    final = await states(store)
    assert {(state, attempts) for state, attempts, _ in final.values()} == {("sent", 1)}


@pytest.mark.parametrize("refusal", ["550 5.1.1 mailbox unavailable", "452 4.2.2 mailbox full"])
async def test_a_digest_refused_for_one_recipient_goes_into_their_next_digest(
    store: Store, refusal: str
) -> None:
    """Their own 5xx (or their own 4xx until max_attempts) fails that digest: its items come
    in the subscriber's next digest, not before there is news, and nobody else's changes."""
    for email in ("a@example.org", "bad@example.org"):
        await subscribe(store, email, topics=("all",))
    refuse = {"bad@example.org"}
    sink = Sink(
        port=free_port(),
        reply=lambda m: refusal if set(m.recipients) & refuse else None,
    )
    settings = outage_settings(sink.port)
    settings.smtp.max_attempts = 2
    deliverer = Deliverer(
        store, settings, transport=SmtpTransport(settings.smtp), worker_id="sender"
    )
    try:
        with server(sink):
            await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
            await make_digests(store, settings, Frequency.DAILY, now=NOW)
            await deliverer.run_once(now=NOW)
            await deliverer.run_once(now=NOW + timedelta(hours=1))  # a 4xx's second try
            first = await states(store)
            assert first["bad@example.org"][0] == "failed"
            assert first["a@example.org"][0] == "sent"

            # No news: nothing is planned again for either of them.
            assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 0

            refuse.clear()
            await publish(
                store,
                [Spec(title="Sundhedsaftale", topics=["sundhed"], number="2")],
                title="Dagsorden 2",
            )
            assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 2
            await deliverer.run_once(now=NOW + timedelta(hours=2))
    finally:
        await deliverer.aclose()
    to_a = [body(r) for r in sink.received if r.recipients == ("a@example.org",)]
    to_bad = [body(r) for r in sink.received if r.recipients == ("bad@example.org",)]
    assert len(to_a) == 2 and len(to_bad) == 1
    assert "Klimaplan" in to_a[0] and "Klimaplan" not in to_a[1] and "Sundhedsaftale" in to_a[1]
    assert "Klimaplan" in to_bad[0] and "Sundhedsaftale" in to_bad[0]

    # Told once: a third digest (more news) repeats neither item to anyone.
    await publish(
        store, [Spec(title="Erhvervsplan", topics=["uddannelse"], number="3")], title="Dagsorden 3"
    )
    await make_digests(store, settings, Frequency.DAILY, now=NOW)
    with server(Sink(port=sink.port)) as again:
        deliverer = Deliverer(
            store, settings, transport=SmtpTransport(settings.smtp), worker_id="sender"
        )
        try:
            await deliverer.run_once(now=NOW + timedelta(hours=3))
        finally:
            await deliverer.aclose()
    for received in again.received:
        assert "Klimaplan" not in body(received) and "Sundhedsaftale" not in body(received)


async def test_a_failed_digest_planned_again_goes_out_again_other_mail_does_not(
    store: Store,
) -> None:
    """A replay can plan exactly the digest that failed (same subscriber, window and items,
    so the same Message-ID): the outbox must send it again, not drop it as a duplicate."""
    subscriber = await subscribe(store, "a@example.org", topics=("all",))

    def message(kind: str) -> Message:
        return Message(
            message_id=f"{kind}.1@example.org",
            kind=kind,
            recipient="a@example.org",
            subject="Emne",
            body=b"Subject: Emne\r\n\r\nHej\r\n",
            subscriber_id=subscriber,
        )

    first = await store.outbox.enqueue([message("digest"), message("confirm")], now=NOW)
    claimed = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
    )
    assert len(claimed) == 2
    for row in claimed:
        await store.outbox.mark_failed(row.id, worker_id="w", error="550 no such user")
    again = await store.outbox.enqueue([message("digest"), message("confirm")], now=NOW)
    assert again == {"digest.1@example.org": first["digest.1@example.org"]}
    pending = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
    )
    assert [row.message_id for row in pending] == ["digest.1@example.org"]
    assert pending[0].attempts == 0


class SlowSink(Sink):
    """Accepts each message (it counts as received) and then takes ``delay`` seconds to say so,
    like a content filter or an after-queue hop under load."""

    delay = 1.5

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return answer


async def two_hours_of_rounds(store: Store, settings: Settings) -> None:
    deliverer = Deliverer(store, settings, transport=SmtpTransport(settings.smtp), worker_id="w")
    try:
        for minute in range(0, 120, 5):
            await deliverer.run_once(now=NOW + timedelta(minutes=minute))
    finally:
        await deliverer.aclose()


async def test_a_slow_reply_to_the_end_of_data_is_waited_for_and_the_digest_goes_once(
    store: Store,
) -> None:
    """Found by a review: a reply to the end of DATA slower than smtp.timeout was taken for a
    broken connection; the message went again at once, and again every round (9 copies in two
    hours, the outbox still pending with 0 attempts). The reply now has smtp.data_timeout."""
    with running_sink(SlowSink()) as sink:
        settings = settings_for(sink)
        settings.smtp.timeout = 0.5  # the commands' timeout, shorter than the reply's delay
        settings.smtp.data_timeout = 5
        settings.smtp.connections = 1
        for person in PEOPLE[:2]:
            await subscribe(store, person, topics=("all",))
        await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
        assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 2
        await two_hours_of_rounds(store, settings)
    copies = Counter(str(r.message["Message-ID"]) for r in sink.received)
    assert sorted(copies.values()) == [1, 1], copies
    assert {state[:2] for state in (await states(store)).values()} == {("sent", 1)}


async def test_no_reply_to_the_end_of_data_is_an_attempt_so_copies_are_bounded(
    store: Store,
) -> None:
    """Without a reply within smtp.data_timeout the digest may have gone: it is not sent again
    at once, and each such try counts, so at most smtp.max_attempts copies go out."""
    with running_sink(SlowSink()) as sink:
        settings = outage_settings(sink.port)
        settings.smtp.timeout = settings.smtp.data_timeout = 0.3  # both short of the delay
        settings.smtp.connections = 1
        await subscribe(store, PEOPLE[0], topics=("all",))
        await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
        assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
        await two_hours_of_rounds(store, settings)
        await asyncio.sleep(SlowSink.delay)  # the server finishes the last one
    assert len(sink.received) == settings.smtp.max_attempts == 3
    state, attempts, error = (await states(store))[PEOPLE[0]]
    assert (state, attempts) == ("failed", 3) and "may be delivered" in (error or "")


async def test_a_message_waiting_for_a_slow_reply_keeps_its_lease(store: Store) -> None:
    """The reply to the end of DATA may take longer than a lease: the sender renews it while
    it waits, so another sender does not take the message over and send it again."""
    slow = SlowSink()
    slow.delay = 2.5
    with running_sink(slow) as sink:
        settings = settings_for(sink)
        settings.smtp.lease = 1
        settings.smtp.data_timeout = 10
        settings.smtp.connections = 1
        await subscribe(store, PEOPLE[0], topics=("all",))
        await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
        assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 1
        one = Deliverer(store, settings, transport=SmtpTransport(settings.smtp), worker_id="one")
        two = Deliverer(store, settings, transport=SmtpTransport(settings.smtp), worker_id="two")
        try:
            first = asyncio.create_task(one.run_once(now=NOW))
            await asyncio.sleep(1.5)  # the first lease would have run out by now
            assert (await two.run_once(now=NOW + timedelta(seconds=1.5))).sent == 0
            assert (await first).sent == 1
        finally:
            await one.aclose()
            await two.aclose()
    assert len(sink.received) == 1
