"""Sends the outbox over SMTP: claimed with a lease, committed as sent right after acceptance.

Exactly once, and the one window left: a message is marked sent in the database right after
the server's 250 reply to DATA. A crash (or SIGKILL) after the server accepted a message but
before that commit leaves it pending, so the next run sends it again. Both copies carry the same
deterministic Message-ID (``digest.<subscriber>.<from>-<to>.<entries hash>@<list-id>``), which
is what lets receiving systems, and our tests, drop the duplicate. Everything else is safe: a
crash before the 250 loses nothing (the message is still pending once its lease runs out), and
a crash after the commit sends nothing twice.

4xx replies and connection trouble retry the message later with exponential backoff; a 5xx
reply fails that one message and records why; other messages carry on. A run that cannot reach
the server at all stops and leaves the rest pending. A claimed message whose lease would run
out before it is sent (a slow server, a long queue) has its lease renewed first, and is left
alone if another sender already took it over. Connections are kept open across messages
and runs (``smtp.connections`` of them) and a shared limiter keeps ``smtp.messages_per_minute``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifier import mail, metrics
from notifier.config import Settings
from notifier.errors import PermanentDeliveryError, ServerUnreachable, TemporaryDeliveryError
from notifier.models import OutboxMessage
from notifier.store import Store
from notifier.transport import Transport

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
BATCH_PER_CONNECTION = 25


@dataclass(kw_only=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    disabled: bool = False  # smtp.host is empty: nothing was sent
    unreachable: bool = False  # the server could not be reached; the rest stays pending


class _RateLimit:
    def __init__(self, per_minute: int) -> None:
        self._interval = 60.0 / per_minute
        self._next = 0.0

    async def wait(self) -> None:
        now = asyncio.get_running_loop().time()
        slot = max(self._next, now)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Deliverer:
    def __init__(
        self, store: Store, settings: Settings, *, transport: Transport, worker_id: str
    ) -> None:
        self._outbox = store.outbox
        self._transport = transport
        self._smtp = settings.smtp
        self._worker_id = worker_id
        self._sender = mail.addr_spec(settings.mail.from_address)
        self._limit = _RateLimit(self._smtp.messages_per_minute)
        # Claimed messages (a batch queued, a batch in hand) must go well within their lease
        # even at the rate limit.
        at_rate = int(self._smtp.messages_per_minute / 60 * self._smtp.lease / 4)
        self._batch = max(1, min(self._smtp.connections * BATCH_PER_CONNECTION, at_rate))
        # A send is a few commands, each allowed smtp.timeout: renew a lease closer than this.
        self._send_margin = timedelta(seconds=min(4 * self._smtp.timeout, self._smtp.lease / 2))

    async def run_once(self, *, now: datetime) -> DeliveryReport:
        """Send every message due at ``now``; messages that fail temporarily wait for later."""
        report = DeliveryReport()
        if not self._smtp.enabled:
            waiting = await self._outbox.depth()
            log.warning(
                "mail is disabled (smtp.host is empty): sending nothing, %d messages wait in "
                "the outbox",
                waiting,
            )
            report.disabled = True
            return report
        loop = asyncio.get_running_loop()
        started = loop.time()

        def clock() -> datetime:
            # The injected time, moving on as this run takes real time (leases, backoff).
            return now + timedelta(seconds=loop.time() - started)

        await self._pipeline(report, clock)
        metrics.record_delivery(report.sent, report.failed)
        if report.sent or report.retried or report.failed:
            log.info(
                "delivered outbox messages",
                extra={"sent": report.sent, "retried": report.retried, "failed": report.failed},
            )
        return report

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def _pipeline(self, report: DeliveryReport, clock: Callable[[], datetime]) -> None:
        """Claim ahead while the connections send, so sending never waits for the database."""
        todo: asyncio.Queue[OutboxMessage | None] = asyncio.Queue(maxsize=self._batch)
        sent: asyncio.Queue[int | None] = asyncio.Queue()
        claimed: set[int] = set()
        handled: set[int] = set()
        committer = asyncio.create_task(self._commit_sent(sent, clock))
        workers = [
            asyncio.create_task(self._worker(index, todo, sent, handled, report, clock))
            for index in range(self._smtp.connections)
        ]
        producer = asyncio.create_task(self._produce(todo, claimed, report, clock))
        try:
            await asyncio.gather(*workers)
        finally:
            producer.cancel()
            for worker in workers:
                worker.cancel()
            await asyncio.gather(producer, *workers, return_exceptions=True)
            sent.put_nowait(None)
            await committer
        left = sorted(claimed - handled)
        if left:  # the server went away: give these back untouched for the next run
            await self._outbox.release(left, worker_id=self._worker_id)

    async def _produce(
        self,
        todo: asyncio.Queue[OutboxMessage | None],
        claimed: set[int],
        report: DeliveryReport,
        clock: Callable[[], datetime],
    ) -> None:
        while not report.unreachable:
            claimed_at = clock()
            batch = await self._outbox.claim(
                worker_id=self._worker_id,
                now=claimed_at,
                lease_until=claimed_at + timedelta(seconds=self._smtp.lease),
                limit=self._batch,
            )
            if not batch:
                break
            for message in batch:
                claimed.add(message.id)
                await todo.put(message)  # waits while the queue is full
        for _ in range(self._smtp.connections):
            await todo.put(None)

    async def _worker(
        self,
        index: int,
        todo: asyncio.Queue[OutboxMessage | None],
        sent: asyncio.Queue[int | None],
        handled: set[int],
        report: DeliveryReport,
        clock: Callable[[], datetime],
    ) -> None:
        while not report.unreachable:
            message = await todo.get()
            if message is None:
                return
            handled.add(message.id)
            await self._limit.wait()
            if not await self._hold(message, clock()):
                log.warning(
                    "lease lost before sending; another sender has the message",
                    extra={"message_id": message.message_id},
                )
                continue
            try:
                await self._transport.send(index, self._sender, message.recipient, message.body)
            except PermanentDeliveryError as exc:
                report.failed += 1
                log.warning(
                    "message refused permanently",
                    extra={"message_id": message.message_id, "reason": str(exc)},
                )
                await self._outbox.mark_failed(
                    message.id, worker_id=self._worker_id, error=str(exc)
                )
            except TemporaryDeliveryError as exc:
                if isinstance(exc, ServerUnreachable):
                    report.unreachable = True
                    log.warning("SMTP server unreachable: %s; messages stay pending", exc)
                await self._retry(message, str(exc), report, clock())
            else:
                report.sent += 1
                sent.put_nowait(message.id)

    async def _hold(self, message: OutboxMessage, now: datetime) -> bool:
        """Make sure the lease outlasts a send (slow server, long queue): renew it when it
        would not, and say False when it already ran out and another sender took over."""
        if now + self._send_margin < message.claimed_until:
            return True
        return await self._outbox.renew(
            message.id,
            worker_id=self._worker_id,
            lease_until=now + timedelta(seconds=self._smtp.lease),
        )

    async def _retry(
        self, message: OutboxMessage, error: str, report: DeliveryReport, now: datetime
    ) -> None:
        attempts = message.attempts + 1
        if attempts >= self._smtp.max_attempts:
            report.failed += 1
            await self._outbox.mark_failed(
                message.id,
                worker_id=self._worker_id,
                error=f"gave up after {attempts} tries: {error}",
            )
            return
        report.retried += 1
        delay = min(timedelta(seconds=self._smtp.retry_backoff * 2 ** (attempts - 1)), MAX_BACKOFF)
        await self._outbox.mark_retry(
            message.id, worker_id=self._worker_id, error=error, next_attempt_at=now + delay
        )

    async def _commit_sent(
        self, sent: asyncio.Queue[int | None], clock: Callable[[], datetime]
    ) -> None:
        """Group commit: mark everything accepted so far as sent, as soon as possible."""
        done = False
        while not done:
            ids: list[int] = []
            item = await sent.get()
            while True:
                if item is None:
                    done = True
                    break
                ids.append(item)
                if sent.empty():
                    break
                item = sent.get_nowait()
            if ids:
                await self._outbox.mark_sent(ids, worker_id=self._worker_id, now=clock())
