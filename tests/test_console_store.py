"""The console's storage on both databases: a sign-in link opens one session at most, sessions
end and expire, and the send log answers "what went to whom" per round, per recipient and per
message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.config import Settings
from notifier.models import Frequency, SubscriberState
from notifier.store import Store
from tests.factories import Spec, make_digests, publish

NOW = datetime(2024, 5, 1, 8, tzinfo=UTC)
ADMIN = "sekretariat@kkr.example"


async def test_a_link_opens_one_session_and_sessions_end(store: Store) -> None:
    admin = store.admin
    await admin.issue_link(
        nonce_hash="n1", email=ADMIN, expires_at=NOW + timedelta(minutes=15), message=None, now=NOW
    )
    assert await admin.link_email("n1", now=NOW) == ADMIN
    assert await admin.link_email("n1", now=NOW + timedelta(minutes=16)) is None
    later = NOW + timedelta(hours=8)
    assert await admin.sign_in(nonce_hash="n1", token_hash="t1", expires_at=later, now=NOW) == ADMIN
    # Spent: neither a second click nor another browser gets a session from it.
    assert await admin.sign_in(nonce_hash="n1", token_hash="t2", expires_at=later, now=NOW) is None
    assert await admin.link_email("n1", now=NOW) is None
    assert await admin.session("t1", now=NOW) == ADMIN
    assert await admin.session("t2", now=NOW) is None
    assert await admin.session("t1", now=later) is None  # expired
    await admin.sign_out("t1", actor=ADMIN, now=NOW)
    assert await admin.session("t1", now=NOW) is None
    assert [e.action for e in await admin.log()] == ["sign_out", "sign_in"]


async def test_what_went_to_whom_per_round_recipient_and_message(store: Store) -> None:
    for email in ("a@kommune.dk", "b@kommune.dk"):
        await store.subscribers.add(
            email=email,
            name="",
            topics=("all",),
            councils=("all",),
            frequency=Frequency.DAILY,
            state=SubscriberState.ACTIVE,
            now=NOW,
        )
    await publish(store, [Spec(title="Busplan", number="1", topics=["trafik_infrastruktur"])])
    settings = Settings(web={"secret_key": "x" * 40})
    assert await make_digests(store, settings, Frequency.DAILY, now=NOW) == 2

    (run,) = await store.send_log.runs()
    assert (run.created_at, run.messages, run.pending, run.sent) == (NOW, 2, 2, 0)
    in_run = await store.send_log.messages(created_at=run.created_at)
    assert sorted(m.recipient for m in in_run) == ["a@kommune.dk", "b@kommune.dk"]
    assert all(m.items == 1 for m in in_run)
    (to_b,) = await store.send_log.messages(recipient="b@kommune")
    (told,) = await store.send_log.told_in(to_b.id)
    assert (told.title, told.number, told.reason) == ("Busplan", "1", "new")
    found = await store.send_log.message(to_b.id)
    assert found is not None and b"Busplan" in found[1]
    assert await store.send_log.messages(kind="test") == []
    assert await store.send_log.message(to_b.id + 100) is None
