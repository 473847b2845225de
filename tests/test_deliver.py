"""Delivery from the outbox to a real SMTP server on 127.0.0.1: retries, failures, outages."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from notifier import metrics
from notifier.config import Settings
from notifier.deliver import Deliverer
from notifier.mail import build_message
from notifier.models import Message
from notifier.store import Store
from notifier.store.schema import outbox
from notifier.transport import SmtpTransport
from tests.smtp import Received, Sink, free_port, running_sink

NOW = datetime(2021, 4, 20, 5, 0, tzinfo=UTC)


@pytest.fixture
def sink() -> Iterator[Sink]:
    with running_sink() as sink:
        yield sink


def settings_for(port: int) -> Settings:
    return Settings(
        smtp={
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "messages_per_minute": 100_000,
            "retry_backoff": 60,
            "max_attempts": 3,
        },
        mail={"from_address": "KKR Notifier <kkr@example.org>"},
    )


async def enqueue(store: Store, *recipients: str, to: str | None = None) -> None:
    """One message for each recipient; ``to``: the To: header instead of the recipient (for
    envelope recipients no header can carry)."""
    await store.outbox.enqueue(
        [
            Message(
                message_id=f"test.{n}@example.org",
                kind="digest",
                recipient=recipient,
                subject="Emne",
                body=build_message(
                    sender="kkr@example.org",
                    recipient=to or recipient,
                    subject="Emne",
                    text="Hej",
                    html="<p>Hej</p>",
                    message_id=f"test.{n}@example.org",
                    date=NOW,
                ),
            )
            for n, recipient in enumerate(recipients)
        ],
        now=NOW,
    )


def make_deliverer(store: Store, settings: Settings, worker_id: str = "test") -> Deliverer:
    return Deliverer(store, settings, transport=SmtpTransport(settings.smtp), worker_id=worker_id)


async def states(store: Store) -> dict[str, tuple[str, int, str | None]]:
    async with store.db.engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox))).mappings().all()
    return {row["recipient"]: (row["state"], row["attempts"], row["last_error"]) for row in rows}


async def run(store: Store, port: int, now: datetime) -> None:
    deliverer = make_deliverer(store, settings_for(port), "test")
    try:
        await deliverer.run_once(now=now)
    finally:
        await deliverer.aclose()


async def test_4xx_retries_with_backoff_then_succeeds(store: Store, sink: Sink) -> None:
    refusals = iter(["451 4.3.0 try again later"])
    sink.reply = lambda message: next(refusals, None)
    await enqueue(store, "a@example.org")
    await run(store, sink.port, NOW)
    state, attempts, error = (await states(store))["a@example.org"]
    assert (state, attempts) == ("pending", 1) and "451" in (error or "")
    await run(store, sink.port, NOW + timedelta(seconds=30))  # not due yet
    assert sink.received == []
    await run(store, sink.port, NOW + timedelta(seconds=61))
    assert [r.recipients for r in sink.received] == [("a@example.org",)]
    assert (await states(store))["a@example.org"][:2] == ("sent", 2)


async def test_5xx_fails_one_message_and_others_go(store: Store, sink: Sink) -> None:
    def reply(message: Received) -> str | None:
        return "550 5.1.1 no such user" if "bad@example.org" in message.recipients else None

    sink.reply = reply
    await enqueue(store, "a@example.org", "bad@example.org", "c@example.org")
    sent_before = metrics.REGISTRY.get_sample_value("notifier_messages_sent_total") or 0
    failed_before = metrics.REGISTRY.get_sample_value("notifier_messages_failed_total") or 0
    await run(store, sink.port, NOW)
    assert metrics.REGISTRY.get_sample_value("notifier_messages_sent_total") == sent_before + 2
    assert metrics.REGISTRY.get_sample_value("notifier_messages_failed_total") == failed_before + 1
    assert sorted(r.recipients[0] for r in sink.received) == ["a@example.org", "c@example.org"]
    result = await states(store)
    assert result["bad@example.org"][0] == "failed" and "550" in (
        result["bad@example.org"][2] or ""
    )
    assert result["a@example.org"][0] == result["c@example.org"][0] == "sent"


async def test_an_address_the_client_cannot_send_fails_that_message_alone(
    store: Store, sink: Sink
) -> None:
    """Found by a review: jørgen@ (or an IDN domain kept in Unicode) made aiosmtplib raise
    UnicodeEncodeError in RCPT; the run stopped, and the lane was left in an open MAIL
    transaction, so the next message got "503 nested MAIL command". Now that message fails for
    good, the others go on one connection, and a stored IDN domain is sent in IDNA form."""
    recipients = ("jørgen@kommune.dk", "a@example.org", "anne@københavn.dk", "c@example.org")
    await enqueue(store, *recipients, to="x@example.org")
    settings = settings_for(sink.port)
    settings.smtp.connections = 1
    deliverer = make_deliverer(store, settings)
    try:
        report = await deliverer.run_once(now=NOW)
    finally:
        await deliverer.aclose()
    result = await states(store)
    assert result["jørgen@kommune.dk"][0] == "failed", result
    assert (report.sent, report.failed) == (3, 1)
    assert sorted(r.recipients[0] for r in sink.received) == [
        "a@example.org",
        "anne@xn--kbenhavn-54a.dk",
        "c@example.org",
    ]


async def test_dead_server_leaves_everything_pending(store: Store) -> None:
    await enqueue(store, "a@example.org", "b@example.org")
    port = free_port()  # nothing listens here
    await run(store, port, NOW)
    assert {state for state, _, _ in (await states(store)).values()} == {"pending"}
    with running_sink() as sink:
        await run(store, sink.port, NOW + timedelta(hours=1))
        assert sorted(r.recipients[0] for r in sink.received) == ["a@example.org", "b@example.org"]


async def test_two_senders_never_send_the_same_message(store: Store, sink: Sink) -> None:
    await enqueue(store, *(f"p{n}@example.org" for n in range(40)))
    first = make_deliverer(store, settings_for(sink.port), "one")
    second = make_deliverer(store, settings_for(sink.port), "two")
    try:
        await asyncio.gather(first.run_once(now=NOW), second.run_once(now=NOW))
    finally:
        await first.aclose()
        await second.aclose()
    recipients = [r.recipients[0] for r in sink.received]
    assert sorted(recipients) == sorted(f"p{n}@example.org" for n in range(40))


@pytest.mark.parametrize("stolen", [False, True])
async def test_lease_renewed_before_a_late_send_and_never_sent_once_lost(
    sqlite_store: Store, sink: Sink, stolen: bool
) -> None:
    """The second message waits in the queue (rate limit) past its lease: the sender renews
    it and sends, or, when another sender took it over meanwhile, leaves it alone."""
    database = sqlite_store.db.engine.url.database
    assert database is not None

    def reply(message: Received) -> str | None:
        if stolen and message.recipients == ("a@example.org",):
            # What another replica does once the lease has run out: claim it for itself.
            with sqlite3.connect(database) as db:
                db.execute(
                    "UPDATE outbox SET claimed_by = 'other', claimed_until = '2099-01-01' "
                    "WHERE recipient = 'b@example.org'"
                )
        return None

    sink.reply = reply
    await enqueue(sqlite_store, "a@example.org", "b@example.org")
    settings = settings_for(sink.port)
    settings.smtp.messages_per_minute = 200  # 0.3 s apart
    settings.smtp.lease = 0.2
    settings.smtp.timeout = 0.05
    settings.smtp.connections = 1
    deliverer = make_deliverer(sqlite_store, settings, "test")
    try:
        await deliverer.run_once(now=NOW)
    finally:
        await deliverer.aclose()
    received = [r.recipients[0] for r in sink.received]
    result = await states(sqlite_store)
    if stolen:
        assert received == ["a@example.org"]
        assert result["b@example.org"][:2] == ("pending", 0)
    else:
        assert received == ["a@example.org", "b@example.org"]
        assert result["b@example.org"][0] == "sent"
