"""Prepared DATA: stored canonical once, dot-stuffed once, and arriving at a real SMTP server
(aiosmtpd on 127.0.0.1) byte for byte as the outbox holds it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import given
from hypothesis import strategies as st

from notifier.config import Settings
from notifier.deliver import Deliverer
from notifier.mail import build_message
from notifier.models import Message
from notifier.smtp_data import canonical, data_block, is_canonical
from notifier.store import Store
from notifier.store.schema import outbox_bodies
from notifier.transport import SmtpTransport
from tests.smtp import Sink, running_sink

NOW = datetime(2021, 4, 20, 5, 0, tzinfo=UTC)

# Lines of every awkward kind: leading dots, a lone dot (the end of DATA if not stuffed),
# bare LF, bare CR, CR LF LF, and no line end at the very end.
AWKWARD = (
    b"Subject: prikker\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\n"
    b".after bare LF\rbare CR\r\r\n\n.\nend without a line end"
)

lines = st.lists(
    st.sampled_from([b".", b"..", b"x", b".x", b"", b"\r", b"\n", b"\r\n", b"\xc3\xa6"]),
    max_size=40,
).map(b"".join)


@given(lines)
def test_data_block_matches_aiosmtplib_encoding(body: bytes) -> None:
    """The same bytes on the wire as aiosmtplib's own DATA encoding, so the shortcut changes
    speed only."""
    reference = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(body)) + b".\r\n"
    assert data_block(canonical(body)) == reference
    assert is_canonical(canonical(body))
    assert canonical(canonical(body)) == canonical(body)


def test_canonical_leaves_a_canonical_body_alone() -> None:
    body = b"a\r\n.b\r\n"
    assert canonical(body) is body
    assert canonical(b"a\nb") == b"a\r\nb\r\n"


@pytest.fixture
def sink() -> Iterator[Sink]:
    with running_sink() as sink:
        yield sink


def _message(recipient: str, body: bytes) -> Message:
    return Message(
        message_id=f"{recipient.split('@')[0]}@example.org",
        kind="digest",
        recipient=recipient,
        subject="Emne",
        body=body,
    )


async def test_prepared_bytes_arrive_as_stored(store: Store, sink: Sink) -> None:
    built = build_message(
        sender="kkr@example.org",
        recipient="b@example.org",
        subject="Punkt",
        text=".Indstilling\n.\nSlut",
        html="<p>.</p>",
        message_id="b@example.org",
        date=NOW,
    )
    messages = [_message("a@example.org", AWKWARD), _message("b@example.org", built)]
    await store.outbox.enqueue(messages, now=NOW)
    async with store.db.engine.connect() as conn:
        stored = [bytes(b) for b in await conn.scalars(sa.select(outbox_bodies.c.body))]
    assert sorted(stored) == sorted(canonical(m.body) for m in messages)
    assert canonical(built) == built  # what mail builds is already canonical

    settings = Settings(
        smtp={"host": "127.0.0.1", "port": sink.port, "security": "none"},
        mail={"from_address": "KKR Notifier <kkr@example.org>"},
    )
    deliverer = Deliverer(store, settings, transport=SmtpTransport(settings.smtp), worker_id="test")
    try:
        report = await deliverer.run_once(now=NOW)
    finally:
        await deliverer.aclose()

    assert report.sent == 2
    received = {r.recipients: r.data for r in sink.received}
    assert received[("a@example.org",)] == canonical(AWKWARD)
    assert received[("b@example.org",)] == built
    assert b".leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n" in canonical(AWKWARD)
    assert sink.received[0].sender == "kkr@example.org"
