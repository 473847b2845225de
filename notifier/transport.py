"""Where the outbox's messages go: a small interface under the deliverer, with an SMTP
implementation and an in-memory one (tests, the demo).

A transport sends one complete message (RFC 5322 bytes) on one of its lanes (a lane is one
connection, kept open across messages). It raises ``TemporaryDeliveryError`` for a 4xx reply to
this message, ``ConnectionTrouble`` when the server is the problem (a dropped connection, 421),
``ServerUnreachable`` when no connection can be made at all, and ``PermanentDeliveryError`` for
a 5xx reply to this message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import aiosmtplib

from notifier.config import SmtpSettings
from notifier.errors import (
    ConnectionTrouble,
    DeliveryError,
    PermanentDeliveryError,
    ServerUnreachable,
    TemporaryDeliveryError,
)


class Transport(Protocol):
    async def send(self, lane: int, sender: str, recipient: str, body: bytes) -> None: ...

    async def aclose(self) -> None: ...


class _Disconnected(ConnectionTrouble):
    """An open connection broke (closed by the server, timed out)."""


class SmtpTransport:
    """aiosmtplib, one kept-open connection per lane."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._clients: dict[int, aiosmtplib.SMTP] = {}

    async def send(self, lane: int, sender: str, recipient: str, body: bytes) -> None:
        client = self._clients.get(lane)
        reused = client is not None and client.is_connected
        try:
            await self._sendmail(lane, sender, recipient, body)
        except _Disconnected:
            if not reused:
                raise
            # A kept-open connection the server closed while idle: one fresh try.
            await self._sendmail(lane, sender, recipient, body)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()

    async def _sendmail(self, lane: int, sender: str, recipient: str, body: bytes) -> None:
        client = await self._connect(lane)
        try:
            await client.sendmail(sender, [recipient], body)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise _classified(min(codes, default=451), str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _classified(exc.code, f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._drop(lane)
            raise _Disconnected(f"connection trouble: {exc}") from exc

    async def _connect(self, lane: int) -> aiosmtplib.SMTP:
        client = self._clients.get(lane)
        if client is not None and client.is_connected:
            return client
        smtp = self._settings
        client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            timeout=smtp.timeout,
            use_tls=smtp.security == "tls",
            start_tls=smtp.security == "starttls",
        )
        try:
            await client.connect()
            if smtp.user:
                await client.login(smtp.user, smtp.password.get_secret_value())
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise ServerUnreachable(f"cannot connect to {smtp.host}:{smtp.port}: {exc}") from exc
        self._clients[lane] = client
        return client

    def _drop(self, lane: int) -> None:
        client = self._clients.pop(lane, None)
        if client is not None:
            client.close()


def _classified(code: int, reason: str) -> DeliveryError:
    if code == 421:  # "service not available, closing channel": the server, not this message
        return ConnectionTrouble(reason)
    if 400 <= code < 500:
        return TemporaryDeliveryError(reason)
    return PermanentDeliveryError(reason)


@dataclass(frozen=True, kw_only=True)
class Sent:
    sender: str
    recipient: str
    body: bytes


@dataclass
class MemoryTransport:
    """Keeps what it is given; ``refuse`` (an exception) makes every send fail with it."""

    sent: list[Sent] = field(default_factory=list)
    refuse: DeliveryError | None = None

    async def send(self, lane: int, sender: str, recipient: str, body: bytes) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.sent.append(Sent(sender=sender, recipient=recipient, body=body))

    async def aclose(self) -> None:
        return None
