"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd, recording what it accepts.

``reply`` decides the answer to each message (return e.g. "451 try later" or "550 no such
user"; None accepts it), so tests can script temporary and permanent refusals.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Sink:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    reply: Callable[[Received], str | None] = lambda _message: None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.recipients]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = Received(
            sender=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            data=bytes(envelope.original_content or envelope.content),
        )
        answer = self.reply(message)
        if answer is not None:
            return answer
        with self.lock:
            self.received.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_sink(sink: Sink | None = None) -> Iterator[Sink]:
    sink = sink or Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
