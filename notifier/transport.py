"""Where the outbox's messages go: a small interface under the deliverer, with an SMTP
implementation and an in-memory one (tests, the demo).

A transport sends one complete message (RFC 5322 bytes) on one of its lanes (a lane is one
connection, kept open across messages). The SMTP one writes the outbox's canonical bytes as
they are, dot-stuffed once (``smtp_data``): aiosmtplib's ``sendmail`` would run two or three
regular-expression passes over every body (line ends for SIZE, again for DATA, then the dots),
which was most of the deliverer's time. It raises ``TemporaryDeliveryError`` for a 4xx reply to
this message, ``ConnectionTrouble`` when the server is the problem (a dropped connection, 421),
``ServerUnreachable`` when no connection can be made at all, ``PermanentDeliveryError`` for
a 5xx reply to this message, and ``UnclearDelivery`` when the message was written but no reply
to it came (within ``smtp.data_timeout``): that one is never sent again here.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Protocol

import aiosmtplib
from aiosmtplib import SMTPStatus

from notifier.config import SmtpSettings
from notifier.errors import (
    ConnectionTrouble,
    DeliveryError,
    PermanentDeliveryError,
    ServerUnreachable,
    TemporaryDeliveryError,
    UnclearDelivery,
)
from notifier.smtp_data import canonical, data_block


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
            await _transaction(client, sender, recipient, body, self._settings.data_timeout)
        except UnclearDelivery:
            self._drop(lane)  # closed already: a late reply must not pair with the next command
            raise
        except aiosmtplib.SMTPResponseException as exc:
            raise _classified(exc.code, f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._drop(lane)
            raise _Disconnected(f"connection trouble: {exc}") from exc
        except Exception as exc:
            # Something about this message the client cannot send (an address it cannot
            # encode): the same every time, so it fails for good. The connection may be in the
            # middle of a transaction (MAIL accepted, RCPT never sent): dropped, so the next
            # message on this lane starts clean instead of getting "503 nested MAIL command".
            self._drop(lane)
            raise PermanentDeliveryError(f"cannot send this message: {exc!r}") from exc

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


async def _transaction(
    client: aiosmtplib.SMTP, sender: str, recipient: str, body: bytes, data_timeout: float
) -> None:
    """MAIL, RCPT and DATA as ``sendmail`` does them (the same three round trips, RSET after a
    refusal), with the DATA block written as prepared instead of re-encoded."""
    body = canonical(body)
    sender, recipient = _envelope(sender), _envelope(recipient)
    options = [f"SIZE={len(body)}"] if client.supports_extension("size") else []
    try:
        await client.mail(sender, options=options)
        await client.rcpt(recipient)
        await _data(client, data_block(body), data_timeout)
    except aiosmtplib.SMTPResponseException:
        # A broken connection shows on the next message; this refusal is the news.
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.rset()
        raise


async def _data(client: aiosmtplib.SMTP, block: bytes, wait: float) -> None:
    start = await client.execute_command(b"DATA")
    if start.code != SMTPStatus.start_input:
        raise aiosmtplib.SMTPDataError(start.code, start.message)
    protocol = client.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("connection lost before the message")
    try:
        # No await between the write and read_response, so the reply cannot be missed; a lane
        # is one connection used by one worker at a time, so nothing else writes meanwhile.
        protocol.write(block)
        # The server may take long to answer the end of DATA (a content filter under load):
        # RFC 5321 4.5.3.2.6 says wait 10 minutes, far beyond the command timeout.
        response = await protocol.read_response(timeout=wait)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as exc:
        client.close()  # a reply given up on would pair with the next command
        # The message is written: it may have been delivered. Not a broken connection to
        # try again on at once (that sent the same digest every round, for ever).
        raise UnclearDelivery(
            f"no reply to the end of the message, may be delivered: {exc}"
        ) from exc
    if response.code != SMTPStatus.completed:
        raise aiosmtplib.SMTPDataError(response.code, response.message)


def _envelope(address: str) -> str:
    """An address with an internationalised domain in its IDNA form (addresses stored before
    they were normalised that way); a non-ASCII local part stays, and fails the message."""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    try:
        return f"{local}{at}{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


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
