"""The database refuses writes for a while (read-only), then takes them again: the sender never
hangs, never sends a message twice, and sends everything once the database is back.

Both backends, a real aiosmtpd on 127.0.0.1 (see ``tests.faults`` for how the database is made
read-only).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from notifier.errors import StoreError
from notifier.store import Store
from tests.faults import ReadOnly
from tests.smtp import Received, Sink, running_sink
from tests.test_deliver import NOW, enqueue, make_deliverer, settings_for, states

PEOPLE = [f"p{n}@example.org" for n in range(6)]


def received_ids(sink: Sink) -> Counter[str]:
    return Counter(str(r.message["Message-ID"]) for r in sink.received)


async def test_a_claim_that_fails_ends_the_run_and_mail_resumes_once_writable(
    store: Store,
) -> None:
    await enqueue(store, *PEOPLE)
    read_only = ReadOnly(store.db.engine)
    with running_sink() as sink:
        deliverer = make_deliverer(store, settings_for(sink.port))
        try:
            await read_only.set(True)
            # Before: the workers waited forever for a producer that had died.
            with pytest.raises(StoreError):
                await asyncio.wait_for(deliverer.run_once(now=NOW), 30)
            assert sink.received == []
            await read_only.set(False)
            report = await asyncio.wait_for(deliverer.run_once(now=NOW), 30)
        finally:
            await read_only.set(False)
            await deliverer.aclose()
    assert report.sent == len(PEOPLE)
    assert sorted(r.recipients[0] for r in sink.received) == sorted(PEOPLE)
    assert set(received_ids(sink).values()) == {1}
    assert {state for state, _, _ in (await states(store)).values()} == {"sent"}


async def test_sent_messages_the_database_could_not_record_are_never_sent_again(
    store: Store,
) -> None:
    """The database turns read-only while the server accepts the first message: it cannot be
    marked sent. Its claim runs out while the database stays read-only; once writable, the
    same sender must record it, not claim and send it again, and send the rest once."""
    await enqueue(store, *PEOPLE)
    read_only = ReadOnly(store.db.engine)

    def reply(message: Received) -> str | None:
        if not read_only.on and not sink.received:
            read_only.set_from_thread(True)
        return None

    with running_sink(Sink(reply=reply)) as sink:
        settings = settings_for(sink.port)
        settings.smtp.lease = 1
        settings.smtp.connections = 1
        deliverer = make_deliverer(store, settings)
        try:
            with pytest.raises(StoreError):
                await asyncio.wait_for(deliverer.run_once(now=NOW), 30)
            accepted = len(sink.received)
            assert accepted >= 1
            later = NOW + timedelta(minutes=10)  # every claim has run out
            with pytest.raises(StoreError):
                await asyncio.wait_for(deliverer.run_once(now=later), 30)
            assert len(sink.received) == accepted
            await read_only.set(False)
            report = await asyncio.wait_for(deliverer.run_once(now=later), 30)
        finally:
            await read_only.set(False)
            await deliverer.aclose()
    assert report.sent == len(PEOPLE) - accepted
    assert sorted(r.recipients[0] for r in sink.received) == sorted(PEOPLE)
    assert set(received_ids(sink).values()) == {1}, received_ids(sink)
    assert {state for state, _, _ in (await states(store)).values()} == {"sent"}
