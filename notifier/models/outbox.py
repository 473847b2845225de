"""Messages in the outbox, as a sender holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    id: int
    message_id: str
    recipient: str
    body: bytes
    attempts: int
    claimed_until: datetime  # the lease this worker holds it under


@dataclass(frozen=True, kw_only=True)
class Message:
    """A complete message, ready for the outbox: stored whole before it is sent."""

    message_id: str  # bare ``left@right``, deterministic where a re-plan must not duplicate
    kind: str  # digest | confirm | alert | test
    recipient: str  # the envelope address
    subject: str
    body: bytes  # RFC 5322, CRLF line ends
    subscriber_id: int | None = None
    # The body is canonical already (``mail.build_message`` makes it so): the outbox need not
    # check each line end of it (``smtp_data.canonical``) before storing it.
    canonical: bool = False
    # Runs of ``body`` that other messages hold too (a digest shared by a group, encoded once:
    # ``mail.Prepared``), in order: stored once for all of them.
    shared: tuple[bytes, ...] = ()
