"""Runs many messages share are stored once; every reader gets each message back whole."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from notifier import mail
from notifier.models import Frequency, Message, SubscriberState
from notifier.store import Store
from notifier.store.db import _alembic_config
from notifier.store.outbox_parts import assemble, split
from notifier.store.schema import outbox, outbox_bodies, outbox_parts

NOW = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)
SHARED_TEXT = b"".join(b"Punkt %d: Sundhedsaftale og akutpladser\r\n" % n for n in range(60))
SHARED_HTML = b"".join(b"<p>Punkt %d: Klima og milj=C3=B8</p>\r\n" % n for n in range(60))


def digest(n: int, shared: tuple[bytes, ...] = (SHARED_TEXT, SHARED_HTML)) -> Message:
    body = (
        b"To: p%d@example.dk\r\nSubject: Nyt\r\n\r\nHej Person %d\r\n" % (n, n)
        + shared[0]
        + b"Afmeld: https://kkr.example.org/afmeld/%d\r\n" % n
        + shared[1]
        + b'<a href=3D"https://kkr.example.org/afmeld/%d">Afmeld</a>\r\n' % n
    )
    return Message(
        message_id=f"digest.{n}@example.org",
        kind="digest",
        recipient=f"p{n}@example.dk",
        subject="Nyt",
        body=body,
        canonical=True,
        shared=shared,
    )


def test_split_and_assemble_give_back_the_same_bytes() -> None:
    message = digest(7)
    own, layout = split(message.body, message.shared, {SHARED_TEXT: 1, SHARED_HTML: 2})
    assert SHARED_TEXT not in own and SHARED_HTML not in own
    assert b"Hej Person 7" in own and b"afmeld/7" in own
    assert assemble(own, layout, {1: SHARED_TEXT, 2: SHARED_HTML}) == message.body
    # A run the body does not hold is left out of the layout, not invented.
    own, layout = split(b"plain body", (SHARED_TEXT,), {SHARED_TEXT: 1})
    assert (own, layout) == (b"plain body", [10])
    with pytest.raises(ValueError, match="layout"):
        assemble(b"short", [9], {})


async def test_shared_runs_are_stored_once_and_every_reader_gets_whole_messages(
    store: Store,
) -> None:
    messages = [digest(n) for n in range(5)]
    ids = await store.outbox.enqueue(messages, now=NOW)
    async with store.db.engine.connect() as conn:
        parts = (await conn.execute(sa.select(outbox_parts.c.body))).scalars().all()
        stored = (await conn.execute(sa.select(outbox_bodies.c.body))).scalars().all()
    assert sorted(bytes(p) for p in parts) == sorted([SHARED_TEXT, SHARED_HTML])
    assert all(len(body) < 200 for body in stored)  # each keeps its own lines only

    claimed = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
    )
    assert {row.message_id: row.body for row in claimed} == {m.message_id: m.body for m in messages}
    assert await store.archive.message("digest.3@example.org") == messages[3].body
    found = await store.send_log.message(ids["digest.2@example.org"])
    assert found is not None and found[1] == messages[2].body

    # Another run sharing the same text stores no second copy of it.
    await store.outbox.enqueue([digest(9)], now=NOW)
    async with store.db.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(outbox_parts)) == 2


async def test_a_failed_digest_planned_again_is_stored_with_its_new_parts(store: Store) -> None:
    first = digest(1)
    await store.outbox.enqueue([first], now=NOW)
    claimed = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
    )
    await store.outbox.mark_failed(claimed[0].id, worker_id="w", error="550 no such user")
    other = SHARED_TEXT.replace(b"Sundhedsaftale", b"Erhvervsfremme")
    again = digest(1, shared=(other, SHARED_HTML))
    await store.outbox.enqueue([again], now=NOW)
    pending = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
    )
    assert [row.body for row in pending] == [again.body]


async def test_a_batch_is_stored_in_one_insert_and_each_message_id_once(store: Store) -> None:
    """A digest batch goes in as one statement (not one per message), with the same outcome
    as before: new messages and a failed digest planned again are stored, a pending one
    planned again is kept once, and a Message-ID twice in the batch is stored once."""
    await store.outbox.enqueue([digest(1), digest(2)], now=NOW)
    claimed = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=1
    )
    await store.outbox.mark_failed(claimed[0].id, worker_id="w", error="550 no such user")
    failed = claimed[0].message_id
    inserts: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO outbox "):
            inserts.append(statement)

    engine = store.db.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        batch = [digest(n) for n in (1, 2, 3, 4, 3)]
        ids = await store.outbox.enqueue(batch, now=NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert len(inserts) == 1
    assert set(ids) == {failed, "digest.3@example.org", "digest.4@example.org"}
    async with store.db.engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).select_from(outbox))
        states = dict((await conn.execute(sa.select(outbox.c.message_id, outbox.c.state))).all())
    assert count == 4
    assert states[failed] == "pending"


def test_a_prepared_text_reports_its_long_runs_as_shared() -> None:
    placeholder = re.compile("(NAME)")
    text = "Hej NAME\n" + "".join(f"Punkt {n}: sundhed og ældre\n" for n in range(100)) + "Slut"
    prepared = mail.Prepared(text, placeholder)
    first, second = prepared.fill({"NAME": "Anna"}), prepared.fill({"NAME": "Bo"})
    assert first.shared and first.shared == second.shared
    assert all(run in first.data and run in second.data for run in first.shared)
    assert all(len(run) >= mail.SHARED_MIN for run in first.shared)


async def test_going_back_to_migration_0007_makes_every_body_whole(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        messages = [digest(n) for n in range(3)]
        await store.outbox.enqueue(messages, now=NOW)
        async with store.db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0007"))
        async with store.db.engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT body FROM outbox_bodies ORDER BY outbox_id"))
            assert [bytes(body) for (body,) in rows] == [m.body for m in messages]
    finally:
        await store.close()


def test_a_run_is_found_past_a_false_start() -> None:
    run = b"A" * 64 + b"the rest of the shared run" * 50
    decoy = b"A" * 64 + b"something else\r\n"
    body = b"head\r\n" + decoy + run + b"tail\r\n"
    own, layout = split(body, (run,), {run: 4})
    assert own == b"head\r\n" + decoy + b"tail\r\n"
    assert assemble(own, layout, {4: run}) == body


async def test_erasing_a_subscriber_erases_the_parts_only_their_messages_held(
    store: Store,
) -> None:
    anna, bo = [
        await store.subscribers.add(
            email=f"{name.lower()}@example.dk",
            name=name,
            topics=("all",),
            councils=("all",),
            frequency=Frequency.DAILY,
            state=SubscriberState.ACTIVE,
            now=NOW,
        )
        for name in ("Anna", "Bo")
    ]
    only_anna = SHARED_TEXT.replace(b"Punkt", b"Anna-sag")
    await store.outbox.enqueue(
        [
            replace(digest(1, shared=(only_anna, SHARED_HTML)), subscriber_id=anna.id),
            replace(digest(2), subscriber_id=bo.id),
        ],
        now=NOW,
    )

    async def parts() -> list[bytes]:
        async with store.db.engine.connect() as conn:
            return sorted(bytes(b) for b in (await conn.scalars(sa.select(outbox_parts.c.body))))

    assert await parts() == sorted([only_anna, SHARED_TEXT, SHARED_HTML])
    await store.subscribers.purge(anna.id)
    assert await parts() == sorted([SHARED_TEXT, SHARED_HTML])  # Bo's digest holds these
    claimed = await store.outbox.claim(
        worker_id="w", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
    )
    assert [row.body for row in claimed] == [digest(2).body]
    await store.subscribers.purge(bo.id)
    assert await parts() == []
